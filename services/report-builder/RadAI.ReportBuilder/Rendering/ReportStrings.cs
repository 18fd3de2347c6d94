using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using RadAI.Contracts.Findings;

namespace RadAI.ReportBuilder.Rendering;

/// <summary>The report languages.</summary>
public static class ReportLanguage
{
    /// <summary>French, the default.</summary>
    public const string French = "fr";

    /// <summary>English (British conventions: day/month/year).</summary>
    public const string English = "en";

    /// <summary>The languages with a strings file.</summary>
    public static IReadOnlyList<string> All { get; } = [French, English];
}

/// <summary>
/// The user-facing words of one report language, read from the embedded <c>Rendering/Strings/report-&lt;language&gt;.json</c>
/// (one file per language, the only place its words live; the names of findings, measurements and units are
/// <see cref="FindingNames"/>'s, shared with the dashboard), with the number and date conventions of the language:
/// <c>4,8</c> and <c>1 234,5</c> (no-break space) in French, <c>4.8</c> and <c>1,234.5</c> in English. Formatting does not
/// depend on the process culture (the services run with invariant globalization).
/// </summary>
public sealed partial class ReportStrings
{
    private static readonly ConcurrentDictionary<string, ReportStrings> Cache = new(StringComparer.Ordinal);

    private readonly FrozenDictionary<string, FrozenDictionary<string, string>> _sections;
    private readonly string _dateFormat;
    private readonly string _dateTimeFormat;

    private ReportStrings(string language, StringsFile file)
    {
        Language = language;
        var culture = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        culture.NumberFormat.NumberDecimalSeparator = file.DecimalSeparator;
        culture.NumberFormat.NumberGroupSeparator = file.GroupSeparator;
        culture.NumberFormat.PercentDecimalSeparator = file.DecimalSeparator;
        culture.NumberFormat.PercentGroupSeparator = file.GroupSeparator;
        Culture = CultureInfo.ReadOnly(culture);
        _dateFormat = file.DateFormat;
        _dateTimeFormat = file.DateTimeFormat;
        Names = FindingNames.For(language);
        _sections = new Dictionary<string, FrozenDictionary<string, string>>
        {
            ["text"] = file.Text.ToFrozenDictionary(StringComparer.Ordinal),
            ["status"] = file.Status.ToFrozenDictionary(StringComparer.Ordinal),
            ["statusShort"] = file.StatusShort.ToFrozenDictionary(StringComparer.Ordinal),
            ["notes"] = file.Notes.ToFrozenDictionary(StringComparer.Ordinal),
            ["narrative"] = file.Narrative.ToFrozenDictionary(StringComparer.Ordinal),
        }.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary><c>fr</c> or <c>en</c>.</summary>
    public string Language { get; }

    /// <summary>The names of findings, measurements and units in the language (shared with the dashboard, <see cref="FindingNames"/>).</summary>
    public FindingNames Names { get; }

    /// <summary>Number conventions of the language (a read-only invariant culture with its separators).</summary>
    public CultureInfo Culture { get; }

    /// <summary>The strings of <paramref name="language"/> (<c>fr</c> or <c>en</c>, case-insensitive), loaded once.</summary>
    /// <exception cref="ArgumentException">A language without a strings file.</exception>
    public static ReportStrings For(string language)
    {
        ArgumentNullException.ThrowIfNull(language);
        var key = language.Trim().ToLowerInvariant();
        if (!ReportLanguage.All.Contains(key))
        {
            throw new ArgumentException($"Report language '{language}' is not available ({string.Join(", ", ReportLanguage.All)} are).", nameof(language));
        }

        return Cache.GetOrAdd(key, Load);
    }

    /// <summary>Every key of every section, as <c>section.key</c> (to check that the languages hold the same words).</summary>
    public IEnumerable<string> Keys() => _sections.SelectMany(s => s.Value.Keys.Select(k => $"{s.Key}.{k}")).Concat(Names.Keys());

    /// <summary>A plain text of the <c>text</c> section.</summary>
    /// <exception cref="KeyNotFoundException">A key the strings file lacks (a defect: every key is checked by tests).</exception>
    public string Text(string key) => Get("text", key);

    /// <summary>A text of the <c>text</c> section with its placeholders filled, numbers in the language's conventions.</summary>
    public string Format(string key, params object?[] arguments) => string.Format(Culture, Text(key), arguments);

    /// <summary>A template of the <c>narrative</c> section with its placeholders filled.</summary>
    public string Narrative(string key, params object?[] arguments) => string.Format(Culture, Get("narrative", key), arguments);

    /// <summary>The model status (DEMO, RESEARCH, CLINICAL) in plain words: what it means for the reader.</summary>
    public string StatusDescription(string status) =>
        _sections["status"].TryGetValue(Normalize(status), out var text) ? text : string.Format(Culture, Get("status", "unknown"), status);

    /// <summary>The model status as one or two words (e.g. <c>démonstration</c>).</summary>
    public string StatusShort(string status) =>
        _sections["statusShort"].TryGetValue(Normalize(status), out var text) ? text : Get("statusShort", "unknown");

    /// <summary>
    /// A run note in the language: the translation of its exact English text when there is one, else of its code, with
    /// <c>{0}</c>, <c>{1}</c>… replaced by the numbers of the English text in order (in the language's conventions);
    /// the English text itself for an unknown code, for English, or when the text lacks the numbers a translation needs.
    /// </summary>
    public string Note(RunNote note)
    {
        ArgumentNullException.ThrowIfNull(note);
        var notes = _sections["notes"];
        if (notes.TryGetValue($"{note.Code}|{note.Text}", out var exact))
        {
            return exact;
        }

        if (!notes.TryGetValue(note.Code, out var template))
        {
            return note.Text;
        }

        var numbers = NumberInText().Matches(note.Text).Select(m => LocalizeNumber(m.Value)).ToArray();
        var needed = Placeholder().Matches(template).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) + 1).DefaultIfEmpty(0).Max();
        return needed > numbers.Length ? note.Text : Placeholder().Replace(template, m => numbers[int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)]);
    }

    /// <summary>What a measurement measures, e.g. <c>Atténuation moyenne</c>; the code meaning (English) when unknown.</summary>
    public string Measurement(Measurement measurement) => Names.MeasurementName(measurement);

    /// <summary>The caption of a key image: what it shows, its slice and the window it is shown with (PDF and Secondary Capture).</summary>
    public string KeyImageCaption(ReportKeyImage key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var window = key.Image.Window.Source == KeyImageWindowSource.None
            ? "-"
            : Format("windowText", Number(key.Image.Window.Center, 0), Number(key.Image.Window.Width, 0));
        return Format("keyImageCaption", FindingName(key.Slot.Finding), key.Slot.Slice + 1, key.Slot.Run.Geometry.SizeZ, window);
    }

    /// <summary>
    /// The name of a finding for the reader: its type with its laterality (<c>Poumon droit</c>), numbered by its segment for
    /// a lesion (<c>Nodule 1</c>); the code meanings (English) when unknown.
    /// </summary>
    public string FindingName(Finding finding) => Names.FindingName(finding);

    /// <summary>A UCUM unit as a reader writes it (<c>ml</c> → <c>mL</c>, <c>[hnsf'U]</c> → <c>UH</c>/<c>HU</c>, <c>1</c> → nothing).</summary>
    public string Unit(string ucum) => Names.Unit(ucum);

    /// <summary>
    /// A measured value as stored (at most 6 decimals, no trailing zeros) with digit grouping, e.g. <c>2 612,4</c>;
    /// <c>n. d.</c> for a value that is not a number.
    /// </summary>
    public string Value(double value) => double.IsFinite(value) ? value.ToString("#,##0.######", Culture) : Text("notAvailable");

    /// <summary>A number with a fixed count of decimals, e.g. <c>4,8</c>.</summary>
    public string Number(double value, int decimals) =>
        double.IsFinite(value) ? value.ToString("#,##0" + (decimals > 0 ? "." + new string('0', decimals) : ""), Culture) : Text("notAvailable");

    /// <summary>
    /// A value and its unit rounded for a sentence: volumes of 1000 mL and more in litres with one decimal (<c>4,8 L</c>),
    /// smaller ones in whole millilitres, Hounsfield units whole, percentages and lengths with one decimal, others as stored.
    /// </summary>
    public string Quantity(double value, string ucum)
    {
        if (!double.IsFinite(value))
        {
            return Text("notAvailable");
        }

        var (number, unit) = ucum switch
        {
            "ml" when Math.Abs(value) >= 1000 => (Number(value / 1000, 1), Unit("l")),
            "ml" or "[hnsf'U]" or "mm3" => (Number(value, 0), Unit(ucum)),
            "%" or "mm" or "cm" or "mm2" or "cm2" => (Number(value, 1), Unit(ucum)),
            _ => (Value(value), Unit(ucum)),
        };
        return unit.Length == 0 ? number : $"{number}\u00a0{unit}";
    }

    /// <summary>A date and time with its offset, e.g. <c>26/11/2026 à 03:10 (UTC+01:00)</c>.</summary>
    public string DateTime(DateTimeOffset value)
    {
        var text = value.ToString(_dateTimeFormat, CultureInfo.InvariantCulture);
        return value.Offset == TimeSpan.Zero
            ? $"{text} (UTC)"
            : $"{text} (UTC{(value.Offset < TimeSpan.Zero ? "-" : "+")}{value.Offset:hh\\:mm})";
    }

    /// <summary>A DICOM DA value (<c>YYYYMMDD</c>) in the language's convention; the text as given when it is not one; empty for none.</summary>
    public string DicomDate(string? value)
    {
        var trimmed = value?.Trim() ?? "";
        return System.DateTime.TryParseExact(trimmed, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date.ToString(_dateFormat, CultureInfo.InvariantCulture)
            : trimmed;
    }

    /// <summary><c>SCHEME:VALUE</c>, the key of a code in the strings files.</summary>
    public static string Key(Code code) => FindingNames.Key(code);

    private string Get(string section, string key) =>
        _sections[section].TryGetValue(key, out var text)
            ? text
            : throw new KeyNotFoundException($"The {Language} report strings have no '{section}.{key}'.");

    private static string Normalize(string? status) => (status ?? "").Trim().ToUpperInvariant();

    private string LocalizeNumber(string number) => number.Replace(".", Culture.NumberFormat.NumberDecimalSeparator, StringComparison.Ordinal);

    private static ReportStrings Load(string language)
    {
        var resource = $"radai.report.strings.report-{language}.json";
        using var stream = typeof(ReportStrings).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The embedded resource {resource} is missing from {typeof(ReportStrings).Assembly.GetName().Name}.");
        var file = JsonSerializer.Deserialize(stream, ReportStringsJsonContext.Default.StringsFile)
            ?? throw new InvalidOperationException($"{resource} is empty.");
        return file.Language == language
            ? new ReportStrings(language, file)
            : throw new InvalidOperationException($"{resource} says its language is '{file.Language}'.");
    }

    /// <summary>A number as the inference services write it in English notes: optional sign, digits, optional decimals.</summary>
    [GeneratedRegex(@"(?<![\w.])[-+]?\d+(?:\.\d+)?(?![\w])")]
    private static partial Regex NumberInText();

    [GeneratedRegex(@"\{(\d+)\}")]
    private static partial Regex Placeholder();

    internal sealed record StringsFile(
        string Language,
        string DecimalSeparator,
        string GroupSeparator,
        string DateFormat,
        string DateTimeFormat,
        Dictionary<string, string> Text,
        Dictionary<string, string> Status,
        Dictionary<string, string> StatusShort,
        Dictionary<string, string> Notes,
        Dictionary<string, string> Narrative);
}

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase, ReadCommentHandling = JsonCommentHandling.Skip)]
[System.Text.Json.Serialization.JsonSerializable(typeof(ReportStrings.StringsFile))]
internal sealed partial class ReportStringsJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
