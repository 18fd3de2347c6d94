using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using RadAI.Api.Jobs;
using RadAI.Contracts;
using RadAI.Testing;

namespace RadAI.Api.Tests;

/// <summary>
/// The api module with its projection on an in-memory bus (MassTransit test harness: what it publishes is observable),
/// a real database and a temporary storage root: the job endpoints end to end inside one process
/// (<see cref="ApiTestHost"/> with a bus and a store).
/// </summary>
public sealed class JobsTestHost : IAsyncDisposable
{
    public const string AdminPassword = ApiTestHost.AdminPassword;

    private readonly ApiTestHost _api;

    private JobsTestHost(ApiTestHost api, TemporaryDirectory storage, HttpClient reader)
    {
        _api = api;
        Storage = storage;
        Reader = reader;
        Harness = api.Services.GetRequiredService<ITestHarness>();
        Jobs = api.Services.GetRequiredService<JobRepository>();
    }

    public TestDatabase Database => _api.Database;

    public TemporaryDirectory Storage { get; }

    /// <summary>A client with no credentials.</summary>
    public HttpClient Client => _api.Client;

    /// <summary>A client signed in as a viewer: what every role may read (the job list, detail and live feed).</summary>
    public HttpClient Reader { get; }

    public ITestHarness Harness { get; }

    /// <summary>The api's services (e.g. its label map cache).</summary>
    public IServiceProvider Services => _api.Services;

    public JobRepository Jobs { get; }

    /// <summary>Starts the api on <paramref name="database"/>; its <see cref="Reader"/> is a viewer named <paramref name="readerName"/> (another name for each replica on one database).</summary>
    public static async Task<JobsTestHost> StartAsync(TestDatabase database, IDictionary<string, string?>? settings = null, string readerName = "reader")
    {
        var storage = new TemporaryDirectory("radai-jobs-storage");
        var configuration = new Dictionary<string, string?> { ["Storage:Root"] = storage.Path };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            configuration[key] = value;
        }

        try
        {
            var api = await ApiTestHost.StartAsync(database, configuration, configure: builder => builder.Services.AddMassTransitTestHarness(bus => bus.AddApiConsumers()));
            try
            {
                return new JobsTestHost(api, storage, api.CreateClient(await api.CreateUserAndLoginAsync(readerName, "viewer")));
            }
            catch
            {
                await api.DisposeAsync();
                throw;
            }
        }
        catch
        {
            storage.Dispose();
            throw;
        }
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
    public Task<string> CreateUserAndLoginAsync(string username, string role) => _api.CreateUserAndLoginAsync(username, role);

    /// <summary>Signs in and returns the access token.</summary>
    public async Task<string> LoginAsync(string username, string password) => (await _api.LoginAsync(username, password)).AccessToken;

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? bearer = null, object? body = null) =>
        _api.SendAsync(method, path, bearer, body);

    public async ValueTask DisposeAsync()
    {
        Reader.Dispose();
        await _api.DisposeAsync();
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
