using System.Buffers.Binary;
using RadAI.Dicom;
using RadAI.Dicom.IO;

namespace RadAI.Cli.Synthetic;

/// <summary>What <see cref="SyntheticCtSeries"/> generates.</summary>
public sealed record SyntheticCtOptions
{
    /// <summary>Number of axial slices (instances). Default 500.</summary>
    public int Slices { get; init; } = 500;

    /// <summary>Rows of each image. Default 512.</summary>
    public int Rows { get; init; } = 512;

    /// <summary>Columns of each image. Default 512.</summary>
    public int Columns { get; init; } = 512;

    /// <summary>The Study Instance UID to use; null for a new one (derived from <see cref="Seed"/> when given).</summary>
    public string? StudyInstanceUid { get; init; }

    /// <summary>
    /// With a seed, the output is reproducible: UIDs are derived from it (and from the study UID), the
    /// dates are fixed and the noise follows it. Without one, every UID is new and the dates are now.
    /// </summary>
    public int? Seed { get; init; }

    /// <summary>Square reconstruction field of view in mm. Default 350 (pixel spacing 0.68 mm at 512).</summary>
    public double FieldOfViewMm { get; init; } = 350;

    /// <summary>Slice thickness and spacing between slice centres, in mm. Default 1.</summary>
    public double SliceThicknessMm { get; init; } = 1;

    /// <summary>Half-range of the uniform noise added to every pixel, in HU (0: none). Default 10.</summary>
    public int NoiseHu { get; init; } = 10;

    /// <summary>Study and acquisition date and time; null for now (or a fixed date when <see cref="Seed"/> is given).</summary>
    public DateTime? StudyDateTime { get; init; }
}

/// <summary>
/// A synthetic axial CT series of a simple chest phantom, as CT Image Storage instances in explicit VR
/// little endian: a soft-tissue body ellipse (40 HU) in air (−1000 HU), two lung ellipses (−850 HU) that
/// narrow towards both ends of the series, and a spinal disk (700 HU). Stored values are unsigned 12-bit
/// (HU + 1024: Rescale Intercept −1024, Slope 1). The patient is "SYNTHETIC^PHANTOM": no real data.
/// Used by <c>radai synth-ct</c>, the benchmarks and tests that need realistic CT files.
/// </summary>
public sealed class SyntheticCtSeries
{
    /// <summary>Outside the body.</summary>
    public const int AirHu = -1000;

    /// <summary>The body ellipse.</summary>
    public const int SoftTissueHu = 40;

    /// <summary>The two lungs.</summary>
    public const int LungHu = -850;

    /// <summary>The spinal disk.</summary>
    public const int BoneHu = 700;

    /// <summary>Rescale Intercept: stored value = HU + 1024.</summary>
    public const int RescaleIntercept = -1024;

    /// <summary>Body ellipse semi-axes (x: left-right, y: anterior-posterior), in mm, centred on the image.</summary>
    public const double BodySemiAxisXMm = 160, BodySemiAxisYMm = 115;

    /// <summary>Lung centres at x = ±<see cref="LungCentreXMm"/>, y = <see cref="LungCentreYMm"/>, in mm.</summary>
    public const double LungCentreXMm = 75, LungCentreYMm = -10;

    /// <summary>Lung semi-axes in mm at the middle of the series.</summary>
    public const double LungSemiAxisXMm = 55, LungSemiAxisYMm = 80;

    /// <summary>Spinal disk centre (x = 0) and radius, in mm.</summary>
    public const double SpineCentreYMm = 80, SpineRadiusMm = 18;

    private const string UidNamespace = "radai-synth-ct";
    private static readonly DateTime SeededDateTime = new(2024, 1, 2, 9, 30, 0, DateTimeKind.Unspecified);

    private readonly DateTime _dateTime;

    public SyntheticCtSeries(SyntheticCtOptions? options = null)
    {
        Options = options ?? new SyntheticCtOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(Options.Slices, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(Options.Rows, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(Options.Columns, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Options.Rows, ushort.MaxValue, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Options.Columns, ushort.MaxValue, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Options.FieldOfViewMm, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Options.SliceThicknessMm, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(Options.NoiseHu, nameof(options));

        StudyInstanceUid = Options.StudyInstanceUid ?? Uid("study");
        SeriesInstanceUid = Uid($"{StudyInstanceUid}/series");
        FrameOfReferenceUid = Uid($"{StudyInstanceUid}/frame-of-reference");
        var now = DateTime.Now;
        _dateTime = Options.StudyDateTime ?? (Options.Seed is null ? now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond)) : SeededDateTime);
    }

    public SyntheticCtOptions Options { get; }

    /// <summary>Shared by every instance.</summary>
    public string StudyInstanceUid { get; }

    /// <summary>Shared by every instance.</summary>
    public string SeriesInstanceUid { get; }

    /// <summary>Shared by every instance.</summary>
    public string FrameOfReferenceUid { get; }

    /// <summary>Number of instances.</summary>
    public int Count => Options.Slices;

    /// <summary>Row spacing (between row centres) in mm.</summary>
    public double RowSpacingMm => Options.FieldOfViewMm / Options.Rows;

    /// <summary>Column spacing (between column centres) in mm.</summary>
    public double ColumnSpacingMm => Options.FieldOfViewMm / Options.Columns;

    /// <summary>The z of slice <paramref name="index"/> (0-based): the series is centred on z = 0 and advances by the slice thickness.</summary>
    public double SliceZ(int index) => (index - ((Options.Slices - 1) / 2.0)) * Options.SliceThicknessMm;

    /// <summary>The file name <see cref="WriteAsync"/> gives instance <paramref name="index"/>: CT0001.dcm... (sorted by name = by position).</summary>
    public string FileName(int index) =>
        $"CT{(index + 1).ToString("D" + Math.Max(4, Options.Slices.ToString(System.Globalization.CultureInfo.InvariantCulture).Length), System.Globalization.CultureInfo.InvariantCulture)}.dcm";

    /// <summary>The SOP Instance UID of instance <paramref name="index"/> (new each call without a seed).</summary>
    public string SopInstanceUid(int index) => Uid($"{SeriesInstanceUid}/instance/{index}");

    /// <summary>The datasets of the whole series, one by one (each holds its pixel data in memory, ≈ Rows × Columns × 2 bytes).</summary>
    public IEnumerable<DicomDataset> CreateInstances()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return CreateInstance(i);
        }
    }

    /// <summary>The dataset of instance <paramref name="index"/> (0-based; Instance Number is index + 1).</summary>
    public DicomDataset CreateInstance(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        var o = Options;
        var date = DateOnly.FromDateTime(_dateTime);
        var time = TimeOnly.FromDateTime(_dateTime);
        var acquisitionTime = time.Add(TimeSpan.FromMilliseconds(index * 10));
        var z = SliceZ(index);
        var ds = new DicomDataset();

        // SOP Common.
        ds.AddOrUpdate(DicomTags.SpecificCharacterSet, "ISO_IR 100");
        ds.AddOrUpdate(DicomTags.ImageType, "ORIGINAL", "PRIMARY", "AXIAL");
        ds.AddOrUpdate(DicomTags.InstanceCreationDate, date);
        ds.AddOrUpdate(DicomTags.InstanceCreationTime, time);
        ds.AddOrUpdate(DicomTags.SOPClassUID, DicomUids.CTImageStorage);
        ds.AddOrUpdate(DicomTags.SOPInstanceUID, SopInstanceUid(index));

        // General Study, General Series, General Equipment, General Acquisition, General Image.
        ds.AddOrUpdate(DicomTags.StudyDate, date);
        ds.AddOrUpdate(DicomTags.SeriesDate, date);
        ds.AddOrUpdate(DicomTags.AcquisitionDate, date);
        ds.AddOrUpdate(DicomTags.ContentDate, date);
        ds.AddOrUpdate(DicomTags.StudyTime, time);
        ds.AddOrUpdate(DicomTags.SeriesTime, time);
        ds.AddOrUpdate(DicomTags.AcquisitionTime, acquisitionTime);
        ds.AddOrUpdate(DicomTags.ContentTime, acquisitionTime);
        ds.AddOrUpdate(DicomTags.AccessionNumber, "SYNTH0001");
        ds.AddOrUpdate(DicomTags.Modality, "CT");
        ds.AddOrUpdate(DicomTags.Manufacturer, "RadAI");
        ds.AddOrUpdate(DicomTags.InstitutionName, "RadAI Synthetic Data");
        ds.AddOrUpdate(DicomTags.ReferringPhysicianName, "");
        ds.AddOrUpdate(DicomTags.StationName, "SYNTH-CT");
        ds.AddOrUpdate(DicomTags.StudyDescription, "Synthetic CT chest phantom");
        ds.AddOrUpdate(DicomTags.ProcedureCodeSequence, new DicomDataset()
            .AddOrUpdate(DicomTags.CodeValue, "SYNTH-CT-CHEST")
            .AddOrUpdate(DicomTags.CodingSchemeDesignator, "99RADAI")
            .AddOrUpdate(DicomTags.CodeMeaning, "Synthetic CT chest phantom"));
        ds.AddOrUpdate(DicomTags.SeriesDescription, "Axial 1mm synthetic phantom");
        ds.AddOrUpdate(DicomTags.ManufacturerModelName, "radai synth-ct");

        // Patient: synthetic, never real data.
        ds.AddOrUpdate(DicomTags.PatientName, "SYNTHETIC^PHANTOM");
        ds.AddOrUpdate(DicomTags.PatientID, "SYNTH-CT-0001");
        ds.AddOrUpdate(DicomTags.PatientBirthDate, "");
        ds.AddOrUpdate(DicomTags.PatientSex, "O");
        ds.AddOrUpdate(DicomTags.PatientIdentityRemoved, "YES");
        ds.AddOrUpdate(DicomTags.DeidentificationMethod, "Synthetic phantom: no patient data");

        // CT acquisition (CT Image module).
        ds.AddOrUpdate(DicomTags.BodyPartExamined, "CHEST");
        ds.AddOrUpdate(DicomTags.ScanOptions, "HELICAL");
        ds.AddOrUpdate(DicomTags.SliceThickness, DicomVR.DS, o.SliceThicknessMm);
        ds.AddOrUpdate(DicomTags.KVP, DicomVR.DS, 120.0);
        ds.AddOrUpdate(DicomTags.SpacingBetweenSlices, DicomVR.DS, o.SliceThicknessMm);
        ds.AddOrUpdate(DicomTags.DataCollectionDiameter, DicomVR.DS, 500.0);
        ds.AddOrUpdate(DicomTags.SoftwareVersions, "radai-synth-ct 1");
        ds.AddOrUpdate(DicomTags.ReconstructionDiameter, DicomVR.DS, o.FieldOfViewMm);
        ds.AddOrUpdate(DicomTags.GantryDetectorTilt, DicomVR.DS, 0.0);
        ds.AddOrUpdate(DicomTags.TableHeight, DicomVR.DS, 150.0);
        ds.AddOrUpdate(DicomTags.RotationDirection, "CW");
        ds.AddOrUpdate(DicomTags.ExposureTime, DicomVR.IS, 500);
        ds.AddOrUpdate(DicomTags.XRayTubeCurrent, DicomVR.IS, 200);
        ds.AddOrUpdate(DicomTags.Exposure, DicomVR.IS, 100);
        ds.AddOrUpdate(DicomTags.ConvolutionKernel, "STANDARD");
        ds.AddOrUpdate(DicomTags.PatientPosition, "HFS");
        ds.AddOrUpdate(DicomTags.SpiralPitchFactor, DicomVR.FD, 1.0);
        ds.AddOrUpdate(DicomTags.CTDIvol, DicomVR.FD, 8.5);
        ds.AddOrUpdate(DicomTags.CTDIPhantomTypeCodeSequence, new DicomDataset()
            .AddOrUpdate(DicomTags.CodeValue, "113691")
            .AddOrUpdate(DicomTags.CodingSchemeDesignator, "DCM")
            .AddOrUpdate(DicomTags.CodeMeaning, "IEC Body Dosimetry Phantom"));

        // Relationship, Frame of Reference, Image Plane.
        ds.AddOrUpdate(DicomTags.StudyInstanceUID, StudyInstanceUid);
        ds.AddOrUpdate(DicomTags.SeriesInstanceUID, SeriesInstanceUid);
        ds.AddOrUpdate(DicomTags.StudyID, "1");
        ds.AddOrUpdate(DicomTags.SeriesNumber, DicomVR.IS, 1);
        ds.AddOrUpdate(DicomTags.AcquisitionNumber, DicomVR.IS, 1);
        ds.AddOrUpdate(DicomTags.InstanceNumber, DicomVR.IS, index + 1);
        ds.AddOrUpdate(DicomTags.ImagePositionPatient, DicomVR.DS, -o.FieldOfViewMm / 2 + (ColumnSpacingMm / 2), -o.FieldOfViewMm / 2 + (RowSpacingMm / 2), z);
        ds.AddOrUpdate(DicomTags.ImageOrientationPatient, DicomVR.DS, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0);
        ds.AddOrUpdate(DicomTags.FrameOfReferenceUID, FrameOfReferenceUid);
        ds.AddOrUpdate(DicomTags.PositionReferenceIndicator, "");
        ds.AddOrUpdate(DicomTags.SliceLocation, DicomVR.DS, z);

        // Image Pixel, CT Image, VOI LUT.
        ds.AddOrUpdate(DicomTags.SamplesPerPixel, DicomVR.US, (ushort)1);
        ds.AddOrUpdate(DicomTags.PhotometricInterpretation, "MONOCHROME2");
        ds.AddOrUpdate(DicomTags.Rows, DicomVR.US, (ushort)o.Rows);
        ds.AddOrUpdate(DicomTags.Columns, DicomVR.US, (ushort)o.Columns);
        ds.AddOrUpdate(DicomTags.PixelSpacing, DicomVR.DS, RowSpacingMm, ColumnSpacingMm);
        ds.AddOrUpdate(DicomTags.BitsAllocated, DicomVR.US, (ushort)16);
        ds.AddOrUpdate(DicomTags.BitsStored, DicomVR.US, (ushort)12);
        ds.AddOrUpdate(DicomTags.HighBit, DicomVR.US, (ushort)11);
        ds.AddOrUpdate(DicomTags.PixelRepresentation, DicomVR.US, (ushort)0);
        ds.AddOrUpdate(DicomTags.WindowCenter, DicomVR.DS, 40.0, -600.0);
        ds.AddOrUpdate(DicomTags.WindowWidth, DicomVR.DS, 400.0, 1500.0);
        ds.AddOrUpdate(DicomTags.RescaleIntercept, DicomVR.DS, (double)RescaleIntercept);
        ds.AddOrUpdate(DicomTags.RescaleSlope, DicomVR.DS, 1.0);
        ds.AddOrUpdate(DicomTags.RescaleType, "HU");
        ds.AddOrUpdate(DicomTags.WindowCenterWidthExplanation, "SOFT TISSUE", "LUNG");
        ds.AddOrUpdate(DicomTags.LossyImageCompression, "00");
        ds.AddOrUpdate(DicomTags.BurnedInAnnotation, "NO");
        ds.AddOrUpdate(DicomTags.PixelData, DicomVR.OW, new DicomMemoryBulkValue(RenderPixelData(index)));
        return ds;
    }

    /// <summary>The Pixel Data value of slice <paramref name="index"/>: stored values (HU + 1024, 12 bits), 16-bit little endian, row by row.</summary>
    public byte[] RenderPixelData(int index)
    {
        var rows = Options.Rows;
        var columns = Options.Columns;
        var bytes = GC.AllocateUninitializedArray<byte>(rows * columns * 2);
        var noise = Options.NoiseHu;
        // xorshift32, seeded per slice: cheap and reproducible.
        var state = unchecked(((uint)(Options.Seed ?? 0) * 0x9E3779B1u) ^ ((uint)index * 0x85EBCA6Bu) ^ 0x2545F491u) | 1u;
        var lungScale = LungScale(index);
        for (var row = 0; row < rows; row++)
        {
            var y = RowY(row);
            var line = bytes.AsSpan(row * columns * 2, columns * 2);
            for (var column = 0; column < columns; column++)
            {
                var hu = Phantom(ColumnX(column), y, lungScale);
                if (noise > 0)
                {
                    state ^= state << 13;
                    state ^= state >> 17;
                    state ^= state << 5;
                    hu += (int)(state % (uint)((2 * noise) + 1)) - noise;
                }

                BinaryPrimitives.WriteUInt16LittleEndian(line[(column * 2)..], (ushort)Math.Clamp(hu - RescaleIntercept, 0, 4095));
            }
        }

        return bytes;
    }

    /// <summary>The phantom's value (HU, without noise) at the centre of a pixel of slice <paramref name="index"/>.</summary>
    public int HounsfieldAt(int index, int row, int column) => Phantom(ColumnX(column), RowY(row), LungScale(index));

    /// <summary>The pixel whose centre is nearest to (x, y) in mm from the image centre (x to the patient's left, y posterior).</summary>
    public (int Row, int Column) PixelAt(double xMm, double yMm) =>
        (Math.Clamp((int)Math.Round((yMm / RowSpacingMm) + ((Options.Rows - 1) / 2.0)), 0, Options.Rows - 1),
         Math.Clamp((int)Math.Round((xMm / ColumnSpacingMm) + ((Options.Columns - 1) / 2.0)), 0, Options.Columns - 1));

    /// <summary>
    /// Writes the series to <paramref name="folder"/> (created if needed) as <see cref="FileName"/> files,
    /// several at a time; returns their paths in instance order.
    /// </summary>
    public async Task<IReadOnlyList<string>> WriteAsync(string folder, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(folder);
        var paths = new string[Count];
        await Parallel.ForAsync(0, Count, new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount },
            async (i, ct) =>
            {
                var path = Path.Combine(folder, FileName(i));
                await new DicomFile(CreateInstance(i)).SaveAsync(path, cancellationToken: ct).ConfigureAwait(false);
                paths[i] = path;
            }).ConfigureAwait(false);
        return paths;
    }

    private double ColumnX(int column) => (column - ((Options.Columns - 1) / 2.0)) * ColumnSpacingMm;

    private double RowY(int row) => (row - ((Options.Rows - 1) / 2.0)) * RowSpacingMm;

    /// <summary>The lungs are full size in the middle of the series and narrow to nothing near both ends.</summary>
    private double LungScale(int index)
    {
        var f = ((index + 0.5) / Options.Slices) - 0.5;
        return Math.Sqrt(Math.Max(0, 1 - ((f / 0.45) * (f / 0.45))));
    }

    private static int Phantom(double x, double y, double lungScale)
    {
        if (Square(x / BodySemiAxisXMm) + Square(y / BodySemiAxisYMm) > 1)
        {
            return AirHu;
        }

        if (Square(x) + Square(y - SpineCentreYMm) <= SpineRadiusMm * SpineRadiusMm)
        {
            return BoneHu;
        }

        if (lungScale > 0)
        {
            var ax = LungSemiAxisXMm * lungScale;
            var ay = LungSemiAxisYMm * lungScale;
            var dy = Square((y - LungCentreYMm) / ay);
            if (Square((Math.Abs(x) - LungCentreXMm) / ax) + dy <= 1)
            {
                return LungHu;
            }
        }

        return SoftTissueHu;
    }

    private static double Square(double v) => v * v;

    private string Uid(string name) => Options.Seed is { } seed ? DicomUidGenerator.FromName($"{UidNamespace}/{seed}/{name}") : DicomUidGenerator.New();
}
