using MassTransit;
using Microsoft.Extensions.Hosting;

namespace RadAI.Inference;

/// <summary>The inference service as a module: runs the model packages that fit a study and publishes AnalysisDone.</summary>
public static class InferenceModule
{
    /// <summary>Service name in telemetry and logs.</summary>
    public const string ServiceName = "inference";

    /// <summary>Registers the service's own components.</summary>
    public static IHostApplicationBuilder AddInference(this IHostApplicationBuilder builder) => builder;

    /// <summary>Registers the service's consumers on the bus.</summary>
    public static IBusRegistrationConfigurator AddInferenceConsumers(this IBusRegistrationConfigurator bus) => bus;
}
