using System.Net.Http.Headers;
using System.Net.Http.Json;
using MassTransit;
using MassTransit.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RadAI.Api.Apis;
using RadAI.Api.Jobs;
using RadAI.Api.Security;
using RadAI.Contracts;
using RadAI.Hosting;
using RadAI.Hosting.Database;
using RadAI.Testing;
using Xunit;

namespace RadAI.Api.Tests;

/// <summary>
/// The api module with its projection on an in-memory bus (MassTransit test harness: what it publishes is observable),
/// a real database and a temporary storage root: the job endpoints end to end inside one process.
/// </summary>
public sealed class JobsTestHost : IAsyncDisposable
{
    public const string AdminPassword = "correct horse battery staple";

    private readonly WebApplication _app;
    private readonly TemporaryDirectory _secrets;

    private JobsTestHost(WebApplication app, TemporaryDirectory secrets, TemporaryDirectory storage, TestDatabase database)
    {
        _app = app;
        _secrets = secrets;
        Storage = storage;
        Database = database;
        Client = app.GetTestClient();
        Harness = app.Services.GetRequiredService<ITestHarness>();
        Jobs = app.Services.GetRequiredService<JobRepository>();
    }

    public TestDatabase Database { get; }

    public TemporaryDirectory Storage { get; }

    public HttpClient Client { get; }

    public ITestHarness Harness { get; }

    public JobRepository Jobs { get; }

    public static async Task<JobsTestHost> StartAsync(TestDatabase database, IDictionary<string, string?>? settings = null)
    {
        var secrets = new TemporaryDirectory("radai-jobs-secrets");
        var storage = new TemporaryDirectory("radai-jobs-storage");
        var adminFile = Path.Combine(secrets.Path, "admin-password");
        await File.WriteAllTextAsync(adminFile, AdminPassword + "\n");
        var configuration = new Dictionary<string, string?>
        {
            ["Database:Provider"] = database.Provider.ToString(),
            ["Database:ConnectionString"] = database.ConnectionString,
            ["Storage:Root"] = storage.Path,
            ["Api:Security:SigningKeyFile"] = Path.Combine(secrets.Path, "jwt-signing.key"),
            ["Api:Security:CreateSigningKeyFile"] = "true",
            ["Api:Security:InitialAdminPasswordFile"] = adminFile,
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
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Logging.ClearProviders();
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton(ServiceIdentity.For(ApiModule.ServiceName));
        builder.AddRadAIDatabase();
        builder.AddApi();
        builder.Services.AddMassTransitTestHarness(bus => bus.AddApiConsumers());

        var app = builder.Build();
        app.MapApi();
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            secrets.Dispose();
            storage.Dispose();
            throw;
        }

        return new JobsTestHost(app, secrets, storage, database);
    }

    /// <summary>Publishes an event on the bus, with a given message id when the test needs a redelivery.</summary>
    public Task PublishAsync<T>(T message, Guid? messageId = null)
        where T : class =>
        Harness.Bus.Publish(message, context => context.MessageId = messageId ?? Guid.NewGuid());

    /// <summary>Waits until the projection recorded <paramref name="count"/> distinct events of a job.</summary>
    public Task WaitForEventsAsync(Guid jobId, int count) =>
        Eventually.UntilAsync(async () => (await Jobs.TimelineAsync(jobId, CancellationToken.None)).Count == count,
            TimeSpan.FromSeconds(30), $"{count} events of job {jobId} projected");

    /// <summary>A user with <paramref name="role"/>, created by the admin; returns its access token.</summary>
    public async Task<string> CreateUserAndLoginAsync(string username, string role)
    {
        var admin = await LoginAsync("admin", AdminPassword);
        using var created = await SendAsync(HttpMethod.Post, "/api/users", admin, new UsersApi.CreateUserRequest(username, "a long enough password", role));
        Assert.Equal(System.Net.HttpStatusCode.Created, created.StatusCode);
        return await LoginAsync(username, "a long enough password");
    }

    public async Task<string> LoginAsync(string username, string password)
    {
        using var response = await Client.PostAsJsonAsync("/api/auth/login", new AuthApi.LoginRequest(username, password));
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<TokenPair>())!.AccessToken;
    }

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? bearer = null, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return await Client.SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _secrets.Dispose();
        Storage.Dispose();
    }
}

/// <summary>The events of one job through the whole pipeline, built from ids only (no patient data anywhere).</summary>
public sealed class JobStory(Guid jobId, DateTimeOffset start, string sender = "MODALITY1", string modality = "CT")
{
    public Guid JobId { get; } = jobId;

    public string StudyUid { get; } = $"1.2.826.0.1.3680043.10.1{Math.Abs(jobId.GetHashCode())}";

    public string SeriesUid => StudyUid + ".1";

    public StudyReceived Received => new(
        JobId, JobId, start, StudyUid, sender, "RADAI", "default",
        [new ReceivedSeries(SeriesUid, modality, "1.2.840.10008.5.1.4.1.1.2", 120, 63_000_000, new StorageReference("instances", $"{JobId:N}/{SeriesUid}"), "CHEST", "not published")],
        new StorageReference("instances", $"{JobId:N}"));

    public IReadOnlyList<RoutingDecision> Decisions =>
    [
        new(SeriesUid, "radai.ct.lung-quant", true, "modality CT in [CT]"),
        new(SeriesUid, "radai.mr.brain", false, "modality CT not in [MR]"),
    ];

    public AnalysisDone Done => new(
        JobId, JobId, start.AddMinutes(1), StudyUid,
        [new ModelRun("radai.ct.lung-quant", "1.2.0", "DEMO", SeriesUid, 3, 4200, "CPU")],
        new StorageReference("results", $"{JobId:N}/findings.json"), Decisions,
        [new ModelRunFailure("radai.ct.nodules", "0.9.0", SeriesUid, "model-error", "The model returned no output.")],
        Received.Series, sender);

    public ReportReady Ready => new(
        JobId, JobId, start.AddMinutes(2), StudyUid,
        [
            new ReportObject("SR", "1.2.840.10008.5.1.4.1.1.88.33", StudyUid + ".9.1", StudyUid + ".9", new StorageReference("reports", $"{JobId:N}/sr.dcm"), 4),
            new ReportObject("SEG", "1.2.840.10008.5.1.4.1.1.66.4", StudyUid + ".9.2", StudyUid + ".9", new StorageReference("reports", $"{JobId:N}/seg.dcm"), 5),
            new ReportObject("PDF", "1.2.840.10008.5.1.4.1.1.104.1", StudyUid + ".9.3", StudyUid + ".9", new StorageReference("reports", $"{JobId:N}/pdf.dcm"), 6),
        ],
        "en", new StorageReference("reports", $"{JobId:N}/report.pdf"), sender);

    public DeliveryFailed FirstDeliveryFailed => new(
        JobId, JobId, start.AddMinutes(3), StudyUid, "PACS", "Association rejected", 3,
        [new ObjectDelivery(StudyUid + ".9.1", -1, "not sent")]);

    public ReportDelivered Delivered => new(
        JobId, JobId, start.AddMinutes(4), StudyUid, "PACS",
        [new ObjectDelivery(StudyUid + ".9.1", 0), new ObjectDelivery(StudyUid + ".9.2", 0), new ObjectDelivery(StudyUid + ".9.3", 0)], 1);

    public DeliveryFailed ArchiveFailed => new(
        JobId, JobId, start.AddMinutes(5), StudyUid, "ARCHIVE", "Connection refused", 5,
        [new ObjectDelivery(StudyUid + ".9.1", -1, "not sent")]);

    /// <summary>Every event of the story, in the order they happen.</summary>
    public IReadOnlyList<IJobEvent> All => [Received, Done, Ready, FirstDeliveryFailed, Delivered, ArchiveFailed];

    /// <summary>Publishes one event with its concrete type (the bus routes on it).</summary>
    public static Task PublishAsync(JobsTestHost host, IJobEvent jobEvent, Guid messageId) => jobEvent switch
    {
        StudyReceived e => host.PublishAsync(e, messageId),
        AnalysisDone e => host.PublishAsync(e, messageId),
        ReportReady e => host.PublishAsync(e, messageId),
        DeliveryFailed e => host.PublishAsync(e, messageId),
        ReportDelivered e => host.PublishAsync(e, messageId),
        _ => throw new ArgumentException(jobEvent.GetType().Name),
    };
}
