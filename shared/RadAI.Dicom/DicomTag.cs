using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace RadAI.Dicom;

/// <summary>
/// A DICOM attribute tag (group, element): a value type over one <see cref="uint"/>, so that tags
/// are compared, hashed and stored without allocation. A private tag carries no creator here: the
/// creator is an element of the dataset (see <see cref="PrivateCreatorTag"/>).
/// </summary>
public readonly struct DicomTag : IEquatable<DicomTag>, IComparable<DicomTag>, ISpanFormattable
{
    /// <summary>Item (FFFE,E000).</summary>
    public static readonly DicomTag Item = new(0xFFFEE000u);

    /// <summary>Item Delimitation Item (FFFE,E00D).</summary>
    public static readonly DicomTag ItemDelimitation = new(0xFFFEE00Du);

    /// <summary>Sequence Delimitation Item (FFFE,E0DD).</summary>
    public static readonly DicomTag SequenceDelimitation = new(0xFFFEE0DDu);

    /// <summary>Creates a tag from its 32-bit value (group in the high 16 bits).</summary>
    public DicomTag(uint value) => Value = value;

    /// <summary>Creates a tag from its group and element numbers.</summary>
    public DicomTag(ushort group, ushort element) => Value = ((uint)group << 16) | element;

    /// <summary>The 32-bit value: group &lt;&lt; 16 | element.</summary>
    public uint Value { get; }

    /// <summary>Group number.</summary>
    public ushort Group => (ushort)(Value >> 16);

    /// <summary>Element number.</summary>
    public ushort Element => (ushort)Value;

    /// <summary>True for a private tag (odd group above 0008; groups 0001, 0003, 0005, 0007 and FFFF are not private).</summary>
    public bool IsPrivate => (Group & 1) == 1 && Group > 0x0008 && Group != 0xFFFF;

    /// <summary>True for a private creator element (gggg,0010)–(gggg,00FF) of a private group.</summary>
    public bool IsPrivateCreator => IsPrivate && Element is >= 0x0010 and <= 0x00FF;

    /// <summary>True for a group length element (gggg,0000).</summary>
    public bool IsGroupLength => Element == 0;

    /// <summary>True for the item and delimitation tags of group FFFE.</summary>
    public bool IsItemOrDelimiter => Group == 0xFFFE;

    /// <summary>The block (0x10–0xFF) a private data element (gggg,bbxx) belongs to; 0 when not a private data element.</summary>
    public byte PrivateBlock => IsPrivate && Element >= 0x1000 ? (byte)(Element >> 8) : (byte)0;

    /// <summary>The private creator element that reserves this private data element's block.</summary>
    public DicomTag PrivateCreatorTag => PrivateBlock == 0
        ? throw new InvalidOperationException($"{this} is not a private data element.")
        : new DicomTag(Group, PrivateBlock);

    public static implicit operator DicomTag(uint value) => new(value);

    public static bool operator ==(DicomTag left, DicomTag right) => left.Value == right.Value;

    public static bool operator !=(DicomTag left, DicomTag right) => left.Value != right.Value;

    public static bool operator <(DicomTag left, DicomTag right) => left.Value < right.Value;

    public static bool operator >(DicomTag left, DicomTag right) => left.Value > right.Value;

    public static bool operator <=(DicomTag left, DicomTag right) => left.Value <= right.Value;

    public static bool operator >=(DicomTag left, DicomTag right) => left.Value >= right.Value;

    public bool Equals(DicomTag other) => Value == other.Value;

    public override bool Equals([NotNullWhen(true)] object? obj) => obj is DicomTag other && Equals(other);

    public override int GetHashCode() => (int)Value;

    public int CompareTo(DicomTag other) => Value.CompareTo(other.Value);

    /// <summary>The usual form <c>(gggg,eeee)</c>, upper-case hexadecimal.</summary>
    public override string ToString() => $"({Group:X4},{Element:X4})";

    public string ToString(string? format, IFormatProvider? formatProvider) => format switch
    {
        null or "" or "G" => ToString(),
        "X" => Value.ToString("X8", CultureInfo.InvariantCulture),
        _ => throw new FormatException($"Unknown DicomTag format '{format}'. Use G or X."),
    };

    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider)
    {
        if (format.SequenceEqual("X"))
        {
            return Value.TryFormat(destination, out charsWritten, "X8", CultureInfo.InvariantCulture);
        }

        return destination.TryWrite(CultureInfo.InvariantCulture, $"({Group:X4},{Element:X4})", out charsWritten);
    }

    /// <summary>
    /// Parses <c>(gggg,eeee)</c>, <c>gggg,eeee</c>, <c>ggggeeee</c> (hexadecimal) or a dictionary keyword
    /// such as <c>PatientName</c>.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> text, out DicomTag tag)
    {
        tag = default;
        text = text.Trim();
        if (text.Length >= 2 && text[0] == '(' && text[^1] == ')')
        {
            text = text[1..^1];
        }

        if (text.Length == 9 && text[4] == ',')
        {
            if (ushort.TryParse(text[..4], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var g)
                && ushort.TryParse(text[5..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var e))
            {
                tag = new DicomTag(g, e);
                return true;
            }

            return false;
        }

        if (text.Length == 8 && uint.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
        {
            tag = new DicomTag(value);
            return true;
        }

        if (DicomDictionary.TryGetByKeyword(text, out var entry))
        {
            tag = entry.Tag;
            return true;
        }

        return false;
    }

    /// <summary>Parses like <see cref="TryParse"/>, throwing <see cref="FormatException"/> on failure.</summary>
    public static DicomTag Parse(ReadOnlySpan<char> text) =>
        TryParse(text, out var tag) ? tag : throw new FormatException($"'{text}' is neither a tag nor a dictionary keyword.");
}
