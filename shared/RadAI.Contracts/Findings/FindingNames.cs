using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace RadAI.Contracts.Findings;

/// <summary>
/// The reader's names of what a finding is and measures, in one language: finding types with their laterality
/// (<c>Poumon droit</c>), lateralities, measured concepts with their derivation (<c>Atténuation moyenne</c>) and units
/// (<c>UH</c>). The one source of these words: the PDF report (report-builder) and the dashboard (through the api's
/// findings endpoint) both read the embedded <c>Findings/Names/finding-names-&lt;language&gt;.json</c>. A code without an
/// entry keeps its code meaning (English), as the SR carries it.
/// </summary>
public sealed class FindingNames
{
    /// <summary>French, the default.</summary>
    public const string French = "fr";

    /// <summary>English.</summary>
    public const string English = "en";

    private static readonly ConcurrentDictionary<string, FindingNames> Cache = new(StringComparer.Ordinal);

    private readonly FrozenDictionary<string, FrozenDictionary<string, string>> _sections;

    private FindingNames(string language, NamesFile file)
    {
        Language = language;
        _sections = new Dictionary<string, FrozenDictionary<string, string>>
        {
            ["findings"] = file.Findings.ToFrozenDictionary(StringComparer.Ordinal),
            ["lateralities"] = file.Lateralities.ToFrozenDictionary(StringComparer.Ordinal),
            ["concepts"] = file.Concepts.ToFrozenDictionary(StringComparer.Ordinal),
            ["derivations"] = file.Derivations.ToFrozenDictionary(StringComparer.Ordinal),
            ["units"] = file.Units.ToFrozenDictionary(StringComparer.Ordinal),
        }.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>The languages with a names file.</summary>
    public static IReadOnlyList<string> Languages { get; } = [French, English];

    /// <summary><c>fr</c> or <c>en</c>.</summary>
    public string Language { get; }

    /// <summary>The names of <paramref name="language"/> (<c>fr</c> or <c>en</c>, case-insensitive), loaded once.</summary>
    /// <exception cref="ArgumentException">A language without a names file.</exception>
    public static FindingNames For(string language)
    {
        ArgumentNullException.ThrowIfNull(language);
        var key = language.Trim().ToLowerInvariant();
        if (!Languages.Contains(key))
        {
            throw new ArgumentException($"Language '{language}' has no finding names ({string.Join(", ", Languages)} have).", nameof(language));
        }

        return Cache.GetOrAdd(key, Load);
    }

    /// <summary>Every key of every section, as <c>section.key</c> (to check that the languages name the same codes).</summary>
    public IEnumerable<string> Keys() => _sections.SelectMany(s => s.Value.Keys.Select(k => $"{s.Key}.{k}"));

    /// <summary>
    /// The name of a finding for the reader: its type with its laterality (<c>Poumon droit</c>), numbered by its segment
    /// for a lesion (<c>Nodule 1</c>); the code meanings (English) when unknown.
    /// </summary>
    public string FindingName(Finding finding)
    {
        ArgumentNullException.ThrowIfNull(finding);
        var name = WithLaterality(finding.Type, finding.Laterality);
        return finding.Kind == "lesion" && finding.SegmentNumber is { } number
            ? string.Create(CultureInfo.InvariantCulture, $"{name} {number}")
            : name;
    }

    /// <summary>Where a finding is: its site with its laterality (<c>Poumon droit</c>), the laterality alone without a site; null with neither.</summary>
    public string? SiteName(Finding finding)
    {
        ArgumentNullException.ThrowIfNull(finding);
        if (finding.Site is { } site)
        {
            return WithLaterality(site, finding.Laterality);
        }

        return finding.Laterality is { } side ? LateralityName(side) : null;
    }

    /// <summary>A laterality (<c>côté droit</c>); its code meaning when unknown.</summary>
    public string LateralityName(Code laterality)
    {
        ArgumentNullException.ThrowIfNull(laterality);
        return _sections["lateralities"].TryGetValue(Key(laterality), out var text) ? text : laterality.Meaning;
    }

    /// <summary>What a measurement measures, e.g. <c>Atténuation moyenne</c>; the code meaning (English) when unknown.</summary>
    public string MeasurementName(Measurement measurement)
    {
        ArgumentNullException.ThrowIfNull(measurement);
        var concepts = _sections["concepts"];
        var key = Key(measurement.Concept);
        if (measurement.Derivation is { } derivation)
        {
            if (concepts.TryGetValue($"{key}|{Key(derivation)}", out var combined))
            {
                return combined;
            }

            var name = concepts.TryGetValue(key, out var plain) ? plain : measurement.Concept.Meaning;
            var how = _sections["derivations"].TryGetValue(Key(derivation), out var d) ? d : derivation.Meaning;
            return $"{name} ({how})";
        }

        return concepts.TryGetValue(key, out var text) ? text : measurement.Concept.Meaning;
    }

    /// <summary>A UCUM unit as a reader writes it (<c>ml</c> → <c>mL</c>, <c>[hnsf'U]</c> → <c>UH</c>/<c>HU</c>, <c>1</c> → nothing); the code itself when unknown.</summary>
    public string Unit(string ucum) => _sections["units"].TryGetValue(ucum ?? "", out var text) ? text : ucum ?? "";

    /// <summary>Whether <paramref name="ucum"/> has a reader's name (else a reader sees the unit's meaning).</summary>
    public bool HasUnit(string ucum) => _sections["units"].ContainsKey(ucum ?? "");

    /// <summary><c>SCHEME:VALUE</c>, the key of a code in the names files.</summary>
    public static string Key(Code code)
    {
        ArgumentNullException.ThrowIfNull(code);
        return $"{code.Scheme}:{code.Value}";
    }

    private string WithLaterality(Code code, Code? laterality)
    {
        var findings = _sections["findings"];
        var key = Key(code);
        if (laterality is not null && findings.TryGetValue($"{key}|{Key(laterality)}", out var lateral))
        {
            return lateral;
        }

        var name = findings.TryGetValue(key, out var plain) ? plain : code.Meaning;
        return laterality is null ? name : $"{name} ({LateralityName(laterality)})";
    }

    private static FindingNames Load(string language)
    {
        var resource = $"radai.finding-names-{language}.json";
        using var stream = typeof(FindingNames).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The embedded resource {resource} is missing from {typeof(FindingNames).Assembly.GetName().Name}.");
        var file = JsonSerializer.Deserialize(stream, FindingNamesJsonContext.Default.NamesFile)
            ?? throw new InvalidOperationException($"{resource} is empty.");
        return file.Language == language
            ? new FindingNames(language, file)
            : throw new InvalidOperationException($"{resource} says its language is '{file.Language}'.");
    }

    /// <summary>The layout of a names file.</summary>
    /// <param name="Language">Its language.</param>
    /// <param name="Findings">Finding types (and sites), <c>SCHEME:VALUE</c> or <c>type|laterality</c>.</param>
    /// <param name="Lateralities">Lateralities.</param>
    /// <param name="Concepts">Measured concepts, <c>SCHEME:VALUE</c> or <c>concept|derivation</c>.</param>
    /// <param name="Derivations">Derivations (mean, median…).</param>
    /// <param name="Units">UCUM units as written for a reader.</param>
    internal sealed record NamesFile(
        string Language,
        Dictionary<string, string> Findings,
        Dictionary<string, string> Lateralities,
        Dictionary<string, string> Concepts,
        Dictionary<string, string> Derivations,
        Dictionary<string, string> Units);
}

/// <summary>Source-generated reading of the names files.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, ReadCommentHandling = JsonCommentHandling.Skip)]
[JsonSerializable(typeof(FindingNames.NamesFile))]
internal sealed partial class FindingNamesJsonContext : JsonSerializerContext;
