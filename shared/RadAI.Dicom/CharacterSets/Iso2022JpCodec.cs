namespace RadAI.Dicom;

/// <summary>
/// Python's <c>iso2022_jp</c> and <c>iso2022_jp_2</c> decoders, which pydicom uses for the fragments of
/// a value that start with ESC $ B (JIS X 0208, ISO 2022 IR 87) and ESC $ ( D (JIS X 0212, ISO 2022
/// IR 159), escape sequence included, and for whole values when one of these is value 1 of Specific
/// Character Set. Only G0 is ever invoked (these codecs do not use shifts): bytes 0x21–0x7E are one
/// character of the set designated to G0 (two bytes for the double-byte sets), C0 controls pass, bytes
/// 0x80 and above are invalid.
/// </summary>
internal sealed class Iso2022JpCodec : Codec
{
    private const int Ascii = 0;
    private const int JisRoman = 1;
    private const int JisX0208 = 2;
    private const int JisX0212 = 3;
    private const int KsX1001 = 4;
    private const int Gb2312 = 5;

    private readonly bool _jp2;

    private Iso2022JpCodec(bool jp2)
        : base(jp2 ? "iso2022_jp_2" : "iso2022_jp") => _jp2 = jp2;

    public static Iso2022JpCodec Jp { get; } = new(jp2: false);

    public static Iso2022JpCodec Jp2 { get; } = new(jp2: true);

    public override int Decode(ReadOnlySpan<byte> source, Span<char> destination, bool replace)
    {
        var g0 = Ascii;
        var escapeThroughout = false;
        var written = 0;
        var i = 0;
        while (i < source.Length)
        {
            var c = source[i];
            if (escapeThroughout)
            {
                // after an ESC that starts no ISO 2022 sequence: bytes as ISO 8859-1 up to the final byte
                destination[written++] = (char)c;
                i++;
                escapeThroughout = !IsEscapeEnd(c);
                continue;
            }

            int error;
            if (c == 0x1B)
            {
                if (i + 1 >= source.Length)
                {
                    error = source.Length - i;
                }
                else if (source[i + 1] is (byte)'(' or (byte)')' or (byte)'$' or (byte)'.' or (byte)'&')
                {
                    error = ProcessEscape(source[i..], ref g0, out var length);
                    if (error == 0)
                    {
                        i += length;
                        continue;
                    }
                }
                else if (_jp2 && source[i + 1] == (byte)'N')
                {
                    // single shift 2; G2 can only be ASCII here (a designation would be an escape of its own)
                    if (i + 2 >= source.Length)
                    {
                        error = source.Length - i;
                    }
                    else if (source[i + 2] < 0x80)
                    {
                        destination[written++] = (char)source[i + 2];
                        i += 3;
                        continue;
                    }
                    else
                    {
                        error = 3;
                    }
                }
                else
                {
                    destination[written++] = (char)c;
                    escapeThroughout = true;
                    i++;
                    continue;
                }
            }
            else if (c < 0x20)
            {
                destination[written++] = (char)c;
                i++;
                continue;
            }
            else if (c >= 0x80)
            {
                error = 1;
            }
            else if (g0 == Ascii)
            {
                destination[written++] = (char)c;
                i++;
                continue;
            }
            else if (g0 == JisRoman)
            {
                destination[written++] = c switch { 0x5C => '\u00A5', 0x7E => '\u203E', _ => (char)c };
                i++;
                continue;
            }
            else if (i + 1 >= source.Length)
            {
                error = source.Length - i;
            }
            else
            {
                var table = g0 switch
                {
                    JisX0208 => CodeTables.JisX0208,
                    JisX0212 => CodeTables.JisX0212,
                    KsX1001 => CodeTables.KsX1001,
                    _ => CodeTables.Gb2312,
                };
                var decoded = table[c, source[i + 1]];
                if (decoded != CodeTables.Unassigned)
                {
                    destination[written++] = decoded;
                    i += 2;
                    continue;
                }

                error = 2;
            }

            if (!replace)
            {
                return -1;
            }

            destination[written++] = '\uFFFD';
            i += error;
        }

        return written;
    }

    protected override int DecodeOne(ReadOnlySpan<byte> source, Span<char> destination, out int consumed)
    {
        // only used by UnitLength, never reached: the codec is ASCII-transparent outside escape sequences
        consumed = 1;
        return Invalid;
    }

    private static bool IsEscapeEnd(byte c) => c is (>= (byte)'A' and <= (byte)'Z') or (byte)'@';

    /// <summary>
    /// Python's iso2022processesc: designates a set to G0 (the designations of G1 and G2 are accepted but
    /// never used). Returns 0 with the sequence length, or the length of the invalid unit.
    /// </summary>
    private int ProcessEscape(ReadOnlySpan<byte> s, ref int g0, out int length)
    {
        length = 0;
        for (var k = 1; k < 16; k++)
        {
            if (k >= s.Length)
            {
                return s.Length;
            }

            if (IsEscapeEnd(s[k]))
            {
                length = k + 1;
                break;
            }

            if (k + 1 < s.Length && s[k] == (byte)'&' && s[k + 1] == (byte)'@')
            {
                k += 2;
            }
        }

        if (length == 0)
        {
            return 1;
        }

        int designation;
        int set;
        switch (length)
        {
            case 3 when s[1] == (byte)'$':
                designation = 0;
                set = DoubleByteSet(s[2]);
                break;
            case 3:
                designation = s[1] switch { (byte)'(' => 0, (byte)')' => 1, (byte)'.' when _jp2 => 2, _ => -1 };
                set = s[2] switch
                {
                    (byte)'B' => Ascii,
                    (byte)'J' => JisRoman,
                    (byte)'A' or (byte)'F' when _jp2 && designation == 2 => Ascii, // ISO 8859-1/-7 to G2: unused here
                    _ => -1,
                };
                if (designation < 0)
                {
                    return 3;
                }

                break;
            case 4 when s[1] == (byte)'$' && s[2] is (byte)'(' or (byte)')':
                designation = s[2] == (byte)'(' ? 0 : 1;
                set = DoubleByteSet(s[3]);
                break;
            case 4:
                return 4;
            case 6 when s[3] == 0x1B && s[4] == (byte)'$' && s[5] == (byte)'B':
                designation = 0;
                set = JisX0208;
                break;
            default:
                return length;
        }

        if (set < 0)
        {
            return length;
        }

        if (designation == 0)
        {
            g0 = set;
        }

        return 0;
    }

    private int DoubleByteSet(byte final) => final switch
    {
        (byte)'B' or (byte)'@' => JisX0208,
        (byte)'D' when _jp2 => JisX0212,
        (byte)'C' when _jp2 => KsX1001,
        (byte)'A' when _jp2 => Gb2312,
        _ => -1,
    };
}
