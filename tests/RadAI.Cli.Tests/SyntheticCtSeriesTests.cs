using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using RadAI.Cli.Synthetic;
using RadAI.Dicom;
using RadAI.Dicom.IO;
using RadAI.Testing;
using Xunit;

namespace RadAI.Cli.Tests;

/// <summary>A 3-slice 512×512 series written once for the tests that run the real peers on it.</summary>
public sealed class WrittenSeries : IAsyncLifetime, IDisposable
{
    private readonly TemporaryDirectory _folder = new("radai-synth-ct");

    public SyntheticCtSeries Series { get; } = new(new SyntheticCtOptions { Slices = 3, Seed = 42 });

    public IReadOnlyList<string> Paths { get; private set; } = [];

    /// <summary>The middle slice, where the lungs are full size.</summary>
    public string Middle => Paths[1];

    public async Task InitializeAsync() => Paths = await Series.WriteAsync(_folder.Path);

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _folder.Dispose();
}

public sealed class SyntheticCtSeriesTests(WrittenSeries written) : IClassFixture<WrittenSeries>
{
    private static readonly (string Name, double X, double Y, int Hu)[] Landmarks =
    [
        ("air", -170, -170, SyntheticCtSeries.AirHu),
        ("mediastinum", 0, 0, SyntheticCtSeries.SoftTissueHu),
        ("right lung", -SyntheticCtSeries.LungCentreXMm, SyntheticCtSeries.LungCentreYMm, SyntheticCtSeries.LungHu),
        ("left lung", SyntheticCtSeries.LungCentreXMm, SyntheticCtSeries.LungCentreYMm, SyntheticCtSeries.LungHu),
        ("spine", 0, SyntheticCtSeries.SpineCentreYMm, SyntheticCtSeries.BoneHu),
        ("anterior wall", 0, -105, SyntheticCtSeries.SoftTissueHu),
    ];

    [Fact]
    public void Instances_share_study_series_and_frame_of_reference_and_advance_along_z()
    {
        var series = new SyntheticCtSeries(new SyntheticCtOptions { Slices = 5, Rows = 64, Columns = 48 });
        var instances = series.CreateInstances().ToList();

        Assert.Equal(5, instances.Count);
        Assert.All(instances, ds =>
        {
            Assert.Equal(DicomUids.CTImageStorage, ds.GetString(DicomTags.SOPClassUID));
            Assert.Equal(series.StudyInstanceUid, ds.GetString(DicomTags.StudyInstanceUID));
            Assert.Equal(series.SeriesInstanceUid, ds.GetString(DicomTags.SeriesInstanceUID));
            Assert.Equal(series.FrameOfReferenceUid, ds.GetString(DicomTags.FrameOfReferenceUID));
            Assert.Equal("SYNTHETIC^PHANTOM", ds.GetString(DicomTags.PatientName));
            Assert.Equal(64, ds.GetValue<int>(DicomTags.Rows));
            Assert.Equal(48, ds.GetValue<int>(DicomTags.Columns));
            Assert.Equal(64 * 48 * 2, ds.GetElement(DicomTags.PixelData).Bulk!.Length);
        });
        Assert.Equal(5, instances.Select(ds => ds.GetString(DicomTags.SOPInstanceUID)).Distinct().Count());
        Assert.DoesNotContain(series.StudyInstanceUid, instances.Select(ds => ds.GetString(DicomTags.SOPInstanceUID)));
        Assert.Equal([1, 2, 3, 4, 5], instances.Select(ds => ds.GetValue<int>(DicomTags.InstanceNumber)));
        var z = instances.Select(ds => ImagePosition(ds)[2]).ToList();
        Assert.All(z.Zip(z.Skip(1)), pair => Assert.Equal(series.Options.SliceThicknessMm, pair.Second - pair.First, 6));
    }

    [Fact]
    public void A_seed_makes_the_series_reproducible_and_no_seed_gives_new_uids()
    {
        var options = new SyntheticCtOptions { Slices = 2, Rows = 32, Columns = 32, Seed = 7 };
        var a = new SyntheticCtSeries(options);
        var b = new SyntheticCtSeries(options);
        Assert.Equal(a.StudyInstanceUid, b.StudyInstanceUid);
        Assert.Equal(a.SopInstanceUid(1), b.SopInstanceUid(1));
        Assert.Equal(a.RenderPixelData(1), b.RenderPixelData(1));

        var c = new SyntheticCtSeries(options with { Seed = null, StudyInstanceUid = "1.2.3.4" });
        var d = new SyntheticCtSeries(options with { Seed = null, StudyInstanceUid = "1.2.3.4" });
        Assert.Equal("1.2.3.4", c.StudyInstanceUid);
        Assert.NotEqual(c.SeriesInstanceUid, d.SeriesInstanceUid);
        Assert.NotEqual(c.SopInstanceUid(0), d.SopInstanceUid(0));
    }

    [Fact]
    public void Pixels_are_the_phantom_in_stored_values_within_the_noise()
    {
        var series = written.Series;
        var pixels = series.RenderPixelData(1);
        Assert.Equal(512 * 512 * 2, pixels.Length);
        foreach (var (name, x, y, hu) in Landmarks)
        {
            var (row, column) = series.PixelAt(x, y);
            Assert.True(hu == series.HounsfieldAt(1, row, column), name);
            var stored = BinaryPrimitives.ReadUInt16LittleEndian(pixels.AsSpan(((row * 512) + column) * 2));
            Assert.InRange(stored + SyntheticCtSeries.RescaleIntercept, hu - series.Options.NoiseHu, hu + series.Options.NoiseHu);
        }

        var max = Enumerable.Range(0, 512 * 512).Max(i => BinaryPrimitives.ReadUInt16LittleEndian(pixels.AsSpan(i * 2)));
        Assert.InRange(max, 0, 4095);
    }

    [Fact]
    public async Task Files_are_about_512_KB_and_read_back_with_lazy_pixel_data()
    {
        Assert.All(written.Paths, p => Assert.InRange(new FileInfo(p).Length, 512 * 1024, 530 * 1024));
        var file = await DicomFile.OpenAsync(written.Middle);
        Assert.Equal(DicomTransferSyntax.ExplicitVRLittleEndian, file.TransferSyntax);
        Assert.Empty(file.Warnings);
        Assert.Equal(written.Series.SopInstanceUid(1), file.FileMetaInformation.GetString(DicomTags.MediaStorageSOPInstanceUID));
        Assert.IsType<DicomFileBulkValue>(file.Dataset.GetElement(DicomTags.PixelData).Bulk);
    }

    [Fact]
    public async Task Dciodvfy_reports_no_error_for_a_generated_file()
    {
        var result = await ExternalTool.RunAsync("dciodvfy", written.Middle);
        var lines = (result.Error + "\n" + result.Output).Split('\n');
        Assert.Contains(lines, l => l.Trim() == "CTImage");
        var errors = lines.Where(l => l.StartsWith("Error - ", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 0, string.Join('\n', errors));
    }

    [Fact]
    public async Task Dcmdump_reads_a_generated_file()
    {
        var result = (await ExternalTool.RunAsync("dcmdump", written.Middle)).EnsureSuccess("dcmdump");
        Assert.Contains("(0008,0016) UI =CTImageStorage", result.Output, StringComparison.Ordinal);
        Assert.Contains("(0010,0010) PN [SYNTHETIC^PHANTOM]", result.Output, StringComparison.Ordinal);
        Assert.Contains("(0028,0101) US 12 ", result.Output, StringComparison.Ordinal);
        Assert.Matches(@"\(7fe0,0010\) OW .*# 524288, 1 PixelData", result.Output);
        Assert.DoesNotContain("E: ", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("W: ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pydicom_decodes_the_pixels_with_the_phantom_values_after_rescale()
    {
        const string Script = """
            import json, sys
            import numpy as np
            import pydicom
            ds = pydicom.dcmread(sys.argv[1])
            a = ds.pixel_array
            hu = a.astype(np.float64) * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
            points = json.loads(sys.argv[2])
            print(json.dumps({
                "shape": list(a.shape), "dtype": str(a.dtype), "patient": str(ds.PatientName),
                "values": [float(hu[r, c]) for r, c in points],
                "means": [float(hu[r - 3:r + 4, c - 3:c + 4].mean()) for r, c in points],
                "min": float(hu.min()), "max": float(hu.max()),
            }))
            """;
        var series = written.Series;
        var points = Landmarks.Select(l => series.PixelAt(l.X, l.Y)).Select(p => new[] { p.Row, p.Column }).ToArray();
        var result = (await ExternalTool.RunAsync("/usr/bin/python3", "-c", Script, written.Middle, JsonSerializer.Serialize(points))).EnsureSuccess("pydicom");
        using var json = JsonDocument.Parse(result.Output);
        var root = json.RootElement;

        Assert.Equal([512, 512], root.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal("uint16", root.GetProperty("dtype").GetString());
        Assert.Equal("SYNTHETIC^PHANTOM", root.GetProperty("patient").GetString());
        var values = root.GetProperty("values").EnumerateArray().Select(e => e.GetDouble()).ToList();
        var means = root.GetProperty("means").EnumerateArray().Select(e => e.GetDouble()).ToList();
        var noise = series.Options.NoiseHu;
        for (var i = 0; i < Landmarks.Length; i++)
        {
            var (name, _, _, hu) = Landmarks[i];
            Assert.True(Math.Abs(values[i] - hu) <= noise, string.Create(CultureInfo.InvariantCulture, $"{name}: {values[i]} HU, expected {hu} ± {noise}"));
            Assert.True(Math.Abs(means[i] - hu) <= 4, string.Create(CultureInfo.InvariantCulture, $"{name}: mean {means[i]} HU, expected {hu}"));
        }

        Assert.InRange(root.GetProperty("min").GetDouble(), SyntheticCtSeries.AirHu - noise, SyntheticCtSeries.AirHu + noise);
        Assert.InRange(root.GetProperty("max").GetDouble(), SyntheticCtSeries.BoneHu - noise, SyntheticCtSeries.BoneHu + noise);
    }

    private static double[] ImagePosition(DicomDataset ds) =>
        [.. ds.GetString(DicomTags.ImagePositionPatient).Split('\\').Select(v => double.Parse(v, CultureInfo.InvariantCulture))];
}
