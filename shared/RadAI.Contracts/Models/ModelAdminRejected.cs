namespace RadAI.Contracts.Models;

/// <summary>inference refused a model package or routing profile request; nothing changed.</summary>
/// <param name="Subject">The package id or profile name named in the request.</param>
/// <param name="Code"><c>not-found</c>, <c>read-only</c> (configured in inference: change its configuration) or <c>invalid</c>.</param>
/// <param name="Reason">Why, in English.</param>
public sealed record ModelAdminRejected(string Subject, string Code, string Reason)
{
    /// <summary>No package has this id.</summary>
    public const string NotFound = "not-found";
    /// <summary>The setting comes from inference's configuration.</summary>
    public const string ReadOnly = "read-only";
    /// <summary>The request is not valid (name, unknown package).</summary>
    public const string Invalid = "invalid";
}
