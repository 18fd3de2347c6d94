using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;

namespace RadAI.Dicom.IO;

/// <summary>
/// Writes datasets and Part 10 files in any uncompressed transfer syntax (implicit/explicit VR, little
/// or big endian, deflated): values padded to even length with their VR's padding byte, lengths
/// computed, group lengths recomputed, large values streamed from where they are.
/// </summary>
public static class DicomWriter
{
    private const uint UndefinedLength = 0xFFFFFFFFu;

    /// <summary>Writes a Part 10 file: 128-byte preamble (the source's, else zeros), "DICM", the meta group rebuilt for RadAI, the dataset.</summary>
    public static async Task WriteFileAsync(Stream stream, DicomFile file, DicomWriteOptions options, CancellationToken cancellationToken = default)
    {
        var syntax = options.TransferSyntax ?? file.TransferSyntax;
        CheckTranscoding(file.TransferSyntax, syntax, file.Dataset);
        var meta = BuildMeta(file, syntax);
        var dataset = WithoutMetaElements(file.Dataset);

        var output = new DicomOutput(stream);
        try
        {
            var preamble = output.GetSpan(132);
            preamble[..128].Clear();
            var source = file.PreambleOrEmpty;
            source[..Math.Min(128, source.Length)].CopyTo(preamble);
            "DICM"u8.CopyTo(preamble[128..]);
            output.Advance(132);
            var metaWriter = new DatasetWriter(output, DicomEncoding.ExplicitLittle, options with { KeepGroupLengths = true });
            await metaWriter.WriteDatasetAsync(meta, cancellationToken).ConfigureAwait(false);

            if (syntax.IsDeflated)
            {
                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                await using (var deflate = new DeflateStream(stream, CompressionLevel.Optimal, leaveOpen: true))
                {
                    var deflated = new DicomOutput(deflate);
                    try
                    {
                        await new DatasetWriter(deflated, DicomEncoding.Of(syntax), options).WriteDatasetAsync(dataset, cancellationToken).ConfigureAwait(false);
                        await deflated.FlushAsync(cancellationToken).ConfigureAwait(false);
                    }
                    finally
                    {
                        deflated.Dispose();
                    }
                }

                return;
            }

            await new DatasetWriter(output, DicomEncoding.Of(syntax), options).WriteDatasetAsync(dataset, cancellationToken).ConfigureAwait(false);
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            output.Dispose();
        }
    }

    /// <summary>Writes a dataset alone (no preamble, no meta), e.g. the data set of a DIMSE message.</summary>
    public static async Task WriteDatasetAsync(Stream stream, DicomDataset dataset, DicomTransferSyntax syntax, DicomWriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= DicomWriteOptions.Default;
        var output = new DicomOutput(stream);
        try
        {
            await new DatasetWriter(output, DicomEncoding.Of(syntax), options).WriteDatasetAsync(dataset, cancellationToken).ConfigureAwait(false);
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            output.Dispose();
        }
    }

    /// <summary>The number of bytes <paramref name="dataset"/> takes when written in <paramref name="syntax"/> (not deflated).</summary>
    public static long EncodedLength(DicomDataset dataset, DicomTransferSyntax syntax, DicomWriteOptions? options = null) =>
        new DatasetWriter(null, DicomEncoding.Of(syntax), options ?? DicomWriteOptions.Default).DatasetSize(dataset);

    private static void CheckTranscoding(DicomTransferSyntax from, DicomTransferSyntax to, DicomDataset dataset)
    {
        if (from.Uid == to.Uid)
        {
            return;
        }

        var hasFragments = dataset.Entries.ToArray().Any(e => e.Payload is DicomFragments);
        if (hasFragments || to.IsEncapsulated)
        {
            throw new NotSupportedException(
                $"Cannot transcode pixel data from {from.Name} ({from.Uid}) to {to.Name} ({to.Uid}): " +
                "RadAI transcodes between the uncompressed transfer syntaxes only (implicit/explicit VR, little/big endian, deflated).");
        }
    }

    private static DicomDataset BuildMeta(DicomFile file, DicomTransferSyntax syntax)
    {
        var meta = file.FileMetaInformation.Clone();
        meta.Parent = null;
        meta.AddOrUpdateBytes(DicomTags.FileMetaInformationVersion, DicomVR.OB, [0x00, 0x01]);
        if (file.Dataset.TryGetString(DicomTags.SOPClassUID, out var sopClass))
        {
            SetUid(meta, DicomTags.MediaStorageSOPClassUID, sopClass);
        }

        if (file.Dataset.TryGetString(DicomTags.SOPInstanceUID, out var sopInstance))
        {
            SetUid(meta, DicomTags.MediaStorageSOPInstanceUID, sopInstance);
        }

        SetUid(meta, DicomTags.TransferSyntaxUID, syntax.Uid);
        meta.AddOrUpdate(DicomTags.ImplementationClassUID, DicomVR.UI, DicomUidGenerator.ImplementationClassUid);
        meta.AddOrUpdate(DicomTags.ImplementationVersionName, DicomVR.SH, DicomUidGenerator.ImplementationVersionName);
        // The group length is computed by the writer; present so that it is written first.
        meta.AddOrUpdate(DicomTags.FileMetaInformationGroupLength, DicomVR.UL, 0u);
        return meta;
    }

    /// <summary>
    /// A UID of the rebuilt meta group, from the data set or the source's transfer syntax. One that breaks
    /// the UID rules (a leading zero or a letter in a component: frequent in old files) is written as it
    /// was read, like the data set element it comes from: the writer does not repair values, and refusing
    /// would leave a file that could be read impossible to save.
    /// </summary>
    private static void SetUid(DicomDataset meta, DicomTag tag, string uid)
    {
        if (DicomValueValidator.Check(DicomVR.UI, uid) is null)
        {
            meta.AddOrUpdate(tag, DicomVR.UI, uid);
        }
        else
        {
            meta.AddOrUpdateBytes(tag, DicomVR.UI, System.Text.Encoding.Latin1.GetBytes(uid));
        }
    }

    /// <summary>
    /// The data set to write after the meta group: without group 0002 elements, which belong to the meta
    /// group (rebuilt by <see cref="BuildMeta"/>). A damaged source can leave some in its data set; written
    /// there, they would be read back as part of the meta group (which ends where the group changes), with
    /// its transfer syntax.
    /// </summary>
    private static DicomDataset WithoutMetaElements(DicomDataset dataset)
    {
        foreach (var entry in dataset.Entries)
        {
            if (entry.Tag.Group == 0x0002)
            {
                var copy = dataset.Clone();
                copy.RemoveAll(tag => tag.Group == 0x0002);
                return copy;
            }

            if (entry.Tag.Group > 0x0002)
            {
                break;
            }
        }

        return dataset;
    }

    /// <summary>Encodes one dataset tree; also computes sizes (with a null output).</summary>
    private sealed class DatasetWriter(DicomOutput? output, DicomEncoding encoding, DicomWriteOptions options)
    {
        public async ValueTask WriteDatasetAsync(DicomDataset dataset, CancellationToken cancellationToken)
        {
            var entries = dataset.Entries.ToArray();
            for (var i = 0; i < entries.Length; i++)
            {
                var entry = entries[i];
                if (entry.Tag.IsGroupLength)
                {
                    if (!options.KeepGroupLengths && entry.Tag.Group != 0x0002)
                    {
                        continue;
                    }

                    WriteGroupLength(entry.Tag, GroupSize(entries, i));
                    continue;
                }

                await WriteElementAsync(entry, dataset, cancellationToken).ConfigureAwait(false);
                // Bounded memory whatever the dataset's size: the buffer goes out between elements.
                await output!.FlushIfFullAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        public long DatasetSize(DicomDataset dataset)
        {
            var entries = dataset.Entries;
            long size = 0;
            foreach (var entry in entries)
            {
                if (entry.Tag.IsGroupLength && !options.KeepGroupLengths && entry.Tag.Group != 0x0002)
                {
                    continue;
                }

                size += ElementSize(entry);
            }

            return size;
        }

        private long GroupSize(DicomEntry[] entries, int groupLengthIndex)
        {
            var group = entries[groupLengthIndex].Tag.Group;
            long size = 0;
            for (var j = groupLengthIndex + 1; j < entries.Length && entries[j].Tag.Group == group; j++)
            {
                size += ElementSize(entries[j]);
            }

            return size;
        }

        private void WriteGroupLength(DicomTag tag, long size)
        {
            var span = output!.GetSpan(12);
            var n = WriteHeader(span, tag, DicomVR.UL, 4);
            if (encoding.LittleEndian)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(span[n..], checked((uint)size));
            }
            else
            {
                BinaryPrimitives.WriteUInt32BigEndian(span[n..], checked((uint)size));
            }

            output.Advance(n + 4);
        }

        private async ValueTask WriteElementAsync(DicomEntry entry, DicomDataset owner, CancellationToken cancellationToken)
        {
            var vr = WrittenVR(entry);
            switch (entry.Payload)
            {
                case DicomSequence sequence:
                {
                    var undefined = SequenceUndefined(sequence);
                    var length = undefined ? UndefinedLength : checked((uint)SequenceContentSize(sequence));
                    output!.Advance(WriteHeader(output.GetSpan(12), entry.Tag, DicomVR.SQ, length));
                    for (var i = 0; i < sequence.Count; i++)
                    {
                        var item = sequence[i];
                        var itemUndefined = ItemUndefined(sequence, i);
                        WriteItemTag(DicomTag.Item, itemUndefined ? UndefinedLength : checked((uint)DatasetSize(item)));
                        await WriteDatasetAsync(item, cancellationToken).ConfigureAwait(false);
                        if (itemUndefined)
                        {
                            WriteItemTag(DicomTag.ItemDelimitation, 0);
                        }
                    }

                    if (undefined)
                    {
                        WriteItemTag(DicomTag.SequenceDelimitation, 0);
                    }

                    return;
                }

                case DicomFragments fragments:
                {
                    output!.Advance(WriteHeader(output.GetSpan(12), entry.Tag, vr, UndefinedLength));
                    WriteItemTag(DicomTag.Item, (uint)(fragments.BasicOffsetTable.Count * 4));
                    var table = output.GetSpan(fragments.BasicOffsetTable.Count * 4);
                    for (var i = 0; i < fragments.BasicOffsetTable.Count; i++)
                    {
                        BinaryPrimitives.WriteUInt32LittleEndian(table[(i * 4)..], fragments.BasicOffsetTable[i]);
                    }

                    output.Advance(fragments.BasicOffsetTable.Count * 4);
                    foreach (var fragment in fragments.Fragments)
                    {
                        WriteItemTag(DicomTag.Item, checked((uint)(fragment.Length + (fragment.Length & 1))));
                        await output.CopyAsync(fragment, swapUnit: 1, pad: (fragment.Length & 1) == 1, cancellationToken).ConfigureAwait(false);
                    }

                    WriteItemTag(DicomTag.SequenceDelimitation, 0);
                    return;
                }

                case DicomBulkValue bulk:
                {
                    var padded = bulk.Length + (bulk.Length & 1);
                    output!.Advance(WriteHeader(output.GetSpan(12), entry.Tag, vr, checked((uint)padded)));
                    await output.CopyAsync(bulk, encoding.LittleEndian ? 1 : vr.ValueSize(), pad: (bulk.Length & 1) == 1, cancellationToken).ConfigureAwait(false);
                    return;
                }

                default:
                {
                    var value = entry.Value.Span;
                    var padded = value.Length + (value.Length & 1);
                    output!.Advance(WriteHeader(output.GetSpan(12), entry.Tag, vr, (uint)padded));
                    if (padded <= DicomOutput.BufferSize)
                    {
                        var span = output.GetSpan(padded);
                        value.CopyTo(span);
                        if (padded != value.Length)
                        {
                            span[value.Length] = entry.VR.PaddingByte();
                        }

                        if (!encoding.LittleEndian && vr.ValueSize() is > 1 and var unit)
                        {
                            ByteSwappingStream.Swap(span[..padded], unit);
                        }

                        output.Advance(padded);
                    }
                    else
                    {
                        await output.CopyAsync(new DicomMemoryBulkValue(entry.Value), encoding.LittleEndian ? 1 : vr.ValueSize(), pad: padded != value.Length, cancellationToken).ConfigureAwait(false);
                    }

                    return;
                }
            }
        }

        private void WriteItemTag(DicomTag tag, uint length)
        {
            var span = output!.GetSpan(8);
            if (encoding.LittleEndian)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(span, tag.Group);
                BinaryPrimitives.WriteUInt16LittleEndian(span[2..], tag.Element);
                BinaryPrimitives.WriteUInt32LittleEndian(span[4..], length);
            }
            else
            {
                BinaryPrimitives.WriteUInt16BigEndian(span, tag.Group);
                BinaryPrimitives.WriteUInt16BigEndian(span[2..], tag.Element);
                BinaryPrimitives.WriteUInt32BigEndian(span[4..], length);
            }

            output.Advance(8);
        }

        private int WriteHeader(Span<byte> span, DicomTag tag, DicomVR vr, uint length)
        {
            if (encoding.LittleEndian)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(span, tag.Group);
                BinaryPrimitives.WriteUInt16LittleEndian(span[2..], tag.Element);
            }
            else
            {
                BinaryPrimitives.WriteUInt16BigEndian(span, tag.Group);
                BinaryPrimitives.WriteUInt16BigEndian(span[2..], tag.Element);
            }

            if (!encoding.ExplicitVR)
            {
                WriteUInt32(span[4..], length);
                return 8;
            }

            span[4] = (byte)((ushort)vr >> 8);
            span[5] = (byte)vr;
            if (vr.HasLongLength())
            {
                span[6] = 0;
                span[7] = 0;
                WriteUInt32(span[8..], length);
                return 12;
            }

            if (encoding.LittleEndian)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(span[6..], checked((ushort)length));
            }
            else
            {
                BinaryPrimitives.WriteUInt16BigEndian(span[6..], checked((ushort)length));
            }

            return 8;
        }

        private void WriteUInt32(Span<byte> span, uint value)
        {
            if (encoding.LittleEndian)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(span, value);
            }
            else
            {
                BinaryPrimitives.WriteUInt32BigEndian(span, value);
            }
        }

        /// <summary>The VR to write: UN when a short-length VR's value is too long for its 16-bit length (PS3.5 6.2.2).</summary>
        private DicomVR WrittenVR(in DicomEntry entry)
        {
            var vr = entry.VR == DicomVR.None ? DicomVR.UN : entry.VR;
            if (encoding.ExplicitVR && !vr.HasLongLength() && entry.Payload is null && entry.Value.Length + (entry.Value.Length & 1) > 0xFFFF)
            {
                return DicomVR.UN;
            }

            return entry.Payload is DicomBulkValue bulk && !vr.HasLongLength() && bulk.Length > 0xFFFE ? DicomVR.UN : vr;
        }

        private long ElementSize(in DicomEntry entry)
        {
            if (entry.Tag.IsGroupLength)
            {
                // Written by WriteGroupLength as a UL of 4 bytes, whatever was read (a damaged source can have a sequence there).
                return 8 + 4;
            }

            var vr = entry.Payload is DicomSequence ? DicomVR.SQ : WrittenVR(entry);
            long header = encoding.ExplicitVR && vr.HasLongLength() ? 12 : 8;
            return entry.Payload switch
            {
                DicomSequence sequence => header + SequenceContentSize(sequence) + (SequenceUndefined(sequence) ? 8 : 0),
                DicomFragments fragments => header + fragments.EncodedLength + 8,
                DicomBulkValue bulk => header + bulk.Length + (bulk.Length & 1),
                _ => header + entry.Value.Length + (entry.Value.Length & 1),
            };
        }

        private long SequenceContentSize(DicomSequence sequence)
        {
            long size = 0;
            for (var i = 0; i < sequence.Count; i++)
            {
                size += 8 + DatasetSize(sequence[i]) + (ItemUndefined(sequence, i) ? 8 : 0);
            }

            return size;
        }

        private bool SequenceUndefined(DicomSequence sequence) => options.SequenceLengths switch
        {
            DicomSequenceLengths.Undefined => true,
            DicomSequenceLengths.Defined => false,
            _ => sequence.UndefinedLength,
        };

        private bool ItemUndefined(DicomSequence sequence, int index) => options.SequenceLengths switch
        {
            DicomSequenceLengths.Undefined => true,
            DicomSequenceLengths.Defined => false,
            _ => sequence.IsItemUndefinedLength(index),
        };
    }

    /// <summary>A pooled write buffer in front of a stream.</summary>
    private sealed class DicomOutput(Stream stream) : IDisposable
    {
        public const int BufferSize = 64 * 1024;
        private byte[] _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        private int _used;

        public Span<byte> GetSpan(int size)
        {
            if (size > _buffer.Length - _used)
            {
                // Synchronous headers never exceed a few bytes: the buffer is flushed by the async paths.
                Grow(size);
            }

            return _buffer.AsSpan(_used, size);
        }

        public void Advance(int count) => _used += count;

        public ValueTask FlushIfFullAsync(CancellationToken cancellationToken) =>
            _used >= BufferSize / 2 ? FlushAsync(cancellationToken) : ValueTask.CompletedTask;

        public async ValueTask FlushAsync(CancellationToken cancellationToken)
        {
            if (_used > 0)
            {
                await stream.WriteAsync(_buffer.AsMemory(0, _used), cancellationToken).ConfigureAwait(false);
                _used = 0;
            }
        }

        public async ValueTask CopyAsync(DicomBulkValue value, int swapUnit, bool pad, CancellationToken cancellationToken)
        {
            await FlushAsync(cancellationToken).ConfigureAwait(false);
            await using (var source = value.OpenRead())
            {
                await using var swapped = swapUnit > 1 ? new ByteSwappingStream(source, swapUnit) : null;
                var from = (Stream?)swapped ?? source;
                int read;
                while ((read = await from.ReadAsync(_buffer.AsMemory(0, _buffer.Length - (_buffer.Length % 8)), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    await stream.WriteAsync(_buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }
            }

            if (pad)
            {
                _buffer[_used++] = 0;
            }
        }

        private void Grow(int size)
        {
            // Rare: more than the buffer's free space is asked synchronously; keep everything in a bigger buffer.
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _used + size));
            _buffer.AsSpan(0, _used).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }

        public void Dispose()
        {
            if (_buffer.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = [];
            }
        }
    }
}
