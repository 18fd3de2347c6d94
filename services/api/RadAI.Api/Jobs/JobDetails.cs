using System.Text.Json;
using System.Text.Json.Nodes;
using RadAI.Contracts;

namespace RadAI.Api.Jobs;

/// <summary>
/// The answer of <c>GET /api/jobs/{id}</c>: what the job's events say, with no patient data (the events carry none:
/// UIDs, AE titles, model ids, counts, reasons).
/// </summary>
/// <param name="Job">Status and times.</param>
/// <param name="RoutingProfile">Routing profile of the sender (from StudyReceived).</param>
/// <param name="CalledAeTitle">Our AE title the sender addressed.</param>
/// <param name="Series">The series received.</param>
/// <param name="Decisions">For each (series, model package) pair, whether it ran and why.</param>
/// <param name="Models">The model runs that succeeded.</param>
/// <param name="Findings">Findings counted per model run, when analysed.</param>
/// <param name="Report">The report objects, when written.</param>
/// <param name="Deliveries">The last outcome at each destination.</param>
/// <param name="Errors">What went wrong, in the order it happened.</param>
/// <param name="RelatedJobs">The other jobs of the same correlation: the original and its re-runs.</param>
/// <param name="Timeline">Every event, in the order it happened; payloads without free text (<see cref="JobPayloads"/>).</param>
public sealed record JobDetail(
    JobSummary Job,
    string? RoutingProfile,
    string? CalledAeTitle,
    IReadOnlyList<JobSeries> Series,
    IReadOnlyList<RoutingDecision> Decisions,
    IReadOnlyList<ModelRun> Models,
    JobFindingsSummary? Findings,
    JobReport? Report,
    IReadOnlyList<JobDelivery> Deliveries,
    IReadOnlyList<JobError> Errors,
    IReadOnlyList<Guid> RelatedJobs,
    IReadOnlyList<JobTimelineEntry> Timeline);

/// <summary>A received series (its description is left out: free text typed at the modality).</summary>
public sealed record JobSeries(string SeriesInstanceUid, string Modality, string SopClassUid, int InstanceCount, long TotalBytes, string? BodyPartExamined);

/// <summary>How many findings each model run produced.</summary>
public sealed record JobFindingsSummary(int Total, IReadOnlyList<JobModelFindings> PerRun);

/// <summary>The findings of one run of one package on one series.</summary>
public sealed record JobModelFindings(string ModelId, string ModelVersion, string SeriesInstanceUid, int FindingCount);

/// <summary>The report of a job; each object downloads from <c>/api/jobs/{id}/report/{kind}</c>.</summary>
/// <remarks>HasPdfDocument: Whether the plain PDF exists (<c>/report/pdf?format=pdf</c>).</remarks>
public sealed record JobReport(DateTimeOffset ReadyAt, string Language, IReadOnlyList<JobReportObject> Objects, bool HasPdfDocument);

/// <summary>One DICOM object of a report.</summary>
public sealed record JobReportObject(string Kind, string SopClassUid, string SopInstanceUid, string SeriesInstanceUid, long SizeBytes);

/// <summary>The last outcome at one destination.</summary>
/// <remarks>Status: <c>delivered</c> or <c>failed</c>. Attempts: The attempt that succeeded, or how many failed. Reason: Why the last attempt failed.</remarks>
public sealed record JobDelivery(string DestinationAeTitle, string Status, DateTimeOffset At, int Attempts, string? Reason, IReadOnlyList<ObjectDelivery> Objects);

/// <summary>Something that went wrong.</summary>
/// <remarks>Stage: <c>analysis</c>, <c>report</c> or <c>delivery</c>. Code: Stable error code, when the event has one. Subject: What failed: a model package and series, a destination.</remarks>
public sealed record JobError(string Stage, DateTimeOffset At, string? Code, string Reason, string? Subject);

/// <summary>
/// Folds a job's recorded events into its detail. The events are taken in a fixed order (time, then pipeline rank, then
/// message id) and every part keeps one value per key (latest wins, duplicates collapse): the same set of events gives
/// the same detail whatever order, and however many times, they arrived.
/// </summary>
public static class JobDetails
{
    public static JobDetail Build(JobSummary job, IReadOnlyList<JobTimelineEntry> timeline, IReadOnlyList<Guid> relatedJobs)
    {
        var events = timeline
            .Select(entry => (Entry: entry, Event: Parse(entry)))
            .Where(e => e.Event is not null)
            .Select(e => (e.Entry, Event: e.Event!))
            .OrderBy(e => e.Event.OccurredAt)
            .ThenBy(e => JobStatus.Of(e.Event).Rank)
            .ThenBy(e => e.Entry.MessageId)
            .Select(e => e.Event)
            .ToList();

        var received = events.OfType<StudyReceived>().LastOrDefault();
        var done = events.OfType<AnalysisDone>().LastOrDefault();
        var seriesSource = received?.Series ?? done?.Series ?? [];
        var series = seriesSource
            .Select(s => new JobSeries(s.SeriesInstanceUid, s.Modality, s.SopClassUid, s.InstanceCount, s.TotalBytes, s.BodyPartExamined))
            .ToList();

        // The decisions are the same in every outcome event of one analysis; the latest one carrying them wins.
        var decisions = events
            .Select(e => e switch
            {
                AnalysisDone d => d.Decisions,
                AnalysisFailed f => f.Decisions,
                StudySkipped s => s.Decisions,
                _ => null,
            })
            .LastOrDefault(d => d is { Count: > 0 }) ?? [];

        var models = done?.Runs ?? [];
        var findings = done is null
            ? null
            : new JobFindingsSummary(
                models.Sum(r => r.FindingCount),
                [.. models.Select(r => new JobModelFindings(r.ModelId, r.ModelVersion, r.SeriesInstanceUid, r.FindingCount))]);

        var ready = events.OfType<ReportReady>().LastOrDefault();
        var report = ready is null
            ? null
            : new JobReport(
                ready.OccurredAt,
                ready.Language,
                [.. ready.Objects.Select(o => new JobReportObject(o.Kind, o.SopClassUid, o.SopInstanceUid, o.SeriesInstanceUid, o.SizeBytes))],
                ready.PdfDocument is not null);

        var deliveries = events
            .Select(e => e switch
            {
                ReportDelivered d => new JobDelivery(d.DestinationAeTitle, "delivered", d.OccurredAt, d.Attempt, null, d.Objects),
                DeliveryFailed f => new JobDelivery(f.DestinationAeTitle, "failed", f.OccurredAt, f.Attempts, f.Reason, f.Objects),
                _ => null,
            })
            .OfType<JobDelivery>()
            .GroupBy(d => d.DestinationAeTitle, StringComparer.Ordinal)
            .Select(g => g.Last())
            .OrderBy(d => d.DestinationAeTitle, StringComparer.Ordinal)
            .ToList();

        var errors = events
            .SelectMany(ErrorsOf)
            .Distinct()
            .ToList();

        return new JobDetail(
            job, received?.RoutingProfile, received?.CalledAeTitle, series, decisions, models, findings, report,
            deliveries, errors, relatedJobs, [.. timeline.Select(e => e with { Payload = JobPayloads.WithoutFreeText(e.Payload) })]);
    }

    /// <summary>The event of a timeline entry, or null for a type this version does not know.</summary>
    public static IJobEvent? Parse(JobTimelineEntry entry) => entry.EventType switch
    {
        nameof(StudyReceived) => JsonSerializer.Deserialize<StudyReceived>(entry.Payload, JobEventsConsumer.Json),
        nameof(StudySkipped) => JsonSerializer.Deserialize<StudySkipped>(entry.Payload, JobEventsConsumer.Json),
        nameof(AnalysisDone) => JsonSerializer.Deserialize<AnalysisDone>(entry.Payload, JobEventsConsumer.Json),
        nameof(AnalysisFailed) => JsonSerializer.Deserialize<AnalysisFailed>(entry.Payload, JobEventsConsumer.Json),
        nameof(ReportReady) => JsonSerializer.Deserialize<ReportReady>(entry.Payload, JobEventsConsumer.Json),
        nameof(ReportFailed) => JsonSerializer.Deserialize<ReportFailed>(entry.Payload, JobEventsConsumer.Json),
        nameof(ReportDelivered) => JsonSerializer.Deserialize<ReportDelivered>(entry.Payload, JobEventsConsumer.Json),
        nameof(DeliveryFailed) => JsonSerializer.Deserialize<DeliveryFailed>(entry.Payload, JobEventsConsumer.Json),
        _ => null,
    };

    private static IEnumerable<JobError> ErrorsOf(IJobEvent jobEvent) => jobEvent switch
    {
        AnalysisDone d => (d.Failures ?? []).Select(f => RunError(d.OccurredAt, f)),
        AnalysisFailed f => f.Failures is { Count: > 0 } failures
            ? failures.Select(r => RunError(f.OccurredAt, r))
            : [new JobError("analysis", f.OccurredAt, f.ErrorCode, f.Reason, Subject(f.ModelId, f.SeriesInstanceUid))],
        ReportFailed f => [new JobError("report", f.OccurredAt, f.ErrorCode, f.Reason, null)],
        DeliveryFailed f => [new JobError("delivery", f.OccurredAt, null, f.Reason, f.DestinationAeTitle)],
        _ => [],
    };

    private static JobError RunError(DateTimeOffset at, ModelRunFailure failure) =>
        new("analysis", at, failure.ErrorCode, failure.Reason, Subject(failure.ModelId, failure.SeriesInstanceUid));

    private static string? Subject(string? modelId, string? seriesInstanceUid) =>
        modelId is null && seriesInstanceUid is null ? null : $"{modelId ?? "?"} on {seriesInstanceUid ?? "?"}";

    /// <summary>The latest ReportReady of a job, or null: what downloads and re-sends need.</summary>
    public static ReportReady? LatestReport(IReadOnlyList<JobTimelineEntry> timeline) =>
        Latest<ReportReady>(timeline);

    /// <summary>The StudyReceived of a job, or null: what a re-run needs.</summary>
    public static StudyReceived? Reception(IReadOnlyList<JobTimelineEntry> timeline) =>
        Latest<StudyReceived>(timeline);

    private static T? Latest<T>(IReadOnlyList<JobTimelineEntry> timeline)
        where T : class, IJobEvent =>
        timeline.Where(e => e.EventType == typeof(T).Name)
            .Select(e => (T)Parse(e)!)
            .OrderBy(e => e.OccurredAt)
            .LastOrDefault();
}

/// <summary>
/// What of a stored event payload the api shows. The events carry no patient attribute, but one field is free text typed
/// at the modality, where a technologist may write a name: the Series Description (0008,103E) of
/// <see cref="ReceivedSeries"/>. Inference routes on it, so the events keep it and the read model stores it; every
/// answer of the api leaves it out (the detail's <c>series</c> never had it; the timeline's payloads drop it here).
/// </summary>
public static class JobPayloads
{
    /// <summary>The JSON properties never shown, at any depth (camel case: the payloads are stored with web defaults).</summary>
    public static IReadOnlySet<string> FreeTextProperties { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "seriesDescription" };

    /// <summary>The payload without <see cref="FreeTextProperties"/>; a payload that is not JSON is replaced by <c>{}</c>.</summary>
    public static string WithoutFreeText(string payload)
    {
        if (!TryParse(payload, out var root))
        {
            return "{}";
        }

        Strip(root);
        return root?.ToJsonString() ?? "null";
    }

    /// <summary>
    /// The payload kept for a purged job (retention or erasure): without free text, every instance UID (study, series, SOP
    /// instance, frame of reference: what finds the patient's images in the PACS) blanked, and so is any other string
    /// holding one of them (storage keys, paths, reasons). What is left says what happened and when (event, times,
    /// counts, modalities, SOP classes, model ids, AE titles), not to whom. A payload that is not JSON becomes <c>{}</c>.
    /// </summary>
    public static string Purged(string payload)
    {
        if (!TryParse(payload, out var root))
        {
            return "{}";
        }

        Strip(root);
        var uids = new HashSet<string>(StringComparer.Ordinal);
        BlankInstanceUids(root, uids);
        BlankHolders(root, uids);
        return root?.ToJsonString() ?? "null";
    }

    private static bool IsInstanceUidProperty(string name) =>
        name.EndsWith("InstanceUid", StringComparison.OrdinalIgnoreCase) || name.EndsWith("InstanceUids", StringComparison.OrdinalIgnoreCase)
        || name.EndsWith("FrameOfReferenceUid", StringComparison.OrdinalIgnoreCase);

    private static bool TryParse(string payload, out JsonNode? root)
    {
        try
        {
            root = JsonNode.Parse(payload);
            return true;
        }
        catch (JsonException)
        {
            root = null;
            return false;
        }
    }

    /// <summary>Blanks the instance UID properties at any depth, collecting their values.</summary>
    private static void BlankInstanceUids(JsonNode? node, HashSet<string> uids)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj.ToList())
                {
                    if (IsInstanceUidProperty(name) && child is JsonValue or JsonArray)
                    {
                        Collect(child, uids);
                        obj[name] = child is JsonArray ? new JsonArray() : JsonValue.Create("");
                    }
                    else
                    {
                        BlankInstanceUids(child, uids);
                    }
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    BlankInstanceUids(child, uids);
                }

                break;
        }
    }

    private static void Collect(JsonNode? node, HashSet<string> uids)
    {
        if (node is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0)
        {
            uids.Add(text);
        }
        else if (node is JsonArray array)
        {
            foreach (var child in array)
            {
                Collect(child, uids);
            }
        }
    }

    /// <summary>Any string that holds one of <paramref name="uids"/> becomes empty, at any depth.</summary>
    private static void BlankHolders(JsonNode? node, HashSet<string> uids)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj.ToList())
                {
                    if (Holds(child, uids))
                    {
                        obj[name] = JsonValue.Create("");
                    }
                    else
                    {
                        BlankHolders(child, uids);
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (Holds(array[i], uids))
                    {
                        array[i] = JsonValue.Create("");
                    }
                    else
                    {
                        BlankHolders(array[i], uids);
                    }
                }

                break;
        }
    }

    private static bool Holds(JsonNode? node, HashSet<string> uids) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) && uids.Any(uid => text.Contains(uid, StringComparison.Ordinal));

    private static void Strip(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var name in obj.Select(p => p.Key).Where(FreeTextProperties.Contains).ToList())
                {
                    obj.Remove(name);
                }

                foreach (var (_, child) in obj)
                {
                    Strip(child);
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    Strip(child);
                }

                break;
        }
    }
}
