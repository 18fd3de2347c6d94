using System.Buffers.Binary;
using System.Text;

namespace RadAI.Dicom.Network;

/// <summary>Command Field values (PS3.7 E.1).</summary>
public static class DimseCommandField
{
    public const ushort CStoreRequest = 0x0001;
    public const ushort CStoreResponse = 0x8001;
    public const ushort CGetRequest = 0x0010;
    public const ushort CGetResponse = 0x8010;
    public const ushort CFindRequest = 0x0020;
    public const ushort CFindResponse = 0x8020;
    public const ushort CMoveRequest = 0x0021;
    public const ushort CMoveResponse = 0x8021;
    public const ushort CEchoRequest = 0x0030;
    public const ushort CEchoResponse = 0x8030;
    public const ushort CCancelRequest = 0x0FFF;

    public static bool IsResponse(ushort field) => (field & 0x8000) != 0;

    public static string Name(ushort field) => field switch
    {
        CStoreRequest => "C-STORE-RQ",
        CStoreResponse => "C-STORE-RSP",
        CGetRequest => "C-GET-RQ",
        CGetResponse => "C-GET-RSP",
        CFindRequest => "C-FIND-RQ",
        CFindResponse => "C-FIND-RSP",
        CMoveRequest => "C-MOVE-RQ",
        CMoveResponse => "C-MOVE-RSP",
        CEchoRequest => "C-ECHO-RQ",
        CEchoResponse => "C-ECHO-RSP",
        CCancelRequest => "C-CANCEL-RQ",
        _ => $"command {field:X4}",
    };
}

/// <summary>
/// A DIMSE command (group 0000), always encoded implicit VR little endian (PS3.7 6.3.1). Its own small
/// codec, not the general data set reader: a command is a handful of short group-0000 elements, read and
/// written in one pass over a span (a few hundred bytes allocated, where a <see cref="DicomDataset"/> parse
/// costs ≈ 18 KB). Values are kept as the peer sent them (an invalid UID is echoed, not refused).
/// </summary>
public sealed class DimseCommand
{
    private const ushort NoDataSet = 0x0101;

    /// <summary>Longest element value accepted in a command (an Error Comment is 64 bytes; UIDs 64).</summary>
    private const int MaxValueLength = 64 * 1024;

    // Few elements (≈ 10), kept in tag order: a list beats a dictionary.
    private readonly List<(uint Tag, byte[] Value)> _elements = new(8);

    /// <summary>An empty command; add elements with <c>Set</c>.</summary>
    public DimseCommand()
    {
    }

    public ushort CommandField => GetUInt16(DicomTags.CommandField);

    public ushort MessageId => GetUInt16(DicomTags.MessageID);

    public ushort MessageIdBeingRespondedTo => GetUInt16(DicomTags.MessageIDBeingRespondedTo);

    public bool HasDataSet => !TryGetUInt16(DicomTags.CommandDataSetType, out var type) || type != NoDataSet;

    public string AffectedSopClassUid => TryGetString(DicomTags.AffectedSOPClassUID, out var uid) ? uid : "";

    public string AffectedSopInstanceUid => TryGetString(DicomTags.AffectedSOPInstanceUID, out var uid) ? uid : "";

    public ushort Status => GetUInt16(DicomTags.Status);

    public string? ErrorComment => TryGetString(DicomTags.ErrorComment, out var comment) ? comment : null;

    public ushort Priority => GetUInt16(DicomTags.Priority);

    public string? MoveOriginatorAeTitle => TryGetString(DicomTags.MoveOriginatorApplicationEntityTitle, out var ae) ? ae : null;

    /// <summary>The elements, in tag order (Command Group Length excluded: it is computed when encoding).</summary>
    public int Count => _elements.Count;

    /// <summary>Sets an element to raw value bytes (padded to an even length when encoded).</summary>
    public DimseCommand SetBytes(DicomTag tag, ReadOnlySpan<byte> value)
    {
        if (tag.Group != 0x0000)
        {
            throw new ArgumentException($"{tag} is not a command element (group 0000).", nameof(tag));
        }

        if (tag == DicomTags.CommandGroupLength)
        {
            return this;
        }

        var index = IndexOf(tag.Value);
        if (index >= 0)
        {
            _elements[index] = (tag.Value, value.ToArray());
        }
        else
        {
            _elements.Insert(~index, (tag.Value, value.ToArray()));
        }

        return this;
    }

    /// <summary>Sets a US element.</summary>
    public DimseCommand Set(DicomTag tag, ushort value)
    {
        Span<byte> bytes = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, value);
        return SetBytes(tag, bytes);
    }

    /// <summary>Sets a text element (UI, AE, LO) from ASCII text.</summary>
    public DimseCommand Set(DicomTag tag, string value) => SetBytes(tag, Encoding.ASCII.GetBytes(value));

    public bool TryGetBytes(DicomTag tag, out ReadOnlyMemory<byte> value)
    {
        var index = IndexOf(tag.Value);
        value = index >= 0 ? _elements[index].Value : default;
        return index >= 0;
    }

    public bool TryGetUInt16(DicomTag tag, out ushort value)
    {
        if (TryGetBytes(tag, out var bytes) && bytes.Length == 2)
        {
            value = BinaryPrimitives.ReadUInt16LittleEndian(bytes.Span);
            return true;
        }

        value = 0;
        return false;
    }

    /// <summary>A text value without its padding (trailing NULs and spaces, leading spaces).</summary>
    public bool TryGetString(DicomTag tag, out string value)
    {
        if (!TryGetBytes(tag, out var bytes))
        {
            value = "";
            return false;
        }

        value = Encoding.ASCII.GetString(bytes.Span.TrimEnd("\0 "u8).TrimStart((byte)' '));
        return true;
    }

    private ushort GetUInt16(DicomTag tag) => TryGetUInt16(tag, out var value) ? value : (ushort)0;

    private int IndexOf(uint tag)
    {
        int low = 0, high = _elements.Count - 1;
        while (low <= high)
        {
            var middle = (low + high) >>> 1;
            var at = _elements[middle].Tag;
            if (at == tag)
            {
                return middle;
            }

            if (at < tag)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return ~low;
    }

    public static DimseCommand EchoRequest(ushort messageId) => new DimseCommand()
        .Set(DicomTags.AffectedSOPClassUID, DicomUids.Verification)
        .Set(DicomTags.CommandField, DimseCommandField.CEchoRequest)
        .Set(DicomTags.MessageID, messageId)
        .Set(DicomTags.CommandDataSetType, NoDataSet);

    public static DimseCommand StoreRequest(ushort messageId, string sopClassUid, string sopInstanceUid, ushort priority = 0, string? moveOriginatorAe = null, ushort? moveOriginatorMessageId = null)
    {
        var command = new DimseCommand()
            .Set(DicomTags.AffectedSOPClassUID, sopClassUid)
            .Set(DicomTags.CommandField, DimseCommandField.CStoreRequest)
            .Set(DicomTags.MessageID, messageId)
            .Set(DicomTags.Priority, priority)
            .Set(DicomTags.CommandDataSetType, (ushort)0x0000)
            .Set(DicomTags.AffectedSOPInstanceUID, sopInstanceUid);
        if (moveOriginatorAe is not null)
        {
            command.Set(DicomTags.MoveOriginatorApplicationEntityTitle, moveOriginatorAe);
            command.Set(DicomTags.MoveOriginatorMessageID, moveOriginatorMessageId ?? 0);
        }

        return command;
    }

    /// <summary>The response to <paramref name="request"/> with a status (and an error comment for failures).</summary>
    public static DimseCommand ResponseTo(DimseCommand request, ushort status, string? errorComment = null)
    {
        var command = new DimseCommand()
            .Set(DicomTags.CommandField, (ushort)(request.CommandField | 0x8000))
            .Set(DicomTags.MessageIDBeingRespondedTo, request.MessageId)
            .Set(DicomTags.CommandDataSetType, NoDataSet)
            .Set(DicomTags.Status, status);
        // The UIDs are echoed as the requestor sent them, even invalid ones (a response must not fail to encode).
        foreach (var tag in (ReadOnlySpan<DicomTag>)[DicomTags.AffectedSOPClassUID, DicomTags.AffectedSOPInstanceUID])
        {
            if (request.TryGetBytes(tag, out var uid) && uid.Length > 0)
            {
                command.SetBytes(tag, uid.Span.TrimEnd((byte)0));
            }
        }

        if (errorComment is { Length: > 0 } && !DimseStatus.IsSuccess(status))
        {
            // Error Comment is LO in the default repertoire: 64 characters at most, printable ASCII, no backslash.
            var comment = new string([.. errorComment.Select(c => c is '\\' ? '/' : c is < ' ' or > '~' ? ' ' : c)]).Trim();
            command.Set(DicomTags.ErrorComment, comment.Length > 64 ? comment[..64].TrimEnd() : comment);
        }

        return command;
    }

    /// <summary>The command encoded implicit VR little endian, Command Group Length first, each value padded to an even length.</summary>
    public byte[] Encode()
    {
        var groupLength = 0;
        foreach (var (_, value) in _elements)
        {
            groupLength += 8 + value.Length + (value.Length & 1);
        }

        var bytes = new byte[12 + groupLength];
        var span = bytes.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, 0x00000000u);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], 4);
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], (uint)groupLength);
        var offset = 12;
        foreach (var (tag, value) in _elements)
        {
            var padded = value.Length + (value.Length & 1);
            BinaryPrimitives.WriteUInt16LittleEndian(span[offset..], (ushort)(tag >> 16));
            BinaryPrimitives.WriteUInt16LittleEndian(span[(offset + 2)..], (ushort)tag);
            BinaryPrimitives.WriteUInt32LittleEndian(span[(offset + 4)..], (uint)padded);
            value.CopyTo(span[(offset + 8)..]);
            if (padded != value.Length)
            {
                // UIDs are padded with NUL, text with a space (PS3.5 6.2).
                span[offset + 8 + value.Length] = IsUid(tag) ? (byte)0 : (byte)' ';
            }

            offset += 8 + padded;
        }

        return bytes;
    }

    /// <summary>Same as <see cref="Encode"/> (kept for callers of the asynchronous form).</summary>
    public Task<byte[]> EncodeAsync(CancellationToken cancellationToken = default) => Task.FromResult(Encode());

    /// <summary>Decodes a received command; a command that does not parse, or holds elements outside group 0000, is a protocol error.</summary>
    public static DimseCommand Decode(ReadOnlySpan<byte> bytes)
    {
        var command = new DimseCommand();
        while (!bytes.IsEmpty)
        {
            if (bytes.Length < 8)
            {
                throw new DicomProtocolException($"A DIMSE command does not parse: {bytes.Length} bytes left where an element header (8) was expected.", AbortReason.InvalidPduParameterValue);
            }

            var group = BinaryPrimitives.ReadUInt16LittleEndian(bytes);
            var element = BinaryPrimitives.ReadUInt16LittleEndian(bytes[2..]);
            var length = BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]);
            if (group != 0x0000)
            {
                throw new DicomProtocolException("A DIMSE command holds elements outside group 0000.", AbortReason.InvalidPduParameterValue);
            }

            if (length > MaxValueLength || length > bytes.Length - 8)
            {
                throw new DicomProtocolException($"A DIMSE command does not parse: element (0000,{element:X4}) of {length} bytes, {bytes.Length - 8} left.", AbortReason.InvalidPduParameterValue);
            }

            if (element != 0x0000)
            {
                command.SetBytes(new DicomTag(0x0000, element), bytes.Slice(8, (int)length));
            }

            bytes = bytes[(8 + (int)length)..];
        }

        if (command._elements.Count == 0)
        {
            throw new DicomProtocolException("A DIMSE command holds no elements.", AbortReason.InvalidPduParameterValue);
        }

        return command;
    }

    /// <summary>Same as <see cref="Decode"/> (kept for callers of the asynchronous form).</summary>
    public static Task<DimseCommand> DecodeAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default) => Task.FromResult(Decode(bytes.Span));

    private static bool IsUid(uint tag) => tag is 0x0002 or 0x0003 or 0x1000 or 0x1001;

    public override string ToString() =>
        $"{DimseCommandField.Name(CommandField)} id={(DimseCommandField.IsResponse(CommandField) ? MessageIdBeingRespondedTo : MessageId)}" +
        (DimseCommandField.IsResponse(CommandField) ? $" status={DimseStatus.Describe(Status)}" : "");
}
