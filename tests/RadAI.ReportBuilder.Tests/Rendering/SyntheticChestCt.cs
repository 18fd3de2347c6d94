using RadAI.Contracts;
using RadAI.Contracts.Findings;
using RadAI.Dicom;
using RadAI.Dicom.IO;

namespace RadAI.ReportBuilder.Tests.Rendering;

/// <summary>
/// A small chest CT written with RadAI.Dicom (64 columns × 48 rows × 6 slices, unsigned 16-bit with Rescale Intercept
/// -1024, Window -600/1500), its label map (1 right lung, 2 left lung, 3 a nodule in the right lung) and the findings
/// document a DEMO lung quantification would write for it.
/// </summary>
public sealed class SyntheticChestCt
{
    public const int Columns = 64;
    public const int Rows = 48;
    public const int Slices = 6;
    public const double AirHu = -1000;
    public const double BodyHu = 40;
    public const double LungHu = -860;
    public const double NoduleHu = 30;
    public const int NoduleSlice = 4;
    public const int NoduleX = 20;
    public const int NoduleY = 24;

    private SyntheticChestCt(string folder, IReadOnlyList<string> files, IReadOnlyList<string> sopUids, byte[] labels, AnalysisResults results)
    {
        Folder = folder;
        Files = files;
        SopInstanceUids = sopUids;
        Labels = labels;
        Results = results;
    }

    public string Folder { get; }

    /// <summary>File of slice z.</summary>
    public IReadOnlyList<string> Files { get; }

    public IReadOnlyList<string> SopInstanceUids { get; }

    /// <summary>The label map, x fastest, then y, then z.</summary>
    public byte[] Labels { get; }

    public AnalysisResults Results { get; }

    public RunResults Run => Results.Runs[0];

    /// <summary>The Hounsfield value of voxel (x, y, z).</summary>
    public static double Hu(int x, int y, int z) => Label(x, y, z) switch
    {
        3 => NoduleHu,
        1 or 2 => LungHu - ((x + y + z) % 5 == 0 ? 100 : 0),
        _ => InBody(x, y) ? BodyHu : AirHu,
    };

    /// <summary>The segment of voxel (x, y, z): the lungs are two ellipses in an elliptic body (image left is patient right).</summary>
    public static byte Label(int x, int y, int z)
    {
        if (z == NoduleSlice && Square(x - NoduleX) + Square(y - NoduleY) <= 9)
        {
            return 3;
        }

        if (Square((x - 20) / 9.0) + Square((y - 24) / 14.0) <= 1)
        {
            return 1;
        }

        return Square((x - 44) / 9.0) + Square((y - 24) / 14.0) <= 1 ? (byte)2 : (byte)0;
    }

    public static bool InBody(int x, int y) => Square((x - 32) / 30.0) + Square((y - 24) / 21.0) <= 1;

    /// <summary>The path of the source image of <paramref name="reference"/>, null for an image of another series.</summary>
    public string? PathOf(ImageReference reference) =>
        SopInstanceUids.ToList().IndexOf(reference.SopInstanceUid) is var z and >= 0 ? Files[z] : null;

    /// <summary>The run's label map as a <see cref="LabelMapFile"/>, as the results store would give it.</summary>
    public async Task<Stream?> OpenLabelMapAsync(RunResults run, CancellationToken cancellationToken)
    {
        var stream = new MemoryStream();
        await LabelMapFile.WriteAsync(stream, Columns, Rows, Slices, Labels, cancellationToken);
        stream.Position = 0;
        return stream;
    }

    public static async Task<SyntheticChestCt> WriteAsync(string folder)
    {
        var study = DicomUidGenerator.New();
        var series = DicomUidGenerator.New();
        var frameOfReference = DicomUidGenerator.New();
        var files = new List<string>();
        var uids = new List<string>();
        for (var z = 0; z < Slices; z++)
        {
            var sop = DicomUidGenerator.New();
            var pixels = new byte[Columns * Rows * 2];
            for (var y = 0; y < Rows; y++)
            {
                for (var x = 0; x < Columns; x++)
                {
                    var stored = (ushort)(Hu(x, y, z) + 1024);
                    var i = 2 * ((y * Columns) + x);
                    pixels[i] = (byte)stored;
                    pixels[i + 1] = (byte)(stored >> 8);
                }
            }

            var dataset = SyntheticImages.Header(DicomUids.CTImageStorage, "CT", study, series, sop, Rows, Columns, signed: false)
                .AddOrUpdate(DicomTags.FrameOfReferenceUID, frameOfReference)
                .AddOrUpdate(DicomTags.InstanceNumber, DicomVR.IS, z + 1)
                .AddOrUpdate(DicomTags.ImagePositionPatient, "-160", "-120", (-50 + (5 * z)).ToString(System.Globalization.CultureInfo.InvariantCulture))
                .AddOrUpdate(DicomTags.ImageOrientationPatient, "1", "0", "0", "0", "1", "0")
                .AddOrUpdate(DicomTags.PixelSpacing, "5", "5")
                .AddOrUpdate(DicomTags.SliceThickness, "5")
                .AddOrUpdate(DicomTags.RescaleIntercept, "-1024")
                .AddOrUpdate(DicomTags.RescaleSlope, "1")
                .AddOrUpdate(DicomTags.WindowCenter, "-600")
                .AddOrUpdate(DicomTags.WindowWidth, "1500")
                .AddOrUpdateBytes(DicomTags.PixelData, DicomVR.OW, pixels);
            var path = Path.Combine(folder, $"CT{z + 1:D3}.dcm");
            await new DicomFile(dataset).SaveAsync(path);
            files.Add(path);
            uids.Add(sop);
        }

        var labels = new byte[Columns * Rows * Slices];
        for (var z = 0; z < Slices; z++)
        {
            for (var y = 0; y < Rows; y++)
            {
                for (var x = 0; x < Columns; x++)
                {
                    labels[(z * Rows * Columns) + (y * Columns) + x] = Label(x, y, z);
                }
            }
        }

        var references = uids.Select(u => new ImageReference(u, DicomUids.CTImageStorage, 1)).ToList();
        return new SyntheticChestCt(folder, files, uids, labels, Findings(study, series, frameOfReference, references, labels));
    }

    private static AnalysisResults Findings(string study, string series, string frameOfReference, List<ImageReference> slices, byte[] labels)
    {
        var lung = new Code("SCT", "39607008", "Lung");
        var nodule = new Code("SCT", "27925004", "Nodule");
        var anatomical = new Code("SCT", "91723000", "Anatomical Structure");
        var abnormal = new Code("SCT", "49755003", "Morphologically Abnormal Structure");
        var right = new Code("SCT", "24028007", "Right");
        var left = new Code("SCT", "7771000", "Left");
        var bilateral = new Code("SCT", "51440002", "Bilateral");
        var mean = new Code("SCT", "373098007", "Mean");

        static List<Measurement> Lung(double ml, double meanHu, double laa, double perc15) =>
        [
            new(new Code("SCT", "118565006", "Volume"), ml, "ml", "milliliter"),
            new(new Code("DCM", "112031", "Attenuation Coefficient"), meanHu, "[hnsf'U]", "Hounsfield unit", new Code("SCT", "373098007", "Mean")),
            new(new Code("99RADAI", "LAA950", "Percent of lung volume below -950 HU"), laa, "%", "Percent"),
            new(new Code("99RADAI", "PERC15", "15th percentile of lung attenuation"), perc15, "[hnsf'U]", "Hounsfield unit"),
        ];

        FindingRegion Region(int keySlice) => new(new Vector3D(0, 0, 0), new Vector3D(0, 0, 0), new Vector3D(Columns - 1, Rows - 1, Slices - 1), keySlice, slices[keySlice]);
        long Count(byte label) => labels.LongCount(l => l == label);

        var geometry = new VolumeGeometry(Columns, Rows, Slices, new Vector3D(5, 5, 5), new Vector3D(-160, -120, -50),
            new Vector3D(1, 0, 0), new Vector3D(0, 1, 0), slices);
        var run = new RunResults(
            "run-1",
            new ModelIdentity("ct-lung-quant", "1.2.0", "CT lung quantification", "DEMO",
                "Lung volumes and densities on chest CT, for demonstration.", ["Trained on synthetic images only."]),
            series,
            "CT",
            frameOfReference,
            geometry,
            "CPU",
            4321,
            [
                new SegmentInfo(1, "Right lung", anatomical, lung, null, Count(1), right),
                new SegmentInfo(2, "Left lung", anatomical, lung, null, Count(2), left),
                new SegmentInfo(3, "DEMO Nodule candidate 1", abnormal, nodule, lung, Count(3)),
            ],
            new StorageReference("results", "job/run-1/mask.radaimap"),
            [
                new Finding("lung-right", "organ", lung, lung, 1, Lung(2612.4, -861.7, 12.42, -915.3), Region(2), right),
                new Finding("lung-left", "organ", lung, lung, 2, Lung(2187.9, -858.2, 9.87, -910.4), Region(3), left),
                new Finding("lungs", "organ", lung, lung, null, Lung(4800.3, -860.1, 11.27, -913.0), null, bilateral),
                new Finding("candidate-1", "lesion", nodule, null, 3,
                [
                    new(new Code("SCT", "81827009", "Diameter"), 8.3, "mm", "mm"),
                    new(new Code("99RADAI", "SCORE", "Model probability"), 0.873, "1", "no units", mean),
                ], Region(NoduleSlice)),
            ],
            [
                new RunNote("airway-grown", "info", "Trachea and bronchi: airway grown at HU <= -950, removed from the lungs."),
                new RunNote("coverage-incomplete", "warning", "A lung reaches the first or last slice: apex or base may be outside the scan, volumes are then underestimated."),
                new RunNote("future-remark", "info", "A remark from a newer analyzer."),
            ]);
        return new AnalysisResults(AnalysisResults.CurrentSchemaVersion, Guid.NewGuid(), study, new DateTimeOffset(2026, 11, 26, 2, 0, 0, TimeSpan.Zero), [run]);
    }

    private static double Square(double value) => value * value;
}

/// <summary>Headers of synthetic single-sample images.</summary>
public static class SyntheticImages
{
    public static DicomDataset Header(string sopClass, string modality, string study, string series, string sop, int rows, int columns,
        bool signed, int bitsAllocated = 16, string photometric = "MONOCHROME2") =>
        new DicomDataset()
            .AddOrUpdate(DicomTags.SpecificCharacterSet, "ISO_IR 100")
            .AddOrUpdate(DicomTags.SOPClassUID, sopClass)
            .AddOrUpdate(DicomTags.SOPInstanceUID, sop)
            .AddOrUpdate(DicomTags.StudyInstanceUID, study)
            .AddOrUpdate(DicomTags.SeriesInstanceUID, series)
            .AddOrUpdate(DicomTags.Modality, modality)
            .AddOrUpdate(DicomTags.PatientName, "ZZSYNTH^RENDER")
            .AddOrUpdate(DicomTags.PatientID, "PID-RENDER")
            .AddOrUpdate(DicomTags.SamplesPerPixel, DicomVR.US, (ushort)1)
            .AddOrUpdate(DicomTags.PhotometricInterpretation, photometric)
            .AddOrUpdate(DicomTags.Rows, DicomVR.US, (ushort)rows)
            .AddOrUpdate(DicomTags.Columns, DicomVR.US, (ushort)columns)
            .AddOrUpdate(DicomTags.BitsAllocated, DicomVR.US, (ushort)bitsAllocated)
            .AddOrUpdate(DicomTags.BitsStored, DicomVR.US, (ushort)bitsAllocated)
            .AddOrUpdate(DicomTags.HighBit, DicomVR.US, (ushort)(bitsAllocated - 1))
            .AddOrUpdate(DicomTags.PixelRepresentation, DicomVR.US, (ushort)(signed ? 1 : 0));

    /// <summary>16-bit little endian words of <paramref name="values"/>.</summary>
    public static byte[] Words(IEnumerable<int> values) =>
        [.. values.SelectMany(v => new[] { (byte)(v & 0xFF), (byte)((v >> 8) & 0xFF) })];
}
