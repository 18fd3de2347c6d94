using Npgsql;
using RadAI.Testing;

namespace RadAI.Data.Tests;

/// <summary>A fresh database of either engine, for tests that must hold on both.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly PostgresTestDatabase? _postgres;
    private readonly TemporaryDirectory? _sqliteFolder;

    private TestDatabase(SqlDialect dialect, PostgresTestDatabase? postgres, TemporaryDirectory? sqliteFolder)
    {
        Dialect = dialect;
        Connections = new DbConnectionFactory(dialect);
        _postgres = postgres;
        _sqliteFolder = sqliteFolder;
    }

    public SqlDialect Dialect { get; }

    /// <summary>The PostgreSQL database; null on SQLite.</summary>
    public PostgresTestDatabase? Postgres => _postgres;

    public IDbConnectionFactory Connections { get; }

    public static async Task<TestDatabase> CreateAsync(DatabaseProvider provider)
    {
        DapperTypeHandlers.Register();
        if (provider == DatabaseProvider.Postgres)
        {
            var postgres = await PostgresTestDatabase.CreateAsync();
            return new TestDatabase(new PostgresDialect(NpgsqlDataSource.Create(postgres.ConnectionString)), postgres, null);
        }

        var folder = new TemporaryDirectory("radai-sqlite");
        return new TestDatabase(new SqliteDialect($"Data Source={Path.Combine(folder.Path, "radai.db")}"), null, folder);
    }

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
