using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RadAI.Contracts;

namespace RadAI.PacsSender.Delivery;

/// <summary>
/// Sends the due deliveries. The schedule is the database (<c>pacs_deliveries.next_attempt_at</c>), not the broker nor
/// memory: a restart of the service or of the broker loses no retry. Each turn takes the due deliveries (a few at a time,
/// one association each), then waits until the next one is due, a wake-up (new work), or the poll interval. The outcomes
/// are published from the outbox by a loop of their own: a publish waits while the broker is unreachable, and reports
/// must still reach the PACS meanwhile.
/// </summary>
public sealed partial class DeliveryScheduler(
    DeliveryRepository deliveries,
    DeliveryAttempts attempts,
    DeliverySignal signal,
    IBus bus,
    IOptions<PacsSenderOptions> options,
    TimeProvider time,
    ILogger<DeliveryScheduler> logger) : BackgroundService
{
    private static readonly TimeSpan ErrorPause = TimeSpan.FromSeconds(5);

    /// <summary>Wakes the outbox loop when attempts recorded outcomes.</summary>
    private readonly DeliverySignal _outcomesRecorded = new();

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(DeliverAsync(stoppingToken), PublishOutcomesAsync(stoppingToken));

    private async Task DeliverAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                var now = time.GetUtcNow();
                var claimed = await deliveries.ClaimDueAsync(now, now + settings.AttemptLease, settings.MaxConcurrentDeliveries, stoppingToken).ConfigureAwait(false);
                if (claimed.Count > 0)
                {
                    await Task.WhenAll(claimed.Select(c => RunAsync(c, stoppingToken))).ConfigureAwait(false);
                    _outcomesRecorded.Wake();
                    continue;
                }

                var next = await deliveries.NextDueAsync(stoppingToken).ConfigureAwait(false);
                wait = next is { } due ? Clamp(due - time.GetUtcNow(), settings.PollInterval) : settings.PollInterval;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogTurnFailed(e);
                wait = ErrorWait(settings);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (wait > TimeSpan.Zero)
            {
                await WaitAsync(signal, wait, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Publishes the outbox at start (outcomes a stop left unpublished), after each batch of attempts, and at each poll.</summary>
    private async Task PublishOutcomesAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = settings.PollInterval;
            try
            {
                await PublishOutboxAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogPublishFailed(e);
                wait = ErrorWait(settings);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            await WaitAsync(_outcomesRecorded, wait, stoppingToken).ConfigureAwait(false);
        }
    }

    private static TimeSpan ErrorWait(PacsSenderOptions settings) => settings.PollInterval < ErrorPause ? settings.PollInterval : ErrorPause;

    /// <summary>Publishes the outcome events not yet published, each with its deterministic message id.</summary>
    public async Task PublishOutboxAsync(CancellationToken cancellationToken)
    {
        foreach (var message in await deliveries.UnpublishedAsync(100, cancellationToken).ConfigureAwait(false))
        {
            var outcome = DeliveryOutcomes.FromOutbox(message);
            await (outcome switch
            {
                ReportDelivered delivered => bus.Publish(delivered, c => c.MessageId = message.MessageId, cancellationToken),
                DeliveryFailed failed => bus.Publish(failed, c => c.MessageId = message.MessageId, cancellationToken),
                _ => throw new InvalidOperationException($"Unexpected outcome {outcome.GetType().Name}."),
            }).ConfigureAwait(false);
            await deliveries.MarkPublishedAsync(message.MessageId, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            LogPublished(message.JobId, message.MessageType, message.MessageId);
        }
    }

    private async Task RunAsync(ClaimedAttempt attempt, CancellationToken cancellationToken)
    {
        try
        {
            await attempts.RunAsync(attempt, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // The attempt keeps its lease: it is taken again when the lease ends.
            LogAttemptFailed(attempt.JobId, attempt.DestinationAe, attempt.Attempt, e);
        }
        catch (OperationCanceledException)
        {
            // Stopping: the interrupted attempt is given back, due at once for the next start.
            await deliveries.ReleaseAsync(attempt, time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
            LogReleased(attempt.JobId, attempt.DestinationAe, attempt.Attempt);
            throw;
        }
    }

    [LoggerMessage(EventId = 7423, Level = LogLevel.Information, Message = "Job {JobId} to {DestinationAe}: attempt {Attempt} interrupted by the shutdown, given back")]
    private partial void LogReleased(Guid jobId, string destinationAe, long attempt);

    private static TimeSpan Clamp(TimeSpan value, TimeSpan max) => value < TimeSpan.Zero ? TimeSpan.Zero : value > max ? max : value;

    /// <summary>Waits for <paramref name="wait"/> or a wake-up of <paramref name="wakeUp"/>, whichever comes first.</summary>
    private async Task WaitAsync(DeliverySignal wakeUp, TimeSpan wait, CancellationToken stoppingToken)
    {
        using var either = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var delay = Task.Delay(wait, time, either.Token);
        var woken = wakeUp.WaitAsync(either.Token);
        await Task.WhenAny(delay, woken).ConfigureAwait(false);
        await either.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(delay, woken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The other of the two, cancelled.
        }
    }

    [LoggerMessage(EventId = 7420, Level = LogLevel.Information, Message = "Job {JobId}: {EventType} published (message {MessageId})")]
    private partial void LogPublished(Guid jobId, string eventType, Guid messageId);

    [LoggerMessage(EventId = 7421, Level = LogLevel.Error, Message = "Delivery scheduler turn failed; retrying shortly")]
    private partial void LogTurnFailed(Exception exception);

    [LoggerMessage(EventId = 7424, Level = LogLevel.Error, Message = "Publishing the delivery outcomes failed; retrying shortly")]
    private partial void LogPublishFailed(Exception exception);

    [LoggerMessage(EventId = 7422, Level = LogLevel.Error, Message = "Job {JobId} to {DestinationAe}: attempt {Attempt} could not be recorded; it is taken again when its lease ends")]
    private partial void LogAttemptFailed(Guid jobId, string destinationAe, long attempt, Exception exception);
}
