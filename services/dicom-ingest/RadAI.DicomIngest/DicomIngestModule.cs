using MassTransit;
using Microsoft.Extensions.Hosting;

namespace RadAI.DicomIngest;

/// <summary>The dicom-ingest service as a module: receives studies by DICOM C-STORE and publishes StudyReceived.</summary>
public static class DicomIngestModule
{
    /// <summary>Service name in telemetry and logs.</summary>
    public const string ServiceName = "dicom-ingest";

    /// <summary>Registers the service's own components.</summary>
    public static IHostApplicationBuilder AddDicomIngest(this IHostApplicationBuilder builder) => builder;

    /// <summary>Registers the service's consumers on the bus.</summary>
    public static IBusRegistrationConfigurator AddDicomIngestConsumers(this IBusRegistrationConfigurator bus) => bus;
}
