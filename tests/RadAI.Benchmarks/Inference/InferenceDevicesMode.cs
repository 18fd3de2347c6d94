using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using RadAI.Contracts.Findings;
using RadAI.Inference.Analysis;
using RadAI.Inference.Pipeline;
using RadAI.Inference.Runtime;

namespace RadAI.Benchmarks.Inference;

/// <summary>
/// <c>RadAI.Benchmarks inference-devices [--size SxRxC] [--runs N] [--require-cuda] [PACKAGE...]</c>: the CUDA path
/// checked against the CPU one. For each CT package (default: <see cref="InferenceEnvironment.CtPackages"/>) the same
/// synthetic chest goes through <see cref="ModelRunner"/> and the package's analyzer twice, in two hosts that differ only
/// by <c>Inference:UseCuda</c>: the execution provider each session really got, the model run time (one warm-up run,
/// then the median of N), and how far the CUDA results are from the CPU ones: raw outputs (largest and mean absolute
/// difference), label maps (voxels that differ) and every measurement of every finding (largest relative difference).
/// One JSON object on stdout; a readable summary on stderr. With --require-cuda the exit code is 1 when a session fell
/// back to CPU (no GPU or no CUDA libraries), so that a GPU check cannot pass on CPU.
/// </summary>
internal static class InferenceDevicesMode
{
    public static int Run(string[] args)
    {
        var size = InferenceEnvironment.ParseSize(InferenceMemoryMode.Option(args, "--size")) ?? InferenceEnvironment.Size;
        var runs = int.TryParse(InferenceMemoryMode.Option(args, "--runs"), out var n) && n > 0 ? n : 3;
        var requireCuda = args.Contains("--require-cuda");
        var optionValues = new[] { InferenceMemoryMode.Option(args, "--size"), InferenceMemoryMode.Option(args, "--runs") };
        var packages = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal) && !optionValues.Contains(a)).ToArray();
        if (packages.Length == 0)
        {
            packages = InferenceEnvironment.CtPackages;
        }

        var volume = InferenceEnvironment.ChestVolume(size);
        var store = Directory.CreateTempSubdirectory("radai-bench-inference-devices-").FullName;
        try
        {
            using var cpuHost = InferenceEnvironment.BuildHost(Path.Combine(store, "cpu"), useCuda: false);
            using var cudaHost = InferenceEnvironment.BuildHost(Path.Combine(store, "cuda"), useCuda: true);
            var results = new List<object>();
            var fellBack = false;
            foreach (var package in packages)
            {
                var cpu = RunOn(cpuHost.Services, package, volume, runs);
                var cuda = RunOn(cudaHost.Services, package, volume, runs);
                fellBack |= cuda.ExecutionProvider != "CUDA";
                var outputs = cpu.Raw.Outputs.Keys.Select(name => CompareOutput(name, cpu.Raw.Outputs[name], cuda.Raw.Outputs[name])).ToList();
                var labelDiff = CountDifferences(cpu.Analysis.LabelMap, cuda.Analysis.LabelMap);
                var measures = CompareFindings(cpu.Analysis.Findings, cuda.Analysis.Findings);
                Console.Error.WriteLine(
                    $"// {package} on {InferenceEnvironment.FormatSize(size)}: CPU {cpu.MedianMs} ms, {cuda.ExecutionProvider} {cuda.MedianMs} ms (model run, median of {runs}); " +
                    $"max |Δ| {outputs.Max(o => o.MaxAbs):G3}; label voxels differing {labelDiff}; findings {cpu.Analysis.Findings.Count} vs {cuda.Analysis.Findings.Count}, " +
                    $"largest relative measurement difference {measures.MaxRelative:G3}");
                results.Add(new
                {
                    package,
                    cpu = new { execution_provider = cpu.ExecutionProvider, model_run_ms = cpu.RunsMs, median_ms = cpu.MedianMs, analyzer_ms = cpu.AnalyzerMs },
                    cuda = new { execution_provider = cuda.ExecutionProvider, model_run_ms = cuda.RunsMs, median_ms = cuda.MedianMs, analyzer_ms = cuda.AnalyzerMs },
                    outputs = outputs.Select(o => new { name = o.Name, max_abs_diff = o.MaxAbs, mean_abs_diff = o.MeanAbs, values = o.Count }),
                    label_voxels = cpu.Analysis.LabelMap?.Length ?? 0,
                    label_voxels_differing = labelDiff,
                    findings_cpu = cpu.Analysis.Findings.Count,
                    findings_cuda = cuda.Analysis.Findings.Count,
                    findings_unmatched = measures.Unmatched,
                    measurements_compared = measures.Compared,
                    max_relative_measurement_diff = measures.MaxRelative,
                });
            }

            Console.WriteLine(JsonSerializer.Serialize(new
            {
                size = InferenceEnvironment.FormatSize(size),
                runs,
                processors = Environment.ProcessorCount,
                packages = results,
            }));
            if (requireCuda && fellBack)
            {
                Console.Error.WriteLine("// --require-cuda: a session ran on CPU (see the warning above for the reason)");
                return 1;
            }

            return 0;
        }
        finally
        {
            Directory.Delete(store, recursive: true);
        }
    }

    private sealed record DeviceRun(string ExecutionProvider, ModelRunResult Raw, AnalyzerOutput Analysis, long[] RunsMs, long MedianMs, long AnalyzerMs);

    private static DeviceRun RunOn(IServiceProvider services, string packageFolder, RadAI.Inference.Volumes.Volume volume, int runs)
    {
        var package = InferenceEnvironment.Package(services, packageFolder);
        var runner = services.GetRequiredService<ModelRunner>();
        var raw = runner.Run(package, volume, CancellationToken.None); // warm-up: kernels, CUDA context, allocator
        var times = new long[runs];
        for (var i = 0; i < runs; i++)
        {
            raw = runner.Run(package, volume, CancellationToken.None);
            times[i] = raw.DurationMs;
        }

        var watch = Stopwatch.StartNew();
        var analysis = services.GetRequiredService<AnalyzerRegistry>().For(package).Analyze(new AnalyzerInput(package, volume, raw), CancellationToken.None);
        var sorted = times.Order().ToArray();
        return new DeviceRun(raw.ExecutionProvider, raw, analysis, times, sorted[sorted.Length / 2], watch.ElapsedMilliseconds);
    }

    private sealed record OutputDifference(string Name, double MaxAbs, double MeanAbs, long Count);

    private static OutputDifference CompareOutput(string name, OutputMap cpu, OutputMap cuda)
    {
        if (cpu.Data.Length != cuda.Data.Length)
        {
            throw new InvalidOperationException($"Output {name}: {cpu.Data.Length} values on CPU, {cuda.Data.Length} on CUDA.");
        }

        double max = 0, sum = 0;
        for (var i = 0; i < cpu.Data.Length; i++)
        {
            var d = Math.Abs((double)cpu.Data[i] - cuda.Data[i]);
            max = Math.Max(max, double.IsNaN(d) ? double.PositiveInfinity : d);
            sum += d;
        }

        return new OutputDifference(name, max, cpu.Data.Length == 0 ? 0 : sum / cpu.Data.Length, cpu.Data.Length);
    }

    private static long CountDifferences(byte[]? cpu, byte[]? cuda)
    {
        if (cpu is null || cuda is null)
        {
            return cpu is null && cuda is null ? 0 : Math.Max(cpu?.Length ?? 0, cuda?.Length ?? 0);
        }

        long differing = Math.Abs(cpu.Length - cuda.Length);
        for (var i = 0; i < Math.Min(cpu.Length, cuda.Length); i++)
        {
            differing += cpu[i] != cuda[i] ? 1 : 0;
        }

        return differing;
    }

    /// <summary>Findings paired by id, measurements by concept and derivation: the largest relative difference.</summary>
    private static (int Compared, int Unmatched, double MaxRelative) CompareFindings(IReadOnlyList<Finding> cpu, IReadOnlyList<Finding> cuda)
    {
        var byId = cuda.ToDictionary(f => f.Id, StringComparer.Ordinal);
        int compared = 0, unmatched = 0;
        double maxRelative = 0;
        foreach (var finding in cpu)
        {
            if (!byId.TryGetValue(finding.Id, out var other))
            {
                unmatched++;
                continue;
            }

            foreach (var measure in finding.Measurements)
            {
                var twin = other.Measurements.FirstOrDefault(m => m.Concept == measure.Concept && m.Derivation == measure.Derivation);
                if (twin is null)
                {
                    unmatched++;
                    continue;
                }

                compared++;
                var scale = Math.Max(Math.Abs(measure.Value), 1e-9);
                maxRelative = Math.Max(maxRelative, Math.Abs(measure.Value - twin.Value) / scale);
            }
        }

        return (compared, unmatched + Math.Max(0, cuda.Count - cpu.Count), maxRelative);
    }
}
