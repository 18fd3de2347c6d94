using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.Options;
using RadAI.Api;
using RadAI.DicomIngest;
using RadAI.DicomIngest.Listening;
using RadAI.Gateway;
using RadAI.Hosting;
using RadAI.Hosting.Database;
using RadAI.Hosting.Messaging;
using RadAI.Hosting.Options;
using RadAI.Inference;
using RadAI.PacsSender;
using RadAI.ReportBuilder;

namespace RadAI.Standalone;

/// <summary>
/// Two web applications in one process: the services (the five modules on the in-memory bus and
/// SQLite, HTTP on a private loopback port) and the gateway in front of them (the public port),
/// so that the standalone node routes requests exactly as a deployment does.
/// </summary>
public sealed class StandaloneHost : IAsyncDisposable
{
    private readonly WebApplication _services;
    private readonly WebApplication _gateway;

    private StandaloneHost(WebApplication services, WebApplication gateway, Uri httpAddress, Uri? httpsAddress, string dataDirectory)
    {
        _services = services;
        _gateway = gateway;
        HttpAddress = httpAddress;
        HttpsAddress = httpsAddress;
        DataDirectory = dataDirectory;
    }

    /// <summary>Where the dashboard and API answer: the HTTPS entry when a certificate is configured, else the HTTP one.</summary>
    public Uri WebAddress => HttpsAddress ?? HttpAddress;

    /// <summary>The plain HTTP entry (with a certificate it redirects to HTTPS, but for the health endpoints).</summary>
    public Uri HttpAddress { get; }

    /// <summary>The HTTPS entry; null without a certificate.</summary>
    public Uri? HttpsAddress { get; }

    /// <summary>The absolute data folder.</summary>
    public string DataDirectory { get; }

    /// <summary>The DICOM AE title and port receiving studies.</summary>
    public (string AeTitle, int Port) Dicom
    {
        get
        {
            var listener = _services.Services.GetRequiredService<DicomListenerService>();
            var options = _services.Services.GetRequiredService<IOptions<DicomIngestOptions>>().Value;
            return (options.AeTitle, listener.LocalEndPoint?.Port ?? options.Port);
        }
    }

    /// <summary>False on standby: another node on the same data folder receives the studies (one dicom-ingest listens per database).</summary>
    public bool DicomListening => _services.Services.GetRequiredService<DicomListenerService>().IsListening;

    /// <summary>Builds and starts both applications.</summary>
    public static async Task<StandaloneHost> StartAsync(string[] args, CancellationToken cancellationToken = default)
    {
        args = StandaloneOptions.ExpandArguments(args);
        var settings = ReadSettings(args);
        var dataDirectory = Path.GetFullPath(settings.DataDirectory);
        Directory.CreateDirectory(dataDirectory);

        var services = BuildServices(args, dataDirectory);
        await services.StartAsync(cancellationToken).ConfigureAwait(false);
        var servicesAddress = services.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();

        var gateway = BuildGateway(args, settings, servicesAddress, dataDirectory);
        try
        {
            await gateway.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await services.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await services.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var addresses = gateway.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses
            .Select(a => new Uri(a)).ToList();
        var httpAddress = addresses.First(a => a.Scheme == Uri.UriSchemeHttp);
        var httpsAddress = addresses.FirstOrDefault(a => a.Scheme == Uri.UriSchemeHttps);
        return new StandaloneHost(services, gateway, httpAddress, httpsAddress, dataDirectory);
    }

    /// <summary>Runs until Ctrl+C or SIGTERM, then stops the gateway first and the services last.</summary>
    public async Task WaitForShutdownAsync()
    {
        await _gateway.WaitForShutdownAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _gateway.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _services.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _gateway.DisposeAsync().ConfigureAwait(false);
        await _services.DisposeAsync().ConfigureAwait(false);
    }

    private static StandaloneOptions ReadSettings(string[] args)
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(args, StandaloneOptions.SwitchMappings())
            .Build();
        var settings = new StandaloneOptions();
        configuration.GetSection(StandaloneOptions.SectionName).Bind(settings);
        var validation = new DataAnnotationsPathValidator<StandaloneOptions>(StandaloneOptions.SectionName).Validate(null, settings);
        if (validation.Failed)
        {
            throw new OptionsValidationException(StandaloneOptions.SectionName, typeof(StandaloneOptions), validation.Failures);
        }

        var tls = configuration.GetSection($"{GatewayOptions.SectionName}:Tls").Get<GatewayTlsOptions>() ?? new GatewayTlsOptions();
        if (settings.HttpsPort is not null && !tls.Enabled)
        {
            throw new OptionsValidationException(StandaloneOptions.SectionName, typeof(StandaloneOptions),
                [$"{StandaloneOptions.SectionName}:{nameof(StandaloneOptions.HttpsPort)}: HTTPS needs a certificate: set Gateway:Tls:CertificateFile and "
                + "Gateway:Tls:KeyFile (--tls-cert, --tls-key), or Gateway:Tls:PfxFile (--tls-pfx, with --tls-pfx-password-file)."]);
        }

        if (tls.Enabled)
        {
            settings.HttpsPort ??= StandaloneOptions.DefaultHttpsPort;
        }

        return settings;
    }

    private static WebApplication BuildServices(string[] args, string dataDirectory)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddCommandLine(args, StandaloneOptions.SwitchMappings());
        // Embedded defaults: no broker, no database server. Explicit settings still win.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["Database:Provider"] = "Sqlite",
                ["Database:ConnectionString"] = $"Data Source={Path.Combine(dataDirectory, "radai.db")}",
                ["Messaging:Transport"] = "InMemory",
                ["Storage:Root"] = dataDirectory,
                // Sign-in works out of the box with a random key made once in the data folder (no built-in key);
                // the first administrator still needs Api:Security:InitialAdminPasswordFile (no default password).
                ["Api:Security:SigningKeyFile"] = Path.Combine(dataDirectory, "secrets", "jwt-signing.key"),
                ["Api:Security:CreateSigningKeyFile"] = "true",
                // Only the gateway in this process reaches the services: its X-Forwarded-For is the client's address.
                ["Api:Security:TrustForwardedFor"] = "true",
                ["Logging:Console:FormatterName"] = "simple",
            },
        });
        // Private: only the gateway, in this process, talks to it.
        builder.WebHost.UseUrls("http://127.0.0.1:0");

        builder.AddServiceDefaults("radai-standalone");
        builder.Services.AddDataProtection().PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(dataDirectory, "keys")));
        builder.AddRadAIDatabase();
        builder.AddRadAIMessaging(bus => bus
            .AddDicomIngestConsumers()
            .AddInferenceConsumers()
            .AddReportBuilderConsumers()
            .AddPacsSenderConsumers()
            .AddApiConsumers());
        builder.AddDicomIngest();
        builder.AddInference();
        builder.AddReportBuilder();
        builder.AddPacsSender();
        builder.AddApi();

        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapApi();
        return app;
    }

    private static WebApplication BuildGateway(string[] args, StandaloneOptions settings, string servicesAddress, string dataDirectory)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddCommandLine(args, StandaloneOptions.SwitchMappings());
        // The api's key file, as a default: the gateway checks the same tokens when Gateway:Authentication:Required.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?> { ["Api:Security:SigningKeyFile"] = Path.Combine(dataDirectory, "secrets", "jwt-signing.key") },
        });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ReverseProxy:Clusters:api:Destinations:primary:Address"] = servicesAddress,
            ["Logging:Console:FormatterName"] = "simple",
        });
        // Kestrel cannot pick a free port for "localhost" (two loopback addresses): use IPv4 loopback then.
        string Bind(int port) => port == 0 && settings.HttpBindAddress == "localhost" ? "127.0.0.1" : settings.HttpBindAddress;
        // HTTPS only with a certificate (ReadSettings set HttpsPort then): the gateway module serves it with that certificate.
        builder.WebHost.UseUrls(settings.HttpsPort is { } httpsPort
            ? $"http://{Bind(settings.HttpPort)}:{settings.HttpPort};https://{Bind(httpsPort)}:{httpsPort}"
            : $"http://{Bind(settings.HttpPort)}:{settings.HttpPort}");

        // The services' providers, in this process, already trace and measure the gateway's requests too.
        builder.AddServiceDefaults(GatewayModule.ServiceName, telemetry: false);
        builder.Services.AddDataProtection().PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(dataDirectory, "keys")));
        builder.AddRadAIGateway();

        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapRadAIGateway();
        return app;
    }
}
