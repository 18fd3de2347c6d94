using System.Diagnostics;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RadAI.Contracts;
using RadAI.DicomIngest.Listening;
using RadAI.DicomIngest.Receptions;

namespace RadAI.DicomIngest.Completion;

/// <summary>
/// Publishes the events the outbox holds, each with its fixed message id, then marks it published.
/// A crash between the two publishes it again with the same id: consumers recognise it.
/// </summary>
public sealed partial class OutboxPublisher(
    ReceptionRepository receptions,
    IServiceScopeFactory scopes,
    DicomListenerService listener,
    TimeProvider clock,
    IngestMetrics metrics,
    ILogger<OutboxPublisher> logger) : BackgroundService
{
    /// <summary>Spans of dicom-ingest (collected with every <c>RadAI.*</c> source).</summary>
    public static readonly ActivitySource Activities = new("RadAI.DicomIngest");

    /// <summary>
    /// The span of a study's completion: from its last instance received to its StudyReceived published, i.e. the
    /// stable wait, the completion and the outbox. Current while publishing, so that the job's spans share its trace.
    /// </summary>
    public const string StudyCompleteSpan = "study.complete";

    private readonly SemaphoreSlim _wake = new(0);

    /// <summary>Something was queued: publish without waiting for the next poll.</summary>
    public void Wake() => _wake.Release();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // The listening instance publishes; one on standby leaves its outbox to it.
                if (listener.IsListening)
                {
                    await PublishPendingAsync(stoppingToken).ConfigureAwait(false);
                }

                delay = TimeSpan.FromSeconds(1);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogPublishFailed(e.Message);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
            }

            await _wake.WaitAsync(delay, stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>Publishes what is pending; returns how many.</summary>
    public async Task<int> PublishPendingAsync(CancellationToken cancellationToken)
    {
        var published = 0;
        await using var scope = scopes.CreateAsyncScope();
        var bus = scope.ServiceProvider.GetRequiredService<IPublishEndpoint>();
        foreach (var message in await receptions.UnpublishedAsync(100, cancellationToken).ConfigureAwait(false))
        {
            var studyReceived = JsonSerializer.Deserialize<StudyReceived>(message.Payload, StudyCompletionService.Json)
                ?? throw new InvalidOperationException($"Outbox message {message.MessageId} is empty.");
            // Started in the past: the last instance's arrival is in the database, which survives a restart.
            using (var activity = Activities.StartActivity(StudyCompleteSpan, ActivityKind.Internal, parentContext: default, startTime: message.LastInstanceAt))
            {
                activity?.SetTag("radai.job.id", message.JobId);
                activity?.SetTag("radai.sending.ae", studyReceived.SendingAeTitle);
                activity?.SetTag("radai.study.series", studyReceived.Series.Count);
                activity?.SetTag("radai.study.instances", studyReceived.Series.Sum(s => s.InstanceCount));
                activity?.AddEvent(new ActivityEvent("study.completed", message.CreatedAt));
                await bus.Publish(studyReceived, context => context.MessageId = message.MessageId, cancellationToken).ConfigureAwait(false);
            }

            await receptions.MarkPublishedAsync(message.MessageId, clock.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            metrics.Published(clock.GetUtcNow() - message.LastInstanceAt);
            LogPublished(message.JobId, studyReceived.StudyInstanceUid);
            published++;
        }

        return published;
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    [LoggerMessage(EventId = 4301, Level = LogLevel.Information, Message = "Job {JobId}: StudyReceived published for study {StudyInstanceUid}")]
    private partial void LogPublished(Guid jobId, string studyInstanceUid);

    [LoggerMessage(EventId = 4302, Level = LogLevel.Warning, Message = "Publishing StudyReceived failed: {Reason}; retrying")]
    private partial void LogPublishFailed(string reason);
}
