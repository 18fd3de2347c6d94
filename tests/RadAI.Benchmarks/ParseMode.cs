using System.Diagnostics;
using System.Globalization;
using RadAI.Dicom;
using RadAI.Dicom.IO;

namespace RadAI.Benchmarks;

/// <summary>
/// <c>RadAI.Benchmarks parse [--full] FILE|DIR...</c>: reads every file (header only, or everything with Pixel
/// Data lazy with --full) and prints nothing but one summary line: the parse-only counterpart of
/// <c>radai dump --header-only</c> for whole-process timings (scripts/bench/dicom-parse.sh).
/// </summary>
internal static class ParseMode
{
    public static async Task<int> RunAsync(string[] args)
    {
        var full = args.Contains("--full");
        var paths = args.Where(a => a != "--full")
            .SelectMany(a => Directory.Exists(a) ? Directory.GetFiles(a, "*.dcm").Order(StringComparer.Ordinal) : [a])
            .ToList();
        if (paths.Count == 0)
        {
            Console.Error.WriteLine("usage: RadAI.Benchmarks parse [--full] FILE|DIR...");
            return 2;
        }

        var options = full ? DicomReadOptions.Default : ReadModes.HeaderOnly;
        var elements = 0L;
        var failures = 0;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var watch = Stopwatch.StartNew();
        foreach (var path in paths)
        {
            try
            {
                var file = await DicomFile.OpenAsync(path, options);
                elements += file.Dataset.Count + file.FileMetaInformation.Count;
            }
            catch (Exception e) when (e is DicomFormatException or IOException)
            {
                failures++;
                Console.Error.WriteLine($"{path}: {e.Message}");
            }
        }

        watch.Stop();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"parsed {paths.Count - failures} files ({(full ? "full, pixel data lazy" : "header only")}), {elements} top-level elements, {failures} failures; " +
            $"{watch.Elapsed.TotalMilliseconds:F1} ms in the loop ({watch.Elapsed.TotalMicroseconds / paths.Count:F1} µs/file), {allocated / paths.Count} bytes allocated per file"));
        return failures == 0 ? 0 : 1;
    }
}
