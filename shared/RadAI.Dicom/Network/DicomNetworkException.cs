namespace RadAI.Dicom.Network;

/// <summary>A failure of the DICOM upper layer: malformed or unexpected PDU, timeout, abort, rejection.</summary>
public class DicomNetworkException : Exception
{
    public DicomNetworkException(string message)
        : base(message)
    {
    }

    public DicomNetworkException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public DicomNetworkException()
    {
    }
}

/// <summary>The peer rejected the association (A-ASSOCIATE-RJ).</summary>
public sealed class DicomAssociationRejectedException(AssociateReject reject)
    : DicomNetworkException($"Association rejected: {reject}")
{
    public AssociateReject Reject { get; } = reject;
}

/// <summary>The association was aborted (A-ABORT received or sent).</summary>
public sealed class DicomAssociationAbortedException(AbortSource source, byte reason, string detail)
    : DicomNetworkException($"Association aborted by the {(source == AbortSource.ServiceUser ? "service user" : "service provider")} (reason {reason}): {detail}")
{
    public AbortSource AbortSource { get; } = source;

    public byte Reason { get; } = reason;
}
