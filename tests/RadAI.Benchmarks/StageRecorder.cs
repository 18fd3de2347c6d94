using System.Diagnostics;
using System.Text.Json.Serialization;

namespace RadAI.Benchmarks;

/// <summary>
/// The stage recorder of the memory modes (inference-memory, report-memory): a benchmark's stages, one after the other.
/// After each, the process's resident memory now and at its peak so far (<see cref="ProcessMemory"/>), the stage's time,
/// CPU time (all threads) and managed bytes allocated, and, when asked, the managed heap. Each stage is printed on stderr
/// as it ends and kept in <see cref="Stages"/> for the JSON the mode writes on stdout.
/// </summary>
/// <param name="withManagedHeap">Also record the managed heap after each stage (report-memory does, inference-memory does not).</param>
internal sealed class StageRecorder(bool withManagedHeap = false)
{
    private readonly List<StageMeasurement> _stages = [];
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private long _allocated = GC.GetTotalAllocatedBytes(precise: true);
    private TimeSpan _cpu = Process.GetCurrentProcess().TotalProcessorTime;

    /// <summary>The stages recorded so far, in order.</summary>
    public IReadOnlyList<StageMeasurement> Stages => _stages;

    /// <summary>Ends stage <paramref name="name"/> (everything since the previous one, or since the recorder was made) and starts the next.</summary>
    public void Record(string name, string? detail = null)
    {
        var (rss, hwm) = ProcessMemory.Read();
        var now = GC.GetTotalAllocatedBytes(precise: true);
        var cpuNow = Process.GetCurrentProcess().TotalProcessorTime;
        long? heap = withManagedHeap ? GC.GetTotalMemory(forceFullCollection: false) : null;
        _stages.Add(new StageMeasurement(
            name,
            Math.Round(_watch.Elapsed.TotalSeconds, 3),
            Math.Round((cpuNow - _cpu).TotalSeconds, 3),
            rss,
            hwm,
            heap,
            now - _allocated,
            detail));
        Console.Error.WriteLine($"// {name}: {_watch.Elapsed.TotalSeconds:F2} s ({(cpuNow - _cpu).TotalSeconds:F2} s CPU), RSS {rss / 1024} MiB, peak {hwm / 1024} MiB{(detail is null ? "" : ", " + detail)}");
        _allocated = now;
        _cpu = cpuNow;
        _watch.Restart();
    }
}

/// <summary>One stage of a <see cref="StageRecorder"/>, under the JSON names scripts/bench/*_report.py read.</summary>
internal sealed record StageMeasurement(
    [property: JsonPropertyName("stage")] string Stage,
    [property: JsonPropertyName("seconds")] double Seconds,
    [property: JsonPropertyName("cpu_seconds")] double CpuSeconds,
    [property: JsonPropertyName("rss_kb")] long RssKb,
    [property: JsonPropertyName("hwm_kb")] long HwmKb,
    [property: JsonPropertyName("managed_heap_bytes"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? ManagedHeapBytes,
    [property: JsonPropertyName("allocated_bytes")] long AllocatedBytes,
    [property: JsonPropertyName("detail")] string? Detail);

/// <summary>This process's resident memory (Linux /proc/self/status), in KiB.</summary>
internal static class ProcessMemory
{
    public static (long RssKb, long PeakKb) Read()
    {
        long rss = 0, peak = 0;
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kb(line);
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                peak = Kb(line);
            }
        }

        return (rss, peak);

        static long Kb(string line) => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
    }
}
