using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using RadAI.Hosting.Database;
using RadAI.Hosting.Options;
using RadAI.Hosting.Storage;
using RadAI.PacsSender.Delivery;
using RadAI.PacsSender.Destinations;
using RadAI.PacsSender.Pipeline;

namespace RadAI.PacsSender;

/// <summary>The pacs-sender service as a module: stores the reports back into the PACS and publishes ReportDelivered or DeliveryFailed.</summary>
public static class PacsSenderModule
{
    /// <summary>Service name in telemetry and logs.</summary>
    public const string ServiceName = "pacs-sender";

    /// <summary>Registers the destinations, the delivery state and its scheduler (call after AddRadAIDatabase and AddRadAIMessaging).</summary>
    public static IHostApplicationBuilder AddPacsSender(this IHostApplicationBuilder builder)
    {
        builder.AddRadAIStorage();
        builder.Services.AddValidatedOptions<PacsSenderOptions>(PacsSenderOptions.SectionName);
        builder.Services.AddDatabaseMigrations("pacs", typeof(PacsSenderModule).Assembly);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<DestinationRepository>();
        builder.Services.AddSingleton<DestinationConnector>();
        builder.Services.AddSingleton<DeliveryRepository>();
        builder.Services.AddSingleton<DeliveryAttempts>();
        builder.Services.AddSingleton<DeliverySignal>();
        builder.Services.AddHostedService<DestinationStartup>();
        builder.Services.AddHostedService<DeliveryScheduler>();
        return builder;
    }

    /// <summary>Registers the service's consumers on the bus.</summary>
    public static IBusRegistrationConfigurator AddPacsSenderConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<StudySenderConsumer, StudySenderConsumerDefinition>();
        bus.AddConsumer<ReportReadyConsumer, ReportReadyConsumerDefinition>();
        bus.AddConsumer<ResendReportConsumer, ResendReportConsumerDefinition>();
        bus.AddConsumer<DestinationAdminConsumer, DestinationAdminConsumerDefinition>();
        bus.AddConsumer<JobDataErasedConsumer, JobDataErasedConsumerDefinition>();
        return bus;
    }
}
