using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RadAI.Contracts;
using RadAI.Dicom.Network;
using RadAI.Hosting.Storage;
using RadAI.PacsSender.Destinations;

namespace RadAI.PacsSender.Delivery;

/// <summary>
/// Runs one attempt of a delivery: the objects not yet stored at the destination go over one association (RadAI's SCU,
/// one presentation context per SOP class and transfer syntax), each object's DIMSE status is recorded; then the
/// delivery is done (ReportDelivered), retried later (exponential backoff) or, after its last attempt, failed
/// (DeliveryFailed): state and outcome event are written in one transaction, the event published from the outbox.
/// </summary>
public sealed partial class DeliveryAttempts(
    DeliveryRepository deliveries,
    DestinationRepository destinations,
    DestinationConnector connector,
    FileStores stores,
    IOptions<PacsSenderOptions> options,
    TimeProvider time,
    ILogger<DeliveryAttempts> logger)
{
    /// <summary>Spans of pacs-sender (collected with every <c>RadAI.*</c> source): one per delivery attempt, tagged with its job.</summary>
    public static readonly ActivitySource Activities = new("RadAI.PacsSender");

    /// <summary>At most this many objects are named in a failure reason.</summary>
    private const int ReasonObjects = 4;

    public async Task RunAsync(ClaimedAttempt attempt, CancellationToken cancellationToken)
    {
        // The schedule lives in the database, not in a message: the span starts its own trace, found by the job id.
        using var activity = Activities.StartActivity("pacs.delivery");
        activity?.SetTag("radai.job.id", attempt.JobId);
        activity?.SetTag("radai.destination.ae", attempt.DestinationAe);
        activity?.SetTag("radai.delivery.attempt", attempt.Attempt);
        var settings = options.Value;
        var job = await deliveries.FindJobAsync(attempt.JobId, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Delivery of job {attempt.JobId} has no job row.");
        var objects = await deliveries.ObjectsOfDeliveryAsync(attempt.JobId, attempt.DestinationAe, cancellationToken).ConfigureAwait(false);
        var destination = await destinations.FindAsync(attempt.DestinationAe, cancellationToken).ConfigureAwait(false);

        var results = new List<ObjectResult>();
        string? attemptError = null;
        var finalNow = false;
        if (destination is not { Enabled: true })
        {
            // Removed or disabled since the delivery was scheduled: retrying cannot help.
            attemptError = $"Destination {attempt.DestinationAe} is no longer configured or is disabled.";
            finalNow = true;
        }
        else
        {
            var pending = objects.Where(o => !Stored(o.Status.Status)).Select(o => o.Object).ToList();
            LogAttempt(attempt.JobId, attempt.DestinationAe, attempt.Attempt, pending.Count, objects.Count);
            if (pending.Count > 0)
            {
                try
                {
                    results.AddRange(await SendAsync(destination, pending, cancellationToken).ConfigureAwait(false));
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    // Anything unexpected fails this attempt only; the next one may succeed.
                    attemptError = e.Message;
                    results.AddRange(pending.Select(o => new ObjectResult(o.SopInstanceUid, -1, e.Message)));
                }
            }
        }

        var latest = results.ToDictionary(r => r.SopInstanceUid, StringComparer.Ordinal);
        var final = objects.Select(o => latest.TryGetValue(o.Object.SopInstanceUid, out var r)
            ? new ObjectDelivery(r.SopInstanceUid, r.Status, r.Error)
            : new ObjectDelivery(o.Object.SopInstanceUid, (int)o.Status.Status, o.Status.Error)).ToList();
        var failed = final.Where(o => !Stored(o.Status)).ToList();
        var now = time.GetUtcNow();

        string status;
        DateTimeOffset next = now;
        string? reason = null;
        OutboxMessage? outcome = null;
        if (attemptError is null && failed.Count == 0)
        {
            status = DeliveryStatus.Delivered;
            outcome = DeliveryOutcomes.ToOutbox(
                new ReportDelivered(job.JobId, job.CorrelationId, now, job.StudyInstanceUid, attempt.DestinationAe, final, checked((int)attempt.Attempt)),
                attempt.DestinationAe, attempt.Round, now);
        }
        else
        {
            reason = attemptError ?? Reason(failed, final.Count);
            if (finalNow || attempt.Attempt >= settings.MaxAttempts)
            {
                status = DeliveryStatus.Failed;
                outcome = DeliveryOutcomes.ToOutbox(
                    new DeliveryFailed(job.JobId, job.CorrelationId, now, job.StudyInstanceUid, attempt.DestinationAe, reason, checked((int)attempt.Attempt), final),
                    attempt.DestinationAe, attempt.Round, now);
            }
            else
            {
                status = DeliveryStatus.Pending;
                next = now + Backoff.After(attempt.Attempt, settings.InitialBackoff, settings.MaxBackoff);
            }
        }

        activity?.SetTag("radai.delivery.status", status);
        if (status != DeliveryStatus.Delivered)
        {
            activity?.SetStatus(ActivityStatusCode.Error, reason);
        }

        if (!await deliveries.CompleteAttemptAsync(attempt, results, status, next, reason, outcome, now, cancellationToken).ConfigureAwait(false))
        {
            LogSuperseded(attempt.JobId, attempt.DestinationAe, attempt.Attempt);
            return;
        }

        switch (status)
        {
            case DeliveryStatus.Delivered:
                LogDelivered(attempt.JobId, attempt.DestinationAe, final.Count, attempt.Attempt);
                break;
            case DeliveryStatus.Failed:
                LogFailed(attempt.JobId, attempt.DestinationAe, attempt.Attempt, reason!);
                break;
            default:
                LogRetry(attempt.JobId, attempt.DestinationAe, attempt.Attempt, next, reason!);
                break;
        }
    }

    /// <summary>Success and warning statuses mean the destination stored the object.</summary>
    public static bool Stored(long status) => status is >= 0 and <= ushort.MaxValue && (DimseStatus.IsSuccess((ushort)status) || DimseStatus.IsWarning((ushort)status));

    private async Task<IReadOnlyList<ObjectResult>> SendAsync(Destination destination, IReadOnlyList<JobObject> pending, CancellationToken cancellationToken)
    {
        var byPath = new Dictionary<string, JobObject>(StringComparer.Ordinal);
        foreach (var item in pending)
        {
            byPath[stores.PathOf(new StorageReference(item.Store, item.StorageKey))] = item;
        }

        // One association for the batch (more only beyond 128 presentation contexts); a status per file. Files encrypted at
        // rest are decrypted as they are read: the destination receives the DICOM objects, never the stored bytes.
        var sent = await DicomSender.SendAsync(connector.ClientOptions(destination), byPath.Keys.Select(stores.DicomSourceOf).ToList(), logger: logger, cancellationToken: cancellationToken).ConfigureAwait(false);
        var results = new List<ObjectResult>();
        foreach (var (path, item) in byPath)
        {
            var result = sent.FirstOrDefault(r => r.Path == path);
            results.Add(result switch
            {
                null => new ObjectResult(item.SopInstanceUid, -1, "not sent"),
                { Status: { } s } => new ObjectResult(item.SopInstanceUid, s, result.Message),
                _ => new ObjectResult(item.SopInstanceUid, -1, result.Message ?? "not sent"),
            });
        }

        return results;
    }

    private static string Reason(IReadOnlyList<ObjectDelivery> failed, int total)
    {
        var described = failed.Take(ReasonObjects).Select(f => f.Status >= 0
            ? $"{f.SopInstanceUid}: {DimseStatus.Describe((ushort)f.Status)}{(f.Error is null ? "" : " (" + f.Error + ")")}"
            : $"{f.SopInstanceUid}: {f.Error ?? "not sent"}");
        var errors = failed.Select(f => (f.Status, f.Error)).Distinct().ToList();
        // One cause for all (the association failed): said once.
        return errors.Count == 1 && errors[0].Status < 0
            ? $"{failed.Count} of {total} objects not stored: {errors[0].Error ?? "not sent"}"
            : $"{failed.Count} of {total} objects not stored: {string.Join("; ", described)}{(failed.Count > ReasonObjects ? "; ..." : "")}";
    }

    [LoggerMessage(EventId = 7410, Level = LogLevel.Information, Message = "Job {JobId} to {DestinationAe}: attempt {Attempt}, {PendingCount} of {ObjectCount} objects to store")]
    private partial void LogAttempt(Guid jobId, string destinationAe, long attempt, int pendingCount, int objectCount);

    [LoggerMessage(EventId = 7411, Level = LogLevel.Information, Message = "Job {JobId} to {DestinationAe}: {ObjectCount} objects delivered (attempt {Attempt})")]
    private partial void LogDelivered(Guid jobId, string destinationAe, int objectCount, long attempt);

    [LoggerMessage(EventId = 7412, Level = LogLevel.Warning, Message = "Job {JobId} to {DestinationAe}: attempt {Attempt} failed, next at {NextAttemptAt:o}: {Reason}")]
    private partial void LogRetry(Guid jobId, string destinationAe, long attempt, DateTimeOffset nextAttemptAt, string reason);

    [LoggerMessage(EventId = 7413, Level = LogLevel.Error, Message = "Job {JobId} to {DestinationAe}: delivery failed after {Attempts} attempts: {Reason}")]
    private partial void LogFailed(Guid jobId, string destinationAe, long attempts, string reason);

    [LoggerMessage(EventId = 7414, Level = LogLevel.Information, Message = "Job {JobId} to {DestinationAe}: the result of attempt {Attempt} is discarded (a resend or another attempt took over)")]
    private partial void LogSuperseded(Guid jobId, string destinationAe, long attempt);
}
