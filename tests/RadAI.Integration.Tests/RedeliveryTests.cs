using System.Collections.Concurrent;
using System.Globalization;
using MassTransit;
using RadAI.Hosting.Messaging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RadAI.Testing;
using Xunit;

namespace RadAI.Integration.Tests;

/// <summary>A message the probe consumer fails on, as told.</summary>
/// <param name="ProbeId">Identifies one test's message.</param>
/// <param name="SucceedAtRedelivery">The redelivery from which it succeeds; -1 never.</param>
public sealed record RedeliveryProbe(Guid ProbeId, int SucceedAtRedelivery);

/// <summary>Fails on purpose and records every attempt it saw.</summary>
public sealed class RedeliveryProbeConsumer : IConsumer<RedeliveryProbe>
{
    public static ConcurrentDictionary<Guid, ConcurrentQueue<(int Redelivery, DateTime At)>> Attempts { get; } = new();

    public Task Consume(ConsumeContext<RedeliveryProbe> context)
    {
        var redelivery = context.GetBrokerRedeliveryCount();
        Attempts.GetOrAdd(context.Message.ProbeId, _ => new()).Enqueue((redelivery, DateTime.UtcNow));
        if (context.Message.SucceedAtRedelivery < 0 || redelivery < context.Message.SucceedAtRedelivery)
        {
            throw new InvalidOperationException($"probe failure at redelivery {redelivery}");
        }

        return Task.CompletedTask;
    }
}

/// <summary>Immediate retries, then delayed redelivery through the broker, then the error queue — on the real RabbitMQ.</summary>
public sealed class RedeliveryTests : IAsyncLifetime
{
    private const string Queue = "redelivery-probe";
    private RabbitMqTestVirtualHost _broker = null!;
    private IHost _host = null!;

    public async Task InitializeAsync()
    {
        _broker = await RabbitMqTestVirtualHost.CreateAsync();
        var settings = new Dictionary<string, string?>(_broker.Settings)
        {
            ["Messaging__Retry__Limit"] = "1",
            ["Messaging__Retry__MinInterval"] = "00:00:00.010",
            ["Messaging__Retry__MaxInterval"] = "00:00:00.010",
            ["Messaging__RedeliveryIntervals__0"] = "00:00:01",
            ["Messaging__RedeliveryIntervals__1"] = "00:00:02",
        };
        _host = await InProcessHost.StartAsync("redelivery-test", settings, bus => bus.AddConsumer<RedeliveryProbeConsumer>());
    }

    public async Task DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        await _broker.DisposeAsync();
    }

    [Fact]
    public async Task A_failing_message_is_retried_then_redelivered_later_through_a_waiting_queue()
    {
        var probe = new RedeliveryProbe(Guid.NewGuid(), SucceedAtRedelivery: 1);

        await _host.Services.GetRequiredService<IPublishEndpoint>().Publish(probe);

        await Eventually.UntilAsync(() => Task.FromResult(Attempts(probe).Count == 3), TimeSpan.FromSeconds(30), "three attempts");
        var attempts = Attempts(probe);
        // One try plus one immediate retry, then the redelivery that succeeds.
        Assert.Equal([0, 0, 1], attempts.Select(a => a.Redelivery));
        Assert.True(attempts[2].At - attempts[1].At >= TimeSpan.FromSeconds(0.9), "redelivered before its delay");

        var waiting = await _broker.GetQueueAsync($"{Queue}_redelivery_1000ms");
        Assert.NotNull(waiting);
        Assert.Equal(1000, waiting.Arguments!["x-message-ttl"].GetInt32());
        Assert.Equal(Queue, waiting.Arguments["x-dead-letter-routing-key"].GetString());
    }

    [Fact]
    public async Task A_message_that_keeps_failing_ends_in_the_error_queue()
    {
        var probe = new RedeliveryProbe(Guid.NewGuid(), SucceedAtRedelivery: -1);

        await _host.Services.GetRequiredService<IPublishEndpoint>().Publish(probe);

        await Eventually.UntilAsync(async () => (await _broker.GetQueueAsync($"{Queue}_error"))?.Messages == 1, TimeSpan.FromSeconds(60), "the message in the error queue");
        Assert.Equal([0, 0, 1, 1, 2, 2], Attempts(probe).Select(a => a.Redelivery));
    }

    private static List<(int Redelivery, DateTime At)> Attempts(RedeliveryProbe probe) =>
        RedeliveryProbeConsumer.Attempts.TryGetValue(probe.ProbeId, out var attempts) ? [.. attempts] : [];
}

/// <summary>The same policy on the standalone host's in-memory bus.</summary>
public sealed class InMemoryRedeliveryTests
{
    [Fact]
    public async Task A_failing_message_is_retried_then_redelivered_later()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Messaging__Transport"] = "InMemory",
            ["Messaging__Retry__Limit"] = "1",
            ["Messaging__Retry__MinInterval"] = "00:00:00.010",
            ["Messaging__Retry__MaxInterval"] = "00:00:00.010",
            ["Messaging__RedeliveryIntervals__0"] = "00:00:01",
        };
        using var host = await InProcessHost.StartAsync("redelivery-test", settings, bus => bus.AddConsumer<RedeliveryProbeConsumer>());
        var probe = new RedeliveryProbe(Guid.NewGuid(), SucceedAtRedelivery: 1);

        await host.Services.GetRequiredService<IPublishEndpoint>().Publish(probe);

        await Eventually.UntilAsync(
            () => Task.FromResult(RedeliveryProbeConsumer.Attempts.TryGetValue(probe.ProbeId, out var a) && a.Count == 3),
            TimeSpan.FromSeconds(30), "three attempts");
        var attempts = RedeliveryProbeConsumer.Attempts[probe.ProbeId].ToList();
        Assert.Equal([0, 0, 1], attempts.Select(a => a.Redelivery));
        Assert.True(attempts[2].At - attempts[1].At >= TimeSpan.FromSeconds(0.9), "redelivered before its delay");
        await host.StopAsync();
    }
}
