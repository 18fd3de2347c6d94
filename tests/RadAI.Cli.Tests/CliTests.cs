using RadAI.Dicom;
using RadAI.Dicom.IO;
using RadAI.Testing;
using Xunit;

namespace RadAI.Cli.Tests;

/// <summary>The built radai program, run as a process: <c>synth-ct</c>, <c>dump</c> and <c>scan</c>, output and exit codes.</summary>
public sealed class CliTests
{
    private const string PatientNameLine = "(0010,0010) PN [SYNTHETIC^PHANTOM]";

    [Fact]
    public async Task Synth_ct_writes_the_series_with_the_study_uid_given()
    {
        using var folder = new TemporaryDirectory();
        var result = (await Radai.RunAsync("synth-ct", "--out", folder.Path, "--slices", "4", "--rows", "64", "--columns", "32", "--study-uid", "1.2.826.0.1.3680043.2.1125.7", "--seed", "3"))
            .EnsureSuccess("radai synth-ct");

        Assert.Contains("Wrote 4 files", result.Output, StringComparison.Ordinal);
        var files = Directory.GetFiles(folder.Path).Order().ToList();
        Assert.Equal(["CT0001.dcm", "CT0002.dcm", "CT0003.dcm", "CT0004.dcm"], files.Select(Path.GetFileName));
        foreach (var path in files)
        {
            var file = await DicomFile.OpenAsync(path);
            Assert.Equal("1.2.826.0.1.3680043.2.1125.7", file.Dataset.GetString(DicomTags.StudyInstanceUID));
            Assert.Equal(64, file.Dataset.GetValue<int>(DicomTags.Rows));
            Assert.Equal(32, file.Dataset.GetValue<int>(DicomTags.Columns));
            Assert.Equal(64 * 32 * 2, file.Dataset.GetBulk(DicomTags.PixelData).Length);
        }
    }

    [Theory]
    [InlineData("--study-uid", "1.2.03")]
    [InlineData("--study-uid", "not-a-uid")]
    [InlineData("--slices", "0")]
    [InlineData("--rows", "5000")]
    public async Task Synth_ct_rejects_invalid_options_with_the_usage_exit_code(string option, string value)
    {
        using var folder = new TemporaryDirectory();
        var result = await Radai.RunAsync("synth-ct", "--out", folder.Path, option, value);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("radai synth-ct:", result.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(folder.Path));
    }

    [Fact]
    public async Task Dump_header_only_prints_the_header_and_exits_0()
    {
        using var folder = new TemporaryDirectory();
        var paths = await WriteSeriesAsync(folder.Path, 2);

        var result = await Radai.RunAsync(["dump", "--header-only", .. paths]);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal(2, Occurrences(result.Output, PatientNameLine));
        Assert.Contains($"# {paths[1]}", result.Output, StringComparison.Ordinal);
        Assert.Contains("(0008,0016) UI =CTImageStorage", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("(7fe0,0010)", result.Output, StringComparison.Ordinal);
        Assert.Empty(result.Error);
    }

    [Fact]
    public async Task Dump_without_header_only_lists_the_pixel_data_too()
    {
        using var folder = new TemporaryDirectory();
        var paths = await WriteSeriesAsync(folder.Path, 1);

        var result = (await Radai.RunAsync("dump", paths[0])).EnsureSuccess("radai dump");

        Assert.Contains(PatientNameLine, result.Output, StringComparison.Ordinal);
        Assert.Contains("(7fe0,0010) OW", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dump_of_invalid_files_only_exits_3()
    {
        using var folder = new TemporaryDirectory();
        var paths = await WriteSeriesAsync(folder.Path, 1);
        var truncated = Path.Combine(folder.Path, "truncated.dcm");
        await File.WriteAllBytesAsync(truncated, (await File.ReadAllBytesAsync(paths[0]))[..700]);
        var missing = Path.Combine(folder.Path, "missing.dcm");

        var result = await Radai.RunAsync("dump", "--header-only", truncated, missing);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains($"radai dump: {truncated}:", result.Error, StringComparison.Ordinal);
        Assert.Contains($"radai dump: {missing}:", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(PatientNameLine, result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dump_with_some_invalid_files_exits_1_and_lists_the_valid_ones()
    {
        using var folder = new TemporaryDirectory();
        var paths = await WriteSeriesAsync(folder.Path, 2);
        var text = Path.Combine(folder.Path, "notes.txt");
        await File.WriteAllTextAsync(text, "This is not a DICOM file, just some text that is long enough to be parsed as elements.");

        var result = await Radai.RunAsync("dump", "--header-only", paths[0], text, paths[1]);

        Assert.Equal(ExitCodes.PartialFailure, result.ExitCode);
        Assert.Equal(2, Occurrences(result.Output, PatientNameLine));
        Assert.Contains($"radai dump: {text}:", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scan_lists_each_study_and_series_of_a_folder_with_duplicates_and_unreadable_files()
    {
        using var folder = new TemporaryDirectory();
        var first = new Synthetic.SyntheticCtSeries(new Synthetic.SyntheticCtOptions { Slices = 2, Rows = 32, Columns = 32, Seed = 1 });
        var firstPaths = await first.WriteAsync(Path.Combine(folder.Path, "a"));
        var second = new Synthetic.SyntheticCtSeries(new Synthetic.SyntheticCtOptions { Slices = 1, Rows = 32, Columns = 32, Seed = 2 });
        await second.WriteAsync(Path.Combine(folder.Path, "b"));
        File.Copy(firstPaths[0], Path.Combine(folder.Path, "b", "copy-of-a.dcm"));
        var text = Path.Combine(folder.Path, "notes.txt");
        await File.WriteAllTextAsync(text, "This is not a DICOM file, just some text that is long enough to be parsed as elements.");

        var result = await Radai.RunAsync("scan", folder.Path);

        Assert.Equal(ExitCodes.PartialFailure, result.ExitCode);
        Assert.Equal(
            $"""
            study {first.StudyInstanceUid}
              series {first.SeriesInstanceUid} CT 3 files (1 with a SOP Instance UID already met) [CT Image Storage]
            study {second.StudyInstanceUid}
              series {second.SeriesInstanceUid} CT 1 file [CT Image Storage]
            4 of 5 files read: 2 studies, 2 series, 1 duplicate instances, 1 unreadable

            """.ReplaceLineEndings("\n"),
            result.Output.ReplaceLineEndings("\n"));
        Assert.StartsWith($"radai scan: {text}: ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scan_of_unreadable_files_only_exits_3()
    {
        using var folder = new TemporaryDirectory();
        var paths = await WriteSeriesAsync(folder.Path, 1);
        var truncated = Path.Combine(folder.Path, "truncated.dcm");
        await File.WriteAllBytesAsync(truncated, (await File.ReadAllBytesAsync(paths[0]))[..700]);

        var result = await Radai.RunAsync("scan", truncated, Path.Combine(folder.Path, "missing.dcm"));

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains("0 of 2 files read: 0 studies, 0 series, 0 duplicate instances, 2 unreadable", result.Output, StringComparison.Ordinal);
        Assert.Contains($"radai scan: {truncated}:", result.Error, StringComparison.Ordinal);
    }

    private static async Task<IReadOnlyList<string>> WriteSeriesAsync(string folder, int slices) =>
        await new Synthetic.SyntheticCtSeries(new Synthetic.SyntheticCtOptions { Slices = slices, Rows = 64, Columns = 64, Seed = 1 }).WriteAsync(folder);

    private static int Occurrences(string text, string value)
    {
        var count = 0;
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
