using System.Diagnostics.CodeAnalysis;
using System.Numerics;

namespace RadAI.Dicom;

// Typed reading by tag. Every GetX has a TryGetX twin that returns false where GetX throws
// (element absent, or its value not readable as asked); the exception message names the tag.
public sealed partial class DicomDataset
{
    /// <summary>The whole text of a string element (values joined by '\'), padding removed.</summary>
    public string GetString(DicomTag tag) => GetElement(tag).GetString();

    public bool TryGetString(DicomTag tag, [NotNullWhen(true)] out string? value)
    {
        value = null;
        return TryGetElement(tag, out var element) && element.TryGetString(out value);
    }

    /// <summary>Value number <paramref name="index"/> of a string element.</summary>
    public string GetString(DicomTag tag, int index) =>
        TryGetString(tag, index, out var value) ? value : throw new InvalidOperationException($"Element {tag} has no string value at index {index}.");

    public bool TryGetString(DicomTag tag, int index, [NotNullWhen(true)] out string? value)
    {
        value = null;
        if (!TryGetStrings(tag, out var values) || index < 0 || index >= values.Length)
        {
            return false;
        }

        value = values[index];
        return true;
    }

    /// <summary>The values of a string element.</summary>
    public string[] GetStrings(DicomTag tag) => GetElement(tag).GetStrings();

    public bool TryGetStrings(DicomTag tag, [NotNullWhen(true)] out string[]? values)
    {
        values = null;
        return TryGetElement(tag, out var element) && element.TryGetStrings(out values);
    }

    /// <summary>Value number <paramref name="index"/> as a number (binary VRs, IS, DS).</summary>
    public T GetValue<T>(DicomTag tag, int index = 0)
        where T : struct, INumber<T> => GetElement(tag).GetValue<T>(index);

    public bool TryGetValue<T>(DicomTag tag, out T value)
        where T : struct, INumber<T> => TryGetValue(tag, 0, out value);

    public bool TryGetValue<T>(DicomTag tag, int index, out T value)
        where T : struct, INumber<T>
    {
        value = default;
        return TryGetElement(tag, out var element) && element.TryGetValue(index, out value);
    }

    /// <summary>Every value as a number.</summary>
    public T[] GetValues<T>(DicomTag tag)
        where T : struct, INumber<T> => GetElement(tag).GetValues<T>();

    public bool TryGetValues<T>(DicomTag tag, [NotNullWhen(true)] out T[]? values)
        where T : struct, INumber<T>
    {
        values = null;
        return TryGetElement(tag, out var element) && element.TryGetValues(out values);
    }

    /// <summary>A DA value.</summary>
    public DateOnly GetDate(DicomTag tag, int index = 0) =>
        TryGetDate(tag, index, out var date) ? date : throw Unreadable(tag, "a date (DA)");

    public bool TryGetDate(DicomTag tag, out DateOnly date) => TryGetDate(tag, 0, out date);

    public bool TryGetDate(DicomTag tag, int index, out DateOnly date)
    {
        date = default;
        return TryGetElement(tag, out var element) && element.TryGetDate(index, out date);
    }

    /// <summary>A TM value.</summary>
    public TimeOnly GetTime(DicomTag tag, int index = 0) =>
        TryGetTime(tag, index, out var time) ? time : throw Unreadable(tag, "a time (TM)");

    public bool TryGetTime(DicomTag tag, out TimeOnly time) => TryGetTime(tag, 0, out time);

    public bool TryGetTime(DicomTag tag, int index, out TimeOnly time)
    {
        time = default;
        return TryGetElement(tag, out var element) && element.TryGetTime(index, out time);
    }

    /// <summary>A DT value as a local date and time (any UTC offset in the value is ignored: see <see cref="TryGetDateTimeOffset"/>).</summary>
    public DateTime GetDateTime(DicomTag tag, int index = 0) =>
        TryGetDateTime(tag, index, out var value) ? value : throw Unreadable(tag, "a date-time (DT)");

    public bool TryGetDateTime(DicomTag tag, out DateTime value) => TryGetDateTime(tag, 0, out value);

    public bool TryGetDateTime(DicomTag tag, int index, out DateTime value)
    {
        value = default;
        return TryGetElement(tag, out var element) && element.TryGetDateTime(index, out value, out _);
    }

    /// <summary>
    /// A DT value with its UTC offset: the one in the value, else Timezone Offset From UTC (0008,0201);
    /// false when neither exists (the instant is then unknown).
    /// </summary>
    public bool TryGetDateTimeOffset(DicomTag tag, out DateTimeOffset value)
    {
        value = default;
        if (!TryGetElement(tag, out var element) || !element.TryGetDateTime(0, out var local, out var offset))
        {
            return false;
        }

        offset ??= TryGetTimezoneOffset(out var datasetOffset) ? datasetOffset : null;
        return offset is not null && DicomValueText.TryMakeDateTimeOffset(local, offset.Value, out value);
    }

    public DateTimeOffset GetDateTimeOffset(DicomTag tag) =>
        TryGetDateTimeOffset(tag, out var value) ? value : throw Unreadable(tag, "a date-time with a UTC offset");

    /// <summary>A date (DA) and a time (TM) element combined, e.g. StudyDate + StudyTime; a missing time means midnight.</summary>
    public bool TryGetDateTime(DicomTag dateTag, DicomTag timeTag, out DateTime value)
    {
        value = default;
        if (!TryGetDate(dateTag, out var date))
        {
            return false;
        }

        value = date.ToDateTime(TryGetTime(timeTag, out var time) ? time : TimeOnly.MinValue);
        return true;
    }

    public DateTime GetDateTime(DicomTag dateTag, DicomTag timeTag) =>
        TryGetDateTime(dateTag, timeTag, out var value) ? value : throw Unreadable(dateTag, "a date (DA)");

    /// <summary>A PN value.</summary>
    public DicomPersonName GetPersonName(DicomTag tag, int index = 0) =>
        TryGetPersonName(tag, index, out var name) ? name : throw Unreadable(tag, "a person name (PN)");

    public bool TryGetPersonName(DicomTag tag, [NotNullWhen(true)] out DicomPersonName? name) => TryGetPersonName(tag, 0, out name);

    public bool TryGetPersonName(DicomTag tag, int index, [NotNullWhen(true)] out DicomPersonName? name)
    {
        name = null;
        return TryGetElement(tag, out var element) && element.TryGetPersonName(index, out name);
    }

    /// <summary>An AT value.</summary>
    public DicomTag GetAttributeTag(DicomTag tag, int index = 0) =>
        TryGetAttributeTag(tag, index, out var value) ? value : throw Unreadable(tag, "an attribute tag (AT)");

    public bool TryGetAttributeTag(DicomTag tag, out DicomTag value) => TryGetAttributeTag(tag, 0, out value);

    public bool TryGetAttributeTag(DicomTag tag, int index, out DicomTag value)
    {
        value = default;
        return TryGetElement(tag, out var element) && element.TryGetAttributeTag(index, out value);
    }

    /// <summary>The items of a sequence element.</summary>
    public DicomSequence GetSequence(DicomTag tag) =>
        TryGetSequence(tag, out var sequence) ? sequence : throw Unreadable(tag, "a sequence (SQ)");

    public bool TryGetSequence(DicomTag tag, [NotNullWhen(true)] out DicomSequence? sequence)
    {
        sequence = TryGetEntry(tag, out var entry) ? entry.Payload as DicomSequence : null;
        return sequence is not null;
    }

    /// <summary>The encoded bytes (little endian) of a value held in memory.</summary>
    public ReadOnlyMemory<byte> GetBytes(DicomTag tag) =>
        TryGetBytes(tag, out var bytes) ? bytes : throw Unreadable(tag, "bytes in memory (use GetBulk for large values)");

    public bool TryGetBytes(DicomTag tag, out ReadOnlyMemory<byte> bytes)
    {
        bytes = default;
        if (!TryGetEntry(tag, out var entry) || entry.Payload is not null)
        {
            return false;
        }

        bytes = entry.Value;
        return true;
    }

    /// <summary>Any non-sequence value as a <see cref="DicomBulkValue"/> (in memory or lazy), for streaming it.</summary>
    public DicomBulkValue GetBulk(DicomTag tag) =>
        TryGetBulk(tag, out var bulk) ? bulk : throw Unreadable(tag, "a byte value");

    public bool TryGetBulk(DicomTag tag, [NotNullWhen(true)] out DicomBulkValue? bulk)
    {
        bulk = null;
        if (!TryGetEntry(tag, out var entry))
        {
            return false;
        }

        bulk = entry.Payload switch
        {
            DicomBulkValue lazy => lazy,
            null => new DicomMemoryBulkValue(entry.Value),
            _ => null,
        };
        return bulk is not null;
    }

    /// <summary>The fragments of encapsulated pixel data.</summary>
    public bool TryGetFragments(DicomTag tag, [NotNullWhen(true)] out DicomFragments? fragments)
    {
        fragments = TryGetEntry(tag, out var entry) ? entry.Payload as DicomFragments : null;
        return fragments is not null;
    }

    /// <summary>The private data element tag (gggg,bbxx) that <paramref name="creator"/> reserved in <paramref name="group"/>, if any.</summary>
    public bool TryGetPrivateTag(ushort group, string creator, byte elementOffset, out DicomTag tag)
    {
        tag = default;
        for (var block = 0x10; block <= 0xFF; block++)
        {
            if (TryGetString(new DicomTag(group, (ushort)block), out var reserved) && reserved == creator)
            {
                tag = new DicomTag(group, (ushort)((block << 8) | elementOffset));
                return true;
            }
        }

        return false;
    }

    /// <summary>The private creator that reserved the block of a private data element, if any.</summary>
    public bool TryGetPrivateCreator(DicomTag privateTag, [NotNullWhen(true)] out string? creator)
    {
        creator = null;
        return privateTag.PrivateBlock != 0 && TryGetString(privateTag.PrivateCreatorTag, out creator);
    }

    private bool TryGetTimezoneOffset(out TimeSpan offset)
    {
        offset = default;
        if (!TryGetString(DicomTags.TimezoneOffsetFromUTC, out var text) || text.Length != 5 || text[0] is not ('+' or '-'))
        {
            return Parent?.TryGetTimezoneOffset(out offset) ?? false;
        }

        return DicomValueText.TryParseUtcOffset(text, out offset);
    }

    private static InvalidOperationException Unreadable(DicomTag tag, string what) =>
        new($"Element {tag} {DicomDictionary.GetKeyword(tag) ?? ""} is absent or has no value readable as {what}.");
}
