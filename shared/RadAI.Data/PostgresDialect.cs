using System.Data.Common;
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
}
