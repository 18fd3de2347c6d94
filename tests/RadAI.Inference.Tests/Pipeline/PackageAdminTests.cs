using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RadAI.Contracts;
using RadAI.Contracts.Models;
using RadAI.Data;
using RadAI.Dicom;
using RadAI.Dicom.IO;
using RadAI.Hosting.Database;
using RadAI.Inference.Packages;
using RadAI.Inference.Routing;
using RadAI.Testing;
using Xunit;

namespace RadAI.Inference.Tests.Pipeline;

/// <summary>
/// The api's model package and routing profile requests answered by inference (its consumers on the MassTransit test
/// harness, its settings on both engines): a package disabled through a request is recorded as disabled by the routing
/// of the next study and does not run; enabled again, it runs; configured settings are read-only and win at start.
/// </summary>
public sealed class PackageAdminTests
{
    private const string Corpus = "/usr/lib/python3/dist-packages/pydicom/data/test_files";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_package_disabled_through_a_request_is_routed_as_disabled_and_does_not_run_until_enabled_again(DatabaseProvider provider)
    {
        await using var inference = await InProcessInference.StartAsync(provider);
        var set = inference.Harness.GetRequestClient<SetModelPackageEnabled>();

        var disabled = await ChangedAsync<SetModelPackageEnabled, ModelPackageChanged>(set, new SetModelPackageEnabled("test.ct-body", false, "user:test"));
        Assert.Equal((true, "default", false, "api"), (disabled.Before.Enabled, disabled.Before.Source, disabled.After.Enabled, disabled.After.Source));
        var skippedJob = Guid.NewGuid();
        await inference.Harness.Bus.Publish(await inference.StoreCtStudyAsync(skippedJob, "default"));
        var skipped = await inference.OutcomeAsync<StudySkipped>(skippedJob);
        var off = Assert.Single(skipped.Decisions, d => d.ModelId == "test.ct-body");
        Assert.Equal((false, RoutingEngine.DisabledReason), (off.Selected, off.Reason));
        Assert.Contains(skipped.Decisions, d => d.ModelId == "test.mr-signal" && d.Reason == "modality CT not in [MR]");

        var enabled = await ChangedAsync<SetModelPackageEnabled, ModelPackageChanged>(set, new SetModelPackageEnabled("test.ct-body", true, "user:test"));
        Assert.Equal((false, true), (enabled.Before.Enabled, enabled.After.Enabled));
        var doneJob = Guid.NewGuid();
        await inference.Harness.Bus.Publish(await inference.StoreCtStudyAsync(doneJob, "default"));
        var done = await inference.OutcomeAsync<AnalysisDone>(doneJob);
        Assert.Equal(["test.ct-body"], done.Runs.Select(r => r.ModelId));
        Assert.Contains(done.Decisions!, d => d.ModelId == "test.ct-body" && d.Selected);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Packages_and_profiles_are_listed_configured_ones_are_read_only_and_the_configuration_wins_at_start(DatabaseProvider provider)
    {
        await using var inference = await InProcessInference.StartAsync(provider);
        var list = inference.Harness.GetRequestClient<ListModelPackages>();
        var set = inference.Harness.GetRequestClient<SetModelPackageEnabled>();
        var profiles = inference.Harness.GetRequestClient<ListRoutingProfiles>();
        var upsert = inference.Harness.GetRequestClient<UpsertRoutingProfile>();

        var packages = (await list.GetResponse<ModelPackageList>(new ListModelPackages(DateTimeOffset.UtcNow))).Message.Packages;
        Assert.Equal(
            [("test.ct-body", true, "default", "DEMO"), ("test.mr-signal", true, "default", "DEMO"), ("test.off", false, "config", "DEMO")],
            packages.Select(p => (p.Id, p.Enabled, p.Source, p.Status)));
        var ct = packages[0];
        Assert.Equal(("0.0.1", "Test package test.ct-body", "Tests only."), (ct.Version, ct.Name, ct.IntendedUse));
        Assert.Equal(["CT"], ct.Modalities);
        Assert.Equal(["default"], ct.Profiles);
        Assert.Empty(packages[2].Profiles);

        Assert.Equal(ModelAdminRejected.ReadOnly, (await RejectedAsync(set, new SetModelPackageEnabled("test.off", true))).Code);
        Assert.Equal(ModelAdminRejected.NotFound, (await RejectedAsync(set, new SetModelPackageEnabled("no.such-package", false))).Code);
        Assert.Equal(ModelAdminRejected.ReadOnly, (await RejectedAsync(upsert, new UpsertRoutingProfile("default", ["test.ct-body"]))).Code);
        Assert.Equal(ModelAdminRejected.Invalid, (await RejectedAsync(upsert, new UpsertRoutingProfile("not a name!", []))).Code);
        var unknown = await RejectedAsync(upsert, new UpsertRoutingProfile("neuro", ["test.mr-signal", "no.such-package"]));
        Assert.Equal(ModelAdminRejected.Invalid, unknown.Code);
        Assert.Contains("no.such-package", unknown.Reason, StringComparison.Ordinal);

        var created = await ChangedAsync<UpsertRoutingProfile, RoutingProfileChanged>(upsert, new UpsertRoutingProfile("neuro", ["test.mr-signal"], "user:test"));
        Assert.Null(created.Before);
        Assert.Equal(("neuro", "api"), (created.After.Name, created.After.Source));
        var replaced = await ChangedAsync<UpsertRoutingProfile, RoutingProfileChanged>(upsert, new UpsertRoutingProfile("neuro", ["test.mr-signal", "test.ct-body"]));
        Assert.Equal(["test.mr-signal"], replaced.Before!.Packages);
        Assert.Equal(["test.mr-signal", "test.ct-body"], replaced.After.Packages);
        var all = (await profiles.GetResponse<RoutingProfileList>(new ListRoutingProfiles(DateTimeOffset.UtcNow))).Message.Profiles;
        Assert.Equal([("default", "config"), ("neuro", "api")], all.Select(p => (p.Name, p.Source)));
        var routing = inference.Services.GetRequiredService<PackageSettings>();
        Assert.Equal(["test.ct-body", "test.mr-signal"], (await routing.ForProfileAsync("neuro", CancellationToken.None)).Runnable.Select(p => p.Id).Order());
        await ChangedAsync<SetModelPackageEnabled, ModelPackageChanged>(set, new SetModelPackageEnabled("test.mr-signal", false));
        var neuro = await routing.ForProfileAsync("neuro", CancellationToken.None);
        Assert.Equal(["test.ct-body"], neuro.Runnable.Select(p => p.Id));
        Assert.Equal(["test.mr-signal"], neuro.Disabled.Select(p => p.Id));

        // Next start: the configuration is written again and wins; what it no longer names goes back to the defaults;
        // what the api set for the rest is kept.
        var repository = inference.Services.GetRequiredService<PackageSettingsRepository>();
        await repository.SeedAsync(["test.ct-body"], new Dictionary<string, IReadOnlyList<string>> { ["neuro"] = ["test.ct-body"] }, CancellationToken.None);
        var after = (await list.GetResponse<ModelPackageList>(new ListModelPackages(DateTimeOffset.UtcNow))).Message.Packages;
        Assert.Equal(
            [("test.ct-body", false, "config"), ("test.mr-signal", false, "api"), ("test.off", true, "default")],
            after.Select(p => (p.Id, p.Enabled, p.Source)));
        var reseeded = (await profiles.GetResponse<RoutingProfileList>(new ListRoutingProfiles(DateTimeOffset.UtcNow))).Message.Profiles;
        Assert.Equal([("neuro", "config", "test.ct-body")], reseeded.Select(p => (p.Name, p.Source, string.Join(',', p.Packages))));
    }

    private static async Task<TChanged> ChangedAsync<TRequest, TChanged>(IRequestClient<TRequest> client, TRequest request)
        where TRequest : class
        where TChanged : class
    {
        var response = await client.GetResponse<TChanged, ModelAdminRejected>(request);
        Assert.True(response.Is(out Response<TChanged>? changed), response.Is(out Response<ModelAdminRejected>? rejected) ? rejected!.Message.Reason : "no answer");
        return changed!.Message;
    }

    private static async Task<ModelAdminRejected> RejectedAsync<TRequest>(IRequestClient<TRequest> client, TRequest request)
        where TRequest : class
    {
        var response = await client.GetResponse<ModelPackageChanged, RoutingProfileChanged, ModelAdminRejected>(request);
        Assert.True(response.Is(out Response<ModelAdminRejected>? rejected), $"{request} was accepted");
        return rejected!.Message;
    }

    /// <summary>The inference module in this process: three test packages (one disabled by configuration), its database, the test harness as its bus.</summary>
    private sealed class InProcessInference : IAsyncDisposable
    {
        private readonly IHost _host;
        private readonly TemporaryDirectory _work;
        private readonly PostgresTestDatabase? _postgres;

        private InProcessInference(IHost host, TemporaryDirectory work, PostgresTestDatabase? postgres)
        {
            _host = host;
            _work = work;
            _postgres = postgres;
            Harness = host.Services.GetRequiredService<ITestHarness>();
        }

        public ITestHarness Harness { get; }

        public IServiceProvider Services => _host.Services;

        private string StoreRoot => Path.Combine(_work.Path, "store");

        public static async Task<InProcessInference> StartAsync(DatabaseProvider provider)
        {
            var work = new TemporaryDirectory("radai-package-admin");
            var postgres = provider == DatabaseProvider.Postgres ? await PostgresTestDatabase.CreateAsync() : null;
            var packages = Path.Combine(work.Path, "packages");
            TestPackages.Write(packages, TestPackages.Manifest("test.ct-body") with
            {
                Input = new ModelInput { Onnx = "threshold3d.onnx", Name = "x", Mode = "volume3d", Intensity = new IntensityTransform { Kind = "hu-window", Min = -1000, Max = 400 } },
            });
            TestPackages.Write(packages, TestPackages.Manifest("test.mr-signal") with
            {
                Select = new SelectionRules { Modalities = ["MR"] },
                Input = new ModelInput { Onnx = "threshold3d.onnx", Name = "x", Mode = "volume3d", Intensity = new IntensityTransform { Kind = "zscore" } },
            });
            TestPackages.Write(packages, TestPackages.Manifest("test.off"));

            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Storage:Root"] = Path.Combine(work.Path, "store"),
                ["Database:Provider"] = provider.ToString(),
                ["Database:ConnectionString"] = postgres?.ConnectionString ?? $"Data Source={Path.Combine(work.Path, "radai.db")}",
                ["Inference:PackagePaths:0"] = packages,
                ["Inference:DisabledPackages:0"] = "test.off",
                ["Inference:Profiles:default:Packages:0"] = "test.ct-body",
                ["Inference:Profiles:default:Packages:1"] = "test.mr-signal",
                ["Inference:UseCuda"] = "false",
                ["Inference:WarmUp"] = "false",
            });
            builder.AddRadAIDatabase();
            builder.Services.AddMassTransitTestHarness(bus => bus.AddInferenceConsumers());
            builder.AddInference();
            var host = builder.Build();
            await host.StartAsync();
            return new InProcessInference(host, work, postgres);
        }

        /// <summary>pydicom's CT_small laid out as dicom-ingest stores a one-instance series, and its StudyReceived.</summary>
        public async Task<StudyReceived> StoreCtStudyAsync(Guid jobId, string profile)
        {
            const string StudyUid = "2.25.78";
            var file = await DicomFile.OpenAsync($"{Corpus}/CT_small.dcm");
            var seriesUid = file.Dataset.GetString(DicomTags.SeriesInstanceUID);
            var key = $"{StudyUid}/{jobId:N}/{seriesUid}";
            Directory.CreateDirectory(Path.Combine(StoreRoot, "instances", key));
            File.Copy($"{Corpus}/CT_small.dcm", Path.Combine(StoreRoot, "instances", key, $"{file.Dataset.GetString(DicomTags.SOPInstanceUID)}.dcm"));
            return new StudyReceived(jobId, jobId, DateTimeOffset.UtcNow, StudyUid, "TESTPACS", "RADAI", profile,
                [new ReceivedSeries(seriesUid, "CT", file.Dataset.GetString(DicomTags.SOPClassUID), 1, new FileInfo($"{Corpus}/CT_small.dcm").Length, new StorageReference("instances", key))],
                new StorageReference("instances", $"{StudyUid}/{jobId:N}"));
        }

        /// <summary>What inference published for a job (AnalysisDone, AnalysisFailed or StudySkipped).</summary>
        public async Task<T> OutcomeAsync<T>(Guid jobId)
            where T : class, IJobEvent
        {
            IJobEvent? outcome = null;
            await Eventually.UntilAsync(() =>
            {
                outcome = Harness.Published.Select<AnalysisDone>().Select(m => (IJobEvent)m.Context.Message)
                    .Concat(Harness.Published.Select<AnalysisFailed>().Select(m => (IJobEvent)m.Context.Message))
                    .Concat(Harness.Published.Select<StudySkipped>().Select(m => (IJobEvent)m.Context.Message))
                    .FirstOrDefault(e => e.JobId == jobId);
                return Task.FromResult(outcome is not null);
            }, Deadline, $"the outcome of job {jobId}");
            return Assert.IsType<T>(outcome);
        }

        public async ValueTask DisposeAsync()
        {
            await _host.StopAsync();
            _host.Dispose();
            if (_postgres is not null)
            {
                await _postgres.DisposeAsync();
            }

            _work.Dispose();
        }
    }
}
