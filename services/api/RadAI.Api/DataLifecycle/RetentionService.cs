using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RadAI.Api.Security;
using RadAI.Data.Audit;

namespace RadAI.Api.DataLifecycle;

/// <summary>
/// The retention policy, run by the api (it holds the job list, the audit log and is the one service every node runs once):
/// every <see cref="RetentionOptions.Interval"/>, jobs created more than <see cref="RetentionOptions.Days"/> days ago lose
/// their files and the other services their rows (<see cref="RadAI.Contracts.JobDataErased"/>); each pass that purged something is audited as <c>retention.purge</c> by <c>system</c> with the job ids.
/// </summary>
public sealed partial class RetentionService(
    JobDataEraser eraser,
    IServiceScopeFactory scopes,
    IAuditLog audit,
    IOptions<RetentionOptions> options,
    TimeProvider clock,
    ILogger<RetentionService> logger) : BackgroundService
{
    /// <summary>One pass: purges what is older than the policy allows (nothing when it is off).</summary>
    public async Task<ErasedData> PurgeOnceAsync(CancellationToken cancellationToken)
    {
        var days = options.Value.Days;
        if (days == 0)
        {
            return new ErasedData([], 0);
        }

        var now = clock.GetUtcNow();
        await using var scope = scopes.CreateAsyncScope();
        var publish = scope.ServiceProvider.GetRequiredService<IPublishEndpoint>();
        var purged = await eraser.PurgeCreatedBeforeAsync(now.AddDays(-days), now, publish, cancellationToken).ConfigureAwait(false);
        if (purged.JobIds.Count > 0)
        {
            await audit.WriteAsync(null, "retention.purge", null, AuditOutcome.Success,
                new { retentionDays = days, jobIds = purged.JobIds, folders = purged.Folders }, cancellationToken).ConfigureAwait(false);
            LogPurged(purged.JobIds.Count, purged.Folders, days);
        }

        return purged;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.Days == 0)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.Interval, clock);
        do
        {
            try
            {
                await PurgeOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogPurgeFailed(e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(EventId = 5301, Level = LogLevel.Information, Message = "Retention purged the files of {Jobs} jobs ({Folders} folders) older than {Days} days")]
    private partial void LogPurged(int jobs, int folders, int days);

    [LoggerMessage(EventId = 5302, Level = LogLevel.Warning, Message = "Retention pass failed: {Reason}; next pass at the next interval")]
    private partial void LogPurgeFailed(string reason);
}
