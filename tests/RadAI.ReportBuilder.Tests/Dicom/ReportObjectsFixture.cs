using System.Text.Json;
using RadAI.Contracts.Findings;
using RadAI.Dicom;
using RadAI.Dicom.IO;
using RadAI.ReportBuilder.Dicom;
using RadAI.Testing;
using Xunit;

namespace RadAI.ReportBuilder.Tests.Dicom;

/// <summary>Builds the report objects of a synthetic job once, writes them, and runs the external peers on them.</summary>
public sealed class ReportObjectsFixture : IAsyncLifetime, IDisposable
{
    private readonly TemporaryDirectory _folder = new("radai-report-objects");

    public static string ReferenceFolder { get; } = Path.Combine(RepositoryPaths.Root, "tests", "data", "dicom-reference");

    public static string TablesFolder { get; } = Path.Combine(RepositoryPaths.Root, "tools", "dicom-generator", "tables");

    public static readonly ReportDevice Device = new("RadAI", "RadAI report-builder", "0.1.0", "NODE-TEST-1", ReportDevice.DeviceUidFor("test-installation"), "Hôpital de test", "RADAI1");

    public static readonly DateTimeOffset CreatedAt = new(2026, 11, 26, 2, 30, 0, TimeSpan.Zero);

    public Guid JobId { get; } = Guid.NewGuid();

    public SyntheticStudy Study { get; } = new();

    public byte[] Labels { get; } = SyntheticStudy.Labels();

    public byte[] Pdf { get; private set; } = [];

    public byte[] Rgb { get; private set; } = [];

    public SourceStudy Source { get; private set; } = null!;

    public AnalysisResults Results { get; private set; } = null!;

    public ReportContext Context { get; private set; } = null!;

    public InstanceReference Predecessor { get; } = new(
        "1.2.3.4.5", "1.2.3.4.5.6", DicomUids.EnhancedSRStorage, DicomUidGenerator.New());

    public const string Conclusion = "Nodule pulmonaire droit de 3,3 mm ; emphysème à 7,8 % (résultat IA non vérifié).";

    public SegmentationResult Segmentation { get; private set; } = null!;

    public DicomFile Sr { get; private set; } = null!;

    public string Folder => _folder.Path;

    public string SourceFolder => Path.Combine(Folder, "source");

    public string SrPath => Path.Combine(Folder, "sr.dcm");

    public string SegPath => Path.Combine(Folder, "seg.dcm");

    public string PdfPath => Path.Combine(Folder, "pdf.dcm");

    public string KeyImagePath => Path.Combine(Folder, "key.dcm");

    public string LabelsPath => Path.Combine(Folder, "labels.raw");

    public string LabelsMetaPath => Path.Combine(Folder, "labels.json");

    public string RgbPath => Path.Combine(Folder, "key.rgb");

    public const int KeyWidth = 96;

    public const int KeyHeight = 80;

    public static string CheckScript => Path.Combine(AppContext.BaseDirectory, "Dicom", "report_objects_check.py");

    public async Task InitializeAsync()
    {
        await Study.WriteAsync(SourceFolder);
        // A file that is not DICOM in the series folder is skipped.
        await File.WriteAllTextAsync(Path.Combine(SourceFolder, "notes.txt"), "not a DICOM file");
        Source = await SourceStudy.LoadAsync(Study.StudyInstanceUid, [(Study.SeriesInstanceUid, SourceFolder)]);
        Results = Study.Results(JobId);
        Context = new ReportContext(new ReportUids(JobId), Device, CreatedAt);

        Segmentation = SegmentationBuilder.Build(Results.Runs[0], Labels, Source, Context)
            ?? throw new InvalidOperationException("No SEG built.");
        await ReportDicomFiles.WriteAsync(Segmentation.File, SegPath);

        Sr = MeasurementReportBuilder.Build(
            new MeasurementReportRequest(Results, Source, "fr", Conclusion, [Segmentation.Reference], Predecessor),
            Context);
        await ReportDicomFiles.WriteAsync(Sr, SrPath);

        Pdf = await File.ReadAllBytesAsync(Path.Combine(ReferenceFolder, "sample_report.pdf"));
        var pdf = EncapsulatedPdfBuilder.Build(
            new EncapsulatedPdfRequest(Pdf, "Compte rendu IA (non vérifié)", "fr", [new InstanceReference(Study.StudyInstanceUid, Sr.SeriesInstanceUid(), Sr.SopClassUid(), Sr.SopInstanceUid())]),
            Source,
            Context);
        await ReportDicomFiles.WriteAsync(pdf, PdfPath);

        Rgb = new byte[KeyWidth * KeyHeight * 3];
        for (var i = 0; i < KeyWidth * KeyHeight; i++)
        {
            Rgb[i * 3] = (byte)(i % KeyWidth * 2);
            Rgb[(i * 3) + 1] = (byte)(i / KeyWidth * 3);
            Rgb[(i * 3) + 2] = (byte)(i * 7);
        }

        var keyImage = SecondaryCaptureBuilder.Build(
            new SecondaryCaptureRequest("nodule-1", Rgb, KeyWidth, KeyHeight, Results.Runs[0].Geometry.Slices[3], "Nodule 1 : contour IA"),
            Source,
            Context,
            1);
        await ReportDicomFiles.WriteAsync(keyImage, KeyImagePath);

        await File.WriteAllBytesAsync(LabelsPath, Labels);
        await File.WriteAllBytesAsync(RgbPath, Rgb);
        await File.WriteAllTextAsync(LabelsMetaPath, JsonSerializer.Serialize(new
        {
            sizeX = SyntheticStudy.Size,
            sizeY = SyntheticStudy.Size,
            sizeZ = SyntheticStudy.Slices,
            slices = Results.Runs[0].Geometry.Slices.Select(s => $"{s.SopInstanceUid}#{s.Frame}"),
        }));
    }

    public Task DisposeAsync()
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        // To look at the objects after a run: RADAI_KEEP_REPORT_OBJECTS=/some/folder.
        if (Environment.GetEnvironmentVariable("RADAI_KEEP_REPORT_OBJECTS") is { Length: > 0 } keep && Directory.Exists(Folder))
        {
            Directory.CreateDirectory(keep);
            foreach (var file in Directory.EnumerateFiles(Folder))
            {
                File.Copy(file, Path.Combine(keep, Path.GetFileName(file)), overwrite: true);
            }
        }

        _folder.Dispose();
    }

    /// <summary>dciodvfy's IOD line, its Error lines and its Warning lines (<see cref="Dciodvfy"/>).</summary>
    public static async Task<(string Iod, List<string> Errors, List<string> Warnings)> DciodvfyAsync(string path)
    {
        var verdict = await Dciodvfy.CheckAsync(path);
        return (verdict.Iod, [.. verdict.Errors], [.. verdict.Warnings]);
    }
}
