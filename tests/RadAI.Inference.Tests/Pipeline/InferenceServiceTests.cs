using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RadAI.Contracts;
using RadAI.Contracts.Findings;
using RadAI.Contracts.Models;
using RadAI.Dicom;
using RadAI.Dicom.IO;
using RadAI.Hosting;
using RadAI.Hosting.Messaging;
using RadAI.Inference.Packages;
using RadAI.Inference.Routing;
using RadAI.Testing;
using Xunit;

namespace RadAI.Inference.Tests.Pipeline;

/// <summary>
/// The inference host, run as a process on the real RabbitMQ and PostgreSQL, analyses real files
/// (pydicom's CT_small and MR_small) laid out as dicom-ingest stores them; this test plays
/// dicom-ingest (publishes StudyReceived) and listens to what inference publishes.
/// </summary>
public sealed class InferenceServiceTests : IAsyncLifetime, IDisposable
{
    private const string Corpus = "/usr/lib/python3/dist-packages/pydicom/data/test_files";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    private readonly TemporaryDirectory _store = new("radai-inference-store");
    private readonly TemporaryDirectory _packages = new("radai-inference-packages");
    private readonly ConcurrentQueue<(Guid? MessageId, IJobEvent Event)> _published = new();
    private PostgresTestDatabase _database = null!;
    private RabbitMqTestVirtualHost _broker = null!;
    private RunningService _inference = null!;
    private IHost _ingest = null!;

    public async Task InitializeAsync()
    {
        _database = await PostgresTestDatabase.CreateAsync();
        _broker = await RabbitMqTestVirtualHost.CreateAsync();
        // CT: body = HU above -300 (window -1000..400, output > 0.5); MR: signal above the mean (z-score > 0.5).
        TestPackages.Write(_packages.Path, TestPackages.Manifest("test.ct-body") with
        {
            Input = new ModelInput { Onnx = "threshold3d.onnx", Name = "x", Mode = "volume3d", Intensity = new IntensityTransform { Kind = "hu-window", Min = -1000, Max = 400 } },
        });
        TestPackages.Write(_packages.Path, TestPackages.Manifest("test.mr-signal") with
        {
            Select = new SelectionRules { Modalities = ["MR"] },
            Input = new ModelInput { Onnx = "threshold3d.onnx", Name = "x", Mode = "volume3d", Intensity = new IntensityTransform { Kind = "zscore" } },
        });
        TestPackages.Write(_packages.Path, TestPackages.Manifest("test.broken") with { Input = new ModelInput { Onnx = "model.onnx", Name = "x", Mode = "volume3d" } }, "broken.onnx");
        TestPackages.Write(_packages.Path, TestPackages.Manifest("test.stuck") with { Input = new ModelInput { Onnx = "model.onnx", Name = "x", Mode = "volume3d" } }, "slow3d.onnx");

        var settings = new Dictionary<string, string?>(_broker.Settings)
        {
            ["Database__Provider"] = "Postgres",
            ["Database__ConnectionString"] = _database.ConnectionString,
            ["Storage__Root"] = _store.Path,
            ["Inference__PackagePaths__0"] = _packages.Path,
            ["Inference__Profiles__default__Packages__0"] = "test.ct-body",
            ["Inference__Profiles__default__Packages__1"] = "test.mr-signal",
            ["Inference__Profiles__broken__Packages__0"] = "test.broken",
            ["Inference__Profiles__stuck__Packages__0"] = "test.stuck",
            // Bounds the stuck model's warm-up and runs; far above what the other test models need.
            ["Inference__ModelRunTimeout"] = "00:00:05",
            ["Inference__UseCuda"] = "false",
        };
        _inference = await RunningService.StartAsync("RadAI.Inference.Host", settings);
        var ready = await _inference.WaitUntilReadyAsync();
        var models = default(System.Text.Json.JsonElement);
        Assert.True(ready.TryGetProperty("checks", out var checks) && checks.TryGetProperty("models", out models), $"no models check in {ready}");
        Assert.Contains("4 model package(s)", models.GetProperty("description").GetString());

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Production" });
        builder.Configuration.AddInMemoryCollection(_broker.Settings.Select(s => KeyValuePair.Create(s.Key.Replace("__", ":", StringComparison.Ordinal), s.Value)));
        builder.AddServiceDefaults("inference-test-listener");
        builder.Services.AddSingleton(_published);
        builder.AddRadAIMessaging(bus => bus.AddConsumer<OutcomeRecorder>());
        _ingest = builder.Build();
        await _ingest.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _ingest.StopAsync();
        _ingest.Dispose();
        await _inference.DisposeAsync();
        await _broker.DisposeAsync();
        await _database.DisposeAsync();
    }

    public void Dispose()
    {
        _packages.Dispose();
        _store.Dispose();
    }

    /// <summary>Records what inference publishes.</summary>
    private sealed class OutcomeRecorder(ConcurrentQueue<(Guid?, IJobEvent)> published) : IConsumer<AnalysisDone>, IConsumer<AnalysisFailed>, IConsumer<StudySkipped>
    {
        public Task Consume(ConsumeContext<AnalysisDone> context) => Record(context);

        public Task Consume(ConsumeContext<AnalysisFailed> context) => Record(context);

        public Task Consume(ConsumeContext<StudySkipped> context) => Record(context);

        private Task Record<T>(ConsumeContext<T> context)
            where T : class, IJobEvent
        {
            published.Enqueue((context.MessageId, context.Message));
            return Task.CompletedTask;
        }
    }

    /// <summary>Lays files out as dicom-ingest does (instances/&lt;study&gt;/&lt;job&gt;/&lt;series&gt;/&lt;sop&gt;.dcm) and describes the series.</summary>
    private async Task<StudyReceived> StoreStudyAsync(Guid jobId, string profile, params (string File, string Modality)[] files)
    {
        var series = new List<ReceivedSeries>();
        const string StudyUid = "2.25.77";
        foreach (var group in files.GroupBy(f => f.File))
        {
            var file = await DicomFile.OpenAsync(group.Key);
            var seriesUid = file.Dataset.GetString(DicomTags.SeriesInstanceUID);
            var key = $"{StudyUid}/{jobId:N}/{seriesUid}";
            var folder = Path.Combine(_store.Path, "instances", key);
            Directory.CreateDirectory(folder);
            var count = group.Count();
            File.Copy(group.Key, Path.Combine(folder, $"{file.Dataset.GetString(DicomTags.SOPInstanceUID)}.dcm"));
            for (var copy = 1; copy < count; copy++)
            {
                // The same image again under another SOP Instance UID: two slices at one position.
                file.Dataset.AddOrUpdate(DicomTags.SOPInstanceUID, $"2.25.{copy}{jobId.GetHashCode() & 0xffff}");
                await file.SaveAsync(Path.Combine(folder, $"copy-{copy}.dcm"));
            }

            series.Add(new ReceivedSeries(seriesUid, group.First().Modality, file.Dataset.GetString(DicomTags.SOPClassUID), count,
                new FileInfo(group.Key).Length * count, new StorageReference("instances", key)));
        }

        return new StudyReceived(jobId, jobId, DateTimeOffset.UtcNow, StudyUid, "TESTPACS", "RADAI", profile, series,
            new StorageReference("instances", $"{StudyUid}/{jobId:N}"));
    }

    private async Task<T> OutcomeAsync<T>(Guid jobId, int occurrence = 1)
        where T : class, IJobEvent
    {
        await Eventually.UntilAsync(() => Task.FromResult(_published.Count(p => p.Event.JobId == jobId) >= occurrence), Deadline,
            $"inference to publish the outcome of job {jobId}");
        var outcome = _published.Where(p => p.Event.JobId == jobId).ElementAt(occurrence - 1).Event;
        return Assert.IsType<T>(outcome);
    }

    private async Task PublishAsync(StudyReceived study) =>
        await _ingest.Services.GetRequiredService<IPublishEndpoint>().Publish(study);

    [Fact]
    public async Task Real_CT_and_MR_files_are_analysed_and_the_findings_match_an_independent_count()
    {
        var jobId = Guid.NewGuid();
        await PublishAsync(await StoreStudyAsync(jobId, "default", ($"{Corpus}/CT_small.dcm", "CT"), ($"{Corpus}/MR_small.dcm", "MR")));

        var done = await OutcomeAsync<AnalysisDone>(jobId);

        Assert.Equal(["test.ct-body", "test.mr-signal"], done.Runs.Select(r => r.ModelId).Order());
        Assert.All(done.Runs, r => Assert.Equal("CPU", r.ExecutionProvider));
        Assert.Equal(4, done.Decisions!.Count);
        Assert.Equal(2, done.Decisions!.Count(d => d.Selected));
        Assert.Contains(done.Decisions!, d => !d.Selected && d.Reason == "modality MR not in [CT]");
        Assert.Null(done.Failures);

        var documentPath = Path.Combine(_store.Path, done.Results.Store, done.Results.Key);
        var document = JsonSerializer.Deserialize<AnalysisResults>(await File.ReadAllTextAsync(documentPath), new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        Assert.Equal(AnalysisResults.CurrentSchemaVersion, document.SchemaVersion);
        var ct = document.Runs.Single(r => r.Model.Id == "test.ct-body");
        Assert.Equal("CT", ct.Modality);
        Assert.Equal((128, 128, 1), (ct.Geometry.SizeX, ct.Geometry.SizeY, ct.Geometry.SizeZ));

        // pydicom, independently: pixels above -300 HU in CT_small.
        var expected = await PydicomCountAsync($"{Corpus}/CT_small.dcm", "(ds.pixel_array * float(ds.RescaleSlope) + float(ds.RescaleIntercept) > -300).sum()");
        var segment = Assert.Single(ct.Segments);
        Assert.Equal(expected, segment.VoxelCount);
        await using (var maskStream = File.OpenRead(Path.Combine(_store.Path, ct.Mask!.Store, ct.Mask.Key)))
        {
            var (sx, sy, sz, labels) = await LabelMapFile.ReadAsync(maskStream);
            Assert.Equal((128, 128, 1), (sx, sy, sz));
            Assert.Equal(expected, labels.LongCount(v => v == segment.Number));
        }

        var finding = Assert.Single(ct.Findings);
        var volumeMl = finding.Measurements.Single(m => m.Concept.Value == "118565006").Value;
        var spacing = ct.Geometry.Spacing;
        Assert.Equal(expected * spacing.X * spacing.Y * spacing.Z / 1000, volumeMl, 2);
        Assert.Equal(ct.Geometry.Slices[0].SopInstanceUid, finding.Region!.KeyImage.SopInstanceUid);
    }

    [Fact]
    public async Task A_study_no_package_applies_to_is_skipped_with_the_reasons()
    {
        var jobId = Guid.NewGuid();
        await PublishAsync(await StoreStudyAsync(jobId, "default", ($"{Corpus}/rtplan.dcm", "RTPLAN")));
        var skipped = await OutcomeAsync<StudySkipped>(jobId);
        Assert.Equal("No model package applies to the 1 series of the study.", skipped.Reason);
        Assert.Equal(["modality RTPLAN not in [CT]", "modality RTPLAN not in [MR]"], skipped.Decisions.Select(d => d.Reason).Order());
    }

    [Fact]
    public async Task A_broken_model_fails_its_job_and_the_next_job_is_analysed()
    {
        var broken = Guid.NewGuid();
        var next = Guid.NewGuid();
        await PublishAsync(await StoreStudyAsync(broken, "broken", ($"{Corpus}/CT_small.dcm", "CT")));
        await PublishAsync(await StoreStudyAsync(next, "default", ($"{Corpus}/CT_small.dcm", "CT")));

        var failed = await OutcomeAsync<AnalysisFailed>(broken);
        Assert.Equal("model-error", failed.ErrorCode);
        Assert.Equal("test.broken", failed.ModelId);
        Assert.Contains("OnnxRuntimeException", failed.Reason);
        await OutcomeAsync<AnalysisDone>(next);

        // Handled, not lost and not parked: nothing in the consumer's error queue.
        var errors = await _broker.GetQueueAsync("study-received_error");
        Assert.True(errors is null || errors.Messages == 0, $"{errors?.Messages} message(s) in study-received_error");
    }

    [Fact]
    public async Task A_stuck_model_is_terminated_at_its_time_limit_and_the_next_job_is_analysed()
    {
        var stuck = Guid.NewGuid();
        var next = Guid.NewGuid();
        await PublishAsync(await StoreStudyAsync(stuck, "stuck", ($"{Corpus}/CT_small.dcm", "CT")));
        await PublishAsync(await StoreStudyAsync(next, "default", ($"{Corpus}/CT_small.dcm", "CT")));

        // The model loops for ever: only termination ends its run (one job at a time: the next job waits behind it).
        var failed = await OutcomeAsync<AnalysisFailed>(stuck);
        Assert.True(failed.ErrorCode == "model-timeout", $"{failed.ErrorCode}: {failed.Reason}");
        Assert.Equal("test.stuck", failed.ModelId);
        await OutcomeAsync<AnalysisDone>(next);
    }

    [Fact]
    public async Task A_series_that_is_not_a_volume_fails_with_the_reason()
    {
        var jobId = Guid.NewGuid();
        await PublishAsync(await StoreStudyAsync(jobId, "default", ($"{Corpus}/CT_small.dcm", "CT"), ($"{Corpus}/CT_small.dcm", "CT")));
        var failed = await OutcomeAsync<AnalysisFailed>(jobId);
        Assert.Equal("volume-not-assemblable", failed.ErrorCode);
        Assert.Contains("same position", failed.Reason);
    }

    [Fact]
    public async Task A_redelivered_study_republishes_its_stored_outcome_under_the_same_message_id()
    {
        var jobId = Guid.NewGuid();
        var study = await StoreStudyAsync(jobId, "default", ($"{Corpus}/MR_small.dcm", "MR"));
        await PublishAsync(study);
        var first = await OutcomeAsync<AnalysisDone>(jobId);
        var documentPath = Path.Combine(_store.Path, first.Results.Store, first.Results.Key);
        var written = File.GetLastWriteTimeUtc(documentPath);

        await PublishAsync(study);
        var second = await OutcomeAsync<AnalysisDone>(jobId, 2);

        Assert.Equal(first.OccurredAt, second.OccurredAt);
        var ids = _published.Where(p => p.Event.JobId == jobId).Select(p => p.MessageId).ToList();
        Assert.Equal(ids[0], ids[1]);
        Assert.Equal(written, File.GetLastWriteTimeUtc(documentPath));
    }

    [Fact]
    public async Task A_package_disabled_over_RabbitMQ_is_routed_as_disabled_at_the_next_study_and_runs_again_once_enabled()
    {
        var bus = _ingest.Services.GetRequiredService<IBus>();
        var listed = await Eventually.ValueAsync<Response<ModelPackageList>>(async () =>
        {
            try
            {
                // The first request waits for inference's administration endpoint to be bound.
                return await bus.CreateRequestClient<ListModelPackages>(RequestTimeout.After(s: 3)).GetResponse<ModelPackageList>(new ListModelPackages(DateTimeOffset.UtcNow));
            }
            catch (RequestTimeoutException)
            {
                return null;
            }
        }, Deadline, "inference to answer ListModelPackages");
        Assert.Equal(["test.broken", "test.ct-body", "test.mr-signal", "test.stuck"], listed.Message.Packages.Select(p => p.Id));
        Assert.Equal(["default"], listed.Message.Packages.Single(p => p.Id == "test.mr-signal").Profiles);

        var off = await bus.CreateRequestClient<SetModelPackageEnabled>().GetResponse<ModelPackageChanged, ModelAdminRejected>(new SetModelPackageEnabled("test.mr-signal", false, "user:test"));
        Assert.True(off.Is(out Response<ModelPackageChanged>? disabled));
        Assert.False(disabled!.Message.After.Enabled);
        var skippedJob = Guid.NewGuid();
        await PublishAsync(await StoreStudyAsync(skippedJob, "default", ($"{Corpus}/MR_small.dcm", "MR")));
        var skipped = await OutcomeAsync<StudySkipped>(skippedJob);
        Assert.Contains(skipped.Decisions, d => d.ModelId == "test.mr-signal" && !d.Selected && d.Reason == RoutingEngine.DisabledReason);

        var on = await bus.CreateRequestClient<SetModelPackageEnabled>().GetResponse<ModelPackageChanged, ModelAdminRejected>(new SetModelPackageEnabled("test.mr-signal", true, "user:test"));
        Assert.True(on.Is(out Response<ModelPackageChanged>? _));
        var doneJob = Guid.NewGuid();
        await PublishAsync(await StoreStudyAsync(doneJob, "default", ($"{Corpus}/MR_small.dcm", "MR")));
        var done = await OutcomeAsync<AnalysisDone>(doneJob);
        Assert.Equal(["test.mr-signal"], done.Runs.Select(r => r.ModelId));

        // A profile created over RabbitMQ routes the next study.
        var created = await bus.CreateRequestClient<UpsertRoutingProfile>().GetResponse<RoutingProfileChanged, ModelAdminRejected>(new UpsertRoutingProfile("ct-only", ["test.ct-body"], "user:test"));
        Assert.True(created.Is(out Response<RoutingProfileChanged>? _));
        var profiles = await bus.CreateRequestClient<ListRoutingProfiles>().GetResponse<RoutingProfileList>(new ListRoutingProfiles(DateTimeOffset.UtcNow));
        Assert.Contains(profiles.Message.Profiles, p => p.Name == "ct-only" && p.Source == "api");
        var ctOnlyJob = Guid.NewGuid();
        await PublishAsync(await StoreStudyAsync(ctOnlyJob, "ct-only", ($"{Corpus}/CT_small.dcm", "CT"), ($"{Corpus}/MR_small.dcm", "MR")));
        var ctOnly = await OutcomeAsync<AnalysisDone>(ctOnlyJob);
        Assert.Equal(["test.ct-body"], ctOnly.Runs.Select(r => r.ModelId));
        Assert.All(ctOnly.Decisions!, d => Assert.Equal("test.ct-body", d.ModelId));
    }

    private static async Task<long> PydicomCountAsync(string file, string expression)
    {
        var script = $"import pydicom; ds = pydicom.dcmread('{file}'); print(int({expression}))";
        var result = (await ExternalTool.RunAsync("/usr/bin/python3", "-c", script)).EnsureSuccess("pydicom");
        return long.Parse(result.Output.Trim(), CultureInfo.InvariantCulture);
    }
}
