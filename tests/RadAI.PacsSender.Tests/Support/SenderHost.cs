using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RadAI.Contracts;
using RadAI.Hosting.Database;
using RadAI.Hosting.Messaging;
using RadAI.PacsSender.Delivery;
using RadAI.PacsSender.Destinations;

namespace RadAI.PacsSender.Tests.Support;

/// <summary>The pacs-sender module in a host of its own, on the in-memory bus and the test's database, as the service hosts it.</summary>
public sealed class SenderHost : IAsyncDisposable
{
    private readonly IHost _host;
    private bool _stopped;

    private SenderHost(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    public DeliveryRepository Deliveries => Services.GetRequiredService<DeliveryRepository>();

    public DestinationRepository Destinations => Services.GetRequiredService<DestinationRepository>();

    public IBus Bus => Services.GetRequiredService<IBus>();

    /// <summary>Starts the module; <paramref name="configure"/> adds test services (e.g. a publish observer).</summary>
    public static async Task<SenderHost> StartAsync(ReportStore store, Outcomes outcomes, IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var all = new Dictionary<string, string?>(store.Settings)
        {
            ["Messaging:Transport"] = "InMemory",
            ["Messaging:Retry:Limit"] = "1",
            ["Messaging:RedeliveryIntervals:0"] = "00:00:01",
            ["PacsSender:CallingAeTitle"] = "RADAI-TEST",
            ["PacsSender:PollInterval"] = "00:00:02",
            ["PacsSender:ConnectTimeout"] = "00:00:05",
            ["PacsSender:ResponseTimeout"] = "00:00:30",
            ["PacsSender:AttemptLease"] = "00:01:00",
        };
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(all);
        builder.Services.AddSingleton(outcomes);
        builder.AddRadAIDatabase();
        builder.AddRadAIMessaging(bus =>
        {
            bus.AddPacsSenderConsumers();
            bus.AddConsumer<OutcomeRecorder>();
        });
        builder.AddPacsSender();
        configure?.Invoke(builder.Services);
        var host = builder.Build();
        await host.StartAsync();
        return new SenderHost(host);
    }

    public Task PublishAsync<T>(T message)
        where T : class => Bus.Publish(message);

    /// <summary>Stops the host (as a service restart would), leaving the database and the store as they are.</summary>
    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await _host.StopAsync(TimeSpan.FromSeconds(30));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _host.Dispose();
    }
}
