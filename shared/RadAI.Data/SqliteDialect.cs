using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace RadAI.Data;

/// <summary>SQLite through Microsoft.Data.Sqlite, for the standalone host.</summary>
public sealed class SqliteDialect : SqlDialect
{
    private const int SqliteConstraint = 19;
    private readonly string _connectionString;

    public SqliteDialect(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        // A writer waits for the lock instead of failing with SQLITE_BUSY (seconds).
        if (builder.DefaultTimeout < 30)
        {
            builder.DefaultTimeout = 30;
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
        if (builder.Mode != SqliteOpenMode.Memory && !string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        _connectionString = builder.ToString();
    }

    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    public override string MigrationSuffix => "sqlite";

    public override string MigrationsTableDdl => """
        CREATE TABLE IF NOT EXISTS radai_schema_migrations (
            module      TEXT    NOT NULL,
            version     INTEGER NOT NULL,
            name        TEXT    NOT NULL,
            checksum    TEXT    NOT NULL,
            applied_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
            PRIMARY KEY (module, version)
        );
        """;

    public override async ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var pragma = connection.CreateCommand();
            // WAL lets readers proceed while one writer commits; FULL syncs the WAL at every commit (NORMAL would let a
            // power cut undo a commit whose success was already answered, e.g. an instance's index row after C-STORE
            // success); foreign keys are off by default in SQLite.
            pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;";
            await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public override async Task<DbTransaction> BeginMigrationTransactionAsync(DbConnection connection, CancellationToken cancellationToken) =>
        // Serializable is BEGIN IMMEDIATE in Microsoft.Data.Sqlite: the write lock is taken at once.
        await connection.BeginTransactionAsync(IsolationLevel.Serializable, cancellationToken).ConfigureAwait(false);

    public override bool IsUniqueViolation(Exception exception) =>
        exception is SqliteException { SqliteErrorCode: SqliteConstraint } e
        && (e.SqliteExtendedErrorCode == 2067 /* UNIQUE */ || e.SqliteExtendedErrorCode == 1555 /* PRIMARY KEY */);

    /// <summary>
    /// An exclusive lock (flock, which .NET takes for <see cref="FileShare.None"/>) on <c>DATABASE.NAME.lock</c> beside the
    /// database file: the kernel releases it when the process ends. An in-memory database is one process's: its lock is too.
    /// </summary>
    public override Task<DatabaseLock?> TryTakeLockAsync(string name, CancellationToken cancellationToken)
    {
        var builder = new SqliteConnectionStringBuilder(_connectionString);
        if (builder.Mode == SqliteOpenMode.Memory || builder.DataSource is "" or ":memory:")
        {
            return Task.FromResult(InProcessLock.TryTake($"{_connectionString}|{name}"));
        }

        var path = $"{Path.GetFullPath(builder.DataSource)}.{name}.lock";
        try
        {
            return Task.FromResult<DatabaseLock?>(new FileLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None)));
        }
        catch (IOException) when (File.Exists(path))
        {
            return Task.FromResult<DatabaseLock?>(null);
        }
    }

    private sealed class FileLock(FileStream file) : DatabaseLock
    {
        public override Task<bool> IsHeldAsync(CancellationToken cancellationToken) => Task.FromResult(true);

        public override ValueTask DisposeAsync() => file.DisposeAsync();
    }

    private sealed class InProcessLock(string key) : DatabaseLock
    {
        private static readonly HashSet<string> Held = new(StringComparer.Ordinal);

        public static DatabaseLock? TryTake(string key)
        {
            lock (Held)
            {
                return Held.Add(key) ? new InProcessLock(key) : null;
            }
        }

        public override Task<bool> IsHeldAsync(CancellationToken cancellationToken) => Task.FromResult(true);

        public override ValueTask DisposeAsync()
        {
            lock (Held)
            {
                Held.Remove(key);
            }

            return ValueTask.CompletedTask;
        }
    }
}
