using System.Globalization;
using System.Text.Json;
using RadAI.Cli.Synthetic;
using RadAI.Contracts;
using RadAI.Contracts.Findings;
using RadAI.Dicom;
using RadAI.Hosting.Storage;
using RadAI.Inference.Analysis;

namespace RadAI.Benchmarks.Reports;

/// <summary>
/// An analysed chest CT job as inference and dicom-ingest leave it in the stores, the input of report-builder's step:
/// <list type="bullet">
/// <item>the source series: <c>radai synth-ct</c>'s chest phantom (<see cref="SyntheticCtSeries"/>, seed <see cref="Seed"/>;
/// 16-bit stored values, 0.68 mm pixels at 512, 1 mm slices) under <c>instances/studies/STUDY/SERIES/</c>;</item>
/// <item>the findings document (<c>results/JOB/findings.json</c>) of two runs, as the two CT packages of models/ emit
/// them: <c>radai.ct.lung-quant</c> (right and left lung with volume, mean attenuation, %LAA-950 and Perc15, and both
/// lungs together) and <c>radai.ct.nodule-demo</c> (six nodule candidates with long axis, score, region, key slice and
/// diameter end points; one classification output) — 10 findings;</item>
/// <item>each run's label map (<see cref="LabelMapFile"/>, the volume's size): the phantom's lungs (ellipsoids: ellipses
/// that narrow towards both ends of the series) as segments 1 and 2, the nodules as small spheres (3–8 mm radius)
/// inside them as segments 1–6.</item>
/// </list>
/// Written once to a folder named after the size (RADAI_BENCH_REPORT_STUDY overrides it) and reused: <see cref="Ensure"/>.
/// The finding values are plausible for the phantom (volumes counted from the label maps), not an analysis of it.
/// </summary>
internal sealed class ReportStudy
{
    public const int Seed = 3;

    private const string CompleteMarker = "complete";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The nodules: lung side (-1 right, +1 left), offset from the lung centre (mm), position along the series (0–1), radius (mm).</summary>
    private static readonly (int Side, double DxMm, double DyMm, double ZFraction, double RadiusMm)[] Nodules =
    [
        (+1, 10, 15, 0.45, 6),
        (-1, 0, -20, 0.35, 4),
        (+1, -5, -30, 0.62, 8),
        (-1, 20, 5, 0.70, 5),
        (-1, -15, 30, 0.55, 3),
        (+1, 0, 40, 0.30, 3.5),
    ];

    private ReportStudy(string root, (int Slices, int Rows, int Columns) size)
    {
        Root = root;
        Size = size;
        Series = new SyntheticCtSeries(new SyntheticCtOptions { Slices = size.Slices, Rows = size.Rows, Columns = size.Columns, Seed = Seed });
    }

    /// <summary>The stores' root: <c>instances/</c> and <c>results/</c> are the job's input.</summary>
    public string Root { get; }

    public (int Slices, int Rows, int Columns) Size { get; }

    public SyntheticCtSeries Series { get; }

    public static Guid JobId { get; } = new("5eed0003-0000-4000-8000-000000000300");

    public const string LungRun = "ct-lung-quant";

    public const string NoduleRun = "ct-nodule-demo";

    public string SeriesFolder => Path.Combine(Root, StoreNames.Instances, "studies", Series.StudyInstanceUid, Series.SeriesInstanceUid);

    public string JobFolder => Path.Combine(Root, StoreNames.Results, JobId.ToString("N"));

    public string FindingsPath => Path.Combine(JobFolder, AnalysisResults.FileName);

    public string MaskPath(string runId) => Path.Combine(JobFolder, runId, "labels.radaimap");

    public static string DefaultRoot((int Slices, int Rows, int Columns) size) =>
        Environment.GetEnvironmentVariable("RADAI_BENCH_REPORT_STUDY") is { Length: > 0 } folder
            ? folder
            : Path.Combine(Path.GetTempPath(), $"radai-bench-report-{size.Slices}x{size.Rows}x{size.Columns}-seed{Seed}");

    /// <summary>The study of <paramref name="size"/> under <see cref="DefaultRoot"/>, written first when it is not complete there.</summary>
    public static ReportStudy Ensure((int Slices, int Rows, int Columns) size, bool allowWrite = true)
    {
        var study = new ReportStudy(DefaultRoot(size), size);
        var marker = Path.Combine(study.Root, CompleteMarker);
        if (File.Exists(marker))
        {
            return study;
        }

        if (!allowWrite)
        {
            throw new InvalidOperationException($"The synthetic report study is not in {study.Root}: run `RadAI.Benchmarks report-prepare --size {Format(size)}` first.");
        }

        Console.Error.WriteLine($"// Writing the synthetic report study ({Format(size)}) into {study.Root}...");
        if (Directory.Exists(study.Root))
        {
            Directory.Delete(study.Root, recursive: true);
        }

        study.WriteAsync().GetAwaiter().GetResult();
        File.WriteAllText(marker, DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        return study;
    }

    public static string Format((int Slices, int Rows, int Columns) size) => $"{size.Slices}x{size.Rows}x{size.Columns}";

    /// <summary>The job's AnalysisDone, as the inference service publishes it.</summary>
    public AnalysisDone AnalysisDone() => new(
        JobId, JobId, new DateTimeOffset(2026, 11, 26, 2, 0, 0, TimeSpan.Zero), Series.StudyInstanceUid, [],
        Reference(StoreNames.Results, FindingsPath),
        Series: [new ReceivedSeries(Series.SeriesInstanceUid, "CT", DicomUids.CTImageStorage, Size.Slices, 1, Reference(StoreNames.Instances, SeriesFolder))]);

    /// <summary>The storage reference (store and key) of a path of this study.</summary>
    private StorageReference Reference(string store, string path) =>
        new(store, Path.GetRelativePath(Path.Combine(Root, store), path).Replace(Path.DirectorySeparatorChar, '/'));

    private async Task WriteAsync()
    {
        await Series.WriteAsync(SeriesFolder).ConfigureAwait(false);

        var geometry = Geometry();
        var (lungMap, lungCounts) = LungLabels();
        var (noduleMap, noduleCounts) = NoduleLabels();
        foreach (var (runId, map) in new[] { (LungRun, lungMap), (NoduleRun, noduleMap) })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(MaskPath(runId))!);
            await using var stream = File.Create(MaskPath(runId));
            await LabelMapFile.WriteAsync(stream, Size.Columns, Size.Rows, Size.Slices, map).ConfigureAwait(false);
        }

        StorageReference Mask(string runId) => Reference(StoreNames.Results, MaskPath(runId));
        var results = new AnalysisResults(AnalysisResults.CurrentSchemaVersion, JobId, Series.StudyInstanceUid,
            new DateTimeOffset(2026, 11, 26, 2, 0, 0, TimeSpan.Zero),
            [LungResults(geometry, lungCounts, Mask(LungRun)), NoduleResults(geometry, noduleCounts, Mask(NoduleRun))]);
        await File.WriteAllTextAsync(FindingsPath, JsonSerializer.Serialize(results, Json)).ConfigureAwait(false);
    }

    private double VoxelMl => Series.ColumnSpacingMm * Series.RowSpacingMm * Series.Options.SliceThicknessMm / 1000;

    private VolumeGeometry Geometry()
    {
        var o = Series.Options;
        return new VolumeGeometry(
            Size.Columns, Size.Rows, Size.Slices,
            new Vector3D(Series.ColumnSpacingMm, Series.RowSpacingMm, o.SliceThicknessMm),
            new Vector3D(X(0), Y(0), Series.SliceZ(0)),
            new Vector3D(1, 0, 0),
            new Vector3D(0, 1, 0),
            [.. Enumerable.Range(0, Size.Slices).Select(i => new ImageReference(Series.SopInstanceUid(i), DicomUids.CTImageStorage, 1))]);
    }

    /// <summary>Patient x (mm) of a column's centre: the image is centred on x = 0, x towards the patient's left.</summary>
    private double X(int column) => (column - ((Size.Columns - 1) / 2.0)) * Series.ColumnSpacingMm;

    private double Y(int row) => (row - ((Size.Rows - 1) / 2.0)) * Series.RowSpacingMm;

    /// <summary>Segment 1 the right lung (x &lt; 0), 2 the left: the phantom's lung voxels.</summary>
    private (byte[] Map, long[] Counts) LungLabels()
    {
        var (slices, rows, columns) = Size;
        var map = new byte[(long)slices * rows * columns];
        var counts = new long[3];
        Parallel.For(0, slices, z =>
        {
            var local = new long[3];
            for (var row = 0; row < rows; row++)
            {
                for (var column = 0; column < columns; column++)
                {
                    if (Series.HounsfieldAt(z, row, column) == SyntheticCtSeries.LungHu)
                    {
                        var label = X(column) < 0 ? (byte)LungQuantificationAnalyzer.RightLungSegment : (byte)LungQuantificationAnalyzer.LeftLungSegment;
                        map[((long)z * rows * columns) + ((long)row * columns) + column] = label;
                        local[label]++;
                    }
                }
            }

            lock (counts)
            {
                counts[1] += local[1];
                counts[2] += local[2];
            }
        });
        return (map, counts);
    }

    private (double X, double Y, double Z, double R, int KeySlice) Nodule(int i)
    {
        var (side, dx, dy, zFraction, radius) = Nodules[i];
        var keySlice = (int)Math.Round(zFraction * (Size.Slices - 1));
        return ((side * SyntheticCtSeries.LungCentreXMm) + dx, SyntheticCtSeries.LungCentreYMm + dy, Series.SliceZ(keySlice), radius, keySlice);
    }

    /// <summary>Segment n + 1 the n-th nodule: the voxels whose centre is within its radius.</summary>
    private (byte[] Map, long[] Counts) NoduleLabels()
    {
        var (slices, rows, columns) = Size;
        var map = new byte[(long)slices * rows * columns];
        var counts = new long[Nodules.Length + 1];
        for (var n = 0; n < Nodules.Length; n++)
        {
            var (cx, cy, cz, r, _) = Nodule(n);
            for (var z = 0; z < slices; z++)
            {
                var dz = Series.SliceZ(z) - cz;
                if (Math.Abs(dz) > r)
                {
                    continue;
                }

                for (var row = 0; row < rows; row++)
                {
                    for (var column = 0; column < columns; column++)
                    {
                        var (dx, dy) = (X(column) - cx, Y(row) - cy);
                        if ((dx * dx) + (dy * dy) + (dz * dz) <= r * r)
                        {
                            map[((long)z * rows * columns) + ((long)row * columns) + column] = (byte)(n + 1);
                            counts[n + 1]++;
                        }
                    }
                }
            }
        }

        return (map, counts);
    }

    private int ColumnOf(double x) => Math.Clamp((int)Math.Round((x / Series.ColumnSpacingMm) + ((Size.Columns - 1) / 2.0)), 0, Size.Columns - 1);

    private int RowOf(double y) => Math.Clamp((int)Math.Round((y / Series.RowSpacingMm) + ((Size.Rows - 1) / 2.0)), 0, Size.Rows - 1);

    private RunResults LungResults(VolumeGeometry geometry, long[] counts, StorageReference mask)
    {
        var lung = SrCodes.Anatomy.Lung.ToCode();
        var category = SegmentationCodes.AnatomicalStructure.ToCode();
        var middle = Size.Slices / 2;
        var lungs = new[] { (Id: "lung-right", Label: "Right lung", Segment: 1, Side: -1, Code: SrCodes.Value.Right), (Id: "lung-left", Label: "Left lung", Segment: 2, Side: +1, Code: SrCodes.Value.Left) };
        var segments = lungs.Select(l => new SegmentInfo(l.Segment, l.Label, category, lung, null, counts[l.Segment], l.Code.ToCode())).ToList();
        var findings = new List<Finding>();
        foreach (var l in lungs)
        {
            var cx = l.Side * SyntheticCtSeries.LungCentreXMm;
            var cy = SyntheticCtSeries.LungCentreYMm;
            var (ax, ay) = (SyntheticCtSeries.LungSemiAxisXMm, SyntheticCtSeries.LungSemiAxisYMm);
            var region = new FindingRegion(
                new Vector3D(cx, cy, 0),
                new Vector3D(ColumnOf(cx - ax), RowOf(cy - ay), (int)(0.05 * Size.Slices)),
                new Vector3D(ColumnOf(cx + ax), RowOf(cy + ay), (int)(0.95 * Size.Slices)),
                middle, geometry.Slices[middle]);
            findings.Add(new Finding(l.Id, "organ", lung, lung, l.Segment, LungMeasurements(counts[l.Segment] * VoxelMl, l.Side < 0 ? 2.1 : 3.4), region, l.Code.ToCode()));
        }

        findings.Add(new Finding("lungs", "organ", lung, lung, null, LungMeasurements((counts[1] + counts[2]) * VoxelMl, 2.75), null, SrCodes.Value.Bilateral.ToCode()));
        return new RunResults(LungRun,
            new ModelIdentity("radai.ct.lung-quant", "1.0.0", "CT chest — lung quantification", "RESEARCH", "Research quantification of lung volumes and low-attenuation areas on adult non-contrast chest CT.",
                ["Classical thresholds and morphology, no learned model: validated only on synthetic phantoms, not on patients"]),
            Series.SeriesInstanceUid, "CT", Series.FrameOfReferenceUid, geometry, "CPU", 9000, segments, mask, findings,
            [new RunNote("airway-grown", "info", "Trachea and bronchi: 2 branches, removed from the lungs.")]);
    }

    private static List<Measurement> LungMeasurements(double volumeMl, double laa950) =>
    [
        FindingFactory.Measure(SrCodes.Measurement.Volume, Math.Round(volumeMl, 1), SrCodes.Unit.Milliliter),
        FindingFactory.Measure(SrCodes.Measurement.AttenuationCoefficient, SyntheticCtSeries.LungHu + 0.4, SrCodes.Unit.HounsfieldUnit, SrCodes.Measurement.Mean),
        FindingFactory.Measure(RadAICodes.LowAttenuationArea950, laa950, SrCodes.Unit.Percent),
        FindingFactory.Measure(RadAICodes.Percentile15Attenuation, SyntheticCtSeries.LungHu - 7.0, SrCodes.Unit.HounsfieldUnit),
    ];

    private RunResults NoduleResults(VolumeGeometry geometry, long[] counts, StorageReference mask)
    {
        var type = SrCodes.Finding.Nodule.ToCode();
        var category = SegmentationCodes.MorphologicallyAbnormalStructure.ToCode();
        var segments = new List<SegmentInfo>();
        var findings = new List<Finding>();
        for (var n = 0; n < Nodules.Length; n++)
        {
            var number = n + 1;
            var (x, y, z, r, keySlice) = Nodule(n);
            var halfSlices = (int)Math.Floor(r / Series.Options.SliceThicknessMm);
            segments.Add(new SegmentInfo(number, $"DEMO Nodule candidate {number}", category, type, null, counts[number]));
            var region = new FindingRegion(
                new Vector3D(x, y, z),
                new Vector3D(ColumnOf(x - r), RowOf(y - r), Math.Max(0, keySlice - halfSlices)),
                new Vector3D(ColumnOf(x + r), RowOf(y + r), Math.Min(Size.Slices - 1, keySlice + halfSlices)),
                keySlice, geometry.Slices[keySlice],
                new Vector3D(x - r, y, z), new Vector3D(x + r, y, z));
            findings.Add(new Finding($"candidate-{number}", "lesion", type, null, number,
            [
                FindingFactory.Measure(SrCodes.Measurement.LongAxis, Math.Round(2 * r, 1), SrCodes.Unit.Mm),
                FindingFactory.Measure(RadAICodes.CandidateScore, Math.Round(0.95 - (0.05 * n), 3), SrCodes.Unit.NoUnits, SrCodes.Measurement.Mean),
            ], region));
        }

        const string package = "radai.ct.nodule-demo";
        findings.Add(new Finding("nodule-presence", "classification", RadAICodes.ModelOutput(package, "nodule presence"), null, null,
        [
            FindingFactory.Measure(RadAICodes.ModelOutput(package, "absent"), 0.08, SrCodes.Unit.NoUnits),
            FindingFactory.Measure(RadAICodes.ModelOutput(package, "present"), 0.92, SrCodes.Unit.NoUnits),
        ], null));
        return new RunResults(NoduleRun,
            new ModelIdentity(package, "1.0.0", "CT — nodule candidate detection (demo)", "DEMO", "Demonstration of RadAI's model-package pipeline only.",
                ["Trained only on synthetic slices: never on patient data"]),
            Series.SeriesInstanceUid, "CT", Series.FrameOfReferenceUid, geometry, "CPU", 44000, segments, mask, findings,
            [new RunNote("demo-output", "warning", "DEMO output: a model trained on synthetic images only, never on patients.")]);
    }
}
