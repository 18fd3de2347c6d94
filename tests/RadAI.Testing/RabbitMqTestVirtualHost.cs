using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Serialization;

namespace RadAI.Testing;

/// <summary>
/// A private virtual host on the test broker, so that parallel tests never see each other's
/// exchanges and queues; deleted on dispose. Also reads queues through the management API.
/// </summary>
public sealed class RabbitMqTestVirtualHost : IAsyncDisposable
{
    private readonly HttpClient _http;

    private RabbitMqTestVirtualHost(string name, HttpClient http)
    {
        Name = name;
        _http = http;
    }

    public string Name { get; }

    /// <summary>Settings a RadAI host needs to use this virtual host (environment variable form).</summary>
    public IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Messaging__Transport"] = "RabbitMq",
        ["Messaging__RabbitMq__Host"] = TestEnvironment.RabbitMqHost,
        ["Messaging__RabbitMq__Port"] = TestEnvironment.RabbitMqPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Messaging__RabbitMq__VirtualHost"] = Name,
        ["Messaging__RabbitMq__Username"] = "guest",
        ["Messaging__RabbitMq__Password"] = "guest",
    };

    public static async Task<RabbitMqTestVirtualHost> CreateAsync()
    {
        var http = new HttpClient { BaseAddress = TestEnvironment.RabbitMqManagement, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.ASCII.GetBytes("guest:guest")));
        var name = $"radai-test-{Guid.NewGuid():N}";
        (await http.PutAsync($"api/vhosts/{name}", null)).EnsureSuccessStatusCode();
        (await http.PutAsJsonAsync($"api/permissions/{name}/guest", new { configure = ".*", write = ".*", read = ".*" })).EnsureSuccessStatusCode();
        return new RabbitMqTestVirtualHost(name, http);
    }

    /// <summary>A queue of this virtual host, or null when it does not exist.</summary>
    public async Task<QueueInfo?> GetQueueAsync(string queue)
    {
        using var response = await _http.GetAsync($"api/queues/{Name}/{Uri.EscapeDataString(queue)}");
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<QueueInfo>();
    }

    /// <summary>The names of the queues of this virtual host.</summary>
    public async Task<IReadOnlyList<string>> ListQueuesAsync()
    {
        var queues = await _http.GetFromJsonAsync<List<QueueInfo>>($"api/queues/{Name}") ?? [];
        return [.. queues.Select(q => q.Name)];
    }

    /// <summary>
    /// Limits how many connections this virtual host accepts (0: none; null: no limit). Connections already
    /// open stay: with <see cref="CloseConnectionsAsync"/>, a client is cut off from the broker until the limit goes.
    /// </summary>
    public async Task SetMaxConnectionsAsync(int? max)
    {
        var uri = $"api/vhost-limits/{Uri.EscapeDataString(Name)}/max-connections";
        using var response = max is { } value
            ? await _http.PutAsJsonAsync(uri, new { value })
            : await _http.DeleteAsync(uri);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>The client-given names (MassTransit: the service name) of the connections open on this virtual host.</summary>
    public async Task<IReadOnlyList<string>> ListConnectionNamesAsync()
    {
        var connections = await _http.GetFromJsonAsync<List<ConnectionInfo>>($"api/vhosts/{Uri.EscapeDataString(Name)}/connections") ?? [];
        return [.. connections.Select(c => c.ClientName ?? c.Name)];
    }

    /// <summary>Closes, broker side, the connections of this virtual host that the client named <paramref name="clientName"/>; returns how many.</summary>
    public async Task<int> CloseConnectionsAsync(string clientName)
    {
        var connections = await _http.GetFromJsonAsync<List<ConnectionInfo>>($"api/vhosts/{Uri.EscapeDataString(Name)}/connections") ?? [];
        var closed = 0;
        foreach (var connection in connections.Where(c => c.ClientName == clientName))
        {
            using var response = await _http.DeleteAsync($"api/connections/{Uri.EscapeDataString(connection.Name)}");
            if (response.IsSuccessStatusCode)
            {
                closed++;
            }
        }

        return closed;
    }

    public async ValueTask DisposeAsync()
    {
        using (await _http.DeleteAsync($"api/vhosts/{Name}"))
        {
        }

        _http.Dispose();
    }

    /// <summary>What the management API says of a connection: its broker name and the name its client gave it.</summary>
    public sealed record ConnectionInfo(
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("client_properties")] Dictionary<string, System.Text.Json.JsonElement>? ClientProperties)
    {
        /// <summary>The client-given connection name, if any.</summary>
        public string? ClientName => ClientProperties is not null && ClientProperties.TryGetValue("connection_name", out var name) && name.ValueKind == System.Text.Json.JsonValueKind.String
            ? name.GetString()
            : null;
    }

    /// <summary>What the management API says of a queue.</summary>
    public sealed record QueueInfo(
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("messages")] int Messages,
        [property: JsonPropertyName("messages_ready")] int MessagesReady,
        [property: JsonPropertyName("arguments")] Dictionary<string, System.Text.Json.JsonElement>? Arguments);
}
