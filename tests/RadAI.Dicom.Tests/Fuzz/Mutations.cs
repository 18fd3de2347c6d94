using System.Buffers.Binary;
using System.Text;

namespace RadAI.Dicom.Tests.Fuzz;

/// <summary>One fuzz input: which seed it comes from, its number there, what was done to it.</summary>
internal sealed record FuzzCase(string Seed, int Index, string Description, byte[] Bytes)
{
    /// <summary>
    /// The size the allocation bound is computed from, when it is not the input's (a deflated input
    /// states how much it inflates to: its content is what justifies allocations).
    /// </summary>
    public long? ContentSize { get; init; }

    /// <summary>
    /// Only the reads (and their agreement and allocation): for the largest inputs, whose point is the cost of
    /// reading them, so that a cost quadratic in their size stands out from the linear cost of the rest.
    /// </summary>
    public bool ReadsOnly { get; init; }
}

/// <summary>
/// The mutations of one seed file: <see cref="PerSeed"/> cases, each of a planned kind, with positions
/// and values drawn from a <see cref="Random"/> seeded from the seed's name, so every run is the same.
/// </summary>
internal static class Mutations
{
    private enum Kind
    {
        BitFlips,
        RandomBytes,
        Truncate,
        TruncateInHeader,
        TruncateInValue,
        LengthField,
        VR,
        TagToDelimiter,
        DuplicateRange,
        DeleteRange,
        Stacked,
        DeepNesting,
        HugeLength,
        TransferSyntax,
        FillRange,
        MoveElement,
    }

    private static readonly Kind[] Plan =
    [
        Kind.BitFlips, Kind.BitFlips, Kind.BitFlips,
        Kind.RandomBytes, Kind.RandomBytes, Kind.RandomBytes,
        Kind.Truncate, Kind.Truncate, Kind.Truncate,
        Kind.TruncateInHeader, Kind.TruncateInHeader, Kind.TruncateInHeader,
        Kind.TruncateInValue, Kind.TruncateInValue,
        Kind.LengthField, Kind.LengthField, Kind.LengthField, Kind.LengthField,
        Kind.LengthField, Kind.LengthField, Kind.LengthField, Kind.LengthField,
        Kind.VR, Kind.VR, Kind.VR, Kind.VR,
        Kind.TagToDelimiter, Kind.TagToDelimiter, Kind.TagToDelimiter,
        Kind.DuplicateRange, Kind.DuplicateRange,
        Kind.DeleteRange, Kind.DeleteRange,
        Kind.Stacked, Kind.Stacked,
        Kind.DeepNesting,
        Kind.HugeLength,
        Kind.TransferSyntax,
        Kind.FillRange,
        Kind.MoveElement,
    ];

    private static readonly Kind[] Stackable = [Kind.BitFlips, Kind.RandomBytes, Kind.LengthField, Kind.VR, Kind.TagToDelimiter, Kind.DuplicateRange, Kind.DeleteRange, Kind.FillRange];

    private static readonly string[] Syntaxes =
    [
        DicomBytes.ImplicitLittle, DicomBytes.ExplicitLittle, DicomBytes.ExplicitBig, DicomBytes.Deflated,
        "1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.5", "1.2.3.4.5.6", "",
    ];

    public static int PerSeed => Plan.Length;

    public static IEnumerable<FuzzCase> For(string seedName, byte[] seed)
    {
        var random = new Random(StableSeed(seedName));
        var scan = HeaderScanner.Scan(seed);
        for (var i = 0; i < Plan.Length; i++)
        {
            var (bytes, description) = Apply(Plan[i], seed, scan, random);
            yield return new FuzzCase(seedName, i, description, bytes);
        }
    }

    /// <summary>FNV-1a of the name: string.GetHashCode differs from run to run.</summary>
    public static int StableSeed(string name)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(name))
        {
            hash = (hash ^ b) * 16777619u;
        }

        return (int)(hash & 0x7FFFFFFF);
    }

    private static (byte[] Bytes, string Description) Apply(Kind kind, byte[] seed, ScannedFile scan, Random random)
    {
        var data = (byte[])seed.Clone();
        switch (kind)
        {
            case Kind.BitFlips:
            {
                var flips = new List<string>();
                for (var n = random.Next(1, 9); n > 0 && data.Length > 0; n--)
                {
                    var at = random.Next(data.Length);
                    var bit = random.Next(8);
                    data[at] ^= (byte)(1 << bit);
                    flips.Add($"{at}.{bit}");
                }

                return (data, $"bit flips at {string.Join(", ", flips)}");
            }

            case Kind.RandomBytes:
            {
                var changes = new List<string>();
                for (var n = random.Next(1, 17); n > 0 && data.Length > 0; n--)
                {
                    var at = random.Next(data.Length);
                    data[at] = (byte)random.Next(256);
                    changes.Add($"{at}={data[at]:X2}");
                }

                return (data, $"random bytes {string.Join(", ", changes)}");
            }

            case Kind.Truncate:
            {
                var cut = random.Next(data.Length);
                return (data[..cut], $"truncated at {cut} of {data.Length}");
            }

            case Kind.TruncateInHeader:
            {
                if (Pick(scan.Headers, random, data.Length) is not { } header || header.ValueOffset > data.Length)
                {
                    return Apply(Kind.Truncate, seed, scan, random);
                }

                var cut = header.Offset + random.Next(1, header.HeaderLength);
                return (data[..cut], $"truncated at {cut}, inside the header of {Describe(data, header)}");
            }

            case Kind.TruncateInValue:
            {
                var candidates = scan.Headers.Where(h => h.HasDefinedLength && h.Length >= 2 && h.ValueOffset + (long)h.Length <= data.Length).ToList();
                if (Pick(candidates, random, data.Length) is not { } header)
                {
                    return Apply(Kind.Truncate, seed, scan, random);
                }

                var cut = header.ValueOffset + random.Next(1, (int)header.Length);
                return (data[..cut], $"truncated at {cut}, inside the value of {Describe(data, header)}");
            }

            case Kind.LengthField:
            {
                if (Pick(scan.Headers, random, data.Length) is not { } header)
                {
                    return Apply(Kind.RandomBytes, seed, scan, random);
                }

                var remaining = (uint)Math.Max(0, data.Length - header.ValueOffset);
                uint value;
                if (header.LengthSize == 2)
                {
                    uint[] choices = [0, 1, ((uint)random.Next(0x8000) * 2) + 1, 0xFFFF, 0xFFFE, Math.Min(0xFFFF, remaining + 1), Math.Min(0xFFFF, remaining + 2)];
                    value = choices[random.Next(choices.Length)];
                    Write16(data, header.LengthOffset, (ushort)value, header.BigEndian);
                }
                else
                {
                    uint[] choices = [0, 1, ((uint)random.Next(0x8000) * 2) + 1, 0xFFFF, 0xFFFFFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFE, 0x7FFFFFF0, remaining, remaining + 1, remaining + 2];
                    value = choices[random.Next(choices.Length)];
                    Write32(data, header.LengthOffset, value, header.BigEndian);
                }

                return (data, $"length of {Describe(seed, header)} set to 0x{value:X}");
            }

            case Kind.VR:
            {
                var candidates = scan.Headers.Where(h => h.VROffset >= 0).ToList();
                if (Pick(candidates, random, data.Length) is not { } header)
                {
                    return Apply(Kind.RandomBytes, seed, scan, random);
                }

                var vr = random.Next(6) switch
                {
                    0 => "SQ",
                    1 => "UN",
                    2 => "OB",
                    3 => "UT",
                    4 => new string([(char)random.Next(32, 127), (char)random.Next(32, 127)]),
                    _ => new string([(char)('A' + random.Next(26)), (char)('A' + random.Next(26))]),
                };
                data[header.VROffset] = (byte)vr[0];
                data[header.VROffset + 1] = (byte)vr[1];
                return (data, $"VR of {Describe(seed, header)} set to '{vr}'");
            }

            case Kind.TagToDelimiter:
            {
                if (Pick(scan.Headers, random, data.Length) is not { } header)
                {
                    return Apply(Kind.RandomBytes, seed, scan, random);
                }

                ushort[] elements = [0xE000, 0xE00D, 0xE0DD];
                var element = elements[random.Next(elements.Length)];
                Write16(data, header.Offset, 0xFFFE, header.BigEndian);
                Write16(data, header.Offset + 2, element, header.BigEndian);
                return (data, $"tag of {Describe(seed, header)} set to (FFFE,{element:X4})");
            }

            case Kind.DuplicateRange:
            {
                var (start, length, what) = Range(data, scan, random);
                var at = random.Next(2) == 0 ? start + length : random.Next(data.Length + 1);
                var result = new byte[data.Length + length];
                data.AsSpan(0, at).CopyTo(result);
                data.AsSpan(start, length).CopyTo(result.AsSpan(at));
                data.AsSpan(at).CopyTo(result.AsSpan(at + length));
                return (result, $"{what} copied to {at}");
            }

            case Kind.DeleteRange:
            {
                var (start, length, what) = Range(data, scan, random);
                return ([.. data.AsSpan(0, start), .. data.AsSpan(start + length)], $"{what} deleted");
            }

            case Kind.FillRange:
            {
                var (start, length, what) = Range(data, scan, random);
                var fill = random.Next(2) == 0 ? (byte)0x00 : (byte)0xFF;
                data.AsSpan(start, length).Fill(fill);
                return (data, $"{what} filled with {fill:X2}");
            }

            case Kind.Stacked:
            {
                var descriptions = new List<string>();
                for (var n = random.Next(2, 5); n > 0; n--)
                {
                    var (mutated, description) = Apply(Stackable[random.Next(Stackable.Length)], data, scan, random);
                    data = mutated;
                    descriptions.Add(description);
                }

                return (data, "stacked: " + string.Join("; ", descriptions));
            }

            case Kind.DeepNesting:
            {
                var depth = random.Next(1000, 5001);
                var closed = random.Next(2) == 0;
                var chain = new DicomBytes(scan.ExplicitVR, scan.BigEndian);
                for (var i = 0; i < depth; i++)
                {
                    chain.Header(0x0040, 0xA730, "SQ", 0xFFFFFFFF).Item(0xFFFFFFFF);
                }

                for (var i = 0; closed && i < depth; i++)
                {
                    chain.ItemDelimiter().SequenceDelimiter();
                }

                var at = Boundary(scan, random, data.Length);
                return (Insert(data, at, chain.ToArray()), $"{depth} nested undefined-length sequences{(closed ? " (closed)" : "")} inserted at {at}");
            }

            case Kind.HugeLength:
            {
                var header = new DicomBytes(scan.ExplicitVR, scan.BigEndian);
                string[] vrs = ["OB", "UT", "UN", "SQ", "OW", "LO"];
                var vr = vrs[random.Next(vrs.Length)];
                uint[] lengths = [0x7FFFFFF0, 0x7FFFFFFF, 0x80000000, 0xFFFFFFF0, 0xFFFFFFFE];
                var length = lengths[random.Next(lengths.Length)];
                header.Header(0x0009, 0x1010, vr, length);
                var at = Boundary(scan, random, data.Length);
                var spliced = Insert(data, at, header.ToArray());
                var cut = Math.Min(spliced.Length, at + header.Length + random.Next(0, 200));
                return (spliced[..(int)cut], $"header (0009,1010) {vr} declaring 0x{length:X} bytes inserted at {at}, cut at {cut}");
            }

            case Kind.TransferSyntax:
            {
                if (scan.TransferSyntaxElement is not { } element)
                {
                    return Apply(Kind.RandomBytes, seed, scan, random);
                }

                var syntax = Syntaxes[random.Next(Syntaxes.Length)];
                var value = Encoding.ASCII.GetBytes(syntax.Length % 2 == 0 ? syntax : syntax + "\0");
                var replaced = new byte[data.Length - (int)element.Length + value.Length];
                data.AsSpan(0, element.ValueOffset).CopyTo(replaced);
                Write16(replaced, element.LengthOffset, (ushort)value.Length, bigEndian: false);
                value.CopyTo(replaced.AsSpan(element.ValueOffset));
                data.AsSpan(element.ValueOffset + (int)element.Length).CopyTo(replaced.AsSpan(element.ValueOffset + value.Length));
                return (replaced, $"transfer syntax set to '{syntax}'");
            }

            case Kind.MoveElement:
            {
                var candidates = scan.TopLevel.Where(h => h.HasDefinedLength && h.ValueOffset + (long)h.Length <= data.Length).ToList();
                if (candidates.Count < 2 || Pick(candidates, random, data.Length) is not { } header)
                {
                    return Apply(Kind.DuplicateRange, seed, scan, random);
                }

                var element = data.AsSpan(header.Offset, header.HeaderLength + (int)header.Length).ToArray();
                byte[] without = [.. data.AsSpan(0, header.Offset), .. data.AsSpan(header.Offset + element.Length)];
                var at = candidates[0].Offset;
                return (Insert(without, at, element), $"{Describe(seed, header)} moved to {at} (out of order)");
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }

    /// <summary>A range to copy, delete or fill: a whole element (header and value), a header alone, or random bytes.</summary>
    private static (int Start, int Length, string What) Range(byte[] data, ScannedFile scan, Random random)
    {
        if (data.Length == 0)
        {
            return (0, 0, "nothing");
        }

        var choice = random.Next(3);
        if (choice < 2 && Pick(scan.Headers, random, data.Length) is { } header && header.ValueOffset <= data.Length)
        {
            var length = choice == 0
                ? header.HeaderLength
                : (int)Math.Min(data.Length - header.Offset, header.HeaderLength + (header.HasDefinedLength ? (long)header.Length : 0));
            return (header.Offset, length, choice == 0 ? $"header of {Describe(data, header)}" : $"element {Describe(data, header)}");
        }

        var start = random.Next(data.Length);
        var count = random.Next(1, Math.Min(4096, data.Length - start) + 1);
        return (start, count, $"bytes {start}..{start + count}");
    }

    private static int Boundary(ScannedFile scan, Random random, int length) =>
        Pick(scan.TopLevel, random, length) is { } header ? header.Offset : Math.Min(scan.BodyOffset, length);

    private static byte[] Insert(byte[] data, int at, byte[] inserted) => [.. data.AsSpan(0, at), .. inserted, .. data.AsSpan(at)];

    /// <summary>A header lying wholly inside <paramref name="length"/> bytes (earlier stacked mutations may have cut the data).</summary>
    private static ScannedHeader? Pick(IReadOnlyList<ScannedHeader> headers, Random random, int length)
    {
        var inside = headers.Where(h => h.ValueOffset <= length).ToList();
        return inside.Count == 0 ? null : inside[random.Next(inside.Count)];
    }

    private static string Describe(byte[] data, ScannedHeader header)
    {
        var group = header.BigEndian ? BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(header.Offset)) : BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(header.Offset));
        var element = header.BigEndian ? BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(header.Offset + 2)) : BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(header.Offset + 2));
        return $"({group:X4},{element:X4}) at {header.Offset}";
    }

    private static void Write16(byte[] data, int at, ushort value, bool bigEndian)
    {
        if (bigEndian)
        {
            BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(at), value);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(at), value);
        }
    }

    private static void Write32(byte[] data, int at, uint value, bool bigEndian)
    {
        if (bigEndian)
        {
            BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(at), value);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(at), value);
        }
    }
}
