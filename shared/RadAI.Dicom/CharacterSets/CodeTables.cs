using System.Collections.Frozen;
using System.Text;

namespace RadAI.Dicom;

/// <summary>
/// Mapping tables of the legacy character sets. They are built on first use from the code pages of
/// System.Text.Encoding.CodePages (asked through <see cref="CodePagesEncodingProvider.Instance"/>
/// directly: nothing is registered globally), then corrected where .NET and Python's codecs disagree,
/// Python's codecs being what pydicom, the reference of this library, decodes with:
/// <list type="bullet">
/// <item>.NET maps the bytes a code page leaves unassigned to the private use area (U+E000–U+F8FF);
/// Python rejects them. Such cells are unassigned here (except in GB18030, where both agree on the
/// private use mappings of the standard).</item>
/// <item>ISO 8859-7: Python follows the 2003 edition (0xA1 ‘, 0xA2 ’, 0xA4 €, 0xA5 ₯, 0xAA ͺ);
/// ISO 8859-8: 0xAF is MACRON, 0xFD/0xFE are LRM/RLM; TIS-620 (code page 874 is windows-874):
/// 0x80–0x9F are C1 controls and 0xA0 is unassigned.</item>
/// <item>JIS X 0208: row 13 (NEC special characters) is a Microsoft extension, not JIS X 0208.
/// KS X 1001: 0xB4D3 is U+B2D2 in Python. GB2312: 0xA1AC is U+2016 in Python.</item>
/// </list>
/// Every table is checked cell by cell against Python's codecs by the tests (CodecTablesTests).
/// </summary>
internal static class CodeTables
{
    /// <summary>Marks a byte or byte pair that no character is assigned to.</summary>
    public const char Unassigned = '\uFFFF';

    public static char[] Iso8859_2 => Holder2.Table;

    public static char[] Iso8859_3 => Holder3.Table;

    public static char[] Iso8859_4 => Holder4.Table;

    public static char[] Iso8859_5 => Holder5.Table;

    public static char[] Iso8859_6 => Holder6.Table;

    public static char[] Iso8859_7 => Holder7.Table;

    public static char[] Iso8859_8 => Holder8.Table;

    public static char[] Iso8859_9 => Holder9.Table;

    public static char[] Iso8859_15 => Holder15.Table;

    public static char[] Tis620 => HolderThai.Table;

    /// <summary>US-ASCII: nothing above 0x7F.</summary>
    public static char[] Ascii { get; } = CreateUnassigned(128);

    /// <summary>JIS X 0208 (ISO 2022 IR 87), indexed by the 7-bit row and cell bytes.</summary>
    public static DoubleByteTable JisX0208 => HolderJisX0208.Table;

    /// <summary>JIS X 0212 (ISO 2022 IR 159), indexed by the 7-bit row and cell bytes.</summary>
    public static DoubleByteTable JisX0212 => HolderJisX0212.Table;

    /// <summary>KS X 1001 (ISO 2022 IR 149), indexed by the 7-bit row and cell bytes.</summary>
    public static DoubleByteTable KsX1001 => HolderKsX1001.Table;

    /// <summary>GB 2312 (ISO 2022 IR 58), indexed by the 7-bit row and cell bytes.</summary>
    public static DoubleByteTable Gb2312 => HolderGb2312.Table;

    /// <summary>GBK two-byte characters, lead 0x81–0xFE, trail 0x40–0xFE.</summary>
    public static DoubleByteTable Gbk => HolderGbk.Table;

    /// <summary>GB18030 two-byte characters, lead 0x81–0xFE, trail 0x40–0xFE.</summary>
    public static DoubleByteTable Gb18030TwoByte => HolderGb18030.Table;

    /// <summary>GB18030 four-byte sequences 0x81308130–0x8431A439 (linear index 0–39419), all BMP characters.</summary>
    public static char[] Gb18030FourByteBmp => HolderGb18030Four.Table;

    /// <summary>The GB18030 encoding of .NET, which agrees with Python's on every two- and four-byte sequence.</summary>
    public static Encoding Gb18030Encoding => HolderGb18030Encoding.Encoding;

    /// <summary>A code page of System.Text.Encoding.CodePages, strict both ways.</summary>
    public static Encoding CodePage(int codePage) =>
        CodePagesEncodingProvider.Instance.GetEncoding(codePage, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback)
        ?? throw new PlatformNotSupportedException($"Code page {codePage} is not available.");

    private static char[] CreateUnassigned(int length)
    {
        var table = new char[length];
        Array.Fill(table, Unassigned);
        return table;
    }

    /// <summary>The characters of bytes 0x80–0xFF of a single-byte code page, with Python's corrections.</summary>
    private static char[] UpperHalf(int codePage, ReadOnlySpan<int> corrections)
    {
        var encoding = CodePagesEncodingProvider.Instance.GetEncoding(codePage, EncoderFallback.ExceptionFallback, new DecoderReplacementFallback("\uFFFF"))
            ?? throw new PlatformNotSupportedException($"Code page {codePage} is not available.");
        var table = new char[128];
        Span<byte> one = stackalloc byte[1];
        Span<char> decoded = stackalloc char[4];
        for (var i = 0; i < 128; i++)
        {
            one[0] = (byte)(0x80 + i);
            var count = encoding.GetChars(one, decoded);
            table[i] = count == 1 && !IsPrivateUse(decoded[0]) ? decoded[0] : Unassigned;
        }

        // corrections: pairs of (byte, character), Unassigned to remove a mapping
        for (var i = 0; i < corrections.Length; i += 2)
        {
            table[corrections[i] - 0x80] = (char)corrections[i + 1];
        }

        return table;
    }

    private static bool IsPrivateUse(char c) => c is >= '\uE000' and <= '\uF8FF' || c == Unassigned;

    /// <summary>
    /// A 94×94 table read from an EUC code page: the character of 7-bit (row, cell) is the one of the
    /// bytes (row | 0x80, cell | 0x80).
    /// </summary>
    private static DoubleByteTable FromEuc(int codePage, bool dropPrivateUse)
    {
        var table = new DoubleByteTable(0x21, 0x7E, 0x21, 0x7E);
        Fill(table, codePage, 0x80, dropPrivateUse);
        return table;
    }

    private static void Fill(DoubleByteTable table, int codePage, int offset, bool dropPrivateUse)
    {
        var encoding = CodePagesEncodingProvider.Instance.GetEncoding(codePage, EncoderFallback.ExceptionFallback, new DecoderReplacementFallback("\uFFFF"))
            ?? throw new PlatformNotSupportedException($"Code page {codePage} is not available.");
        Span<byte> pair = stackalloc byte[2];
        Span<char> decoded = stackalloc char[4];
        for (var lead = table.LeadFirst; lead <= table.LeadLast; lead++)
        {
            for (var trail = table.TrailFirst; trail <= table.TrailLast; trail++)
            {
                pair[0] = (byte)(lead + offset);
                pair[1] = (byte)(trail + offset);
                var count = encoding.GetChars(pair, decoded);
                if (count == 1 && decoded[0] != Unassigned && !(dropPrivateUse && IsPrivateUse(decoded[0])))
                {
                    table.Set(lead, trail, decoded[0]);
                }
            }
        }
    }

    private static DoubleByteTable BuildJisX0208()
    {
        // EUC-JP (20932) holds JIS X 0208 plus NEC row 13 and user-defined rows (private use, dropped).
        var table = FromEuc(20932, dropPrivateUse: true);
        for (var cell = 0x21; cell <= 0x7E; cell++)
        {
            table.Set(0x2D, cell, Unassigned);
        }

        return table;
    }

    private static DoubleByteTable BuildJisX0212()
    {
        var table = new DoubleByteTable(0x21, 0x7E, 0x21, 0x7E);
        var rows = JisX0212Table.Rows;
        for (var row = 0; row < rows.Length; row++)
        {
            var cells = rows[row];
            for (var cell = 0; cell < cells.Length; cell++)
            {
                if (cells[cell] != '\0')
                {
                    table.Set(0x21 + row, 0x21 + cell, cells[cell]);
                }
            }
        }

        return table;
    }

    private static DoubleByteTable BuildKsX1001()
    {
        var table = FromEuc(51949, dropPrivateUse: true);
        table.Set(0x34, 0x53, '\uB2D2');
        return table;
    }

    private static DoubleByteTable BuildGb2312()
    {
        var table = FromEuc(20936, dropPrivateUse: true);
        table.Set(0x21, 0x2C, '\u2016');
        return table;
    }

    private static DoubleByteTable BuildTwoByteGb(int codePage, bool dropPrivateUse)
    {
        var table = new DoubleByteTable(0x81, 0xFE, 0x40, 0xFE);
        Fill(table, codePage, 0, dropPrivateUse);
        return table;
    }

    private static char[] BuildGb18030FourByte()
    {
        const int Count = 39420;
        var bytes = new byte[Count * 4];
        for (var i = 0; i < Count; i++)
        {
            bytes[(i * 4) + 0] = (byte)(0x81 + (i / 12600));
            bytes[(i * 4) + 1] = (byte)(0x30 + (i / 1260 % 10));
            bytes[(i * 4) + 2] = (byte)(0x81 + (i / 10 % 126));
            bytes[(i * 4) + 3] = (byte)(0x30 + (i % 10));
        }

        var table = Gb18030Encoding.GetChars(bytes);
        return table.Length == Count
            ? table
            : throw new InvalidOperationException("GB18030 four-byte BMP sequences did not decode one character each.");
    }

    // One holder class per table: each is built once, on first use, thread-safely by the type initializer.
    private static class Holder2
    {
        public static readonly char[] Table = UpperHalf(28592, []);
    }

    private static class Holder3
    {
        public static readonly char[] Table = UpperHalf(28593, []);
    }

    private static class Holder4
    {
        public static readonly char[] Table = UpperHalf(28594, []);
    }

    private static class Holder5
    {
        public static readonly char[] Table = UpperHalf(28595, []);
    }

    private static class Holder6
    {
        public static readonly char[] Table = UpperHalf(28596, []);
    }

    private static class Holder7
    {
        public static readonly char[] Table = UpperHalf(28597, [0xA1, 0x2018, 0xA2, 0x2019, 0xA4, 0x20AC, 0xA5, 0x20AF, 0xAA, 0x037A]);
    }

    private static class Holder8
    {
        public static readonly char[] Table = UpperHalf(28598, [0xAF, 0x00AF, 0xFD, 0x200E, 0xFE, 0x200F]);
    }

    private static class Holder9
    {
        public static readonly char[] Table = UpperHalf(28599, []);
    }

    private static class Holder15
    {
        public static readonly char[] Table = UpperHalf(28605, []);
    }

    private static class HolderThai
    {
        public static readonly char[] Table = UpperHalf(874,
            [0x80, 0x80, 0x85, 0x85, 0x91, 0x91, 0x92, 0x92, 0x93, 0x93, 0x94, 0x94, 0x95, 0x95, 0x96, 0x96, 0x97, 0x97, 0xA0, Unassigned]);
    }

    private static class HolderJisX0208
    {
        public static readonly DoubleByteTable Table = BuildJisX0208();
    }

    private static class HolderJisX0212
    {
        public static readonly DoubleByteTable Table = BuildJisX0212();
    }

    private static class HolderKsX1001
    {
        public static readonly DoubleByteTable Table = BuildKsX1001();
    }

    private static class HolderGb2312
    {
        public static readonly DoubleByteTable Table = BuildGb2312();
    }

    private static class HolderGbk
    {
        public static readonly DoubleByteTable Table = BuildTwoByteGb(936, dropPrivateUse: true);
    }

    private static class HolderGb18030
    {
        public static readonly DoubleByteTable Table = BuildTwoByteGb(54936, dropPrivateUse: false);
    }

    private static class HolderGb18030Four
    {
        public static readonly char[] Table = BuildGb18030FourByte();
    }

    private static class HolderGb18030Encoding
    {
        public static readonly Encoding Encoding = CodePage(54936);
    }
}

/// <summary>A two-byte character set: lead × trail byte ranges to UTF-16 code units, and back.</summary>
internal sealed class DoubleByteTable
{
    private readonly char[] _cells;
    private readonly int _trailCount;
    private FrozenDictionary<char, ushort>? _reverse;

    public DoubleByteTable(int leadFirst, int leadLast, int trailFirst, int trailLast)
    {
        LeadFirst = leadFirst;
        LeadLast = leadLast;
        TrailFirst = trailFirst;
        TrailLast = trailLast;
        _trailCount = trailLast - trailFirst + 1;
        _cells = new char[(leadLast - leadFirst + 1) * _trailCount];
        Array.Fill(_cells, CodeTables.Unassigned);
    }

    public int LeadFirst { get; }

    public int LeadLast { get; }

    public int TrailFirst { get; }

    public int TrailLast { get; }

    /// <summary>The character of (lead, trail), or <see cref="CodeTables.Unassigned"/>.</summary>
    public char this[int lead, int trail] =>
        (uint)(lead - LeadFirst) <= (uint)(LeadLast - LeadFirst) && (uint)(trail - TrailFirst) < (uint)_trailCount
            ? _cells[((lead - LeadFirst) * _trailCount) + trail - TrailFirst]
            : CodeTables.Unassigned;

    public void Set(int lead, int trail, char c) => _cells[((lead - LeadFirst) * _trailCount) + trail - TrailFirst] = c;

    /// <summary>The (lead &lt;&lt; 8 | trail) of a character; the lowest code when several map to it.</summary>
    public bool TryEncode(char c, out int code)
    {
        var reverse = _reverse ?? BuildReverse();
        if (reverse.TryGetValue(c, out var found))
        {
            code = found;
            return true;
        }

        code = 0;
        return false;
    }

    private FrozenDictionary<char, ushort> BuildReverse()
    {
        var map = new Dictionary<char, ushort>(_cells.Length);
        for (var i = 0; i < _cells.Length; i++)
        {
            var c = _cells[i];
            if (c != CodeTables.Unassigned)
            {
                map.TryAdd(c, (ushort)(((LeadFirst + (i / _trailCount)) << 8) | (TrailFirst + (i % _trailCount))));
            }
        }

        var frozen = map.ToFrozenDictionary();
        Interlocked.CompareExchange(ref _reverse, frozen, null);
        return _reverse!;
    }
}
