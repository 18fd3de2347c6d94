using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RadAI.Inference.Packages;

namespace RadAI.Inference.Runtime;

/// <summary>
/// Loads the model packages and their ONNX sessions (warmed up) in the background at start; the
/// service is ready once they are, so the first study does not wait for model loading.
/// </summary>
public sealed partial class ModelLoader(PackageSettings settings, OnnxSessions sessions, IOptions<InferenceOptions> options, ILogger<ModelLoader> logger)
    : BackgroundService, IHealthCheck
{
    private volatile string? _state;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        // The packages enabled now; one enabled later loads its session at its first run.
        var packages = await settings.EnabledAsync(stoppingToken).ConfigureAwait(false);
        if (options.Value.WarmUp)
        {
            foreach (var package in packages)
            {
                stoppingToken.ThrowIfCancellationRequested();
                try
                {
                    sessions.Get(package.OnnxPath());
                }
                catch (Exception e) when (e is Microsoft.ML.OnnxRuntime.OnnxRuntimeException or IOException)
                {
                    // The package stays listed; its runs fail with the reason (AnalysisFailed) instead of stopping the service.
                    LogSessionFailed(package.Id, e.Message.Split('\n')[0]);
                }
            }
        }

        _state = $"{packages.Count} model package(s): {string.Join(", ", packages.Select(p => $"{p.Id} {p.Version} ({p.Manifest.Status})"))}";
        LogReady(_state);
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_state is { } state ? HealthCheckResult.Healthy(state) : HealthCheckResult.Unhealthy("Model packages are loading"));

    [LoggerMessage(EventId = 6401, Level = LogLevel.Information, Message = "Inference ready: {State}")]
    private partial void LogReady(string state);

    [LoggerMessage(EventId = 6402, Level = LogLevel.Error, Message = "Model package {Id}: its ONNX model cannot be loaded: {Reason}")]
    private partial void LogSessionFailed(string id, string reason);
}
