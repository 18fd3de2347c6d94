using System.Buffers.Binary;

namespace RadAI.Dicom.IO;

/// <summary>How the elements of a stream are encoded: explicit or implicit VR, byte order.</summary>
internal readonly record struct DicomEncoding(bool ExplicitVR, bool LittleEndian)
{
    public static readonly DicomEncoding ImplicitLittle = new(false, true);
    public static readonly DicomEncoding ExplicitLittle = new(true, true);
    public static readonly DicomEncoding ExplicitBig = new(true, false);

    public static DicomEncoding Of(DicomTransferSyntax syntax) => new(syntax.IsExplicitVR, syntax.IsLittleEndian);
}

/// <summary>
/// Reads elements from a <see cref="DicomInput"/> into datasets: defined and undefined lengths,
/// sequences and items at any depth, encapsulated pixel data, UN re-parsed with the dictionary's VR,
/// big endian values normalised to little endian. Lengths are checked against the input before
/// anything is allocated; whatever is wrong becomes a <see cref="DicomFormatException"/>.
/// Common vendor defects are read with a warning.
/// </summary>
internal sealed class DicomParser(DicomInput input, DicomReadOptions options, DicomValueArena arena, List<string> warnings)
{
    /// <summary>
    /// Warnings listed at most. A hostile file can hold a defect every 8 bytes (odd lengths, repeated
    /// tags, stray delimiters): a message for each would cost many times the file's size in memory.
    /// </summary>
    internal const int MaxWarnings = 1000;

    private const uint UndefinedLength = 0xFFFFFFFFu;
    private int _depth;

    public DicomInput Input => input;

    public List<string> Warnings => warnings;

    /// <summary>A parser with the same options, arena and warnings over another input (the inflated part of a deflated file).</summary>
    public DicomParser Over(DicomInput other) => new(other, options, arena, warnings);

    /// <summary>
    /// Reads a dataset until <paramref name="end"/> (a position), or, when <paramref name="end"/> is
    /// null, until an item delimiter (in an item) or the end of the input (top level).
    /// </summary>
    public async ValueTask ReadDatasetAsync(DicomDataset dataset, DicomEncoding encoding, long? end, bool isItem, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                if (end is { } limit && input.Position >= limit)
                {
                    if (input.Position > limit)
                    {
                        throw DicomFormatException.At(input.Position, null, $"An element runs past the end of its item or sequence ({input.Position - limit} bytes too far)");
                    }

                    return;
                }

                if (!await input.EnsureAsync(8, cancellationToken).ConfigureAwait(false))
                {
                    if (input.Available == 0 && !isItem && end is null)
                    {
                        return;
                    }

                    if (input.Available == 0 && isItem && end is null)
                    {
                        if (CanWarn())
                        {
                            warnings.Add($"Item without delimiter at the end of the data (byte {input.Position}).");
                        }

                        return;
                    }

                    throw DicomFormatException.At(input.Position, null, $"Data ends inside an element header ({input.Available} bytes left)");
                }

                var tag = ReadTag(input.Span, encoding.LittleEndian);
                if (tag == DicomTag.ItemDelimitation)
                {
                    input.Advance(8);
                    if (!isItem)
                    {
                        if (CanWarn())
                        {
                            warnings.Add($"Item delimiter outside an item at byte {input.Position - 8}, ignored.");
                        }

                        continue;
                    }

                    return;
                }

                if (tag == DicomTag.SequenceDelimitation && isItem && end is null)
                {
                    // A missing item delimiter before the sequence delimiter: the item ends here; the sequence reads the delimiter.
                    if (CanWarn())
                    {
                        warnings.Add($"Item not closed before the sequence delimiter at byte {input.Position}.");
                    }

                    return;
                }

                if (tag.IsItemOrDelimiter)
                {
                    if (tag == DicomTag.SequenceDelimitation && !isItem)
                    {
                        input.Advance(8);
                        if (CanWarn())
                        {
                            warnings.Add($"Sequence delimiter outside a sequence at byte {input.Position - 8}, ignored.");
                        }

                        continue;
                    }

                    throw DicomFormatException.At(input.Position, tag, "An item tag appears where a dataset element was expected");
                }

                if (_depth == 0 && options.StopBeforeTag is { } stop && tag >= stop)
                {
                    return;
                }

                await ReadElementAsync(dataset, encoding, tag, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            // Elements that arrived out of order are sorted now, and stored exactly sized, whatever ends the dataset.
            dataset.EndParsing();
        }
    }

    /// <summary>Reads the meta group: explicit VR little endian elements of group 0002, until another group starts.</summary>
    public async ValueTask ReadMetaGroupAsync(DicomDataset meta, CancellationToken cancellationToken)
    {
        try
        {
            while (await input.EnsureAsync(8, cancellationToken).ConfigureAwait(false))
            {
                var tag = ReadTag(input.Span, littleEndian: true);
                if (tag.Group != 0x0002)
                {
                    break;
                }

                await ReadElementAsync(meta, DicomEncoding.ExplicitLittle, tag, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            meta.EndParsing();
        }
    }

    private async ValueTask ReadElementAsync(DicomDataset dataset, DicomEncoding encoding, DicomTag tag, CancellationToken cancellationToken)
    {
        var start = input.Position;
        DicomVR vr;
        uint length;
        var span = input.Span;
        var explicitVR = encoding.ExplicitVR && DicomVRInfo.IsKnown((ushort)((span[4] << 8) | span[5]), out vr);
        if (encoding.ExplicitVR && !explicitVR)
        {
            // Not a VR where one should be: some writers mix implicit elements into explicit datasets.
            if (CanWarn())
            {
                warnings.Add($"Element {tag} at byte {start} has no valid VR ('{(char)span[4]}{(char)span[5]}' read): read as implicit VR.");
            }
        }

        if (explicitVR)
        {
            vr = (DicomVR)(ushort)((span[4] << 8) | span[5]);
            if (vr.HasLongLength())
            {
                if (!await input.EnsureAsync(12, cancellationToken).ConfigureAwait(false))
                {
                    throw DicomFormatException.At(start, tag, "Data ends inside an element header");
                }

                span = input.Span;
                length = encoding.LittleEndian ? BinaryPrimitives.ReadUInt32LittleEndian(span[8..]) : BinaryPrimitives.ReadUInt32BigEndian(span[8..]);
                input.Advance(12);
            }
            else
            {
                length = encoding.LittleEndian ? BinaryPrimitives.ReadUInt16LittleEndian(span[6..]) : BinaryPrimitives.ReadUInt16BigEndian(span[6..]);
                input.Advance(8);
            }
        }
        else
        {
            length = encoding.LittleEndian ? BinaryPrimitives.ReadUInt32LittleEndian(span[4..]) : BinaryPrimitives.ReadUInt32BigEndian(span[4..]);
            input.Advance(8);
            vr = ImplicitVR(dataset, tag);
        }

        var flags = DicomEntryFlags.None;
        if (vr == DicomVR.UN && explicitVR && tag.IsPrivateCreator && length != UndefinedLength)
        {
            // A private creator is always LO, whatever the writer said.
            vr = DicomVR.LO;
            flags |= DicomEntryFlags.ReadAsUN;
        }
        else if (vr == DicomVR.UN && options.ResolveUnknownVR && explicitVR && !tag.IsPrivate && DicomDictionary.TryGet(tag, out var known) && known.VR != DicomVR.None
            && (length == UndefinedLength || length < 0xFFFF))
        {
            // UN for a tag the dictionary knows: the value was written implicit VR little endian.
            vr = known.VR;
            flags |= DicomEntryFlags.ReadAsUN;
            if (length == UndefinedLength && vr != DicomVR.SQ && tag != DicomTags.PixelData)
            {
                vr = DicomVR.SQ;
            }

            encoding = DicomEncoding.ImplicitLittle;
        }

        if (length == UndefinedLength)
        {
            if (tag == DicomTags.PixelData || (tag.Group == 0x7FE0 && tag.Element is 0x0008 or 0x0009) || (vr is DicomVR.OB or DicomVR.OW && explicitVR))
            {
                var fragments = await ReadFragmentsAsync(tag, encoding, cancellationToken).ConfigureAwait(false);
                // Encapsulated pixel data is OB (PS3.5 A.4); an explicit OW is kept as written.
                Add(dataset, new DicomEntry { Tag = tag, VR = explicitVR && vr == DicomVR.OW ? DicomVR.OW : DicomVR.OB, Payload = fragments, Flags = flags | DicomEntryFlags.UndefinedLength });
                return;
            }

            if (vr is DicomVR.SQ or DicomVR.UN || !explicitVR)
            {
                // Undefined length outside pixel data is a sequence; an explicit UN one holds implicit VR LE items (PS3.5 6.2.2).
                var itemEncoding = vr == DicomVR.UN ? DicomEncoding.ImplicitLittle : encoding;
                var sequence = await ReadSequenceAsync(dataset, tag, itemEncoding, null, cancellationToken).ConfigureAwait(false);
                sequence.UndefinedLength = true;
                Add(dataset, new DicomEntry { Tag = tag, VR = DicomVR.SQ, Payload = sequence, Flags = flags | DicomEntryFlags.UndefinedLength });
                return;
            }

            throw DicomFormatException.At(start, tag, $"Undefined length is not allowed for VR {vr.Code()}");
        }

        CheckLength(start, tag, length);
        if (vr == DicomVR.SQ)
        {
            var sequence = await ReadSequenceAsync(dataset, tag, encoding, input.Position + length, cancellationToken).ConfigureAwait(false);
            sequence.UndefinedLength = false;
            Add(dataset, new DicomEntry { Tag = tag, VR = DicomVR.SQ, Payload = sequence, Flags = flags });
            return;
        }

        if ((length & 1) == 1)
        {
            flags |= DicomEntryFlags.OddLength;
            if (CanWarn())
            {
                warnings.Add($"Element {tag} has an odd length ({length}).");
            }
        }

        var entry = new DicomEntry { Tag = tag, VR = vr, Flags = flags };
        var swapUnit = encoding.LittleEndian ? 1 : vr.ValueSize();
        if (length >= options.LargeValueThreshold && (input.IsMemory || input.CanDeferValues))
        {
            if (input.IsMemory)
            {
                entry.Payload = new DicomMemoryBulkValue(SwappedCopyIfNeeded(input.Memory.Slice((int)input.Position, (int)length), swapUnit));
            }
            else
            {
                entry.Payload = input.DeferredValue(input.Position, length, swapUnit);
            }

            await input.SkipAsync(length, cancellationToken).ConfigureAwait(false);
            Add(dataset, entry);
            return;
        }

        // A value to swap must be a copy of its own: swapping a slice would write into the caller's bytes.
        entry.Value = await ReadValueAsync(tag, start, (int)length, mayShareInput: swapUnit <= 1, cancellationToken).ConfigureAwait(false);
        if (swapUnit > 1)
        {
            ByteSwappingStream.Swap(System.Runtime.InteropServices.MemoryMarshal.AsMemory(entry.Value).Span, swapUnit);
        }

        Add(dataset, entry);
    }

    private static ReadOnlyMemory<byte> SwappedCopyIfNeeded(ReadOnlyMemory<byte> value, int swapUnit)
    {
        if (swapUnit <= 1)
        {
            return value;
        }

        var copy = value.ToArray();
        ByteSwappingStream.Swap(copy, swapUnit);
        return copy;
    }

    /// <summary>
    /// The next <paramref name="length"/> bytes as a value the dataset can keep. Slicing rule: a value is a
    /// slice of the input only when the input is the caller's memory (<see cref="DicomInput.IsMemory"/>),
    /// which <see cref="DicomFile.ReadAsync(ReadOnlyMemory{byte}, DicomReadOptions?, CancellationToken)"/>
    /// documents as referenced by the dataset (the caller keeps it alive and unchanged while the dataset is
    /// used), and when <paramref name="mayShareInput"/> says nobody will write into the value (big endian
    /// values are swapped in place). A stream's buffer is pooled and overwritten: its values are copied.
    /// </summary>
    private async ValueTask<ReadOnlyMemory<byte>> ReadValueAsync(DicomTag tag, long start, int length, bool mayShareInput, CancellationToken cancellationToken)
    {
        if (length == 0)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        if (input.IsMemory && mayShareInput)
        {
            if (!await input.EnsureAsync(length, cancellationToken).ConfigureAwait(false))
            {
                throw Truncated(start, tag, length);
            }

            var slice = input.Memory.Slice((int)input.Position, length);
            input.Advance(length);
            return slice;
        }

        if (length <= 1024 * 1024 || input.EndPosition is not null)
        {
            // The length was checked against the input's size (when known) before this allocation.
            if (length <= 256 * 1024)
            {
                if (!await input.EnsureAsync(length, cancellationToken).ConfigureAwait(false))
                {
                    throw Truncated(start, tag, length);
                }

                var value = arena.Append(input.Span[..length]);
                input.Advance(length);
                return value;
            }

            var own = GC.AllocateUninitializedArray<byte>(length);
            return await input.ReadIntoAsync(own, cancellationToken).ConfigureAwait(false) ? own : throw Truncated(start, tag, length);
        }

        // Size of the input unknown (network, deflate): grow with the data that really arrives, so a
        // forged length cannot make us allocate gigabytes up front.
        var buffer = new byte[1024 * 1024];
        var filled = 0;
        while (filled < length)
        {
            if (filled == buffer.Length)
            {
                Array.Resize(ref buffer, (int)Math.Min((long)buffer.Length * 2, length));
            }

            var chunk = Math.Min(buffer.Length - filled, length - filled);
            if (!await input.ReadIntoAsync(buffer.AsMemory(filled, chunk), cancellationToken).ConfigureAwait(false))
            {
                throw Truncated(start, tag, length);
            }

            filled += chunk;
        }

        return buffer;
    }

    private async ValueTask<DicomSequence> ReadSequenceAsync(DicomDataset parent, DicomTag tag, DicomEncoding encoding, long? end, CancellationToken cancellationToken)
    {
        if (++_depth > options.MaxDepth)
        {
            throw DicomFormatException.At(input.Position, tag, $"Sequences nested deeper than {options.MaxDepth}");
        }

        var sequence = new DicomSequence();
        while (true)
        {
            if (end is { } limit && input.Position >= limit)
            {
                break;
            }

            if (!await input.EnsureAsync(8, cancellationToken).ConfigureAwait(false))
            {
                if (end is null && input.Available == 0)
                {
                    if (CanWarn())
                    {
                        warnings.Add($"Sequence {tag} not closed at the end of the data.");
                    }

                    break;
                }

                throw DicomFormatException.At(input.Position, tag, "Data ends inside a sequence");
            }

            var itemTag = ReadTag(input.Span, encoding.LittleEndian);
            var itemLength = encoding.LittleEndian ? BinaryPrimitives.ReadUInt32LittleEndian(input.Span[4..]) : BinaryPrimitives.ReadUInt32BigEndian(input.Span[4..]);
            if (itemTag == DicomTag.SequenceDelimitation)
            {
                input.Advance(8);
                if (end is not null)
                {
                    if (CanWarn())
                    {
                        warnings.Add($"Sequence delimiter inside the defined-length sequence {tag}.");
                    }

                    continue;
                }

                break;
            }

            if (itemTag != DicomTag.Item)
            {
                throw DicomFormatException.At(input.Position, tag, $"Expected an item in the sequence, found {itemTag}");
            }

            input.Advance(8);
            // No storage until the item's first element: a sequence may hold a huge number of empty items.
            var item = new DicomDataset(arena, parent, capacity: 0);
            if (itemLength == UndefinedLength)
            {
                await ReadDatasetAsync(item, encoding, null, isItem: true, cancellationToken).ConfigureAwait(false);
                sequence.AddParsed(item, undefinedLength: true);
            }
            else
            {
                CheckLength(input.Position - 8, tag, itemLength);
                if (end is { } outer && input.Position + itemLength > outer)
                {
                    throw DicomFormatException.At(input.Position, tag, "An item is longer than its sequence");
                }

                await ReadDatasetAsync(item, encoding, input.Position + itemLength, isItem: true, cancellationToken).ConfigureAwait(false);
                sequence.AddParsed(item, undefinedLength: false);
            }
        }

        _depth--;
        return sequence;
    }

    private async ValueTask<DicomFragments> ReadFragmentsAsync(DicomTag tag, DicomEncoding encoding, CancellationToken cancellationToken)
    {
        uint[]? offsetTable = null;
        var fragments = new List<DicomBulkValue>();
        while (true)
        {
            if (!await input.EnsureAsync(8, cancellationToken).ConfigureAwait(false))
            {
                throw DicomFormatException.At(input.Position, tag, "Data ends inside encapsulated pixel data");
            }

            var itemTag = ReadTag(input.Span, encoding.LittleEndian);
            var length = encoding.LittleEndian ? BinaryPrimitives.ReadUInt32LittleEndian(input.Span[4..]) : BinaryPrimitives.ReadUInt32BigEndian(input.Span[4..]);
            var start = input.Position;
            input.Advance(8);
            if (itemTag == DicomTag.SequenceDelimitation)
            {
                break;
            }

            if (itemTag != DicomTag.Item)
            {
                throw DicomFormatException.At(start, tag, $"Expected a fragment item in encapsulated pixel data, found {itemTag}");
            }

            if (length == UndefinedLength)
            {
                throw DicomFormatException.At(start, tag, "A pixel data fragment has undefined length");
            }

            CheckLength(start, tag, length);
            if (offsetTable is null)
            {
                if (length % 4 != 0)
                {
                    throw DicomFormatException.At(start, tag, $"The Basic Offset Table length {length} is not a multiple of 4");
                }

                // Decoded into the table, not kept: a slice of the input will do.
                var table = await ReadValueAsync(tag, start, (int)length, mayShareInput: true, cancellationToken).ConfigureAwait(false);
                offsetTable = new uint[length / 4];
                for (var i = 0; i < offsetTable.Length; i++)
                {
                    offsetTable[i] = BinaryPrimitives.ReadUInt32LittleEndian(table.Span[(i * 4)..]);
                }

                continue;
            }

            if ((length & 1) == 1)
            {
                if (CanWarn())
                {
                    warnings.Add($"Pixel data fragment {fragments.Count} has an odd length ({length}).");
                }
            }

            if (input.IsMemory)
            {
                fragments.Add(new DicomMemoryBulkValue(input.Memory.Slice((int)input.Position, (int)length)));
                await input.SkipAsync(length, cancellationToken).ConfigureAwait(false);
            }
            else if (length >= options.LargeValueThreshold && input.CanDeferValues)
            {
                fragments.Add(input.DeferredValue(input.Position, length));
                await input.SkipAsync(length, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var value = await ReadValueAsync(tag, start, (int)length, mayShareInput: true, cancellationToken).ConfigureAwait(false);
                fragments.Add(new DicomMemoryBulkValue(value));
            }
        }

        return new DicomFragments(offsetTable ?? [], fragments);
    }

    private DicomVR ImplicitVR(DicomDataset dataset, DicomTag tag)
    {
        if (!DicomDictionary.TryGet(tag, out var entry) || entry.VR == DicomVR.None)
        {
            return DicomVR.UN;
        }

        return entry.HasAmbiguousVR ? DicomAmbiguousVR.Resolve(dataset, tag, entry, implicitVR: true) : entry.VR;
    }

    /// <summary>True when one more warning may be listed; the first one past <see cref="MaxWarnings"/> becomes a note that the rest are left out.</summary>
    private bool CanWarn()
    {
        if (warnings.Count < MaxWarnings)
        {
            return true;
        }

        if (warnings.Count == MaxWarnings)
        {
            warnings.Add($"More than {MaxWarnings} warnings: the others are not listed.");
        }

        return false;
    }

    private void Add(DicomDataset dataset, in DicomEntry entry)
    {
        if (!dataset.AddParsed(entry))
        {
            if (CanWarn())
            {
                warnings.Add($"Element {entry.Tag} appears twice in the same dataset; the last one is kept.");
            }
        }
    }

    private void CheckLength(long start, DicomTag tag, uint length)
    {
        if (input.EndPosition is { } end && input.Position + length > end)
        {
            throw DicomFormatException.At(start, tag, $"Value length {length} goes past the end of the data ({end - input.Position} bytes left)");
        }

        if (length > int.MaxValue)
        {
            throw DicomFormatException.At(start, tag, $"Value length {length} is larger than RadAI reads in one value");
        }
    }

    private static DicomFormatException Truncated(long start, DicomTag tag, int length) =>
        DicomFormatException.At(start, tag, $"Data ends inside a value of {length} bytes");

    internal static DicomTag ReadTag(ReadOnlySpan<byte> span, bool littleEndian) => littleEndian
        ? new DicomTag(BinaryPrimitives.ReadUInt16LittleEndian(span), BinaryPrimitives.ReadUInt16LittleEndian(span[2..]))
        : new DicomTag(BinaryPrimitives.ReadUInt16BigEndian(span), BinaryPrimitives.ReadUInt16BigEndian(span[2..]));
}
