using System.Collections.Concurrent;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RadAI.Contracts;
using RadAI.Hosting;
using RadAI.Hosting.Messaging;
using RadAI.Testing;

namespace RadAI.Ingest.Tests.Support;

/// <summary>One StudyReceived as a consumer saw it: the broker message id (the consumer's dedup key) and the event.</summary>
public sealed record ReceivedEvent(Guid? MessageId, StudyReceived Message);

/// <summary>
/// A consumer of StudyReceived in the test process, on the same virtual host as the ingest process and
/// with the same wiring the services use: records every delivery, duplicates included.
/// </summary>
public sealed class StudyReceivedRecorder : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly ConcurrentQueue<ReceivedEvent> _events;

    private StudyReceivedRecorder(IHost host, ConcurrentQueue<ReceivedEvent> events)
    {
        _host = host;
        _events = events;
    }

    /// <summary>Every delivery so far, in arrival order.</summary>
    public IReadOnlyList<ReceivedEvent> Events => [.. _events];

    /// <summary>Deliveries for one study.</summary>
    public IReadOnlyList<ReceivedEvent> ForStudy(string studyInstanceUid) => [.. _events.Where(e => e.Message.StudyInstanceUid == studyInstanceUid)];

    /// <summary>Deliveries for one job.</summary>
    public IReadOnlyList<ReceivedEvent> ForJob(Guid jobId) => [.. _events.Where(e => e.Message.JobId == jobId)];

    /// <summary>Starts the consumer host; its queue is bound when this returns (nothing published later is missed).</summary>
    public static async Task<StudyReceivedRecorder> StartAsync(RabbitMqTestVirtualHost broker)
    {
        var events = new ConcurrentQueue<ReceivedEvent>();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Production" });
        builder.Configuration.AddInMemoryCollection(broker.Settings.Select(s => KeyValuePair.Create(s.Key.Replace("__", ":", StringComparison.Ordinal), s.Value)));
        builder.Configuration.AddInMemoryCollection([KeyValuePair.Create<string, string?>("Logging:LogLevel:Default", "Warning")]);
        builder.AddServiceDefaults("ingest-tests-consumer");
        builder.Services.AddSingleton(events);
        builder.AddRadAIMessaging(bus => bus.AddConsumer<RecordingConsumer>());
        var host = builder.Build();
        await host.StartAsync();
        return new StudyReceivedRecorder(host, events);
    }

    /// <summary>Waits until at least <paramref name="count"/> deliveries for the study arrived.</summary>
    public async Task<IReadOnlyList<ReceivedEvent>> WaitForStudyAsync(string studyInstanceUid, int count = 1, TimeSpan? timeout = null)
    {
        await Eventually.UntilAsync(() => Task.FromResult(ForStudy(studyInstanceUid).Count >= count), timeout ?? TimeSpan.FromSeconds(60),
            $"{count} StudyReceived for study {studyInstanceUid} (seen: {ForStudy(studyInstanceUid).Count})");
        return ForStudy(studyInstanceUid);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }

    /// <summary>The consumer: records, never fails.</summary>
    public sealed class RecordingConsumer(ConcurrentQueue<ReceivedEvent> events) : IConsumer<StudyReceived>
    {
        public Task Consume(ConsumeContext<StudyReceived> context)
        {
            events.Enqueue(new ReceivedEvent(context.MessageId, context.Message));
            return Task.CompletedTask;
        }
    }
}
