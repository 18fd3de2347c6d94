using System.Collections.Concurrent;
using MassTransit;
using MassTransit.Serialization;
using RabbitMQ.Client;

namespace RadAI.Hosting.Messaging;

/// <summary>
/// Delayed redelivery on a plain RabbitMQ, without the delayed-message-exchange plugin (Debian's
/// broker does not ship it): a failed message is forwarded to a durable waiting queue
/// <c>&lt;queue&gt;_redelivery_&lt;ms&gt;ms</c> whose TTL is the delay and whose dead-letter target is the
/// original queue. One waiting queue per delay keeps expiry in order. The message waits in the
/// broker, so it survives a restart of the consumer.
/// </summary>
public sealed class RabbitMqWaitingQueues(RabbitMqConnectionProvider connections)
{
    private readonly ConcurrentDictionary<string, Lazy<Task>> _declared = new(StringComparer.Ordinal);

    /// <summary>Declares (once per process) the waiting queue of <paramref name="inputQueue"/> for <paramref name="delay"/>.</summary>
    public async Task<Uri> EnsureAsync(string inputQueue, TimeSpan delay, CancellationToken cancellationToken)
    {
        var delayMs = Math.Max(1, (long)delay.TotalMilliseconds);
        var name = $"{inputQueue}_redelivery_{delayMs}ms";
        var declaration = _declared.GetOrAdd(name, _ => new Lazy<Task>(() => DeclareAsync(name, inputQueue, delayMs)));
        try
        {
            await declaration.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _declared.TryRemove(name, out _);
            throw;
        }

        return new Uri($"exchange:{name}");
    }

    private async Task DeclareAsync(string name, string inputQueue, long delayMs)
    {
        var connection = await connections.GetConnectionAsync(CancellationToken.None).ConfigureAwait(false);
        await using var channel = await connection.CreateChannelAsync().ConfigureAwait(false);
        // MassTransit declares "exchange:<name>" as a durable fanout: declare it the same way.
        await channel.ExchangeDeclareAsync(name, ExchangeType.Fanout, durable: true, autoDelete: false).ConfigureAwait(false);
        await channel.QueueDeclareAsync(name, durable: true, exclusive: false, autoDelete: false, arguments: new Dictionary<string, object?>
        {
            ["x-message-ttl"] = delayMs,
            ["x-dead-letter-exchange"] = "",
            ["x-dead-letter-routing-key"] = inputQueue,
        }).ConfigureAwait(false);
        await channel.QueueBindAsync(name, name, routingKey: "").ConfigureAwait(false);
    }
}

/// <summary>Puts the broker-queue redelivery context on every consumed message of a RabbitMQ endpoint.</summary>
public sealed class BrokerQueueRedeliveryFilter<TMessage>(RabbitMqWaitingQueues waitingQueues) : IFilter<ConsumeContext<TMessage>>
    where TMessage : class
{
    public Task Send(ConsumeContext<TMessage> context, IPipe<ConsumeContext<TMessage>> next)
    {
        // Added before MassTransit's redelivery filter asks for one, so ours is the one it uses.
        context.GetOrAddPayload<MessageRedeliveryContext>(() => new BrokerQueueRedeliveryContext<TMessage>(context, waitingQueues));
        return next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("brokerQueueRedelivery");
}

internal sealed class BrokerQueueRedeliveryContext<TMessage>(ConsumeContext<TMessage> context, RabbitMqWaitingQueues waitingQueues)
    : MessageRedeliveryContext
    where TMessage : class
{
    public async Task ScheduleRedelivery(TimeSpan delay, Action<ConsumeContext, SendContext>? callback)
    {
        var inputQueue = context.ReceiveContext.InputAddress.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries)[^1];
        var address = await waitingQueues.EnsureAsync(inputQueue, delay, context.CancellationToken).ConfigureAwait(false);
        var endpoint = await context.GetSendEndpoint(address).ConfigureAwait(false);

        var pipe = Pipe.Execute<SendContext<TMessage>>(sendContext =>
        {
            sendContext.ApplyRedeliveryOptions(context, RedeliveryOptions.None);
            callback?.Invoke(context, sendContext);
        });

        await endpoint.Send(context.Message, new ForwardMessagePipe<TMessage>(context, pipe), context.CancellationToken).ConfigureAwait(false);
    }
}
