using System.Buffers.Binary;
using System.Text;

namespace RadAI.Dicom.Tests.Fuzz;

/// <summary>What a header in a seed file is: a data element, an item, or an item/sequence delimiter.</summary>
internal enum HeaderKind
{
    Element,
    Item,
    Delimiter,
}

/// <summary>
/// Where one header of a seed sits: the tag at <see cref="Offset"/>, the VR (explicit VR only), the
/// length field and the value. The mutations aim at these bytes.
/// </summary>
internal readonly record struct ScannedHeader(
    HeaderKind Kind, int Offset, int HeaderLength, int VROffset, int LengthOffset, int LengthSize, bool BigEndian, uint Length)
{
    public int ValueOffset => Offset + HeaderLength;

    public bool HasDefinedLength => Length != 0xFFFFFFFFu;
}

/// <summary>The headers of a seed and how its dataset is encoded.</summary>
internal sealed record ScannedFile(IReadOnlyList<ScannedHeader> Headers, int BodyOffset, bool ExplicitVR, bool BigEndian, bool Deflated, ScannedHeader? TransferSyntaxElement)
{
    /// <summary>Headers of the dataset (not the meta group) at nesting level 0: where whole elements begin.</summary>
    public IReadOnlyList<ScannedHeader> TopLevel { get; init; } = [];
}

/// <summary>
/// A minimal scanner of Part 10 files, independent of the reader under test: it walks the headers
/// linearly (entering sequences and items, skipping other values and pixel data fragments) and stops
/// at the first thing it does not understand. It only needs to be right often enough to aim mutations.
/// </summary>
internal static class HeaderScanner
{
    private static readonly HashSet<string> LongVRs = ["OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"];

    public static ScannedFile Scan(byte[] data)
    {
        var headers = new List<ScannedHeader>();
        var position = 0;
        if (data.Length >= 132 && data.AsSpan(128, 4).SequenceEqual("DICM"u8))
        {
            position = 132;
        }

        // Meta group: explicit VR little endian, group 0002.
        string? syntax = null;
        ScannedHeader? syntaxElement = null;
        while (position + 8 <= data.Length && BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(position)) == 0x0002)
        {
            if (ReadElement(data, position, explicitVR: true, bigEndian: false) is not { } header || !header.HasDefinedLength || header.ValueOffset + header.Length > data.Length)
            {
                return new ScannedFile(headers, position, true, false, false, syntaxElement);
            }

            headers.Add(header);
            if (BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(position + 2)) == 0x0010)
            {
                syntax = Encoding.ASCII.GetString(data, header.ValueOffset, (int)header.Length).TrimEnd('\0', ' ');
                syntaxElement = header;
            }

            position = header.ValueOffset + (int)header.Length;
        }

        var body = position;
        var (explicitVR, bigEndian, deflated) = syntax switch
        {
            "1.2.840.10008.1.2" => (false, false, false),
            "1.2.840.10008.1.2.2" => (true, true, false),
            "1.2.840.10008.1.2.1.99" => (true, false, true),
            null => (position + 6 <= data.Length && IsVR(data, position + 4), position + 2 <= data.Length && data[position] == 0 && data[position + 1] != 0, false),
            _ => (true, false, false),
        };
        if (explicitVR && position + 6 <= data.Length && !IsVR(data, position + 4))
        {
            // The reader's own tolerance: explicit VR announced, implicit VR data.
            (explicitVR, bigEndian) = (false, false);
        }

        if (deflated)
        {
            return new ScannedFile(headers, body, explicitVR, bigEndian, deflated, syntaxElement);
        }

        var topLevel = new List<ScannedHeader>();
        var depth = 0;
        var inFragments = false;
        while (position + 8 <= data.Length)
        {
            var group = bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(position)) : BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(position));
            var element = bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(position + 2)) : BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(position + 2));
            if (group == 0xFFFE)
            {
                var length = bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(position + 4)) : BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(position + 4));
                var kind = element == 0xE000 ? HeaderKind.Item : HeaderKind.Delimiter;
                headers.Add(new ScannedHeader(kind, position, 8, -1, position + 4, 4, bigEndian, length));
                if (inFragments && element == 0xE000 && length != 0xFFFFFFFFu)
                {
                    position += 8 + (int)Math.Min(length, (uint)(data.Length - position - 8));
                    continue;
                }

                if (element == 0xE0DD)
                {
                    inFragments = false;
                    depth = Math.Max(0, depth - 1);
                }

                position += 8;
                continue;
            }

            if (ReadElement(data, position, explicitVR && IsVR(data, position + 4), bigEndian) is not { } header)
            {
                break;
            }

            headers.Add(header);
            if (depth == 0)
            {
                topLevel.Add(header);
            }

            if (!header.HasDefinedLength)
            {
                inFragments = group == 0x7FE0 || (header.VROffset >= 0 && data[header.VROffset] == 'O');
                depth++;
                position = header.ValueOffset;
                continue;
            }

            var isSequence = header.VROffset >= 0 && data[header.VROffset] == 'S' && data[header.VROffset + 1] == 'Q';
            var startsWithItem = header.Length >= 8 && header.ValueOffset + 4 <= data.Length
                && (bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(header.ValueOffset)) == 0xFFFEE000u : BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(header.ValueOffset)) == 0xE000FFFEu);
            if (isSequence || startsWithItem)
            {
                // Entered: its items' headers follow. (Defined-length nesting is not tracked for TopLevel.)
                position = header.ValueOffset;
                continue;
            }

            if ((long)header.ValueOffset + header.Length > data.Length)
            {
                break;
            }

            position = header.ValueOffset + (int)header.Length;
        }

        return new ScannedFile(headers, body, explicitVR, bigEndian, deflated, syntaxElement) { TopLevel = topLevel };
    }

    private static ScannedHeader? ReadElement(byte[] data, int position, bool explicitVR, bool bigEndian)
    {
        if (position + 8 > data.Length)
        {
            return null;
        }

        var span = data.AsSpan(position);
        if (!explicitVR)
        {
            var length = bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(span[4..]) : BinaryPrimitives.ReadUInt32LittleEndian(span[4..]);
            return new ScannedHeader(HeaderKind.Element, position, 8, -1, position + 4, 4, bigEndian, length);
        }

        var vr = Encoding.ASCII.GetString(data, position + 4, 2);
        if (LongVRs.Contains(vr))
        {
            if (position + 12 > data.Length)
            {
                return null;
            }

            var length = bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(span[8..]) : BinaryPrimitives.ReadUInt32LittleEndian(span[8..]);
            return new ScannedHeader(HeaderKind.Element, position, 12, position + 4, position + 8, 4, bigEndian, length);
        }

        var shortLength = bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(span[6..]) : BinaryPrimitives.ReadUInt16LittleEndian(span[6..]);
        return new ScannedHeader(HeaderKind.Element, position, 8, position + 4, position + 6, 2, bigEndian, shortLength);
    }

    private static bool IsVR(byte[] data, int at) => at + 2 <= data.Length && data[at] is >= (byte)'A' and <= (byte)'Z' && data[at + 1] is >= (byte)'A' and <= (byte)'Z';
}
