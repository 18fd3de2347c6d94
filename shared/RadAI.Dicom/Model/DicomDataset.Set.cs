using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace RadAI.Dicom;

// Writing by tag. Values are encoded at once (text with the dataset's character set, numbers little
// endian) and checked against the VR's rules: RadAI never stores a value it would write invalid.
public sealed partial class DicomDataset
{
    /// <summary>Sets a string element with the dictionary's VR (several values: join them with '\' or use the array overload).</summary>
    public DicomDataset AddOrUpdate(DicomTag tag, string value) => AddOrUpdate(tag, DictionaryVR(tag), value);

    /// <summary>Sets a string element with an explicit VR.</summary>
    public DicomDataset AddOrUpdate(DicomTag tag, DicomVR vr, string value)
    {
        if (!vr.IsString())
        {
            throw new ArgumentException($"{tag} has VR {vr.Code()}: not a string VR; use the typed overloads.", nameof(vr));
        }

        var problem = DicomValueValidator.Check(vr, value);
        if (problem is not null)
        {
            throw new ArgumentException($"Invalid value for {tag} {DicomDictionary.GetKeyword(tag) ?? ""} ({vr.Code()}): {problem}.", nameof(value));
        }

        var bytes = tag == DicomTags.SpecificCharacterSet || !vr.UsesSpecificCharacterSet()
            ? Encoding.ASCII.GetBytes(value)
            : CharacterSet.Encode(value, vr);
        if (!vr.UsesSpecificCharacterSet() && value.Any(c => c > 0x7F))
        {
            throw new ArgumentException($"{tag} ({vr.Code()}) allows the default repertoire (ASCII) only.", nameof(value));
        }

        return PutValue(tag, vr, bytes, vr.PaddingByte());
    }

    /// <summary>Sets a multi-valued string element.</summary>
    public DicomDataset AddOrUpdate(DicomTag tag, params string[] values) => AddOrUpdate(tag, DictionaryVR(tag), string.Join('\\', values));

    /// <summary>Sets a multi-valued string element with an explicit VR.</summary>
    public DicomDataset AddOrUpdate(DicomTag tag, DicomVR vr, params string[] values) => AddOrUpdate(tag, vr, string.Join('\\', values));

    /// <summary>
    /// Sets numbers: binary VRs (US, SS, UL, SL, UV, SV, FL, FD, and OW/OL/OF/OD/OV words) are encoded little
    /// endian; IS and DS are written as text (DS in at most 16 characters). Out-of-range values throw.
    /// </summary>
    public DicomDataset AddOrUpdate<T>(DicomTag tag, DicomVR vr, params T[] values)
        where T : struct, INumber<T>
    {
        if (vr is DicomVR.IS or DicomVR.DS)
        {
            var text = string.Join('\\', values.Select(v => vr == DicomVR.IS
                ? long.CreateChecked(v).ToString(CultureInfo.InvariantCulture)
                : DicomValueText.FormatDecimalString(double.CreateChecked(v))));
            return AddOrUpdate(tag, vr, text);
        }

        var size = vr.ValueSize();
        if (size == 0 || vr is DicomVR.AT or DicomVR.OB or DicomVR.UN)
        {
            if (vr is DicomVR.OB or DicomVR.UN)
            {
                return AddOrUpdateBytes(tag, vr, values.Select(byte.CreateChecked).ToArray());
            }

            throw new ArgumentException($"VR {vr.Code()} does not hold numbers.", nameof(vr));
        }

        var bytes = new byte[values.Length * size];
        var span = bytes.AsSpan();
        for (var i = 0; i < values.Length; i++)
        {
            var at = span[(i * size)..];
            var v = values[i];
            switch (vr)
            {
                case DicomVR.US or DicomVR.OW: BinaryPrimitives.WriteUInt16LittleEndian(at, ushort.CreateChecked(v)); break;
                case DicomVR.SS: BinaryPrimitives.WriteInt16LittleEndian(at, short.CreateChecked(v)); break;
                case DicomVR.UL or DicomVR.OL: BinaryPrimitives.WriteUInt32LittleEndian(at, uint.CreateChecked(v)); break;
                case DicomVR.SL: BinaryPrimitives.WriteInt32LittleEndian(at, int.CreateChecked(v)); break;
                case DicomVR.UV or DicomVR.OV: BinaryPrimitives.WriteUInt64LittleEndian(at, ulong.CreateChecked(v)); break;
                case DicomVR.SV: BinaryPrimitives.WriteInt64LittleEndian(at, long.CreateChecked(v)); break;
                case DicomVR.FL or DicomVR.OF: BinaryPrimitives.WriteSingleLittleEndian(at, float.CreateChecked(v)); break;
                case DicomVR.FD or DicomVR.OD: BinaryPrimitives.WriteDoubleLittleEndian(at, double.CreateChecked(v)); break;
            }
        }

        return PutValue(tag, vr, bytes, 0);
    }

    /// <summary>Sets numbers with the dictionary's VR (which must not be ambiguous).</summary>
    public DicomDataset AddOrUpdate<T>(DicomTag tag, params T[] values)
        where T : struct, INumber<T> => AddOrUpdate(tag, DictionaryVR(tag), values);

    /// <summary>Sets a DA element.</summary>
    public DicomDataset AddOrUpdate(DicomTag tag, DateOnly date) => AddOrUpdate(tag, DicomVR.DA, DicomValueText.FormatDate(date));

    /// <summary>Sets a TM element.</summary>
    public DicomDataset AddOrUpdate(DicomTag tag, TimeOnly time) => AddOrUpdate(tag, DicomVR.TM, DicomValueText.FormatTime(time));

    /// <summary>Sets a DT element, with the offset written when given.</summary>
    public DicomDataset AddOrUpdate(DicomTag tag, DateTime value, TimeSpan? offset = null) =>
        AddOrUpdate(tag, DicomVR.DT, DicomValueText.FormatDateTime(value, offset));

    /// <summary>Sets a DT element from an instant with its offset.</summary>
    public DicomDataset AddOrUpdate(DicomTag tag, DateTimeOffset value) =>
        AddOrUpdate(tag, DicomVR.DT, DicomValueText.FormatDateTime(value.DateTime, value.Offset));

    /// <summary>Sets a PN element.</summary>
    public DicomDataset AddOrUpdate(DicomTag tag, DicomPersonName name) => AddOrUpdate(tag, DicomVR.PN, name.ToString());

    /// <summary>Sets an AT element.</summary>
    public DicomDataset AddOrUpdate(DicomTag tag, params DicomTag[] tags)
    {
        var bytes = new byte[tags.Length * 4];
        for (var i = 0; i < tags.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i * 4), tags[i].Group);
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan((i * 4) + 2), tags[i].Element);
        }

        return PutValue(tag, DicomVR.AT, bytes, 0);
    }

    /// <summary>Sets a sequence element with these items (they become children of this dataset).</summary>
    public DicomDataset AddOrUpdate(DicomTag tag, DicomSequence sequence)
    {
        foreach (var item in sequence)
        {
            item.Parent = this;
            item.InvalidateCharacterSet();
        }

        Put(new DicomEntry { Tag = tag, VR = DicomVR.SQ, Payload = sequence, Flags = sequence.UndefinedLength ? DicomEntryFlags.UndefinedLength : DicomEntryFlags.None });
        return this;
    }

    /// <summary>Sets a sequence element with these items.</summary>
    public DicomDataset AddOrUpdate(DicomTag tag, params DicomDataset[] items) => AddOrUpdate(tag, new DicomSequence(items));

    /// <summary>Sets raw bytes (OB, OW..., or any VR when the caller encoded the value itself, little endian).</summary>
    public DicomDataset AddOrUpdateBytes(DicomTag tag, DicomVR vr, ReadOnlySpan<byte> bytes) => PutValue(tag, vr, bytes, vr.PaddingByte());

    /// <summary>Sets a large value kept out of memory (written by streaming).</summary>
    public DicomDataset AddOrUpdate(DicomTag tag, DicomVR vr, DicomBulkValue value)
    {
        Put(new DicomEntry { Tag = tag, VR = vr, Payload = value });
        return this;
    }

    /// <summary>Sets encapsulated pixel data.</summary>
    public DicomDataset AddOrUpdate(DicomTag tag, DicomFragments fragments)
    {
        Put(new DicomEntry { Tag = tag, VR = DicomVR.OB, Payload = fragments, Flags = DicomEntryFlags.UndefinedLength });
        return this;
    }

    /// <summary>
    /// The tag of private element <paramref name="elementOffset"/> of <paramref name="creator"/> in
    /// <paramref name="group"/>, reserving a block (the first free one from 0x10) when the creator has none.
    /// </summary>
    public DicomTag GetOrReservePrivateTag(ushort group, string creator, byte elementOffset)
    {
        if ((group & 1) == 0 || group <= 0x0008)
        {
            throw new ArgumentOutOfRangeException(nameof(group), $"Group {group:X4} is not a private group.");
        }

        if (TryGetPrivateTag(group, creator, elementOffset, out var existing))
        {
            return existing;
        }

        for (var block = 0x10; block <= 0xFF; block++)
        {
            var creatorTag = new DicomTag(group, (ushort)block);
            if (!Contains(creatorTag))
            {
                AddOrUpdate(creatorTag, DicomVR.LO, creator);
                return new DicomTag(group, (ushort)((block << 8) | elementOffset));
            }
        }

        throw new InvalidOperationException($"Group {group:X4} has no free private block for creator '{creator}'.");
    }

    private DicomDataset PutValue(DicomTag tag, DicomVR vr, ReadOnlySpan<byte> bytes, byte padding)
    {
        // Stored even-length, as it will be written.
        var length = bytes.Length + (bytes.Length & 1);
        var span = Arena.Allocate(length, out var memory);
        bytes.CopyTo(span);
        if ((bytes.Length & 1) == 1)
        {
            span[^1] = padding;
        }

        Put(new DicomEntry { Tag = tag, VR = vr, Value = memory });
        return this;
    }

    private static DicomVR DictionaryVR(DicomTag tag)
    {
        if (!DicomDictionary.TryGet(tag, out var entry))
        {
            throw new ArgumentException($"{tag} is not in the dictionary: give its VR.", nameof(tag));
        }

        if (entry.HasAmbiguousVR)
        {
            throw new ArgumentException($"{tag} {entry.Keyword} may be {entry.VR.Code()} or {entry.AlternativeVR.Code()}: give its VR.", nameof(tag));
        }

        return entry.VR;
    }
}
