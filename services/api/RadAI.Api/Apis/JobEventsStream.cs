using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using RadAI.Api.Jobs;

namespace RadAI.Api.Apis;

/// <summary>
/// <c>GET /api/jobs/events</c>: every change of the read model as a server-sent event (<c>event: job</c>, id = the
/// change's sequence, data = job id, status, event type, times; no patient data), with heartbeat comments. A client
/// resumes after a disconnection with <c>Last-Event-ID</c> (browsers send it by themselves); a new one starts with the
/// changes after it connected.
/// </summary>
public static class JobEventsStream
{
    private const int BatchSize = 200;

    public static async Task<IResult> StreamAsync(
        HttpContext context, JobRepository jobs, JobChangeNotifier notifier, IOptions<JobsApiOptions> options, CancellationToken cancellationToken)
    {
        var lastEventId = context.Request.Headers["Last-Event-ID"].ToString();
        if (lastEventId.Length == 0)
        {
            lastEventId = context.Request.Query["lastEventId"].ToString();
        }

        long after;
        if (lastEventId.Length > 0)
        {
            if (!long.TryParse(lastEventId, NumberStyles.None, CultureInfo.InvariantCulture, out after))
            {
                return JobsApi.Invalid("Invalid Last-Event-ID", "Last-Event-ID must be the id of an event of this stream (a non-negative integer).");
            }
        }
        else
        {
            after = await jobs.LastSequenceAsync(cancellationToken).ConfigureAwait(false);
        }

        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        // Proxies (nginx) must pass events on as they come.
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        var settings = options.Value;
        var heartbeat = TimeSpan.FromSeconds(settings.HeartbeatSeconds);
        var poll = TimeSpan.FromMilliseconds(settings.PollMilliseconds);
        try
        {
            await response.WriteAsync($"retry: {settings.RetryMilliseconds}\n: connected\n\n", cancellationToken).ConfigureAwait(false);
            await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
            var lastWrite = DateTimeOffset.UtcNow;
            while (!cancellationToken.IsCancellationRequested)
            {
                // Taken before reading: a change recorded while reading wakes the next wait.
                var changed = notifier.NextChange;
                var changes = await jobs.ChangesAfterAsync(after, BatchSize, cancellationToken).ConfigureAwait(false);
                foreach (var change in changes)
                {
                    var data = JsonSerializer.Serialize(change, JsonSerializerOptions.Web);
                    await response.WriteAsync(
                        $"id: {change.Sequence.ToString(CultureInfo.InvariantCulture)}\nevent: job\ndata: {data}\n\n", cancellationToken).ConfigureAwait(false);
                    after = change.Sequence;
                }

                if (changes.Count > 0)
                {
                    await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
                    lastWrite = DateTimeOffset.UtcNow;
                    if (changes.Count == BatchSize)
                    {
                        continue;
                    }
                }
                else if (DateTimeOffset.UtcNow - lastWrite >= heartbeat)
                {
                    // Keeps proxies from closing an idle connection, and tells the client the server is there.
                    await response.WriteAsync(": heartbeat\n\n", cancellationToken).ConfigureAwait(false);
                    await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
                    lastWrite = DateTimeOffset.UtcNow;
                }

                // Another replica may have projected a change: poll even without a local signal.
                var wait = poll < heartbeat ? poll : heartbeat;
                await Task.WhenAny(changed, Task.Delay(wait, cancellationToken)).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away.
        }

        return Results.Empty;
    }
}

/// <summary>Configuration section <c>Api:Jobs</c>: the live feed's timing and the overlay's label map cache.</summary>
public sealed class JobsApiOptions
{
    public const string SectionName = "Api:Jobs";

    /// <summary>Seconds without an event after which a heartbeat comment is sent.</summary>
    [Range(1, 300)]
    public int HeartbeatSeconds { get; set; } = 15;

    /// <summary>How often a feed looks for changes another replica projected, in milliseconds.</summary>
    [Range(50, 60_000)]
    public int PollMilliseconds { get; set; } = 1000;

    /// <summary>The reconnection delay the feed suggests to clients (<c>retry:</c>), in milliseconds.</summary>
    [Range(100, 600_000)]
    public int RetryMilliseconds { get; set; } = 3000;

    /// <summary>Memory for the label maps the dashboard's overlay reads, inflated once and kept (least recently used out), in MiB; 0 keeps none.</summary>
    [Range(0, 16_384)]
    public int MaskCacheMegabytes { get; set; } = 256;
}
