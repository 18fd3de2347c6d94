using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace RadAI.Hosting.Messaging;

/// <summary>Ready when the RabbitMQ broker accepts a connection and opens a channel.</summary>
public sealed class BrokerHealthCheck(RabbitMqConnectionProvider connections) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var connection = await connections.GetConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"RabbitMQ {connection.Endpoint.HostName}:{connection.Endpoint.Port} reachable");
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("RabbitMQ is not reachable: " + e.Message);
        }
    }
}
