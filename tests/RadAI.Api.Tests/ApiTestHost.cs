using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RadAI.Api.Apis;
using RadAI.Api.Security;
using RadAI.Data;
using RadAI.Hosting;
using RadAI.Hosting.Database;
using RadAI.Testing;
using Xunit;

namespace RadAI.Api.Tests;

/// <summary>The api module (as RadAI.Api.Host wires it, minus the bus) on an in-memory server and a real database.</summary>
public sealed class ApiTestHost : IAsyncDisposable
{
    public const string AdminPassword = "correct horse battery staple";

    private readonly WebApplication _app;
    private readonly TemporaryDirectory _secrets;

    private ApiTestHost(WebApplication app, TemporaryDirectory secrets, TestDatabase database, LogCollector logs)
    {
        _app = app;
        _secrets = secrets;
        Database = database;
        Logs = logs;
        Client = app.GetTestClient();
    }

    public TestDatabase Database { get; }

    public HttpClient Client { get; }

    public LogCollector Logs { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>
    /// Starts the api on <paramref name="database"/>. By default: a signing key file, and an initial admin password file
    /// holding <see cref="AdminPassword"/>; <paramref name="settings"/> adds or overrides (a null value removes a key);
    /// <paramref name="configure"/> adds to the host (a bus, another module, a clock) before the api is registered;
    /// <paramref name="map"/> maps more endpoints after the api's (e.g. the health endpoints, as RadAI.Api.Host does).
    /// </summary>
    public static async Task<ApiTestHost> StartAsync(
        TestDatabase database, IDictionary<string, string?>? settings = null, bool withAdminPassword = true, Action<WebApplicationBuilder>? configure = null,
        Action<WebApplication>? map = null)
    {
        var secrets = new TemporaryDirectory("radai-api-secrets");
        var adminFile = Path.Combine(secrets.Path, "admin-password");
        await File.WriteAllTextAsync(adminFile, AdminPassword + "\n");
        var configuration = new Dictionary<string, string?>
        {
            ["Database:Provider"] = database.Provider.ToString(),
            ["Database:ConnectionString"] = database.ConnectionString,
            ["Api:Security:SigningKeyFile"] = Path.Combine(secrets.Path, "jwt-signing.key"),
            ["Api:Security:CreateSigningKeyFile"] = "true",
            ["Api:Security:InitialAdminPasswordFile"] = withAdminPassword ? adminFile : null,
            ["Api:Security:TrustForwardedFor"] = "true",
            // Cheap hashes: the tests exercise the flow, PasswordHasherTests the cost parameters.
            ["Api:Security:PasswordHashing:MemoryKiB"] = "1024",
            ["Api:Security:PasswordHashing:Iterations"] = "1",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            configuration[key] = value;
        }

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseTestServer();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(configuration.Where(p => p.Value is not null));
        var logs = new LogCollector();
        if (configuration.TryGetValue("Logging:LogLevel:Default", out var level) && Enum.TryParse<LogLevel>(level, out var minimum))
        {
            logs.MinimumLevel = minimum;
        }

        builder.Logging.ClearProviders().AddProvider(logs);
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton(ServiceIdentity.For(ApiModule.ServiceName));
        builder.AddRadAIDatabase();
        configure?.Invoke(builder);
        builder.AddApi();

        var app = builder.Build();
        app.MapApi();
        map?.Invoke(app);
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            secrets.Dispose();
            throw;
        }

        return new ApiTestHost(app, secrets, database, logs);
    }

    /// <summary>Another client of the in-memory server, sending <paramref name="bearer"/> with every request.</summary>
    public HttpClient CreateClient(string bearer)
    {
        var client = _app.GetTestClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return client;
    }

    /// <summary>Signs in and returns the token pair (fails the test when refused).</summary>
    public async Task<TokenPair> LoginAsync(string username, string password)
    {
        using var response = await Client.PostAsJsonAsync("/api/auth/login", new AuthApi.LoginRequest(username, password));
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<TokenPair>())!;
    }

    /// <summary>A user with <paramref name="role"/>, created by the admin through the API; returns its access token.</summary>
    public async Task<string> CreateUserAndLoginAsync(string username, string role)
    {
        var admin = await LoginAsync("admin", AdminPassword);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/users")
        {
            Content = JsonContent.Create(new UsersApi.CreateUserRequest(username, "a long enough password", role)),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", admin.AccessToken);
        using var created = await Client.SendAsync(request);
        Assert.Equal(System.Net.HttpStatusCode.Created, created.StatusCode);
        return (await LoginAsync(username, "a long enough password")).AccessToken;
    }

    public async Task<HttpResponseMessage> SendAsync(
        HttpMethod method, string path, string? bearer = null, object? body = null, string? apiKey = null, string? forwardedFor = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        if (apiKey is not null)
        {
            request.Headers.Add(ApiKeyAuthenticationHandler.HeaderName, apiKey);
        }

        return await Client.SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _secrets.Dispose();
    }
}

/// <summary>Keeps the formatted log lines of a test host (Information and above, or from <see cref="MinimumLevel"/>).</summary>
public sealed class LogCollector : ILoggerProvider
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _lines = new();

    /// <summary>The lowest level kept; set it before the host starts (with a matching <c>Logging:LogLevel</c> setting).</summary>
    public LogLevel MinimumLevel { get; set; } = LogLevel.Information;

    public IReadOnlyCollection<string> Lines => _lines;

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCollector owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= owner.MinimumLevel;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._lines.Enqueue($"{logLevel}: {formatter(state, exception)}");
    }
}
