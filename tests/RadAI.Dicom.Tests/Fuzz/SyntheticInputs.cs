using System.IO.Compression;

namespace RadAI.Dicom.Tests.Fuzz;

/// <summary>
/// Hostile structures no mutation of a small seed reaches: nesting thousands deep, tens of thousands
/// of tiny elements or items, lengths of gigabytes in files of a few hundred bytes, a deflate bomb,
/// values made to break the typed getters. Each family is one theory row.
/// </summary>
internal static class SyntheticInputs
{
    /// <summary>
    /// Elements, items... in the "many tiny things" inputs: 400 KB of 8-byte headers, read in a fraction of a
    /// second by a Debug build, with JSON, dump and writing.
    /// </summary>
    private const int Many = 50_000;

    /// <summary>
    /// Elements in the inputs that only time the reading (<see cref="FuzzCase.ReadsOnly"/>): 1.2 MB. Inserting
    /// each out-of-order element in place took a minute to read them backwards; a linear reader takes a second.
    /// </summary>
    private const int Most = 150_000;

    private const int Deep = 5_000;

    public static IReadOnlyList<string> Families { get; } = ["deep-nesting", "tiny-elements", "tiny-structures", "huge-declared-lengths", "deflate-bomb", "hostile-values"];

    public static IEnumerable<FuzzCase> Family(string family)
    {
        var cases = family switch
        {
            "deep-nesting" => DeepNesting(),
            "tiny-elements" => TinyElements(),
            "tiny-structures" => TinyStructures(),
            "huge-declared-lengths" => HugeDeclaredLengths(),
            "deflate-bomb" => DeflateBombs(),
            "hostile-values" => HostileValues(),
            _ => throw new ArgumentOutOfRangeException(nameof(family)),
        };
        var index = 0;
        foreach (var (description, bytes, contentSize) in cases)
        {
            yield return new FuzzCase(family, index++, description, bytes) { ContentSize = contentSize, ReadsOnly = family == "tiny-elements" && bytes.Length > Most * 8 };
        }
    }

    private static IEnumerable<(string, byte[], long?)> DeepNesting()
    {
        foreach (var syntax in new[] { DicomBytes.ExplicitLittle, DicomBytes.ImplicitLittle, DicomBytes.ExplicitBig })
        {
            foreach (var closed in new[] { false, true })
            {
                var file = DicomBytes.Part10(syntax).Element(0x0008, 0x0060, "CS", "OT");
                for (var i = 0; i < Deep; i++)
                {
                    file.Header(0x0040, 0xA730, "SQ", 0xFFFFFFFF).Item(0xFFFFFFFF);
                }

                for (var i = 0; closed && i < Deep; i++)
                {
                    file.ItemDelimiter().SequenceDelimiter();
                }

                yield return ($"{Deep} nested undefined-length sequences and items, {syntax}{(closed ? ", closed" : "")}", file.ToArray(), null);
            }
        }

        // Explicit UN of undefined length: its items are implicit VR (PS3.5 6.2.2), nested again as UN... as unknown tags.
        var un = DicomBytes.Part10(DicomBytes.ExplicitLittle);
        for (var i = 0; i < Deep; i++)
        {
            un.Header(0x0009, 0x1010, "UN", 0xFFFFFFFF).Item(0xFFFFFFFF);
        }

        yield return ($"{Deep} nested undefined-length UN", un.ToArray(), null);

        // Items without sequences around them, and sequences whose items never open.
        var items = DicomBytes.Part10(DicomBytes.ExplicitLittle).Header(0x0040, 0xA730, "SQ", 0xFFFFFFFF);
        for (var i = 0; i < Deep; i++)
        {
            items.Item(0xFFFFFFFF);
        }

        yield return ($"{Deep} undefined-length items opened in one sequence", items.ToArray(), null);

        // Defined lengths: each sequence and item claims exactly the rest of the file.
        const int Levels = 3_000;
        var defined = new byte[0];
        for (var i = 0; i < Levels; i++)
        {
            var level = new DicomBytes().Header(0x0040, 0xA730, "SQ", (uint)(defined.Length + 8)).Item((uint)defined.Length).Raw(defined);
            defined = level.ToArray();
        }

        yield return ($"{Levels} nested defined-length sequences", [.. DicomBytes.Part10(DicomBytes.ExplicitLittle).ToArray(), .. defined], null);
    }

    private static IEnumerable<(string, byte[], long?)> TinyElements()
    {
        static (ushort Group, ushort Element) TagOf(int i) => ((ushort)(0x0011 + (2 * (i / 60_000))), (ushort)(0x1000 + (i % 60_000)));

        byte[] Elements(string syntax, IEnumerable<int> order, int valueLength)
        {
            var file = DicomBytes.Part10(syntax);
            var value = new byte[valueLength];
            foreach (var i in order)
            {
                var (group, element) = TagOf(i);
                file.Element(group, element, "LO", value);
            }

            return file.ToArray();
        }

        var shuffled = Enumerable.Range(0, Most).ToArray();
        new Random(20261125).Shuffle(shuffled);
        yield return ($"{Many} empty elements in ascending order", Elements(DicomBytes.ExplicitLittle, Enumerable.Range(0, Many), 0), null);
        yield return ($"{Most} empty elements in descending order", Elements(DicomBytes.ExplicitLittle, Enumerable.Range(0, Most).Reverse(), 0), null);
        yield return ($"{Most} empty elements in random order", Elements(DicomBytes.ExplicitLittle, shuffled, 0), null);
        yield return ($"{Most} empty elements in descending order, implicit VR", Elements(DicomBytes.ImplicitLittle, Enumerable.Range(0, Most).Reverse(), 0), null);
        yield return ($"{Many} times the same element", Elements(DicomBytes.ExplicitLittle, Enumerable.Repeat(0, Many), 0), null);
        yield return ($"{Many} elements of odd length 1", Elements(DicomBytes.ExplicitLittle, Enumerable.Range(0, Many), 1), null);
        yield return ($"{Many} times the same element, odd length 1", Elements(DicomBytes.ExplicitLittle, Enumerable.Repeat(0, Many), 1), null);
        yield return ($"{Many} elements of 2 bytes", Elements(DicomBytes.ExplicitLittle, Enumerable.Range(0, Many), 2), null);

        // Elements without a VR where one is expected (each one a warning).
        var noVR = DicomBytes.Part10(DicomBytes.ExplicitLittle);
        for (var i = 0; i < Many; i++)
        {
            var (group, element) = TagOf(i);
            noVR.Raw([(byte)group, (byte)(group >> 8), (byte)element, (byte)(element >> 8), 0, 0, 0, 0]);
        }

        yield return ($"{Many} implicit VR elements in an explicit VR dataset", noVR.ToArray(), null);
    }

    private static IEnumerable<(string, byte[], long?)> TinyStructures()
    {
        var definedItems = DicomBytes.Part10(DicomBytes.ExplicitLittle).Header(0x0040, 0xA730, "SQ", Many * 8u);
        for (var i = 0; i < Many; i++)
        {
            definedItems.Item(0);
        }

        yield return ($"one sequence of {Many} empty defined-length items", definedItems.ToArray(), null);

        var undefinedItems = DicomBytes.Part10(DicomBytes.ExplicitLittle).Header(0x0040, 0xA730, "SQ", 0xFFFFFFFF);
        for (var i = 0; i < Many / 2; i++)
        {
            undefinedItems.Item(0xFFFFFFFF).ItemDelimiter();
        }

        yield return ($"one sequence of {Many / 2} empty undefined-length items", undefinedItems.SequenceDelimiter().ToArray(), null);

        var smallItems = DicomBytes.Part10(DicomBytes.ExplicitLittle).Header(0x0040, 0xA730, "SQ", 0xFFFFFFFF);
        for (var i = 0; i < Many / 2; i++)
        {
            smallItems.Item(8).Element(0x0008, 0x0100, "SH", "");
        }

        yield return ($"one sequence of {Many / 2} items of one empty element", smallItems.SequenceDelimiter().ToArray(), null);

        var sequences = DicomBytes.Part10(DicomBytes.ImplicitLittle);
        for (var i = 0; i < Many / 2; i++)
        {
            sequences.Header((ushort)(0x0011 + (2 * (i / 60_000))), (ushort)(0x1000 + (i % 60_000)), "SQ", 0xFFFFFFFF).SequenceDelimiter();
        }

        yield return ($"{Many / 2} empty undefined-length sequences, implicit VR", sequences.ToArray(), null);

        var itemDelimiters = DicomBytes.Part10(DicomBytes.ExplicitLittle);
        var sequenceDelimiters = DicomBytes.Part10(DicomBytes.ExplicitLittle);
        for (var i = 0; i < Many; i++)
        {
            itemDelimiters.ItemDelimiter();
            sequenceDelimiters.SequenceDelimiter();
        }

        yield return ($"{Many} item delimiters outside items", itemDelimiters.ToArray(), null);
        yield return ($"{Many} sequence delimiters outside sequences", sequenceDelimiters.ToArray(), null);

        var fragments = DicomBytes.Part10(DicomBytes.ExplicitLittle).Header(0x7FE0, 0x0010, "OB", 0xFFFFFFFF).Item(0);
        for (var i = 0; i < Many; i++)
        {
            fragments.Item(0);
        }

        yield return ($"{Many} empty pixel data fragments", fragments.SequenceDelimiter().ToArray(), null);
    }

    /// <summary>A valid header declaring about 2 GB, in a file of a few hundred bytes.</summary>
    private static IEnumerable<(string, byte[], long?)> HugeDeclaredLengths()
    {
        const uint TwoGB = 0x7FFFFFF0;
        static DicomBytes Start(string syntax = DicomBytes.ExplicitLittle) =>
            DicomBytes.Part10(syntax).Element(0x0008, 0x0016, "UI", "1.2.840.10008.5.1.4.1.1.7").Element(0x0010, 0x0010, "PN", "Doe^John");

        byte[] Tail() => new byte[100];

        yield return ("OB value of 2 GB", Start().Header(0x0009, 0x1010, "OB", TwoGB).Raw(Tail()).ToArray(), null);
        yield return ("OB value of 0x80000000 bytes", Start().Header(0x0009, 0x1010, "OB", 0x80000000).Raw(Tail()).ToArray(), null);
        yield return ("UT value of 0xFFFFFFFE bytes", Start().Header(0x0040, 0xA160, "UT", 0xFFFFFFFE).Raw(Tail()).ToArray(), null);
        yield return ("UN value of 2 GB for a known tag", Start().Header(0x0010, 0x0020, "UN", TwoGB).Raw(Tail()).ToArray(), null);
        yield return ("UN value of 0xFFFE bytes for a known tag", Start().Header(0x0010, 0x0020, "UN", 0xFFFE).Raw(Tail()).ToArray(), null);
        yield return ("implicit VR string of 2 GB", Start(DicomBytes.ImplicitLittle).Header(0x0010, 0x0020, "LO", TwoGB).Raw(Tail()).ToArray(), null);
        yield return ("implicit VR private value of 2 GB", Start(DicomBytes.ImplicitLittle).Header(0x0009, 0x1010, "UN", TwoGB).Raw(Tail()).ToArray(), null);
        yield return ("big endian OW value of 2 GB", Start(DicomBytes.ExplicitBig).Header(0x7FE0, 0x0010, "OW", TwoGB).Raw(Tail()).ToArray(), null);
        yield return ("pixel data of 2 GB", Start().Header(0x7FE0, 0x0010, "OW", TwoGB).Raw(Tail()).ToArray(), null);
        yield return ("sequence of 2 GB", Start().Header(0x0040, 0xA730, "SQ", TwoGB).Item(8).Element(0x0008, 0x0100, "SH", "").Raw(Tail()).ToArray(), null);
        yield return ("item of 2 GB", Start().Header(0x0040, 0xA730, "SQ", 0xFFFFFFFF).Item(TwoGB).Element(0x0008, 0x0100, "SH", "").Raw(Tail()).ToArray(), null);
        yield return ("basic offset table of 2 GB", Start().Header(0x7FE0, 0x0010, "OB", 0xFFFFFFFF).Item(TwoGB).Raw(Tail()).ToArray(), null);
        yield return ("fragment of 2 GB", Start().Header(0x7FE0, 0x0010, "OB", 0xFFFFFFFF).Item(0).Item(TwoGB).Raw(Tail()).ToArray(), null);
        yield return ("value of 1 MB (just under the stream reader's chunk) in a small file", Start().Header(0x0009, 0x1010, "OB", 1024 * 1024).Raw(Tail()).ToArray(), null);
        yield return ("meta element of 2 GB", DicomBytes.Part10(DicomBytes.ExplicitLittle).ToArray()[..132].Concat(new DicomBytes().Header(0x0002, 0x0001, "OB", TwoGB).Raw(Tail()).ToArray()).ToArray(), null);

        // The same 2 GB claim repeated: every element header of the file lies.
        var repeated = Start();
        for (var i = 0; i < 50; i++)
        {
            repeated.Header(0x0009, (ushort)(0x1010 + i), "OB", TwoGB);
        }

        yield return ("50 headers each claiming 2 GB", repeated.ToArray(), null);
    }

    /// <summary>Deflated datasets that inflate far beyond their size: the bound is computed from the inflated size.</summary>
    private static IEnumerable<(string, byte[], long?)> DeflateBombs()
    {
        static (byte[] File, long Inflated) Deflate(byte[] dataset)
        {
            using var compressed = new MemoryStream();
            using (var deflate = new DeflateStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
            {
                deflate.Write(dataset);
            }

            return ([.. DicomBytes.Part10(DicomBytes.Deflated).ToArray(), .. compressed.ToArray()], dataset.Length);
        }

        var (zeros, zerosSize) = Deflate(new byte[4 * 1024 * 1024]);
        yield return ("4 MiB of zeros deflated", zeros, zerosSize);

        var items = new DicomBytes().Header(0x0040, 0xA730, "SQ", 0xFFFFFFFF);
        for (var i = 0; i < Many * 2; i++)
        {
            items.Item(0);
        }

        var (itemBomb, itemSize) = Deflate(items.SequenceDelimiter().ToArray());
        yield return ($"{Many * 2} empty items deflated", itemBomb, itemSize);

        var (garbage, garbageSize) = Deflate(new byte[100]);
        garbage[^10] ^= 0x55;
        garbage[^20] ^= 0xAA;
        yield return ("corrupt deflate stream", garbage, garbageSize);
        yield return ("deflated syntax, data not deflated", [.. DicomBytes.Part10(DicomBytes.Deflated).ToArray(), .. new DicomBytes().Element(0x0010, 0x0010, "PN", "Doe").ToArray()], null);
    }

    /// <summary>
    /// Values the reader accepts (it does not judge values) made to break what comes after: the typed
    /// getters, DICOM JSON, the dump, the writer. Explicit VR, and implicit VR where a value longer than
    /// 64 KiB is wanted (read into memory from a stream, not left as bulk data).
    /// </summary>
    private static IEnumerable<(string, byte[], long?)> HostileValues()
    {
        static byte[] Text(int length, char c) => [.. Enumerable.Repeat((byte)c, length)];

        static DicomBytes Start(string syntax = DicomBytes.ExplicitLittle) =>
            DicomBytes.Part10(syntax).Element(0x0008, 0x0016, "UI", "1.2.840.10008.5.1.4.1.1.7").Element(0x0008, 0x0018, "UI", "1.2.3.4");

        yield return ("TM of 60000 digits", Start().Element(0x0008, 0x0030, "TM", Text(60_000, '1')).ToArray(), null);
        yield return ("DT of 1 MB (implicit VR)", Start(DicomBytes.ImplicitLittle).Element(0x0008, 0x002A, "DT", Text(1_000_000, '2')).ToArray(), null);
        yield return ("DA, TM, DT out of range", Start()
            .Element(0x0008, 0x0020, "DA", "99999999").Element(0x0008, 0x0021, "DA", "0000.00.00").Element(0x0008, 0x0030, "TM", "99:99:99.9999999")
            .Element(0x0008, 0x002A, "DT", "99991231235959.999999+1400").ToArray(), null);
        yield return ("DT whose UTC offset is not an offset", Start().Element(0x0008, 0x002A, "DT", "20240101120000+9999").ToArray(), null);
        yield return ("DT at the first instant, east of UTC", Start().Element(0x0008, 0x002A, "DT", "00010101000000+0100").ToArray(), null);
        yield return ("DT at the last instant, west of UTC", Start().Element(0x0008, 0x002A, "DT", "99991231235959.999999-1200").ToArray(), null);
        // Case 6 (read from the stream 7 bytes at a time): a TM of 4.5 MB, which parsing once put on an 8 MB stack.
        yield return ("TM of 4.5 MB (implicit VR)", Start(DicomBytes.ImplicitLittle).Element(0x0008, 0x0030, "TM", Text(4_500_000, '1')).ToArray(), null);
        yield return ("Timezone Offset From UTC of +9999", Start().Element(0x0008, 0x002A, "DT", "20240101120000").Element(0x0008, 0x0201, "SH", "+9999").ToArray(), null);
        yield return ("Timezone Offset From UTC of +1400 at the first instant", Start().Element(0x0008, 0x002A, "DT", "0001").Element(0x0008, 0x0201, "SH", "+1400").ToArray(), null);
        yield return ("IS beyond 64 bits", Start().Element(0x0020, 0x0013, "IS", "99999999999999999999").Element(0x0028, 0x0008, "IS", "-1e300").ToArray(), null);
        yield return ("DS not finite", Start().Element(0x0018, 0x0050, "DS", "NaN\\Infinity\\-1e400").ToArray(), null);
        yield return ("IS and DS of 60000 characters", Start().Element(0x0020, 0x0013, "IS", Text(60_000, '9')).Element(0x0018, 0x0050, "DS", Text(60_000, '9')).ToArray(), null);
        yield return ("numbers of odd sizes", Start()
            .Element(0x0028, 0x0010, "US", [1]).Element(0x0028, 0x0030, "DS", "").Element(0x0018, 0x9306, "FD", [1, 2, 3, 4, 5, 6, 7])
            .Element(0x0020, 0x9057, "UL", [1, 2, 3]).Element(0x0028, 0x9503, "SS", [1, 2, 3]).Element(0x0018, 0x1310, "US", [0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
            .Element(0x0020, 0x9165, "AT", [1, 2, 3]).ToArray(), null);
        yield return ("floats that are not numbers", Start().Element(0x0018, 0x9306, "FD", [0, 0, 0, 0, 0, 0, 0xF8, 0x7F, 0, 0, 0, 0, 0, 0, 0xF0, 0xFF]).Element(0x0018, 0x9307, "FL", [0, 0, 0xC0, 0x7F]).ToArray(), null);
        yield return ("PN with 300 component groups", Start().Element(0x0010, 0x0010, "PN", string.Concat(Enumerable.Repeat("A^B^C^D^E^F=", 300))).ToArray(), null);
        yield return ("Specific Character Set of garbage", Start().Element(0x0008, 0x0005, "CS", "ISO 2022 IR 999\\\\\\ISO_IR 192\\GB18030\\\u00FF").Element(0x0010, 0x0010, "PN", [0x1B, 0x24, 0x42, 0xFF, 0x1B, 0x28, 0x4A, 0xC0]).ToArray(), null);
        yield return ("Specific Character Set of 60000 backslashes", Start().Element(0x0008, 0x0005, "CS", Text(60_000, '\\')).Element(0x0010, 0x0010, "PN", [0xE9, 0x1B, 0x28]).ToArray(), null);
        yield return ("escape sequences cut short", Start().Element(0x0008, 0x0005, "CS", "\\ISO 2022 IR 87\\ISO 2022 IR 159").Element(0x0010, 0x0010, "PN", [0x1B, 0x24, 0x28, 0x44, 0x30, 0x1B, 0x24]).ToArray(), null);
        yield return ("UI that breaks the UID rules", Start().Element(0x0008, 0x0016, "UI", "1.02.abc").Element(0x0008, 0x0018, "UI", "\u00E9" + new string('9', 80)).ToArray(), null);
        yield return ("group length as a sequence, in a defined-length item", Start(DicomBytes.ImplicitLittle)
            .Header(0x0040, 0xA730, "SQ", 48).Item(40).Header(0x0008, 0x0000, "SQ", 0xFFFFFFFF).Item(0xFFFFFFFF).ItemDelimiter().SequenceDelimiter()
            .Element(0x0008, 0x0100, "SH", "").ToArray(), null);
        yield return ("group lengths of the wrong size", Start().Element(0x0008, 0x0000, "UL", [1, 2]).Element(0x0010, 0x0000, "OB", Text(10, 'x')).Element(0x0010, 0x0010, "PN", "A").ToArray(), null);
        yield return ("group 0002 elements in the data set", Start().Element(0x0002, 0x0010, "UI", DicomBytes.ImplicitLittle).ToArray()
            .Concat(new DicomBytes().Element(0x0010, 0x0010, "PN", "A").ToArray()).ToArray(), null);
        yield return ("pixel data of big endian 32-bit samples with an odd length", Start(DicomBytes.ExplicitBig)
            .Element(0x0028, 0x0100, "US", [0, 32]).Element(0x7FE0, 0x0010, "OW", Text(7, 'p')).ToArray(), null);
        yield return ("LUT data whose descriptor is not a number (implicit VR)", Start(DicomBytes.ImplicitLittle)
            .Element(0x0028, 0x3002, "US", Text(3, 'x')).Element(0x0028, 0x3006, "US", Text(6, 'y')).ToArray(), null);
    }
}
