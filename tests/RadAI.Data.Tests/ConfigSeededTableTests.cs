using Dapper;
using Xunit;

namespace RadAI.Data.Tests;

/// <summary>
/// The configuration-seeded table behind senders, destinations, package settings and routing profiles: configuration
/// wins at start, configured rows are read-only through the api, every api change returns before and after. Same SQL
/// on both engines.
/// </summary>
public sealed class ConfigSeededTableTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 8, 0, 0, TimeSpan.Zero);

    /// <summary>A row of the test table.</summary>
    public sealed class Thing : ISeededRow
    {
        public string Name { get; set; } = "";

        public string? Colour { get; set; }

        public bool Enabled { get; set; }

        public string Source { get; set; } = "";

        public DateTimeOffset UpdatedAt { get; set; }
    }

    private sealed class Clock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static SeededTableSchema Schema(UnlistedConfiguredRows unlisted) => new(
        table: "seeded_things",
        keyColumn: "name",
        columns: [new("colour", "Colour"), new("enabled", "Enabled")],
        selectColumns: "name AS Name, colour AS Colour, enabled AS Enabled, source AS Source, updated_at AS UpdatedAt",
        unlisted: unlisted);

    private static async Task<(TestDatabase Db, ConfigSeededTable<Thing> Table, Clock Clock)> CreateAsync(DatabaseProvider provider, UnlistedConfiguredRows unlisted = UnlistedConfiguredRows.Delete)
    {
        var db = await TestDatabase.CreateAsync(provider);
        await using (var connection = await db.Connections.OpenConnectionAsync(CancellationToken.None))
        {
            await connection.ExecuteAsync(provider == DatabaseProvider.Postgres
                ? "CREATE TABLE seeded_things (name TEXT PRIMARY KEY, colour TEXT NULL, enabled BOOLEAN NOT NULL, source TEXT NOT NULL, updated_at TIMESTAMPTZ NOT NULL)"
                : "CREATE TABLE seeded_things (name TEXT PRIMARY KEY, colour TEXT NULL, enabled INTEGER NOT NULL, source TEXT NOT NULL, updated_at TEXT NOT NULL)");
        }

        var clock = new Clock(T0);
        return (db, new ConfigSeededTable<Thing>(db.Connections, clock, Schema(unlisted)), clock);
    }

    private static ConfiguredRow Configured(string name, string? colour, bool enabled = true) => new(name, new { Colour = colour, Enabled = enabled });

    private static (string, string?, bool, string) Shape(Thing? thing) =>
        thing is null ? ("", null, false, "none") : (thing.Name, thing.Colour, thing.Enabled, thing.Source);

    private static async Task<IReadOnlyList<(string, string?, bool, string)>> ShapesAsync(ConfigSeededTable<Thing> table) =>
        [.. (await table.ListAsync(CancellationToken.None)).Select(Shape)];

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task Seeding_the_same_configuration_again_changes_nothing(DatabaseProvider provider)
    {
        var (db, table, clock) = await CreateAsync(provider);
        await using var _ = db;
        ConfiguredRow[] configuration = [Configured("b-thing", "red"), Configured("a-thing", null, enabled: false)];

        await table.SeedAsync(configuration, CancellationToken.None);
        var first = await ShapesAsync(table);
        clock.Now = T0.AddMinutes(5);
        await table.SeedAsync(configuration, CancellationToken.None);

        Assert.Equal([("a-thing", null, false, SeededSource.Config), ("b-thing", "red", true, SeededSource.Config)], first);
        Assert.Equal(first, await ShapesAsync(table));
        Assert.Equal(T0.AddMinutes(5), (await table.FindAsync("a-thing", CancellationToken.None))?.UpdatedAt);
    }

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task A_configured_row_is_read_only_through_the_api(DatabaseProvider provider)
    {
        var (db, table, clock) = await CreateAsync(provider);
        await using var _ = db;
        await table.SeedAsync([Configured("main", "red")], CancellationToken.None);
        clock.Now = T0.AddMinutes(1);

        var upsert = await table.UpsertFromApiAsync("main", new { Colour = "blue", Enabled = true }, CancellationToken.None);
        var disable = await table.DisableFromApiAsync("main", CancellationToken.None);

        Assert.True(upsert.ReadOnly);
        Assert.Equal(("main", "red", true, SeededSource.Config), Shape(upsert.Before));
        Assert.Null(upsert.After);
        Assert.True(disable.ReadOnly);
        Assert.Equal(("main", "red", true, SeededSource.Config), Shape(disable.Before));
        Assert.Null(disable.After);
        var stored = await table.FindAsync("main", CancellationToken.None);
        Assert.Equal(("main", "red", true, SeededSource.Config), Shape(stored));
        Assert.Equal(T0, stored?.UpdatedAt);
    }

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task Every_api_change_returns_the_row_before_and_after(DatabaseProvider provider)
    {
        var (db, table, clock) = await CreateAsync(provider);
        await using var _ = db;

        var created = await table.UpsertFromApiAsync("scanner", new { Colour = "red", Enabled = true }, CancellationToken.None);
        clock.Now = T0.AddMinutes(1);
        var replaced = await table.UpsertFromApiAsync("scanner", new { Colour = "blue", Enabled = true }, CancellationToken.None);
        clock.Now = T0.AddMinutes(2);
        var disabled = await table.DisableFromApiAsync("scanner", CancellationToken.None);
        var unknown = await table.DisableFromApiAsync("nobody", CancellationToken.None);

        Assert.False(created.ReadOnly);
        Assert.Null(created.Before);
        Assert.Equal(("scanner", "red", true, SeededSource.Api), Shape(created.After));
        Assert.Equal(T0, created.After?.UpdatedAt);

        Assert.False(replaced.ReadOnly);
        Assert.Equal(("scanner", "red", true, SeededSource.Api), Shape(replaced.Before));
        Assert.Equal(("scanner", "blue", true, SeededSource.Api), Shape(replaced.After));
        Assert.Equal(T0.AddMinutes(1), replaced.After?.UpdatedAt);

        Assert.False(disabled.ReadOnly);
        Assert.Equal(("scanner", "blue", true, SeededSource.Api), Shape(disabled.Before));
        Assert.Equal(("scanner", "blue", false, SeededSource.Api), Shape(disabled.After));
        Assert.Equal(T0.AddMinutes(2), disabled.After?.UpdatedAt);

        Assert.Equal(default, unknown);
        Assert.Null(await table.FindAsync("nobody", CancellationToken.None));
    }

    [Theory]
    [InlineData(DatabaseProvider.Postgres, UnlistedConfiguredRows.Delete)]
    [InlineData(DatabaseProvider.Sqlite, UnlistedConfiguredRows.Delete)]
    [InlineData(DatabaseProvider.Postgres, UnlistedConfiguredRows.Disable)]
    [InlineData(DatabaseProvider.Sqlite, UnlistedConfiguredRows.Disable)]
    public async Task The_configuration_at_restart_wins_over_the_last_one_and_over_the_api(DatabaseProvider provider, UnlistedConfiguredRows unlisted)
    {
        var (db, table, clock) = await CreateAsync(provider, unlisted);
        await using var _ = db;
        await table.SeedAsync([Configured("changed", "red"), Configured("dropped", "red")], CancellationToken.None);
        await table.UpsertFromApiAsync("taken-over", new { Colour = "green", Enabled = false }, CancellationToken.None);
        await table.UpsertFromApiAsync("api-only", new { Colour = "green", Enabled = true }, CancellationToken.None);

        // Restart with another configuration: one row changed, one no longer listed, one the api had written.
        clock.Now = T0.AddHours(1);
        await table.SeedAsync([Configured("changed", "blue"), Configured("taken-over", "blue")], CancellationToken.None);

        (string, string?, bool, string)[] expected = unlisted == UnlistedConfiguredRows.Delete
            ?
            [
                ("api-only", "green", true, SeededSource.Api),
                ("changed", "blue", true, SeededSource.Config),
                ("taken-over", "blue", true, SeededSource.Config),
            ]
            :
            [
                ("api-only", "green", true, SeededSource.Api),
                ("changed", "blue", true, SeededSource.Config),
                ("dropped", "red", false, SeededSource.Config),
                ("taken-over", "blue", true, SeededSource.Config),
            ];
        Assert.Equal(expected, await ShapesAsync(table));
        Assert.True((await table.UpsertFromApiAsync("taken-over", new { Colour = "green", Enabled = true }, CancellationToken.None)).ReadOnly);
        if (unlisted == UnlistedConfiguredRows.Disable)
        {
            Assert.Equal(T0.AddHours(1), (await table.FindAsync("dropped", CancellationToken.None))?.UpdatedAt);
            // Disabled and still configured: still read-only, and a second restart leaves it as it is.
            Assert.True((await table.DisableFromApiAsync("dropped", CancellationToken.None)).ReadOnly);
            clock.Now = T0.AddHours(2);
            await table.SeedAsync([Configured("changed", "blue"), Configured("taken-over", "blue")], CancellationToken.None);
            Assert.Equal(T0.AddHours(1), (await table.FindAsync("dropped", CancellationToken.None))?.UpdatedAt);
        }
    }

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task Seeding_in_a_transaction_of_the_caller_is_undone_with_it(DatabaseProvider provider)
    {
        var (db, table, _) = await CreateAsync(provider);
        await using var __ = db;
        await table.SeedAsync([Configured("kept", "red")], CancellationToken.None);

        await using (var connection = await db.Connections.OpenConnectionAsync(CancellationToken.None))
        await using (var transaction = await connection.BeginTransactionAsync(CancellationToken.None))
        {
            await table.SeedAsync(transaction, [Configured("new", "blue")], CancellationToken.None);
            Assert.Equal(["new"], (await table.ListAsync(transaction, CancellationToken.None)).Select(t => t.Name));
            await transaction.RollbackAsync(CancellationToken.None);
        }

        Assert.Equal([("kept", "red", true, SeededSource.Config)], await ShapesAsync(table));
    }

    [Theory]
    [InlineData("things; DROP TABLE users", "name", "colour", "Colour")]
    [InlineData("things", "Name", "colour", "Colour")]
    [InlineData("things", "name", "colour = 'x'", "Colour")]
    [InlineData("things", "name", "colour", "Colour, @Other")]
    [InlineData("things", "name", "colour", "Now")]
    [InlineData("things", "name", "source", "Source")]
    [InlineData("things", "name", "name", "Name")]
    public void A_schema_takes_plain_identifiers_only(string table, string keyColumn, string column, string parameter) =>
        Assert.Throws<ArgumentException>(() => new SeededTableSchema(table, keyColumn, [new(column, parameter)], "name AS Name", UnlistedConfiguredRows.Delete));
}
