using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using RadAI.Contracts;
using RadAI.Contracts.Findings;
using RadAI.Hosting.Storage;
using RadAI.Inference.Analysis;
using RadAI.Inference.Packages;
using RadAI.Inference.Routing;
using RadAI.Inference.Runtime;
using RadAI.Inference.Volumes;

namespace RadAI.Inference.Pipeline;

/// <summary>How the analysis of a study ended: the event to publish.</summary>
public sealed record AnalysisOutcome(IJobEvent Event)
{
    /// <summary>File of the outcome in the job's results folder: a redelivered job republishes it instead of running again.</summary>
    public const string FileName = "outcome.json";
}

/// <summary>
/// Analyses one received study: routes every series to the packages that fit, assembles each
/// selected series once, runs the packages, analyses their outputs and writes the findings
/// document and masks into the <c>results</c> store. A series that cannot be assembled or a model
/// that fails is a failed run; the other runs go on.
/// </summary>
public sealed partial class StudyAnalysis(
    PackageSettings settings,
    ModelRunner runner,
    AnalyzerRegistry analyzers,
    FileStores stores,
    TimeProvider clock,
    ILogger<StudyAnalysis> logger,
    IOptions<InferenceOptions>? options = null)
{
    private readonly TimeSpan _runTimeout = options?.Value.ModelRunTimeout ?? new InferenceOptions().ModelRunTimeout;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static readonly ActivitySource Activities = new("RadAI.Inference");

    public async Task<AnalysisOutcome> AnalyzeAsync(StudyReceived study, CancellationToken cancellationToken)
    {
        var facts = new List<SeriesFacts>();
        foreach (var series in study.Series)
        {
            facts.Add(await SeriesFactsReader.ReadAsync(series, stores.PathOf(series.Location), stores.DicomSourceOf, cancellationToken).ConfigureAwait(false));
        }

        // Read for this study: a package or profile changed through the api applies from the next study, on every replica.
        var profile = await settings.ForProfileAsync(study.RoutingProfile, cancellationToken).ConfigureAwait(false);
        var packages = profile.Runnable;
        var decisions = RoutingEngine.Decide(facts, packages, profile.Disabled);
        foreach (var decision in decisions)
        {
            LogDecision(study.JobId, decision.SeriesInstanceUid, decision.ModelId, decision.Selected, decision.Reason);
        }

        var selected = decisions.Where(d => d.Selected).ToList();
        if (selected.Count == 0)
        {
            var reason = packages.Count == 0
                ? $"No model package is enabled for routing profile '{study.RoutingProfile}'{(profile.Disabled.Count > 0 ? $" ({string.Join(", ", profile.Disabled.Select(p => p.Id))} disabled)" : "")}."
                : $"No model package applies to the {study.Series.Count} series of the study.";
            return new AnalysisOutcome(new StudySkipped(study.JobId, study.CorrelationId, clock.GetUtcNow(), study.StudyInstanceUid, reason, decisions));
        }

        var jobFolder = Path.Combine(stores.RootOf(StoreNames.Results), study.JobId.ToString("N"));
        var runs = new List<RunResults>();
        var modelRuns = new List<ModelRun>();
        var failures = new List<ModelRunFailure>();
        foreach (var seriesGroup in selected.GroupBy(d => d.SeriesInstanceUid))
        {
            var series = study.Series.First(s => s.SeriesInstanceUid == seriesGroup.Key);
            var seriesPackages = seriesGroup.Select(d => packages.First(p => p.Id == d.ModelId)).ToList();
            Volume volume;
            try
            {
                volume = await SeriesVolumeLoader.LoadAsync(stores.PathOf(series.Location), stores.DicomSourceOf, cancellationToken).ConfigureAwait(false);
            }
            catch (VolumeAssemblyException e)
            {
                LogNotAssemblable(study.JobId, series.SeriesInstanceUid, e.Message);
                failures.AddRange(seriesPackages.Select(p => new ModelRunFailure(p.Id, p.Version, series.SeriesInstanceUid, "volume-not-assemblable", e.Message)));
                continue;
            }

            foreach (var package in seriesPackages)
            {
                var runId = $"run-{runs.Count + failures.Count + 1}";
                using var timeLimit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeLimit.CancelAfter(_runTimeout);
                try
                {
                    var run = await RunAsync(study, package, volume, jobFolder, runId, timeLimit.Token).ConfigureAwait(false);
                    runs.Add(run);
                    modelRuns.Add(new ModelRun(package.Id, package.Version, package.Manifest.Status.ToString(), series.SeriesInstanceUid,
                        run.Findings.Count, run.DurationMs, run.ExecutionProvider));
                    LogRunDone(study.JobId, package.Id, series.SeriesInstanceUid, run.Findings.Count, run.ExecutionProvider, run.DurationMs);
                }
                catch (OperationCanceledException) when (timeLimit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    // Stuck or far too slow: the same input would be as slow again, so this is a result too.
                    LogRunFailed(study.JobId, package.Id, series.SeriesInstanceUid, "Timeout", $"terminated after {_runTimeout}");
                    failures.Add(new ModelRunFailure(package.Id, package.Version, series.SeriesInstanceUid, "model-timeout", $"The run took longer than {_runTimeout} and was terminated."));
                }
                catch (Exception e) when (e is OnnxRuntimeException or InvalidOperationException or ArgumentException or IndexOutOfRangeException or ModelPackageException)
                {
                    // A model that cannot run on this input is a result, not a reason to redeliver: the same input fails the same way.
                    LogRunFailed(study.JobId, package.Id, series.SeriesInstanceUid, e.GetType().Name, e.Message);
                    failures.Add(new ModelRunFailure(package.Id, package.Version, series.SeriesInstanceUid, "model-error", $"{e.GetType().Name}: {FirstLine(e.Message)}"));
                }
            }
        }

        if (runs.Count == 0)
        {
            var first = failures[0];
            return new AnalysisOutcome(new AnalysisFailed(study.JobId, study.CorrelationId, clock.GetUtcNow(), study.StudyInstanceUid,
                first.ErrorCode, first.Reason, first.ModelId, first.SeriesInstanceUid, decisions, failures));
        }

        var completedAt = clock.GetUtcNow();
        var document = new AnalysisResults(AnalysisResults.CurrentSchemaVersion, study.JobId, study.StudyInstanceUid, completedAt, runs);
        var documentPath = Path.Combine(jobFolder, AnalysisResults.FileName);
        await stores.WriteAsync(documentPath, (stream, ct) => JsonSerializer.SerializeAsync(stream, document, Json, ct), cancellationToken: cancellationToken).ConfigureAwait(false);
        return new AnalysisOutcome(new AnalysisDone(study.JobId, study.CorrelationId, completedAt, study.StudyInstanceUid, modelRuns,
            stores.ReferenceOf(StoreNames.Results, documentPath), decisions, failures.Count > 0 ? failures : null, study.Series, study.SendingAeTitle));
    }

    private async Task<RunResults> RunAsync(StudyReceived study, ModelPackage package, Volume volume, string jobFolder, string runId, CancellationToken cancellationToken)
    {
        using var activity = Activities.StartActivity("inference.run");
        activity?.SetTag("radai.job.id", study.JobId);
        activity?.SetTag("radai.model.id", package.Id);
        activity?.SetTag("radai.series.uid", volume.SeriesInstanceUid);
        var started = Stopwatch.StartNew();
        var raw = runner.Run(package, volume, cancellationToken);
        var analysis = analyzers.For(package).Analyze(new AnalyzerInput(package, volume, raw), cancellationToken);
        StorageReference? mask = null;
        if (analysis.LabelMap is { } labelMap)
        {
            var maskPath = Path.Combine(jobFolder, runId, "mask.radaimap");
            await stores.WriteAsync(maskPath, (stream, ct) => LabelMapFile.WriteAsync(stream, volume.SizeX, volume.SizeY, volume.SizeZ, labelMap, ct),
                cancellationToken: cancellationToken).ConfigureAwait(false);
            mask = stores.ReferenceOf(StoreNames.Results, maskPath);
        }

        activity?.SetTag("radai.execution_provider", raw.ExecutionProvider);
        var manifest = package.Manifest;
        return new RunResults(
            runId,
            new ModelIdentity(manifest.Id, manifest.Version, manifest.Name, manifest.Status.ToString(), manifest.IntendedUse, manifest.Limitations),
            volume.SeriesInstanceUid,
            volume.Modality,
            volume.FrameOfReferenceUid,
            Geometry(volume),
            raw.ExecutionProvider,
            started.ElapsedMilliseconds,
            analysis.Segments,
            mask,
            analysis.Findings,
            analysis.Notes);
    }

    private static VolumeGeometry Geometry(Volume volume) => new(
        volume.SizeX, volume.SizeY, volume.SizeZ,
        new Vector3D(volume.Spacing.X, volume.Spacing.Y, volume.Spacing.Z),
        volume.Origin.ToVector(), volume.RowDirection.ToVector(), volume.ColumnDirection.ToVector(),
        [.. volume.Slices.Select(FindingFactory.ToReference)]);

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();

    [LoggerMessage(EventId = 6201, Level = LogLevel.Information, Message = "Job {JobId}: series {SeriesUid} × {ModelId}: selected {Selected} ({Reason})")]
    private partial void LogDecision(Guid jobId, string seriesUid, string modelId, bool selected, string reason);

    [LoggerMessage(EventId = 6202, Level = LogLevel.Warning, Message = "Job {JobId}: series {SeriesUid} cannot be assembled into a volume: {Reason}")]
    private partial void LogNotAssemblable(Guid jobId, string seriesUid, string reason);

    [LoggerMessage(EventId = 6203, Level = LogLevel.Information, Message = "Job {JobId}: {ModelId} on series {SeriesUid}: {FindingCount} finding(s) on {ExecutionProvider} in {DurationMs} ms")]
    private partial void LogRunDone(Guid jobId, string modelId, string seriesUid, int findingCount, string executionProvider, long durationMs);

    [LoggerMessage(EventId = 6204, Level = LogLevel.Error, Message = "Job {JobId}: {ModelId} failed on series {SeriesUid}: {ErrorType}: {Reason}")]
    private partial void LogRunFailed(Guid jobId, string modelId, string seriesUid, string errorType, string reason);
}
