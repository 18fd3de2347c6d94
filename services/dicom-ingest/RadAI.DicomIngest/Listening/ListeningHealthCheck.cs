using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace RadAI.DicomIngest.Listening;

/// <summary>Ready when this instance listens; not on standby, so that no load balancer sends it associations.</summary>
public sealed class ListeningHealthCheck(DicomListenerService listener) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(listener.LocalEndPoint is { } endPoint
            ? HealthCheckResult.Healthy($"listening on {endPoint}")
            : HealthCheckResult.Unhealthy("on standby: another dicom-ingest instance holds this database's lock (one listens per database)"));
}
