using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace RadAI.Data.Tests;

public sealed class MigrationRunnerTests
{
    private static MigrationSource Widgets => new("widgets", typeof(MigrationRunnerTests).Assembly);

    private static MigrationRunner Runner(TestDatabase db, params MigrationSource[] sources) =>
        new(db.Connections, sources, NullLogger<MigrationRunner>.Instance);

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task Applies_pending_migrations_in_order_once(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);

        var first = await Runner(db, Widgets).MigrateAsync(CancellationToken.None);
        var second = await Runner(db, Widgets).MigrateAsync(CancellationToken.None);

        Assert.Equal([1, 2], first.Select(m => m.Version));
        Assert.Empty(second);
        await using var connection = await db.Connections.OpenConnectionAsync(CancellationToken.None);
        var recorded = await connection.QueryAsync<int>("SELECT version FROM radai_schema_migrations WHERE module = 'widgets' ORDER BY version");
        Assert.Equal([1, 2], recorded);
    }

    [Theory]
    [InlineData(DatabaseProvider.Postgres, null)]
    [InlineData(DatabaseProvider.Sqlite, "grey")]
    public async Task Dialect_specific_file_replaces_the_portable_one(DatabaseProvider provider, string? expectedDefaultColour)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await Runner(db, Widgets).MigrateAsync(CancellationToken.None);

        await using var connection = await db.Connections.OpenConnectionAsync(CancellationToken.None);
        await connection.ExecuteAsync("INSERT INTO widgets (id, name) VALUES (1, 'a')");
        var colour = await connection.ExecuteScalarAsync<string?>("SELECT colour FROM widgets WHERE id = 1");
        Assert.Equal(expectedDefaultColour, colour);
    }

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task Refuses_an_applied_migration_whose_script_changed(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await Runner(db, Widgets).MigrateAsync(CancellationToken.None);
        await using (var connection = await db.Connections.OpenConnectionAsync(CancellationToken.None))
        {
            await connection.ExecuteAsync("UPDATE radai_schema_migrations SET checksum = 'edited' WHERE module = 'widgets' AND version = 1");
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Runner(db, Widgets).MigrateAsync(CancellationToken.None));
        Assert.Contains("widgets/0001_widgets was changed", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task Refuses_a_database_newer_than_the_code(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await Runner(db, Widgets).MigrateAsync(CancellationToken.None);
        await using (var connection = await db.Connections.OpenConnectionAsync(CancellationToken.None))
        {
            await connection.ExecuteAsync("INSERT INTO radai_schema_migrations (module, version, name, checksum) VALUES ('widgets', 9, 'future', 'x')");
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Runner(db, Widgets).MigrateAsync(CancellationToken.None));
        Assert.Contains("that this version does not know", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task Concurrent_starts_apply_each_migration_exactly_once(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);

        var runs = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => Runner(db, Widgets).MigrateAsync(CancellationToken.None))));

        Assert.Equal(2, runs.Sum(r => r.Count));
        await using var connection = await db.Connections.OpenConnectionAsync(CancellationToken.None);
        Assert.Equal(2, await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM radai_schema_migrations WHERE module = 'widgets'"));
    }

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task A_failing_migration_leaves_nothing_half_applied(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using (var connection = await db.Connections.OpenConnectionAsync(CancellationToken.None))
        {
            // 0001 will fail: the table already exists. 0002 must then not run either.
            await connection.ExecuteAsync("CREATE TABLE widgets (id INTEGER PRIMARY KEY)");
        }

        await Assert.ThrowsAnyAsync<Exception>(() => Runner(db, Widgets).MigrateAsync(CancellationToken.None));

        // Once the obstacle is gone, both versions apply: neither was recorded by the failed run.
        await using (var connection = await db.Connections.OpenConnectionAsync(CancellationToken.None))
        {
            await connection.ExecuteAsync("DROP TABLE widgets");
        }

        var applied = await Runner(db, Widgets).MigrateAsync(CancellationToken.None);
        Assert.Equal([1, 2], applied.Select(m => m.Version));
    }
}
