using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RadAI.Contracts;
using RadAI.Data;
using RadAI.DicomIngest;
using RadAI.DicomIngest.Listening;
using RadAI.Hosting.Database;
using RadAI.Testing;
using Xunit;

namespace RadAI.Ingest.Tests.Support;

/// <summary>The dicom-ingest module in this process: SCP on a free loopback port, its database, the test harness as its bus.</summary>
public sealed class InProcessIngest : IAsyncDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private readonly IHost _host;
    private readonly PostgresTestDatabase? _postgres;

    private InProcessIngest(IHost host, PostgresTestDatabase? postgres)
    {
        _host = host;
        _postgres = postgres;
        Harness = host.Services.GetRequiredService<ITestHarness>();
    }

    public ITestHarness Harness { get; }

    /// <summary>The SCP's port; an instance on standby has none.</summary>
    public int Port => Listener.LocalEndPoint?.Port ?? throw new InvalidOperationException("This dicom-ingest is on standby: it does not listen.");

    public DicomListenerService Listener => Services.GetRequiredService<DicomListenerService>();

    public IServiceProvider Services => _host.Services;

    /// <summary>
    /// Starts the module on a database of its own, or on <paramref name="sharedDatabase"/> (PostgreSQL, left to the caller) with
    /// <paramref name="root"/>'s SQLite file or store shared by each instance started on the same root.
    /// </summary>
    public static async Task<InProcessIngest> StartAsync(string root, DatabaseProvider provider, IDictionary<string, string?>? settings = null, PostgresTestDatabase? sharedDatabase = null)
    {
        var postgres = provider == DatabaseProvider.Postgres && sharedDatabase is null ? await PostgresTestDatabase.CreateAsync() : null;
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Root"] = Path.Combine(root, "data"),
            ["Database:Provider"] = provider.ToString(),
            ["Database:ConnectionString"] = (sharedDatabase ?? postgres)?.ConnectionString ?? $"Data Source={Path.Combine(root, "radai.db")}",
            ["DicomIngest:AeTitle"] = IngestHost.AeTitle,
            ["DicomIngest:Port"] = "0",
            ["DicomIngest:BindAddress"] = "127.0.0.1",
            ["DicomIngest:ReleaseGracePeriod"] = "00:00:00.200",
            ["DicomIngest:CompletionPollInterval"] = "00:00:00.100",
        });
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        builder.AddRadAIDatabase();
        builder.Services.AddMassTransitTestHarness(bus => bus.AddDicomIngestConsumers());
        builder.AddDicomIngest();
        var host = builder.Build();
        await host.StartAsync();
        return new InProcessIngest(host, postgres);
    }

    /// <summary>Waits for the StudyReceived of a study (the release of its association completes it).</summary>
    public async Task<StudyReceived> StudyReceivedAsync(string studyInstanceUid)
    {
        await Eventually.UntilAsync(() => Task.FromResult(Harness.Published.Select<StudyReceived>().Any(m => m.Context.Message.StudyInstanceUid == studyInstanceUid)),
            Deadline, $"StudyReceived for {studyInstanceUid}");
        return Harness.Published.Select<StudyReceived>().First(m => m.Context.Message.StudyInstanceUid == studyInstanceUid).Context.Message;
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }
}
