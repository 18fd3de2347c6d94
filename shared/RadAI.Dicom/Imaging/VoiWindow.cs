using System.Globalization;

namespace RadAI.Dicom.Imaging;

/// <summary>VOI LUT Function (0028,1056) (PS3.3 C.11.2.1.3).</summary>
public enum VoiLutFunction
{
    /// <summary>LINEAR (the default): PS3.3 C.11.2.1.2.1, center − 0.5 and width − 1.</summary>
    Linear,

    /// <summary>LINEAR_EXACT: PS3.3 C.11.2.1.3.2.</summary>
    LinearExact,

    /// <summary>SIGMOID: PS3.3 C.11.2.1.3.1.</summary>
    Sigmoid,
}

/// <summary>
/// A VOI window: Window Center (0028,1050) and Window Width (0028,1051) with the VOI LUT Function
/// (0028,1056), applied to modality values (after Rescale Slope and Intercept) with the formulas of
/// PS3.3 C.11.2.1.2 and C.11.2.1.3, computed in the same order as pydicom's <c>apply_windowing</c>.
/// </summary>
public readonly record struct VoiWindow
{
    /// <summary>A window; the width must be at least 1 for LINEAR and above 0 for the others.</summary>
    /// <exception cref="DicomPixelDataException">A width the function does not allow, or a value that is not finite.</exception>
    public VoiWindow(double center, double width, VoiLutFunction function = VoiLutFunction.Linear)
    {
        if (!double.IsFinite(center) || !double.IsFinite(width))
        {
            throw new DicomPixelDataException($"Window Center {center} and Window Width {width} must be finite numbers.");
        }

        if (function == VoiLutFunction.Linear ? width < 1 : width <= 0)
        {
            throw new DicomPixelDataException(function == VoiLutFunction.Linear
                ? $"Window Width (0028,1051) {width} must be at least 1 for the LINEAR function."
                : $"Window Width (0028,1051) {width} must be greater than 0 for the {Format(function)} function.");
        }

        if (!Enum.IsDefined(function))
        {
            throw new DicomPixelDataException($"VOI LUT Function {(int)function} is not known.");
        }

        Center = center;
        Width = width;
        Function = function;
    }

    /// <summary>Window Center (0028,1050).</summary>
    public double Center { get; }

    /// <summary>Window Width (0028,1051).</summary>
    public double Width { get; }

    /// <summary>VOI LUT Function (0028,1056).</summary>
    public VoiLutFunction Function { get; }

    /// <summary>Parses VOI LUT Function (0028,1056): empty or missing is LINEAR.</summary>
    /// <exception cref="DicomPixelDataException">Another value.</exception>
    public static VoiLutFunction ParseFunction(string? value) => (value ?? "").Trim(' ', '\0').ToUpperInvariant() switch
    {
        "" or "LINEAR" => VoiLutFunction.Linear,
        "LINEAR_EXACT" => VoiLutFunction.LinearExact,
        "SIGMOID" => VoiLutFunction.Sigmoid,
        var other => throw new DicomPixelDataException($"VOI LUT Function (0028,1056) '{other}' is not LINEAR, LINEAR_EXACT or SIGMOID."),
    };

    /// <summary>The DICOM code string of a function.</summary>
    public static string Format(VoiLutFunction function) => function switch
    {
        VoiLutFunction.LinearExact => "LINEAR_EXACT",
        VoiLutFunction.Sigmoid => "SIGMOID",
        _ => "LINEAR",
    };

    /// <summary>
    /// The window at <paramref name="index"/> of the (multi-valued) Window Center and Width attributes.
    /// </summary>
    public static VoiWindow FromAttributes(IReadOnlyList<double> centers, IReadOnlyList<double> widths, string? function, int index = 0)
    {
        ArgumentNullException.ThrowIfNull(centers);
        ArgumentNullException.ThrowIfNull(widths);
        if (index < 0 || index >= centers.Count || index >= widths.Count)
        {
            throw new DicomPixelDataException(
                $"Window {index} does not exist: Window Center (0028,1050) has {centers.Count} value(s), Window Width (0028,1051) {widths.Count}.");
        }

        return new VoiWindow(centers[index], widths[index], ParseFunction(function));
    }

    /// <summary>
    /// The output range pydicom's <c>apply_windowing</c> maps to: the range of the stored values (Bits Stored,
    /// Pixel Representation), through Rescale Slope and Intercept when both are given.
    /// </summary>
    public static (double Min, double Max) GetOutputRange(PixelDataDescription description, double? rescaleSlope = null, double? rescaleIntercept = null)
    {
        ArgumentNullException.ThrowIfNull(description);
        double min = description.MinStoredValue;
        double max = description.IsSigned || description.BitsStored < 63 ? description.MaxStoredValue : Math.Pow(2, description.BitsStored) - 1;
        if (rescaleSlope is { } slope && rescaleIntercept is { } intercept)
        {
            min = (min * slope) + intercept;
            max = (max * slope) + intercept;
        }

        return (min, max);
    }

    /// <summary>Maps one modality value to [<paramref name="outputMin"/>, <paramref name="outputMax"/>].</summary>
    public double Apply(double value, double outputMin, double outputMax)
    {
        var range = outputMax - outputMin;
        switch (Function)
        {
            case VoiLutFunction.Sigmoid:
                return (range / (1 + Math.Exp(-4 * (value - Center) / Width))) + outputMin;
            default:
                var center = Center;
                var width = Width;
                if (Function == VoiLutFunction.Linear)
                {
                    center -= 0.5;
                    width -= 1;
                }

                if (value <= center - (width / 2))
                {
                    return outputMin;
                }

                if (value > center + (width / 2))
                {
                    return outputMax;
                }

                // Not reached for width 0 (LINEAR with Window Width 1): every value is below or above.
                return (((value - center) / width) + 0.5) * range + outputMin;
        }
    }

    /// <summary>Maps modality values to [<paramref name="outputMin"/>, <paramref name="outputMax"/>].</summary>
    public void Apply(ReadOnlySpan<double> values, Span<double> destination, double outputMin, double outputMax)
    {
        if (destination.Length < values.Length)
        {
            throw new DicomPixelDataException($"The destination holds {destination.Length} values, {values.Length} are needed.");
        }

        for (var i = 0; i < values.Length; i++)
        {
            destination[i] = Apply(values[i], outputMin, outputMax);
        }
    }

    /// <summary>Maps modality values to [<paramref name="outputMin"/>, <paramref name="outputMax"/>].</summary>
    public double[] Apply(ReadOnlySpan<double> values, double outputMin, double outputMax)
    {
        var output = GC.AllocateUninitializedArray<double>(values.Length);
        Apply(values, output, outputMin, outputMax);
        return output;
    }

    /// <summary>One modality value as a display byte: the window mapped to 0..255, rounded; inverted for MONOCHROME1.</summary>
    public byte ToDisplayByte(double value, bool monochrome1 = false)
    {
        var level = (byte)Math.Clamp((int)Math.Floor(Apply(value, 0, 255) + 0.5), 0, 255);
        return monochrome1 ? (byte)(255 - level) : level;
    }

    /// <summary>Modality values as display bytes (0..255), inverted for MONOCHROME1.</summary>
    public byte[] ToDisplay(ReadOnlySpan<double> values, bool monochrome1 = false)
    {
        var output = GC.AllocateUninitializedArray<byte>(values.Length);
        for (var i = 0; i < values.Length; i++)
        {
            output[i] = ToDisplayByte(values[i], monochrome1);
        }

        return output;
    }

    /// <summary>
    /// Stored values straight to display bytes: Rescale Slope and Intercept, then the window, then the
    /// MONOCHROME1 inversion; computed once per distinct stored value through a lookup table when the
    /// values span at most 2^20 (all 8- and 16-bit data), so a 512×512 CT slice costs one table lookup per pixel.
    /// </summary>
    public byte[] ToDisplay(ReadOnlySpan<int> storedValues, double rescaleSlope, double rescaleIntercept, bool monochrome1 = false)
    {
        var output = GC.AllocateUninitializedArray<byte>(storedValues.Length);
        ToDisplay(storedValues, rescaleSlope, rescaleIntercept, monochrome1, output);
        return output;
    }

    /// <summary>Stored values straight to display bytes into <paramref name="destination"/>; see <see cref="ToDisplay(ReadOnlySpan{int}, double, double, bool)"/>.</summary>
    public void ToDisplay(ReadOnlySpan<int> storedValues, double rescaleSlope, double rescaleIntercept, bool monochrome1, Span<byte> destination)
    {
        if (destination.Length < storedValues.Length)
        {
            throw new DicomPixelDataException($"The destination holds {destination.Length} values, {storedValues.Length} are needed.");
        }

        if (storedValues.IsEmpty)
        {
            return;
        }

        var min = int.MaxValue;
        var max = int.MinValue;
        foreach (var v in storedValues)
        {
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }

        var span = (long)max - min + 1;
        if (span <= 1 << 20 && span <= storedValues.Length * 4L)
        {
            var table = new byte[span];
            for (var i = 0; i < table.Length; i++)
            {
                table[i] = ToDisplayByte(((min + i) * rescaleSlope) + rescaleIntercept, monochrome1);
            }

            for (var i = 0; i < storedValues.Length; i++)
            {
                destination[i] = table[storedValues[i] - min];
            }

            return;
        }

        for (var i = 0; i < storedValues.Length; i++)
        {
            destination[i] = ToDisplayByte((storedValues[i] * rescaleSlope) + rescaleIntercept, monochrome1);
        }
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"C {Center} W {Width} {Format(Function)}");
}
