using RadAI.Dicom.IO;

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
/// A DIMSE command (group 0000), always encoded implicit VR little endian (PS3.7 6.3.1). A thin typed
/// view over a dataset, so that C-FIND/C-MOVE/C-GET fit later without another model.
/// </summary>
public sealed class DimseCommand
{
    private const ushort NoDataSet = 0x0101;

    public DimseCommand(DicomDataset dataset) => Dataset = dataset;

    public DicomDataset Dataset { get; }

    public ushort CommandField => Dataset.TryGetValue<ushort>(DicomTags.CommandField, out var value) ? value : (ushort)0;

    public ushort MessageId => Dataset.TryGetValue<ushort>(DicomTags.MessageID, out var id) ? id : (ushort)0;

    public ushort MessageIdBeingRespondedTo => Dataset.TryGetValue<ushort>(DicomTags.MessageIDBeingRespondedTo, out var id) ? id : (ushort)0;

    public bool HasDataSet => !Dataset.TryGetValue<ushort>(DicomTags.CommandDataSetType, out var type) || type != NoDataSet;

    public string AffectedSopClassUid => Dataset.TryGetString(DicomTags.AffectedSOPClassUID, out var uid) ? uid : "";

    public string AffectedSopInstanceUid => Dataset.TryGetString(DicomTags.AffectedSOPInstanceUID, out var uid) ? uid : "";

    public ushort Status => Dataset.TryGetValue<ushort>(DicomTags.Status, out var status) ? status : (ushort)0;

    public string? ErrorComment => Dataset.TryGetString(DicomTags.ErrorComment, out var comment) ? comment : null;

    public ushort Priority => Dataset.TryGetValue<ushort>(DicomTags.Priority, out var priority) ? priority : (ushort)0;

    public string? MoveOriginatorAeTitle => Dataset.TryGetString(DicomTags.MoveOriginatorApplicationEntityTitle, out var ae) ? ae : null;

    public static DimseCommand EchoRequest(ushort messageId) => new(new DicomDataset()
        .AddOrUpdate(DicomTags.AffectedSOPClassUID, DicomVR.UI, DicomUids.Verification)
        .AddOrUpdate(DicomTags.CommandField, DicomVR.US, DimseCommandField.CEchoRequest)
        .AddOrUpdate(DicomTags.MessageID, DicomVR.US, messageId)
        .AddOrUpdate(DicomTags.CommandDataSetType, DicomVR.US, NoDataSet));

    public static DimseCommand StoreRequest(ushort messageId, string sopClassUid, string sopInstanceUid, ushort priority = 0, string? moveOriginatorAe = null, ushort? moveOriginatorMessageId = null)
    {
        var command = new DicomDataset()
            .AddOrUpdate(DicomTags.AffectedSOPClassUID, DicomVR.UI, sopClassUid)
            .AddOrUpdate(DicomTags.CommandField, DicomVR.US, DimseCommandField.CStoreRequest)
            .AddOrUpdate(DicomTags.MessageID, DicomVR.US, messageId)
            .AddOrUpdate(DicomTags.Priority, DicomVR.US, priority)
            .AddOrUpdate(DicomTags.CommandDataSetType, DicomVR.US, (ushort)0x0000)
            .AddOrUpdate(DicomTags.AffectedSOPInstanceUID, DicomVR.UI, sopInstanceUid);
        if (moveOriginatorAe is not null)
        {
            command.AddOrUpdate(DicomTags.MoveOriginatorApplicationEntityTitle, DicomVR.AE, moveOriginatorAe);
            command.AddOrUpdate(DicomTags.MoveOriginatorMessageID, DicomVR.US, moveOriginatorMessageId ?? 0);
        }

        return new DimseCommand(command);
    }

    /// <summary>The response to <paramref name="request"/> with a status (and an error comment for failures).</summary>
    public static DimseCommand ResponseTo(DimseCommand request, ushort status, string? errorComment = null)
    {
        var command = new DicomDataset()
            .AddOrUpdate(DicomTags.CommandField, DicomVR.US, (ushort)(request.CommandField | 0x8000))
            .AddOrUpdate(DicomTags.MessageIDBeingRespondedTo, DicomVR.US, request.MessageId)
            .AddOrUpdate(DicomTags.CommandDataSetType, DicomVR.US, NoDataSet)
            .AddOrUpdate(DicomTags.Status, DicomVR.US, status);
        // The UIDs are echoed as the requestor sent them, even invalid ones (a response must not fail to encode).
        foreach (var tag in new[] { DicomTags.AffectedSOPClassUID, DicomTags.AffectedSOPInstanceUID })
        {
            if (request.Dataset.TryGetBytes(tag, out var uid) && uid.Length > 0)
            {
                command.AddOrUpdateBytes(tag, DicomVR.UI, uid.Span);
            }
        }

        if (errorComment is { Length: > 0 } && !DimseStatus.IsSuccess(status))
        {
            // Error Comment is LO in the default repertoire: 64 characters at most, printable ASCII, no backslash.
            var comment = new string([.. errorComment.Select(c => c is '\\' ? '/' : c is < ' ' or > '~' ? ' ' : c)]).Trim();
            command.AddOrUpdate(DicomTags.ErrorComment, DicomVR.LO, comment.Length > 64 ? comment[..64].TrimEnd() : comment);
        }

        return new DimseCommand(command);
    }

    /// <summary>The command encoded implicit VR little endian, Command Group Length first.</summary>
    public async Task<byte[]> EncodeAsync(CancellationToken cancellationToken = default)
    {
        Dataset.AddOrUpdate(DicomTags.CommandGroupLength, DicomVR.UL, 0u);
        using var buffer = new MemoryStream(256);
        await DicomWriter.WriteDatasetAsync(buffer, Dataset, DicomTransferSyntax.ImplicitVRLittleEndian, cancellationToken: cancellationToken).ConfigureAwait(false);
        return buffer.ToArray();
    }

    /// <summary>Decodes a received command; a command that does not parse is a protocol error.</summary>
    public static async Task<DimseCommand> DecodeAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        try
        {
            var dataset = await DicomFile.ReadDatasetAsync(bytes, DicomTransferSyntax.ImplicitVRLittleEndian, DicomReadOptions.Default, cancellationToken).ConfigureAwait(false);
            if (dataset.Count == 0 || dataset.Any(e => e.Tag.Group != 0x0000))
            {
                throw new DicomProtocolException("A DIMSE command holds elements outside group 0000.", AbortReason.InvalidPduParameterValue);
            }

            return new DimseCommand(dataset);
        }
        catch (DicomFormatException e)
        {
            throw new DicomProtocolException($"A DIMSE command does not parse: {e.Message}", AbortReason.InvalidPduParameterValue);
        }
    }

    public override string ToString() =>
        $"{DimseCommandField.Name(CommandField)} id={(DimseCommandField.IsResponse(CommandField) ? MessageIdBeingRespondedTo : MessageId)}" +
        (DimseCommandField.IsResponse(CommandField) ? $" status={DimseStatus.Describe(Status)}" : "");
}
