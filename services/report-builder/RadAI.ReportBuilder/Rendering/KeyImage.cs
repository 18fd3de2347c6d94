using RadAI.Contracts.Findings;
using SkiaSharp;

namespace RadAI.ReportBuilder.Rendering;

/// <summary>An 8-bit RGB colour.</summary>
public readonly record struct RgbColor(byte R, byte G, byte B);

/// <summary>The colour of each segment of a label map, the same in the key images, the PDF legend and the SEG.</summary>
public static class SegmentPalette
{
    // Saturated colours that stay distinct from each other and from grey levels (no two channels equal).
    private static readonly RgbColor[] Colors =
    [
        new(0, 176, 240),   // 1 blue
        new(255, 140, 0),   // 2 orange
        new(230, 30, 60),   // 3 red
        new(60, 200, 75),   // 4 green
        new(170, 80, 230),  // 5 violet
        new(255, 215, 10),  // 6 yellow
        new(0, 200, 170),   // 7 teal
        new(240, 80, 200),  // 8 pink
        new(150, 110, 40),  // 9 brown
        new(120, 150, 255), // 10 light blue
    ];

    /// <summary>The colour of segment <paramref name="segmentNumber"/> (1..255), cycling through ten colours.</summary>
    public static RgbColor ColorOf(int segmentNumber)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(segmentNumber, 1);
        return Colors[(segmentNumber - 1) % Colors.Length];
    }

    /// <summary>The colour of every segment of a run.</summary>
    public static IReadOnlyDictionary<int, RgbColor> For(IEnumerable<SegmentInfo> segments) =>
        segments.ToDictionary(s => s.Number, s => ColorOf(s.Number));
}

/// <summary>How a CT image without a window of its own is shown.</summary>
public enum CtDefaultWindow
{
    /// <summary>Soft tissue: centre 40, width 400 HU.</summary>
    SoftTissue,

    /// <summary>Lung: centre -600, width 1500 HU.</summary>
    Lung,
}

/// <summary>Where the window of a key image comes from.</summary>
public enum KeyImageWindowSource
{
    /// <summary>The image's Window Center (0028,1050) and Window Width (0028,1051), first pair.</summary>
    Image,

    /// <summary>The default of the modality (CT lung or soft tissue).</summary>
    ModalityDefault,

    /// <summary>The minimum and maximum of the image's values.</summary>
    MinMax,

    /// <summary>No window: a colour image shown as it is.</summary>
    None,
}

/// <summary>The window a key image was shown with, in modality units (HU for CT).</summary>
public sealed record KeyImageWindow(double Center, double Width, KeyImageWindowSource Source);

/// <summary>A rectangle of pixels.</summary>
public readonly record struct PixelRect(int X, int Y, int Width, int Height)
{
    /// <summary>True when pixel (<paramref name="x"/>, <paramref name="y"/>) is inside.</summary>
    public bool Contains(int x, int y) => x >= X && x < X + Width && y >= Y && y < Y + Height;
}

/// <summary>What to render: a source frame and the label map slice on the same grid.</summary>
/// <param name="SourcePath">The DICOM Part 10 file of the source image.</param>
/// <param name="Frame">The frame, 1-based (<see cref="ImageReference.Frame"/>).</param>
/// <param name="LabelSlice">Columns × Rows segment numbers, x fastest (one z plane of the run's label map); empty for no overlay.</param>
/// <param name="SegmentColors">Colour of each segment number; a segment without one gets <see cref="SegmentPalette.ColorOf"/>.</param>
/// <param name="CtWindowWhenMissing">The window of a CT image that has none of its own.</param>
public sealed record KeyImageRequest(
    string SourcePath,
    int Frame,
    ReadOnlyMemory<byte> LabelSlice,
    IReadOnlyDictionary<int, RgbColor> SegmentColors,
    CtDefaultWindow CtWindowWhenMissing = CtDefaultWindow.SoftTissue);

/// <summary>A rendered key image: the source pixels windowed, the segments overlaid, and the "IA / AI" mark burned in.</summary>
/// <param name="Width">Columns.</param>
/// <param name="Height">Rows.</param>
/// <param name="Rgb">Width × Height × 3 bytes, R G B interleaved, row after row (a Secondary Capture's Pixel Data).</param>
/// <param name="Png">The same pixels as a PNG file (lossless; what the PDF embeds).</param>
/// <param name="Window">The window used.</param>
/// <param name="AiMarkBounds">Where the "IA / AI" mark is burned in (the only pixels not from the source or the overlay).</param>
public sealed record KeyImage(int Width, int Height, byte[] Rgb, byte[] Png, KeyImageWindow Window, PixelRect AiMarkBounds)
{
    /// <summary>The pixels as a baseline JPEG file of <paramref name="quality"/> (1–100).</summary>
    public byte[] EncodeJpeg(int quality = 90)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(quality, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quality, 100);
        using var bitmap = KeyImageRenderer.ToBitmap(Rgb, Width, Height);
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, quality)
            ?? throw new InvalidOperationException("SkiaSharp could not encode the key image as JPEG.");
        return data.ToArray();
    }
}
