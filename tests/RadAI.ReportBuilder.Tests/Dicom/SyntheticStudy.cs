using RadAI.Contracts;
using RadAI.Contracts.Findings;
using RadAI.Dicom;
using RadAI.Dicom.IO;

namespace RadAI.ReportBuilder.Tests.Dicom;

/// <summary>
/// A small synthetic CT series (8 slices of 64×64, Latin-1 character set, a synthetic patient) written with the
/// toolkit, the findings document of a run on it and its label map: the input of the report objects in the tests.
/// </summary>
public sealed class SyntheticStudy
{
    public const int Size = 64;
    public const int Slices = 8;
    public const double PixelSpacing = 0.7;
    public const double SliceSpacing = 2.5;

    public SyntheticStudy(string characterSet = "ISO_IR 100", string patientName = "Synthétique^Hélène", bool multiFrame = false)
    {
        CharacterSet = characterSet;
        PatientName = patientName;
        MultiFrame = multiFrame;
        var single = DicomUidGenerator.New();
        SliceUids = [.. Enumerable.Range(0, Slices).Select(_ => multiFrame ? single : DicomUidGenerator.New())];
    }

    /// <summary>One Enhanced CT instance whose frames are the slices (no per-slice position in a top-level attribute), instead of one CT file per slice.</summary>
    public bool MultiFrame { get; }

    public string SopClassUid => MultiFrame ? DicomUids.EnhancedCTImageStorage : DicomUids.CTImageStorage;

    public string CharacterSet { get; }

    public string PatientName { get; }

    public string StudyInstanceUid { get; } = DicomUidGenerator.New();

    public string SeriesInstanceUid { get; } = DicomUidGenerator.New();

    public string FrameOfReferenceUid { get; } = DicomUidGenerator.New();

    public IReadOnlyList<string> SliceUids { get; }

    public Vector3D Origin { get; } = new(-22.4, -30.1, -10.0);

    /// <summary>Writes the series as CT files into <paramref name="folder"/>.</summary>
    public async Task WriteAsync(string folder)
    {
        Directory.CreateDirectory(folder);
        for (var z = 0; z < (MultiFrame ? 1 : Slices); z++)
        {
            var ds = new DicomDataset();
            if (CharacterSet.Length > 0)
            {
                ds.AddOrUpdate(DicomTags.SpecificCharacterSet, CharacterSet);
            }

            ds.AddOrUpdate(DicomTags.ImageType, "ORIGINAL", "PRIMARY", "AXIAL");
            ds.AddOrUpdate(DicomTags.SOPClassUID, SopClassUid);
            ds.AddOrUpdate(DicomTags.SOPInstanceUID, SliceUids[z]);
            ds.AddOrUpdate(DicomTags.StudyDate, new DateOnly(2026, 11, 20));
            ds.AddOrUpdate(DicomTags.StudyTime, new TimeOnly(10, 15, 0));
            ds.AddOrUpdate(DicomTags.AccessionNumber, "ACC-SYNTH-1");
            ds.AddOrUpdate(DicomTags.Modality, "CT");
            ds.AddOrUpdate(DicomTags.Manufacturer, "Synthetic");
            ds.AddOrUpdate(DicomTags.ReferringPhysicianName, "Médecin^Référent");
            ds.AddOrUpdate(DicomTags.StudyDescription, "Scanner thoracique synthétique");
            ds.AddOrUpdate(DicomTags.SeriesDescription, "Axial 2.5 mm");
            ds.AddOrUpdate(DicomTags.PatientName, PatientName);
            ds.AddOrUpdate(DicomTags.PatientID, "SYNTH-0001");
            ds.AddOrUpdate(DicomTags.PatientBirthDate, new DateOnly(1950, 1, 1));
            ds.AddOrUpdate(DicomTags.PatientSex, "F");
            ds.AddOrUpdate(DicomTags.PatientAge, "076Y");
            ds.AddOrUpdate(DicomTags.PatientIdentityRemoved, "YES");
            ds.AddOrUpdate(DicomTags.DeidentificationMethod, "Synthetic data");
            ds.AddOrUpdate(DicomTags.ProcedureCodeSequence, new DicomDataset()
                .AddOrUpdate(DicomTags.CodeValue, "CT-THORAX")
                .AddOrUpdate(DicomTags.CodingSchemeDesignator, "99SYNTH")
                .AddOrUpdate(DicomTags.CodeMeaning, "Scanner thoracique"));
            ds.AddOrUpdate(DicomTags.SliceThickness, DicomVR.DS, SliceSpacing);
            ds.AddOrUpdate(DicomTags.KVP, DicomVR.DS, 120.0);
            ds.AddOrUpdate(DicomTags.StudyInstanceUID, StudyInstanceUid);
            ds.AddOrUpdate(DicomTags.SeriesInstanceUID, SeriesInstanceUid);
            ds.AddOrUpdate(DicomTags.StudyID, "1");
            ds.AddOrUpdate(DicomTags.SeriesNumber, 2);
            ds.AddOrUpdate(DicomTags.InstanceNumber, z + 1);
            if (MultiFrame)
            {
                ds.AddOrUpdate(DicomTags.NumberOfFrames, Slices);
            }
            else
            {
                ds.AddOrUpdate(DicomTags.ImagePositionPatient, DicomVR.DS, Origin.X, Origin.Y, Origin.Z + (z * SliceSpacing));
                ds.AddOrUpdate(DicomTags.ImageOrientationPatient, DicomVR.DS, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0);
                ds.AddOrUpdate(DicomTags.PixelSpacing, DicomVR.DS, PixelSpacing, PixelSpacing);
            }

            ds.AddOrUpdate(DicomTags.FrameOfReferenceUID, FrameOfReferenceUid);
            ds.AddOrUpdate(DicomTags.PositionReferenceIndicator, "");
            ds.AddOrUpdate(DicomTags.SamplesPerPixel, DicomVR.US, 1);
            ds.AddOrUpdate(DicomTags.PhotometricInterpretation, "MONOCHROME2");
            ds.AddOrUpdate(DicomTags.Rows, DicomVR.US, Size);
            ds.AddOrUpdate(DicomTags.Columns, DicomVR.US, Size);
            ds.AddOrUpdate(DicomTags.BitsAllocated, DicomVR.US, 16);
            ds.AddOrUpdate(DicomTags.BitsStored, DicomVR.US, 12);
            ds.AddOrUpdate(DicomTags.HighBit, DicomVR.US, 11);
            ds.AddOrUpdate(DicomTags.PixelRepresentation, DicomVR.US, 0);
            ds.AddOrUpdate(DicomTags.RescaleIntercept, DicomVR.DS, -1024.0);
            ds.AddOrUpdate(DicomTags.RescaleSlope, DicomVR.DS, 1.0);
            var pixels = new byte[Size * Size * 2 * (MultiFrame ? Slices : 1)];
            for (var i = 0; i < pixels.Length / 2; i++)
            {
                BitConverter.TryWriteBytes(pixels.AsSpan(i * 2), (ushort)(1024 + (i % 200)));
            }

            ds.AddOrUpdateBytes(DicomTags.PixelData, DicomVR.OW, pixels);
            await new DicomFile(ds).SaveAsync(Path.Combine(folder, $"CT{z + 1:D4}.dcm"));
        }
    }

    public VolumeGeometry Geometry => new(
        Size, Size, Slices,
        new Vector3D(PixelSpacing, PixelSpacing, SliceSpacing),
        Origin,
        new Vector3D(1, 0, 0),
        new Vector3D(0, 1, 0),
        [.. SliceUids.Select((uid, z) => new ImageReference(uid, SopClassUid, MultiFrame ? z + 1 : 1))]);

    /// <summary>
    /// The label map: segment 1 (right lung) a disc in slices 1–6, segment 2 (a nodule) a 4×4×2 block inside it,
    /// segment 3 (left lung) listed in the run but absent from the map.
    /// </summary>
    public static byte[] Labels()
    {
        var labels = new byte[Size * Size * Slices];
        for (var z = 1; z <= 6; z++)
        {
            for (var y = 0; y < Size; y++)
            {
                for (var x = 0; x < Size; x++)
                {
                    var inLung = ((x - 20) * (x - 20)) + ((y - 30) * (y - 30)) <= (10 + z) * (10 + z);
                    var inNodule = z is 3 or 4 && x is >= 18 and < 22 && y is >= 28 and < 32;
                    labels[(z * Size * Size) + (y * Size) + x] = inNodule ? (byte)2 : inLung ? (byte)1 : (byte)0;
                }
            }
        }

        return labels;
    }

    /// <summary>The findings document of one run on the series.</summary>
    public AnalysisResults Results(Guid jobId, bool withDiameterEndPoints = true)
    {
        var lung = new Code("SCT", "39607008", "Lung");
        var right = new Code("SCT", "24028007", "Right");
        var nodule = new Code("SCT", "27925004", "Nodule");
        var longAxis = new Code("SCT", "103339001", "Long Axis");
        var volume = new Code("SCT", "118565006", "Volume");
        var geometry = Geometry;
        var noduleRegion = new FindingRegion(
            new Vector3D(-8.4, -9.1, -1.25), new Vector3D(18, 28, 3), new Vector3D(21, 31, 4), 3, geometry.Slices[3],
            withDiameterEndPoints ? new Vector3D(-9.8, -10.5, -2.5) : null,
            withDiameterEndPoints ? new Vector3D(-7.7, -8.4, 0.0) : null);
        var secondNoduleRegion = new FindingRegion(
            new Vector3D(10.5, 4.2, 2.5), new Vector3D(45, 40, 5), new Vector3D(50, 44, 5), 5, geometry.Slices[5]);

        var run = new RunResults(
            "run-1",
            new ModelIdentity("radai.lung-ct", "1.4.2", "RadAI Lung CT", "RESEARCH", "Lung volumetry and nodules", ["Adults only"]),
            SeriesInstanceUid,
            "CT",
            FrameOfReferenceUid,
            geometry,
            "CPU",
            1234,
            [
                new SegmentInfo(1, "Right lung", new Code("SCT", "91723000", "Anatomical Structure"), lung, null, 5000, right),
                new SegmentInfo(2, "Nodule 1", new Code("SCT", "49755003", "Morphologically Abnormal Structure"), nodule, lung, 32),
                new SegmentInfo(3, "Left lung", new Code("SCT", "91723000", "Anatomical Structure"), lung, null, 0, new Code("SCT", "7771000", "Left")),
            ],
            new StorageReference("results", "job/run-1/mask.radaimap"),
            [
                new Finding("lung-right", "organ", lung, lung, 1,
                [
                    new Measurement(volume, 1234.5, "ml", "milliliter"),
                    new Measurement(new Code("DCM", "112031", "Attenuation Coefficient"), -845.25, "[hnsf'U]", "Hounsfield unit", new Code("SCT", "373098007", "Mean")),
                ], null, right),
                new Finding("nodule-1", "lesion", nodule, lung, 2,
                [
                    new Measurement(longAxis, 3.25, "mm", "mm"),
                    new Measurement(volume, 15.7, "mm3", "cubic millimeter"),
                ], noduleRegion, right),
                new Finding("nodule-2", "lesion", nodule, lung, null, [new Measurement(longAxis, 4.9, "mm", "mm")], secondNoduleRegion, right),
                new Finding("lungs-laa950", "quality", lung, lung, null,
                    [new Measurement(RadAICodes.LowAttenuationArea950, 7.8, "%", "Percent")], null, new Code("SCT", "51440002", "Bilateral")),
                new Finding("pleural-effusion", "classification", new Code("SCT", "60046008", "Pleural effusion"), null, null, [], null),
            ],
            []);
        return new AnalysisResults(AnalysisResults.CurrentSchemaVersion, jobId, StudyInstanceUid, new DateTimeOffset(2026, 11, 26, 1, 0, 0, TimeSpan.Zero), [run]);
    }
}
