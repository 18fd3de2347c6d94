using System.Buffers;
using System.Text;

namespace RadAI.Dicom;

// Encoding, for the writer.
public sealed partial class DicomCharacterSet
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Encodes a whole value (several values joined with '\') for an element of the VR, without padding:
    /// UTF-8 for ISO_IR 192, GB18030 and GBK as such, the single-byte sets as their code page, JIS X 0201
    /// for ISO_IR 13; with code extensions (several values, or ISO 2022 IR 87/159 alone), the escape
    /// sequences that designate the sets needed, returning to the initial designation before the end of
    /// the value, before each '\' of a multi-valued VR, before '^' and '=' in PN and before control
    /// characters (PS3.5 §6.1.2.5.3). The VRs of the default repertoire (all but LO, LT, PN, SH, ST, UC,
    /// UT) are ASCII.
    /// </summary>
    /// <exception cref="ArgumentException">A character cannot be encoded with the declared character sets
    /// (nothing is ever replaced by '?'), or ESC appears in the text, or the VR is not a string VR.</exception>
    public byte[] Encode(string value, DicomVR vr)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!vr.IsString())
        {
            throw new ArgumentException($"VR {vr.Code()} is not a string VR.", nameof(vr));
        }

        if (value.Length == 0)
        {
            return [];
        }

        if (!vr.UsesSpecificCharacterSet())
        {
            var nonAscii = value.AsSpan().IndexOfAnyExceptInRange('\0', '\u007F');
            return nonAscii < 0
                ? Encoding.ASCII.GetBytes(value)
                : throw Unencodable(value, nonAscii, $"VR {vr.Code()} allows the default repertoire (ASCII) only");
        }

        var esc = value.IndexOf('\u001B', StringComparison.Ordinal);
        if (esc >= 0)
        {
            throw Unencodable(value, esc, "ESC starts the escape sequences of code extensions");
        }

        return _iso2022 is not null ? _iso2022.Encode(value, vr, this) : EncodeStandAlone(value);
    }

    internal ArgumentException Unencodable(string value, int index, string? reason = null)
    {
        var c = value[index];
        var shown = char.IsControl(c) || char.IsSurrogate(c) ? "" : $"'{c}' ";
        return new ArgumentException(
            $"The character {shown}(U+{(int)c:X4}) at index {index} cannot be encoded with Specific Character Set '{this}'"
            + (reason is null ? "." : $": {reason}."),
            nameof(value));
    }

    private byte[] EncodeStandAlone(string value)
    {
        if (_first is Utf8Codec or Gb18030Codec)
        {
            try
            {
                return (_first is Utf8Codec ? StrictUtf8 : CodeTables.Gb18030Encoding).GetBytes(value);
            }
            catch (EncoderFallbackException e)
            {
                throw Unencodable(value, Math.Clamp(e.Index, 0, value.Length - 1), "not a valid UTF-16 string");
            }
        }

        var buffer = ArrayPool<byte>.Shared.Rent(value.Length * 2);
        try
        {
            var written = 0;
            for (var i = 0; i < value.Length; i++)
            {
                var c = value[i];
                if (c < 0x80)
                {
                    buffer[written++] = (byte)c;
                    continue;
                }

                var count = EncodeStandAloneCharacter(c, buffer.AsSpan(written));
                written += count > 0 ? count : throw Unencodable(value, i);
            }

            return buffer.AsSpan(0, written).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>A character above U+007F in the set of value 1; 0 when it has none.</summary>
    private int EncodeStandAloneCharacter(char c, Span<byte> destination)
    {
        int code;
        switch (_first)
        {
            case Latin1Codec when _entries[0].PythonName != CharacterSetTerms.DefaultPythonName && c <= 0xFF:
                // (the default repertoire, which pydicom decodes as ISO 8859-1, is ASCII when writing)
                destination[0] = (byte)c;
                return 1;
            case SingleByteCodec single when single.TryEncode(c, out var b):
                destination[0] = b;
                return 1;
            case ShiftJisCodec when c is >= '\uFF61' and <= '\uFF9F':
                // ISO_IR 13 is JIS X 0201: the half-width katakana only
                destination[0] = (byte)(c - 0xFEC0);
                return 1;
            case EucKrCodec when CodeTables.KsX1001.TryEncode(c, out code) && code != Iso2022Model.HangulFiller:
            case Gb2312Codec when CodeTables.Gb2312.TryEncode(c, out code):
                destination[0] = (byte)((code >> 8) | 0x80);
                destination[1] = (byte)(code | 0x80);
                return 2;
            case GbkCodec when CodeTables.Gbk.TryEncode(c, out code):
                destination[0] = (byte)(code >> 8);
                destination[1] = (byte)code;
                return 2;
            default:
                return 0;
        }
    }
}

internal enum G0Set
{
    Ascii,
    JisRoman,
    JisX0208,
    JisX0212,
}

/// <summary>A character set that an ISO 2022 escape sequence designates (PS3.3 tables C.12-3 and C.12-4).</summary>
internal sealed class CodeElement
{
    private readonly SingleByteCodec? _upper;

    private CodeElement(string name, G0Set? g0, byte[] escape, SingleByteCodec? upper = null)
    {
        Name = name;
        G0 = g0;
        Escape = escape;
        _upper = upper;
    }

    public static CodeElement Ascii { get; } = new("ASCII", G0Set.Ascii, "\e(B"u8.ToArray());

    public static CodeElement JisRoman { get; } = new("JIS X 0201 Romaji", G0Set.JisRoman, "\e(J"u8.ToArray());

    public static CodeElement JisX0208 { get; } = new("JIS X 0208", G0Set.JisX0208, "\e$B"u8.ToArray());

    public static CodeElement JisX0212 { get; } = new("JIS X 0212", G0Set.JisX0212, "\e$(D"u8.ToArray());

    public static CodeElement Katakana { get; } = new("JIS X 0201 Katakana", null, "\e)I"u8.ToArray());

    public static CodeElement KsX1001 { get; } = new("KS X 1001", null, "\e$)C"u8.ToArray());

    public static CodeElement Gb2312 { get; } = new("GB 2312", null, "\e$)A"u8.ToArray());

    /// <summary>ISO 8859-1 in G1, which pydicom also decodes after ESC ( B.</summary>
    public static CodeElement Latin1 { get; } = new("ISO 8859-1", null, "\e-A"u8.ToArray());

    private static readonly Dictionary<string, CodeElement> UpperSets = new(StringComparer.Ordinal)
    {
        ["latin_1"] = Latin1,
        ["iso8859_2"] = Upper("iso8859_2", 'B'),
        ["iso8859_3"] = Upper("iso8859_3", 'C'),
        ["iso8859_4"] = Upper("iso8859_4", 'D'),
        ["iso_ir_126"] = Upper("iso_ir_126", 'F'),
        ["iso_ir_127"] = Upper("iso_ir_127", 'G'),
        ["iso_ir_138"] = Upper("iso_ir_138", 'H'),
        ["iso_ir_144"] = Upper("iso_ir_144", 'L'),
        ["iso_ir_148"] = Upper("iso_ir_148", 'M'),
        ["iso_ir_166"] = Upper("iso_ir_166", 'T'),
        ["iso8859_15"] = Upper("iso8859_15", 'b'),
    };

    public string Name { get; }

    /// <summary>The G0 set it designates; null for a G1 set.</summary>
    public G0Set? G0 { get; }

    public byte[] Escape { get; }

    /// <summary>The sets a (pydicom) encoding name brings, in the order they are tried.</summary>
    public static CodeElement[] Of(string pythonName) => pythonName switch
    {
        CharacterSetTerms.DefaultPythonName => [Ascii],
        "shift_jis" => [JisRoman, Katakana],
        "iso2022_jp" => [JisX0208],
        "iso2022_jp_2" => [JisX0212],
        "euc_kr" => [KsX1001],
        "iso_ir_58" => [Gb2312],
        _ => UpperSets.TryGetValue(pythonName, out var upper) ? [upper] : [],
    };

    /// <summary>The G1 set of a single-byte (pydicom) encoding name, null for others.</summary>
    public static CodeElement? UpperOf(string pythonName) => UpperSets.GetValueOrDefault(pythonName);

    /// <summary>Encodes a character above U+007F: the bytes written (1 or 2), 0 when the set has no such character.</summary>
    public int TryEncode(char c, Span<byte> destination)
    {
        int code;
        if (ReferenceEquals(this, Latin1))
        {
            if (c is >= '\u00A0' and <= '\u00FF')
            {
                destination[0] = (byte)c;
                return 1;
            }

            return 0;
        }

        if (_upper is not null)
        {
            // the 96 characters of G1 are 0xA0–0xFF; 0x80–0x9F are C1 controls
            if (_upper.TryEncode(c, out var b) && b >= 0xA0)
            {
                destination[0] = b;
                return 1;
            }

            return 0;
        }

        switch (Name)
        {
            case "JIS X 0201 Katakana" when c is >= '\uFF61' and <= '\uFF9F':
                destination[0] = (byte)(c - 0xFEC0);
                return 1;
            case "JIS X 0208" when CodeTables.JisX0208.TryEncode(c, out code):
            case "JIS X 0212" when CodeTables.JisX0212.TryEncode(c, out code):
                destination[0] = (byte)(code >> 8);
                destination[1] = (byte)code;
                return 2;
            case "KS X 1001" when CodeTables.KsX1001.TryEncode(c, out code) && code != Iso2022Model.HangulFiller:
            case "GB 2312" when CodeTables.Gb2312.TryEncode(c, out code):
                destination[0] = (byte)((code >> 8) | 0x80);
                destination[1] = (byte)(code | 0x80);
                return 2;
            default:
                return 0;
        }
    }

    public override string ToString() => Name;

    private static CodeElement Upper(string pythonName, char final) =>
        new(pythonName, null, [0x1B, (byte)'-', (byte)final], (SingleByteCodec)CharacterSetTerms.CodecOf(pythonName)!);
}

/// <summary>
/// Encoding with ISO 2022 code extensions (PS3.5 §6.1.2.5). The encoder follows two readings of the bytes
/// at once, and writes a character without an escape sequence only when both read it right: the
/// standard one (G0 and G1 designations, each changed by its own escape sequences) and pydicom's, where
/// each escape sequence selects one whole codec (ESC ( B is ISO 8859-1, ESC ( J and ESC ) I Shift-JIS,
/// ESC $ B JIS X 0208 only) until the next one or a delimiter.
/// </summary>
internal sealed class Iso2022Model
{
    /// <summary>KS X 1001 0x2454 (HANGUL FILLER) starts a make-up sequence in EUC-KR: never written alone.</summary>
    public const int HangulFiller = 0x2454;

    private readonly State _initial;
    private readonly CodeElement _initialG0;
    private readonly CodeElement[] _elements;

    private Iso2022Model(State initial, CodeElement[] elements)
    {
        _initial = initial;
        _initialG0 = initial.G0 == G0Set.JisRoman ? CodeElement.JisRoman : CodeElement.Ascii;
        _elements = elements;
    }

    /// <summary>The model of a multi-valued Specific Character Set; null when value 1 cannot start one (UTF-8, GBK...).</summary>
    public static Iso2022Model? Create(CharacterSetEntry[] entries)
    {
        var first = entries[0].PythonName;
        State? initial = first switch
        {
            CharacterSetTerms.DefaultPythonName => new State(G0Set.Ascii, null, G0Set.Ascii, CodeElement.Latin1),
            "shift_jis" => new State(G0Set.JisRoman, CodeElement.Katakana, G0Set.Ascii, CodeElement.Katakana),
            "iso2022_jp" or "iso2022_jp_2" => new State(G0Set.Ascii, null, G0Set.Ascii, null),
            "euc_kr" => new State(G0Set.Ascii, CodeElement.KsX1001, G0Set.Ascii, CodeElement.KsX1001),
            "iso_ir_58" => new State(G0Set.Ascii, CodeElement.Gb2312, G0Set.Ascii, CodeElement.Gb2312),
            _ => CodeElement.UpperOf(first) is { } upper ? new State(G0Set.Ascii, upper, G0Set.Ascii, upper) : null,
        };
        if (initial is null)
        {
            return null;
        }

        var elements = new List<CodeElement>();
        foreach (var entry in entries)
        {
            foreach (var element in CodeElement.Of(entry.PythonName))
            {
                if (element.G0 is not (G0Set.Ascii or G0Set.JisRoman) && !elements.Contains(element))
                {
                    elements.Add(element);
                }
            }
        }

        return new Iso2022Model(initial.Value, [.. elements]);
    }

    public byte[] Encode(string value, DicomVR vr, DicomCharacterSet owner)
    {
        var buffer = ArrayPool<byte>.Shared.Rent((value.Length * 9) + 8);
        try
        {
            var output = buffer.AsSpan();
            Span<byte> bytes = stackalloc byte[2];
            var state = _initial;
            var written = 0;
            for (var i = 0; i < value.Length; i++)
            {
                var c = value[i];
                if (c < 0x20 || (c == '\\' && vr.IsMultiValuedString()) || (vr == DicomVR.PN && c is '^' or '='))
                {
                    written += Restore(ref state, output[written..]);
                    output[written++] = (byte)c;
                    if (ResetsPydicom(c, vr))
                    {
                        state = _initial;
                    }

                    continue;
                }

                if (c < 0x80)
                {
                    if (state.G0 is not (G0Set.Ascii or G0Set.JisRoman) || state.PyG0 != G0Set.Ascii)
                    {
                        written += Emit(_initialG0, ref state, output[written..]);
                    }

                    output[written++] = (byte)c;
                    continue;
                }

                var count = 0;
                if (state.G1 is { } g1 && ReferenceEquals(g1, state.PyHigh))
                {
                    count = g1.TryEncode(c, bytes);
                }

                if (count == 0 && state.G0 is G0Set.JisX0208 or G0Set.JisX0212 && state.PyG0 == state.G0)
                {
                    count = (state.G0 == G0Set.JisX0208 ? CodeElement.JisX0208 : CodeElement.JisX0212).TryEncode(c, bytes);
                }

                if (count == 0)
                {
                    foreach (var element in _elements)
                    {
                        count = element.TryEncode(c, bytes);
                        if (count > 0)
                        {
                            written += Emit(element, ref state, output[written..]);
                            break;
                        }
                    }

                    if (count == 0)
                    {
                        throw owner.Unencodable(value, i);
                    }
                }

                bytes[..count].CopyTo(output[written..]);
                written += count;
            }

            written += Restore(ref state, output[written..]);
            return output[..written].ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The delimiters after which pydicom decodes with the initial set again.</summary>
    private static bool ResetsPydicom(char c, DicomVR vr) => vr == DicomVR.PN
        ? c is '^' or '=' or '\\'
        : c is '\r' or '\n' or '\t' or '\f' || (c == '\\' && vr.IsMultiValuedString());

    /// <summary>Designates again the sets of value 1 where another one is designated (PS3.5 §6.1.2.5.3).</summary>
    private int Restore(ref State state, Span<byte> output)
    {
        var written = 0;
        if (state.G0 != _initial.G0 || state.PyG0 != G0Set.Ascii)
        {
            written += Emit(_initialG0, ref state, output);
        }

        if (_initial.G1 is { } g1 && !ReferenceEquals(state.G1, g1))
        {
            written += Emit(g1, ref state, output[written..]);
        }

        state = state with { G0 = _initial.G0, G1 = _initial.G1 };
        return written;
    }

    private static int Emit(CodeElement element, ref State state, Span<byte> output)
    {
        element.Escape.CopyTo(output);
        state = element.G0 switch
        {
            G0Set.Ascii => state with { G0 = G0Set.Ascii, PyG0 = G0Set.Ascii, PyHigh = CodeElement.Latin1 },
            G0Set.JisRoman => state with { G0 = G0Set.JisRoman, PyG0 = G0Set.Ascii, PyHigh = CodeElement.Katakana },
            G0Set g0 => state with { G0 = g0, PyG0 = g0, PyHigh = null },
            null => state with { G1 = element, PyG0 = G0Set.Ascii, PyHigh = element },
        };
        return element.Escape.Length;
    }

    /// <param name="G0">The set designated to G0 (standard reading).</param>
    /// <param name="G1">The set designated to G1 (standard reading), null when none.</param>
    /// <param name="PyG0">pydicom's reading of bytes below 0x80: ASCII, or pairs of a JIS set.</param>
    /// <param name="PyHigh">pydicom's reading of bytes from 0x80 (null: invalid).</param>
    private readonly record struct State(G0Set G0, CodeElement? G1, G0Set PyG0, CodeElement? PyHigh);
}
