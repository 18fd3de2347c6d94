using System.Buffers.Binary;
using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Dapper;

namespace RadAI.Data.Audit;

/// <summary>
/// The hash chain of the audit log, in one place for the writer (api) and the independent verifier
/// (<c>radai audit verify</c>): each entry's hash covers its fields and the previous entry's hash,
/// so altering, deleting or inserting a row breaks the chain from that row on.
/// </summary>
public static class AuditChain
{
    /// <summary>Previous hash of the first entry.</summary>
    public static readonly string GenesisHash = new('0', 64);

    // Changing the encoding makes every stored hash unverifiable: add a new version instead.
    private static readonly byte[] EncodingVersion = "radai-audit-v1"u8.ToArray();

    // Arbitrary constant: the key of the advisory lock that serializes appends on PostgreSQL.
    private const long AppendLockKey = 0x52_61_64_41_49_41_75_64; // "RadAIAud"

    private const string Columns = """
        sequence AS Sequence, occurred_at AS OccurredAt, actor AS Actor, source AS Source, action AS Action,
        resource AS Resource, outcome AS Outcome, details AS Details, previous_hash AS PreviousHash, entry_hash AS EntryHash
        """;

    /// <summary>The time as the chain hashes and the databases store it: UTC, truncated to microseconds.</summary>
    public static DateTimeOffset Normalize(DateTimeOffset time) => new(time.UtcTicks - (time.UtcTicks % 10), TimeSpan.Zero);

    /// <summary>SHA-256 (lowercase hex) over the canonical encoding of the entry's fields and its previous hash.</summary>
    public static string ComputeHash(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(EncodingVersion);
        Append(hash, entry.Sequence.ToString(CultureInfo.InvariantCulture));
        Append(hash, Normalize(entry.OccurredAt).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
        Append(hash, entry.Actor);
        Append(hash, entry.Source);
        Append(hash, entry.Action);
        Append(hash, entry.Resource);
        Append(hash, entry.Outcome);
        Append(hash, entry.Details);
        Append(hash, entry.PreviousHash);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>
    /// Appends one entry at the end of the chain in its own transaction, under a lock that serializes writers
    /// across processes (PostgreSQL advisory lock; SQLite's write lock taken at BEGIN), so the chain never forks.
    /// The primary key on <c>sequence</c> refuses a fork even if the lock were bypassed.
    /// </summary>
    public static async Task<AuditEntry> AppendAsync(
        DbConnection connection, DatabaseProvider provider, AuditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(entry);
        await using var transaction = provider == DatabaseProvider.Sqlite
            // Serializable is BEGIN IMMEDIATE in Microsoft.Data.Sqlite: the write lock is taken at once.
            ? await connection.BeginTransactionAsync(IsolationLevel.Serializable, cancellationToken).ConfigureAwait(false)
            : await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (provider == DatabaseProvider.Postgres)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "SELECT pg_advisory_xact_lock(@key)", new { key = AppendLockKey }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        var last = await connection.QuerySingleOrDefaultAsync<AuditEntry>(new CommandDefinition(
            $"SELECT {Columns} FROM audit_log ORDER BY sequence DESC LIMIT 1", transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var draft = new AuditEntry
        {
            Sequence = (last?.Sequence ?? 0) + 1,
            OccurredAt = Normalize(entry.OccurredAt),
            Actor = entry.Actor,
            Source = entry.Source,
            Action = entry.Action,
            Resource = entry.Resource,
            Outcome = entry.Outcome,
            Details = entry.Details,
            PreviousHash = last?.EntryHash ?? GenesisHash,
        };
        var appended = new AuditEntry
        {
            Sequence = draft.Sequence,
            OccurredAt = draft.OccurredAt,
            Actor = draft.Actor,
            Source = draft.Source,
            Action = draft.Action,
            Resource = draft.Resource,
            Outcome = draft.Outcome,
            Details = draft.Details,
            PreviousHash = draft.PreviousHash,
            EntryHash = ComputeHash(draft),
        };
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO audit_log (sequence, occurred_at, actor, source, action, resource, outcome, details, previous_hash, entry_hash)
            VALUES (@Sequence, @OccurredAt, @Actor, @Source, @Action, @Resource, @Outcome, @Details, @PreviousHash, @EntryHash)
            """, appended, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return appended;
    }

    /// <summary>Entries newest first, strictly before <paramref name="beforeSequence"/> when given.</summary>
    public static Task<IReadOnlyList<AuditEntry>> ListAsync(DbConnection connection, long? beforeSequence, int limit, CancellationToken cancellationToken) =>
        ListAsync(connection, new AuditQuery { BeforeSequence = beforeSequence, Limit = limit }, cancellationToken);

    /// <summary>
    /// Entries newest first that match the query's filters: keyset paging on <c>sequence</c> (the next page is the
    /// entries before the last sequence seen, under the same filters). Only the filters given become predicates,
    /// so each engine plans the query it is asked (time range on <c>ix_audit_log_occurred</c>, actor and action on
    /// their <c>(column, sequence)</c> indexes).
    /// </summary>
    public static async Task<IReadOnlyList<AuditEntry>> ListAsync(DbConnection connection, AuditQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var filter = new SqlFilter();
        if (query.BeforeSequence is { } before)
        {
            filter.Add("sequence < @before", "before", before);
        }

        if (query.From is { } from)
        {
            filter.Add("occurred_at >= @from", "from", Normalize(from));
        }

        if (query.To is { } to)
        {
            filter.Add("occurred_at < @to", "to", Normalize(to));
        }

        if (query.Action is { } action)
        {
            filter.Add("action = @action", "action", action);
        }

        if (query.Actor is { } actor)
        {
            filter.Add("actor = @actor", "actor", actor);
        }

        filter.Parameters.Add("limit", query.Limit);
        var rows = await connection.QueryAsync<AuditEntry>(new CommandDefinition(
            $"SELECT {Columns} FROM audit_log {filter.Where} ORDER BY sequence DESC LIMIT @limit",
            filter.Parameters, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows];
    }

    /// <summary>Entries after <paramref name="afterSequence"/> up to <paramref name="throughSequence"/>, oldest first (the export's pages).</summary>
    public static async Task<IReadOnlyList<AuditEntry>> ListAfterAsync(DbConnection connection, long afterSequence, long throughSequence, int limit, CancellationToken cancellationToken)
    {
        var rows = await connection.QueryAsync<AuditEntry>(new CommandDefinition($"""
            SELECT {Columns} FROM audit_log WHERE sequence > @afterSequence AND sequence <= @throughSequence
            ORDER BY sequence LIMIT @limit
            """, new { afterSequence, throughSequence, limit }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows];
    }

    /// <summary>
    /// Recomputes the whole chain from the table, in sequence order, and stops at the first entry that is missing
    /// (a gap: deleted), does not link to its predecessor (inserted or replaced), or whose content does not match
    /// its hash (altered).
    /// </summary>
    public static async Task<AuditVerification> VerifyAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var expected = 1L;
        var previousHash = GenesisHash;
        await foreach (var entry in ReadAllAsync(connection, cancellationToken).ConfigureAwait(false))
        {
            if (entry.Sequence != expected)
            {
                return entry.Sequence > expected
                    ? AuditVerification.Broken(expected - 1, expected, expected == entry.Sequence - 1
                        ? $"entry {expected} is missing (deleted): the chain jumps from {expected - 1} to {entry.Sequence}"
                        : $"entries {expected} to {entry.Sequence - 1} are missing (deleted): the chain jumps from {expected - 1} to {entry.Sequence}")
                    : AuditVerification.Broken(expected - 1, entry.Sequence, $"entry {entry.Sequence} is out of order (expected {expected})");
            }

            if (!string.Equals(entry.PreviousHash, previousHash, StringComparison.Ordinal))
            {
                return AuditVerification.Broken(expected - 1, entry.Sequence,
                    $"entry {entry.Sequence} does not follow entry {entry.Sequence - 1}: its previous hash differs (a row was inserted, replaced or deleted before it)");
            }

            if (!string.Equals(ComputeHash(entry), entry.EntryHash, StringComparison.Ordinal))
            {
                return AuditVerification.Broken(expected - 1, entry.Sequence,
                    $"entry {entry.Sequence} was altered: its content does not match its hash");
            }

            previousHash = entry.EntryHash;
            expected++;
        }

        return AuditVerification.Intact(expected - 1, previousHash);
    }

    /// <summary>The stored hash of entry <paramref name="sequence"/>, or null when there is none (to check an anchor kept outside).</summary>
    public static async Task<string?> EntryHashAsync(DbConnection connection, long sequence, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        // Plain ADO.NET, as ReadAllAsync: the verifier (radai audit verify) runs as a Native AOT program.
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT entry_hash FROM audit_log WHERE sequence = @sequence";
        var parameter = command.CreateParameter();
        parameter.ParameterName = "sequence";
        parameter.DbType = DbType.Int64;
        parameter.Value = sequence;
        command.Parameters.Add(parameter);
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is null or DBNull ? null : (string)value;
    }

    private static async IAsyncEnumerable<AuditEntry> ReadAllAsync(DbConnection connection, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Unbuffered: the log grows without bound, the verifier holds one row at a time. Plain ADO.NET, mapped as
        // Dapper maps the other queries (DapperTypeHandlers' timestamps; a NULL leaves the property's default):
        // the verifier (radai audit verify) runs as a Native AOT program, where Dapper's generated readers cannot.
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM audit_log ORDER BY sequence";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return new AuditEntry
            {
                Sequence = Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture),
                OccurredAt = reader.IsDBNull(1) ? default : DapperTypeHandlers.ParseDateTimeOffset(reader.GetValue(1)),
                Actor = Text(reader, 2) ?? "",
                Source = Text(reader, 3),
                Action = Text(reader, 4) ?? "",
                Resource = Text(reader, 5),
                Outcome = Text(reader, 6) ?? "",
                Details = Text(reader, 7),
                PreviousHash = Text(reader, 8) ?? "",
                EntryHash = Text(reader, 9) ?? "",
            };
        }

        static string? Text(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
    }

    private static void Append(IncrementalHash hash, string? value)
    {
        // Length-prefixed, with a distinct marker for null: no two field lists encode to the same bytes.
        Span<byte> prefix = stackalloc byte[5];
        if (value is null)
        {
            prefix[0] = 0;
            hash.AppendData(prefix[..1]);
            return;
        }

        var bytes = Encoding.UTF8.GetBytes(value);
        prefix[0] = 1;
        BinaryPrimitives.WriteInt32BigEndian(prefix[1..], bytes.Length);
        hash.AppendData(prefix);
        hash.AppendData(bytes);
    }
}

/// <summary>The result of recomputing the audit chain.</summary>
/// <param name="Ok">True when every entry is present, linked and unaltered.</param>
/// <param name="VerifiedCount">Entries verified before the first broken one (all of them when <paramref name="Ok"/>).</param>
/// <param name="FirstBrokenSequence">The first entry that is missing, altered or out of the chain.</param>
/// <param name="Reason">Why it is broken.</param>
/// <param name="HeadHash">Hash of the last entry when intact: keep it outside the database to detect a truncated tail later.</param>
public sealed record AuditVerification(bool Ok, long VerifiedCount, long? FirstBrokenSequence, string? Reason, string? HeadHash)
{
    public static AuditVerification Intact(long count, string headHash) => new(true, count, null, null, headHash);

    public static AuditVerification Broken(long verifiedCount, long sequence, string reason) => new(false, verifiedCount, sequence, reason, null);
}
