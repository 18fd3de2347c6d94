namespace RadAI.Contracts.Models;

/// <summary>
/// Request to inference: create or replace a routing profile administered through the api (source <c>api</c>); the
/// next study routed with it uses it. Answered with <see cref="RoutingProfileChanged"/>, or <see cref="ModelAdminRejected"/>
/// (<c>invalid</c>: bad name or unknown package; <c>read-only</c>: configured in <c>Inference:Profiles</c>).
/// </summary>
/// <param name="Name">Profile name: 1–64 letters, digits, dot, dash or underscore.</param>
/// <param name="Packages">Package ids it allows (each a loaded package); empty: every enabled package.</param>
/// <param name="RequestedBy">Who asked, for inference's log.</param>
public sealed record UpsertRoutingProfile(string Name, IReadOnlyList<string> Packages, string? RequestedBy = null);
