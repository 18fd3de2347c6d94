namespace RadAI.Contracts;

/// <summary>
/// Command to pacs-sender (imperative: a request, not a fact, so not an <see cref="IJobEvent"/>): store a job's report
/// objects again. Each delivery it concerns starts a new round (attempts from zero, every object sent again, with the same
/// SOP Instance UIDs, so the PACS replaces rather than duplicates them), ending with a new ReportDelivered or DeliveryFailed.
/// Publish it (pacs-sender's <c>resend-report</c> queue receives it).
/// </summary>
/// <param name="JobId">The job whose report to send again.</param>
/// <param name="RequestId">Identifies this request: the same request delivered twice is applied once.</param>
/// <param name="RequestedAt">When it was requested (UTC).</param>
/// <param name="DestinationAeTitle">
/// Send to this destination only (it must be configured and enabled); null: to the destinations the report went to,
/// and those the default rule gives now (the study's sender, destinations taking every report).
/// </param>
/// <param name="RequestedBy">Who asked (a user name or service), for the audit trail; never patient data.</param>
public sealed record ResendReport(
    Guid JobId,
    Guid RequestId,
    DateTimeOffset RequestedAt,
    string? DestinationAeTitle = null,
    string? RequestedBy = null);
