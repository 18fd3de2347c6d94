using System.Text.RegularExpressions;
using RadAI.ReportBuilder.Rendering;
using RadAI.Testing;
using SkiaSharp;
using Xunit;
using Xunit.Abstractions;

namespace RadAI.ReportBuilder.Tests.Rendering;

/// <summary>
/// Builds the report of the synthetic chest CT and reads it back with poppler: <c>pdftotext</c> for the words,
/// <c>pdffonts</c> for the embedded fonts, <c>pdfimages</c> for the key images, and <c>pdftoppm</c> renders every page
/// to PNG under <see cref="PagesFolder"/> so that a person can look at them.
/// </summary>
public sealed class PdfReportBuilderTests(ITestOutputHelper output) : IAsyncLifetime, IDisposable
{
    /// <summary>Where the rendered pages land: report-pages/ beside the test assembly.</summary>
    public static readonly string PagesFolder = Path.Combine(AppContext.BaseDirectory, "report-pages");

    private readonly TemporaryDirectory _folder = new("radai-pdf");
    private SyntheticChestCt _ct = null!;
    private List<ReportKeyImage> _keyImages = null!;

    public async Task InitializeAsync()
    {
        _ct = await SyntheticChestCt.WriteAsync(_folder.Path);
        var set = await KeyImageSet.RenderAsync(_ct.Results, new ReportOptions().MaxKeyImages, _ct.PathOf, _ct.OpenLabelMapAsync);
        Assert.Empty(set.Failures);
        _keyImages = [.. set.Images];
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task The_French_report_reads_back_with_its_accents_findings_status_and_key_images()
    {
        var logo = Logo();
        var pdf = PdfReportBuilder.Build(Input("fr", logo));
        var (path, text) = await ReadBackAsync(pdf, "fr");

        Assert.Contains("Hôpital Saint-Éloi", text);
        Assert.Contains("Compte rendu d'analyse par intelligence artificielle", text);
        Assert.Contains("Résultat non validé", text);
        Assert.Contains("résultat non validé", text);
        Assert.Contains("DUPONT Hélène", text);
        Assert.Contains("Médecin demandeur", text);
        Assert.Contains("Poumon droit", text);
        Assert.Contains("Poumon gauche", text);
        Assert.Contains("Atténuation moyenne", text);
        Assert.Contains("4,8", text);
        Assert.Contains("-861,7", text);
        Assert.Matches(@"2\s612,4", text);
        Assert.Contains("UH", text);
        Assert.Contains("Démonstration", text);
        Assert.Contains("CT lung quantification, version 1.2.0 (identifiant ct-lung-quant)", text);
        Assert.Contains("La région atteint la première ou la dernière coupe", text);
        Assert.Contains("A remark from a newer analyzer.", text);
        Assert.Contains("Images clés", text);
        // Captions wrap in their column (up to four key images in a row; pdftotext reads the row's lines across).
        var captions = text.Replace("\u00a0", " ", StringComparison.Ordinal);
        Assert.Contains("Poumon droit · coupe 3/6 · fenêtre C", captions);
        Assert.Contains("-600 / L 1 500", captions);
        Assert.Contains("Nodule 3", text);
        Assert.DoesNotContain("Right lung", text);

        var fonts = (await ExternalTool.RunAsync("pdffonts", path)).EnsureSuccess("pdffonts").Output;
        var fontLines = fonts.Split('\n').Skip(2).Where(l => l.Trim().Length > 0).ToList();
        Assert.NotEmpty(fontLines);
        Assert.All(fontLines, l => Assert.Matches(@"^[A-Z]{6}\+DejaVu Sans.*\byes\s+yes\s+yes\b", l));

        var images = (await ExternalTool.RunAsync("pdfimages", "-list", path)).EnsureSuccess("pdfimages").Output;
        var imageLines = images.Split('\n').Skip(2).Where(l => l.Trim().Length > 0).ToList();
        Assert.Equal(_keyImages.Count + 1, imageLines.Count(l => Regex.IsMatch(l, @"\bimage\b")));
        Assert.Contains(imageLines, l => Regex.IsMatch(l, $@"\bimage\s+{SyntheticChestCt.Columns}\s+{SyntheticChestCt.Rows}\s+rgb\b"));

        var info = (await ExternalTool.RunAsync("pdfinfo", path)).EnsureSuccess("pdfinfo").Output;
        Assert.DoesNotContain("DUPONT", info);
        Assert.DoesNotContain("PID-", info);
        var pages = await RenderPagesAsync(path, "fr");
        Assert.InRange(pages, 1, 2);
    }

    [Fact]
    public async Task The_English_report_speaks_English()
    {
        var pdf = PdfReportBuilder.Build(Input("en", logo: null));
        var (path, text) = await ReadBackAsync(pdf, "en");

        Assert.Contains("Artificial intelligence analysis report", text);
        Assert.Contains("Unvalidated result", text);
        Assert.Contains("unvalidated result", text);
        Assert.Contains("Right lung", text);
        Assert.Contains("Mean attenuation", text);
        Assert.Matches(@"2,612\.4", text);
        Assert.Contains("4.8", text);
        Assert.Contains("HU", text);
        Assert.Contains("Demonstration", text);
        Assert.Contains("Key images", text);
        Assert.DoesNotContain("Poumon", text);
        Assert.DoesNotContain("non validé", text);

        var images = (await ExternalTool.RunAsync("pdfimages", "-list", path)).EnsureSuccess("pdfimages").Output;
        Assert.Equal(_keyImages.Count, images.Split('\n').Count(l => Regex.IsMatch(l, @"\bimage\b")));
        Assert.InRange(await RenderPagesAsync(path, "en"), 1, 2);
    }

    [Fact]
    public async Task A_report_without_runs_or_images_says_so()
    {
        var input = Input("fr", logo: null) with { Results = _ct.Results with { Runs = [] }, KeyImages = [] };
        input = input with { PatientStudy = input.PatientStudy with { ReferringPhysician = " " } };
        var (_, text) = await ReadBackAsync(PdfReportBuilder.Build(input), "empty");
        Assert.Contains("Aucune analyse n'a abouti", text);
        Assert.Contains("non renseigné", text);
        Assert.DoesNotContain("Images clés", text);
    }

    [Fact]
    public async Task Each_run_has_its_algorithm_block_and_each_status_is_explained()
    {
        var lungs = _ct.Run;
        var research = lungs with
        {
            RunId = "run-2",
            Model = lungs.Model with { Id = "ct-nodule-research", Name = "Détection de nodules (recherche)", Status = "RESEARCH", Version = "0.9.1" },
            Findings = [lungs.Findings[3]],
            Notes = [new("candidates-truncated", "info", "12 candidates: the 10 with the highest mean probability are reported.")],
        };
        var input = Input("fr", logo: null) with { Results = _ct.Results with { Runs = [lungs, research] } };
        var (path, text) = await ReadBackAsync(PdfReportBuilder.Build(input), "two-runs");
        Assert.Contains("Statut du modèle DEMO — Démonstration", text);
        Assert.Contains("Statut du modèle RESEARCH — Recherche", text);
        Assert.Contains("Détection de nodules (recherche), version 0.9.1 (identifiant ct-nodule-research)", text);
        Assert.Contains("12 candidats", text);
        Assert.Contains("statut : recherche", text.Replace('\u00a0', ' '));
        Assert.InRange(await RenderPagesAsync(path, "two-runs"), 1, 3);
    }

    [Fact]
    public async Task A_large_key_image_is_reduced_for_the_page()
    {
        const int width = 2000, height = 1500;
        var rgb = new byte[width * height * 3];
        for (var i = 0; i < width * height; i++)
        {
            rgb[3 * i] = rgb[(3 * i) + 1] = rgb[(3 * i) + 2] = (byte)(i % width * 255 / width);
        }

        var large = new KeyImage(width, height, rgb, [], new KeyImageWindow(0, 0, KeyImageWindowSource.None), new PixelRect(0, 0, 0, 0));
        var input = Input("en", logo: null) with { KeyImages = [new ReportKeyImage(_keyImages[0].Slot, large)] };
        var (path, _) = await ReadBackAsync(PdfReportBuilder.Build(input), "large");
        var images = (await ExternalTool.RunAsync("pdfimages", "-list", path)).EnsureSuccess("pdfimages").Output;
        Assert.Matches($@"\bimage\s+{PdfReportBuilder.MaxEmbeddedPixels}\s+768\s+rgb\b", images);
    }

    [Fact]
    public void A_logo_that_is_not_an_image_is_refused()
    {
        Assert.Throws<ArgumentException>(() => PdfReportBuilder.Build(Input("fr", [1, 2, 3, 4, 5, 6, 7, 8, 9])));
        Assert.Throws<ArgumentException>(() => PdfReportBuilder.Build(Input("de", null)));
    }

    private PdfReportInput Input(string language, byte[]? logo) => new(
        new ReportInstitution("Hôpital Saint-Éloi — Imagerie", logo),
        new ReportPatientStudy("DUPONT Hélène", "PID-7319-SYNTH", "12/04/1939", "F", "05/01/2024", "ACC0001",
            "TDM thoracique sans injection", "Dr Émile Martin"),
        _ct.Results,
        _keyImages,
        language,
        new DateTimeOffset(2026, 11, 26, 3, 10, 0, TimeSpan.FromHours(1)));

    private async Task<(string Path, string Text)> ReadBackAsync(byte[] pdf, string name)
    {
        Assert.Equal("%PDF-"u8.ToArray(), pdf[..5]);
        Directory.CreateDirectory(PagesFolder);
        var path = Path.Combine(PagesFolder, $"report-{name}.pdf");
        await File.WriteAllBytesAsync(path, pdf);
        var text = (await ExternalTool.RunAsync("pdftotext", "-enc", "UTF-8", path, "-")).EnsureSuccess("pdftotext").Output;
        output.WriteLine(text);
        return (path, text);
    }

    private async Task<int> RenderPagesAsync(string pdf, string name)
    {
        foreach (var old in Directory.GetFiles(PagesFolder, $"report-{name}-*.png"))
        {
            File.Delete(old);
        }

        (await ExternalTool.RunAsync("pdftoppm", "-r", "110", "-png", pdf, Path.Combine(PagesFolder, $"report-{name}"))).EnsureSuccess("pdftoppm");
        var pages = Directory.GetFiles(PagesFolder, $"report-{name}-*.png").Order().ToList();
        foreach (var page in pages)
        {
            using var bitmap = SKBitmap.Decode(page);
            Assert.True(bitmap.Width > 800 && bitmap.Height > 1200, $"{page} is {bitmap.Width}×{bitmap.Height}.");
            output.WriteLine($"Page rendered: {page}");
        }

        return pages.Count;
    }

    /// <summary>A small PNG logo drawn with SkiaSharp.</summary>
    private static byte[] Logo()
    {
        using var bitmap = new SKBitmap(new SKImageInfo(120, 60, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(new SKColor(20, 70, 130));
            using var paint = new SKPaint { Color = SKColors.White, IsAntialias = true };
            canvas.DrawCircle(30, 30, 20, paint);
            canvas.DrawRect(60, 15, 45, 30, paint);
        }

        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
