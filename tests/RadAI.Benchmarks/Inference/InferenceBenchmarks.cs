using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RadAI.Inference.Analysis;
using RadAI.Inference.Packages;
using RadAI.Inference.Pipeline;
using RadAI.Inference.Runtime;
using RadAI.Inference.Volumes;

namespace RadAI.Benchmarks.Inference;

/// <summary>
/// Each CT package of models/ on the synthetic chest (<see cref="InferenceEnvironment.Size"/>, 300×512×512 by default),
/// on CPU, through the service's own classes: <see cref="ModelRunner.Run"/> (resampling, intensity, ONNX Runtime,
/// outputs back on the volume's grid) and the package's analyzer (<see cref="IAnalyzer.Analyze"/>) on that output,
/// separately. One operation = one whole volume; per slice = the result divided by the slice count
/// (scripts/bench/inference.sh reports both). Long runs (<see cref="LongRunJobAttribute"/>): one warm-up invocation,
/// then 3 measured ones of each benchmark.
/// </summary>
[MemoryDiagnoser]
[LongRunJob(iterations: 3)]
public class InferenceBenchmarks
{
    private IHost _host = null!;
    private ModelRunner _runner = null!;
    private ModelPackage _package = null!;
    private IAnalyzer _analyzer = null!;
    private Volume _volume = null!;
    private ModelRunResult _raw = null!;
    private string _store = "";

    /// <summary>The last model output per (package, size), kept for the analyzer's setup (the same process: in-process toolchain).</summary>
    private static readonly Dictionary<(string Package, string Size), ModelRunResult> LastOutputs = [];

    /// <summary>Folder name of the package under models/.</summary>
    [ParamsSource(nameof(Packages))]
    public string Package { get; set; } = "";

    /// <summary>The volume, slices×rows×columns (a column of the results; set by RADAI_BENCH_INFERENCE_SIZE or --quick).</summary>
    [ParamsSource(nameof(Sizes))]
    public string Size { get; set; } = "";

    public static IEnumerable<string> Packages => InferenceEnvironment.CtPackages;

    public static IEnumerable<string> Sizes => [InferenceEnvironment.FormatSize(InferenceEnvironment.Size)];

    private void SetupServices()
    {
        _store = Directory.CreateTempSubdirectory("radai-bench-inference-").FullName;
        _host = InferenceEnvironment.BuildHost(_store);
        var services = _host.Services;
        _runner = services.GetRequiredService<ModelRunner>();
        _package = InferenceEnvironment.Package(services, Package);
        _analyzer = services.GetRequiredService<AnalyzerRegistry>().For(_package);
        _volume = InferenceEnvironment.Chest;
        // The session created and warmed up on a tiny input, as ModelLoader does when the service starts.
        InferenceEnvironment.WarmUp(services);
    }

    [GlobalSetup(Target = nameof(ModelRun))]
    public void SetupModelRun() => SetupServices();

    [GlobalSetup(Target = nameof(Analyzer))]
    public void SetupAnalyzer()
    {
        SetupServices();
        // The analyzer's input: the output of the last ModelRun of this package and volume when there was one (a
        // 300-slice run takes a minute), else one run now.
        var key = (Package, Size);
        if (!LastOutputs.TryGetValue(key, out var raw))
        {
            raw = _runner.Run(_package, _volume, CancellationToken.None);
        }

        _raw = raw;
        LastOutputs.Clear();
        var first = _analyzer.Analyze(new AnalyzerInput(_package, _volume, _raw), CancellationToken.None);
        Console.WriteLine($"// {_package.Id} on {Size}: {_raw.ExecutionProvider}; the analyzer found {first.Findings.Count} finding(s), " +
            $"{first.Segments.Count} segment(s); notes: {string.Join("; ", first.Notes.Select(n => n.Code))}");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _host.Dispose();
        _raw = null!;
        Directory.Delete(_store, recursive: true);
    }

    /// <summary>The model over the whole volume (<see cref="ModelRunner.Run"/>).</summary>
    [Benchmark]
    public ModelRunResult ModelRun() => LastOutputs[(Package, Size)] = _runner.Run(_package, _volume, CancellationToken.None);

    /// <summary>The package's analyzer on the model's output (the last ModelRun's, or one run in the setup).</summary>
    [Benchmark]
    public AnalyzerOutput Analyzer() => _analyzer.Analyze(new AnalyzerInput(_package, _volume, _raw), CancellationToken.None);
}
