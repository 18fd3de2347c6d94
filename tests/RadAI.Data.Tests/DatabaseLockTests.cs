using RadAI.Testing;
using Xunit;

namespace RadAI.Data.Tests;

/// <summary><see cref="SqlDialect.TryTakeLockAsync"/>: one holder per name and database, released by disposing or by the holder's end.</summary>
public sealed class DatabaseLockTests
{
    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task A_lock_has_one_holder_per_name_until_it_is_disposed(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var held = await database.Dialect.TryTakeLockAsync("dicom-ingest", CancellationToken.None);
        Assert.NotNull(held);
        Assert.True(await held.IsHeldAsync(CancellationToken.None));

        // Another take (another session on PostgreSQL, another open file on SQLite) finds it held; another name is free.
        Assert.Null(await database.Dialect.TryTakeLockAsync("dicom-ingest", CancellationToken.None));
        await using (var other = await database.Dialect.TryTakeLockAsync("another", CancellationToken.None))
        {
            Assert.NotNull(other);
        }

        await held.DisposeAsync();
        await using var again = await database.Dialect.TryTakeLockAsync("dicom-ingest", CancellationToken.None);
        Assert.NotNull(again);
    }

    [Fact]
    public async Task A_PostgreSQL_lock_whose_session_ended_is_no_longer_held_and_is_free_for_another()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);
        await using var held = await database.Dialect.TryTakeLockAsync("dicom-ingest", CancellationToken.None);
        Assert.NotNull(held);

        Assert.Equal(1L, await database.Postgres!.EndAdvisoryLockSessionsAsync());

        Assert.False(await held.IsHeldAsync(CancellationToken.None));
        await using var taken = await database.Dialect.TryTakeLockAsync("dicom-ingest", CancellationToken.None);
        Assert.NotNull(taken);
    }

    [Fact]
    public async Task A_SQLite_lock_is_the_lock_file_beside_the_database_and_another_process_holding_it_keeps_it_until_it_ends()
    {
        using var folder = new TemporaryDirectory("radai-sqlite-lock");
        var dialect = new SqliteDialect($"Data Source={Path.Combine(folder.Path, "radai.db")}");
        var lockFile = Path.Combine(folder.Path, "radai.db.dicom-ingest.lock");
        await File.WriteAllTextAsync(lockFile, "");

        // util-linux flock takes the same kind of lock (flock(2), exclusive) as .NET for FileShare.None.
        await using (var holder = ServiceProcess.StartProgram("flock", folder.Path, "--exclusive", lockFile, "sleep", "600"))
        {
            await Eventually.UntilAsync(async () =>
            {
                await using var taken = await dialect.TryTakeLockAsync("dicom-ingest", CancellationToken.None);
                return taken is null;
            }, TimeSpan.FromSeconds(30), "flock holding the lock file");
            await holder.KillAsync();
        }

        await using var free = await dialect.TryTakeLockAsync("dicom-ingest", CancellationToken.None);
        Assert.NotNull(free);
    }
}
