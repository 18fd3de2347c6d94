using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using RadAI.Hosting.Health;

namespace RadAI.Hosting;

/// <summary>What every RadAI host gets: telemetry, health endpoints, problem details, structured logs.</summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>Prefix of every RadAI ActivitySource and Meter; all of them are collected.</summary>
    public const string TelemetryPrefix = "RadAI.";

    /// <summary>
    /// Adds OpenTelemetry traces, metrics and logs (OTLP exporter when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>
    /// is set), the liveness check, problem details and JSON console logs (unless configured otherwise).
    /// </summary>
    /// <param name="builder">The host's builder.</param>
    /// <param name="serviceName">The service's name in telemetry and logs.</param>
    /// <param name="telemetry">
    /// False for a second web application in a process that already has one with telemetry (the standalone host's
    /// gateway): OpenTelemetry's providers see every activity and metric of the process, so a second set would export
    /// each span and measurement twice.
    /// </param>
    public static IHostApplicationBuilder AddServiceDefaults(this IHostApplicationBuilder builder, string serviceName, bool telemetry = true)
    {
        var identity = ServiceIdentity.For(serviceName);
        builder.Services.AddSingleton(identity);

        if (string.IsNullOrEmpty(builder.Configuration["Logging:Console:FormatterName"]))
        {
            // One JSON object per line: what log collectors parse without guessing.
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z' ";
            });
        }

        if (telemetry)
        {
            builder.ConfigureOpenTelemetry(identity);
        }

        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), tags: [HealthTags.Live]);
        builder.Services.AddProblemDetails();
        return builder;
    }

    private static void ConfigureOpenTelemetry(this IHostApplicationBuilder builder, ServiceIdentity identity)
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(identity.Name, serviceNamespace: "radai", serviceVersion: identity.Version))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter("MassTransit")
                .AddMeter(TelemetryPrefix + "*"))
            .WithTracing(tracing => tracing
                .AddSource("MassTransit")
                .AddSource("Npgsql")
                .AddSource(TelemetryPrefix + "*")
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsHealthRequest(context.Request.Path))
                .AddHttpClientInstrumentation(o => o.FilterHttpRequestMessage = request => !IsHealthRequest(request.RequestUri?.AbsolutePath)));

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            telemetry.UseOtlpExporter();
        }
    }

    private static bool IsHealthRequest(PathString path) => path.StartsWithSegments("/health");

    private static bool IsHealthRequest(string? path) => path?.StartsWith("/health", StringComparison.Ordinal) == true;

    /// <summary>
    /// Maps <c>/health/live</c> (the process answers) and <c>/health/ready</c> (its dependencies
    /// answer), always: Kubernetes probes need them in production too. Both answer JSON.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(HealthTags.Live),
            ResponseWriter = HealthResponseWriter.WriteAsync,
        }).DisableHttpMetrics();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(HealthTags.Ready),
            ResponseWriter = HealthResponseWriter.WriteAsync,
        }).DisableHttpMetrics();
        return app;
    }
}
