namespace RadAI.Dicom.Imaging;

/// <summary>
/// Color space conversion of 8-bit samples, as pydicom's <c>convert_color_space</c> does it: the full-range
/// ITU-R BT.601 equations of PS3.3 C.7.6.3.1.2 (ITU-T T.871), in single precision, rounded half up and
/// clipped to 0..255.
/// </summary>
public static class ColorConversion
{
    // pydicom's matrix, each coefficient computed in double and stored as float32.
    private const float CrToR = (float)1.402;
    private const float CbToG = (float)(-0.114 * 1.772 / 0.587);
    private const float CrToG = (float)(-0.299 * 1.402 / 0.587);
    private const float CbToB = (float)1.772;

    private const float RToY = (float)0.299;
    private const float GToY = (float)0.587;
    private const float BToY = (float)0.114;
    private const float RToCb = (float)(-0.299 / 1.772);
    private const float GToCb = (float)(-0.587 / 1.772);
    private const float BToCb = (float)(0.886 / 1.772);
    private const float RToCr = (float)(0.701 / 1.402);
    private const float GToCr = (float)(-0.587 / 1.402);
    private const float BToCr = (float)(-0.114 / 1.402);

    /// <summary>
    /// Interleaved samples (R G B…, or Y Cb Cr… as <see cref="PixelSamples"/> gives them, YBR_FULL_422
    /// already expanded) converted to RGB: YBR_FULL and YBR_FULL_422 are converted, RGB is copied.
    /// </summary>
    /// <exception cref="DicomPixelDataException">Another photometric interpretation, or a count that is not a multiple of 3.</exception>
    public static int[] ToRgb(ReadOnlySpan<int> samples, string photometricInterpretation)
    {
        var output = samples.ToArray();
        switch ((photometricInterpretation ?? "").Trim(' ', '\0'))
        {
            case "RGB":
                CheckTriplets(samples.Length);
                return output;
            case "YBR_FULL" or "YBR_FULL_422":
                YbrFullToRgb(output);
                return output;
            default:
                throw new DicomPixelDataException($"Conversion from {photometricInterpretation} to RGB is not supported (RGB, YBR_FULL, YBR_FULL_422).");
        }
    }

    /// <summary>Converts interleaved Y Cb Cr samples (0..255) to R G B in place.</summary>
    public static void YbrFullToRgb(Span<int> samples)
    {
        CheckTriplets(samples.Length);
        for (var i = 0; i < samples.Length; i += 3)
        {
            float y = samples[i];
            var cb = samples[i + 1] - 128f;
            var cr = samples[i + 2] - 128f;
            samples[i] = Round(y + (cr * CrToR));
            samples[i + 1] = Round(y + (cb * CbToG) + (cr * CrToG));
            samples[i + 2] = Round(y + (cb * CbToB));
        }
    }

    /// <summary>Converts interleaved Y Cb Cr bytes to R G B bytes (<paramref name="destination"/> may be <paramref name="source"/>).</summary>
    public static void YbrFullToRgb(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        CheckTriplets(source.Length);
        if (destination.Length < source.Length)
        {
            throw new DicomPixelDataException($"The destination holds {destination.Length} bytes, {source.Length} are needed.");
        }

        for (var i = 0; i < source.Length; i += 3)
        {
            float y = source[i];
            var cb = source[i + 1] - 128f;
            var cr = source[i + 2] - 128f;
            destination[i] = (byte)Round(y + (cr * CrToR));
            destination[i + 1] = (byte)Round(y + (cb * CbToG) + (cr * CrToG));
            destination[i + 2] = (byte)Round(y + (cb * CbToB));
        }
    }

    /// <summary>Converts interleaved R G B samples (0..255) to Y Cb Cr (YBR_FULL) in place.</summary>
    public static void RgbToYbrFull(Span<int> samples)
    {
        CheckTriplets(samples.Length);
        for (var i = 0; i < samples.Length; i += 3)
        {
            float r = samples[i];
            float g = samples[i + 1];
            float b = samples[i + 2];
            samples[i] = Floor((r * RToY) + (g * GToY) + (b * BToY) + 0.5f);
            samples[i + 1] = Floor((r * RToCb) + (g * GToCb) + (b * BToCb) + 128.5f);
            samples[i + 2] = Floor((r * RToCr) + (g * GToCr) + (b * BToCr) + 128.5f);
        }
    }

    private static int Round(float value) => Floor(value + 0.5f);

    private static int Floor(float value) => Math.Clamp((int)MathF.Floor(value), 0, 255);

    private static void CheckTriplets(int length)
    {
        if (length % 3 != 0)
        {
            throw new DicomPixelDataException($"{length} samples are not a whole number of 3-sample pixels.");
        }
    }
}
