using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace RadAI.Testing;

/// <summary>
/// How a test reads the api's job endpoints, which need a signed-in caller: the first administrator is created from a
/// password file (<c>Api:Security:InitialAdminPasswordFile</c>), signs in once and creates an API key, which the
/// test's HttpClient then sends on every request (as a machine client would).
/// </summary>
public static class ApiAccess
{
    /// <summary>The first administrator's password in tests (never a product default: the product has none).</summary>
    public const string AdminPassword = "test administrator password, long enough";

    /// <summary>The header that carries an API key.</summary>
    public const string ApiKeyHeader = "X-Api-Key";

    /// <summary>Writes <see cref="AdminPassword"/> to a file in <paramref name="folder"/> and returns its path.</summary>
    public static string WriteAdminPasswordFile(string folder)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "initial-admin-password");
        File.WriteAllText(path, AdminPassword + "\n");
        return path;
    }

    /// <summary>
    /// The settings (environment variable form) that give a separately started api a signing key (created in
    /// <paramref name="secretsFolder"/>) and its first administrator.
    /// </summary>
    public static Dictionary<string, string?> ServiceSettings(string secretsFolder) => new()
    {
        ["Api__Security__SigningKeyFile"] = Path.Combine(secretsFolder, "jwt-signing.key"),
        ["Api__Security__CreateSigningKeyFile"] = "true",
        ["Api__Security__InitialAdminPasswordFile"] = WriteAdminPasswordFile(secretsFolder),
    };

    /// <summary>Signs in as the first administrator through <paramref name="http"/> and creates an API key with <paramref name="role"/>.</summary>
    public static async Task<string> CreateApiKeyAsync(HttpClient http, string role = "viewer")
    {
        string accessToken;
        using (var login = await http.PostAsJsonAsync(new Uri("/api/auth/login", UriKind.Relative), new { username = "admin", password = AdminPassword }))
        {
            await EnsureAsync(login, "sign-in of the first administrator");
            accessToken = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/api-keys", UriKind.Relative))
        {
            Content = JsonContent.Create(new { name = "tests-" + Guid.NewGuid().ToString("N")[..8], role }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var created = await http.SendAsync(request);
        await EnsureAsync(created, "creation of an API key");
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
    }

    /// <summary>Makes <paramref name="http"/> send <paramref name="apiKey"/> on every request.</summary>
    public static void Use(HttpClient http, string apiKey)
    {
        http.DefaultRequestHeaders.Remove(ApiKeyHeader);
        http.DefaultRequestHeaders.Add(ApiKeyHeader, apiKey);
    }

    /// <summary>
    /// Creates a key (<see cref="CreateApiKeyAsync"/>) as soon as the api lets the administrator sign in (a host that
    /// just started may still be creating it), and makes <paramref name="http"/> send it.
    /// </summary>
    public static async Task<string> SignInAsync(HttpClient http, string role = "viewer", TimeSpan? timeout = null)
    {
        // A refusal is retried until the deadline; the last one is the timeout's inner exception.
        var key = await Eventually.ValueAsync<string>(async () => await CreateApiKeyAsync(http, role), timeout ?? TimeSpan.FromSeconds(120),
            "an API key from the first administrator");
        Use(http, key);
        return key;
    }

    private static async Task EnsureAsync(HttpResponseMessage response, string what)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }
}
