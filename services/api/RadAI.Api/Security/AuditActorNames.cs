using System.Data.Common;
using Dapper;

namespace RadAI.Api.Security;

/// <summary>
/// The names people know the audit log's actors by: a user's name for <c>user:&lt;id&gt;</c>, an API key's name for
/// <c>apikey:&lt;id&gt;</c>, when that user or key is still in the database (a disabled user or a revoked key keeps
/// its name). The log itself keeps the ids: they are what the chain hashes, and a name can change.
/// </summary>
public static class AuditActorNames
{
    private const string UserPrefix = "user:";
    private const string ApiKeyPrefix = "apikey:";

    /// <summary>Actor → name for the actors that have one (two queries, whatever the number of actors).</summary>
    public static async Task<IReadOnlyDictionary<string, string>> ResolveAsync(DbConnection connection, IEnumerable<string> actors, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actors);
        var users = new HashSet<Guid>();
        var keys = new HashSet<Guid>();
        foreach (var actor in actors)
        {
            if (TryId(actor, UserPrefix, out var userId))
            {
                users.Add(userId);
            }
            else if (TryId(actor, ApiKeyPrefix, out var keyId))
            {
                keys.Add(keyId);
            }
        }

        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var row in await NamesAsync(connection, "SELECT user_id AS Id, username AS Name FROM users WHERE user_id IN", users, cancellationToken).ConfigureAwait(false))
        {
            names[AuditActors.User(row.Id)] = row.Name;
        }

        foreach (var row in await NamesAsync(connection, "SELECT key_id AS Id, name AS Name FROM api_keys WHERE key_id IN", keys, cancellationToken).ConfigureAwait(false))
        {
            names[AuditActors.ApiKey(row.Id)] = row.Name;
        }

        return names;
    }

    private static bool TryId(string actor, string prefix, out Guid id)
    {
        id = Guid.Empty;
        return actor.StartsWith(prefix, StringComparison.Ordinal) && Guid.TryParseExact(actor.AsSpan(prefix.Length), "D", out id);
    }

    private static async Task<IEnumerable<NamedId>> NamesAsync(DbConnection connection, string select, HashSet<Guid> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return [];
        }

        // One parameter per id (uuid on PostgreSQL, canonical text on SQLite through the Guid type handler).
        var parameters = new DynamicParameters();
        var names = new List<string>(ids.Count);
        foreach (var id in ids)
        {
            var name = $"id{names.Count}";
            parameters.Add(name, id);
            names.Add("@" + name);
        }

        var rows = await connection.QueryAsync<NamedId>(new CommandDefinition(
            $"{select} ({string.Join(", ", names)})", parameters, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows;
    }

    private sealed class NamedId
    {
        public Guid Id { get; init; }

        public string Name { get; init; } = "";
    }
}
