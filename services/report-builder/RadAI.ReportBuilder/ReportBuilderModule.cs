using MassTransit;
using Microsoft.Extensions.Hosting;

namespace RadAI.ReportBuilder;

/// <summary>The report-builder service as a module: writes DICOM SR, SEG and encapsulated PDF and publishes ReportReady.</summary>
public static class ReportBuilderModule
{
    /// <summary>Service name in telemetry and logs.</summary>
    public const string ServiceName = "report-builder";

    /// <summary>Registers the service's own components.</summary>
    public static IHostApplicationBuilder AddReportBuilder(this IHostApplicationBuilder builder) => builder;

    /// <summary>Registers the service's consumers on the bus.</summary>
    public static IBusRegistrationConfigurator AddReportBuilderConsumers(this IBusRegistrationConfigurator bus) => bus;
}
