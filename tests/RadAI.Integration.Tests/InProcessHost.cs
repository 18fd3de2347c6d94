using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RadAI.Hosting;
using RadAI.Hosting.Messaging;

namespace RadAI.Integration.Tests;

/// <summary>
/// A host built in the test process with the same wiring the services use (service defaults and
/// messaging), for publishing events and for consumers the test controls.
/// </summary>
internal static class InProcessHost
{
    public static async Task<IHost> StartAsync(
        string serviceName,
        IReadOnlyDictionary<string, string?> settings,
        Action<IBusRegistrationConfigurator>? consumers = null,
        Action<IServiceCollection>? services = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Production" });
        builder.Configuration.AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key.Replace("__", ":", StringComparison.Ordinal), s.Value)));
        builder.AddServiceDefaults(serviceName);
        builder.AddRadAIMessaging(consumers);
        services?.Invoke(builder.Services);
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }
}
