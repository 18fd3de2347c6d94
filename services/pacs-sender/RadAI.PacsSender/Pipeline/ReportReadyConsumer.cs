using MassTransit;
using Microsoft.Extensions.Logging;
using RadAI.Contracts;
using RadAI.PacsSender.Delivery;

namespace RadAI.PacsSender.Pipeline;

/// <summary>
/// Records each ReportReady and schedules its deliveries in the database (the delivery scheduler sends them). Idempotent:
/// a redelivered ReportReady finds its job recorded and changes nothing. When no destination takes the report, the
/// DeliveryFailed saying why is written to the outbox in the same transaction.
/// </summary>
public sealed partial class ReportReadyConsumer(DeliveryRepository deliveries, DeliverySignal signal, TimeProvider time, ILogger<ReportReadyConsumer> logger) : IConsumer<ReportReady>
{
    public async Task Consume(ConsumeContext<ReportReady> context)
    {
        var report = context.Message;
        // The sender travels with the job's events; the StudyReceived this service also consumes may come later.
        if (!string.IsNullOrEmpty(report.SendingAeTitle))
        {
            await deliveries.RecordSenderAsync(report.JobId, report.SendingAeTitle, report.StudyInstanceUid, report.OccurredAt, context.CancellationToken).ConfigureAwait(false);
        }

        var accepted = await deliveries.AcceptAsync(report, time.GetUtcNow(), context.CancellationToken).ConfigureAwait(false);
        if (accepted.AlreadyAccepted)
        {
            LogAlreadyAccepted(report.JobId);
            return;
        }

        if (accepted.FailureReason is { } reason)
        {
            LogNoDestination(report.JobId, reason);
        }
        else
        {
            LogScheduled(report.JobId, report.Objects.Count, string.Join(", ", accepted.Destinations));
        }

        signal.Wake();
    }

    [LoggerMessage(EventId = 7430, Level = LogLevel.Information, Message = "Job {JobId}: {ObjectCount} report objects scheduled for {Destinations}")]
    private partial void LogScheduled(Guid jobId, int objectCount, string destinations);

    [LoggerMessage(EventId = 7431, Level = LogLevel.Warning, Message = "Job {JobId}: {Reason}")]
    private partial void LogNoDestination(Guid jobId, string reason);

    [LoggerMessage(EventId = 7432, Level = LogLevel.Information, Message = "Job {JobId}: ReportReady was already recorded; nothing to do")]
    private partial void LogAlreadyAccepted(Guid jobId);
}

/// <summary>Its own queue name, <c>pacs-sender-report-ready</c>.</summary>
public sealed class ReportReadyConsumerDefinition : ConsumerDefinition<ReportReadyConsumer>
{
    public ReportReadyConsumerDefinition()
    {
        EndpointName = "pacs-sender-report-ready";
    }
}
