using System.Collections.Concurrent;
using MassTransit;
using MassTransit.RabbitMqTransport;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;

namespace RadAI.Hosting.Messaging;

/// <summary>
/// Delayed redelivery on a plain RabbitMQ, without the delayed-message-exchange plugin (Debian's
/// broker does not ship it). A message that still fails after its immediate retries is copied, byte
/// for byte with its headers, into a durable waiting queue <c>&lt;queue&gt;_redelivery_&lt;ms&gt;ms</c>
/// whose TTL is the delay and whose dead-letter target is the original queue; the original is
/// acknowledged only once the broker confirmed the copy. One waiting queue per delay keeps expiry in
/// order. The message waits in the broker, so it survives a restart of the consumer.
/// </summary>
public sealed class RabbitMqWaitingQueues(RabbitMqConnectionProvider connections)
{
    /// <summary>
    /// AMQP header counting the broker redeliveries of a message. The body (and MassTransit's envelope
    /// headers inside it) is forwarded untouched, so the count travels in the transport headers.
    /// </summary>
    public const string RedeliveryCountHeader = "RadAI-Redelivery-Count";

    private readonly ConcurrentDictionary<string, Lazy<Task>> _declared = new(StringComparer.Ordinal);

    /// <summary>Name of the waiting queue of <paramref name="inputQueue"/> for <paramref name="delay"/>.</summary>
    public static string NameFor(string inputQueue, TimeSpan delay) =>
        $"{inputQueue}_redelivery_{Math.Max(1, (long)delay.TotalMilliseconds)}ms";

    /// <summary>Puts a copy of a delivery in the waiting queue and waits for the broker's confirm.</summary>
    public async Task ForwardAsync(string inputQueue, TimeSpan delay, IReadOnlyBasicProperties original, ReadOnlyMemory<byte> body, int redeliveryCount, CancellationToken cancellationToken)
    {
        var name = NameFor(inputQueue, delay);
        var connection = await connections.GetConnectionAsync(cancellationToken).ConfigureAwait(false);
        await EnsureDeclaredAsync(connection, name, inputQueue, delay, cancellationToken).ConfigureAwait(false);

        var properties = new BasicProperties(original)
        {
            DeliveryMode = DeliveryModes.Persistent,
            Headers = new Dictionary<string, object?>(original.Headers ?? new Dictionary<string, object?>())
            {
                [RedeliveryCountHeader] = redeliveryCount,
            },
        };
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true),
            cancellationToken).ConfigureAwait(false);
        // Default exchange, routing key = queue name; completes when the broker confirmed it (throws if nacked).
        await channel.BasicPublishAsync("", name, mandatory: true, properties, body, cancellationToken).ConfigureAwait(false);
    }

    private async Task EnsureDeclaredAsync(IConnection connection, string name, string inputQueue, TimeSpan delay, CancellationToken cancellationToken)
    {
        var declaration = _declared.GetOrAdd(name, _ => new Lazy<Task>(() => DeclareAsync(connection, name, inputQueue, delay)));
        try
        {
            await declaration.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _declared.TryRemove(name, out _);
            throw;
        }
    }

    private static async Task DeclareAsync(IConnection connection, string name, string inputQueue, TimeSpan delay)
    {
        await using var channel = await connection.CreateChannelAsync().ConfigureAwait(false);
        await channel.QueueDeclareAsync(name, durable: true, exclusive: false, autoDelete: false, arguments: new Dictionary<string, object?>
        {
            ["x-message-ttl"] = Math.Max(1, (long)delay.TotalMilliseconds),
            ["x-dead-letter-exchange"] = "",
            ["x-dead-letter-routing-key"] = inputQueue,
        }).ConfigureAwait(false);
    }
}

/// <summary>
/// Sits outside the immediate-retry filter of a RabbitMQ endpoint: when the retries are exhausted it
/// hands the message to the waiting queue of the next interval, or lets it fail to the <c>_error</c>
/// queue once every interval was used.
/// </summary>
public sealed partial class BrokerQueueRedeliveryFilter(IReadOnlyList<TimeSpan> intervals, RabbitMqWaitingQueues waitingQueues, ILogger logger) : IFilter<ConsumeContext>
{
    public async Task Send(ConsumeContext context, IPipe<ConsumeContext> next)
    {
        try
        {
            await next.Send(context).ConfigureAwait(false);
        }
        catch (Exception exception) when (!context.CancellationToken.IsCancellationRequested && context.ReceiveContext is RabbitMqBasicConsumeContext delivery)
        {
            var redelivery = context.GetBrokerRedeliveryCount();
            if (redelivery >= intervals.Count)
            {
                throw;
            }

            var inputQueue = context.ReceiveContext.InputAddress.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries)[^1];
            await waitingQueues.ForwardAsync(inputQueue, intervals[redelivery], delivery.Properties, context.ReceiveContext.Body.GetBytes(), redelivery + 1, context.CancellationToken).ConfigureAwait(false);
            LogRedelivery(inputQueue, context.MessageId, redelivery + 1, intervals.Count, intervals[redelivery], exception.GetType().Name, exception.Message);
        }
    }

    public void Probe(ProbeContext context)
    {
        var scope = context.CreateFilterScope("brokerQueueRedelivery");
        scope.Add("intervals", string.Join(",", intervals));
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning,
        Message = "{Queue}: message {MessageId} failed ({ExceptionType}: {Reason}); redelivery {Redelivery}/{Max} in {Delay}")]
    private partial void LogRedelivery(string queue, Guid? messageId, int redelivery, int max, TimeSpan delay, string exceptionType, string reason);
}

/// <summary>Reads how many times a message came back from delayed redelivery.</summary>
public static class RedeliveryCountExtensions
{
    /// <summary>
    /// 0 for a first delivery, n for the n-th delayed redelivery, whichever mechanism redelivered it
    /// (RadAI's broker waiting queues, or MassTransit's scheduler on the in-memory transport).
    /// </summary>
    public static int GetBrokerRedeliveryCount(this ConsumeContext context)
    {
        var transport = context.ReceiveContext.TransportHeaders.Get<int>(RabbitMqWaitingQueues.RedeliveryCountHeader) ?? 0;
        return Math.Max(transport, context.GetRedeliveryCount());
    }
}
