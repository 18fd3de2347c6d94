using MassTransit;
using Microsoft.Extensions.Hosting;

namespace RadAI.PacsSender;

/// <summary>The pacs-sender service as a module: stores the reports back into the PACS and publishes ReportDelivered.</summary>
public static class PacsSenderModule
{
    /// <summary>Service name in telemetry and logs.</summary>
    public const string ServiceName = "pacs-sender";

    /// <summary>Registers the service's own components.</summary>
    public static IHostApplicationBuilder AddPacsSender(this IHostApplicationBuilder builder) => builder;

    /// <summary>Registers the service's consumers on the bus.</summary>
    public static IBusRegistrationConfigurator AddPacsSenderConsumers(this IBusRegistrationConfigurator bus) => bus;
}
