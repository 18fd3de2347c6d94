using System.Diagnostics;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.Logging;
using RadAI.Contracts;

namespace RadAI.Api.Jobs;

/// <summary>
/// Projects every job event into the read model. Idempotent (the message id is recorded once) and
/// order-tolerant (a job never moves back to an earlier status).
/// </summary>
public sealed partial class JobEventsConsumer(JobRepository jobs, TimeProvider clock, ILogger<JobEventsConsumer> logger) :
    IConsumer<StudyReceived>,
    IConsumer<StudySkipped>,
    IConsumer<AnalysisDone>,
    IConsumer<AnalysisFailed>,
    IConsumer<ReportReady>,
    IConsumer<ReportFailed>,
    IConsumer<ReportDelivered>,
    IConsumer<DeliveryFailed>
{
    /// <summary>How payloads are stored (and read back by <see cref="JobDetails"/>).</summary>
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public Task Consume(ConsumeContext<StudyReceived> context) =>
        RecordAsync(context, context.Message.SendingAeTitle, JobModalities.Encode(context.Message.Series));

    public Task Consume(ConsumeContext<StudySkipped> context) => RecordAsync(context);

    public Task Consume(ConsumeContext<AnalysisDone> context) =>
        RecordAsync(context, context.Message.SendingAeTitle, JobModalities.Encode(context.Message.Series));

    public Task Consume(ConsumeContext<AnalysisFailed> context) => RecordAsync(context);

    public Task Consume(ConsumeContext<ReportReady> context) => RecordAsync(context);

    public Task Consume(ConsumeContext<ReportFailed> context) => RecordAsync(context);

    public Task Consume(ConsumeContext<ReportDelivered> context) => RecordAsync(context);

    public Task Consume(ConsumeContext<DeliveryFailed> context) => RecordAsync(context);

    private async Task RecordAsync<TEvent>(ConsumeContext<TEvent> context, string? sendingAe = null, string? modalities = null)
        where TEvent : class, IJobEvent
    {
        var message = context.Message;
        var (status, rank) = JobStatus.Of(message);
        // Without a message id, derive one from the content so that a redelivery is still recognised.
        var messageId = context.MessageId ?? DeterministicId(message);
        var record = new JobEventRecord(
            messageId, message.JobId, message.CorrelationId, message.StudyInstanceUid, sendingAe,
            typeof(TEvent).Name, status, rank, message.OccurredAt, clock.GetUtcNow(),
            Activity.Current?.TraceId.ToHexString(), JsonSerializer.Serialize(message, Json), modalities);

        if (await jobs.RecordAsync(record, context.CancellationToken).ConfigureAwait(false))
        {
            LogRecorded(typeof(TEvent).Name, message.JobId, status);
        }
        else
        {
            LogDuplicate(typeof(TEvent).Name, message.JobId, messageId);
        }
    }

    private static Guid DeterministicId<TEvent>(TEvent message)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(message, Json));
        return new Guid(hash.AsSpan(0, 16));
    }

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Job {JobId}: {EventType} recorded, status {Status}")]
    private partial void LogRecorded(string eventType, Guid jobId, string status);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Debug, Message = "Job {JobId}: {EventType} {MessageId} already recorded (redelivery)")]
    private partial void LogDuplicate(string eventType, Guid jobId, Guid messageId);
}

/// <summary>Endpoint settings of the projection, beside its consumer.</summary>
public sealed class JobEventsConsumerDefinition : ConsumerDefinition<JobEventsConsumer>
{
    public JobEventsConsumerDefinition()
    {
        // Writes are short; order does not matter (ranks), so several at once are fine.
        ConcurrentMessageLimit = 8;
    }
}
