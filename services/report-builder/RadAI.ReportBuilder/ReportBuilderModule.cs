using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using RadAI.Hosting.Database;
using RadAI.Hosting.Options;
using RadAI.Hosting.Storage;
using RadAI.ReportBuilder.History;
using RadAI.ReportBuilder.Pipeline;
using RadAI.ReportBuilder.Rendering;

namespace RadAI.ReportBuilder;

/// <summary>The report-builder service as a module: writes DICOM SR, SEG and encapsulated PDF and publishes ReportReady.</summary>
public static class ReportBuilderModule
{
    /// <summary>Service name in telemetry and logs.</summary>
    public const string ServiceName = "report-builder";

    /// <summary>Registers the report history, the builders' options and the pipeline.</summary>
    public static IHostApplicationBuilder AddReportBuilder(this IHostApplicationBuilder builder)
    {
        builder.AddRadAIStorage();
        builder.Services.AddValidatedOptions<ReportOptions>(ReportOptions.SectionName);
        builder.Services.AddValidatedOptions<ReportNodeOptions>(ReportNodeOptions.SectionName);
        builder.Services.AddDatabaseMigrations("report", typeof(ReportBuilderModule).Assembly);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ReportHistory>();
        builder.Services.AddSingleton<ReportGeneration>();
        return builder;
    }

    /// <summary>Registers the service's consumers on the bus.</summary>
    public static IBusRegistrationConfigurator AddReportBuilderConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<AnalysisDoneConsumer, AnalysisDoneConsumerDefinition>();
        bus.AddConsumer<JobDataErasedConsumer, JobDataErasedConsumerDefinition>();
        return bus;
    }
}
