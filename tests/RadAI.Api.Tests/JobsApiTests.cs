using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using RadAI.Api.Apis;
using RadAI.Api.Jobs;
using RadAI.Api.Security;
using RadAI.Contracts;
using RadAI.Data;
using RadAI.Data.Audit;
using RadAI.Dicom;
using RadAI.Dicom.IO;
using RadAI.Testing;
using Xunit;

namespace RadAI.Api.Tests;

/// <summary>The job read model and its endpoints: projection, list, detail, downloads, resend, rerun, live feed.</summary>
public sealed class JobsApiTests
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly DateTimeOffset Start = new(2026, 11, 20, 8, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task Projection_gives_the_same_detail_whatever_the_order_and_duplicates_of_the_events(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = await JobsTestHost.StartAsync(database);
        var inOrder = new JobStory(Guid.NewGuid(), Start);
        var shuffled = new JobStory(Guid.NewGuid(), Start);

        var events = inOrder.All;
        for (var i = 0; i < events.Count; i++)
        {
            await JobStory.PublishAsync(host, events[i], Guid.NewGuid());
            await host.WaitForEventsAsync(inOrder.JobId, i + 1);
        }

        // The other job: last event first, and every event delivered twice with its message id.
        foreach (var jobEvent in shuffled.All.Reverse())
        {
            var messageId = Guid.NewGuid();
            await JobStory.PublishAsync(host, jobEvent, messageId);
            await JobStory.PublishAsync(host, jobEvent, messageId);
        }

        await host.WaitForEventsAsync(shuffled.JobId, shuffled.All.Count);

        var expected = await DetailAsync(host, inOrder.JobId);
        var actual = await DetailAsync(host, shuffled.JobId);
        Assert.Equal(JobStatus.Delivered, expected.Job.Status);
        Assert.Equal(JobStatus.Delivered, actual.Job.Status);
        Assert.Equal(expected.Job.CreatedAt, actual.Job.CreatedAt);
        Assert.Equal(expected.Job.UpdatedAt, actual.Job.UpdatedAt);
        Assert.Equal(["CT"], actual.Job.Modalities);
        Assert.Equal("MODALITY1", actual.Job.SendingAe);
        Assert.Equal(Comparable(expected), Comparable(actual));
        Assert.Equal(shuffled.All.Count, actual.Timeline.Count);

        // What the detail says, from the events.
        Assert.Equal("default", actual.RoutingProfile);
        Assert.Equal(shuffled.SeriesUid, Assert.Single(actual.Series).SeriesInstanceUid);
        Assert.Equal(2, actual.Decisions.Count);
        Assert.Contains(actual.Decisions, d => !d.Selected && d.Reason == "modality CT not in [MR]");
        Assert.Equal("radai.ct.lung-quant", Assert.Single(actual.Models).ModelId);
        Assert.Equal(3, actual.Findings!.Total);
        Assert.Equal(["SR", "SEG", "PDF"], actual.Report!.Objects.Select(o => o.Kind));
        Assert.True(actual.Report.HasPdfDocument);
        Assert.Collection(actual.Deliveries,
            archive => Assert.Equal(("ARCHIVE", "failed", 5), (archive.DestinationAeTitle, archive.Status, archive.Attempts)),
            pacs => Assert.Equal(("PACS", "delivered", 3), (pacs.DestinationAeTitle, pacs.Status, pacs.Objects.Count)));
        Assert.Equal(["analysis", "delivery", "delivery"], actual.Errors.Select(e => e.Stage));
        Assert.Equal("model-error", actual.Errors[0].Code);

        // The series description (free text typed at the modality) is not passed on.
        var raw = await host.Reader.GetStringAsync($"/api/jobs/{shuffled.JobId}");
        Assert.DoesNotContain("not published", raw.Split("\"timeline\"")[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Job_list_filters_sorts_pages_and_refuses_bad_values()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var host = await JobsTestHost.StartAsync(database);
        var ct = new JobStory(Guid.NewGuid(), Start, "CT_SCANNER", "CT");
        var mr = new JobStory(Guid.NewGuid(), Start.AddDays(1), "MR_SCANNER", "MR");
        var ct2 = new JobStory(Guid.NewGuid(), Start.AddDays(2), "CT_SCANNER", "CT");
        await host.PublishAsync(ct.Received);
        await host.PublishAsync(mr.Received);
        await host.PublishAsync(ct2.Received);
        await host.PublishAsync(ct2.Done);
        await host.WaitForEventsAsync(ct.JobId, 1);
        await host.WaitForEventsAsync(mr.JobId, 1);
        await host.WaitForEventsAsync(ct2.JobId, 2);

        Assert.Equal([ct2.JobId, ct.JobId], await IdsAsync(host, "/api/jobs?modality=ct"));
        Assert.Equal([mr.JobId], await IdsAsync(host, "/api/jobs?sender=MR_SCANNER"));
        Assert.Equal([ct2.JobId], await IdsAsync(host, "/api/jobs?status=analysed"));
        Assert.Equal([mr.JobId], await IdsAsync(host, "/api/jobs?from=2026-11-21&to=2026-11-22"));
        Assert.Equal([ct.JobId, mr.JobId, ct2.JobId], await IdsAsync(host, "/api/jobs?sort=received&order=asc"));
        Assert.Equal([ct2.JobId, mr.JobId, ct.JobId], await IdsAsync(host, "/api/jobs?sort=updated"));

        using var page = await host.Reader.GetAsync("/api/jobs?sort=received&order=asc&limit=1&offset=1");
        Assert.Equal("3", Assert.Single(page.Headers.GetValues("X-Total-Count")));
        Assert.Equal(mr.JobId, Assert.Single((await page.Content.ReadFromJsonAsync<List<JobSummary>>(Json))!).JobId);

        foreach (var bad in new[] { "status=lost", "modality=C%20T", "from=yesterday", "from=2026-11-22&to=2026-11-21", "sort=name", "order=up", "limit=0", "offset=-1" })
        {
            using var refused = await host.Reader.GetAsync($"/api/jobs?{bad}");
            Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, $"{bad}: {refused.StatusCode}");
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }

        using var unknown = await host.Reader.GetAsync($"/api/jobs/{Guid.NewGuid()}");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);

        // Every role may read the jobs, but only signed in.
        foreach (var path in new[] { "/api/jobs", $"/api/jobs/{ct.JobId}", "/api/jobs/events" })
        {
            using var anonymous = await host.Client.GetAsync(path);
            Assert.True(anonymous.StatusCode == HttpStatusCode.Unauthorized, $"{path}: {anonymous.StatusCode}");
        }
    }

    [Fact]
    public async Task Downloads_stream_the_report_files_to_radiologists_only_and_are_audited()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var host = await JobsTestHost.StartAsync(database);
        var story = new JobStory(Guid.NewGuid(), Start);
        var folder = Directory.CreateDirectory(Path.Combine(host.Storage.Path, "reports", story.JobId.ToString("N"))).FullName;
        await File.WriteAllBytesAsync(Path.Combine(folder, "sr.dcm"), [1, 2, 3, 4]);
        await File.WriteAllBytesAsync(Path.Combine(folder, "pdf.dcm"), [5, 6, 7, 8, 9, 10]);
        await File.WriteAllBytesAsync(Path.Combine(folder, "report.pdf"), "%PDF-1.7"u8.ToArray());
        await host.PublishAsync(story.Received);
        await host.PublishAsync(story.Ready);
        await host.WaitForEventsAsync(story.JobId, 2);
        var radiologist = await host.CreateUserAndLoginAsync("rad", Roles.Radiologist);
        var viewer = await host.CreateUserAndLoginAsync("view", Roles.Viewer);
        var admin = await host.LoginAsync("admin", JobsTestHost.AdminPassword);
        var sr = $"/api/jobs/{story.JobId}/report/sr";

        using (var anonymous = await host.SendAsync(HttpMethod.Get, sr))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        using (var tooWeak = await host.SendAsync(HttpMethod.Get, sr, viewer))
        {
            Assert.Equal(HttpStatusCode.Forbidden, tooWeak.StatusCode);
        }

        using (var adminRefused = await host.SendAsync(HttpMethod.Get, sr, admin))
        {
            Assert.Equal(HttpStatusCode.Forbidden, adminRefused.StatusCode);
        }

        using (var file = await host.SendAsync(HttpMethod.Get, sr, radiologist))
        {
            Assert.Equal(HttpStatusCode.OK, file.StatusCode);
            Assert.Equal("application/dicom", file.Content.Headers.ContentType?.MediaType);
            Assert.Equal([1, 2, 3, 4], await file.Content.ReadAsByteArrayAsync());
        }

        using (var pdf = await host.SendAsync(HttpMethod.Get, $"/api/jobs/{story.JobId}/report/pdf?format=pdf", radiologist))
        {
            Assert.Equal(HttpStatusCode.OK, pdf.StatusCode);
            Assert.Equal("application/pdf", pdf.Content.Headers.ContentType?.MediaType);
            Assert.Equal("%PDF-1.7"u8.ToArray(), await pdf.Content.ReadAsByteArrayAsync());
        }

        using (var encapsulated = await host.SendAsync(HttpMethod.Get, $"/api/jobs/{story.JobId}/report/pdf", radiologist))
        {
            Assert.Equal([5, 6, 7, 8, 9, 10], await encapsulated.Content.ReadAsByteArrayAsync());
        }

        // The SEG is listed by the report but its file is absent.
        using (var missing = await host.SendAsync(HttpMethod.Get, $"/api/jobs/{story.JobId}/report/seg", radiologist))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
        }

        using (var unknownJob = await host.SendAsync(HttpMethod.Get, $"/api/jobs/{Guid.NewGuid()}/report/sr", radiologist))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknownJob.StatusCode);
        }

        var downloads = (await AuditAsync(host, admin)).Where(e => e.Action == JobActionsApi.DownloadAction && e.Resource == $"job:{story.JobId:D}").ToList();
        Assert.Equal(["success", "success", "success", "not-found"], downloads.OrderBy(e => e.Sequence).Select(e => e.Outcome));
        Assert.All(downloads, e => Assert.StartsWith("user:", e.Actor, StringComparison.Ordinal));
        Assert.Contains(downloads, e => e.Details!.Contains("\"kind\":\"SR\"", StringComparison.Ordinal) && e.Details.Contains(story.StudyUid + ".9.1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Worklist_identity_goes_to_radiologists_only_with_one_audit_entry_naming_the_jobs()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var host = await JobsTestHost.StartAsync(database);
        var first = new JobStory(Guid.NewGuid(), Start);
        var second = new JobStory(Guid.NewGuid(), Start.AddMinutes(1));
        var purged = new JobStory(Guid.NewGuid(), Start.AddMinutes(2));
        await WriteInstanceAsync(host, first, "DOE^JANE", "PID-0001");
        await WriteInstanceAsync(host, second, "ROE^RICHARD", "PID-0002");
        foreach (var story in new[] { first, second, purged })
        {
            await host.PublishAsync(story.Received);
            await host.WaitForEventsAsync(story.JobId, 1);
        }

        var radiologist = await host.CreateUserAndLoginAsync("rad", Roles.Radiologist);
        var viewer = await host.CreateUserAndLoginAsync("view", Roles.Viewer);
        var admin = await host.LoginAsync("admin", JobsTestHost.AdminPassword);
        var query = $"/api/jobs/patients?jobId={first.JobId}&jobId={second.JobId}&jobId={purged.JobId}&jobId={Guid.NewGuid()}&jobId={first.JobId}";

        // The server decides: a viewer and an administrator get no identity, whatever the dashboard shows.
        using (var tooWeak = await host.SendAsync(HttpMethod.Get, query, viewer))
        {
            Assert.Equal(HttpStatusCode.Forbidden, tooWeak.StatusCode);
            Assert.DoesNotContain("DOE", await tooWeak.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var adminRefused = await host.SendAsync(HttpMethod.Get, query, admin))
        {
            Assert.Equal(HttpStatusCode.Forbidden, adminRefused.StatusCode);
        }

        var before = (await AuditAsync(host, admin)).Count(e => e.Action == ViewerApi.PatientListAction);
        using var answer = await host.SendAsync(HttpMethod.Get, query, radiologist);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.True(answer.Headers.CacheControl is { NoStore: true, Private: true }, $"Cache-Control: {answer.Headers.CacheControl}");
        var patients = (await answer.Content.ReadFromJsonAsync<List<ViewerApi.JobPatient>>(Json))!;
        Assert.Equal(
            [new ViewerApi.JobPatient(first.JobId, "DOE^JANE", "PID-0001"), new ViewerApi.JobPatient(second.JobId, "ROE^RICHARD", "PID-0002")],
            patients);

        // One entry for the request, naming the jobs whose identity left the server, never the identity itself.
        var entries = (await AuditAsync(host, admin)).Where(e => e.Action == ViewerApi.PatientListAction).ToList();
        Assert.Equal(before + 1, entries.Count);
        var entry = entries[^1];
        Assert.Equal("success", entry.Outcome);
        Assert.StartsWith("user:", entry.Actor, StringComparison.Ordinal);
        var named = JsonDocument.Parse(entry.Details!).RootElement.GetProperty("jobIds").EnumerateArray().Select(e => e.GetGuid()).ToList();
        Assert.Equal([first.JobId, second.JobId], named);
        Assert.DoesNotContain("DOE", entry.Details, StringComparison.Ordinal);
        Assert.DoesNotContain("PID-0001", entry.Details, StringComparison.Ordinal);

        // The job list itself carries no identity, for a radiologist too.
        using (var list = await host.SendAsync(HttpMethod.Get, "/api/jobs", radiologist))
        {
            var text = await list.Content.ReadAsStringAsync();
            Assert.Contains(first.JobId.ToString(), text, StringComparison.Ordinal);
            Assert.DoesNotContain("DOE", text, StringComparison.Ordinal);
        }

        using (var none = await host.SendAsync(HttpMethod.Get, "/api/jobs/patients", radiologist))
        {
            Assert.Equal(HttpStatusCode.BadRequest, none.StatusCode);
        }

        var tooMany = string.Join("&", Enumerable.Range(0, ViewerApi.MaxPatientListJobs + 1).Select(_ => $"jobId={Guid.NewGuid()}"));
        using (var refused = await host.SendAsync(HttpMethod.Get, $"/api/jobs/patients?{tooMany}", radiologist))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        }
    }

    [Fact]
    public async Task The_mask_endpoint_inflates_a_label_map_once_for_all_its_slices()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var host = await JobsTestHost.StartAsync(database);
        var story = new JobStory(Guid.NewGuid(), Start);
        const int columns = 4, rows = 3, slices = 2;
        byte[] labels = [0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, /* slice 1 */ 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];
        var folder = Directory.CreateDirectory(Path.Combine(host.Storage.Path, "results", story.JobId.ToString("N"), "run-1")).FullName;
        await using (var mask = File.Create(Path.Combine(folder, "mask.bin")))
        {
            await RadAI.Contracts.Findings.LabelMapFile.WriteAsync(mask, columns, rows, slices, labels);
        }

        var code = new RadAI.Contracts.Findings.Code("SCT", "39607008", "Lung");
        var results = new RadAI.Contracts.Findings.AnalysisResults(1, story.JobId, story.StudyUid, Start.AddMinutes(1),
        [
            new RadAI.Contracts.Findings.RunResults(
                "run-1", new RadAI.Contracts.Findings.ModelIdentity("radai.ct.lung-quant", "1.2.0", "Lung", "DEMO", "Demo.", []), story.SeriesUid, "CT", "",
                new RadAI.Contracts.Findings.VolumeGeometry(columns, rows, slices, new(1, 1, 1), new(0, 0, 0), new(1, 0, 0), new(0, 1, 0),
                    [new(story.SeriesUid + ".1", "1.2.840.10008.5.1.4.1.1.2", 1), new(story.SeriesUid + ".2", "1.2.840.10008.5.1.4.1.1.2", 1)]),
                "CPU", 10, [new RadAI.Contracts.Findings.SegmentInfo(1, "Lung", code, code, null, 5)],
                new StorageReference("results", $"{story.JobId:N}/run-1/mask.bin"), [], []),
        ]);
        await File.WriteAllTextAsync(Path.Combine(host.Storage.Path, "results", story.JobId.ToString("N"), "findings.json"), JsonSerializer.Serialize(results, Json));
        await host.PublishAsync(story.Received);
        await host.PublishAsync(story.Done);
        await host.WaitForEventsAsync(story.JobId, 2);
        var radiologist = await host.CreateUserAndLoginAsync("rad", Roles.Radiologist);
        var cache = host.Services.GetRequiredService<LabelMapCache>();
        var before = cache.Decodes;

        for (var round = 0; round < 2; round++)
        {
            for (var z = 0; z < slices; z++)
            {
                using var answer = await host.SendAsync(HttpMethod.Get, $"/api/jobs/{story.JobId}/runs/run-1/slices/{z}/mask", radiologist);
                Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
                Assert.Equal(("4", "3"), (answer.Headers.GetValues("X-Columns").Single(), answer.Headers.GetValues("X-Rows").Single()));
                Assert.Equal(labels.AsSpan(z * columns * rows, columns * rows).ToArray(), await answer.Content.ReadAsByteArrayAsync());
            }
        }

        // Four slices read, one inflation.
        Assert.Equal(before + 1, cache.Decodes);
    }

    /// <summary>One received instance of a story's series in the instances store, naming a patient.</summary>
    private static async Task WriteInstanceAsync(JobsTestHost host, JobStory story, string patientName, string patientId)
    {
        var folder = Directory.CreateDirectory(Path.Combine(host.Storage.Path, "instances", story.JobId.ToString("N"), story.SeriesUid)).FullName;
        var dataset = new DicomDataset()
            .AddOrUpdate(DicomTags.SOPClassUID, "1.2.840.10008.5.1.4.1.1.2")
            .AddOrUpdate(DicomTags.SOPInstanceUID, story.SeriesUid + ".1")
            .AddOrUpdate(DicomTags.PatientName, patientName)
            .AddOrUpdate(DicomTags.PatientID, patientId)
            .AddOrUpdate(DicomTags.StudyInstanceUID, story.StudyUid)
            .AddOrUpdate(DicomTags.SeriesInstanceUID, story.SeriesUid)
            .AddOrUpdate(DicomTags.Modality, "CT");
        await new DicomFile(dataset).SaveAsync(Path.Combine(folder, story.SeriesUid + ".1.dcm"));
    }

    [Fact]
    public async Task Resend_publishes_the_command_for_a_job_with_a_report_and_is_audited()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var host = await JobsTestHost.StartAsync(database);
        var reported = new JobStory(Guid.NewGuid(), Start);
        var unreported = new JobStory(Guid.NewGuid(), Start);
        await host.PublishAsync(reported.Received);
        await host.PublishAsync(reported.Ready);
        await host.PublishAsync(unreported.Received);
        await host.WaitForEventsAsync(reported.JobId, 2);
        await host.WaitForEventsAsync(unreported.JobId, 1);
        var radiologist = await host.CreateUserAndLoginAsync("rad", Roles.Radiologist);
        var viewer = await host.CreateUserAndLoginAsync("view", Roles.Viewer);
        var admin = await host.LoginAsync("admin", JobsTestHost.AdminPassword);

        using var accepted = await host.SendAsync(HttpMethod.Post, $"/api/jobs/{reported.JobId}/resend", radiologist, new JobActionsApi.ResendRequest("PACS2"));
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var answer = (await accepted.Content.ReadFromJsonAsync<JobActionsApi.ResendAccepted>(Json))!;
        Assert.True(await host.Harness.Published.Any<ResendReport>(m =>
            m.Context.Message.JobId == reported.JobId && m.Context.Message.RequestId == answer.RequestId
            && m.Context.Message.DestinationAeTitle == "PACS2" && m.Context.Message.RequestedBy!.StartsWith("user:", StringComparison.Ordinal)));

        using (var byAdmin = await host.SendAsync(HttpMethod.Post, $"/api/jobs/{reported.JobId}/resend", admin))
        {
            Assert.Equal(HttpStatusCode.Accepted, byAdmin.StatusCode);
        }

        using (var noReport = await host.SendAsync(HttpMethod.Post, $"/api/jobs/{unreported.JobId}/resend", radiologist))
        {
            Assert.Equal(HttpStatusCode.Conflict, noReport.StatusCode);
        }

        using (var unknown = await host.SendAsync(HttpMethod.Post, $"/api/jobs/{Guid.NewGuid()}/resend", radiologist))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        using (var badAe = await host.SendAsync(HttpMethod.Post, $"/api/jobs/{reported.JobId}/resend", radiologist, new JobActionsApi.ResendRequest("A\\B")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, badAe.StatusCode);
        }

        using (var tooWeak = await host.SendAsync(HttpMethod.Post, $"/api/jobs/{reported.JobId}/resend", viewer))
        {
            Assert.Equal(HttpStatusCode.Forbidden, tooWeak.StatusCode);
        }

        using (var anonymous = await host.SendAsync(HttpMethod.Post, $"/api/jobs/{reported.JobId}/resend"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        Assert.Equal(2, host.Harness.Published.Select<ResendReport>().Count());
        var audited = (await AuditAsync(host, admin)).Where(e => e.Action == JobActionsApi.ResendAction).Select(e => e.Outcome).ToList();
        Assert.Equal(["accepted", "accepted", "conflict", "not-found", "invalid"], audited);
    }

    [Fact]
    public async Task Rerun_publishes_a_new_StudyReceived_for_the_same_instances_as_a_new_related_job()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var host = await JobsTestHost.StartAsync(database);
        var story = new JobStory(Guid.NewGuid(), Start);
        Directory.CreateDirectory(Path.Combine(host.Storage.Path, "instances", story.JobId.ToString("N"), story.SeriesUid));
        await host.PublishAsync(story.Received);
        await host.PublishAsync(story.Done);
        await host.WaitForEventsAsync(story.JobId, 2);
        var radiologist = await host.CreateUserAndLoginAsync("rad", Roles.Radiologist);
        var viewer = await host.CreateUserAndLoginAsync("view", Roles.Viewer);

        using (var tooWeak = await host.SendAsync(HttpMethod.Post, $"/api/jobs/{story.JobId}/rerun", viewer))
        {
            Assert.Equal(HttpStatusCode.Forbidden, tooWeak.StatusCode);
        }

        using var accepted = await host.SendAsync(HttpMethod.Post, $"/api/jobs/{story.JobId}/rerun", radiologist);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var answer = (await accepted.Content.ReadFromJsonAsync<JobActionsApi.RerunAccepted>(Json))!;
        Assert.NotEqual(story.JobId, answer.JobId);
        Assert.Equal($"/api/jobs/{answer.JobId}", accepted.Headers.Location?.OriginalString);

        Assert.True(await host.Harness.Published.Any<StudyReceived>(m => m.Context.Message.JobId == answer.JobId));
        var published = host.Harness.Published.Select<StudyReceived>(m => m.Context.Message.JobId == answer.JobId).First().Context.Message;
        Assert.Equal(story.JobId, published.CorrelationId);
        Assert.Equal(story.StudyUid, published.StudyInstanceUid);
        Assert.Equal(story.Received.Location, published.Location);
        Assert.Equal(story.Received.Series, published.Series);
        Assert.Equal((story.Received.SendingAeTitle, story.Received.RoutingProfile), (published.SendingAeTitle, published.RoutingProfile));

        // The api projects it like any reception: a new job, related to the original.
        await host.WaitForEventsAsync(answer.JobId, 1);
        var rerun = await DetailAsync(host, answer.JobId);
        Assert.Equal(JobStatus.Received, rerun.Job.Status);
        Assert.Equal([story.JobId], rerun.RelatedJobs);
        Assert.Equal([answer.JobId], (await DetailAsync(host, story.JobId)).RelatedJobs);

        // Once retention removed the instances, there is nothing to analyse again.
        Directory.Delete(Path.Combine(host.Storage.Path, "instances", story.JobId.ToString("N")), recursive: true);
        using var gone = await host.SendAsync(HttpMethod.Post, $"/api/jobs/{story.JobId}/rerun", radiologist);
        Assert.Equal(HttpStatusCode.Conflict, gone.StatusCode);
        var admin = await host.LoginAsync("admin", JobsTestHost.AdminPassword);
        Assert.Equal(["accepted", "conflict"], (await AuditAsync(host, admin)).Where(e => e.Action == JobActionsApi.RerunAction).Select(e => e.Outcome));
    }

    [Fact]
    public async Task Live_feed_streams_each_change_resumes_after_the_last_event_id_and_sends_heartbeats()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var host = await JobsTestHost.StartAsync(database, new Dictionary<string, string?> { ["Api:Jobs:HeartbeatSeconds"] = "1" });
        var story = new JobStory(Guid.NewGuid(), Start);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/jobs/events");
        using var response = await host.Reader.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(deadline.Token));

        await host.PublishAsync(story.Received);
        var received = await NextEventAsync(reader, deadline.Token);
        await host.PublishAsync(story.Done);
        var analysed = await NextEventAsync(reader, deadline.Token);
        Assert.Equal((story.JobId, "StudyReceived", JobStatus.Received), (received.Change.JobId, received.Change.EventType, received.Change.Status));
        Assert.Equal((story.JobId, "AnalysisDone", JobStatus.Analysed), (analysed.Change.JobId, analysed.Change.EventType, analysed.Change.Status));
        Assert.True(analysed.Id > received.Id);
        Assert.DoesNotContain(story.StudyUid, received.Data, StringComparison.Ordinal);

        // Nothing happens: a heartbeat comment comes.
        while (await reader.ReadLineAsync(deadline.Token) is { } line && line != ": heartbeat")
        {
        }

        // A client that saw only the first event resumes with the second.
        using var resume = new HttpRequestMessage(HttpMethod.Get, "/api/jobs/events");
        resume.Headers.Add("Last-Event-ID", received.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var resumed = await host.Reader.SendAsync(resume, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
        using var resumedReader = new StreamReader(await resumed.Content.ReadAsStreamAsync(deadline.Token));
        var replayed = await NextEventAsync(resumedReader, deadline.Token);
        Assert.Equal((analysed.Id, "AnalysisDone"), (replayed.Id, replayed.Change.EventType));

        using var bad = new HttpRequestMessage(HttpMethod.Get, "/api/jobs/events");
        bad.Headers.Add("Last-Event-ID", "yesterday");
        using var refused = await host.Reader.SendAsync(bad, deadline.Token);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
    }

    [Fact]
    public async Task Two_replicas_on_one_PostgreSQL_database_stream_every_change_either_projected_in_one_order()
    {
        // Each replica consumes its share of the events (competing consumers on one queue) and projects it; each one's
        // feed must still stream every change, the other's included, in the database's sequence order.
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);
        var settings = new Dictionary<string, string?> { ["Api:Jobs:PollMilliseconds"] = "100" };
        await using var replicaA = await JobsTestHost.StartAsync(database, settings, readerName: "reader-a");
        await using var replicaB = await JobsTestHost.StartAsync(database, settings, readerName: "reader-b");
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var feedA = await OpenFeedAsync(replicaA, deadline.Token);
        using var feedB = await OpenFeedAsync(replicaB, deadline.Token);

        // Ten jobs, each one's StudyReceived projected by one replica and its AnalysisDone by the other, all at once.
        var stories = Enumerable.Range(0, 10).Select(i => new JobStory(Guid.NewGuid(), Start.AddMinutes(i))).ToList();
        await Task.WhenAll(stories.SelectMany((story, i) => new[]
        {
            (i % 2 == 0 ? replicaA : replicaB).PublishAsync(story.Received),
            (i % 2 == 0 ? replicaB : replicaA).PublishAsync(story.Done),
        }));

        var expected = stories.SelectMany(s => new[] { (s.JobId, "StudyReceived"), (s.JobId, "AnalysisDone") }).OrderBy(e => e).ToList();
        var streamedA = new List<StreamEvent>();
        var streamedB = new List<StreamEvent>();
        for (var i = 0; i < expected.Count; i++)
        {
            streamedA.Add(await NextEventAsync(feedA, deadline.Token));
            streamedB.Add(await NextEventAsync(feedB, deadline.Token));
        }

        Assert.Equal(expected, streamedA.Select(e => (e.Change.JobId, e.Change.EventType)).Order());
        Assert.Equal(streamedA.Select(e => e.Id).Order(), streamedA.Select(e => e.Id));
        Assert.Equal(streamedA.Select(e => (e.Id, e.Change.JobId, e.Change.EventType)), streamedB.Select(e => (e.Id, e.Change.JobId, e.Change.EventType)));
        // And each replica's detail shows both halves of every job.
        foreach (var story in stories)
        {
            Assert.Equal(JobStatus.Analysed, (await DetailAsync(replicaB, story.JobId)).Job.Status);
            Assert.Equal(JobStatus.Analysed, (await DetailAsync(replicaA, story.JobId)).Job.Status);
        }
    }

    private static async Task<StreamReader> OpenFeedAsync(JobsTestHost host, CancellationToken cancellationToken)
    {
        var response = await host.Reader.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/jobs/events"), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
    }

    private sealed record StreamEvent(long Id, string Data, JobChange Change);

    private static async Task<StreamEvent> NextEventAsync(StreamReader reader, CancellationToken cancellationToken)
    {
        long? id = null;
        string? type = null;
        string? data = null;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                if (type == "job" && id is not null && data is not null)
                {
                    return new StreamEvent(id.Value, data, JsonSerializer.Deserialize<JobChange>(data, Json)!);
                }

                (id, type, data) = (null, null, null);
            }
            else if (line.StartsWith("id: ", StringComparison.Ordinal))
            {
                id = long.Parse(line[4..], System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                type = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data = line[6..];
            }
        }

        throw new EndOfStreamException("The event stream ended.");
    }

    private static async Task<JobDetail> DetailAsync(JobsTestHost host, Guid jobId) =>
        (await host.Reader.GetFromJsonAsync<JobDetail>($"/api/jobs/{jobId}", Json))!;

    private static async Task<IReadOnlyList<Guid>> IdsAsync(JobsTestHost host, string path) =>
        [.. (await host.Reader.GetFromJsonAsync<List<JobSummary>>(path, Json))!.Select(j => j.JobId)];

    private static async Task<IReadOnlyList<AuditEntry>> AuditAsync(JobsTestHost host, string adminToken)
    {
        using var response = await host.SendAsync(HttpMethod.Get, "/api/audit?limit=500", adminToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. (await response.Content.ReadFromJsonAsync<List<AuditEntry>>(Json))!.OrderBy(e => e.Sequence)];
    }

    /// <summary>The detail without what differs between two jobs by construction: ids, UIDs, arrival times.</summary>
    private static string Comparable(JobDetail detail) =>
        JsonSerializer.Serialize(detail with { Job = detail.Job with { JobId = Guid.Empty, CorrelationId = Guid.Empty, StudyInstanceUid = "" }, Timeline = [] }, Json)
            .Replace(detail.Job.StudyInstanceUid, "<study>", StringComparison.Ordinal);
}
