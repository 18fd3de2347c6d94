using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RadAI.Contracts;
using RadAI.Hosting.Messaging;
using RadAI.Hosting.Storage;

namespace RadAI.Inference.Pipeline;

/// <summary>
/// Analyses each received study and publishes AnalysisDone, AnalysisFailed or StudySkipped.
/// Idempotent: the outcome is stored in the job's results folder before it is published, with a
/// message id derived from the job, so a redelivered StudyReceived republishes the same event
/// (which consumers recognise) instead of analysing again.
/// </summary>
public sealed partial class StudyReceivedConsumer(StudyAnalysis analysis, FileStores stores, ILogger<StudyReceivedConsumer> logger) : IConsumer<StudyReceived>
{
    public async Task Consume(ConsumeContext<StudyReceived> context)
    {
        var study = context.Message;
        var outcomePath = Path.Combine(stores.RootOf(StoreNames.Results), study.JobId.ToString("N"), AnalysisOutcome.FileName);
        var stored = await StoredJobEvent.ReadAsync(outcomePath, OutcomeTypes, context.CancellationToken).ConfigureAwait(false);
        if (stored is not null)
        {
            LogRepublished(study.JobId, stored.GetType().Name);
        }
        else
        {
            LogStarted(study.JobId, study.Series.Count, study.RoutingProfile);
            stored = (await analysis.AnalyzeAsync(study, context.CancellationToken).ConfigureAwait(false)).Event;
            await StoredJobEvent.WriteAsync(outcomePath, stored, context.CancellationToken).ConfigureAwait(false);
        }

        var messageId = MessageIdOf(study.JobId, stored.GetType().Name);
        await (stored switch
        {
            AnalysisDone done => context.Publish(done, c => c.MessageId = messageId),
            AnalysisFailed failed => context.Publish(failed, c => c.MessageId = messageId),
            StudySkipped skipped => context.Publish(skipped, c => c.MessageId = messageId),
            _ => throw new InvalidOperationException($"Unexpected outcome {stored.GetType().Name}."),
        }).ConfigureAwait(false);
        LogOutcome(study.JobId, stored.GetType().Name);
    }

    private static readonly Type[] OutcomeTypes = [typeof(AnalysisDone), typeof(AnalysisFailed), typeof(StudySkipped)];

    /// <summary>The same job and event type always give the same message id (deduplicated downstream).</summary>
    public static Guid MessageIdOf(Guid jobId, string eventType) => StoredJobEvent.MessageIdOf("inference", jobId, eventType);

    [LoggerMessage(EventId = 6301, Level = LogLevel.Information, Message = "Job {JobId}: analysis of {SeriesCount} series started (profile {Profile})")]
    private partial void LogStarted(Guid jobId, int seriesCount, string profile);

    [LoggerMessage(EventId = 6302, Level = LogLevel.Information, Message = "Job {JobId}: {EventType} published")]
    private partial void LogOutcome(Guid jobId, string eventType);

    [LoggerMessage(EventId = 6303, Level = LogLevel.Information, Message = "Job {JobId} was already analysed: its stored {EventType} is published again")]
    private partial void LogRepublished(Guid jobId, string eventType);
}

/// <summary>Endpoint of the consumer: how many studies this replica analyses at once (more replicas scale out).</summary>
public sealed class StudyReceivedConsumerDefinition : ConsumerDefinition<StudyReceivedConsumer>
{
    public StudyReceivedConsumerDefinition(IOptions<InferenceOptions> options)
    {
        ConcurrentMessageLimit = options.Value.ConcurrentJobs;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<StudyReceivedConsumer> consumerConfigurator, IRegistrationContext context)
    {
        // A study takes minutes: hold no more messages than we analyse, so other replicas get the rest.
        if (endpointConfigurator is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            rabbit.PrefetchCount = ConcurrentMessageLimit ?? 1;
        }
    }
}
