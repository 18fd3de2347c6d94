using BenchmarkDotNet.Attributes;
using RadAI.Contracts;
using RadAI.Contracts.Findings;
using RadAI.Dicom.IO;
using RadAI.ReportBuilder.Dicom;
using RadAI.ReportBuilder.Pipeline;
using RadAI.ReportBuilder.Rendering;
using SkiaSharp;

namespace RadAI.Benchmarks.Reports;

/// <summary>
/// report-builder's step on the synthetic chest CT job of <see cref="ReportStudy"/> (300×512×512 by default, 2 runs,
/// 10 findings): each stage as <see cref="ReportGeneration.BuildAsync"/> calls it, on inputs loaded once in the setup,
/// then the whole step. The stages:
/// <list type="bullet">
/// <item><see cref="LoadSourceHeaders"/>: <see cref="SourceStudy.LoadAsync(string, IEnumerable{ValueTuple{string, string}}, CancellationToken)"/>, the 300 source headers read up to Pixel Data;</item>
/// <item><see cref="LoadLabelMaps"/>: both runs' label maps read and inflated (<see cref="LabelMapFile.ReadAsync"/>);</item>
/// <item><see cref="BuildSegmentations"/>: <see cref="SegmentationBuilder.Build"/> for both runs (one SEG each, in memory);</item>
/// <item><see cref="BuildMeasurementReport"/>: the narrative conclusion and the TID 1500 SR (<see cref="MeasurementReportBuilder.Build"/>);</item>
/// <item><see cref="RenderKeyImages"/>: <see cref="KeyImageSet.RenderAsync(AnalysisResults, int, Func{ImageReference, string?}, IReadOnlyDictionary{string, byte[]}, CancellationToken)"/>
/// (source pixels decoded, windowed, overlay, "IA / AI" mark, PNG);</item>
/// <item><see cref="BuildSecondaryCaptures"/>: one Secondary Capture per key image;</item>
/// <item><see cref="BuildPdf"/>: <see cref="PdfReportBuilder.Build"/> and the encapsulated PDF;</item>
/// <item>two parts of those stages, to see what they cost: <see cref="EncodeKeyImagePngs"/> (the renderer's PNG encoding
/// alone, SkiaSharp, of the same key images) and <see cref="BuildPdfWithoutKeyImages"/> (the PDF without its images:
/// the difference with <see cref="BuildPdf"/> is the cost of embedding them); and a candidate lever,
/// <see cref="EncodeKeyImagePngsZlib1"/>;</item>
/// <item><see cref="WriteObjects"/>: every object written as ReportGeneration writes it (Part 10, temporary file, fsync, rename);</item>
/// <item><see cref="WholeStep"/>: <see cref="ReportGeneration.BuildAsync"/> from the AnalysisDone message (everything above, plus
/// the findings document, the history database and the plain PDF file), on SQLite, as a rebuild of the same job.</item>
/// </list>
/// One invocation per iteration (<see cref="LongRunJobAttribute"/>: each stage runs once per job in the service), 3 warm-up
/// and 15 measured iterations.
/// </summary>
[MemoryDiagnoser]
[LongRunJob(iterations: 15, warmups: 3)]
public class ReportBuildingBenchmarks
{
    private ReportEnvironment _environment = null!;
    private AnalysisResults _results = null!;
    private SourceStudy _source = null!;
    private Dictionary<string, byte[]> _masks = null!;
    private ReportContext _context = null!;
    private List<SegmentationResult> _segmentations = null!;
    private KeyImageSet _keyImages = null!;
    private List<SKBitmap> _keyImageBitmaps = [];
    private List<DicomFile> _objects = null!;
    private string _output = "";

    /// <summary>The study, slices×rows×columns (RADAI_BENCH_REPORT_SIZE; 48x256x256 with --quick).</summary>
    [ParamsSource(nameof(Sizes))]
    public string Size { get; set; } = "";

    public static IEnumerable<string> Sizes => [ReportStudy.Format(ReportEnvironment.DefaultSize)];

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        _environment = await ReportEnvironment.CreateAsync(Inference.InferenceEnvironment.ParseSize(Size) ?? ReportEnvironment.DefaultSize);
        _results = await _environment.ReadResultsAsync();
        _source = await _environment.LoadSourceAsync();
        _masks = await _environment.ReadMasksAsync(_results);
        _context = ReportEnvironment.Context();
        _segmentations = Segmentations();
        _keyImages = await KeyImagesAsync();
        _keyImageBitmaps = [.. _keyImages.Images.Select(k => SKBitmap.Decode(k.Image.Png))];
        _output = Path.Combine(_environment.Root, "written");
        var sr = MeasurementReport();
        _objects = [.. _segmentations.Select(s => s.File), sr, .. SecondaryCaptures(), EncapsulatedPdf(Pdf(), sr)];
        Console.WriteLine($"// radai.report {Size}: {_results.Runs.Sum(r => r.Findings.Count)} findings in {_results.Runs.Count} runs; " +
            $"{_source.Series.Sum(s => s.Instances.Count)} source headers; SEG frames {string.Join(" + ", _segmentations.Select(s => s.FrameCount))}; " +
            $"{_keyImages.Images.Count} key images ({_keyImages.Failures.Count} left out, PNG {_keyImages.Images.Sum(k => k.Image.Png.Length) / 1024} KiB, " +
            $"{EncodeFast(_keyImageBitmaps) / 1024} KiB at zlib level 1); {_objects.Count} DICOM objects");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var bitmap in _keyImageBitmaps)
        {
            bitmap.Dispose();
        }

        _environment.Dispose();
    }

    [Benchmark]
    public async Task<SourceStudy> LoadSourceHeaders() => await _environment.LoadSourceAsync();

    [Benchmark]
    public async Task<Dictionary<string, byte[]>> LoadLabelMaps() => await _environment.ReadMasksAsync(_results);

    [Benchmark]
    public List<SegmentationResult> BuildSegmentations() => Segmentations();

    [Benchmark]
    public DicomFile BuildMeasurementReport() => MeasurementReport();

    [Benchmark]
    public async Task<KeyImageSet> RenderKeyImages() => await KeyImagesAsync();

    [Benchmark]
    public List<DicomFile> BuildSecondaryCaptures() => SecondaryCaptures();

    [Benchmark]
    public byte[] BuildPdf()
    {
        var pdf = Pdf();
        EncapsulatedPdf(pdf, _objects[_segmentations.Count]);
        return pdf;
    }

    [Benchmark]
    public long EncodeKeyImagePngs()
    {
        long bytes = 0;
        foreach (var bitmap in _keyImageBitmaps)
        {
            using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            bytes += png.Size;
        }

        return bytes;
    }

    /// <summary>The same PNGs with SkiaSharp's PNG options at zlib level 1 instead of the renderer's <c>Encode(Png, 100)</c>: a candidate lever, lossless either way.</summary>
    [Benchmark]
    public long EncodeKeyImagePngsZlib1() => EncodeFast(_keyImageBitmaps);

    private static long EncodeFast(List<SKBitmap> bitmaps)
    {
        long bytes = 0;
        foreach (var bitmap in bitmaps)
        {
            using var pixmap = bitmap.PeekPixels();
            using var png = pixmap.Encode(new SKPngEncoderOptions(SKPngEncoderFilterFlags.AllFilters, 1))
                ?? throw new InvalidOperationException("SkiaSharp could not encode the key image.");
            bytes += png.Size;
        }

        return bytes;
    }

    [Benchmark]
    public byte[] BuildPdfWithoutKeyImages()
    {
        var options = ReportEnvironment.ReportOptions;
        return PdfReportBuilder.Build(new PdfReportInput(new ReportInstitution(options.InstitutionName), PatientStudyBlock.From(_source.Template, options.Language),
            _results, [], options.Language, _context.CreatedAt));
    }

    [Benchmark]
    public async Task<long> WriteObjects()
    {
        long bytes = 0;
        foreach (var file in _objects)
        {
            bytes += await ReportDicomFiles.WriteAsync(file, Path.Combine(_output, file.SopInstanceUid() + ".dcm"));
        }

        return bytes;
    }

    [Benchmark]
    public async Task<object> WholeStep() =>
        await _environment.Generation.BuildAsync(_environment.Analysis, CancellationToken.None) as ReportReady
            ?? throw new InvalidOperationException("No report: ReportFailed.");

    private List<SegmentationResult> Segmentations()
    {
        var built = new List<SegmentationResult>();
        var number = 0;
        foreach (var run in _results.Runs)
        {
            if (_masks.TryGetValue(run.RunId, out var labels) && SegmentationBuilder.Build(run, labels, _source, _context, ++number) is { } segmentation)
            {
                built.Add(segmentation);
            }
        }

        return built;
    }

    private DicomFile MeasurementReport()
    {
        var language = ReportEnvironment.ReportOptions.Language;
        return MeasurementReportBuilder.Build(
            new MeasurementReportRequest(_results, _source, language, NarrativeConclusion.Write(_results, language), [.. _segmentations.Select(s => s.Reference)]),
            _context);
    }

    private Task<KeyImageSet> KeyImagesAsync() =>
        KeyImageSet.RenderAsync(_results, ReportEnvironment.ReportOptions.MaxKeyImages, image => _source.TryGetInstance(image.SopInstanceUid)?.Path, _masks);

    private List<DicomFile> SecondaryCaptures()
    {
        var strings = ReportStrings.For(ReportEnvironment.ReportOptions.Language);
        var number = 0;
        return [.. _keyImages.Images.Select(k => SecondaryCaptureBuilder.Build(
            new SecondaryCaptureRequest($"{k.Slot.Run.RunId}/{k.Slot.Finding.Id}/{k.Slot.Slice}", k.Image.Rgb, k.Image.Width, k.Image.Height, k.Slot.Image, strings.KeyImageCaption(k)),
            _source, _context, ++number))];
    }

    private byte[] Pdf()
    {
        var options = ReportEnvironment.ReportOptions;
        return PdfReportBuilder.Build(new PdfReportInput(new ReportInstitution(options.InstitutionName), PatientStudyBlock.From(_source.Template, options.Language),
            _results, _keyImages.Images, options.Language, _context.CreatedAt));
    }

    private DicomFile EncapsulatedPdf(byte[] pdf, DicomFile sr)
    {
        var strings = ReportStrings.For(ReportEnvironment.ReportOptions.Language);
        var sources = new List<InstanceReference> { new(_source.StudyInstanceUid, sr.SeriesInstanceUid(), sr.SopClassUid(), sr.SopInstanceUid()) };
        return EncapsulatedPdfBuilder.Build(new EncapsulatedPdfRequest(pdf, strings.Text("reportTitle"), ReportEnvironment.ReportOptions.Language, sources), _source, _context);
    }
}
