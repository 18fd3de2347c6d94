using System.Collections.Frozen;
using System.Text;
using System.Text.Unicode;

namespace RadAI.Dicom;

/// <summary>
/// A byte-to-text decoder with the exact behaviour of the Python codec of the same name, which pydicom
/// decodes with: the same characters, and on invalid input the same error units (each replaced by one
/// U+FFFD under Python's <c>errors='replace'</c>). Each decoder emits at most one UTF-16 code unit per
/// byte, so a destination as long as the source always suffices.
/// </summary>
internal abstract class Codec(string name)
{
    /// <summary>Result of <see cref="DecodeOne"/> for an invalid unit.</summary>
    protected const int Invalid = -1;

    /// <summary>Result of <see cref="DecodeOne"/> for a sequence cut short by the end of the source (one invalid unit: the rest).</summary>
    protected const int Incomplete = -2;

    /// <summary>The canonical name of the Python codec, e.g. <c>latin_1</c>, <c>iso2022_jp</c>.</summary>
    public string Name { get; } = name;

    /// <summary>
    /// True when every byte below 0x80 stands for itself whatever precedes it, so that an ASCII delimiter
    /// is found by a plain search (false for Shift-JIS, GBK, GB18030, whose trail bytes may be ASCII).
    /// </summary>
    public virtual bool AsciiTransparent => true;

    /// <summary>
    /// True when a unit may run over a delimiter byte (a trail byte that is ASCII, or a long sequence cut
    /// short): the values of such a codec are split before they are decoded, as pydicom does.
    /// </summary>
    public virtual bool MaySpanDelimiter => !AsciiTransparent;

    /// <summary>
    /// Decodes the whole source. With <paramref name="replace"/> false, returns -1 at the first invalid
    /// unit (Python's strict mode); otherwise writes U+FFFD for each invalid unit.
    /// </summary>
    public virtual int Decode(ReadOnlySpan<byte> source, Span<char> destination, bool replace)
    {
        var written = 0;
        var i = 0;
        while (i < source.Length)
        {
            var b = source[i];
            if (b < 0x80 && AsciiTransparent)
            {
                destination[written++] = (char)b;
                i++;
                continue;
            }

            var count = DecodeOne(source[i..], destination[written..], out var consumed);
            if (count < 0)
            {
                if (!replace)
                {
                    return -1;
                }

                destination[written++] = '\uFFFD';
            }
            else
            {
                written += count;
            }

            i += consumed;
        }

        return written;
    }

    /// <summary>
    /// Number of bytes of the character (or invalid unit) that starts <paramref name="source"/>: a byte
    /// inside a multi-byte character is never a delimiter (PS3.5 §6.1.2.3).
    /// </summary>
    public int UnitLength(ReadOnlySpan<byte> source)
    {
        if (AsciiTransparent || source[0] < 0x80)
        {
            return 1;
        }

        // an incomplete sequence holds no delimiter: the delimiter is what cut it short
        Span<char> scratch = stackalloc char[8];
        return DecodeOne(source, scratch, out var consumed) == Incomplete ? 1 : consumed;
    }

    /// <summary>
    /// Decodes the unit at the start of <paramref name="source"/>: returns the number of chars written,
    /// <see cref="Invalid"/> or <see cref="Incomplete"/>; <paramref name="consumed"/> is the length of the unit
    /// (Python's error length when invalid, the rest of the source when incomplete).
    /// </summary>
    protected abstract int DecodeOne(ReadOnlySpan<byte> source, Span<char> destination, out int consumed);

    public override string ToString() => Name;
}

/// <summary>ISO 8859-1 (Python <c>latin_1</c>): every byte is the code point of the same value.</summary>
internal sealed class Latin1Codec() : Codec("latin_1")
{
    public static Latin1Codec Instance { get; } = new();

    public override int Decode(ReadOnlySpan<byte> source, Span<char> destination, bool replace) =>
        Encoding.Latin1.GetChars(source, destination);

    protected override int DecodeOne(ReadOnlySpan<byte> source, Span<char> destination, out int consumed)
    {
        consumed = 1;
        destination[0] = (char)source[0];
        return 1;
    }
}

/// <summary>A single-byte set: ASCII below 0x80, a table above (Python's charmap codecs).</summary>
internal sealed class SingleByteCodec(string name, Func<char[]> upperHalf) : Codec(name)
{
    private char[]? _upper;
    private FrozenDictionary<char, byte>? _reverse;

    /// <summary>The characters of 0x80–0xFF, <see cref="CodeTables.Unassigned"/> where none.</summary>
    public char[] UpperHalf => _upper ??= upperHalf();

    /// <summary>The byte of a character: itself below U+0080, from the table above.</summary>
    public bool TryEncode(char c, out byte b)
    {
        if (c < 0x80)
        {
            b = (byte)c;
            return true;
        }

        _reverse ??= BuildReverse(UpperHalf);
        return _reverse.TryGetValue(c, out b);
    }

    private static FrozenDictionary<char, byte> BuildReverse(char[] upper)
    {
        var map = new Dictionary<char, byte>();
        for (var i = 0; i < upper.Length; i++)
        {
            if (upper[i] != CodeTables.Unassigned)
            {
                map.TryAdd(upper[i], (byte)(0x80 + i));
            }
        }

        return map.ToFrozenDictionary();
    }

    public override int Decode(ReadOnlySpan<byte> source, Span<char> destination, bool replace)
    {
        var asciiLength = source.IndexOfAnyInRange((byte)0x80, (byte)0xFF);
        if (asciiLength < 0)
        {
            return Encoding.Latin1.GetChars(source, destination);
        }

        Encoding.Latin1.GetChars(source[..asciiLength], destination);
        var upper = UpperHalf;
        for (var i = asciiLength; i < source.Length; i++)
        {
            var b = source[i];
            var c = b < 0x80 ? (char)b : upper[b - 0x80];
            if (c == CodeTables.Unassigned)
            {
                if (!replace)
                {
                    return -1;
                }

                c = '\uFFFD';
            }

            destination[i] = c;
        }

        return source.Length;
    }

    protected override int DecodeOne(ReadOnlySpan<byte> source, Span<char> destination, out int consumed)
    {
        consumed = 1;
        var b = source[0];
        var c = b < 0x80 ? (char)b : UpperHalf[b - 0x80];
        if (c == CodeTables.Unassigned)
        {
            return Invalid;
        }

        destination[0] = c;
        return 1;
    }
}

/// <summary>UTF-8; .NET replaces invalid sequences exactly as Python does (maximal subparts, one U+FFFD each).</summary>
internal sealed class Utf8Codec() : Codec("utf_8")
{
    private static readonly UTF8Encoding Replacing = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    public static Utf8Codec Instance { get; } = new();

    public override int Decode(ReadOnlySpan<byte> source, Span<char> destination, bool replace) =>
        replace || Utf8.IsValid(source) ? Replacing.GetChars(source, destination) : -1;

    protected override int DecodeOne(ReadOnlySpan<byte> source, Span<char> destination, out int consumed)
    {
        // only used by UnitLength, never reached: UTF-8 is ASCII-transparent
        consumed = 1;
        return Invalid;
    }
}

/// <summary>
/// Python's <c>shift_jis</c>: ASCII below 0x80, JIS X 0201 katakana 0xA1–0xDF, JIS X 0208 as two bytes
/// with lead 0x81–0x9F or 0xE0–0xEA. pydicom decodes ISO_IR 13 (JIS X 0201) with it.
/// </summary>
internal sealed class ShiftJisCodec() : Codec("shift_jis")
{
    public static ShiftJisCodec Instance { get; } = new();

    public override bool AsciiTransparent => false;

    protected override int DecodeOne(ReadOnlySpan<byte> source, Span<char> destination, out int consumed)
    {
        consumed = 1;
        int c = source[0];
        if (c < 0x80)
        {
            destination[0] = (char)c;
            return 1;
        }

        if (c is >= 0xA1 and <= 0xDF)
        {
            destination[0] = (char)(0xFEC0 + c);
            return 1;
        }

        if (c is not ((>= 0x81 and <= 0x9F) or (>= 0xE0 and <= 0xEA)))
        {
            return Invalid;
        }

        if (source.Length < 2)
        {
            consumed = source.Length;
            return Incomplete;
        }

        int c2 = source[1];
        if (c2 < 0x40 || c2 is > 0x7E and < 0x80 || c2 > 0xFC)
        {
            return Invalid;
        }

        var row = c < 0xE0 ? c - 0x81 : c - 0xC1;
        var cell = c2 < 0x80 ? c2 - 0x40 : c2 - 0x41;
        var jisRow = (2 * row) + (cell < 0x5E ? 0 : 1) + 0x21;
        var jisCell = (cell < 0x5E ? cell : cell - 0x5E) + 0x21;
        var decoded = CodeTables.JisX0208[jisRow, jisCell];
        if (decoded == CodeTables.Unassigned)
        {
            return Invalid;
        }

        consumed = 2;
        destination[0] = decoded;
        return 1;
    }
}

/// <summary>
/// Python's <c>euc_kr</c>: KS X 1001 in bytes 0xA1–0xFE, with the KS X 1001:1998 Annex 3 make-up
/// sequences (0xA4D4 followed by three jamo) for the hangul syllables not in the table.
/// </summary>
internal sealed class EucKrCodec() : Codec("euc_kr")
{
    private const byte None = 0xFF;

    // Index of the initial consonant (choseong) and final consonant (jongseong) of the jamo 0xA4A1–0xA4BE.
    private static ReadOnlySpan<byte> Choseong =>
    [
        0, 1, None, 2, None, None, 3, 4, 5, None, None, None, None, None, None, None,
        6, 7, 8, None, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18,
    ];

    private static ReadOnlySpan<byte> Jongseong =>
    [
        1, 2, 3, 4, 5, 6, 7, None, 8, 9, 10, 11, 12, 13, 14, 15,
        16, 17, None, 18, 19, 20, 21, 22, None, 23, 24, 25, 26, 27,
    ];

    public static EucKrCodec Instance { get; } = new();

    /// <summary>A make-up sequence cut short by the end of the value swallows what follows.</summary>
    public override bool MaySpanDelimiter => true;

    protected override int DecodeOne(ReadOnlySpan<byte> source, Span<char> destination, out int consumed)
    {
        consumed = 1;
        if (source.Length < 2)
        {
            return Incomplete;
        }

        if (source[0] == 0xA4 && source[1] == 0xD4)
        {
            if (source.Length < 8)
            {
                consumed = source.Length;
                return Incomplete;
            }

            if (source[2] != 0xA4 || source[4] != 0xA4 || source[6] != 0xA4)
            {
                return Invalid;
            }

            var cho = source[3] is >= 0xA1 and <= 0xBE ? Choseong[source[3] - 0xA1] : None;
            var jung = source[5] is >= 0xBF and <= 0xD3 ? (byte)(source[5] - 0xBF) : None;
            var jong = source[7] == 0xD4 ? (byte)0 : source[7] is >= 0xA1 and <= 0xBE ? Jongseong[source[7] - 0xA1] : None;
            if (cho == None || jung == None || jong == None)
            {
                return Invalid;
            }

            consumed = 8;
            destination[0] = (char)(0xAC00 + (cho * 588) + (jung * 28) + jong);
            return 1;
        }

        var decoded = CodeTables.KsX1001[source[0] ^ 0x80, source[1] ^ 0x80];
        if (decoded == CodeTables.Unassigned)
        {
            return Invalid;
        }

        consumed = 2;
        destination[0] = decoded;
        return 1;
    }
}

/// <summary>Python's <c>gb2312</c> (EUC-CN): GB 2312 in bytes 0xA1–0xFE.</summary>
internal sealed class Gb2312Codec() : Codec("gb2312")
{
    public static Gb2312Codec Instance { get; } = new();

    protected override int DecodeOne(ReadOnlySpan<byte> source, Span<char> destination, out int consumed)
    {
        consumed = 1;
        if (source.Length < 2)
        {
            return Incomplete;
        }

        var decoded = CodeTables.Gb2312[source[0] ^ 0x80, source[1] ^ 0x80];
        if (decoded == CodeTables.Unassigned)
        {
            return Invalid;
        }

        consumed = 2;
        destination[0] = decoded;
        return 1;
    }
}

/// <summary>Python's <c>gbk</c>: ASCII, and two-byte characters with lead 0x81–0xFE.</summary>
internal sealed class GbkCodec() : Codec("gbk")
{
    public static GbkCodec Instance { get; } = new();

    public override bool AsciiTransparent => false;

    protected override int DecodeOne(ReadOnlySpan<byte> source, Span<char> destination, out int consumed)
    {
        consumed = 1;
        if (source[0] < 0x80)
        {
            destination[0] = (char)source[0];
            return 1;
        }

        if (source.Length < 2)
        {
            return Incomplete;
        }

        var decoded = CodeTables.Gbk[source[0], source[1]];
        if (decoded == CodeTables.Unassigned)
        {
            return Invalid;
        }

        consumed = 2;
        destination[0] = decoded;
        return 1;
    }
}

/// <summary>Python's <c>gb18030</c>: ASCII, two-byte characters (lead 0x81–0xFE), and four-byte sequences.</summary>
internal sealed class Gb18030Codec() : Codec("gb18030")
{
    public static Gb18030Codec Instance { get; } = new();

    public override bool AsciiTransparent => false;

    protected override int DecodeOne(ReadOnlySpan<byte> source, Span<char> destination, out int consumed)
    {
        consumed = 1;
        int c = source[0];
        if (c < 0x80)
        {
            destination[0] = (char)c;
            return 1;
        }

        if (source.Length < 2)
        {
            return Incomplete;
        }

        int c2 = source[1];
        if (c2 is >= 0x30 and <= 0x39)
        {
            if (source.Length < 4)
            {
                consumed = source.Length;
                return Incomplete;
            }

            int c3 = source[2];
            int c4 = source[3];
            if (c is < 0x81 or > 0xFE || c3 is < 0x81 or > 0xFE || c4 is < 0x30 or > 0x39)
            {
                return Invalid;
            }

            c -= 0x81;
            c2 -= 0x30;
            c3 -= 0x81;
            c4 -= 0x30;
            if (c < 4)
            {
                var linear = (((c * 10) + c2) * 1260) + (c3 * 10) + c4;
                if (linear < 39420)
                {
                    consumed = 4;
                    destination[0] = CodeTables.Gb18030FourByteBmp[linear];
                    return 1;
                }
            }
            else if (c >= 15)
            {
                var scalar = 0x10000 + ((((c - 15) * 10) + c2) * 1260) + (c3 * 10) + c4;
                if (scalar <= 0x10FFFF)
                {
                    consumed = 4;
                    return new Rune(scalar).EncodeToUtf16(destination);
                }
            }

            return Invalid;
        }

        var decoded = CodeTables.Gb18030TwoByte[c, c2];
        if (decoded == CodeTables.Unassigned)
        {
            return Invalid;
        }

        consumed = 2;
        destination[0] = decoded;
        return 1;
    }
}
