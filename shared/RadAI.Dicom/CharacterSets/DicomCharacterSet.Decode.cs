using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;

namespace RadAI.Dicom;

// Decoding, as pydicom 2.3 decodes (pydicom.charset.decode_bytes and the value converters of pydicom.values).
public sealed partial class DicomCharacterSet
{
    private const byte Esc = 0x1B;
    private const int StackLimit = 512;

    /// <summary>Characters that return to the initial designation in the text VRs (pydicom's TEXT_VR_DELIMS: CR, LF, TAB, FF).</summary>
    private static readonly SearchValues<byte> TextDelimiters = SearchValues.Create("\r\n\t\f"u8);

    /// <summary>In PN, '^' too (the '=' between component groups and '\' between values split the value first).</summary>
    private static readonly SearchValues<byte> PersonNameDelimiters = SearchValues.Create("^"u8);

    /// <summary>Python's whitespace (str.strip) among ISO 8859-1 characters.</summary>
    private static readonly SearchValues<char> PythonWhitespace = SearchValues.Create("\t\n\v\f\r\u001C\u001D\u001E\u001F \u0085\u00A0");

    private static readonly SearchValues<byte> PythonWhitespaceBytes = SearchValues.Create([(byte)0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x85, 0xA0]);

    /// <summary>
    /// Decodes a whole element value (all its values, '\' kept) as pydicom does for the VR, non-significant
    /// padding removed:
    /// <list type="bullet">
    /// <item>LO, SH, UC, PN, LT, ST, UT use the declared character sets: ISO 2022 escape sequences switch
    /// sets, and the initial designation returns at the end of each value, before '^' in PN and before CR,
    /// LF, TAB and FF in the others; each value of LO, SH, UC loses its trailing spaces and NULs, LT, ST,
    /// UT only at the end; PN loses trailing spaces and NULs, and the empty component groups at the end
    /// of each value (<c>A^B==</c> is <c>A^B</c>).</item>
    /// <item>The other string VRs use the default repertoire, decoded as ISO 8859-1 as pydicom does. AE and
    /// UI values lose their leading and trailing whitespace, DS and IS values too, except a value made only
    /// of spaces; UR loses trailing whitespace; the others (AS, CS, DA, DT, TM) trailing spaces and NULs.</item>
    /// </list>
    /// Bytes invalid in the declared sets become U+FFFD; a byte 05/12 ('\') or '=' inside a multi-byte
    /// character is not a delimiter (PS3.5 §6.1.2.3).
    /// </summary>
    public string Decode(ReadOnlySpan<byte> value, DicomVR vr)
    {
        if (!vr.UsesSpecificCharacterSet())
        {
            return vr.IsString()
                ? DecodeDefaultRepertoire(value, vr)
                : throw new ArgumentException($"VR {vr.Code()} is not a string VR.", nameof(vr));
        }

        if (vr == DicomVR.PN)
        {
            value = value.TrimEnd(" \0"u8);
        }

        if (TryGetOneBytePerCharacterText(value, vr, out var text, out var escape))
        {
            // the string is the only allocation
            return text.IsEmpty ? string.Empty : Encoding.Latin1.GetString(text);
        }

        return DecodeInBuffer(value, vr, escape);
    }

    /// <summary>
    /// The common case of <see cref="Decode"/> for a VR that uses the character set, without decoding: true when the
    /// decoded text is <paramref name="text"/> read as ISO 8859-1, one character per byte (one value, ISO 8859-1 or
    /// ASCII, which every set decodes as such, no escape sequence): the padding is trimmed on the bytes.
    /// </summary>
    internal bool TryGetOneBytePerCharacterText(ReadOnlySpan<byte> value, DicomVR vr, out ReadOnlySpan<byte> text, out bool escape)
    {
        if (vr == DicomVR.PN)
        {
            value = value.TrimEnd(" \0"u8);
        }

        escape = false;
        if (value.IsEmpty)
        {
            text = value;
            return true;
        }

        escape = value.IndexOf(Esc) >= 0;
        if (!escape && (_first is Latin1Codec || Ascii.IsValid(value)) && !(vr.IsMultiValuedString() && value.Contains((byte)'\\')))
        {
            text = vr == DicomVR.PN ? value.TrimEnd((byte)'=') : value.TrimEnd(" \0"u8);
            return true;
        }

        text = default;
        return false;
    }

    [SkipLocalsInit]
    private string DecodeInBuffer(ReadOnlySpan<byte> value, DicomVR vr, bool escape)
    {
        char[]? rented = null;
        var buffer = value.Length <= StackLimit
            ? stackalloc char[StackLimit]
            : (rented = ArrayPool<char>.Shared.Rent(value.Length));
        try
        {
            int length;
            if (!escape && !(_first.MaySpanDelimiter && vr.IsMultiValuedString()))
            {
                // one pass over the whole value: the same as value by value when no unit can hold a delimiter
                var text = buffer[..DecodeInitial(value, buffer)];
                length = vr switch
                {
                    DicomVR.PN => TrimEachValue(text, ValueTrim.PersonNameGroups),
                    DicomVR.LO or DicomVR.SH or DicomVR.UC => TrimEachValue(text, ValueTrim.Padding),
                    _ => ((ReadOnlySpan<char>)text).TrimEnd(" \0").Length,
                };
            }
            else
            {
                length = DecodeValueByValue(value, vr, buffer);
            }

            return new string(buffer[..length]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    /// <summary>The VRs of the default repertoire, decoded as ISO 8859-1 and trimmed as pydicom does.</summary>
    [SkipLocalsInit]
    private static string DecodeDefaultRepertoire(ReadOnlySpan<byte> value, DicomVR vr)
    {
        switch (vr)
        {
            case DicomVR.UR:
                return Encoding.Latin1.GetString(value[..(value.LastIndexOfAnyExcept(PythonWhitespaceBytes) + 1)]);
            case DicomVR.AE when value.IndexOfAny(PythonWhitespaceBytes) < 0:
                return Encoding.Latin1.GetString(value);
            case DicomVR.DS or DicomVR.IS or DicomVR.UI when value.TrimEnd(" \0"u8).IndexOfAny(PythonWhitespaceBytes) < 0:
                return Encoding.Latin1.GetString(value.TrimEnd(" \0"u8)); // no whitespace to strip
            case DicomVR.AE or DicomVR.DS or DicomVR.IS or DicomVR.UI:
                break;
            default:
                return Encoding.Latin1.GetString(value.TrimEnd(" \0"u8));
        }

        char[]? rented = null;
        var buffer = value.Length <= StackLimit
            ? stackalloc char[StackLimit]
            : (rented = ArrayPool<char>.Shared.Rent(value.Length));
        try
        {
            var text = buffer[..Encoding.Latin1.GetChars(value, buffer)];
            if (vr == DicomVR.AE)
            {
                return new string(text[..TrimEachValue(text, ValueTrim.PythonStrip)]);
            }

            if (vr == DicomVR.UI)
            {
                // the padding of the whole value, then each value stripped (pydicom's UID)
                text = text[..((ReadOnlySpan<char>)text).TrimEnd(" \0").Length];
                return new string(text[..TrimEachValue(text, ValueTrim.PythonStrip)]);
            }

            if (vr == DicomVR.DS)
            {
                // DS: str.strip() of the whole value first
                var (start, end) = Strip(text);
                text = text[start..end];
            }

            // then the padding, then each value stripped unless it is whitespace only (pydicom's DSfloat and IS)
            text = text[..((ReadOnlySpan<char>)text).TrimEnd(" \0").Length];
            return new string(text[..TrimEachValue(text, ValueTrim.NumberStrip)]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    private enum ValueTrim
    {
        /// <summary>Trailing spaces and NULs (pydicom's rstrip('\0 ')).</summary>
        Padding,

        /// <summary>Empty PN component groups at the end.</summary>
        PersonNameGroups,

        /// <summary>Python's str.strip().</summary>
        PythonStrip,

        /// <summary>str.strip() unless the value is whitespace only (pydicom's DSfloat and IS keep those as they are).</summary>
        NumberStrip,
    }

    /// <summary>Trims each '\'-separated value of <paramref name="text"/> in place; returns the new length.</summary>
    private static int TrimEachValue(Span<char> text, ValueTrim trim)
    {
        var written = 0;
        var start = 0;
        while (true)
        {
            var separator = text[start..].IndexOf('\\');
            var end = separator < 0 ? text.Length : start + separator;
            ReadOnlySpan<char> one = text[start..end];
            var (from, to) = trim switch
            {
                ValueTrim.Padding => (0, one.TrimEnd(" \0").Length),
                ValueTrim.PersonNameGroups => (0, one.TrimEnd('=').Length),
                ValueTrim.PythonStrip => Strip(one),
                _ => one.ContainsAnyExcept(PythonWhitespace) ? Strip(one) : (0, one.Length),
            };
            text.Slice(start + from, to - from).CopyTo(text[written..]);
            written += to - from;
            if (separator < 0)
            {
                return written;
            }

            text[written++] = '\\';
            start = end + 1;
        }
    }

    /// <summary>The range of <paramref name="value"/> that Python's str.strip() keeps.</summary>
    private static (int Start, int End) Strip(ReadOnlySpan<char> value)
    {
        var start = value.IndexOfAnyExcept(PythonWhitespace);
        return start < 0 ? (0, 0) : (start, value.LastIndexOfAnyExcept(PythonWhitespace) + 1);
    }

    /// <summary>A value or part without escape sequence: the initial character set (value 1).</summary>
    private int DecodeInitial(ReadOnlySpan<byte> bytes, Span<char> destination) =>
        Ascii.IsValid(bytes)
            ? Encoding.Latin1.GetChars(bytes, destination) // every codec decodes ASCII alone as ASCII
            : _first.Decode(bytes, destination, replace: true);

    /// <summary>
    /// A value with escape sequences, or in a codec whose characters may hold a delimiter byte: split into values
    /// (and PN component groups), each decoded on its own, as pydicom does.
    /// </summary>
    private int DecodeValueByValue(ReadOnlySpan<byte> value, DicomVR vr, Span<char> destination)
    {
        if (!vr.IsMultiValuedString())
        {
            var length = DecodePart(value, TextDelimiters, destination);
            return destination[..length].TrimEnd(" \0").Length;
        }

        var written = 0;
        while (true)
        {
            var separator = FindDelimiter(value, (byte)'\\');
            var one = separator < 0 ? value : value[..separator];
            if (vr == DicomVR.PN)
            {
                written += DecodePersonName(one, destination[written..]);
            }
            else
            {
                var length = DecodePart(one, TextDelimiters, destination[written..]);
                written += destination.Slice(written, length).TrimEnd(" \0").Length;
            }

            if (separator < 0)
            {
                return written;
            }

            destination[written++] = '\\';
            value = value[(separator + 1)..];
        }
    }

    /// <summary>One PN value: component groups split at '=', decoded on their own; the empty groups at the end dropped.</summary>
    private int DecodePersonName(ReadOnlySpan<byte> value, Span<char> destination)
    {
        var written = 0;
        var kept = 0;
        var first = true;
        while (true)
        {
            var separator = FindDelimiter(value, (byte)'=');
            var group = separator < 0 ? value : value[..separator];
            if (!first)
            {
                destination[written++] = '=';
            }

            var length = DecodePart(group, PersonNameDelimiters, destination[written..]);
            written += length;
            if (length > 0)
            {
                kept = written;
            }

            if (separator < 0)
            {
                return kept;
            }

            first = false;
            value = value[(separator + 1)..];
        }
    }

    /// <summary>
    /// pydicom's decode_bytes: the part before the first ESC in the initial set; then each fragment from an
    /// ESC to the next with the set its escape sequence designates.
    /// </summary>
    private int DecodePart(ReadOnlySpan<byte> part, SearchValues<byte> delimiters, Span<char> destination)
    {
        var esc = part.IndexOf(Esc);
        if (esc < 0)
        {
            return DecodeInitial(part, destination);
        }

        var written = esc > 0 ? DecodeInitial(part[..esc], destination) : 0;
        var i = esc;
        while (i < part.Length)
        {
            var next = part[(i + 1)..].IndexOf(Esc);
            var end = next < 0 ? part.Length : i + 1 + next;
            written += DecodeFragment(part[i..end], delimiters, destination[written..]);
            i = end;
        }

        return written;
    }

    /// <summary>
    /// One fragment starting with ESC. A known escape sequence of a declared set: the bytes after it in
    /// that set up to the first delimiter, the rest in the initial set (JIS X 0208 and 0212 fragments are
    /// decoded whole, as Python's iso2022_jp codecs do). An unknown or undeclared escape sequence, or bytes
    /// invalid in the set: the whole fragment, escape sequence included, in the initial set with U+FFFD
    /// for what is invalid (pydicom warns and does the same).
    /// </summary>
    private int DecodeFragment(ReadOnlySpan<byte> fragment, SearchValues<byte> delimiters, Span<char> destination)
    {
        var (codec, escapeLength) = Designation(fragment);
        if (codec is Iso2022JpCodec)
        {
            var count = codec.Decode(fragment, destination, replace: false);
            if (count >= 0)
            {
                return count;
            }
        }
        else if (codec is not null)
        {
            var body = fragment[escapeLength..];
            var delimiter = FindAny(body, delimiters, codec);
            var count = codec.Decode(delimiter < 0 ? body : body[..delimiter], destination, replace: false);
            if (count >= 0 && delimiter >= 0)
            {
                var rest = _first.Decode(body[delimiter..], destination[count..], replace: false);
                count = rest < 0 ? -1 : count + rest;
            }

            if (count >= 0)
            {
                return count;
            }
        }

        return _first.Decode(fragment, destination, replace: true);
    }

    /// <summary>
    /// The codec of the escape sequence at the start of <paramref name="fragment"/> when it designates a declared
    /// set (ESC ( B always); null otherwise.
    /// </summary>
    private (Codec? Codec, int Length) Designation(ReadOnlySpan<byte> fragment)
    {
        var (set, length) = EscapeSequences.Parse(fragment);
        return (set is not null && IsDeclared(set.Name) ? set.Codec : null, length);
    }

    private bool IsDeclared(string pythonName)
    {
        if (pythonName == CharacterSetTerms.DefaultPythonName)
        {
            return true;
        }

        foreach (var entry in _entries)
        {
            if (entry.PythonName == pythonName)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The first delimiter of <paramref name="bytes"/> that is a character of its own in <paramref name="codec"/>.</summary>
    private static int FindAny(ReadOnlySpan<byte> bytes, SearchValues<byte> delimiters, Codec codec)
    {
        if (codec.AsciiTransparent)
        {
            return bytes.IndexOfAny(delimiters);
        }

        for (var i = 0; i < bytes.Length; i += codec.UnitLength(bytes[i..]))
        {
            if (delimiters.Contains(bytes[i]))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// The first <paramref name="delimiter"/> ('\' between values, '=' between PN groups) of a value that may
    /// hold escape sequences: only a byte that is a character of its own, neither part of a multi-byte
    /// character nor of a two-byte set designated to G0, is a delimiter (PS3.5 §6.1.2.3).
    /// </summary>
    private int FindDelimiter(ReadOnlySpan<byte> value, byte delimiter)
    {
        var codec = _first;
        var doubleByteG0 = false;
        var i = 0;
        while (i < value.Length)
        {
            var b = value[i];
            if (b == Esc)
            {
                var (designated, length) = Designation(value[i..]);
                if (designated is null)
                {
                    // pydicom decodes the fragment of an unknown escape sequence in the initial set
                    codec = _first;
                    doubleByteG0 = false;
                    i++;
                }
                else
                {
                    doubleByteG0 = designated is Iso2022JpCodec;
                    codec = designated;
                    i += length;
                }

                continue;
            }

            if (doubleByteG0)
            {
                i += b is >= 0x21 and <= 0x7E && i + 1 < value.Length && value[i + 1] != Esc ? 2 : 1;
                continue;
            }

            if (b == delimiter)
            {
                return i;
            }

            i += codec.UnitLength(value[i..]);
        }

        return -1;
    }
}

/// <summary>The escape sequences pydicom knows (pydicom.charset.CODES_TO_ENCODINGS), by the name of the encoding they designate.</summary>
internal static class EscapeSequences
{
    private static readonly Designation Ascii = Of(CharacterSetTerms.DefaultPythonName);
    private static readonly Designation Latin1 = Of("latin_1");
    private static readonly Designation ShiftJis = Of("shift_jis");
    private static readonly Designation JisX0208 = Of("iso2022_jp");
    private static readonly Designation Latin2 = Of("iso8859_2");
    private static readonly Designation Latin3 = Of("iso8859_3");
    private static readonly Designation Latin4 = Of("iso8859_4");
    private static readonly Designation Greek = Of("iso_ir_126");
    private static readonly Designation Arabic = Of("iso_ir_127");
    private static readonly Designation Hebrew = Of("iso_ir_138");
    private static readonly Designation Cyrillic = Of("iso_ir_144");
    private static readonly Designation Latin5 = Of("iso_ir_148");
    private static readonly Designation Thai = Of("iso_ir_166");
    private static readonly Designation Latin9 = Of("iso8859_15");
    private static readonly Designation KsX1001 = Of("euc_kr");
    private static readonly Designation JisX0212 = Of("iso2022_jp_2");

    // pydicom hands ESC $ ) A fragments, escape sequence included, to Python's gb2312 codec, which keeps the
    // sequence as text: RadAI decodes the bytes after it as GB 2312, like the KS X 1001 (ESC $ ) C) fragments.
    private static readonly Designation Gb2312 = Of("iso_ir_58");

    /// <summary>
    /// The set designated by the escape sequence at the start of <paramref name="fragment"/> (null when unknown)
    /// and the length of the sequence: 4 for ESC $ ( F and ESC $ ) F, 3 otherwise.
    /// </summary>
    public static (Designation? Set, int Length) Parse(ReadOnlySpan<byte> fragment)
    {
        var length = fragment.Length >= 3 && fragment[1] == (byte)'$' && fragment[2] is (byte)'(' or (byte)')' ? 4 : 3;
        if (fragment.Length < length)
        {
            return (null, length);
        }

        var set = (fragment[1], fragment[2], length == 4 ? fragment[3] : (byte)0) switch
        {
            ((byte)'(', (byte)'B', _) => Ascii,
            ((byte)'-', (byte)'A', _) => Latin1,
            ((byte)')', (byte)'I', _) => ShiftJis,
            ((byte)'(', (byte)'J', _) => ShiftJis,
            ((byte)'$', (byte)'B', _) => JisX0208,
            ((byte)'-', (byte)'B', _) => Latin2,
            ((byte)'-', (byte)'C', _) => Latin3,
            ((byte)'-', (byte)'D', _) => Latin4,
            ((byte)'-', (byte)'F', _) => Greek,
            ((byte)'-', (byte)'G', _) => Arabic,
            ((byte)'-', (byte)'H', _) => Hebrew,
            ((byte)'-', (byte)'L', _) => Cyrillic,
            ((byte)'-', (byte)'M', _) => Latin5,
            ((byte)'-', (byte)'T', _) => Thai,
            ((byte)'-', (byte)'b', _) => Latin9, // ISO-IR 203, not in pydicom 2.3
            ((byte)'$', (byte)')', (byte)'C') => KsX1001,
            ((byte)'$', (byte)'(', (byte)'D') => JisX0212,
            ((byte)'$', (byte)')', (byte)'A') => Gb2312,
            _ => null,
        };
        return (set, length);
    }

    private static Designation Of(string name) =>
        new(name, CharacterSetTerms.CodecOf(name) ?? throw new InvalidOperationException($"No codec for {name}."));

    /// <summary>A set an escape sequence designates: pydicom's name for it, and the codec of the bytes that follow.</summary>
    internal sealed record Designation(string Name, Codec Codec);
}
