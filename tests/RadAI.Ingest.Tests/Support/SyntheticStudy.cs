using RadAI.Dicom;
using RadAI.Dicom.IO;

namespace RadAI.Ingest.Tests.Support;

/// <summary>
/// What a synthetic series holds: modality, SOP class, attributes the index keeps, and how many instances;
/// <paramref name="PrivateBytes"/> &gt; 0 puts a private OB element of that many bytes in group 0009, before the study and series UIDs.
/// </summary>
public sealed record SeriesSpec(string Modality, string SopClassUid, string? BodyPart, string? Description, int Instances, int Rows = 16, int Columns = 16, int PrivateBytes = 0);

/// <summary>One written instance.</summary>
public sealed record SyntheticInstance(string Path, string SeriesInstanceUid, string SopInstanceUid, string SopClassUid);

/// <summary>One written series.</summary>
public sealed record SyntheticSeries(SeriesSpec Spec, string SeriesInstanceUid, IReadOnlyList<SyntheticInstance> Instances);

/// <summary>
/// A small study written with RadAI.Dicom (explicit VR little endian, a few KB per instance), with a
/// recognisable synthetic patient so that a test can prove no patient data reaches logs or events.
/// </summary>
public sealed class SyntheticStudy
{
    /// <summary>The synthetic patient: none of these may appear in logs or events.</summary>
    public const string PatientName = "ZZTESTPATIENT^QUINCY";

    public const string PatientId = "PID-7319-SYNTH";

    public const string PatientBirthDate = "19390412";

    private SyntheticStudy(string folder, string studyInstanceUid, IReadOnlyList<SyntheticSeries> series)
    {
        Folder = folder;
        StudyInstanceUid = studyInstanceUid;
        Series = series;
    }

    /// <summary>The folder holding the study's files (one subfolder per series).</summary>
    public string Folder { get; }

    public string StudyInstanceUid { get; }

    public IReadOnlyList<SyntheticSeries> Series { get; }

    public IEnumerable<SyntheticInstance> Instances => Series.SelectMany(s => s.Instances);

    public int InstanceCount => Series.Sum(s => s.Instances.Count);

    /// <summary>A CT chest series, an MR head series and a DX chest series: several series, several modalities.</summary>
    public static IReadOnlyList<SeriesSpec> MultiModality(int ct = 6, int mr = 4, int dx = 2) =>
    [
        new("CT", DicomUids.CTImageStorage, "CHEST", "Thorax 1.0 mm", ct),
        new("MR", DicomUids.MRImageStorage, "HEAD", "T1 axial", mr),
        new("DX", DicomUids.DigitalXRayImageStorageForPresentation, "CHEST", "PA", dx),
    ];

    /// <summary>Writes the study under <paramref name="folder"/> (created).</summary>
    public static async Task<SyntheticStudy> WriteAsync(string folder, IReadOnlyList<SeriesSpec> specs, string? studyInstanceUid = null)
    {
        var studyUid = studyInstanceUid ?? DicomUidGenerator.New();
        var series = new List<SyntheticSeries>();
        var seriesNumber = 0;
        foreach (var spec in specs.Where(s => s.Instances > 0))
        {
            seriesNumber++;
            var seriesUid = DicomUidGenerator.New();
            var seriesFolder = Path.Combine(folder, $"series{seriesNumber:D2}-{spec.Modality}");
            Directory.CreateDirectory(seriesFolder);
            var instances = new List<SyntheticInstance>();
            for (var i = 1; i <= spec.Instances; i++)
            {
                var sopUid = DicomUidGenerator.New();
                var dataset = Instance(spec, studyUid, seriesUid, sopUid, seriesNumber, i);
                var path = Path.Combine(seriesFolder, $"{spec.Modality}{i:D4}.dcm");
                await new DicomFile(dataset).SaveAsync(path);
                instances.Add(new SyntheticInstance(path, seriesUid, sopUid, spec.SopClassUid));
            }

            series.Add(new SyntheticSeries(spec, seriesUid, instances));
        }

        return new SyntheticStudy(folder, studyUid, series);
    }

    private static DicomDataset Instance(SeriesSpec spec, string studyUid, string seriesUid, string sopUid, int seriesNumber, int instanceNumber)
    {
        var dataset = new DicomDataset()
            .AddOrUpdate(DicomTags.SpecificCharacterSet, "ISO_IR 100")
            .AddOrUpdate(DicomTags.ImageType, "ORIGINAL", "PRIMARY")
            .AddOrUpdate(DicomTags.SOPClassUID, spec.SopClassUid)
            .AddOrUpdate(DicomTags.SOPInstanceUID, sopUid)
            .AddOrUpdate(DicomTags.StudyDate, "20240105")
            .AddOrUpdate(DicomTags.StudyTime, "101500")
            .AddOrUpdate(DicomTags.AccessionNumber, "ACC0001")
            .AddOrUpdate(DicomTags.Modality, spec.Modality)
            .AddOrUpdate(DicomTags.ReferringPhysicianName, "")
            .AddOrUpdate(DicomTags.PatientName, PatientName)
            .AddOrUpdate(DicomTags.PatientID, PatientId)
            .AddOrUpdate(DicomTags.PatientBirthDate, PatientBirthDate)
            .AddOrUpdate(DicomTags.PatientSex, "O")
            .AddOrUpdate(DicomTags.StudyInstanceUID, studyUid)
            .AddOrUpdate(DicomTags.SeriesInstanceUID, seriesUid)
            .AddOrUpdate(DicomTags.StudyID, "1")
            .AddOrUpdate(DicomTags.SeriesNumber, DicomVR.IS, seriesNumber)
            .AddOrUpdate(DicomTags.InstanceNumber, DicomVR.IS, instanceNumber)
            .AddOrUpdate(DicomTags.SamplesPerPixel, DicomVR.US, (ushort)1)
            .AddOrUpdate(DicomTags.PhotometricInterpretation, "MONOCHROME2")
            .AddOrUpdate(DicomTags.Rows, DicomVR.US, (ushort)spec.Rows)
            .AddOrUpdate(DicomTags.Columns, DicomVR.US, (ushort)spec.Columns)
            .AddOrUpdate(DicomTags.BitsAllocated, DicomVR.US, (ushort)16)
            .AddOrUpdate(DicomTags.BitsStored, DicomVR.US, (ushort)12)
            .AddOrUpdate(DicomTags.HighBit, DicomVR.US, (ushort)11)
            .AddOrUpdate(DicomTags.PixelRepresentation, DicomVR.US, (ushort)0);
        if (spec.BodyPart is not null)
        {
            dataset.AddOrUpdate(DicomTags.BodyPartExamined, spec.BodyPart);
        }

        if (spec.Description is not null)
        {
            dataset.AddOrUpdate(DicomTags.SeriesDescription, spec.Description);
        }

        if (spec.PrivateBytes > 0)
        {
            dataset.AddOrUpdate(new DicomTag(0x0009, 0x0010), DicomVR.LO, "RADAI TEST");
            dataset.AddOrUpdateBytes(new DicomTag(0x0009, 0x1000), DicomVR.OB, new byte[spec.PrivateBytes]);
        }

        // A recognisable ramp, different per instance.
        var pixels = new byte[spec.Rows * spec.Columns * 2];
        for (var p = 0; p < spec.Rows * spec.Columns; p++)
        {
            var value = (ushort)((p * 7 + instanceNumber * 13 + seriesNumber) & 0x0FFF);
            pixels[2 * p] = (byte)value;
            pixels[(2 * p) + 1] = (byte)(value >> 8);
        }

        return dataset.AddOrUpdateBytes(DicomTags.PixelData, DicomVR.OW, pixels);
    }
}
