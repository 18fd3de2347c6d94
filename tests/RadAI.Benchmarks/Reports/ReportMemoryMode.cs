using System.Text.Json;
using RadAI.Benchmarks.Inference;
using RadAI.Contracts;
using RadAI.Hosting.Storage;

namespace RadAI.Benchmarks.Reports;

/// <summary>
/// <c>RadAI.Benchmarks report-prepare [--size SxRxC]</c>: writes the synthetic job of <see cref="ReportStudy"/> once
/// (source series, findings, label maps), so that the measurements below do not include it.
/// <para>
/// <c>RadAI.Benchmarks report-memory [--size SxRxC] [--builds N] [--keep-reports DIR]</c>: in a fresh process, report-builder's whole step
/// (<see cref="RadAI.ReportBuilder.Pipeline.ReportGeneration.BuildAsync"/>) on that job, N times (default 2: the first
/// with JIT and first-use costs, as the first job of a started service, then as a warm one). After the environment
/// (stores, SQLite history) and after each build: the process's resident memory now and at its peak so far (VmRSS,
/// VmHWM from /proc/self/status: managed heap, SkiaSharp's and SQLite's native memory together), the managed heap
/// after the build, the stage's time, CPU time (all threads) and managed bytes allocated. One JSON object on stdout
/// (scripts/bench/report.sh). --keep-reports copies the objects written (the reports store) to DIR, to look at them or
/// compare them between two versions of the code.
/// </para>
/// </summary>
internal static class ReportMemoryMode
{
    public static int Prepare(string[] args)
    {
        var size = InferenceEnvironment.ParseSize(InferenceMemoryMode.Option(args, "--size")) ?? ReportEnvironment.DefaultSize;
        var study = ReportStudy.Ensure(size);
        Console.WriteLine(study.Root);
        return 0;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var size = InferenceEnvironment.ParseSize(InferenceMemoryMode.Option(args, "--size")) ?? ReportEnvironment.DefaultSize;
        var builds = int.TryParse(InferenceMemoryMode.Option(args, "--builds"), out var n) && n > 0 ? n : 2;
        var recorder = new StageRecorder(withManagedHeap: true);
        recorder.Record("process");
        using var environment = await ReportEnvironment.CreateAsync(size, allowWrite: false);
        recorder.Record("environment");
        for (var i = 1; i <= builds; i++)
        {
            var outcome = await environment.Generation.BuildAsync(environment.Analysis, CancellationToken.None);
            if (outcome is not ReportReady ready)
            {
                Console.Error.WriteLine($"No report: {outcome}");
                return 1;
            }

            recorder.Record(i == 1 ? "build-1 (first)" : $"build-{i}",
                $"{ready.Objects.Count} objects, {ready.Objects.Sum(o => o.SizeBytes) / 1024} KiB: " +
                string.Join(", ", ready.Objects.GroupBy(o => o.Kind).Select(g => $"{g.Count()} {g.Key} {g.Sum(o => o.SizeBytes) / 1024} KiB")));
        }

        if (InferenceMemoryMode.Option(args, "--keep-reports") is { } keep)
        {
            var reports = environment.Stores.RootOf(StoreNames.Reports);
            foreach (var file in Directory.EnumerateFiles(reports, "*", SearchOption.AllDirectories))
            {
                var target = Path.Combine(keep, Path.GetRelativePath(reports, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target, overwrite: true);
            }
        }

        Console.WriteLine(JsonSerializer.Serialize(new { size = ReportStudy.Format(size), builds, stages = recorder.Stages }));
        return 0;
    }
}
