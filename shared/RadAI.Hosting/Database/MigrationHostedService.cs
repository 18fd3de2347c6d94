using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using RadAI.Data;

namespace RadAI.Hosting.Database;

/// <summary>
/// Applies migrations in <see cref="IHostedLifecycleService.StartingAsync"/>, which runs before any
/// hosted service's StartAsync: no consumer or listener ever sees a schema older than its code.
/// </summary>
internal sealed class MigrationHostedService(MigrationRunner runner, IOptions<DatabaseOptions> options) : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        if (options.Value.MigrateOnStart)
        {
            await runner.MigrateAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
