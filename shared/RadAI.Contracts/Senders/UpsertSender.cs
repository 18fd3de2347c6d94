namespace RadAI.Contracts.Senders;

/// <summary>
/// Request to dicom-ingest: create or replace a sender administered through the api (source <c>api</c>); the next
/// association of that AE title uses it. Answered with <see cref="SenderChanged"/>, or <see cref="SenderRejected"/> when
/// invalid (<c>invalid</c>) or configured (<c>read-only</c>).
/// </summary>
/// <param name="AeTitle">Its calling AE title (1–16 characters, no backslash, no leading or trailing space).</param>
/// <param name="Host">Host name or address it must connect from; null or empty: any.</param>
/// <param name="Allowed">May it send (false: C-ECHO answered, C-STOREs refused).</param>
/// <param name="RoutingProfile">Routing profile of its studies; null or empty: the default.</param>
/// <param name="StableTimeout">Its stable-study timeout (positive); null: the default.</param>
/// <param name="Enabled">False: kept, its C-STOREs refused.</param>
/// <param name="RequestedBy">Who asked (an api actor such as <c>user:…</c>), for dicom-ingest's log.</param>
public sealed record UpsertSender(
    string AeTitle,
    string? Host,
    bool Allowed,
    string? RoutingProfile,
    TimeSpan? StableTimeout,
    bool Enabled,
    string? RequestedBy = null);
