using System.Runtime.InteropServices;
using RadAI.Dicom;
using RadAI.Dicom.Imaging;
using RadAI.Dicom.IO;
using SkiaSharp;

namespace RadAI.ReportBuilder.Rendering;

/// <summary>
/// Renders a key image for every viewer: a frame of a source DICOM image decoded with RadAI.Dicom (any transfer syntax
/// it decodes, MONOCHROME1/2, signed or unsigned, Rescale Slope/Intercept, multi-frame), shown with the image's own
/// window (else the CT default, else its min–max), the segments of the label map slice as a semi-transparent fill with
/// an opaque contour in each segment's colour, and a visible "IA / AI" mark in the top right corner.
/// </summary>
public static class KeyImageRenderer
{
    /// <summary>Opacity of a segment's fill (its contour is opaque).</summary>
    public const double FillOpacity = 0.35;

    /// <summary>The mark burned into every key image.</summary>
    public const string AiMark = "IA / AI";

    /// <summary>CT soft tissue window (centre, width) in HU.</summary>
    public static readonly (double Center, double Width) CtSoftTissue = (40, 400);

    /// <summary>CT lung window (centre, width) in HU.</summary>
    public static readonly (double Center, double Width) CtLung = (-600, 1500);

    private static readonly RgbColor MarkText = new(255, 220, 0);

    /// <summary>Renders <paramref name="request"/>.</summary>
    /// <exception cref="DicomPixelDataException">The file has no pixel data the toolkit can decode.</exception>
    /// <exception cref="ArgumentException">The frame does not exist, or the label slice is not Rows × Columns.</exception>
    public static Task<KeyImage> RenderAsync(KeyImageRequest request, CancellationToken cancellationToken = default) =>
        RenderAsync(request, DicomFileSource.FromPath(request?.SourcePath ?? throw new ArgumentNullException(nameof(request))), cancellationToken);

    /// <summary>Renders <paramref name="request"/>, its source file read through <paramref name="source"/> (decrypted when stored encrypted).</summary>
    /// <exception cref="DicomPixelDataException">The file has no pixel data the toolkit can decode.</exception>
    /// <exception cref="ArgumentException">The frame does not exist, or the label slice is not Rows × Columns.</exception>
    public static async Task<KeyImage> RenderAsync(KeyImageRequest request, DicomFileSource source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(source);
        var file = await DicomFile.OpenAsync(source, cancellationToken: cancellationToken).ConfigureAwait(false);
        var pixels = DicomPixelData.Create(file.Dataset, file.TransferSyntax);
        if (request.Frame < 1 || request.Frame > pixels.NumberOfFrames)
        {
            throw new ArgumentException($"Frame {request.Frame} does not exist: the image has {pixels.NumberOfFrames} frame(s).", nameof(request));
        }

        var frame = await pixels.GetFrameAsync(request.Frame - 1, cancellationToken).ConfigureAwait(false);
        var modality = file.Dataset.TryGetString(DicomTags.Modality, out var m) ? m.Trim() : "";
        IReadOnlyList<VoiWindow> windows;
        try
        {
            windows = pixels.Windows;
        }
        catch (DicomPixelDataException)
        {
            // A window the standard does not allow (width 0, unknown function): shown as if the image had none.
            windows = [];
        }

        return Render(frame, pixels.RescaleSlope, pixels.RescaleIntercept, windows, modality, request);
    }

    /// <summary>Renders a decoded frame (see <see cref="RenderAsync(KeyImageRequest, DicomFileSource, CancellationToken)"/>).</summary>
    public static KeyImage Render(DecodedFrame frame, double rescaleSlope, double rescaleIntercept, IReadOnlyList<VoiWindow> windows, string modality, KeyImageRequest request)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(windows);
        ArgumentNullException.ThrowIfNull(request);
        var description = frame.Description;
        int width = description.Columns, height = description.Rows;
        var count = width * height;
        if (!request.LabelSlice.IsEmpty && request.LabelSlice.Length != count)
        {
            throw new ArgumentException(
                $"The label slice has {request.LabelSlice.Length} voxels; the image is {width}×{height} = {count} pixels.", nameof(request));
        }

        var rgba = new byte[count * 4];
        KeyImageWindow window;
        if (description.SamplesPerPixel == 1)
        {
            if (description.PhotometricInterpretation is not ("MONOCHROME1" or "MONOCHROME2"))
            {
                throw new DicomPixelDataException($"Key images of {description.PhotometricInterpretation} images are not supported (MONOCHROME1, MONOCHROME2, RGB, YBR_FULL).");
            }

            var stored = frame.ToInt32();
            var (voi, source) = ChooseWindow(stored, rescaleSlope, rescaleIntercept, windows, modality, request.CtWindowWhenMissing);
            var gray = voi.ToDisplay(stored, rescaleSlope, rescaleIntercept, description.IsMonochrome1);
            for (var i = 0; i < count; i++)
            {
                rgba[4 * i] = rgba[(4 * i) + 1] = rgba[(4 * i) + 2] = gray[i];
                rgba[(4 * i) + 3] = 255;
            }

            window = new KeyImageWindow(voi.Center, voi.Width, source);
        }
        else
        {
            var rgb = ColorConversion.ToRgb(frame.ToInt32(), description.PhotometricInterpretation);
            var max = (1 << Math.Min(description.BitsStored, 16)) - 1;
            for (var i = 0; i < count; i++)
            {
                for (var c = 0; c < 3; c++)
                {
                    rgba[(4 * i) + c] = (byte)Math.Clamp((int)Math.Round(rgb[(3 * i) + c] * 255.0 / max), 0, 255);
                }

                rgba[(4 * i) + 3] = 255;
            }

            window = new KeyImageWindow(0, 0, KeyImageWindowSource.None);
        }

        Overlay(rgba, width, height, request.LabelSlice.Span, request.SegmentColors);
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        Copy(rgba, bitmap);
        var mark = BurnAiMark(bitmap);
        var pixelsOut = bitmap.GetPixelSpan();
        var output = new byte[count * 3];
        for (var y = 0; y < height; y++)
        {
            var row = pixelsOut.Slice(y * bitmap.RowBytes, width * 4);
            for (var x = 0; x < width; x++)
            {
                var o = 3 * ((y * width) + x);
                output[o] = row[4 * x];
                output[o + 1] = row[(4 * x) + 1];
                output[o + 2] = row[(4 * x) + 2];
            }
        }

        using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new InvalidOperationException("SkiaSharp could not encode the key image as PNG.");
        return new KeyImage(width, height, output, png.ToArray(), window, mark);
    }

    /// <summary>The image's first window; else for CT the default asked for; else the range of the frame's values.</summary>
    private static (VoiWindow Window, KeyImageWindowSource Source) ChooseWindow(
        int[] stored, double slope, double intercept, IReadOnlyList<VoiWindow> windows, string modality, CtDefaultWindow ctDefault)
    {
        if (windows.Count > 0)
        {
            return (windows[0], KeyImageWindowSource.Image);
        }

        if (modality == "CT")
        {
            var (center, width) = ctDefault == CtDefaultWindow.Lung ? CtLung : CtSoftTissue;
            return (new VoiWindow(center, width), KeyImageWindowSource.ModalityDefault);
        }

        if (stored.Length == 0)
        {
            return (new VoiWindow(0, 1), KeyImageWindowSource.MinMax);
        }

        var (lo, hi) = (stored.Min() * slope + intercept, stored.Max() * slope + intercept);
        (lo, hi) = (Math.Min(lo, hi), Math.Max(lo, hi));
        return hi > lo
            ? (new VoiWindow((lo + hi) / 2, hi - lo, VoiLutFunction.LinearExact), KeyImageWindowSource.MinMax)
            : (new VoiWindow(lo, 1), KeyImageWindowSource.MinMax);
    }

    /// <summary>
    /// Paints each labelled pixel: opaque segment colour on the segment's contour (a pixel with a 4-neighbour of another
    /// label, or on the image's edge), the colour blended at <see cref="FillOpacity"/> inside. Unlabelled pixels are untouched.
    /// </summary>
    private static void Overlay(byte[] rgba, int width, int height, ReadOnlySpan<byte> labels, IReadOnlyDictionary<int, RgbColor> colors)
    {
        if (labels.IsEmpty)
        {
            return;
        }

        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var i = (y * width) + x;
                var label = labels[i];
                if (label == 0)
                {
                    continue;
                }

                var color = colors.TryGetValue(label, out var c) ? c : SegmentPalette.ColorOf(label);
                var contour = x == 0 || y == 0 || x == width - 1 || y == height - 1
                    || labels[i - 1] != label || labels[i + 1] != label || labels[i - width] != label || labels[i + width] != label;
                var alpha = contour ? 1.0 : FillOpacity;
                rgba[4 * i] = Blend(rgba[4 * i], color.R, alpha);
                rgba[(4 * i) + 1] = Blend(rgba[(4 * i) + 1], color.G, alpha);
                rgba[(4 * i) + 2] = Blend(rgba[(4 * i) + 2], color.B, alpha);
            }
        }
    }

    /// <summary>The blend of a base level and a colour channel at <paramref name="alpha"/>, rounded half up.</summary>
    public static byte Blend(byte baseLevel, byte color, double alpha) =>
        (byte)Math.Clamp((int)Math.Floor(((1 - alpha) * baseLevel) + (alpha * color) + 0.5), 0, 255);

    /// <summary>Draws "IA / AI" in yellow on a dark box in the top right corner; returns the box.</summary>
    private static PixelRect BurnAiMark(SKBitmap bitmap)
    {
        var size = Math.Clamp(Math.Min(bitmap.Width, bitmap.Height) / 14f, 8f, 40f);
        using var font = new SKFont(ReportFonts.ImageLabelTypeface, size);
        var textWidth = font.MeasureText(AiMark);
        var pad = Math.Max(2, (int)Math.Ceiling(size / 4));
        var boxWidth = Math.Min(bitmap.Width, (int)Math.Ceiling(textWidth) + (2 * pad));
        var boxHeight = Math.Min(bitmap.Height, (int)Math.Ceiling(size * 1.2f) + (2 * pad));
        var box = new PixelRect(bitmap.Width - boxWidth, 0, boxWidth, boxHeight);
        using var canvas = new SKCanvas(bitmap);
        canvas.ClipRect(new SKRect(box.X, box.Y, box.X + box.Width, box.Y + box.Height));
        using (var fill = new SKPaint { Color = new SKColor(0, 0, 0, 190), IsAntialias = false })
        {
            canvas.DrawRect(box.X, box.Y, box.Width, box.Height, fill);
        }

        using (var text = new SKPaint { Color = new SKColor(MarkText.R, MarkText.G, MarkText.B), IsAntialias = true })
        {
            font.GetFontMetrics(out var metrics);
            var baseline = box.Y + pad + ((box.Height - (2 * pad) - (metrics.Descent - metrics.Ascent)) / 2) - metrics.Ascent;
            canvas.DrawText(AiMark, box.X + pad, baseline, SKTextAlign.Left, font, text);
        }

        canvas.Flush();
        return box;
    }

    private static void Copy(byte[] rgba, SKBitmap bitmap)
    {
        var rowLength = bitmap.Width * 4;
        var pointer = bitmap.GetPixels();
        for (var y = 0; y < bitmap.Height; y++)
        {
            Marshal.Copy(rgba, y * rowLength, pointer + (y * bitmap.RowBytes), rowLength);
        }
    }

    /// <summary>An opaque bitmap of interleaved RGB pixels.</summary>
    internal static SKBitmap ToBitmap(byte[] rgb, int width, int height)
    {
        var rgba = new byte[width * height * 4];
        for (var i = 0; i < width * height; i++)
        {
            rgba[4 * i] = rgb[3 * i];
            rgba[(4 * i) + 1] = rgb[(3 * i) + 1];
            rgba[(4 * i) + 2] = rgb[(3 * i) + 2];
            rgba[(4 * i) + 3] = 255;
        }

        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        Copy(rgba, bitmap);
        return bitmap;
    }
}
