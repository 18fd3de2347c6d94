using MassTransit;
using Microsoft.Extensions.Logging;
using RadAI.Contracts;
using RadAI.Hosting.Messaging;
using RadAI.Hosting.Storage;

namespace RadAI.ReportBuilder.Pipeline;

/// <summary>
/// Writes the report objects of each analysed job and publishes ReportReady, or ReportFailed when
/// the job's inputs cannot make a report. Idempotent: the outcome is stored in the job's reports
/// folder before it is published, so a redelivered AnalysisDone republishes the same event; the
/// objects' UIDs derive from the job, so a rebuild writes the same instances again.
/// </summary>
public sealed partial class AnalysisDoneConsumer(ReportGeneration generation, FileStores stores, ILogger<AnalysisDoneConsumer> logger) : IConsumer<AnalysisDone>
{
    private static readonly Type[] OutcomeTypes = [typeof(ReportReady), typeof(ReportFailed)];

    /// <summary>File of the outcome in the job's reports folder.</summary>
    public const string OutcomeFileName = "outcome.json";

    public async Task Consume(ConsumeContext<AnalysisDone> context)
    {
        var analysis = context.Message;
        var outcomePath = Path.Combine(stores.RootOf(StoreNames.Reports), analysis.JobId.ToString("N"), OutcomeFileName);
        var stored = await StoredJobEvent.ReadAsync(outcomePath, OutcomeTypes, context.CancellationToken).ConfigureAwait(false);
        if (stored is not null)
        {
            LogRepublished(analysis.JobId, stored.GetType().Name);
        }
        else
        {
            LogStarted(analysis.JobId, analysis.Runs.Count);
            stored = await generation.BuildAsync(analysis, context.CancellationToken).ConfigureAwait(false);
            await StoredJobEvent.WriteAsync(outcomePath, stored, context.CancellationToken).ConfigureAwait(false);
        }

        var messageId = StoredJobEvent.MessageIdOf(ReportBuilderModule.ServiceName, analysis.JobId, stored.GetType().Name);
        await (stored switch
        {
            ReportReady ready => context.Publish(ready, c => c.MessageId = messageId),
            ReportFailed failed => context.Publish(failed, c => c.MessageId = messageId),
            _ => throw new InvalidOperationException($"Unexpected outcome {stored.GetType().Name}."),
        }).ConfigureAwait(false);
        LogOutcome(analysis.JobId, stored.GetType().Name);
    }

    [LoggerMessage(EventId = 7301, Level = LogLevel.Information, Message = "Job {JobId}: report of {RunCount} model runs started")]
    private partial void LogStarted(Guid jobId, int runCount);

    [LoggerMessage(EventId = 7302, Level = LogLevel.Information, Message = "Job {JobId}: {EventType} published")]
    private partial void LogOutcome(Guid jobId, string eventType);

    [LoggerMessage(EventId = 7303, Level = LogLevel.Information, Message = "Job {JobId} was already reported: its stored {EventType} is published again")]
    private partial void LogRepublished(Guid jobId, string eventType);
}

/// <summary>Endpoint of the consumer: reports are built a few at a time (CPU: rendering, compression).</summary>
public sealed class AnalysisDoneConsumerDefinition : ConsumerDefinition<AnalysisDoneConsumer>
{
    public AnalysisDoneConsumerDefinition()
    {
        ConcurrentMessageLimit = 2;
    }
}
