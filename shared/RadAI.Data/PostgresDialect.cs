using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Npgsql;

namespace RadAI.Data;

/// <summary>PostgreSQL through Npgsql: one pooled <see cref="NpgsqlDataSource"/> per process.</summary>
public sealed class PostgresDialect(NpgsqlDataSource dataSource) : SqlDialect
{
    // Arbitrary constant: the key of the advisory lock every RadAI migrator takes.
    private const long MigrationLockKey = 0x52_61_64_41_49_4D_69_67; // "RadAIMig"

    public override DatabaseProvider Provider => DatabaseProvider.Postgres;

    public override string MigrationSuffix => "postgres";

    public override string MigrationsTableDdl => """
        CREATE TABLE IF NOT EXISTS radai_schema_migrations (
            module      TEXT        NOT NULL,
            version     INTEGER     NOT NULL,
            name        TEXT        NOT NULL,
            checksum    TEXT        NOT NULL,
            applied_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
            PRIMARY KEY (module, version)
        );
        """;

    public override async ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    public override async Task<DbTransaction> BeginMigrationTransactionAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // Released automatically at commit or rollback.
        await connection.ExecuteAsync(new CommandDefinition(
            "SELECT pg_advisory_xact_lock(@key)", new { key = MigrationLockKey }, transaction,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return transaction;
    }

    public override bool IsUniqueViolation(Exception exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    /// <summary>
    /// A session-level advisory lock (scoped to this database) on a connection kept open for it: the server releases it
    /// when that session ends. TCP keepalives of 10 s (3 probes 5 s apart) make the server end the session of a holder
    /// that vanished without closing its connection (a node lost) in about 25 s instead of the system's two hours.
    /// </summary>
    public override async Task<DatabaseLock?> TryTakeLockAsync(string name, CancellationToken cancellationToken)
    {
        var key = BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes("radai-lock:" + name)), 0);
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3", cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT pg_try_advisory_lock(@key)", new { key }, cancellationToken: cancellationToken)).ConfigureAwait(false))
            {
                return new AdvisoryLock(connection, key);
            }
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        await connection.DisposeAsync().ConfigureAwait(false);
        return null;
    }

    private sealed class AdvisoryLock(NpgsqlConnection connection, long key) : DatabaseLock
    {
        private readonly SemaphoreSlim _gate = new(1, 1);
        private bool _disposed;

        /// <summary>The session answers: it still exists, so it still holds the lock (a broken connection never reconnects).</summary>
        public override async Task<bool> IsHeldAsync(CancellationToken cancellationToken)
        {
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(10));
                return !_disposed && await connection.ExecuteScalarAsync<int>(new CommandDefinition("SELECT 1", cancellationToken: timeout.Token)).ConfigureAwait(false) == 1;
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                return false;
            }
            finally
            {
                _gate.Release();
            }
        }

        public override async ValueTask DisposeAsync()
        {
            await _gate.WaitAsync().ConfigureAwait(false);
            try
            {
                if (_disposed)
                {
                    return;
                }

                _disposed = true;
                try
                {
                    // Before the connection goes back to the pool, whose reset would release it too.
                    await connection.ExecuteAsync("SELECT pg_advisory_unlock(@key)", new { key }).ConfigureAwait(false);
                }
                catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
                {
                    // The session is gone, and the lock with it.
                }

                await connection.DisposeAsync().ConfigureAwait(false);
            }
            finally
            {
                _gate.Release();
            }
        }
    }
}
