using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RadAI.Hosting;

namespace RadAI.Gateway;

/// <summary>The gateway as a module: YARP with RadAI's route table, and aggregated health.</summary>
public static class GatewayModule
{
    /// <summary>Service name in telemetry and logs.</summary>
    public const string ServiceName = "gateway";

    /// <summary>Name of the HttpClient that probes the services behind the gateway.</summary>
    public const string HealthClientName = "gateway-health";

    /// <summary>
    /// Adds the reverse proxy. The route table comes from configuration section <c>ReverseProxy</c>;
    /// RadAI's default table (<c>gateway.routes.json</c>) is the lowest-priority source, so any
    /// setting (e.g. <c>ReverseProxy:Clusters:api:Destinations:primary:Address</c>) overrides it.
    /// </summary>
    public static IHostApplicationBuilder AddRadAIGateway(this IHostApplicationBuilder builder)
    {
        var routes = typeof(GatewayModule).Assembly.GetManifestResourceStream("radai.gateway.routes.json")
            ?? throw new InvalidOperationException("The gateway route table is not embedded.");
        var defaults = new ConfigurationBuilder().AddJsonStream(routes).Build();
        builder.Configuration.Sources.Insert(0, new ChainedConfigurationSource { Configuration = defaults, ShouldDisposeConfiguration = true });

        builder.Services.AddReverseProxy()
            .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
            .AddTransforms(GatewaySecurity.ForwardClientAddress);
        builder.Services.AddHttpClient(HealthClientName, c => c.Timeout = TimeSpan.FromSeconds(5));
        builder.Services.AddHealthChecks().AddCheck<DownstreamHealthCheck>("downstream", tags: [HealthTags.Ready]);
        GatewaySecurity.AddGatewaySecurity(builder.Services);
        GatewayDashboard.AddGatewayDashboard(builder.Services);
        return builder;
    }

    /// <summary>Adds the protections in front of every endpoint, serves the dashboard and maps the proxied routes.</summary>
    public static WebApplication MapRadAIGateway(this WebApplication app)
    {
        GatewaySecurity.UseGatewaySecurity(app);
        GatewayDashboard.UseGatewayDashboard(app);
        app.MapReverseProxy();
        return app;
    }
}
