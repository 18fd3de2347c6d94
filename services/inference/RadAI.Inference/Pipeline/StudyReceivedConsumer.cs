using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RadAI.Contracts;
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
        var stored = await StoredOutcome.ReadAsync(outcomePath, context.CancellationToken).ConfigureAwait(false);
        if (stored is not null)
        {
            LogRepublished(study.JobId, stored.GetType().Name);
        }
        else
        {
            LogStarted(study.JobId, study.Series.Count, study.RoutingProfile);
            stored = (await analysis.AnalyzeAsync(study, context.CancellationToken).ConfigureAwait(false)).Event;
            await StoredOutcome.WriteAsync(outcomePath, stored, context.CancellationToken).ConfigureAwait(false);
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

    /// <summary>The same job and event type always give the same message id (deduplicated downstream).</summary>
    public static Guid MessageIdOf(Guid jobId, string eventType) =>
        new(SHA256.HashData(Encoding.UTF8.GetBytes($"inference/{jobId:N}/{eventType}")).AsSpan(0, 16));

    [LoggerMessage(EventId = 6301, Level = LogLevel.Information, Message = "Job {JobId}: analysis of {SeriesCount} series started (profile {Profile})")]
    private partial void LogStarted(Guid jobId, int seriesCount, string profile);

    [LoggerMessage(EventId = 6302, Level = LogLevel.Information, Message = "Job {JobId}: {EventType} published")]
    private partial void LogOutcome(Guid jobId, string eventType);

    [LoggerMessage(EventId = 6303, Level = LogLevel.Information, Message = "Job {JobId} was already analysed: its stored {EventType} is published again")]
    private partial void LogRepublished(Guid jobId, string eventType);
}

/// <summary>The outcome file: the event type and the event.</summary>
internal static class StoredOutcome
{
    private sealed record Envelope(string Type, JsonElement Event);

    public static async Task<IJobEvent?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        await using var stream = File.OpenRead(path);
        var envelope = await JsonSerializer.DeserializeAsync<Envelope>(stream, StudyAnalysis.Json, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidDataException($"{path} is empty.");
        return envelope.Type switch
        {
            nameof(AnalysisDone) => envelope.Event.Deserialize<AnalysisDone>(StudyAnalysis.Json),
            nameof(AnalysisFailed) => envelope.Event.Deserialize<AnalysisFailed>(StudyAnalysis.Json),
            nameof(StudySkipped) => envelope.Event.Deserialize<StudySkipped>(StudyAnalysis.Json),
            _ => throw new InvalidDataException($"{path}: unknown outcome type {envelope.Type}."),
        };
    }

    public static Task WriteAsync(string path, IJobEvent outcome, CancellationToken cancellationToken) =>
        DurableFile.WriteAsync(path, (stream, ct) => JsonSerializer.SerializeAsync(
            stream, new Envelope(outcome.GetType().Name, JsonSerializer.SerializeToElement(outcome, outcome.GetType(), StudyAnalysis.Json)), StudyAnalysis.Json, ct),
            cancellationToken: cancellationToken);
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
