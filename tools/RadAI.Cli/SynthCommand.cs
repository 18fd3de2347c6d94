using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using RadAI.Cli.Synthetic;

namespace RadAI.Cli;

/// <summary>
/// <c>radai synth-ct --out DIR</c>: writes a synthetic CT series (chest phantom, CT Image Storage, explicit
/// VR little endian) for benchmarks and tests. See <see cref="SyntheticCtSeries"/>.
/// </summary>
public static partial class SynthCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "Folder to write the files to (created if needed).", Required = true };
        var slices = new Option<int>("--slices") { Description = "Number of slices (instances).", DefaultValueFactory = _ => 500 };
        var rows = new Option<int>("--rows") { Description = "Rows of each image.", DefaultValueFactory = _ => 512 };
        var columns = new Option<int>("--columns") { Description = "Columns of each image.", DefaultValueFactory = _ => 512 };
        var studyUid = new Option<string?>("--study-uid") { Description = "Study Instance UID to use (default: a new one)." };
        var seed = new Option<int?>("--seed") { Description = "Make the output reproducible: UIDs, dates and noise derived from this number." };
        var command = new Command("synth-ct", "Write a synthetic CT series (chest phantom, 16-bit, explicit VR little endian) for benchmarks and tests.")
        {
            output,
            slices,
            rows,
            columns,
            studyUid,
            seed,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            var options = new SyntheticCtOptions
            {
                Slices = parseResult.GetValue(slices),
                Rows = parseResult.GetValue(rows),
                Columns = parseResult.GetValue(columns),
                StudyInstanceUid = parseResult.GetValue(studyUid),
                Seed = parseResult.GetValue(seed),
            };
            if (options.Slices is < 1 or > 100_000 || options.Rows is < 1 or > 4096 || options.Columns is < 1 or > 4096)
            {
                error.WriteLine("radai synth-ct: --slices must be 1 to 100000, --rows and --columns 1 to 4096.");
                return ExitCodes.Usage;
            }

            if (options.StudyInstanceUid is { } uid && (uid.Length > 64 || !UidSyntax().IsMatch(uid)))
            {
                error.WriteLine($"radai synth-ct: '{uid}' is not a valid UID (digits and dots, at most 64 characters, no leading zero in a component).");
                return ExitCodes.Usage;
            }

            var folder = parseResult.GetValue(output)!;
            var series = new SyntheticCtSeries(options);
            var watch = Stopwatch.StartNew();
            try
            {
                var paths = await series.WriteAsync(folder, cancellationToken);
                var bytes = paths.Sum(p => new FileInfo(p).Length);
                parseResult.InvocationConfiguration.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"Wrote {paths.Count} files ({bytes / (1024.0 * 1024.0):F1} MiB) to {Path.GetFullPath(folder)} in {watch.Elapsed.TotalSeconds:F1} s; study {series.StudyInstanceUid}, series {series.SeriesInstanceUid}."));
                return ExitCodes.Success;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error.WriteLine($"radai synth-ct: {e.Message}");
                return ExitCodes.InvalidInput;
            }
        });
        return command;
    }

    [GeneratedRegex(@"^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))+$")]
    private static partial Regex UidSyntax();
}
