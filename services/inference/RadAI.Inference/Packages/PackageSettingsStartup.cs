using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace RadAI.Inference.Packages;

/// <summary>
/// Writes <c>Inference:DisabledPackages</c> and <c>Inference:Profiles</c> into the database before the bus starts (in
/// <see cref="IHostedLifecycleService.StartingAsync"/>, after the migrations): no study is routed against settings that
/// do not hold the configuration yet.
/// </summary>
public sealed partial class PackageSettingsStartup(PackageSettingsRepository settings, IOptions<InferenceOptions> options, ILogger<PackageSettingsStartup> logger) : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        var configured = options.Value;
        await settings.SeedAsync(
            configured.DisabledPackages,
            configured.Profiles.ToDictionary(p => p.Key, p => (IReadOnlyList<string>)p.Value.Packages, StringComparer.Ordinal),
            cancellationToken).ConfigureAwait(false);
        LogSeeded(configured.DisabledPackages.Count, configured.Profiles.Count);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 6501, Level = LogLevel.Information, Message = "Configured package settings written to the database: {Disabled} disabled package(s), {Profiles} routing profile(s)")]
    private partial void LogSeeded(int disabled, int profiles);
}
