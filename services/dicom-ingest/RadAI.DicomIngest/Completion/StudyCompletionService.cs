using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RadAI.Contracts;
using RadAI.DicomIngest.Listening;
using RadAI.DicomIngest.Receptions;
using RadAI.Hosting.Storage;

namespace RadAI.DicomIngest.Completion;

/// <summary>
/// Declares receptions complete: no instance for the sender's stable timeout, or sooner, a grace period
/// after the last association that carried it was released. The state is the database's, so a
/// restart resumes every countdown. Completion and the StudyReceived event are one transaction (outbox),
/// preceded by a look at the reception's folder for instances a crash left unindexed (<see cref="ReceptionRecovery"/>).
/// </summary>
public sealed partial class StudyCompletionService(
    ReceptionRepository receptions,
    ReceptionRecovery recovery,
    OutboxPublisher publisher,
    DicomListenerService listener,
    IOptionsMonitor<DicomIngestOptions> options,
    TimeProvider clock,
    IngestMetrics metrics,
    ILogger<StudyCompletionService> logger) : BackgroundService
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // The listening instance completes; one on standby leaves the receptions to it.
                if (listener.IsListening)
                {
                    await CompleteDueAsync(stoppingToken).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogPollFailed(e.Message);
            }

            await Task.Delay(options.CurrentValue.CompletionPollInterval, clock, stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>Completes every reception that is due now; returns how many.</summary>
    public async Task<int> CompleteDueAsync(CancellationToken cancellationToken)
    {
        var pending = await receptions.PendingAsync(cancellationToken).ConfigureAwait(false);
        metrics.Pending(pending.Count);
        var now = clock.GetUtcNow();
        var grace = options.CurrentValue.ReleaseGracePeriod;
        var completed = 0;
        foreach (var reception in pending)
        {
            var stable = now - reception.LastInstanceAt >= TimeSpan.FromMilliseconds(reception.StableTimeoutMs);
            var released = reception.OpenAssociations == 0 && reception.LastReleaseAt is { } release
                && release >= reception.LastInstanceAt && now - release >= grace;
            if (!stable && !released)
            {
                continue;
            }

            // Instances whose index rows a crash took (their files are durable): indexed again, then the reception
            // is looked at afresh on the next poll (its counts changed, so completing it now would fail anyway).
            if (await recovery.IndexUnindexedAsync(reception, cancellationToken).ConfigureAwait(false) > 0)
            {
                continue;
            }

            if (reception.InstanceCount == 0)
            {
                // Opened for instances that were all refused: nothing was received, nothing to announce.
                if (stable && await receptions.DropEmptyAsync(reception, cancellationToken).ConfigureAwait(false))
                {
                    LogDroppedEmpty(reception.JobId, reception.SendingAe);
                }

                continue;
            }

            var series = await receptions.SeriesAsync(reception.JobId, cancellationToken).ConfigureAwait(false);
            var message = new StudyReceived(
                reception.JobId,
                reception.JobId,
                now,
                reception.StudyInstanceUid,
                reception.SendingAe,
                reception.CalledAe,
                reception.RoutingProfile,
                [.. series.Select(s => new ReceivedSeries(s.SeriesInstanceUid, s.Modality, s.SopClassUid, (int)s.InstanceCount, s.TotalBytes,
                    new StorageReference(StoreNames.Instances, $"{reception.StoreKey}/{s.SeriesInstanceUid}"), s.BodyPartExamined, s.SeriesDescription))],
                new StorageReference(StoreNames.Instances, reception.StoreKey));
            // The message id is derived from the job: a second publication of the same job is recognisable.
            var outbox = new OutboxMessage(reception.JobId, reception.JobId, nameof(StudyReceived), JsonSerializer.Serialize(message, Json), now, reception.LastInstanceAt);
            if (await receptions.CompleteAsync(reception, now, outbox, cancellationToken).ConfigureAwait(false))
            {
                completed++;
                metrics.Completed();
                LogCompleted(reception.JobId, reception.SendingAe, reception.InstanceCount, series.Count, stable ? "stable timeout" : "associations released");
            }
        }

        if (completed > 0)
        {
            publisher.Wake();
        }

        return completed;
    }

    [LoggerMessage(EventId = 4201, Level = LogLevel.Information, Message = "Job {JobId}: study from {SendingAe} complete ({Instances} instances, {Series} series; {Why})")]
    private partial void LogCompleted(Guid jobId, string sendingAe, long instances, int series, string why);

    [LoggerMessage(EventId = 4203, Level = LogLevel.Information, Message = "Job {JobId}: reception from {SendingAe} dropped: every instance was refused")]
    private partial void LogDroppedEmpty(Guid jobId, string sendingAe);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Warning, Message = "Checking pending studies failed: {Reason}; retrying")]
    private partial void LogPollFailed(string reason);
}
