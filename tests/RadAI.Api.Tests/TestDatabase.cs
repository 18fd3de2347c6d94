using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using RadAI.Api;
using RadAI.Data;
using RadAI.Testing;

namespace RadAI.Api.Tests;

/// <summary>A fresh database of either engine with the api's migrations applied, for tests that must hold on both.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly PostgresTestDatabase? _postgres;
    private readonly TemporaryDirectory? _sqliteFolder;

    private TestDatabase(DatabaseProvider provider, string connectionString, SqlDialect dialect, PostgresTestDatabase? postgres, TemporaryDirectory? sqliteFolder)
    {
        Provider = provider;
        ConnectionString = connectionString;
        Connections = new DbConnectionFactory(dialect);
        _postgres = postgres;
        _sqliteFolder = sqliteFolder;
    }

    public DatabaseProvider Provider { get; }

    public string ConnectionString { get; }

    public IDbConnectionFactory Connections { get; }

    /// <summary>The SQLite data folder (holds radai.db), as a standalone node's <c>--data</c>.</summary>
    public string? SqliteFolder => _sqliteFolder?.Path;

    public static async Task<TestDatabase> CreateAsync(DatabaseProvider provider, bool migrate = true)
    {
        DapperTypeHandlers.Register();
        TestDatabase db;
        if (provider == DatabaseProvider.Postgres)
        {
            var postgres = await PostgresTestDatabase.CreateAsync();
            db = new TestDatabase(provider, postgres.ConnectionString, new PostgresDialect(NpgsqlDataSource.Create(postgres.ConnectionString)), postgres, null);
        }
        else
        {
            var folder = new TemporaryDirectory("radai-api-sqlite");
            var connectionString = $"Data Source={Path.Combine(folder.Path, "radai.db")}";
            db = new TestDatabase(provider, connectionString, new SqliteDialect(connectionString), null, folder);
        }

        if (migrate)
        {
            await new MigrationRunner(db.Connections, [new MigrationSource(ApiModule.ServiceName, typeof(ApiModule).Assembly)], NullLogger<MigrationRunner>.Instance)
                .MigrateAsync(CancellationToken.None);
        }

        return db;
    }

    /// <summary>Runs SQL as someone with direct access to the database would (the tamperer of the audit tests).</summary>
    public async Task ExecuteAsync(string sql, object? parameters = null)
    {
        await using var connection = await Connections.OpenConnectionAsync(CancellationToken.None);
        await connection.ExecuteAsync(sql, parameters);
    }

    public async Task<T> ScalarAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = await Connections.OpenConnectionAsync(CancellationToken.None);
        return await connection.ExecuteScalarAsync<T>(sql, parameters) ?? throw new InvalidOperationException($"No value for: {sql}");
    }

    /// <summary>Lifts the append-only triggers, as a database owner could.</summary>
    public Task DropAuditTriggersAsync() => Provider == DatabaseProvider.Postgres
        ? ExecuteAsync("DROP TRIGGER audit_log_no_update ON audit_log; DROP TRIGGER audit_log_no_truncate ON audit_log")
        : ExecuteAsync("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete");

    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _sqliteFolder?.Dispose();
    }
}
