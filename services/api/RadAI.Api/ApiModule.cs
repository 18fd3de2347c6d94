using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using RadAI.Api.Apis;
using RadAI.Api.DataLifecycle;
using RadAI.Api.Jobs;
using RadAI.Api.OpenApi;
using RadAI.Api.Security;
using RadAI.Api.Statistics;
using RadAI.Hosting.Database;
using RadAI.Hosting.Options;
using RadAI.Hosting.Storage;

namespace RadAI.Api;

/// <summary>The api service as a module: its services, its consumers, its endpoints.</summary>
public static class ApiModule
{
    /// <summary>Service name in telemetry and logs.</summary>
    public const string ServiceName = "api";

    /// <summary>Registers the api's services and migrations, authentication, role policies and the audit log.</summary>
    public static IHostApplicationBuilder AddApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddDatabaseMigrations(ServiceName, typeof(ApiModule).Assembly);
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = ApiProblems.Customize);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<JobRepository>();
        builder.Services.AddSingleton<JobChangeNotifier>();
        builder.Services.AddValidatedOptions<JobsApiOptions>(JobsApiOptions.SectionName);
        builder.Services.AddSingleton<LabelMapCache>();
        builder.Services.AddSingleton<JobStatisticsQuery>();
        builder.Services.AddApiDocument();
        builder.AddApiSecurity();

        // The shared stores: downloads and rerun read them, retention and erasure delete files in them.
        builder.AddRadAIStorage();
        builder.Services.AddValidatedOptions<RetentionOptions>(RetentionOptions.SectionName);
        builder.Services.AddSingleton<JobDataEraser>();
        builder.Services.AddSingleton<RetentionService>();
        builder.Services.AddHostedService(services => services.GetRequiredService<RetentionService>());
        return builder;
    }

    /// <summary>Registers the api's consumers on the bus.</summary>
    public static IBusRegistrationConfigurator AddApiConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<JobEventsConsumer, JobEventsConsumerDefinition>();
        return bus;
    }

    /// <summary>
    /// Maps the REST endpoints under <c>/api</c> on a host, with the middleware that turns the empty error answers of
    /// ASP.NET Core (a body or value that cannot be read, an unmapped path) into problem details (<see cref="ApiProblems"/>).
    /// </summary>
    public static WebApplication MapApi(this WebApplication app)
    {
        app.UseStatusCodePages();
        ((IEndpointRouteBuilder)app).MapApi();
        return app;
    }

    /// <summary>Maps the REST endpoints under <c>/api</c>.</summary>
    public static IEndpointRouteBuilder MapApi(this IEndpointRouteBuilder routes)
    {
        routes.MapSystemApi();
        routes.MapJobsApi();
        routes.MapJobActionsApi();
        routes.MapViewerApi();
        routes.MapAuthApi();
        routes.MapUsersApi();
        routes.MapApiKeysApi();
        routes.MapAuditApi();
        routes.MapDataLifecycleApi();
        routes.MapStatisticsApi();
        routes.MapDestinationsApi();
        routes.MapSendersApi();
        routes.MapModelsApi();
        routes.MapApiDocument();
        return routes;
    }
}
