namespace RadAI.Contracts.Models;

/// <summary>A routing profile: which model packages the studies of the senders that use it may run.</summary>
/// <param name="Name">Its name (the key), as senders name it.</param>
/// <param name="Packages">Package ids it allows; empty: every enabled package.</param>
/// <param name="Source"><c>config</c> (inference's <c>Inference:Profiles</c>, read-only through the api) or <c>api</c>.</param>
public sealed record RoutingProfileInfo(string Name, IReadOnlyList<string> Packages, string Source);
