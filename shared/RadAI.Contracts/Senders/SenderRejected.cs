namespace RadAI.Contracts.Senders;

/// <summary>dicom-ingest refused a sender request; nothing changed.</summary>
/// <param name="AeTitle">The sender named in the request.</param>
/// <param name="Code"><c>not-found</c>, <c>read-only</c> (configured in dicom-ingest: change its configuration) or <c>invalid</c>.</param>
/// <param name="Reason">Why, in English.</param>
public sealed record SenderRejected(string AeTitle, string Code, string Reason)
{
    /// <summary>No sender has this AE title.</summary>
    public const string NotFound = "not-found";
    /// <summary>The sender comes from dicom-ingest's configuration.</summary>
    public const string ReadOnly = "read-only";
    /// <summary>The request does not describe a valid sender.</summary>
    public const string Invalid = "invalid";
}
