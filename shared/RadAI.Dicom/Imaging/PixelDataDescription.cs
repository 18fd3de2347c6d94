namespace RadAI.Dicom.Imaging;

/// <summary>
/// The attributes of the Image Pixel module (PS3.3 C.7.6.3) that say how Pixel Data (7FE0,0010) is laid
/// out: one value per attribute, as read from the dataset (the dataset layer builds it; a missing
/// Number of Frames is 1, a missing Planar Configuration 0).
/// </summary>
/// <remarks>
/// Samples are taken from bits 0 to <see cref="BitsStored"/> − 1 of each allocated unit, as pydicom
/// does; a <see cref="HighBit"/> other than <see cref="BitsStored"/> − 1 is accepted with a warning
/// from <see cref="Validate"/>.
/// </remarks>
public sealed record PixelDataDescription
{
    private readonly string _photometricInterpretation = "";

    /// <summary>Describes pixel data; see the properties for each value.</summary>
    public PixelDataDescription(int rows, int columns, int samplesPerPixel, int bitsAllocated, int bitsStored, int highBit,
        int pixelRepresentation, string photometricInterpretation, int planarConfiguration = 0, int numberOfFrames = 1)
    {
        Rows = rows;
        Columns = columns;
        SamplesPerPixel = samplesPerPixel;
        BitsAllocated = bitsAllocated;
        BitsStored = bitsStored;
        HighBit = highBit;
        PixelRepresentation = pixelRepresentation;
        PhotometricInterpretation = photometricInterpretation;
        PlanarConfiguration = planarConfiguration;
        NumberOfFrames = numberOfFrames;
    }

    /// <summary>Rows (0028,0010).</summary>
    public int Rows { get; init; }

    /// <summary>Columns (0028,0011).</summary>
    public int Columns { get; init; }

    /// <summary>Samples per Pixel (0028,0002): 1 for monochrome and palette color, 3 for RGB and YBR.</summary>
    public int SamplesPerPixel { get; init; }

    /// <summary>Bits Allocated (0028,0100): 1, 8, 16, 32 or 64.</summary>
    public int BitsAllocated { get; init; }

    /// <summary>Bits Stored (0028,0101).</summary>
    public int BitsStored { get; init; }

    /// <summary>High Bit (0028,0102).</summary>
    public int HighBit { get; init; }

    /// <summary>Pixel Representation (0028,0103): 0 unsigned, 1 two's complement.</summary>
    public int PixelRepresentation { get; init; }

    /// <summary>Photometric Interpretation (0028,0004), without its padding spaces.</summary>
    public string PhotometricInterpretation
    {
        get => _photometricInterpretation;
        init => _photometricInterpretation = (value ?? "").Trim(' ', '\0');
    }

    /// <summary>Planar Configuration (0028,0006): 0 color-by-pixel (R1 G1 B1 R2…), 1 color-by-plane (R1 R2… G1 G2…).</summary>
    public int PlanarConfiguration { get; init; }

    /// <summary>Number of Frames (0028,0008); 1 for single-frame images.</summary>
    public int NumberOfFrames { get; init; }

    /// <summary>True for Pixel Representation 1.</summary>
    public bool IsSigned => PixelRepresentation == 1;

    /// <summary>Bytes per sample for Bits Allocated 8 and above; 0 for Bits Allocated 1.</summary>
    public int BytesPerSample => BitsAllocated / 8;

    /// <summary>True when the samples of a frame are stored color-by-plane (more than one sample, Planar Configuration 1, not YBR_FULL_422).</summary>
    public bool IsPlanar => SamplesPerPixel > 1 && PlanarConfiguration == 1 && !IsYbrFull422;

    /// <summary>True for YBR_FULL_422: two luminance samples share one Cb and one Cr sample in native pixel data.</summary>
    public bool IsYbrFull422 => PhotometricInterpretation == "YBR_FULL_422" && SamplesPerPixel == 3;

    /// <summary>True for MONOCHROME1 (minimum value displayed white).</summary>
    public bool IsMonochrome1 => PhotometricInterpretation == "MONOCHROME1";

    /// <summary>True for MONOCHROME1 and MONOCHROME2.</summary>
    public bool IsMonochrome => PhotometricInterpretation is "MONOCHROME1" or "MONOCHROME2";

    /// <summary>Pixels in one frame (Rows × Columns).</summary>
    public long PixelsPerFrame => (long)Rows * Columns;

    /// <summary>Samples of one decoded frame (Rows × Columns × Samples per Pixel); YBR_FULL_422 counts full-resolution samples.</summary>
    public long SamplesPerFrame => PixelsPerFrame * SamplesPerPixel;

    /// <summary>Bits one frame takes in native (uncompressed) Pixel Data; YBR_FULL_422 takes two thirds of the full size.</summary>
    public long FrameLengthInBits
    {
        get
        {
            var bits = SamplesPerFrame * BitsAllocated;
            return IsYbrFull422 ? bits / 3 * 2 : bits;
        }
    }

    /// <summary>
    /// Bytes one frame takes in native Pixel Data. For Bits Allocated 1, frames are packed one after the
    /// other across byte boundaries: this is the length of one frame on its own (bits rounded up to
    /// bytes); use <see cref="GetFrameBitOffset"/> to find a frame in the whole value.
    /// </summary>
    /// <exception cref="DicomPixelDataException">The frame is larger than an array can hold.</exception>
    public int FrameLengthInBytes
    {
        get
        {
            var bytes = (FrameLengthInBits + 7) / 8;
            return bytes <= Array.MaxLength
                ? (int)bytes
                : throw new DicomPixelDataException($"A frame of {Rows}×{Columns}×{SamplesPerPixel} samples of {BitsAllocated} bits ({bytes} bytes) is larger than the largest array ({Array.MaxLength} bytes).");
        }
    }

    /// <summary>Bytes of all frames of native Pixel Data, without the trailing padding byte of odd lengths (pydicom's <c>get_expected_length</c>).</summary>
    public long TotalLengthInBytes => (FrameLengthInBits * NumberOfFrames + 7) / 8;

    /// <summary>Where frame <paramref name="frameIndex"/> (0-based) starts in native Pixel Data, in bits from the start of the value.</summary>
    public long GetFrameBitOffset(int frameIndex) => frameIndex * FrameLengthInBits;

    /// <summary>Smallest stored value the description allows (Bits Stored, Pixel Representation).</summary>
    public long MinStoredValue => IsSigned ? -(1L << (Math.Clamp(BitsStored, 1, 64) - 1)) : 0;

    /// <summary>Largest stored value the description allows (Bits Stored, Pixel Representation); long.MaxValue for 64 unsigned bits.</summary>
    public long MaxStoredValue => IsSigned
        ? (1L << (Math.Clamp(BitsStored, 1, 64) - 1)) - 1
        : BitsStored >= 63 ? long.MaxValue : (1L << BitsStored) - 1;

    /// <summary>
    /// Checks that the values describe pixel data this layer can read; returns the warnings for values
    /// that are accepted but not conformant (e.g. High Bit ≠ Bits Stored − 1).
    /// </summary>
    /// <exception cref="DicomPixelDataException">An impossible or unsupported combination, named in the message.</exception>
    public IReadOnlyList<string> Validate()
    {
        var warnings = new List<string>();
        if (Rows < 1 || Columns < 1)
        {
            Fail($"Rows (0028,0010) {Rows} and Columns (0028,0011) {Columns} must both be at least 1");
        }

        if (SamplesPerPixel < 1)
        {
            Fail($"Samples per Pixel (0028,0002) {SamplesPerPixel} must be at least 1");
        }

        if (NumberOfFrames < 1)
        {
            Fail($"Number of Frames (0028,0008) {NumberOfFrames} must be at least 1");
        }

        if (BitsAllocated is not (1 or 8 or 16 or 32 or 64))
        {
            Fail(BitsAllocated > 0 && BitsAllocated % 8 == 0
                ? $"Bits Allocated (0028,0100) {BitsAllocated} is not supported (1, 8, 16, 32 or 64)"
                : $"Bits Allocated (0028,0100) {BitsAllocated} is invalid: it must be 1 or a multiple of 8");
        }

        if (BitsStored < 1 || BitsStored > BitsAllocated)
        {
            Fail($"Bits Stored (0028,0101) {BitsStored} must be between 1 and Bits Allocated (0028,0100) {BitsAllocated}");
        }

        if (HighBit < BitsStored - 1 || HighBit >= BitsAllocated)
        {
            Fail($"High Bit (0028,0102) {HighBit} must be between Bits Stored − 1 ({BitsStored - 1}) and Bits Allocated − 1 ({BitsAllocated - 1})");
        }

        if (HighBit != BitsStored - 1)
        {
            warnings.Add($"High Bit (0028,0102) {HighBit} is not Bits Stored − 1 ({BitsStored - 1}); samples are read from bits 0 to {BitsStored - 1}, as pydicom does.");
        }

        if (PixelRepresentation is not (0 or 1))
        {
            Fail($"Pixel Representation (0028,0103) {PixelRepresentation} must be 0 (unsigned) or 1 (signed)");
        }

        if (SamplesPerPixel > 1 && PlanarConfiguration is not (0 or 1))
        {
            Fail($"Planar Configuration (0028,0006) {PlanarConfiguration} must be 0 or 1");
        }

        if (BitsAllocated == 1 && PixelRepresentation == 1)
        {
            warnings.Add("Pixel Representation (0028,0103) 1 with Bits Allocated 1: the samples are read as unsigned 0 and 1.");
        }

        var pi = PhotometricInterpretation;
        var expectedSamples = pi switch
        {
            "MONOCHROME1" or "MONOCHROME2" or "PALETTE COLOR" => 1,
            "RGB" or "YBR_FULL" or "YBR_FULL_422" or "YBR_PARTIAL_422" or "YBR_PARTIAL_420" or "YBR_ICT" or "YBR_RCT" or "HSV" => 3,
            "ARGB" or "CMYK" => 4,
            _ => 0,
        };
        if (pi.Length == 0)
        {
            Fail("Photometric Interpretation (0028,0004) is empty");
        }
        else if (expectedSamples == 0)
        {
            warnings.Add($"Photometric Interpretation (0028,0004) '{pi}' is not known; samples are returned as stored.");
        }
        else if (expectedSamples != SamplesPerPixel)
        {
            Fail($"Photometric Interpretation (0028,0004) {pi} needs {expectedSamples} sample(s) per pixel, Samples per Pixel (0028,0002) is {SamplesPerPixel}");
        }

        if (IsYbrFull422)
        {
            if (Columns % 2 != 0)
            {
                Fail($"YBR_FULL_422 needs an even number of Columns (0028,0011), not {Columns}");
            }

            if (BitsAllocated == 1)
            {
                Fail("YBR_FULL_422 with Bits Allocated 1 is not possible");
            }

            if (PlanarConfiguration != 0)
            {
                warnings.Add("YBR_FULL_422 with Planar Configuration 1 is not conformant; native data is read color-by-pixel (Y1 Y2 Cb Cr).");
            }
        }

        _ = FrameLengthInBytes; // throws when a frame does not fit in an array
        return warnings;
    }

    /// <summary>A description of single-sample (monochrome) pixel data with High Bit = Bits Stored − 1.</summary>
    public static PixelDataDescription Monochrome(int rows, int columns, int bitsAllocated, int bitsStored, bool signed,
        int numberOfFrames = 1, bool monochrome1 = false) =>
        new(rows, columns, 1, bitsAllocated, bitsStored, bitsStored - 1, signed ? 1 : 0,
            monochrome1 ? "MONOCHROME1" : "MONOCHROME2", 0, numberOfFrames);

    /// <summary>A description of three-sample color pixel data (RGB by default) with High Bit = Bits Stored − 1.</summary>
    public static PixelDataDescription Color(int rows, int columns, int bitsAllocated, int planarConfiguration = 0,
        int numberOfFrames = 1, string photometricInterpretation = "RGB") =>
        new(rows, columns, 3, bitsAllocated, bitsAllocated, bitsAllocated - 1, 0, photometricInterpretation,
            planarConfiguration, numberOfFrames);

    private void Fail(string what) =>
        throw new DicomPixelDataException($"Invalid pixel description ({Summary()}): {what}.");

    /// <summary>The one-line summary (a record's default would evaluate every computed property).</summary>
    public override string ToString() => Summary();

    /// <summary>One-line summary used in messages, e.g. "512×512, 1 sample, 16/12/11 bits, unsigned, MONOCHROME2, 1 frame".</summary>
    internal string Summary() =>
        $"{Rows}×{Columns}, {SamplesPerPixel} sample(s), {BitsAllocated}/{BitsStored}/{HighBit} bits, "
        + $"{(IsSigned ? "signed" : PixelRepresentation == 0 ? "unsigned" : $"representation {PixelRepresentation}")}, "
        + $"{(PhotometricInterpretation.Length == 0 ? "no photometric interpretation" : PhotometricInterpretation)}, "
        + $"planar {PlanarConfiguration}, {NumberOfFrames} frame(s)";
}
