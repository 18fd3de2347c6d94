namespace RadAI.Contracts.Destinations;

/// <summary>pacs-sender refused a destination request; nothing changed.</summary>
/// <param name="AeTitle">The destination named in the request.</param>
/// <param name="Code"><c>not-found</c>, <c>read-only</c> (configured in pacs-sender: change its configuration) or <c>invalid</c>.</param>
/// <param name="Reason">Why, in English.</param>
public sealed record DestinationRejected(string AeTitle, string Code, string Reason)
{
    /// <summary>No destination has this AE title.</summary>
    public const string NotFound = "not-found";
    /// <summary>The destination comes from pacs-sender's configuration.</summary>
    public const string ReadOnly = "read-only";
    /// <summary>The request does not describe a valid destination.</summary>
    public const string Invalid = "invalid";
}
