using MassTransit;
using RadAI.Contracts;

namespace RadAI.PacsSender.Tests.Support;

/// <summary>
/// Holds every publish of a delivery outcome (ReportDelivered, DeliveryFailed) until opened: what a publish does while the
/// broker is unreachable (MassTransit waits for the connection). Other messages pass.
/// </summary>
public sealed class OutcomePublishGate : IPublishObserver
{
    private readonly TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _held;

    /// <summary>How many outcome publishes have waited at the gate.</summary>
    public int Held => Volatile.Read(ref _held);

    public void Open() => _opened.TrySetResult();

    public async Task PrePublish<T>(PublishContext<T> context)
        where T : class
    {
        if (context.Message is ReportDelivered or DeliveryFailed)
        {
            Interlocked.Increment(ref _held);
            await _opened.Task.WaitAsync(context.CancellationToken).ConfigureAwait(false);
        }
    }

    public Task PostPublish<T>(PublishContext<T> context)
        where T : class => Task.CompletedTask;

    public Task PublishFault<T>(PublishContext<T> context, Exception exception)
        where T : class => Task.CompletedTask;
}
