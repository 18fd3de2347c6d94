using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;
using RadAI.Testing;
using Xunit;

namespace RadAI.Integration.Tests;

/// <summary>
/// "RabbitMQ restarted during a job → job completes, nothing lost", at the service level: dicom-ingest and the
/// api as real processes on a private RabbitMQ node, which the test shuts down and starts again while jobs
/// are in flight.
/// </summary>
public sealed partial class BrokerRestartTests : IAsyncLifetime
{
    private const string BeforeOutageAe = "BEFORE-OUTAGE";
    private const string DuringOutageAe = "DURING-OUTAGE";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private RabbitMqNode _broker = null!;
    private PostgresTestDatabase _database = null!;

    public async Task InitializeAsync()
    {
        _database = await PostgresTestDatabase.CreateAsync();
        _broker = await RabbitMqNode.StartNewAsync();
    }

    public async Task DisposeAsync()
    {
        await _broker.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task Jobs_in_flight_across_a_broker_restart_reach_the_api_each_event_once()
    {
        using var work = new TemporaryDirectory("radai-broker-restart");
        var settings = ServiceSettings.For(_database, _broker.Settings);
        var ingestSettings = new Dictionary<string, string?>(settings)
        {
            ["DicomIngest__BindAddress"] = "127.0.0.1",
            // Completion by the stable timeout only (per sender below), never by the association's release.
            ["DicomIngest__ReleaseGracePeriod"] = "01:00:00",
            ["DicomIngest__CompletionPollInterval"] = "00:00:00.100",
            // Still pending when the broker goes down (a shutdown takes seconds), complete some time around its restart.
            ["DicomIngest__Senders__0__AeTitle"] = BeforeOutageAe,
            ["DicomIngest__Senders__0__StableTimeout"] = "00:00:30",
            // Complete while the broker is down.
            ["DicomIngest__Senders__1__AeTitle"] = DuringOutageAe,
            ["DicomIngest__Senders__1__StableTimeout"] = "00:00:01",
        };
        var (api, ingest) = await StartBothAsync(settings, ingestSettings);
        await using var _ = api;
        await using var __ = ingest;
        await Task.WhenAll(api.WaitUntilReadyAsync(Patience), ingest.WaitUntilReadyAsync(Patience));
        var dicomPort = int.Parse(DicomListening().Match(await ingest.Process.WaitForLineAsync(
            l => DicomListening().IsMatch(l), TimeSpan.FromSeconds(30), "the DICOM listener")).Groups["port"].Value, CultureInfo.InvariantCulture);

        // A study whose reception is pending (its stable timeout runs) when the broker goes down.
        var pendingStudy = await WriteStudyAsync(work, "pending");
        await SendAsync(dicomPort, BeforeOutageAe, pendingStudy);
        await _broker.StopAsync();
        var pending = await ReceptionAsync(pendingStudy);
        Assert.True(pending is { Status: "receiving" }, $"the study sent before the outage is still pending when the broker is down (reception: {pending})");

        // Both services say the broker is gone.
        foreach (var service in new[] { api, ingest })
        {
            await Eventually.UntilAsync(async () => await BrokerCheckAsync(service) is (HttpStatusCode.ServiceUnavailable, "Unhealthy"),
                TimeSpan.FromSeconds(30), $"{service.Process.Name} /health/ready to report the broker unhealthy");
        }

        // A study received and completed during the outage: ingest accepts it and keeps its StudyReceived.
        var outageStudy = await WriteStudyAsync(work, "outage");
        await SendAsync(dicomPort, DuringOutageAe, outageStudy);
        var completedDuringOutage = await Eventually.ValueAsync(async () => await ReceptionAsync(outageStudy) is { Status: "complete" } r ? r : null,
            TimeSpan.FromSeconds(30), "the study sent during the outage to complete");
        Assert.Null(completedDuringOutage.PublishedAt);
        Assert.True(completedDuringOutage.InOutbox, "StudyReceived is kept in ingest's outbox while the broker is down");
        Assert.False(_broker.IsRunning);

        await _broker.StartAsync();

        // Nothing lost: each job reaches the api, with its StudyReceived once.
        foreach (var (study, sender) in new[] { (pendingStudy, BeforeOutageAe), (outageStudy, DuringOutageAe) })
        {
            var reception = await Eventually.ValueAsync(async () => await ReceptionAsync(study) is { PublishedAt: not null } r ? r : null,
                Patience, $"ingest to publish the StudyReceived of the study from {sender}");
            using var detail = JsonDocument.Parse(await Eventually.ValueAsync(() => JobDetailAsync(api, reception.JobId), Patience, $"the api to record the job from {sender}"));
            var timeline = detail.RootElement;
            var received = Assert.Single(timeline.GetProperty("timeline").EnumerateArray());
            Assert.Equal("StudyReceived", received.GetProperty("eventType").GetString());
            Assert.Equal(reception.JobId, received.GetProperty("messageId").GetGuid());
            var job = timeline.GetProperty("job");
            Assert.Equal("received", job.GetProperty("status").GetString());
            Assert.Equal(sender, job.GetProperty("sendingAe").GetString());
            Assert.Equal(study.StudyInstanceUid, job.GetProperty("studyInstanceUid").GetString());
        }

        // Nothing left behind in the broker: the api's durable queue is there, with no message waiting, none failed.
        await Eventually.UntilAsync(async () => await _broker.QueueDepthsAsync() is var depths && depths.ContainsKey("job-events") && depths.Values.All(d => d == 0),
            TimeSpan.FromSeconds(60), "the job-events queue to exist and every queue to be empty");

        foreach (var service in new[] { api, ingest })
        {
            await Eventually.UntilAsync(async () => await BrokerCheckAsync(service) is (HttpStatusCode.OK, "Healthy"),
                Patience, $"{service.Process.Name} /health/ready to report the broker healthy again");
            // MassTransit's own check follows: its receive endpoints (one per consumer queue) reconnect one by one, the
            // bus is Degraded until the last one is back.
            await Eventually.UntilAsync(async () => (await service.WaitUntilReadyAsync(Patience)).GetProperty("checks").GetProperty("masstransit-bus").GetProperty("status").GetString() == "Healthy",
                Patience, $"{service.Process.Name}'s bus to report every receive endpoint connected again");
            // The outage's warnings and errors carry no patient data either (CT_small's patient name and ID).
            Assert.DoesNotContain("CompressedSamples", service.Process.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("1CT1", service.Process.Output, StringComparison.Ordinal);
        }
    }

    /// <summary>One CT instance of a new study (pydicom's CT_small with fresh UIDs), in its own folder.</summary>
    private static async Task<Study> WriteStudyAsync(TemporaryDirectory work, string name)
    {
        var folder = Path.Combine(work.Path, name);
        Directory.CreateDirectory(folder);
        const string Script = """
            import sys, pydicom
            from pydicom.data import get_testdata_file
            from pydicom.uid import generate_uid
            ds = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
            ds.StudyInstanceUID = generate_uid()
            ds.SeriesInstanceUID = generate_uid()
            ds.SOPInstanceUID = generate_uid()
            ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
            ds.save_as(sys.argv[1] + "/ct.dcm")
            print(ds.StudyInstanceUID)
            """;
        var written = (await ExternalTool.RunAsync("/usr/bin/python3", "-c", Script, folder)).EnsureSuccess("pydicom writing a study");
        return new Study(folder, written.Output.Trim());
    }

    private static async Task SendAsync(int port, string callingAe, Study study) =>
        (await ExternalTool.RunAsync("dcmsend", "-aet", callingAe, "-aec", "RADAI", "+sd", "+r", "-nuc", "127.0.0.1", port.ToString(CultureInfo.InvariantCulture), study.Folder))
            .EnsureSuccess($"dcmsend as {callingAe}");

    /// <summary>Ingest's reception of a study and the state of its StudyReceived in the outbox, read from its tables.</summary>
    private async Task<Reception?> ReceptionAsync(Study study)
    {
        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT r.job_id, r.status, o.message_id IS NOT NULL, o.published_at
            FROM ingest_receptions r LEFT JOIN ingest_outbox o ON o.job_id = r.job_id
            WHERE r.study_instance_uid = @study
            """, connection);
        command.Parameters.AddWithValue("study", study.StudyInstanceUid);
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync())
        {
            return null;
        }

        var reception = new Reception(reader.GetGuid(0), reader.GetString(1), reader.GetBoolean(2), reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3));
        Assert.False(await reader.ReadAsync(), $"one reception of study {study.StudyInstanceUid}");
        return reception;
    }

    /// <summary>The api's answer for a job (with its timeline), or null while it does not know the job.</summary>
    private static async Task<string?> JobDetailAsync(RunningService api, Guid jobId)
    {
        using var response = await api.Http.GetAsync(new Uri($"/api/jobs/{jobId}", UriKind.Relative));
        return response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadAsStringAsync() : null;
    }

    /// <summary>Starts the api and dicom-ingest side by side; neither is left running if the other fails to start.</summary>
    private static async Task<(RunningService Api, RunningService Ingest)> StartBothAsync(
        IReadOnlyDictionary<string, string?> apiSettings, IReadOnlyDictionary<string, string?> ingestSettings)
    {
        var api = RunningService.StartAsync("RadAI.Api.Host", apiSettings);
        var ingest = RunningService.StartAsync("RadAI.DicomIngest.Host", ingestSettings);
        try
        {
            await Task.WhenAll(api, ingest);
            // The job endpoints need a signed-in caller.
            await ApiAccess.SignInAsync(api.Result.Http);
            return (api.Result, ingest.Result);
        }
        catch
        {
            foreach (var started in new[] { api, ingest }.Where(t => t.IsCompletedSuccessfully))
            {
                await started.Result.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>The answer of <c>/health/ready</c> and the status of its broker check.</summary>
    private static async Task<(HttpStatusCode Code, string? Broker)> BrokerCheckAsync(RunningService service)
    {
        using var response = await service.Http.GetAsync(new Uri("/health/ready", UriKind.Relative));
        var report = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (response.StatusCode, report.GetProperty("checks").GetProperty("broker").GetProperty("status").GetString());
    }

    private sealed record Study(string Folder, string StudyInstanceUid);

    private sealed record Reception(Guid JobId, string Status, bool InOutbox, DateTimeOffset? PublishedAt);

    [GeneratedRegex(@"dicom-ingest: \S+ listening on 127\.0\.0\.1:(?<port>\d+)")]
    private static partial Regex DicomListening();
}
