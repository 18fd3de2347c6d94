using Dapper;
using Microsoft.Extensions.Logging;

namespace RadAI.Data;

/// <summary>
/// Applies the pending migrations of every registered module: plain SQL, one transaction per module,
/// under a lock so that concurrent starts are safe, with a check that applied scripts did not change.
/// </summary>
public sealed partial class MigrationRunner(IDbConnectionFactory connections, IEnumerable<MigrationSource> sources, ILogger<MigrationRunner> logger)
{
    /// <summary>Applies what is pending; returns the migrations applied now.</summary>
    public async Task<IReadOnlyList<Migration>> MigrateAsync(CancellationToken cancellationToken)
    {
        var applied = new List<Migration>();
        var dialect = connections.Dialect;
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

        foreach (var source in sources.DistinctBy(s => s.Module))
        {
            var migrations = source.Load(dialect);
            await using var transaction = await dialect.BeginMigrationTransactionAsync(connection, cancellationToken).ConfigureAwait(false);
            // Under the lock: concurrent CREATE TABLE IF NOT EXISTS can still collide on PostgreSQL.
            await connection.ExecuteAsync(new CommandDefinition(dialect.MigrationsTableDdl, transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            var done = (await connection.QueryAsync<(int Version, string Checksum)>(new CommandDefinition(
                    "SELECT version, checksum FROM radai_schema_migrations WHERE module = @module",
                    new { module = source.Module }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false))
                .ToDictionary(r => r.Version, r => r.Checksum);

            foreach (var migration in migrations)
            {
                if (done.TryGetValue(migration.Version, out var checksum))
                {
                    if (checksum != migration.Checksum)
                    {
                        throw new InvalidOperationException(
                            $"Migration {migration.Module}/{migration.Version:D4}_{migration.Name} was changed after it was applied " +
                            "(checksum differs). Add a new migration instead of editing an applied one.");
                    }

                    continue;
                }

                await connection.ExecuteAsync(new CommandDefinition(migration.Sql, transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                await connection.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO radai_schema_migrations (module, version, name, checksum) VALUES (@Module, @Version, @Name, @Checksum)",
                    migration, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                LogApplied(migration.Module, migration.Version, migration.Name, dialect.Provider);
                applied.Add(migration);
            }

            var unknown = done.Keys.Where(v => migrations.All(m => m.Version != v)).ToList();
            if (unknown.Count > 0)
            {
                // The database is newer than this build: refuse rather than run against a schema we do not know.
                throw new InvalidOperationException(
                    $"Database has migrations {string.Join(", ", unknown)} of module '{source.Module}' that this version does not know. Run a newer version.");
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        return applied;
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Applied migration {Module}/{Version:D4}_{Name} on {Provider}")]
    private partial void LogApplied(string module, int version, string name, DatabaseProvider provider);
}
