using System.Net.Http.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Yarp.ReverseProxy.Configuration;

namespace RadAI.Gateway;

/// <summary>
/// The gateway is ready when every service behind it is: asks each destination's
/// <c>/health/ready</c> and reports each answer.
/// </summary>
public sealed class DownstreamHealthCheck(IProxyConfigProvider proxyConfig, IHttpClientFactory httpClients) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var client = httpClients.CreateClient(GatewayModule.HealthClientName);
        var destinations = proxyConfig.GetConfig().Clusters
            .SelectMany(c => (c.Destinations ?? new Dictionary<string, DestinationConfig>()).Select(d => (Cluster: c.ClusterId, Name: d.Key, d.Value.Address)))
            .ToList();
        if (destinations.Count == 0)
        {
            return HealthCheckResult.Unhealthy("No destination is configured.");
        }

        var answers = await Task.WhenAll(destinations.Select(async d =>
        {
            var key = $"{d.Cluster}/{d.Name}";
            try
            {
                using var response = await client.GetAsync(new Uri(new Uri(d.Address), "/health/ready"), cancellationToken).ConfigureAwait(false);
                var body = await response.Content.ReadFromJsonAsync<StatusOnly>(cancellationToken).ConfigureAwait(false);
                return (key, Healthy: response.IsSuccessStatusCode, Status: body?.Status ?? response.StatusCode.ToString());
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
            {
                return (key, Healthy: false, Status: "unreachable: " + e.Message);
            }
        })).ConfigureAwait(false);

        var data = answers.ToDictionary(a => a.key, a => (object)a.Status);
        return answers.All(a => a.Healthy)
            ? HealthCheckResult.Healthy("Every service behind the gateway is ready.", data)
            : HealthCheckResult.Unhealthy("A service behind the gateway is not ready.", data: data);
    }

    private sealed record StatusOnly(string Status);
}
