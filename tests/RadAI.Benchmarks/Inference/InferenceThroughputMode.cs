using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using RadAI.Cli.Synthetic;
using RadAI.Contracts;
using RadAI.Dicom;
using RadAI.Hosting.Storage;
using RadAI.Inference.Pipeline;

namespace RadAI.Benchmarks.Inference;

/// <summary>
/// <c>RadAI.Benchmarks inference-throughput --consumers N [--studies M] [--size SxRxC] [--store DIR] [--intra-op T]</c>:
/// M different synthetic CT studies (<see cref="SyntheticCtSeries"/>, seeds 100, 101..., written once as DICOM files in
/// the instances store the way dicom-ingest lays them out, and reused) analysed by <see cref="StudyAnalysis.AnalyzeAsync"/>,
/// at most N at once: what the inference service does with <c>Inference:ConcurrentJobs</c> = N (the consumer's
/// ConcurrentMessageLimit) when M StudyReceived wait in its queue. Each analysis reads the series from disk, routes it,
/// runs every package that applies (the two CT packages) and writes its results, as the consumer does. The ONNX
/// sessions are loaded and warmed first (as ModelLoader does at start) and one small study is analysed untimed (JIT).
/// One JSON object on stdout: wall time of the M analyses, studies per minute, the process's CPU time during them
/// (all threads: less sensitive than wall time to other work on a shared machine), each study's time and the model runs.
/// </summary>
internal static class InferenceThroughputMode
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    public static async Task<int> RunAsync(string[] args)
    {
        var consumers = int.Parse(InferenceMemoryMode.Option(args, "--consumers") ?? "1", CultureInfo.InvariantCulture);
        var size = InferenceEnvironment.ParseSize(InferenceMemoryMode.Option(args, "--size")) ?? InferenceEnvironment.Size;
        var studies = int.Parse(InferenceMemoryMode.Option(args, "--studies") ?? Math.Max(4, consumers).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        var intraOp = int.Parse(InferenceMemoryMode.Option(args, "--intra-op") ?? "0", CultureInfo.InvariantCulture);
        var store = InferenceMemoryMode.Option(args, "--store")
            ?? Path.Combine(Path.GetTempPath(), $"radai-bench-inference-studies-{InferenceEnvironment.FormatSize(size)}");
        if (consumers < 1 || studies < 1)
        {
            Console.Error.WriteLine("usage: RadAI.Benchmarks inference-throughput --consumers N [--studies M] [--size SLICESxROWSxCOLUMNS] [--store DIR] [--intra-op THREADS]");
            return 2;
        }

        var setup = Stopwatch.StartNew();
        var received = new List<StudyReceived>();
        for (var i = 0; i < studies; i++)
        {
            received.Add(await EnsureStudyAsync(store, size, 100 + i));
        }

        // Small and cheap (48 mm field of view: 0.75 mm pixels, no resampling for the nodule model), enough for JIT.
        var warmUp = await EnsureStudyAsync(store, (40, 64, 64), 98, fieldOfViewMm: 48);
        var written = setup.Elapsed.TotalSeconds;

        var results = Path.Combine(store, StoreNames.Results);
        using var host = InferenceEnvironment.BuildHost(store, intraOp);
        try
        {
            var analysis = host.Services.GetRequiredService<StudyAnalysis>();
            InferenceEnvironment.WarmUp(host.Services);
            var warm = await analysis.AnalyzeAsync(WithNewJob(warmUp), CancellationToken.None);
            Console.Error.WriteLine($"// warm-up study (40x64x64): {Describe(warm.Event)}");
            var setupSeconds = setup.Elapsed.TotalSeconds;

            var perStudy = new ConcurrentBag<(int Index, double Start, double End, IJobEvent Outcome)>();
            var (_, peakBefore) = ProcessMemory.Read();
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            await Parallel.ForEachAsync(
                received.Select((study, index) => (study, index)),
                new ParallelOptions { MaxDegreeOfParallelism = consumers },
                async (item, cancellationToken) =>
                {
                    var start = watch.Elapsed.TotalSeconds;
                    var outcome = await analysis.AnalyzeAsync(WithNewJob(item.study), cancellationToken);
                    perStudy.Add((item.index, start, watch.Elapsed.TotalSeconds, outcome.Event));
                });
            var wall = watch.Elapsed.TotalSeconds;
            var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
            var (_, peak) = ProcessMemory.Read();

            var ordered = perStudy.OrderBy(s => s.Index).ToList();
            foreach (var s in ordered)
            {
                Console.Error.WriteLine($"// study {s.Index + 1}: {s.Start:F1} → {s.End:F1} s: {Describe(s.Outcome)}");
            }

            Console.WriteLine(JsonSerializer.Serialize(new
            {
                consumers,
                studies,
                size = InferenceEnvironment.FormatSize(size),
                intra_op_threads = intraOp,
                processors = Environment.ProcessorCount,
                wall_s = Math.Round(wall, 3),
                studies_per_min = Math.Round(studies * 60 / wall, 3),
                cpu_s = Math.Round(cpu, 2),
                cpu_s_per_study = Math.Round(cpu / studies, 2),
                study_s = ordered.Select(s => Math.Round(s.End - s.Start, 3)),
                outcomes = ordered.GroupBy(s => s.Outcome.GetType().Name).ToDictionary(g => g.Key, g => g.Count()),
                model_runs_ms = ordered.SelectMany(s => s.Outcome is AnalysisDone done ? done.Runs : [])
                    .GroupBy(r => r.ModelId).ToDictionary(g => g.Key, g => g.Select(r => r.DurationMs)),
                peak_rss_kb_before = peakBefore,
                peak_rss_kb = peak,
                studies_written_s = Math.Round(written, 1),
                setup_s = Math.Round(setupSeconds, 1),
            }, Json));
            return ordered.All(s => s.Outcome is AnalysisDone) ? 0 : 1;
        }
        finally
        {
            if (Directory.Exists(results))
            {
                Directory.Delete(results, recursive: true);
            }
        }
    }

    private static StudyReceived WithNewJob(StudyReceived study)
    {
        var job = Guid.NewGuid();
        return study with { JobId = job, CorrelationId = job, OccurredAt = DateTimeOffset.UtcNow };
    }

    private static string Describe(IJobEvent outcome) => outcome switch
    {
        AnalysisDone done => $"AnalysisDone: {string.Join(", ", done.Runs.Select(r => $"{r.ModelId} {r.FindingCount} finding(s) in {r.DurationMs} ms on {r.ExecutionProvider}"))}"
            + (done.Failures is { Count: > 0 } failures ? $"; failed: {string.Join(", ", failures.Select(f => $"{f.ModelId} {f.ErrorCode} {f.Reason}"))}" : ""),
        AnalysisFailed failed => $"AnalysisFailed: {failed.ErrorCode} {failed.Reason}",
        StudySkipped skipped => $"StudySkipped: {skipped.Reason}",
        _ => outcome.GetType().Name,
    };

    /// <summary>
    /// A synthetic CT study in the instances store (instances/&lt;study&gt;/&lt;job&gt;/&lt;series&gt;/, as dicom-ingest files
    /// it), written unless a previous run left it complete, and the StudyReceived that announces it.
    /// </summary>
    private static async Task<StudyReceived> EnsureStudyAsync(string store, (int Slices, int Rows, int Columns) size, int seed, double fieldOfViewMm = 350)
    {
        var series = new SyntheticCtSeries(new SyntheticCtOptions
        {
            Slices = size.Slices,
            Rows = size.Rows,
            Columns = size.Columns,
            Seed = seed,
            FieldOfViewMm = fieldOfViewMm,
        });
        var reception = $"{seed:D8}000000000000000000000000";
        var key = $"{series.StudyInstanceUid}/{reception}/{series.SeriesInstanceUid}";
        var folder = Path.Combine(store, StoreNames.Instances, key.Replace('/', Path.DirectorySeparatorChar));
        var complete = Path.Combine(folder, ".complete");
        if (!File.Exists(complete))
        {
            Console.Error.WriteLine($"// writing study {seed} ({InferenceEnvironment.FormatSize(size)}) to {folder}");
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }

            await series.WriteAsync(folder);
            await File.WriteAllTextAsync(complete, "");
        }

        var bytes = Directory.GetFiles(folder, "*.dcm").Sum(f => new FileInfo(f).Length);
        var first = series.CreateInstance(0);
        return new StudyReceived(Guid.Empty, Guid.Empty, DateTimeOffset.UtcNow, series.StudyInstanceUid, "BENCH", "RADAI", "default",
            [new ReceivedSeries(series.SeriesInstanceUid, "CT", DicomUids.CTImageStorage, series.Count, bytes,
                new StorageReference(StoreNames.Instances, key), first.TryGetString(DicomTags.BodyPartExamined, out var part) ? part : null,
                first.TryGetString(DicomTags.SeriesDescription, out var description) ? description : null)],
            new StorageReference(StoreNames.Instances, $"{series.StudyInstanceUid}/{reception}"));
    }
}
