using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RadAI.Hosting;
using RadAI.Hosting.Messaging;
using RadAI.Testing;

namespace RadAI.Ingest.Tests.Support;

/// <summary>
/// A bus in the test process on a test virtual host, wired as the services wire theirs (no consumer): sends the requests
/// the api sends (request/response over the real RabbitMQ) to a service running as a process.
/// </summary>
public sealed class BusClient : IAsyncDisposable
{
    private readonly IHost _host;

    private BusClient(IHost host) => _host = host;

    /// <summary>The bus, for request clients.</summary>
    public IBus Bus => _host.Services.GetRequiredService<IBus>();

    /// <summary>Starts the bus on <paramref name="broker"/>.</summary>
    public static async Task<BusClient> StartAsync(RabbitMqTestVirtualHost broker, string name = "tests-bus-client")
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Production" });
        builder.Configuration.AddInMemoryCollection(broker.Settings.Select(s => KeyValuePair.Create(s.Key.Replace("__", ":", StringComparison.Ordinal), s.Value)));
        builder.Configuration.AddInMemoryCollection([KeyValuePair.Create<string, string?>("Logging:LogLevel:Default", "Warning")]);
        builder.AddServiceDefaults(name);
        builder.AddRadAIMessaging();
        var host = builder.Build();
        await host.StartAsync();
        return new BusClient(host);
    }

    /// <summary>Sends a request and waits for one of two answers.</summary>
    public Task<Response<T1, T2>> RequestAsync<TRequest, T1, T2>(TRequest request, TimeSpan? timeout = null)
        where TRequest : class
        where T1 : class
        where T2 : class =>
        Bus.CreateRequestClient<TRequest>(RequestTimeout.After(s: (int)(timeout ?? TimeSpan.FromSeconds(30)).TotalSeconds)).GetResponse<T1, T2>(request);

    /// <summary>
    /// Waits until the service answers a request: its receive endpoint is bound only once its bus has started, and a
    /// request published before that reaches no queue.
    /// </summary>
    public Task<Response<T>> FirstAnswerAsync<TRequest, T>(Func<TRequest> request, TimeSpan timeout)
        where TRequest : class
        where T : class =>
        Eventually.ValueAsync<Response<T>>(async () =>
        {
            try
            {
                return await Bus.CreateRequestClient<TRequest>(RequestTimeout.After(s: 3)).GetResponse<T>(request());
            }
            catch (RequestTimeoutException)
            {
                return null;
            }
        }, timeout, $"an answer to {typeof(TRequest).Name}");

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
