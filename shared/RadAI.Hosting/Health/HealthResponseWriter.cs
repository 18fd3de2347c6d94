using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace RadAI.Hosting.Health;

/// <summary>Writes a health report as JSON: overall status, then each check with its description.</summary>
public static class HealthResponseWriter
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = false };

    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new HealthDocument(
            report.Status.ToString(),
            report.TotalDuration.TotalMilliseconds,
            report.Entries.ToDictionary(
                e => e.Key,
                e => new HealthEntry(e.Value.Status.ToString(), e.Value.Description, e.Value.Duration.TotalMilliseconds, e.Value.Data.Count == 0 ? null : e.Value.Data)));
        return JsonSerializer.SerializeAsync(context.Response.Body, body, Json, context.RequestAborted);
    }

    /// <summary>The JSON shape of a health report.</summary>
    public sealed record HealthDocument(string Status, double DurationMs, IReadOnlyDictionary<string, HealthEntry> Checks);

    /// <summary>One check of a health report.</summary>
    public sealed record HealthEntry(string Status, string? Description, double DurationMs, IReadOnlyDictionary<string, object>? Data);
}
