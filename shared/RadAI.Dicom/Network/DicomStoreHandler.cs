namespace RadAI.Dicom.Network;

/// <summary>What a C-STORE request is about.</summary>
public sealed record DicomStoreRequest(
    DicomAssociationPeer Peer,
    ushort MessageId,
    string SopClassUid,
    string SopInstanceUid,
    DicomTransferSyntax TransferSyntax,
    ushort Priority,
    string? MoveOriginatorAeTitle);

/// <summary>The outcome of a stored instance: a DIMSE status and, for failures and warnings, why.</summary>
public sealed record DicomStoreResult(ushort Status, string? Comment = null)
{
    public static DicomStoreResult Success { get; } = new(DimseStatus.Success);
}

/// <summary>Where received instances go: one sink per C-STORE, fed the data set as it arrives.</summary>
public interface IDicomStoreHandler
{
    /// <summary>
    /// Starts receiving an instance. Throwing <see cref="DicomStoreRefusedException"/> answers its status
    /// at once (the data set is then read and discarded).
    /// </summary>
    ValueTask<IDicomStoreSink> BeginStoreAsync(DicomStoreRequest request, CancellationToken cancellationToken);
}

/// <summary>
/// Receives one data set, in the negotiated transfer syntax, chunk by chunk (constant memory whatever its
/// size). Disposing without <see cref="CompleteAsync"/> means the transfer failed: nothing may remain.
/// </summary>
public interface IDicomStoreSink : IAsyncDisposable
{
    ValueTask WriteAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken);

    /// <summary>The whole data set arrived: make it durable (or refuse it) and say so.</summary>
    ValueTask<DicomStoreResult> CompleteAsync(CancellationToken cancellationToken);
}

/// <summary>A C-STORE refused before its data set is read (e.g. out of resources), with the status to answer.</summary>
public sealed class DicomStoreRefusedException(ushort status, string reason) : Exception(reason)
{
    public ushort Status { get; } = status;
}
