using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace RadAI.DicomIngest.Senders;

/// <summary>
/// Writes the configured senders into <c>ingest_senders</c> before the SCP listens (in
/// <see cref="IHostedLifecycleService.StartingAsync"/>, after the migrations): no association is judged against a table
/// that does not hold the configuration yet.
/// </summary>
public sealed partial class SenderStartup(SenderRepository senders, IOptions<DicomIngestOptions> options, ILogger<SenderStartup> logger) : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        await senders.SeedAsync(options.Value.Senders, cancellationToken).ConfigureAwait(false);
        LogSeeded(options.Value.Senders.Count);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 4401, Level = LogLevel.Information, Message = "{Count} configured senders written to the database")]
    private partial void LogSeeded(int count);
}
