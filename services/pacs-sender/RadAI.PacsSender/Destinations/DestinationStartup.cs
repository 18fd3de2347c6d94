using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace RadAI.PacsSender.Destinations;

/// <summary>
/// Writes the configured destinations into the database before the bus starts (in <see cref="IHostedLifecycleService.StartingAsync"/>,
/// after the migrations: no ReportReady is consumed against an empty table), then C-ECHOes each enabled destination in
/// the background and records the answer.
/// </summary>
public sealed partial class DestinationStartup(
    DestinationRepository destinations, DestinationConnector connector, IOptions<PacsSenderOptions> options, ILogger<DestinationStartup> logger) : IHostedLifecycleService, IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _echoes = Task.CompletedTask;

    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        await destinations.SeedAsync(options.Value.Destinations, cancellationToken).ConfigureAwait(false);
        LogSeeded(options.Value.Destinations.Count);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.EchoOnStart)
        {
            _echoes = EchoAllAsync(_stopping.Token);
        }

        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _echoes.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped while checking.
        }
    }

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public ValueTask DisposeAsync()
    {
        _stopping.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task EchoAllAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            var enabled = (await destinations.ListAsync(cancellationToken).ConfigureAwait(false)).Where(d => d.Enabled);
            await Task.WhenAll(enabled.Select(d => connector.EchoAsync(d, cancellationToken))).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            LogEchoesFailed(e);
        }
    }

    [LoggerMessage(EventId = 7403, Level = LogLevel.Information, Message = "{Count} configured destinations written to the database")]
    private partial void LogSeeded(int count);

    [LoggerMessage(EventId = 7404, Level = LogLevel.Warning, Message = "C-ECHO of the destinations at start could not be recorded")]
    private partial void LogEchoesFailed(Exception exception);
}
