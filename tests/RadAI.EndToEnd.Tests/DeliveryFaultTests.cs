using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using RadAI.Testing;
using Xunit;

namespace RadAI.EndToEnd.Tests;

/// <summary>
/// Faults along the way, with the five services as processes: the PACS down when the report is ready, pacs-sender
/// killed while it delivers, the broker restarted while the job is under way. Each time the report reaches Orthanc
/// once: one ReportDelivered in the job's timeline, one Orthanc instance per report object.
/// </summary>
[Collection(HospitalCollection.Name)]
public sealed class DeliveryFaultTests(HospitalFixture hospital)
{
    private PipelineCluster Cluster => hospital.Cluster;

    [Fact]
    public Task Orthanc_down_when_the_report_is_ready_is_retried_and_delivered_once_it_is_back() => hospital.RunAsync(async () =>
    {
        var ct = await hospital.WriteSyntheticCtAsync("pacs-down-ct");
        var (orthancStudy, sourceSeries) = await hospital.SendThroughPacsAsync(ct.Folder);
        // Orthanc has sent the study (the push is synchronous); now it goes down before RadAI has a report.
        await hospital.Pacs.StopAsync();
        Delivery failed;
        try
        {
            var received = await Cluster.WaitForJobAsync(ct.StudyInstanceUid, _ => true, HospitalFixture.JobTimeout, "to exist");
            var jobId = received.GetProperty("jobId").GetGuid();

            // pacs-sender tried, failed, and says why; the delivery stays pending (retried), the job is not delivered.
            failed = await Eventually.ValueAsync(
                async () => await DeliveryAsync(jobId) is { Attempts: >= 2, LastError: not null } delivery ? delivery : null,
                HospitalFixture.JobTimeout, $"two failed delivery attempts of job {jobId}");
            Assert.Equal("pending", failed.Status);
            Assert.Contains($"Cannot connect to 127.0.0.1:{hospital.Pacs.DicomPort.ToString(CultureInfo.InvariantCulture)}", failed.LastError, StringComparison.Ordinal);
            // The api too: reported, not delivered (a delivered job never goes back to report-ready).
            await Cluster.WaitForJobAsync(ct.StudyInstanceUid, status => status == "report-ready", TimeSpan.FromSeconds(30), "to show report-ready");
        }
        finally
        {
            await hospital.Pacs.StartAsync();
        }

        var delivered = await AssertDeliveredOnceAsync(ct, orthancStudy, sourceSeries, "pacs-down-ct-orthanc");
        Assert.True(delivered.Attempts > failed.Attempts, $"Delivered at attempt {delivered.Attempts}, not after the {failed.Attempts} failed ones.");
    });

    [Fact]
    public Task Pacs_sender_killed_while_it_delivers_delivers_once_after_its_restart() => hospital.RunAsync(async () =>
    {
        var ct = await hospital.WriteSyntheticCtAsync("sender-killed-ct");
        var (orthancStudy, sourceSeries) = await hospital.SendThroughPacsAsync(ct.Folder);

        // In Orthanc's place, a PACS that accepts the connection and never answers: the attempt that connects stays
        // in progress (association requested, no answer) until pacs-sender is killed.
        await hospital.Pacs.StopAsync();
        Delivery inFlight;
        try
        {
            var silentPacs = new TcpListener(IPAddress.Loopback, hospital.Pacs.DicomPort);
            silentPacs.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            silentPacs.Start();
            try
            {
                using var acceptTimeout = new CancellationTokenSource(HospitalFixture.JobTimeout);
                using var connection = await silentPacs.AcceptTcpClientAsync(acceptTimeout.Token);
                var jobId = Assert.Single(await Cluster.JobsOfStudyAsync(ct.StudyInstanceUid)).GetProperty("jobId").GetGuid();
                await Cluster.ProcessOf(PipelineCluster.PacsSender).WaitForLineAsync(
                    l => l.Contains(jobId.ToString(), StringComparison.Ordinal) && l.Contains("objects to store", StringComparison.Ordinal),
                    TimeSpan.FromSeconds(30), "pacs-sender's line that the attempt started");
                inFlight = await DeliveryAsync(jobId) ?? throw new InvalidOperationException($"No delivery of job {jobId} while it is sent.");
                Assert.Equal("pending", inFlight.Status);
                await Cluster.KillServiceAsync(PipelineCluster.PacsSender);
            }
            finally
            {
                silentPacs.Stop();
            }
        }
        finally
        {
            // Also when the test failed: the next tests need the PACS and pacs-sender.
            await hospital.Pacs.StartAsync();
            if (!Cluster.IsRunning(PipelineCluster.PacsSender))
            {
                await Cluster.StartServiceAsync(PipelineCluster.PacsSender);
            }
        }

        // The killed attempt counted; the next one, once its lease ended, delivered everything.
        var delivered = await AssertDeliveredOnceAsync(ct, orthancStudy, sourceSeries, "sender-killed-ct-orthanc");
        Assert.Equal(inFlight.Attempts + 1, delivered.Attempts);
    });

    [Fact]
    public Task Broker_restarted_while_the_job_is_under_way_the_job_completes_with_each_event_once() => hospital.RunAsync(async () =>
    {
        var ct = await hospital.WriteSyntheticCtAsync("broker-restart-ct");
        var (orthancStudy, sourceSeries) = await hospital.SendThroughPacsAsync(ct.Folder);

        // Orthanc has sent the study: the broker goes down while RadAI has it (waiting for the study to be stable,
        // analysing it, or reporting), and comes back on the same port with its durable queues.
        await hospital.Broker.StopAsync();
        var down = DateTimeOffset.UtcNow;
        try
        {
            // Every service sees the outage: readiness fails on the broker check.
            foreach (var service in PipelineCluster.Services)
            {
                await Eventually.UntilAsync(async () =>
                {
                    using var ready = await Cluster.HttpOf(service).GetAsync(new Uri("/health/ready", UriKind.Relative));
                    return ready.StatusCode == HttpStatusCode.ServiceUnavailable;
                }, TimeSpan.FromSeconds(60), $"{service} to report the broker down");
            }
        }
        finally
        {
            await hospital.Broker.StartAsync();
        }

        await AssertDeliveredOnceAsync(ct, orthancStudy, sourceSeries, "broker-restart-ct-orthanc");
        var job = Assert.Single(await Cluster.JobsOfStudyAsync(ct.StudyInstanceUid)).GetProperty("jobId").GetGuid();
        var timeline = (await Cluster.JobDetailAsync(job)).GetProperty("timeline").EnumerateArray()
            .Select(e => (Type: e.GetProperty("eventType").GetString()!, At: e.GetProperty("occurredAt").GetDateTimeOffset())).ToList();
        Assert.Equal(["StudyReceived", "AnalysisDone", "ReportReady", "ReportDelivered"], timeline.Select(e => e.Type));
        // The job was under way across the outage, not over before it.
        Assert.True(timeline[^1].At > down, $"ReportDelivered at {timeline[^1].At:O}, before the broker went down at {down:O}: the restart proved nothing.");
    });

    /// <summary>
    /// The job ends delivered; its timeline has one ReportDelivered; Orthanc holds SR, SEG and DOC in the study, each
    /// report object once (as many new instances as pacs-sender has objects for the job).
    /// </summary>
    private async Task<Delivery> AssertDeliveredOnceAsync(SyntheticCtStudy ct, string orthancStudy, IReadOnlyList<string> sourceSeries, string workFolder)
    {
        var job = await Cluster.WaitUntilEndedAsync(ct.StudyInstanceUid, HospitalFixture.JobTimeout);
        var jobId = job.GetProperty("jobId").GetGuid();
        Assert.True(job.GetProperty("status").GetString() == "delivered",
            $"The job ended '{job.GetProperty("status")}', not delivered. Timeline: {(await Cluster.JobDetailAsync(jobId)).GetProperty("timeline")}");
        var timeline = await Cluster.TimelineAsync(jobId);
        Assert.Single(timeline, e => e == "ReportDelivered");
        Assert.DoesNotContain("DeliveryFailed", timeline);

        var series = await OrthancReportChecks.AssertReportInStudyAsync(
            hospital.Pacs.Client, orthancStudy, ct.StudyInstanceUid, sourceSeries, hospital.WorkFolder(workFolder), TimeSpan.FromSeconds(30));
        var objects = await ReportObjectUidsAsync(jobId);
        var reported = series.Where(s => !sourceSeries.Contains(s.Id)).SelectMany(s => s.Instances).ToList();
        Assert.Equal(objects.Count, reported.Count);
        var storedUids = new List<string>();
        foreach (var instance in reported)
        {
            storedUids.Add((await hospital.Pacs.Client.SimplifiedTagsAsync(instance)).GetProperty("SOPInstanceUID").GetString()!);
        }

        Assert.Equal(objects.Order(StringComparer.Ordinal), storedUids.Order(StringComparer.Ordinal));
        foreach (var modality in OrthancReportChecks.ReportModalities)
        {
            Assert.Single(series, s => s.Modality == modality);
        }

        var delivery = await DeliveryAsync(jobId);
        Assert.NotNull(delivery);
        Assert.Equal("delivered", delivery.Status);
        return delivery;
    }

    /// <summary>pacs-sender's delivery of a job to the hospital PACS (table pacs_deliveries), or null before ReportReady reached it.</summary>
    private async Task<Delivery?> DeliveryAsync(Guid jobId)
    {
        await using var connection = new NpgsqlConnection(hospital.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT status, attempts, last_error FROM pacs_deliveries WHERE job_id = @job AND destination_ae = @destination", connection);
        command.Parameters.AddWithValue("job", jobId);
        command.Parameters.AddWithValue("destination", hospital.Pacs.AeTitle);
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync()
            ? new Delivery(reader.GetString(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetString(2))
            : null;
    }

    /// <summary>The SOP Instance UIDs of the report objects pacs-sender has for a job (table pacs_job_objects).</summary>
    private async Task<IReadOnlyList<string>> ReportObjectUidsAsync(Guid jobId)
    {
        await using var connection = new NpgsqlConnection(hospital.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT sop_instance_uid FROM pacs_job_objects WHERE job_id = @job", connection);
        command.Parameters.AddWithValue("job", jobId);
        await using var reader = await command.ExecuteReaderAsync();
        var uids = new List<string>();
        while (await reader.ReadAsync())
        {
            uids.Add(reader.GetString(0));
        }

        return uids;
    }

    /// <summary>A row of pacs_deliveries: pending, delivered or failed; attempts of the round; why the last attempt failed.</summary>
    private sealed record Delivery(string Status, long Attempts, string? LastError);
}
