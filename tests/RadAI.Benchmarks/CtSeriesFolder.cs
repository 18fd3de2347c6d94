using RadAI.Cli.Synthetic;

namespace RadAI.Benchmarks;

/// <summary>
/// The 500-file 512×512 synthetic CT series the benchmarks read: the folder named by RADAI_BENCH_SERIES
/// (scripts/bench/dicom-parse.sh sets it), else a folder under the temp directory; generated with
/// <see cref="SyntheticCtSeries"/> (seed 1) when it does not hold the 500 files yet, reused otherwise.
/// </summary>
internal static class CtSeriesFolder
{
    public const int Slices = 500;
    public const int Seed = 1;

    public static string Path { get; } = Environment.GetEnvironmentVariable("RADAI_BENCH_SERIES") is { Length: > 0 } folder
        ? folder
        : System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"radai-bench-ct-{Slices}x512x512-seed{Seed}");

    /// <summary>The files in instance order, generated first if needed.</summary>
    public static string[] EnsureFiles()
    {
        var files = Files();
        if (files.Length == Slices)
        {
            return files;
        }

        Console.Error.WriteLine($"// Generating the {Slices}-file synthetic CT series in {Path}...");
        var series = new SyntheticCtSeries(new SyntheticCtOptions { Slices = Slices, Seed = Seed });
        series.WriteAsync(Path).GetAwaiter().GetResult();
        files = Files();
        return files.Length == Slices ? files : throw new InvalidOperationException($"{Path} holds {files.Length} CT*.dcm files, not {Slices}.");
    }

    private static string[] Files() =>
        Directory.Exists(Path) ? [.. Directory.GetFiles(Path, "CT*.dcm").Order(StringComparer.Ordinal)] : [];
}
