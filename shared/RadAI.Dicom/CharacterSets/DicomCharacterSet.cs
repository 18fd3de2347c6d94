using System.Collections.Concurrent;
using System.Text;

namespace RadAI.Dicom;

/// <summary>
/// The character repertoires of a dataset, from the value of Specific Character Set (0008,0005)
/// (PS3.3 C.12.1.1.2, PS3.5 §6.1): decodes string values to text and encodes text for writing.
/// <para>
/// Decoding follows pydicom 2.3 (the reference: RadAI's text equals pydicom's for every file of
/// pydicom's test corpus), including its fallbacks: misspelled terms (<c>ISO IR 100</c>), Python codec
/// names used as terms (<c>latin1</c>), unknown terms (default repertoire, with a warning), bytes invalid
/// in the declared sets (U+FFFD), unknown escape sequences. The default repertoire is decoded as
/// ISO 8859-1, as pydicom does. Encoding is strict: a character the declared sets cannot encode throws.
/// </para>
/// Instances are immutable and thread-safe.
/// </summary>
public sealed partial class DicomCharacterSet
{
    private const int MaxCached = 64;

    private static readonly ConcurrentDictionary<string, DicomCharacterSet> Cache = new(StringComparer.Ordinal);

    private readonly CharacterSetEntry[] _entries;
    private readonly Codec _first;
    private readonly Iso2022Model? _iso2022;
    private readonly string _text;

    private DicomCharacterSet(string[] terms, CharacterSetEntry[] entries, string[] warnings)
    {
        Terms = terms;
        _entries = entries;
        _first = entries[0].Codec;
        Warnings = warnings;
        _text = terms.Length == 0 ? "ISO_IR 6" : string.Join('\\', terms);
        IsDefault = Array.TrueForAll(entries, e => e.PythonName == CharacterSetTerms.DefaultPythonName);
        IsUtf8 = _first is Utf8Codec;
        _iso2022 = entries.Length > 1 || _first is Iso2022JpCodec ? Iso2022Model.Create(entries) : null;
    }

    /// <summary>The default character repertoire (ISO_IR 6): no Specific Character Set.</summary>
    public static DicomCharacterSet Default { get; } =
        new([], [CharacterSetTerms.DefaultEntry("")], []);

    /// <summary>The values of Specific Character Set, trimmed (an empty first value kept as ""); empty for the default.</summary>
    public IReadOnlyList<string> Terms { get; }

    /// <summary>Unknown, misspelled or misplaced terms, and the fallback taken for each (pydicom's wording).</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>True when the text is decoded and encoded with the default repertoire only.</summary>
    public bool IsDefault { get; }

    /// <summary>True for ISO_IR 192 (UTF-8).</summary>
    public bool IsUtf8 { get; }

    /// <summary>
    /// The character set of a Specific Character Set element from its raw value: values split at '\' and
    /// trimmed of spaces and NULs; an empty first value stands for the default repertoire (as in
    /// <c>\ISO 2022 IR 87</c>). Common values are cached.
    /// </summary>
    public static DicomCharacterSet FromSpecificCharacterSet(ReadOnlySpan<byte> rawValue)
    {
        rawValue = rawValue.Trim(" \0"u8);
        if (rawValue.IsEmpty)
        {
            return Default;
        }

        if (rawValue.Length <= 128)
        {
            Span<char> key = stackalloc char[rawValue.Length];
            Encoding.Latin1.GetChars(rawValue, key);
            var lookup = Cache.GetAlternateLookup<ReadOnlySpan<char>>();
            if (lookup.TryGetValue(key, out var cached))
            {
                return cached;
            }

            var created = FromTerms(SplitTerms(key));
            if (Cache.Count < MaxCached)
            {
                lookup.TryAdd(key, created);
            }

            return created;
        }

        return FromTerms(SplitTerms(Encoding.Latin1.GetString(rawValue)));
    }

    /// <summary>The character set of the given values of Specific Character Set (each trimmed of spaces).</summary>
    public static DicomCharacterSet FromTerms(IEnumerable<string> terms)
    {
        ArgumentNullException.ThrowIfNull(terms);
        var list = new List<string>();
        foreach (var term in terms)
        {
            list.Add((term ?? "").Trim(' ', '\0'));
        }

        if (list.Count == 0 || (list.Count == 1 && list[0].Length == 0))
        {
            return Default;
        }

        var warnings = new List<string>();
        var entries = new List<CharacterSetEntry>(list.Count);
        for (var i = 0; i < list.Count; i++)
        {
            // pydicom: an empty value 1 of a multi-valued Specific Character Set is ISO_IR 6
            var lookup = i == 0 && list[i].Length == 0 ? "ISO_IR 6" : list[i];
            entries.Add(CharacterSetTerms.Resolve(lookup, warnings) with { Term = list[i] });
        }

        if (list.Count > 1)
        {
            RemoveIllegalStandAlone(list, entries, warnings);
        }

        return new DicomCharacterSet([.. list], [.. entries], [.. warnings]);
    }

    /// <summary>The value of Specific Character Set, e.g. <c>\ISO 2022 IR 87</c>; ISO_IR 6 for the default.</summary>
    public override string ToString() => _text;

    private static string[] SplitTerms(ReadOnlySpan<char> value)
    {
        var terms = new List<string>();
        foreach (var range in value.Split('\\'))
        {
            terms.Add(value[range].ToString());
        }

        return [.. terms];
    }

    /// <summary>
    /// ISO_IR 192, GBK and GB18030 allow no code extension (PS3.5 §6.1.2.5.4 d): as value 1 the other values
    /// are ignored; elsewhere they are ignored themselves. Compares the terms as written, as pydicom does.
    /// </summary>
    private static void RemoveIllegalStandAlone(List<string> terms, List<CharacterSetEntry> entries, List<string> warnings)
    {
        var first = terms[0];
        if (CharacterSetTerms.IsStandAlone(first))
        {
            warnings.Add($"Value '{first}' for Specific Character Set does not allow code extensions, ignoring: {string.Join(", ", terms.Skip(1))}");
            entries.RemoveRange(1, entries.Count - 1);
            return;
        }

        for (var i = entries.Count - 1; i >= 1; i--)
        {
            if (CharacterSetTerms.IsStandAlone(terms[i]))
            {
                warnings.Add($"Value '{terms[i]}' cannot be used as code extension, ignoring it");
                entries.RemoveAt(i);
            }
        }
    }
}
