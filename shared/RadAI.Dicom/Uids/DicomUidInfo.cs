namespace RadAI.Dicom;

/// <summary>One UID of the registry (PS3.6 Annex A).</summary>
/// <param name="Uid">The UID.</param>
/// <param name="Keyword">Keyword, e.g. <c>CTImageStorage</c>; empty when the standard gives none.</param>
/// <param name="Name">Name, e.g. <c>CT Image Storage</c>.</param>
/// <param name="Type">Type as in PS3.6: <c>SOP Class</c>, <c>Transfer Syntax</c>, <c>Context Group UID</c>...</param>
/// <param name="Info">Note of the standard, often empty.</param>
/// <param name="IsRetired">Retired from the standard.</param>
/// <param name="IodOrCid">For a storage SOP class the IOD name; for a context group <c>CID n</c>; else empty.</param>
public sealed record DicomUidInfo(string Uid, string Keyword, string Name, string Type, string Info, bool IsRetired, string IodOrCid)
{
    /// <summary>True for a SOP class (storage or service).</summary>
    public bool IsSopClass => Type == "SOP Class";

    /// <summary>True for a transfer syntax.</summary>
    public bool IsTransferSyntax => Type == "Transfer Syntax";
}
