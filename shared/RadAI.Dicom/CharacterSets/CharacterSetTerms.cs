using System.Collections.Frozen;

namespace RadAI.Dicom;

/// <summary>One value of Specific Character Set once resolved: the codec name pydicom uses for it, and the codec.</summary>
/// <param name="Term">The defined term as written (trimmed).</param>
/// <param name="PythonName">
/// pydicom's name for the encoding (e.g. <c>latin_1</c>, <c>iso_ir_126</c>, or the term itself when the
/// term is a Python codec name): escape sequences are matched against these names.
/// </param>
/// <param name="Codec">The decoder.</param>
internal sealed record CharacterSetEntry(string Term, string PythonName, Codec Codec);

/// <summary>
/// Resolution of the defined terms of Specific Character Set (PS3.3 C.12.1.1.2) to codecs, with
/// pydicom's fallbacks for misspelled and unknown terms (pydicom 2.3 <c>charset.convert_encodings</c>).
/// </summary>
internal static class CharacterSetTerms
{
    /// <summary>pydicom's name of the default encoding; pydicom decodes the default repertoire as ISO 8859-1.</summary>
    public const string DefaultPythonName = "iso8859";

    /// <summary>The terms that allow no code extension (PS3.3 table C.12-5).</summary>
    public static bool IsStandAlone(string term) => term is "ISO_IR 192" or "GBK" or "GB18030";

    /// <summary>Defined terms to pydicom's encoding names (pydicom.charset.python_encoding).</summary>
    private static readonly FrozenDictionary<string, string> DefinedTerms = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [""] = DefaultPythonName,
        ["ISO_IR 6"] = DefaultPythonName,
        ["ISO_IR 13"] = "shift_jis",
        ["ISO_IR 100"] = "latin_1",
        ["ISO_IR 101"] = "iso8859_2",
        ["ISO_IR 109"] = "iso8859_3",
        ["ISO_IR 110"] = "iso8859_4",
        ["ISO_IR 126"] = "iso_ir_126",
        ["ISO_IR 127"] = "iso_ir_127",
        ["ISO_IR 138"] = "iso_ir_138",
        ["ISO_IR 144"] = "iso_ir_144",
        ["ISO_IR 148"] = "iso_ir_148",
        ["ISO_IR 166"] = "iso_ir_166",
        ["ISO 2022 IR 6"] = DefaultPythonName,
        ["ISO 2022 IR 13"] = "shift_jis",
        ["ISO 2022 IR 87"] = "iso2022_jp",
        ["ISO 2022 IR 100"] = "latin_1",
        ["ISO 2022 IR 101"] = "iso8859_2",
        ["ISO 2022 IR 109"] = "iso8859_3",
        ["ISO 2022 IR 110"] = "iso8859_4",
        ["ISO 2022 IR 126"] = "iso_ir_126",
        ["ISO 2022 IR 127"] = "iso_ir_127",
        ["ISO 2022 IR 138"] = "iso_ir_138",
        ["ISO 2022 IR 144"] = "iso_ir_144",
        ["ISO 2022 IR 148"] = "iso_ir_148",
        ["ISO 2022 IR 149"] = "euc_kr",
        ["ISO 2022 IR 159"] = "iso2022_jp_2",
        ["ISO 2022 IR 166"] = "iso_ir_166",
        ["ISO 2022 IR 58"] = "iso_ir_58",
        ["ISO_IR 192"] = "UTF8",
        ["GB18030"] = "GB18030",
        ["ISO 2022 GBK"] = "GBK",
        ["ISO 2022 58"] = "GB2312",
        ["GBK"] = "GBK",

        // Latin alphabet No. 9 (ISO 8859-15), defined terms since 2017: pydicom 2.3 does not know them (it warns
        // and decodes as ISO 8859-1); pydicom 3 maps them as here, and so does RadAI.
        ["ISO_IR 203"] = "iso8859_15",
        ["ISO 2022 IR 203"] = "iso8859_15",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>
    /// Python codec names and aliases (normalized as Python's codecs.lookup does) of the codecs RadAI
    /// implements, to their canonical name.
    /// </summary>
    private static readonly FrozenDictionary<string, string> PythonAliases = BuildAliases();

    private static readonly FrozenDictionary<string, Codec> Codecs = new Dictionary<string, Codec>(StringComparer.Ordinal)
    {
        ["ascii"] = new SingleByteCodec("ascii", () => CodeTables.Ascii),
        ["latin_1"] = Latin1Codec.Instance,
        ["iso8859_2"] = new SingleByteCodec("iso8859_2", () => CodeTables.Iso8859_2),
        ["iso8859_3"] = new SingleByteCodec("iso8859_3", () => CodeTables.Iso8859_3),
        ["iso8859_4"] = new SingleByteCodec("iso8859_4", () => CodeTables.Iso8859_4),
        ["iso8859_5"] = new SingleByteCodec("iso8859_5", () => CodeTables.Iso8859_5),
        ["iso8859_6"] = new SingleByteCodec("iso8859_6", () => CodeTables.Iso8859_6),
        ["iso8859_7"] = new SingleByteCodec("iso8859_7", () => CodeTables.Iso8859_7),
        ["iso8859_8"] = new SingleByteCodec("iso8859_8", () => CodeTables.Iso8859_8),
        ["iso8859_9"] = new SingleByteCodec("iso8859_9", () => CodeTables.Iso8859_9),
        ["iso8859_15"] = new SingleByteCodec("iso8859_15", () => CodeTables.Iso8859_15),
        ["tis_620"] = new SingleByteCodec("tis_620", () => CodeTables.Tis620),
        ["shift_jis"] = ShiftJisCodec.Instance,
        ["euc_kr"] = EucKrCodec.Instance,
        ["gb2312"] = Gb2312Codec.Instance,
        ["gbk"] = GbkCodec.Instance,
        ["gb18030"] = Gb18030Codec.Instance,
        ["iso2022_jp"] = Iso2022JpCodec.Jp,
        ["iso2022_jp_2"] = Iso2022JpCodec.Jp2,
        ["utf_8"] = Utf8Codec.Instance,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The default repertoire as pydicom decodes it.</summary>
    public static CharacterSetEntry DefaultEntry(string term) => new(term, DefaultPythonName, Latin1Codec.Instance);

    /// <summary>
    /// Resolves one term as pydicom does: a defined term; else a common misspelling of one (<c>ISO IR 100</c>,
    /// <c>ISO-IR 100</c>, <c>ISO_2022-IR 87</c>...), with a warning; else a Python codec name (<c>latin1</c>,
    /// <c>utf-8</c>...), which pydicom accepts silently; else the default repertoire, with a warning.
    /// </summary>
    public static CharacterSetEntry Resolve(string term, List<string> warnings)
    {
        if (DefinedTerms.TryGetValue(term, out var pythonName))
        {
            return new CharacterSetEntry(term, pythonName, CodecOf(pythonName)!);
        }

        string? patched = null;
        if (term.Length >= 6 && term.StartsWith("ISO", StringComparison.Ordinal) && term[3] != '_' && term.AsSpan(4, 2).SequenceEqual("IR"))
        {
            patched = "ISO_IR" + term[6..];
        }
        else if (term.Length >= 12 && term.StartsWith("ISO", StringComparison.Ordinal) && term[3] != '\n'
            && term.AsSpan(4, 4).SequenceEqual("2022") && term[8] != '\n' && term.AsSpan(9, 2).SequenceEqual("IR") && term[11] != '\n'
            && !term.StartsWith("ISO 2022 IR ", StringComparison.Ordinal))
        {
            patched = "ISO 2022 IR " + term[12..];
        }

        if (patched is not null)
        {
            if (DefinedTerms.TryGetValue(patched, out pythonName))
            {
                warnings.Add($"Incorrect value for Specific Character Set '{term}' - assuming '{patched}'");
                return new CharacterSetEntry(term, pythonName, CodecOf(pythonName)!);
            }

            warnings.Add($"Unknown encoding '{term}' - using default encoding instead");
            return DefaultEntry(term);
        }

        if (CodecOf(term) is { } codec)
        {
            warnings.Add($"'{term}' is not a defined term of Specific Character Set; decoding with the Python codec '{codec.Name}' as pydicom does");
            return new CharacterSetEntry(term, term, codec);
        }

        warnings.Add($"Unknown encoding '{term}' - using default encoding instead");
        return DefaultEntry(term);
    }

    /// <summary>The codec Python's codecs.lookup finds for a name, when RadAI implements it.</summary>
    public static Codec? CodecOf(string pythonName)
    {
        var normalized = NormalizeCodecName(pythonName);
        if (PythonAliases.TryGetValue(normalized, out var canonical) || PythonAliases.TryGetValue(normalized.Replace('.', '_'), out canonical))
        {
            return Codecs[canonical];
        }

        return Codecs.GetValueOrDefault(normalized);
    }

    /// <summary>
    /// Python's name normalization (codecs.lookup, then encodings.normalize_encoding): lower case, every run of
    /// characters other than ASCII letters, digits and '.' becomes one '_', none at either end.
    /// </summary>
    private static string NormalizeCodecName(string name)
    {
        var result = new System.Text.StringBuilder(name.Length);
        var punctuation = false;
        foreach (var c in name)
        {
            if (char.IsLetterOrDigit(c) || c == '.')
            {
                if (punctuation && result.Length > 0)
                {
                    result.Append('_');
                }

                if (char.IsAscii(c))
                {
                    result.Append(char.ToLowerInvariant(c));
                }

                punctuation = false;
            }
            else
            {
                punctuation = true;
            }
        }

        return result.ToString();
    }

    private static FrozenDictionary<string, string> BuildAliases()
    {
        // From Python's encodings/aliases.py, for the codecs above.
        var aliases = new Dictionary<string, string[]>
        {
            ["ascii"] = ["646", "ansi_x3.4_1968", "ansi_x3.4_1986", "ansi_x3_4_1968", "cp367", "csascii", "ibm367", "iso646_us", "iso_646.irv_1991", "iso_ir_6", "us", "us_ascii"],
            ["latin_1"] = ["8859", "cp819", "csisolatin1", "ibm819", "iso8859", "iso8859_1", "iso_8859_1", "iso_8859_1_1987", "iso_ir_100", "l1", "latin", "latin1"],
            ["iso8859_2"] = ["csisolatin2", "iso_8859_2", "iso_8859_2_1987", "iso_ir_101", "l2", "latin2"],
            ["iso8859_3"] = ["csisolatin3", "iso_8859_3", "iso_8859_3_1988", "iso_ir_109", "l3", "latin3"],
            ["iso8859_4"] = ["csisolatin4", "iso_8859_4", "iso_8859_4_1988", "iso_ir_110", "l4", "latin4"],
            ["iso8859_5"] = ["csisolatincyrillic", "cyrillic", "iso_8859_5", "iso_8859_5_1988", "iso_ir_144"],
            ["iso8859_6"] = ["arabic", "asmo_708", "csisolatinarabic", "ecma_114", "iso_8859_6", "iso_8859_6_1987", "iso_ir_127"],
            ["iso8859_7"] = ["csisolatingreek", "ecma_118", "elot_928", "greek", "greek8", "iso_8859_7", "iso_8859_7_1987", "iso_ir_126"],
            ["iso8859_8"] = ["csisolatinhebrew", "hebrew", "iso_8859_8", "iso_8859_8_1988", "iso_ir_138"],
            ["iso8859_9"] = ["csisolatin5", "iso_8859_9", "iso_8859_9_1989", "iso_ir_148", "l5", "latin5"],
            ["iso8859_15"] = ["iso_8859_15", "l9", "latin9"],
            ["tis_620"] = ["iso_ir_166", "tis620", "tis_620_0", "tis_620_2529_0", "tis_620_2529_1"],
            ["shift_jis"] = ["csshiftjis", "s_jis", "shiftjis", "sjis", "x_mac_japanese"],
            ["euc_kr"] = ["euckr", "korean", "ks_c_5601", "ks_c_5601_1987", "ks_x_1001", "ksc5601", "ksx1001", "x_mac_korean"],
            ["gb2312"] = ["chinese", "csiso58gb231280", "euc_cn", "euccn", "eucgb2312_cn", "gb2312_1980", "gb2312_80", "iso_ir_58", "x_mac_simp_chinese"],
            ["gbk"] = ["936", "cp936", "ms936"],
            ["gb18030"] = ["gb18030_2000"],
            ["iso2022_jp"] = ["csiso2022jp", "iso2022jp", "iso_2022_jp"],
            ["iso2022_jp_2"] = ["iso2022jp_2", "iso_2022_jp_2"],
            ["utf_8"] = ["cp65001", "u8", "utf", "utf8", "utf8_ucs2", "utf8_ucs4"],
        };
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (canonical, names) in aliases)
        {
            foreach (var name in names)
            {
                map[name] = canonical;
            }
        }

        return map.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
