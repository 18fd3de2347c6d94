using PdfSharp.Fonts;
using SkiaSharp;

namespace RadAI.ReportBuilder.Rendering;

/// <summary>
/// The report's fonts, shipped inside this assembly (DejaVu Sans regular and bold, Bitstream Vera licence in
/// <c>Rendering/Fonts/LICENSE-DejaVu.txt</c>), never taken from the operating system: the PDF looks the same on every
/// node, embeds its fonts, and every French letter has a glyph.
/// </summary>
public static class ReportFonts
{
    /// <summary>The family name the PDF uses.</summary>
    public const string Family = "DejaVu Sans";

    private const string RegularFace = "DejaVuSans";
    private const string BoldFace = "DejaVuSans-Bold";

    private static readonly Lazy<byte[]> Regular = new(() => Load(RegularFace));
    private static readonly Lazy<byte[]> Bold = new(() => Load(BoldFace));
    private static readonly Lazy<SKTypeface> BoldTypeface = new(() =>
        SKTypeface.FromData(SKData.CreateCopy(Bold.Value)) ?? throw new InvalidOperationException("SkiaSharp cannot read the embedded DejaVu Sans Bold."));

    private static readonly Lock RegistrationLock = new();

    /// <summary>The bold face for text burned into images.</summary>
    public static SKTypeface ImageLabelTypeface => BoldTypeface.Value;

    /// <summary>
    /// Makes the embedded fonts PDFsharp's font resolver (PDFsharp has one per process, set once, before any text is
    /// drawn); calling it again is harmless.
    /// </summary>
    /// <exception cref="InvalidOperationException">Another font resolver was registered in this process.</exception>
    public static void RegisterWithPdfSharp()
    {
        lock (RegistrationLock)
        {
            switch (GlobalFontSettings.FontResolver)
            {
                case EmbeddedFontResolver:
                    return;
                case null:
                    GlobalFontSettings.FontResolver = EmbeddedFontResolver.Instance;
                    return;
                case var other:
                    throw new InvalidOperationException(
                        $"PDFsharp already has the font resolver {other.GetType().FullName}; the report needs its own embedded fonts.");
            }
        }
    }

    private static byte[] Load(string face)
    {
        var resource = $"radai.report.fonts.{face}.ttf";
        using var stream = typeof(ReportFonts).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The embedded font {resource} is missing from {typeof(ReportFonts).Assembly.GetName().Name}.");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>Every family resolves to DejaVu Sans (bold when asked, italic simulated).</summary>
    private sealed class EmbeddedFontResolver : IFontResolver
    {
        public static readonly EmbeddedFontResolver Instance = new();

        public FontResolverInfo ResolveTypeface(string familyName, bool bold, bool italic) =>
            new(bold ? BoldFace : RegularFace, mustSimulateBold: false, mustSimulateItalic: italic);

        public byte[] GetFont(string faceName) => faceName == BoldFace ? Bold.Value : Regular.Value;
    }
}
