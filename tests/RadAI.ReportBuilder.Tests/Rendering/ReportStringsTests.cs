using System.ComponentModel.DataAnnotations;
using RadAI.Contracts.Findings;
using RadAI.ReportBuilder.Rendering;
using Xunit;

namespace RadAI.ReportBuilder.Tests.Rendering;

public sealed class ReportStringsTests
{
    private const char Nbsp = '\u00a0';
    private static readonly ReportStrings Fr = ReportStrings.For("fr");
    private static readonly ReportStrings En = ReportStrings.For("en");

    [Theory]
    [InlineData("fr", 4800.3, "ml", "4,8\u00a0L")]
    [InlineData("en", 4800.3, "ml", "4.8\u00a0L")]
    [InlineData("fr", 612.4, "ml", "612\u00a0mL")]
    [InlineData("fr", -861.7, "[hnsf'U]", "-862\u00a0UH")]
    [InlineData("en", -861.7, "[hnsf'U]", "-862\u00a0HU")]
    [InlineData("fr", 12.42, "%", "12,4\u00a0%")]
    [InlineData("fr", 8.34, "mm", "8,3\u00a0mm")]
    [InlineData("fr", 12.25, "cm2", "12,3\u00a0cm²")]
    [InlineData("fr", 0.873, "1", "0,873")]
    [InlineData("en", 12500, "ml", "12.5\u00a0L")]
    [InlineData("fr", double.NaN, "ml", "n. d.")]
    [InlineData("fr", 3.5, "[foo]", "3,5\u00a0[foo]")]
    public void Quantities_are_rounded_for_reading_with_the_language_separators_and_readable_units(string language, double value, string unit, string expected) =>
        Assert.Equal(expected, ReportStrings.For(language).Quantity(value, unit));

    [Fact]
    public void Table_values_keep_their_precision_and_group_thousands()
    {
        Assert.Equal($"2{Nbsp}612,4", Fr.Value(2612.4));
        Assert.Equal("2,612.4", En.Value(2612.4));
        Assert.Equal("-861,7", Fr.Value(-861.7));
        Assert.Equal("0,000123", Fr.Value(0.000123));
        Assert.Equal("12", Fr.Value(12.0));
        Assert.Equal($"1{Nbsp}234{Nbsp}567,89", Fr.Value(1234567.89));
        Assert.Equal("4,80", Fr.Number(4.8, 2));
        Assert.Equal("n/a", En.Value(double.PositiveInfinity));
    }

    [Fact]
    public void Units_are_written_as_readers_write_them()
    {
        Assert.Equal("mL", Fr.Unit("ml"));
        Assert.Equal("UH", Fr.Unit("[hnsf'U]"));
        Assert.Equal("HU", En.Unit("[hnsf'U]"));
        Assert.Equal("", Fr.Unit("1"));
        Assert.Equal("mm³", Fr.Unit("mm3"));
        Assert.Equal("kg", Fr.Unit("kg"));
    }

    [Fact]
    public void Dates_follow_the_language()
    {
        var at = new DateTimeOffset(2026, 11, 26, 3, 10, 0, TimeSpan.FromHours(1));
        Assert.Equal("26/11/2026 à 03:10 (UTC+01:00)", Fr.DateTime(at));
        Assert.Equal("26/11/2026 03:10 (UTC)", En.DateTime(new DateTimeOffset(2026, 11, 26, 3, 10, 0, TimeSpan.Zero)));
        Assert.Equal("05/01/2024", Fr.DicomDate("20240105"));
        Assert.Equal("2024", Fr.DicomDate("2024"));
        Assert.Equal("", Fr.DicomDate(null));
    }

    [Fact]
    public void Known_run_notes_are_translated_with_their_numbers_and_unknown_ones_stay_in_English()
    {
        Assert.Equal(
            "La région atteint la première ou la dernière coupe\u00a0: l'examen ne la couvre pas entièrement, le volume est alors sous-estimé.",
            Fr.Note(new RunNote("coverage-incomplete", "warning", "A lung reaches the first or last slice: apex or base may be outside the scan, volumes are then underestimated.")));
        Assert.Equal(
            "Trachée et bronches\u00a0: segmentées jusqu'au seuil de -950 UH et retirées des poumons.",
            Fr.Note(new RunNote("airway-grown", "info", "Trachea and bronchi: airway grown at HU <= -950, removed from the lungs.")));
        Assert.Equal(
            "0,25 % des pixels sont à la pleine échelle du détecteur\u00a0: l'anatomie y est perdue.",
            Fr.Note(new RunNote("saturated-area", "warning", "0.25 % of the pixels are at the detector's full scale: anatomy in those areas is lost.")));
        Assert.Equal(
            "12 candidats\u00a0: seuls les 10 de probabilité moyenne la plus élevée sont rapportés.",
            Fr.Note(new RunNote("candidates-truncated", "info", "12 candidates: the 10 with the highest mean probability are reported.")));
        Assert.StartsWith("DI +0,35\u00a0: dans la cible", Fr.Note(new RunNote("di-target-range", "info",
            "DI +0.35: target range (-0.5 <= DI <= +0.5) (AAPM Report 116 suggestion, informative only; each site sets its own action levels).")));
        Assert.Equal(
            "Le poumon gauche est vide après la séparation\u00a0: un seul poumon est mesuré.",
            Fr.Note(new RunNote("lungs-not-separated", "warning", "The left lung is empty after the split: only one lung is measured.")));

        var unknown = new RunNote("future-remark", "info", "A remark from a newer analyzer.");
        Assert.Equal(unknown.Text, Fr.Note(unknown));
        Assert.Equal(unknown.Text, En.Note(unknown));

        // A translation that needs a number the English text lacks falls back to the English text.
        var reworded = new RunNote("components-dropped", "info", "Some other low-density regions were not counted as lung.");
        Assert.Equal(reworded.Text, Fr.Note(reworded));
        var english = new RunNote("coverage-incomplete", "warning", "A lung reaches the first or last slice.");
        Assert.Equal(english.Text, En.Note(english));
    }

    [Fact]
    public void Every_note_code_the_inference_analyzers_emit_has_a_French_translation()
    {
        var root = RadAI.Testing.RepositoryPaths.Root;
        var analyzers = Directory.GetFiles(Path.Combine(root, "services", "inference"), "*.cs", SearchOption.AllDirectories);
        var codes = analyzers
            .SelectMany(f => System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(f), @"new(?: RunNote)?\(""([a-z0-9-]+)"", ""(?:info|warning)""").Select(m => m.Groups[1].Value))
            .Concat(analyzers.SelectMany(f => System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(f), @"=> ""(di-[a-z-]+)""").Select(m => m.Groups[1].Value)))
            .ToHashSet();
        Assert.Contains("coverage-incomplete", codes);
        Assert.True(codes.Count > 30, $"Only {codes.Count} codes found: the scan of the analyzers is broken.");
        var keys = Fr.Keys().ToList();
        var missing = codes.Where(c => !keys.Any(k => k == $"notes.{c}" || k.StartsWith($"notes.{c}|", StringComparison.Ordinal))).ToList();
        Assert.True(missing.Count == 0, "Without a French translation: " + string.Join(", ", missing));
    }

    [Fact]
    public void Both_languages_hold_the_same_words()
    {
        var fr = Fr.Keys().Where(k => !k.StartsWith("notes.", StringComparison.Ordinal)).ToHashSet();
        var en = En.Keys().Where(k => !k.StartsWith("notes.", StringComparison.Ordinal)).ToHashSet();
        Assert.Empty(fr.Except(en));
        Assert.Empty(en.Except(fr));
        Assert.Contains("text.disclaimerTitle", fr);
    }

    [Fact]
    public void Model_status_and_findings_are_named_in_plain_words()
    {
        Assert.StartsWith("Démonstration", Fr.StatusDescription("DEMO"));
        Assert.StartsWith("Recherche", Fr.StatusDescription("research"));
        Assert.StartsWith("Research", En.StatusDescription("RESEARCH"));
        Assert.Contains("BETA", Fr.StatusDescription("BETA"));

        var lung = new Code("SCT", "39607008", "Lung");
        Assert.Equal("Poumon droit", Fr.FindingName(new Finding("lung-right", "organ", lung, lung, 1, [], null, new Code("SCT", "24028007", "Right"))));
        Assert.Equal("Left lung", En.FindingName(new Finding("lung-left", "organ", lung, lung, 2, [], null, new Code("SCT", "7771000", "Left"))));
        Assert.Equal("Nodule 3", Fr.FindingName(new Finding("candidate-3", "lesion", new Code("SCT", "27925004", "Nodule"), null, 3, [], null)));
        var kidney = new Code("SCT", "64033007", "Kidney");
        Assert.Equal("Kidney (côté gauche)", Fr.FindingName(new Finding("k", "organ", kidney, kidney, null, [], null, new Code("SCT", "7771000", "Left"))));

        var attenuation = new Measurement(new Code("DCM", "112031", "Attenuation Coefficient"), -860, "[hnsf'U]", "Hounsfield unit", new Code("SCT", "373098007", "Mean"));
        Assert.Equal("Atténuation moyenne", Fr.Measurement(attenuation));
        var pixel = new Measurement(new Code("99RADAI", "PXVAL", "Pixel value"), 3, "1", "no units", new Code("99RADAI", "P50", "50th percentile"));
        Assert.Equal("Valeur de pixel (médiane)", Fr.Measurement(pixel));
        var unknown = new Measurement(new Code("99X", "Z", "Something new"), 3, "1", "no units");
        Assert.Equal("Something new", Fr.Measurement(unknown));
    }

    [Fact]
    public void Unknown_languages_are_refused_and_options_are_validated()
    {
        Assert.Throws<ArgumentException>(() => ReportStrings.For("de"));
        Assert.Same(Fr, ReportStrings.For("FR"));

        static List<ValidationResult> Validate(ReportOptions options)
        {
            var results = new List<ValidationResult>();
            Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
            return results;
        }

        Assert.Empty(Validate(new ReportOptions()));
        Assert.Equal("fr", new ReportOptions().Language);
        Assert.NotEmpty(Validate(new ReportOptions { Language = "de" }));
        Assert.NotEmpty(Validate(new ReportOptions { MaxKeyImages = 50 }));
        Assert.NotEmpty(Validate(new ReportOptions { InstitutionName = "" }));
        Assert.NotEmpty(Validate(new ReportOptions { LogoPath = "/nonexistent/logo.png" }));
    }
}
