using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using RadAI.DicomIngest.Completion;
using RadAI.DicomIngest.Erasure;
using RadAI.DicomIngest.Listening;
using RadAI.DicomIngest.Receptions;
using RadAI.DicomIngest.Senders;
using RadAI.Hosting;
using RadAI.Hosting.Database;
using RadAI.Hosting.Options;
using RadAI.Hosting.Storage;

namespace RadAI.DicomIngest;

/// <summary>The dicom-ingest service as a module: receives studies by DICOM C-STORE and publishes StudyReceived.</summary>
public static class DicomIngestModule
{
    /// <summary>Service name in telemetry and logs.</summary>
    public const string ServiceName = "dicom-ingest";

    /// <summary>Registers the SCP, the store handler, completion and the outbox publisher.</summary>
    public static IHostApplicationBuilder AddDicomIngest(this IHostApplicationBuilder builder)
    {
        builder.AddRadAIStorage();
        builder.Services.AddValidatedOptions<DicomIngestOptions>(DicomIngestOptions.SectionName);
        builder.Services.AddDatabaseMigrations("ingest", typeof(DicomIngestModule).Assembly);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IngestMetrics>();
        builder.Services.AddSingleton<ReceptionRepository>();
        builder.Services.AddSingleton<ReceptionRecovery>();
        builder.Services.AddSingleton<IngestStoreHandler>();
        builder.Services.AddSingleton<SenderRepository>();
        builder.Services.AddSingleton<SenderDirectory>();
        builder.Services.AddHostedService<SenderStartup>();
        builder.Services.AddSingleton<DicomAccounts>();
        builder.Services.AddSingleton<SenderPolicy>();
        builder.Services.AddSingleton<OutboxPublisher>();
        builder.Services.AddSingleton<ReceptionErasure>();
        builder.Services.AddSingleton<StudyCompletionService>();
        builder.Services.AddSingleton<DicomListenerService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DicomListenerService>());
        builder.Services.AddHealthChecks().AddCheck<ListeningHealthCheck>("dicom-listener", tags: [HealthTags.Ready]);
        builder.Services.AddHostedService(sp => sp.GetRequiredService<StudyCompletionService>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<OutboxPublisher>());
        return builder;
    }

    /// <summary>dicom-ingest answers the api's sender requests and deletes its rows of erased jobs (JobDataErased).</summary>
    public static IBusRegistrationConfigurator AddDicomIngestConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<SenderAdminConsumer, SenderAdminConsumerDefinition>();
        bus.AddConsumer<JobDataErasedConsumer, JobDataErasedConsumerDefinition>();
        return bus;
    }
}
