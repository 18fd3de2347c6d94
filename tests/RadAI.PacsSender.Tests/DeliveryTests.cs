using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using MassTransit;
using RadAI.Contracts;
using RadAI.Data;
using RadAI.Dicom.Network;
using RadAI.PacsSender.Delivery;
using RadAI.PacsSender.Tests.Support;
using RadAI.Testing;
using Xunit;

namespace RadAI.PacsSender.Tests;

/// <summary>
/// pacs-sender end to end inside its module: StudyReceived and ReportReady in on the in-memory bus, C-STORE to a real peer
/// (DCMTK's storescp, or RadAI's SCP where a peer must answer a failure status), outcomes out on the bus, state in the database.
/// </summary>
public sealed class DeliveryTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Report_goes_back_to_the_sending_PACS_stored_equal_to_its_objects(DatabaseProvider provider)
    {
        await using var store = await ReportStore.CreateAsync(provider);
        await using var pacs = await Storescp.StartAsync(Path.Combine(store.Root, "pacs"), FreePort.Next());
        var archivePort = FreePort.Next();
        var outcomes = new Outcomes();
        await using var host = await SenderHost.StartAsync(store, outcomes, Settings(
            Destination(0, Storescp.AeTitle, pacs.Port),
            // Another destination, not the sender and not taking every report: gets nothing. Nothing listens on its port.
            Destination(1, "ARCHIVE", archivePort)));

        // C-ECHO at start, recorded on each destination: answered by the PACS, not by the archive.
        var echoed = await Eventually.ValueAsync(async () =>
        {
            var all = await host.Destinations.ListAsync(CancellationToken.None);
            return all.All(d => d.LastEchoAt is not null) ? all : null;
        }, Deadline, "both destinations' C-ECHO recorded");
        Assert.Equal(0, echoed.Single(d => d.AeTitle == Storescp.AeTitle).LastEchoStatus);
        Assert.Null(echoed.Single(d => d.AeTitle == Storescp.AeTitle).LastEchoError);
        var archive = echoed.Single(d => d.AeTitle == "ARCHIVE");
        Assert.Null(archive.LastEchoStatus);
        Assert.Contains("Cannot connect", archive.LastEchoError, StringComparison.Ordinal);

        var job = Guid.NewGuid();
        var report = await SendStudyAndReportAsync(host, store, job, Storescp.AeTitle);

        var delivered = Assert.Single(await Eventually.ValueAsync(() => Task.FromResult(NonEmpty(outcomes.Delivered(job))), Deadline, $"ReportDelivered; outcomes:\n{outcomes}"));
        Assert.Equal(Storescp.AeTitle, delivered.DestinationAeTitle);
        Assert.Equal(1, delivered.Attempt);
        Assert.Equal(ReportStore.StudyUid, delivered.StudyInstanceUid);
        Assert.Equal(report.Objects.Select(o => o.SopInstanceUid), delivered.Objects.Select(o => o.SopInstanceUid));
        Assert.All(delivered.Objects, o => Assert.Equal(0, o.Status));
        Assert.Equal(DeliveryOutcomes.MessageIdOf(job, Storescp.AeTitle, 0, nameof(ReportDelivered)), Assert.Single(outcomes.All).MessageId);

        // What the PACS stored is each object's data set, unchanged.
        var received = pacs.Files();
        Assert.Equal(report.Objects.Count, received.Count);
        var receivedByUid = (await pacs.ReceivedSopInstanceUidsAsync()).Zip(received).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);
        foreach (var (item, (_, file)) in report.Objects.Zip(ReportStore.Sources))
        {
            Assert.Equal(await Storescp.DatasetAsync(ReportStore.SourcePath(file)), await Storescp.DatasetAsync(receivedByUid[item.SopInstanceUid]));
        }

        var delivery = Assert.Single(await host.Deliveries.DeliveriesOfJobAsync(job, CancellationToken.None));
        Assert.Equal((Storescp.AeTitle, DeliveryStatus.Delivered, 1L, 0L), (delivery.DestinationAe, delivery.Status, delivery.Attempts, delivery.Round));
        Assert.All(await host.Deliveries.ObjectStatusesAsync(job, Storescp.AeTitle, CancellationToken.None), o => Assert.Equal(0, o.Status));

        // ReportReady redelivered by the broker: already recorded, nothing scheduled again.
        Assert.True((await host.Deliveries.AcceptAsync(report, DateTimeOffset.UtcNow, CancellationToken.None)).AlreadyAccepted);
    }

    [Fact]
    public async Task Destination_with_TLS_gets_the_report_over_DICOM_TLS_with_our_client_certificate()
    {
        var pki = TestPki.Instance;
        await using var store = await ReportStore.CreateAsync();
        // storescp over TLS, requiring a client certificate signed by the CA (its default).
        await using var pacs = await Storescp.StartAsync(Path.Combine(store.Root, "pacs"), FreePort.Next(),
            ["+tls", pki.Pem("server.key"), pki.Pem("server.crt"), "+cf", pki.Pem("ca.crt")],
            ["+tls", pki.Pem("client.key"), pki.Pem("client.crt"), "+cf", pki.Pem("ca.crt")]);
        var outcomes = new Outcomes();
        var destination = Destination(0, Storescp.AeTitle, pacs.Port);
        destination["PacsSender:Destinations:0:Tls"] = "true";
        await using var host = await SenderHost.StartAsync(store, outcomes, Settings(destination, new Dictionary<string, string?>
        {
            ["PacsSender:Tls:TrustedCaPath"] = pki.Pem("ca.crt"),
            ["PacsSender:Tls:ClientCertificatePath"] = pki.Pem("client.crt"),
            ["PacsSender:Tls:ClientKeyPath"] = pki.Pem("client.key"),
        }));
        var job = Guid.NewGuid();
        var report = await SendStudyAndReportAsync(host, store, job, Storescp.AeTitle);

        var delivered = Assert.Single(await Eventually.ValueAsync(() => Task.FromResult(NonEmpty(outcomes.Delivered(job))), Deadline, $"ReportDelivered; outcomes:\n{outcomes}"));
        Assert.All(delivered.Objects, o => Assert.Equal(0, o.Status));
        Assert.Equal(report.Objects.Select(o => o.SopInstanceUid).Order(), (await pacs.ReceivedSopInstanceUidsAsync()).Order());
        Assert.Equal(0, Assert.Single(await host.Destinations.ListAsync(CancellationToken.None)).LastEchoStatus);
    }

    [Fact]
    public async Task Destination_down_is_retried_with_exponential_backoff_and_delivered_when_it_comes_back()
    {
        await using var store = await ReportStore.CreateAsync();
        var port = FreePort.Next();
        var outcomes = new Outcomes();
        var (initial, max) = (TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(2));
        await using var host = await SenderHost.StartAsync(store, outcomes, Settings(
            Destination(0, Storescp.AeTitle, port),
            Backoff(initial, max, attempts: 50)));
        var job = Guid.NewGuid();
        using var spans = new DeliverySpans(job);
        await SendStudyAndReportAsync(host, store, job, Storescp.AeTitle);

        // Attempts fail while nothing listens; each waits twice as long as the one before (capped), as recorded.
        var waiting = await Eventually.ValueAsync(async () =>
        {
            var d = Assert.Single(await host.Deliveries.DeliveriesOfJobAsync(job, CancellationToken.None));
            var backoff = Delivery.Backoff.After(Math.Max(d.Attempts, 1), initial, max);
            // Between attempts (not while one holds its lease): due one backoff after the attempt started, plus its duration.
            return d.Attempts >= 3 && d.LastAttemptAt is { } last && d.NextAttemptAt - last >= backoff && d.NextAttemptAt - last < backoff + TimeSpan.FromSeconds(10) ? d : null;
        }, Deadline, "three failed attempts, the next one scheduled after the backoff");
        Assert.Equal(DeliveryStatus.Pending, waiting.Status);
        Assert.Contains("Cannot connect", waiting.LastError, StringComparison.Ordinal);
        Assert.Empty(outcomes.All);
        Assert.All(await host.Deliveries.ObjectStatusesAsync(job, Storescp.AeTitle, CancellationToken.None), o => Assert.Equal(-1, o.Status));

        await using var pacs = await Storescp.StartAsync(Path.Combine(store.Root, "pacs"), port);
        var delivered = Assert.Single(await Eventually.ValueAsync(() => Task.FromResult(NonEmpty(outcomes.Delivered(job))), Deadline, $"ReportDelivered once the PACS is up; outcomes:\n{outcomes}"));
        Assert.True(delivered.Attempt > 3, $"attempt {delivered.Attempt}");
        Assert.All(delivered.Objects, o => Assert.Equal(0, o.Status));
        Assert.Equal(ReportStore.Sources.Length, pacs.Files().Count);
        Assert.Empty(outcomes.Failed(job));

        // One span per attempt: the failed ones pending with an error status and the reason, the last one delivered.
        var attempts = await Eventually.ValueAsync(() => Task.FromResult(spans.Stopped.Count >= delivered.Attempt ? spans.Stopped : null), Deadline, "a span per attempt");
        Assert.Equal(Enumerable.Range(1, delivered.Attempt).Select(a => (long)a), attempts.Select(a => (long)a.GetTagItem("radai.delivery.attempt")!).Order());
        var last = attempts.Single(a => (long)a.GetTagItem("radai.delivery.attempt")! == delivered.Attempt);
        Assert.Equal((DeliveryStatus.Delivered, ActivityStatusCode.Unset, Storescp.AeTitle), (last.GetTagItem("radai.delivery.status"), last.Status, last.GetTagItem("radai.destination.ae")));
        Assert.All(attempts.Where(a => a != last), a =>
        {
            Assert.Equal((DeliveryStatus.Pending, ActivityStatusCode.Error), (a.GetTagItem("radai.delivery.status"), a.Status));
            Assert.Contains("Cannot connect", a.StatusDescription, StringComparison.Ordinal);
        });
    }

    /// <summary>The <c>pacs.delivery</c> spans of one job, as they stop (the listener sees every test's spans: filtered by job).</summary>
    private sealed class DeliverySpans : IDisposable
    {
        private readonly ActivityListener _listener;
        private readonly ConcurrentQueue<Activity> _stopped = new();

        public DeliverySpans(Guid job)
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == DeliveryAttempts.Activities.Name,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = activity =>
                {
                    if (activity.OperationName == "pacs.delivery" && activity.GetTagItem("radai.job.id") is Guid id && id == job)
                    {
                        _stopped.Enqueue(activity);
                    }
                },
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public IReadOnlyList<Activity> Stopped => [.. _stopped];

        public void Dispose() => _listener.Dispose();
    }

    [Fact]
    public async Task Bounded_attempts_end_in_DeliveryFailed_with_the_reason()
    {
        await using var store = await ReportStore.CreateAsync();
        var outcomes = new Outcomes();
        await using var host = await SenderHost.StartAsync(store, outcomes, Settings(
            Destination(0, Storescp.AeTitle, FreePort.Next()),
            Backoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(300), attempts: 3)));
        var job = Guid.NewGuid();
        var report = await SendStudyAndReportAsync(host, store, job, Storescp.AeTitle);

        var failed = Assert.Single(await Eventually.ValueAsync(() => Task.FromResult(NonEmpty(outcomes.Failed(job))), Deadline, $"DeliveryFailed; outcomes:\n{outcomes}"));
        Assert.Equal(3, failed.Attempts);
        Assert.Equal(Storescp.AeTitle, failed.DestinationAeTitle);
        Assert.StartsWith("3 of 3 objects not stored: Cannot connect to 127.0.0.1:", failed.Reason, StringComparison.Ordinal);
        Assert.Equal(report.Objects.Select(o => o.SopInstanceUid), failed.Objects.Select(o => o.SopInstanceUid));
        Assert.All(failed.Objects, o => Assert.Equal(-1, o.Status));
        Assert.Equal(DeliveryOutcomes.MessageIdOf(job, Storescp.AeTitle, 0, nameof(DeliveryFailed)), Assert.Single(outcomes.All).MessageId);

        // The job is visible as failed, with the reason.
        var delivery = Assert.Single(await host.Deliveries.DeliveriesOfJobAsync(job, CancellationToken.None));
        Assert.Equal((DeliveryStatus.Failed, 3L, failed.Reason), (delivery.Status, delivery.Attempts, delivery.LastError));
        Assert.NotNull(delivery.CompletedAt);
        Assert.Empty(await host.Deliveries.UnpublishedAsync(10, CancellationToken.None));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Restart_of_the_service_mid_way_delivers_once_from_the_database_schedule(DatabaseProvider provider)
    {
        await using var store = await ReportStore.CreateAsync(provider);
        var port = FreePort.Next();
        var outcomes = new Outcomes();
        var settings = Settings(Destination(0, Storescp.AeTitle, port), Backoff(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2), attempts: 5));
        var job = Guid.NewGuid();
        ReportReady report;
        await using (var first = await SenderHost.StartAsync(store, outcomes, settings))
        {
            report = await SendStudyAndReportAsync(first, store, job, Storescp.AeTitle);
            await Eventually.UntilAsync(async () => (await first.Deliveries.DeliveriesOfJobAsync(job, CancellationToken.None)) is [{ Attempts: 1, Status: DeliveryStatus.Pending, LastError: not null }],
                Deadline, "the first attempt failed and a retry scheduled");
        }

        // The service is gone, its in-memory bus with it: the retry exists only in the database.
        await using var pacs = await Storescp.StartAsync(Path.Combine(store.Root, "pacs"), port);
        await using var second = await SenderHost.StartAsync(store, outcomes, settings);
        var delivered = Assert.Single(await Eventually.ValueAsync(() => Task.FromResult(NonEmpty(outcomes.Delivered(job))), Deadline, $"ReportDelivered after the restart; outcomes:\n{outcomes}"));
        Assert.Equal(2, delivered.Attempt);
        await Eventually.UntilAsync(async () => (await second.Deliveries.UnpublishedAsync(10, CancellationToken.None)).Count == 0, Deadline, "the outbox published");

        // ReportReady redelivered to the new instance: recorded already, not delivered twice.
        Assert.True((await second.Deliveries.AcceptAsync(report, DateTimeOffset.UtcNow, CancellationToken.None)).AlreadyAccepted);
        Assert.Single(outcomes.All);
        Assert.Equal(report.Objects.Select(o => o.SopInstanceUid).Order(), (await pacs.ReceivedSopInstanceUidsAsync()).Order());
    }

    [Fact]
    public async Task Two_replicas_on_one_PostgreSQL_database_share_the_deliveries_and_send_each_report_once()
    {
        // Production runs two pacs-sender replicas (k8s/overlays/production): one database, one reports volume, one broker.
        await using var store = await ReportStore.CreateAsync(DatabaseProvider.Postgres);
        await using var pacs = await ScriptedPacs.HoldingAsync();
        var outcomes = new Outcomes();
        // One delivery at a time each; the calling AE title tells the PACS which replica sends.
        Dictionary<string, string?> Replica(string callingAe) => Settings(Destination(0, ScriptedPacs.AeTitle, pacs.Port), new Dictionary<string, string?>
        {
            ["PacsSender:CallingAeTitle"] = callingAe,
            ["PacsSender:MaxConcurrentDeliveries"] = "1",
        });

        // Started together: both migrate the same database at once.
        var started = await Task.WhenAll(SenderHost.StartAsync(store, outcomes, Replica("RADAI-A")), SenderHost.StartAsync(store, outcomes, Replica("RADAI-B")));
        await using var replicaA = started[0];
        await using var replicaB = started[1];

        // The PACS holds its answers: the replica that took the first report stays busy with it, so the second can only be
        // taken by the other one. Each report is published on one replica's bus (a queue's consumers compete).
        var jobs = Enumerable.Range(0, 6).Select(_ => Guid.NewGuid()).ToList();
        await SendStudyAndReportAsync(replicaA, store, jobs[0], ScriptedPacs.AeTitle);
        var busy = await Eventually.ValueAsync(() => Task.FromResult(pacs.HeldCallers is [var caller] ? caller : null), Deadline, "the first report's C-STORE held");
        await SendStudyAndReportAsync(busy == "RADAI-A" ? replicaB : replicaA, store, jobs[1], ScriptedPacs.AeTitle);
        await Eventually.UntilAsync(() => Task.FromResult(pacs.HeldCallers.SequenceEqual(["RADAI-A", "RADAI-B"])), Deadline, "a C-STORE of each replica held at once");
        foreach (var (job, i) in jobs.Skip(2).Select((job, i) => (job, i)))
        {
            await SendStudyAndReportAsync(i % 2 == 0 ? replicaA : replicaB, store, job, ScriptedPacs.AeTitle);
        }

        pacs.Release();
        foreach (var job in jobs)
        {
            var delivered = await Eventually.ValueAsync(() => Task.FromResult(NonEmpty(outcomes.Delivered(job))), Deadline, $"ReportDelivered of job {job}; outcomes:\n{outcomes}");
            Assert.All(delivered, d => Assert.Equal(1, d.Attempt));
            // Both replicas' outboxes may publish the same outcome: then twice with the one message id, which consumers drop.
            Assert.Equal(new Guid?[] { DeliveryOutcomes.MessageIdOf(job, ScriptedPacs.AeTitle, 0, nameof(ReportDelivered)) },
                outcomes.All.Where(o => o.Event is ReportDelivered d && d.JobId == job).Select(o => o.MessageId).Distinct());
        }

        // Each delivery claimed once (compare-and-set on its attempt count), so each report was stored once: every job sends
        // the same three reference objects, each stored once per job.
        foreach (var job in jobs)
        {
            var delivery = Assert.Single(await replicaB.Deliveries.DeliveriesOfJobAsync(job, CancellationToken.None));
            Assert.Equal((DeliveryStatus.Delivered, 1L), (delivery.Status, delivery.Attempts));
        }

        Assert.Equal(ReportStore.Sources.Length, pacs.StoredCounts().Count);
        Assert.All(pacs.StoredCounts().Values, count => Assert.Equal(jobs.Count, count));
        await Eventually.UntilAsync(async () => (await replicaA.Deliveries.UnpublishedAsync(10, CancellationToken.None)).Count == 0, Deadline, "the outbox published");
    }

    [Fact]
    public async Task Shutdown_during_a_send_gives_the_attempt_back_and_the_next_start_delivers_it()
    {
        await using var store = await ReportStore.CreateAsync();
        // A PACS that takes a minute over each C-STORE: the service stops while its first attempt is in progress.
        await using var slow = await Storescp.StartAsync(Path.Combine(store.Root, "slow"), FreePort.Next(), "--sleep-during", "60");
        var outcomes = new Outcomes();
        var job = Guid.NewGuid();
        await using (var first = await SenderHost.StartAsync(store, outcomes, Settings(Destination(0, Storescp.AeTitle, slow.Port))))
        {
            await SendStudyAndReportAsync(first, store, job, Storescp.AeTitle);
            await Eventually.UntilAsync(async () => (await first.Deliveries.DeliveriesOfJobAsync(job, CancellationToken.None)) is [{ Attempts: 1, NextAttemptAt: var lease }] && lease > DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30),
                Deadline, "the first attempt in progress (holding its lease)");
            var stopping = DateTimeOffset.UtcNow;
            await first.StopAsync();
            var released = Assert.Single(await first.Deliveries.DeliveriesOfJobAsync(job, CancellationToken.None));
            Assert.Equal((DeliveryStatus.Pending, 0L), (released.Status, released.Attempts));
            Assert.True(released.NextAttemptAt <= DateTimeOffset.UtcNow && released.NextAttemptAt >= stopping.AddSeconds(-1), $"due at {released.NextAttemptAt:o}");
        }

        // Started again, the PACS now at another port (configuration changed meanwhile): delivered by the first counted attempt.
        await using var pacs = await Storescp.StartAsync(Path.Combine(store.Root, "pacs"), FreePort.Next());
        await using var second = await SenderHost.StartAsync(store, outcomes, Settings(Destination(0, Storescp.AeTitle, pacs.Port)));
        var delivered = Assert.Single(await Eventually.ValueAsync(() => Task.FromResult(NonEmpty(outcomes.Delivered(job))), Deadline, $"ReportDelivered after the restart; outcomes:\n{outcomes}"));
        Assert.Equal(1, delivered.Attempt);
        Assert.Equal(ReportStore.Sources.Length, pacs.Files().Count);
    }

    [Fact]
    public async Task Resend_stores_the_same_SOP_instances_again_and_a_repeated_request_is_applied_once()
    {
        await using var store = await ReportStore.CreateAsync();
        // +uf: a file per C-STORE received, so that the second store of an instance is seen.
        await using var pacs = await Storescp.StartAsync(Path.Combine(store.Root, "pacs"), FreePort.Next(), "+uf");
        var outcomes = new Outcomes();
        await using var host = await SenderHost.StartAsync(store, outcomes, Settings(Destination(0, Storescp.AeTitle, pacs.Port)));
        var job = Guid.NewGuid();
        var report = await SendStudyAndReportAsync(host, store, job, Storescp.AeTitle);
        await Eventually.UntilAsync(() => Task.FromResult(outcomes.Delivered(job).Count == 1), Deadline, "the first delivery");

        var request = new ResendReport(job, Guid.NewGuid(), DateTimeOffset.UtcNow, RequestedBy: "test");
        await host.PublishAsync(request);
        var both = await Eventually.ValueAsync(() => Task.FromResult(outcomes.Delivered(job) is { Count: 2 } d ? d : null), Deadline, $"a second ReportDelivered; outcomes:\n{outcomes}");
        Assert.Equal(both[0].Objects.Select(o => o.SopInstanceUid), both[1].Objects.Select(o => o.SopInstanceUid));
        Assert.Equal(1, both[1].Attempt);
        Assert.Equal(
            [DeliveryOutcomes.MessageIdOf(job, Storescp.AeTitle, 0, nameof(ReportDelivered)), DeliveryOutcomes.MessageIdOf(job, Storescp.AeTitle, 1, nameof(ReportDelivered))],
            outcomes.All.Select(o => o.MessageId!.Value));

        // Stored twice, with the same SOP Instance UIDs: the PACS replaces, it does not add.
        var uids = await pacs.ReceivedSopInstanceUidsAsync();
        Assert.Equal(2 * report.Objects.Count, uids.Count);
        Assert.All(uids.GroupBy(u => u), g => Assert.Equal(2, g.Count()));
        Assert.Equal(report.Objects.Select(o => o.SopInstanceUid).Order(), uids.Distinct().Order());
        Assert.Equal(1, Assert.Single(await host.Deliveries.DeliveriesOfJobAsync(job, CancellationToken.None)).Round);

        // The same request again (a redelivered command): applied once already, nothing restarts.
        var again = await host.Deliveries.ResendAsync(job, request.RequestId, null, DateTimeOffset.UtcNow, CancellationToken.None);
        Assert.Equal((true, 0, 1), (again.JobKnown, again.Rescheduled.Count, again.Unchanged.Count));
        var unknown = await host.Deliveries.ResendAsync(Guid.NewGuid(), Guid.NewGuid(), null, DateTimeOffset.UtcNow, CancellationToken.None);
        Assert.False(unknown.JobKnown);
        var elsewhere = await host.Deliveries.ResendAsync(job, Guid.NewGuid(), "NOWHERE", DateTimeOffset.UtcNow, CancellationToken.None);
        Assert.Contains("NOWHERE is unknown or disabled", elsewhere.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Object_refused_by_the_PACS_has_its_DIMSE_status_recorded_and_only_it_is_sent_again()
    {
        await using var store = await ReportStore.CreateAsync();
        var seg = (await store.WriteReportAsync(Guid.NewGuid())).Objects.Single(o => o.Kind == "SEG");
        await using var pacs = await ScriptedPacs.RefusingAsync(seg.SopClassUid, refusals: int.MaxValue);
        var outcomes = new Outcomes();
        await using var host = await SenderHost.StartAsync(store, outcomes, Settings(
            Destination(0, ScriptedPacs.AeTitle, pacs.Port),
            Backoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(100), attempts: 2)));
        var job = Guid.NewGuid();
        var report = await SendStudyAndReportAsync(host, store, job, ScriptedPacs.AeTitle);

        var failed = Assert.Single(await Eventually.ValueAsync(() => Task.FromResult(NonEmpty(outcomes.Failed(job))), Deadline, $"DeliveryFailed; outcomes:\n{outcomes}"));
        Assert.Equal(2, failed.Attempts);
        var statuses = failed.Objects.ToDictionary(o => o.SopInstanceUid, o => o.Status, StringComparer.Ordinal);
        Assert.Equal(0xA700, statuses[seg.SopInstanceUid]);
        Assert.All(report.Objects.Where(o => o.Kind != "SEG"), o => Assert.Equal(0, statuses[o.SopInstanceUid]));
        Assert.Equal($"1 of 3 objects not stored: {seg.SopInstanceUid}: {DimseStatus.Describe(0xA700)} (out of resources (test))", failed.Reason);

        var recorded = (await host.Deliveries.ObjectStatusesAsync(job, ScriptedPacs.AeTitle, CancellationToken.None)).ToDictionary(o => o.SopInstanceUid, StringComparer.Ordinal);
        Assert.Equal(0xA700, recorded[seg.SopInstanceUid].Status);
        Assert.Equal("out of resources (test)", recorded[seg.SopInstanceUid].Error);
        // The second attempt sent the refused object only: the others were stored once.
        Assert.Equal(report.Objects.Where(o => o.Kind != "SEG").ToDictionary(o => o.SopInstanceUid, _ => 1), pacs.StoredCounts());
    }

    [Fact]
    public async Task Object_refused_once_is_delivered_by_the_next_attempt_without_resending_the_others()
    {
        await using var store = await ReportStore.CreateAsync();
        var seg = (await store.WriteReportAsync(Guid.NewGuid())).Objects.Single(o => o.Kind == "SEG");
        await using var pacs = await ScriptedPacs.RefusingAsync(seg.SopClassUid, refusals: 1);
        var outcomes = new Outcomes();
        await using var host = await SenderHost.StartAsync(store, outcomes, Settings(
            Destination(0, ScriptedPacs.AeTitle, pacs.Port),
            Backoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(100), attempts: 3)));
        var job = Guid.NewGuid();
        var report = await SendStudyAndReportAsync(host, store, job, ScriptedPacs.AeTitle);

        var delivered = Assert.Single(await Eventually.ValueAsync(() => Task.FromResult(NonEmpty(outcomes.Delivered(job))), Deadline, $"ReportDelivered; outcomes:\n{outcomes}"));
        Assert.Equal(2, delivered.Attempt);
        Assert.All(delivered.Objects, o => Assert.Equal(0, o.Status));
        Assert.Equal(report.Objects.ToDictionary(o => o.SopInstanceUid, _ => 1), pacs.StoredCounts());
    }

    [Fact]
    public async Task A_study_from_a_sender_that_is_no_destination_fails_at_once_with_the_reason()
    {
        await using var store = await ReportStore.CreateAsync();
        var outcomes = new Outcomes();
        await using var host = await SenderHost.StartAsync(store, outcomes, Settings(Destination(0, Storescp.AeTitle, FreePort.Next())));
        var job = Guid.NewGuid();
        await SendStudyAndReportAsync(host, store, job, "CT-SCANNER");

        var failed = Assert.Single(await Eventually.ValueAsync(() => Task.FromResult(NonEmpty(outcomes.Failed(job))), Deadline, $"DeliveryFailed; outcomes:\n{outcomes}"));
        Assert.Equal(("CT-SCANNER", 0), (failed.DestinationAeTitle, failed.Attempts));
        Assert.Contains("sender CT-SCANNER is not an enabled destination", failed.Reason, StringComparison.Ordinal);
        Assert.Equal(DeliveryStatus.Failed, Assert.Single(await host.Deliveries.DeliveriesOfJobAsync(job, CancellationToken.None)).Status);
    }

    [Fact]
    public async Task An_outcome_written_but_not_published_before_a_stop_is_published_at_the_next_start_with_its_message_id()
    {
        await using var store = await ReportStore.CreateAsync();
        var outcomes = new Outcomes();
        var job = Guid.NewGuid();
        await using (var first = await SenderHost.StartAsync(store, outcomes, new Dictionary<string, string?>()))
        {
            await first.StopAsync();
            // The state change commits (here: no destination, a DeliveryFailed in the outbox) and the process stops before publishing.
            await first.Deliveries.RecordSenderAsync(job, "CT-SCANNER", ReportStore.StudyUid, DateTimeOffset.UtcNow, CancellationToken.None);
            var accepted = await first.Deliveries.AcceptAsync(await store.WriteReportAsync(job), DateTimeOffset.UtcNow, CancellationToken.None);
            Assert.NotNull(accepted.FailureReason);
            Assert.Single(await first.Deliveries.UnpublishedAsync(10, CancellationToken.None));
        }

        Assert.Empty(outcomes.All);
        await using var second = await SenderHost.StartAsync(store, outcomes, new Dictionary<string, string?>());
        var failed = Assert.Single(await Eventually.ValueAsync(() => Task.FromResult(NonEmpty(outcomes.Failed(job))), Deadline, "the stored DeliveryFailed published"));
        Assert.Equal("CT-SCANNER", failed.DestinationAeTitle);
        Assert.Equal(DeliveryOutcomes.MessageIdOf(job, "CT-SCANNER", 0, nameof(DeliveryFailed)), Assert.Single(outcomes.All).MessageId);
        await Eventually.UntilAsync(async () => (await second.Deliveries.UnpublishedAsync(10, CancellationToken.None)).Count == 0, Deadline, "the outbox marked published");
    }

    [Fact]
    public async Task Deliveries_go_on_while_the_outcomes_cannot_be_published_and_the_outcomes_follow_once_they_can()
    {
        await using var store = await ReportStore.CreateAsync();
        await using var pacs = await Storescp.StartAsync(Path.Combine(store.Root, "pacs"), FreePort.Next());
        var outcomes = new Outcomes();
        var gate = new OutcomePublishGate();
        await using var host = await SenderHost.StartAsync(store, outcomes, Settings(Destination(0, Storescp.AeTitle, pacs.Port)),
            services => services.AddPublishObserver(_ => gate));

        // The first job's outcome waits at the gate (the broker "down"); the second job must still reach the PACS.
        var first = Guid.NewGuid();
        await SendStudyAndReportAsync(host, store, first, Storescp.AeTitle);
        await Eventually.UntilAsync(() => Task.FromResult(gate.Held > 0), Deadline, "the first job's ReportDelivered held at the gate");
        var second = Guid.NewGuid();
        await SendStudyAndReportAsync(host, store, second, Storescp.AeTitle);

        foreach (var job in new[] { first, second })
        {
            await Eventually.UntilAsync(async () => await host.Deliveries.DeliveriesOfJobAsync(job, CancellationToken.None) is { Count: > 0 } rows && rows.All(d => d.Status == DeliveryStatus.Delivered),
                Deadline, $"job {job} delivered to the PACS while no outcome can be published");
        }

        Assert.Empty(outcomes.All);
        gate.Open();
        foreach (var job in new[] { first, second })
        {
            Assert.Single(await Eventually.ValueAsync(() => Task.FromResult(NonEmpty(outcomes.Delivered(job))), Deadline, $"job {job}'s ReportDelivered published once the gate opened"));
        }

        await Eventually.UntilAsync(async () => (await host.Deliveries.UnpublishedAsync(10, CancellationToken.None)).Count == 0, Deadline, "the outbox marked published");
        Assert.Equal(2, outcomes.All.Count);
    }

    [Fact]
    public async Task A_destination_taking_every_report_gets_only_the_kinds_it_takes()
    {
        await using var store = await ReportStore.CreateAsync();
        await using var pacs = await Storescp.StartAsync(Path.Combine(store.Root, "pacs"), FreePort.Next());
        var outcomes = new Outcomes();
        await using var host = await SenderHost.StartAsync(store, outcomes, Settings(
            Destination(0, Storescp.AeTitle, pacs.Port, kinds: ["SR", "PDF"], allReports: true)));
        var job = Guid.NewGuid();
        var report = await SendStudyAndReportAsync(host, store, job, "CT-SCANNER");

        var delivered = Assert.Single(await Eventually.ValueAsync(() => Task.FromResult(NonEmpty(outcomes.Delivered(job))), Deadline, $"ReportDelivered; outcomes:\n{outcomes}"));
        var expected = report.Objects.Where(o => o.Kind is "SR" or "PDF").Select(o => o.SopInstanceUid).ToList();
        Assert.Equal(expected, delivered.Objects.Select(o => o.SopInstanceUid));
        Assert.Equal(expected.Order(), (await pacs.ReceivedSopInstanceUidsAsync()).Order());
    }

    /// <summary>Publishes StudyReceived from <paramref name="sendingAe"/>, waits until pacs-sender recorded it, then publishes the job's ReportReady.</summary>
    private static async Task<ReportReady> SendStudyAndReportAsync(SenderHost host, ReportStore store, Guid job, string sendingAe)
    {
        await host.PublishAsync(ReportStore.StudyFrom(job, sendingAe));
        await Eventually.UntilAsync(async () => await host.Deliveries.FindSenderAsync(job, CancellationToken.None) == sendingAe, Deadline, "the study's sender recorded");
        var report = await store.WriteReportAsync(job);
        await host.PublishAsync(report);
        return report;
    }

    private static IReadOnlyList<T>? NonEmpty<T>(IReadOnlyList<T> items) => items.Count > 0 ? items : null;

    private static Dictionary<string, string?> Destination(int index, string ae, int port, string[]? kinds = null, bool allReports = false)
    {
        var prefix = $"PacsSender:Destinations:{index}:";
        var settings = new Dictionary<string, string?>
        {
            [prefix + "AeTitle"] = ae,
            [prefix + "Host"] = "127.0.0.1",
            [prefix + "Port"] = port.ToString(CultureInfo.InvariantCulture),
            [prefix + "AllReports"] = allReports ? "true" : "false",
        };
        foreach (var (kind, i) in (kinds ?? []).Select((k, i) => (k, i)))
        {
            settings[$"{prefix}Kinds:{i}"] = kind;
        }

        return settings;
    }

    private static Dictionary<string, string?> Backoff(TimeSpan initial, TimeSpan max, int attempts) => new()
    {
        ["PacsSender:InitialBackoff"] = initial.ToString("c", CultureInfo.InvariantCulture),
        ["PacsSender:MaxBackoff"] = max.ToString("c", CultureInfo.InvariantCulture),
        ["PacsSender:MaxAttempts"] = attempts.ToString(CultureInfo.InvariantCulture),
    };

    private static Dictionary<string, string?> Settings(params Dictionary<string, string?>[] parts) =>
        parts.SelectMany(p => p).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
}
