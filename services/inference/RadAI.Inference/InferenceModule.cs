using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using RadAI.Hosting;
using RadAI.Hosting.Database;
using RadAI.Hosting.Options;
using RadAI.Hosting.Storage;
using RadAI.Inference.Administration;
using RadAI.Inference.Analysis;
using RadAI.Inference.Packages;
using RadAI.Inference.Pipeline;
using RadAI.Inference.Runtime;

namespace RadAI.Inference;

/// <summary>The inference service as a module: runs the model packages that fit a study and publishes AnalysisDone.</summary>
public static class InferenceModule
{
    /// <summary>Service name in telemetry and logs.</summary>
    public const string ServiceName = "inference";

    /// <summary>Registers the catalog and its settings in the database, the runtime, the analyzers and the pipeline (call after AddRadAIDatabase).</summary>
    public static IHostApplicationBuilder AddInference(this IHostApplicationBuilder builder)
    {
        builder.AddRadAIStorage();
        builder.Services.AddValidatedOptions<InferenceOptions>(InferenceOptions.SectionName);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddDatabaseMigrations(ServiceName, typeof(InferenceModule).Assembly);
        builder.Services.AddSingleton<ModelCatalog>();
        builder.Services.AddSingleton<PackageSettingsRepository>();
        builder.Services.AddSingleton<PackageSettings>();
        builder.Services.AddHostedService<PackageSettingsStartup>();
        builder.Services.AddSingleton<OnnxSessions>();
        builder.Services.AddSingleton<ModelRunner>();
        builder.Services.AddSingleton<IAnalyzer, GenericAnalyzer>();
        builder.Services.AddSingleton<IAnalyzer, LungQuantificationAnalyzer>();
        builder.Services.AddSingleton<IAnalyzer, NoduleCandidatesAnalyzer>();
        builder.Services.AddSingleton<IAnalyzer, BrainIcvAnalyzer>();
        builder.Services.AddSingleton<IAnalyzer, ExposureQcAnalyzer>();
        builder.Services.AddSingleton<IAnalyzer, MammoDensityAnalyzer>();
        builder.Services.AddSingleton<AnalyzerRegistry>();
        builder.Services.AddSingleton<StudyAnalysis>();
        builder.Services.AddSingleton<ModelLoader>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ModelLoader>());
        builder.Services.AddHealthChecks().AddCheck<ModelLoader>("models", tags: [HealthTags.Ready]);
        return builder;
    }

    /// <summary>Registers the service's consumers on the bus.</summary>
    public static IBusRegistrationConfigurator AddInferenceConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<StudyReceivedConsumer, StudyReceivedConsumerDefinition>();
        bus.AddConsumer<ModelAdminConsumer, ModelAdminConsumerDefinition>();
        return bus;
    }
}
