using System.Diagnostics;
using System.Globalization;
using System.Text;
using RadAI.Dicom;
using RadAI.Dicom.IO;
using RadAI.Dicom.Text;

namespace RadAI.Benchmarks;

/// <summary>
/// <c>RadAI.Benchmarks parse [--full] [--sync-io] [--dump] FILE|DIR...</c>: reads every file, one after the
/// other, in one process, for whole-process timings next to <c>radai dump</c>, dcmdump and pydicom
/// (scripts/bench/dicom-parse.sh). One summary line goes to stderr.
/// <list type="bullet">
/// <item>default: <see cref="DicomFile.OpenAsync(string, DicomReadOptions?, CancellationToken)"/> with StopBeforeTag = Pixel Data, nothing printed (parse only);</item>
/// <item>--full: the whole file, Pixel Data left lazy;</item>
/// <item>--sync-io: <see cref="DicomFile.ReadAsync(Stream, DicomReadOptions?, CancellationToken)"/> over a <see cref="SynchronousReadStream"/>
/// (header only: with --full the pixel data would be loaded) — what OpenAsync would cost with synchronous reads;</item>
/// <item>--dump: also write the listing of <c>radai dump --header-only</c> (same "# path" lines and DicomDumpWriter) to stdout
/// through one 64 KiB buffered writer — what radai dump would cost with buffered output.</item>
/// </list>
/// </summary>
internal static class ParseMode
{
    private static readonly string[] Flags = ["--full", "--sync-io", "--dump"];

    public static async Task<int> RunAsync(string[] args)
    {
        var full = args.Contains("--full");
        var syncIO = args.Contains("--sync-io");
        var dump = args.Contains("--dump");
        var paths = args.Where(a => !Flags.Contains(a))
            .SelectMany(a => Directory.Exists(a) ? Directory.GetFiles(a, "*.dcm").Order(StringComparer.Ordinal) : (IEnumerable<string>)[a])
            .ToList();
        if (paths.Count == 0 || (full && syncIO))
        {
            Console.Error.WriteLine("usage: RadAI.Benchmarks parse [--full | --sync-io] [--dump] FILE|DIR...");
            return 2;
        }

        var options = full ? DicomReadOptions.Default : ReadModes.HeaderOnly;
        await using var output = dump ? new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 64 * 1024) : null;
        var elements = 0L;
        var failures = 0;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var watch = Stopwatch.StartNew();
        foreach (var path in paths)
        {
            try
            {
                var file = syncIO ? await ReadSynchronouslyAsync(path, options) : await DicomFile.OpenAsync(path, options);
                elements += file.Dataset.Count + file.FileMetaInformation.Count;
                if (output is not null)
                {
                    if (paths.Count > 1)
                    {
                        output.WriteLine($"# {path}");
                    }

                    DicomDumpWriter.WriteFile(output, file);
                }
            }
            catch (Exception e) when (e is DicomFormatException or IOException)
            {
                failures++;
                Console.Error.WriteLine($"{path}: {e.Message}");
            }
        }

        if (output is not null)
        {
            await output.FlushAsync();
        }

        watch.Stop();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var mode = (full ? "full, pixel data lazy" : "header only") + (syncIO ? ", synchronous reads" : "") + (dump ? ", listing written" : "");
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"parsed {paths.Count - failures} files ({mode}), {elements} top-level elements, {failures} failures; " +
            $"{watch.Elapsed.TotalMilliseconds:F1} ms in the loop ({watch.Elapsed.TotalMicroseconds / paths.Count:F1} µs/file), {allocated / paths.Count} bytes allocated per file"));
        return failures == 0 ? 0 : 1;
    }

    /// <summary>The parser over a <see cref="SynchronousReadStream"/>: reads are plain pread(2) calls, no thread-pool round trip.</summary>
    internal static async Task<DicomFile> ReadSynchronouslyAsync(string path, DicomReadOptions options)
    {
        await using var stream = new SynchronousReadStream(path);
        return await DicomFile.ReadAsync(stream, options);
    }
}
