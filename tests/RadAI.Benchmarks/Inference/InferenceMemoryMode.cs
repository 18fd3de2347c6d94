using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using RadAI.Inference.Analysis;
using RadAI.Inference.Pipeline;
using RadAI.Inference.Runtime;

namespace RadAI.Benchmarks.Inference;

/// <summary>
/// <c>RadAI.Benchmarks inference-memory PACKAGE [--size SxRxC]</c>: in a fresh process, the stages of one package's run
/// on the synthetic chest, one after the other: services built, ONNX session loaded and warmed, volume generated,
/// <see cref="ModelRunner.Run"/>, the analyzer. After each stage: the process's resident memory now and at its peak
/// so far (VmRSS, VmHWM from /proc/self/status: managed heap and ONNX Runtime's native memory together), the stage's
/// duration and CPU time (all threads; first run in the process: JIT included) and the managed bytes it allocated. One JSON object on stdout
/// (scripts/bench/inference.sh runs one process per package).
/// </summary>
internal static class InferenceMemoryMode
{
    public static int Run(string[] args)
    {
        var package = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal));
        var size = InferenceEnvironment.ParseSize(Option(args, "--size")) ?? InferenceEnvironment.Size;
        if (package is null)
        {
            Console.Error.WriteLine("usage: RadAI.Benchmarks inference-memory PACKAGE [--size SLICESxROWSxCOLUMNS]   (PACKAGE: a folder of models/, e.g. ct-lung-quant)");
            return 2;
        }

        var recorder = new StageRecorder();
        recorder.Record("process");
        var store = Directory.CreateTempSubdirectory("radai-bench-inference-memory-").FullName;
        try
        {
            using var host = InferenceEnvironment.BuildHost(store);
            var services = host.Services;
            var modelPackage = InferenceEnvironment.Package(services, package);
            var analyzer = services.GetRequiredService<AnalyzerRegistry>().For(modelPackage);
            var runner = services.GetRequiredService<ModelRunner>();
            recorder.Record("services");
            services.GetRequiredService<OnnxSessions>().Get(modelPackage.OnnxPath());
            recorder.Record("session");
            var volume = InferenceEnvironment.ChestVolume(size);
            recorder.Record("volume", $"{volume.VoxelCount * sizeof(float) / (1024 * 1024)} MiB of float voxels");
            var raw = runner.Run(modelPackage, volume, CancellationToken.None);
            recorder.Record("model-run", $"{raw.ExecutionProvider}, outputs {string.Join(", ", raw.Outputs.Values.Select(o => $"{o.Name}: {o.Channels}×{o.Data.LongLength / Math.Max(1, o.Channels)}"))}");
            var output = analyzer.Analyze(new AnalyzerInput(modelPackage, volume, raw), CancellationToken.None);
            recorder.Record("analyzer", $"{output.Findings.Count} finding(s), {output.Segments.Count} segment(s)");
            GC.KeepAlive(volume);
            GC.KeepAlive(raw);
            Console.WriteLine(JsonSerializer.Serialize(new { package, id = modelPackage.Id, size = InferenceEnvironment.FormatSize(size), stages = recorder.Stages }));
            return 0;
        }
        finally
        {
            Directory.Delete(store, recursive: true);
        }
    }

    internal static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
