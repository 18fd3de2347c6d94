using RadAI.Testing;

namespace RadAI.Integration.Tests;

/// <summary>Settings (environment variable form) that point a service at the test servers.</summary>
internal static class ServiceSettings
{
    public static Dictionary<string, string?> For(PostgresTestDatabase database, RabbitMqTestVirtualHost broker) =>
        For(database, broker.Settings);

    /// <summary>The same with any broker's settings (e.g. a private <see cref="RabbitMqNode"/>).</summary>
    public static Dictionary<string, string?> For(PostgresTestDatabase database, IReadOnlyDictionary<string, string?> brokerSettings)
    {
        var storage = Path.Combine(Path.GetTempPath(), $"radai-store-{Guid.NewGuid():N}");
        var settings = new Dictionary<string, string?>(brokerSettings)
        {
            ["Database__Provider"] = "Postgres",
            ["Database__ConnectionString"] = database.ConnectionString,
            // Each test gets its own store and any free DICOM port (dicom-ingest).
            ["Storage__Root"] = storage,
            ["DicomIngest__Port"] = "0",
        };

        // The api's signing key and first administrator (the other services ignore these keys).
        foreach (var (key, value) in ApiAccess.ServiceSettings(Path.Combine(storage, "test-secrets")))
        {
            settings[key] = value;
        }

        return settings;
    }
}
