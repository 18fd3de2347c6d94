using System.Diagnostics.Tracing;
using System.Globalization;
using RadAI.Dicom.IO;

namespace RadAI.Benchmarks;

/// <summary>
/// <c>RadAI.Benchmarks alloc</c>: allocated bytes per header parse (GC.GetTotalAllocatedBytes around many
/// parses) for a CT header with 0 to 10,000 extra elements, from memory and from a file, the marginal
/// bytes per added element, and which types the allocations are (the runtime's GC AllocationTick events,
/// one per ≈ 100 KB allocated). A read path without per-element allocation shows a flat line, or one that
/// grows only by the dataset's own storage (its entry array and value arena).
/// </summary>
internal static class AllocationMode
{
    private static readonly int[] Counts = [0, 10, 100, 1000, 10000];

    public static async Task<int> RunAsync(string[] args)
    {
        _ = args;
        var folder = Directory.CreateTempSubdirectory("radai-bench-alloc-");
        try
        {
            var culture = CultureInfo.InvariantCulture;
            Console.WriteLine("| extra elements | top-level elements | file bytes | allocated B/parse, memory | allocated B/parse, file | marginal B/element, memory |");
            Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
            long? baseline = null;
            var baselineElements = 0;
            foreach (var count in Counts)
            {
                var bytes = SyntheticHeaders.Create(count);
                var path = Path.Combine(folder.FullName, $"h{count}.dcm");
                await File.WriteAllBytesAsync(path, bytes);
                var elements = (await DicomFile.ReadAsync(bytes, ReadModes.HeaderOnly)).Dataset.Count;
                var iterations = count >= 10000 ? 50 : 500;
                var fromMemory = await MeasureAsync(() => DicomFile.ReadAsync(bytes, ReadModes.HeaderOnly), iterations);
                var fromFile = await MeasureAsync(() => DicomFile.OpenAsync(path, ReadModes.HeaderOnly), iterations);
                baseline ??= fromMemory;
                if (count == 0)
                {
                    baselineElements = elements;
                }

                var marginal = count == 0 ? "" : ((fromMemory - baseline.Value) / (double)(elements - baselineElements)).ToString("F1", culture);
                Console.WriteLine(string.Create(culture, $"| {count} | {elements} | {bytes.Length} | {fromMemory} | {fromFile} | {marginal} |"));
            }

            foreach (var (extra, iterations) in new[] { (0, 5000), (10000, 200) })
            {
                Console.WriteLine();
                Console.WriteLine(string.Create(culture,
                    $"Types allocated while reading the header with {extra} extra elements from memory {iterations} times (GC AllocationTick samples, one per ≈ 100 KB):"));
                Console.WriteLine();
                var header = SyntheticHeaders.Create(extra);
                using var listener = new AllocationListener();
                for (var i = 0; i < iterations; i++)
                {
                    await DicomFile.ReadAsync(header, ReadModes.HeaderOnly);
                }

                foreach (var (type, ticks) in listener.Snapshot().OrderByDescending(p => p.Value).Take(10))
                {
                    Console.WriteLine(string.Create(culture, $"- {ticks} samples: `{type}`"));
                }
            }

            return 0;
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static async Task<long> MeasureAsync(Func<Task<DicomFile>> parse, int iterations)
    {
        for (var i = 0; i < 50; i++)
        {
            await parse();
        }

        GC.Collect();
        var before = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < iterations; i++)
        {
            await parse();
        }

        return (GC.GetTotalAllocatedBytes(precise: true) - before) / iterations;
    }

    /// <summary>Counts the runtime's GC AllocationTick events by allocated type.</summary>
    private sealed class AllocationListener : EventListener
    {
        private readonly Dictionary<string, int> _ticks = [];
        private readonly Lock _lock = new();

        public Dictionary<string, int> Snapshot()
        {
            lock (_lock)
            {
                return new Dictionary<string, int>(_ticks);
            }
        }

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1); // GC keyword
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
            if (eventData.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) != true || eventData.PayloadNames is null)
            {
                return;
            }

            var index = eventData.PayloadNames.IndexOf("TypeName");
            var type = index >= 0 ? eventData.Payload?[index] as string ?? "?" : "?";
            lock (_lock)
            {
                _ticks[type] = _ticks.GetValueOrDefault(type) + 1;
            }
        }
    }
}
