using System.Data.Common;

namespace RadAI.Data;

/// <summary>
/// The one seam between the two SQL engines. Repositories write portable SQL (ANSI plus
/// <c>ON CONFLICT</c>, <c>RETURNING</c>, <c>LIMIT/OFFSET</c>, which both engines support); what
/// differs (connections, locks, error codes, column types in migrations) lives behind this class.
/// </summary>
public abstract class SqlDialect
{
    /// <summary>The engine.</summary>
    public abstract DatabaseProvider Provider { get; }

    /// <summary>
    /// Suffix of dialect-specific migration files: <c>0002_x.postgres.sql</c> is used instead of
    /// <c>0002_x.sql</c> on PostgreSQL.
    /// </summary>
    public abstract string MigrationSuffix { get; }

    /// <summary>DDL of the table that records applied migrations.</summary>
    public abstract string MigrationsTableDdl { get; }

    /// <summary>Opens a new connection, ready for use (pragmas applied on SQLite).</summary>
    public abstract ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken);

    /// <summary>Starts the transaction that applies migrations, holding a lock that excludes other
    /// processes doing the same (two replicas starting at once must not both migrate).</summary>
    public abstract Task<DbTransaction> BeginMigrationTransactionAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>True when the exception says a unique or primary key constraint was violated.</summary>
    public abstract bool IsUniqueViolation(Exception exception);

    /// <summary>
    /// Takes the lock <paramref name="name"/> of this database, or returns null at once when another holder has it (another
    /// process, or another take in this one). Released when disposed or when the process ends, however it ends.
    /// </summary>
    public abstract Task<DatabaseLock?> TryTakeLockAsync(string name, CancellationToken cancellationToken);
}
