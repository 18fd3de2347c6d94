using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;

namespace RadAI.Dicom;

/// <summary>
/// A view of one element of a dataset: tag, VR and encoded value, with typed decoding. It is a
/// struct over the dataset's storage: enumerating a dataset allocates nothing.
/// </summary>
public readonly struct DicomElement
{
    private readonly DicomEntry _entry;

    internal DicomElement(DicomDataset owner, in DicomEntry entry)
    {
        Owner = owner;
        _entry = entry;
    }

    /// <summary>The dataset holding the element (its character set applies).</summary>
    public DicomDataset Owner { get; }

    public DicomTag Tag => _entry.Tag;

    public DicomVR VR => _entry.VR;

    /// <summary>The encoded value, little endian, as stored (padding included); empty for sequences, fragments and bulk values.</summary>
    public ReadOnlyMemory<byte> RawValue => _entry.Value;

    /// <summary>The items, for a sequence.</summary>
    public DicomSequence? Sequence => _entry.Payload as DicomSequence;

    /// <summary>The fragments, for encapsulated pixel data.</summary>
    public DicomFragments? Fragments => _entry.Payload as DicomFragments;

    /// <summary>The value kept out of memory, for a large value.</summary>
    public DicomBulkValue? Bulk => _entry.Payload as DicomBulkValue;

    internal DicomEntryFlags Flags => _entry.Flags;

    internal DicomEntry Entry => _entry;

    /// <summary>Length of the value in bytes (items and fragments: their encoded length without delimiters).</summary>
    public long Length => _entry.Payload switch
    {
        DicomBulkValue bulk => bulk.Length,
        DicomFragments fragments => fragments.EncodedLength,
        DicomSequence => -1,
        _ => _entry.Value.Length,
    };

    /// <summary>True when the element has no value (zero length, or a sequence without items).</summary>
    public bool IsEmpty => _entry.Payload switch
    {
        DicomSequence sequence => sequence.Count == 0,
        DicomBulkValue bulk => bulk.Length == 0,
        DicomFragments => false,
        _ => _entry.Value.IsEmpty,
    };

    /// <summary>Number of values (VM): strings split at '\', numbers by size, items of a sequence; 1 for bulk data.</summary>
    public int ValueCount
    {
        get
        {
            if (_entry.Payload is DicomSequence sequence)
            {
                return sequence.Count;
            }

            if (_entry.Payload is not null)
            {
                return 1;
            }

            if (VR.IsString())
            {
                return GetStrings().Length;
            }

            var size = VR.ElementSize();
            return size > 0 && VR.IsBinaryNumber() ? _entry.Value.Length / size : _entry.Value.IsEmpty ? 0 : 1;
        }
    }

    /// <summary>The decoded text of a string element (all values, '\' kept), padding removed.</summary>
    public string GetString() => TryGetString(out var value) ? value : throw NotA("a string");

    public bool TryGetString([NotNullWhen(true)] out string? value)
    {
        if (!VR.IsString() || _entry.Payload is not null)
        {
            value = null;
            return false;
        }

        var decoded = DicomValueText.Decode(_entry.Value.Span, VR, Owner.CharacterSet);
        value = VR.IsMultiValuedString() ? string.Join('\\', DicomValueText.SplitValues(decoded, VR)) : DicomValueText.TrimValue(DicomValueText.TrimPadding(decoded), VR);
        return true;
    }

    /// <summary>The values of a string element, each trimmed of non-significant spaces.</summary>
    public string[] GetStrings() => TryGetStrings(out var values) ? values : throw NotA("a string");

    public bool TryGetStrings([NotNullWhen(true)] out string[]? values)
    {
        if (!VR.IsString() || _entry.Payload is not null)
        {
            values = null;
            return false;
        }

        values = DicomValueText.SplitValues(DicomValueText.Decode(_entry.Value.Span, VR, Owner.CharacterSet), VR);
        return true;
    }

    /// <summary>
    /// Value number <paramref name="index"/> as a number of type <typeparamref name="T"/>: from the binary
    /// VRs (US, SS, UL, SL, UV, SV, FL, FD and the words of OB, OW, OL, OF, OD, OV) or from the text of IS and DS.
    /// False when absent, not a number, or out of the range of <typeparamref name="T"/>.
    /// </summary>
    public bool TryGetValue<T>(int index, out T value)
        where T : struct, INumber<T>
    {
        value = default;
        if (index < 0 || _entry.Payload is not null)
        {
            return false;
        }

        try
        {
            var span = _entry.Value.Span;
            switch (VR)
            {
                case DicomVR.IS:
                {
                    var values = GetStrings();
                    if (index >= values.Length || !DicomValueText.TryParseIntegerString(values[index], out var integer))
                    {
                        return false;
                    }

                    value = T.CreateChecked(integer);
                    return true;
                }

                case DicomVR.DS:
                {
                    var values = GetStrings();
                    if (index >= values.Length || !DicomValueText.TryParseDecimalString(values[index], out var number))
                    {
                        return false;
                    }

                    value = T.CreateChecked(number);
                    return true;
                }
            }

            var size = VR.ValueSize();
            if (size == 0 || (long)(index + 1) * size > span.Length)
            {
                return false;
            }

            var at = span[(index * size)..];
            value = VR switch
            {
                DicomVR.US or DicomVR.OW => T.CreateChecked(BinaryPrimitives.ReadUInt16LittleEndian(at)),
                DicomVR.SS => T.CreateChecked(BinaryPrimitives.ReadInt16LittleEndian(at)),
                DicomVR.UL or DicomVR.OL => T.CreateChecked(BinaryPrimitives.ReadUInt32LittleEndian(at)),
                DicomVR.SL => T.CreateChecked(BinaryPrimitives.ReadInt32LittleEndian(at)),
                DicomVR.UV or DicomVR.OV => T.CreateChecked(BinaryPrimitives.ReadUInt64LittleEndian(at)),
                DicomVR.SV => T.CreateChecked(BinaryPrimitives.ReadInt64LittleEndian(at)),
                DicomVR.FL or DicomVR.OF => T.CreateChecked(BinaryPrimitives.ReadSingleLittleEndian(at)),
                DicomVR.FD or DicomVR.OD => T.CreateChecked(BinaryPrimitives.ReadDoubleLittleEndian(at)),
                DicomVR.OB or DicomVR.UN => T.CreateChecked(at[0]),
                _ => throw new OverflowException(),
            };
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    /// <summary>Value number <paramref name="index"/> as <typeparamref name="T"/>; throws when <see cref="TryGetValue{T}"/> would be false.</summary>
    public T GetValue<T>(int index = 0)
        where T : struct, INumber<T> =>
        TryGetValue<T>(index, out var value) ? value : throw NotA($"a {typeof(T).Name} at index {index}");

    /// <summary>How many numbers <see cref="TryGetValues{T}"/> reads: the words of a byte-stream VR (OB, OW...), else <see cref="ValueCount"/>.</summary>
    internal int NumberValueCount => VR.IsBulk() ? (VR.ValueSize() == 0 ? 0 : _entry.Value.Length / VR.ValueSize()) : ValueCount;

    /// <summary>All values as <typeparamref name="T"/>.</summary>
    public bool TryGetValues<T>([NotNullWhen(true)] out T[]? values)
        where T : struct, INumber<T>
    {
        var count = NumberValueCount;
        var result = new T[count];
        for (var i = 0; i < count; i++)
        {
            if (!TryGetValue(i, out result[i]))
            {
                values = null;
                return false;
            }
        }

        values = result;
        return true;
    }

    public T[] GetValues<T>()
        where T : struct, INumber<T> =>
        TryGetValues<T>(out var values) ? values : throw NotA($"{typeof(T).Name} values");

    /// <summary>Value number <paramref name="index"/> of an AT element.</summary>
    public bool TryGetAttributeTag(int index, out DicomTag tag)
    {
        tag = default;
        var span = _entry.Value.Span;
        if (VR != DicomVR.AT || index < 0 || (long)(index + 1) * 4 > span.Length)
        {
            return false;
        }

        var at = span[(index * 4)..];
        tag = new DicomTag(BinaryPrimitives.ReadUInt16LittleEndian(at), BinaryPrimitives.ReadUInt16LittleEndian(at[2..]));
        return true;
    }

    public DicomTag GetAttributeTag(int index = 0) => TryGetAttributeTag(index, out var tag) ? tag : throw NotA($"an attribute tag at index {index}");

    /// <summary>A DA value (YYYYMMDD).</summary>
    public bool TryGetDate(int index, out DateOnly date)
    {
        date = default;
        return VR == DicomVR.DA && TryGetStrings(out var values) && index < values.Length && DicomValueText.TryParseDate(values[index], out date);
    }

    /// <summary>A TM value.</summary>
    public bool TryGetTime(int index, out TimeOnly time)
    {
        time = default;
        return VR == DicomVR.TM && TryGetStrings(out var values) && index < values.Length && DicomValueText.TryParseTime(values[index], out time);
    }

    /// <summary>A DT value, with its UTC offset when the value has one.</summary>
    public bool TryGetDateTime(int index, out DateTime value, out TimeSpan? offset)
    {
        value = default;
        offset = null;
        return VR == DicomVR.DT && TryGetStrings(out var values) && index < values.Length && DicomValueText.TryParseDateTime(values[index], out value, out offset);
    }

    /// <summary>A PN value.</summary>
    public bool TryGetPersonName(int index, [NotNullWhen(true)] out DicomPersonName? name)
    {
        name = null;
        if (VR != DicomVR.PN || !TryGetStrings(out var values) || index >= values.Length)
        {
            return false;
        }

        name = DicomPersonName.Parse(values[index]);
        return true;
    }

    public override string ToString() => $"{Tag} {VR.Code()} {DicomDictionary.GetKeyword(Tag) ?? ""}";

    private InvalidOperationException NotA(string what) =>
        new($"Element {Tag} {DicomDictionary.GetKeyword(Tag) ?? ""} ({VR.Code()}) has no value readable as {what}.");
}
