using System.Data.Common;
using System.Text.RegularExpressions;
using Dapper;

namespace RadAI.Data;

/// <summary>Who wrote a row of a configuration-seeded table (its <c>source</c> column).</summary>
public static class SeededSource
{
    /// <summary>Seeded from configuration at start: read-only through the api.</summary>
    public const string Config = "config";

    /// <summary>Administered through the api.</summary>
    public const string Api = "api";
}

/// <summary>A row of a configuration-seeded table, as read.</summary>
public interface ISeededRow
{
    /// <summary><see cref="SeededSource.Config"/> or <see cref="SeededSource.Api"/>.</summary>
    string Source { get; }
}

/// <summary>What seeding does with a configured row that the configuration no longer lists.</summary>
public enum UnlistedConfiguredRows
{
    /// <summary>Deleted: its key is unknown again, as if it had never been configured.</summary>
    Delete,

    /// <summary>Disabled (<c>enabled</c> false) and kept, for the history that refers to it.</summary>
    Disable,
}

/// <summary>A column that seeding and the api write, and the name of the parameter bound to it.</summary>
/// <param name="Name">The column, e.g. <c>routing_profile</c>.</param>
/// <param name="Parameter">The property of the values object that holds its value, e.g. <c>RoutingProfile</c>.</param>
public readonly record struct SeededColumn(string Name, string Parameter);

/// <summary>One row the configuration lists: its key and its values (an object with one property per column parameter).</summary>
public readonly record struct ConfiguredRow(string Key, object Values);

/// <summary>
/// The outcome of a change through the api, for the audit: the row before (null: none) and after. <c>ReadOnly</c>: the row
/// is configured and nothing was changed (<c>Before</c> holds it, <c>After</c> is null).
/// </summary>
public readonly record struct SeededChange<TRow>(TRow? Before, TRow? After, bool ReadOnly)
    where TRow : class;

/// <summary>
/// The shape of a configuration-seeded table: a text primary key, the columns written by seeding and by the api,
/// <c>source</c> (<see cref="SeededSource"/>), <c>updated_at</c>, and <c>enabled</c> where rows are disabled rather
/// than deleted. Names are identifiers of the repository's own code (checked here), never input; the values always
/// travel as parameters.
/// </summary>
public sealed partial class SeededTableSchema
{
    private const string KeyParameter = "Key";
    private const string NowParameter = "Now";
    private const string EnabledParameter = "Enabled";

    /// <param name="table">The table, e.g. <c>ingest_senders</c>.</param>
    /// <param name="keyColumn">Its primary key, e.g. <c>ae_title</c>.</param>
    /// <param name="columns">The columns written by seeding and by the api (not the key, <c>source</c> or <c>updated_at</c>).</param>
    /// <param name="selectColumns">The select list that reads a row into the row type (<c>ae_title AS AeTitle, ...</c>).</param>
    /// <param name="unlisted">What seeding does with configured rows the configuration no longer lists.</param>
    public SeededTableSchema(string table, string keyColumn, IReadOnlyList<SeededColumn> columns, string selectColumns, UnlistedConfiguredRows unlisted)
    {
        CheckIdentifier(table, nameof(table));
        CheckIdentifier(keyColumn, nameof(keyColumn));
        if (columns.Count == 0)
        {
            throw new ArgumentException("A seeded table writes at least one column besides its key.", nameof(columns));
        }

        foreach (var column in columns)
        {
            CheckIdentifier(column.Name, nameof(columns));
            if (!ParameterPattern().IsMatch(column.Parameter) || column.Parameter is KeyParameter or NowParameter)
            {
                throw new ArgumentException($"Parameter '{column.Parameter}' of column '{column.Name}' is not a plain name, or is reserved (Key, Now).", nameof(columns));
            }

            if (column.Name is "source" or "updated_at" || column.Name == keyColumn)
            {
                throw new ArgumentException($"Column '{column.Name}' is written by the seeded table itself.", nameof(columns));
            }
        }

        if (string.IsNullOrWhiteSpace(selectColumns))
        {
            throw new ArgumentException("The select list is empty.", nameof(selectColumns));
        }

        Table = table;
        Unlisted = unlisted;
        var names = string.Join(", ", columns.Select(c => c.Name));
        var values = string.Join(", ", columns.Select(c => "@" + c.Parameter));
        var set = string.Join(", ", columns.Select(c => $"{c.Name} = excluded.{c.Name}"));
        var insert = $"INSERT INTO {table} ({keyColumn}, {names}, source, updated_at) VALUES (@{KeyParameter}, {values}";

        SelectOne = $"SELECT {selectColumns} FROM {table} WHERE {keyColumn} = @{KeyParameter}";
        SelectAll = $"SELECT {selectColumns} FROM {table} ORDER BY {keyColumn}";
        SeedUpsert = $"""
            {insert}, '{SeededSource.Config}', @{NowParameter})
            ON CONFLICT ({keyColumn}) DO UPDATE SET {set}, source = '{SeededSource.Config}', updated_at = excluded.updated_at
            """;
        // The conflict clause also guards a configured row written between the api's read and this statement
        // (another replica's start): such a row is left as it is.
        ApiUpsert = $"""
            {insert}, '{SeededSource.Api}', @{NowParameter})
            ON CONFLICT ({keyColumn}) DO UPDATE SET {set}, updated_at = excluded.updated_at
            WHERE {table}.source = '{SeededSource.Api}'
            """;
        ConfiguredKeys = unlisted == UnlistedConfiguredRows.Disable
            ? $"SELECT {keyColumn} FROM {table} WHERE source = '{SeededSource.Config}' AND enabled = @{EnabledParameter}"
            : $"SELECT {keyColumn} FROM {table} WHERE source = '{SeededSource.Config}'";
        RemoveUnlisted = unlisted == UnlistedConfiguredRows.Disable
            ? $"UPDATE {table} SET enabled = @{EnabledParameter}, updated_at = @{NowParameter} WHERE {keyColumn} = @{KeyParameter} AND source = '{SeededSource.Config}'"
            : $"DELETE FROM {table} WHERE {keyColumn} = @{KeyParameter} AND source = '{SeededSource.Config}'";
        ApiDisable = $"UPDATE {table} SET enabled = @{EnabledParameter}, updated_at = @{NowParameter} WHERE {keyColumn} = @{KeyParameter} AND source = '{SeededSource.Api}'";
    }

    /// <summary>The table.</summary>
    public string Table { get; }

    /// <summary>What seeding does with configured rows no longer listed.</summary>
    public UnlistedConfiguredRows Unlisted { get; }

    internal string SelectOne { get; }

    internal string SelectAll { get; }

    internal string SeedUpsert { get; }

    internal string ApiUpsert { get; }

    internal string ConfiguredKeys { get; }

    internal string RemoveUnlisted { get; }

    internal string ApiDisable { get; }

    /// <summary>The parameters of one statement, exactly those it names (null: not named).</summary>
    internal static DynamicParameters Parameters(string? key = null, DateTimeOffset? now = null, object? values = null, bool? enabled = null)
    {
        // Added after the values object, so these win over a property of the same name in it.
        var parameters = new DynamicParameters(values);
        if (key is not null)
        {
            parameters.Add(KeyParameter, key);
        }

        if (now is { } at)
        {
            parameters.Add(NowParameter, at);
        }

        if (enabled is { } flag)
        {
            parameters.Add(EnabledParameter, flag);
        }

        return parameters;
    }

    private static void CheckIdentifier(string name, string argument)
    {
        if (!IdentifierPattern().IsMatch(name))
        {
            throw new ArgumentException($"'{name}' is not a lower-case SQL identifier.", argument);
        }
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]*$")]
    private static partial Regex IdentifierPattern();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex ParameterPattern();
}

/// <summary>
/// A table seeded from configuration and administered through the api, on either engine. Configuration wins at
/// start: <see cref="SeedAsync(IEnumerable{ConfiguredRow}, CancellationToken)"/> writes every configured row (source
/// <c>config</c>) over whatever the api had set, and deletes or disables the configured rows no longer listed; rows of
/// the api are otherwise kept. Through the api, configured rows are read-only (<see cref="SeededChange{TRow}.ReadOnly"/>,
/// the api's 409), and every change returns the row before and after, read in the transaction that changes it.
/// </summary>
/// <typeparam name="TRow">The row as read (Dapper maps the schema's select list onto it).</typeparam>
public sealed class ConfigSeededTable<TRow>(IDbConnectionFactory connections, TimeProvider time, SeededTableSchema schema)
    where TRow : class, ISeededRow
{
    /// <summary>Every row, by key.</summary>
    public async Task<IReadOnlyList<TRow>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return [.. await connection.QueryAsync<TRow>(new CommandDefinition(schema.SelectAll, cancellationToken: cancellationToken)).ConfigureAwait(false)];
    }

    /// <summary>Every row, by key, read in <paramref name="transaction"/> (several tables read from one moment).</summary>
    public async Task<IReadOnlyList<TRow>> ListAsync(DbTransaction transaction, CancellationToken cancellationToken) =>
        [.. await ConnectionOf(transaction).QueryAsync<TRow>(new CommandDefinition(schema.SelectAll, transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false)];

    /// <summary>One row, or null for an unknown key.</summary>
    public async Task<TRow?> FindAsync(string key, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await FindAsync(connection, null, key, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes the configuration in one transaction of its own.</summary>
    public async Task SeedAsync(IEnumerable<ConfiguredRow> configured, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await SeedAsync(transaction, configured, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes the configuration in <paramref name="transaction"/> (several tables seeded together): each configured row
    /// inserted or replaced, whatever its source (configuration wins); configured rows no longer listed deleted or
    /// disabled (<see cref="SeededTableSchema.Unlisted"/>); rows of the api not configured left alone. Idempotent.
    /// </summary>
    public async Task SeedAsync(DbTransaction transaction, IEnumerable<ConfiguredRow> configured, CancellationToken cancellationToken)
    {
        var connection = ConnectionOf(transaction);
        var now = time.GetUtcNow();
        var listed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in configured)
        {
            listed.Add(row.Key);
            await connection.ExecuteAsync(new CommandDefinition(
                schema.SeedUpsert, SeededTableSchema.Parameters(row.Key, now, row.Values), transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        var disable = schema.Unlisted == UnlistedConfiguredRows.Disable;
        var unlisted = (await connection.QueryAsync<string>(new CommandDefinition(
                schema.ConfiguredKeys, disable ? SeededTableSchema.Parameters(enabled: true) : null, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false))
            .Where(key => !listed.Contains(key)).ToList();
        foreach (var key in unlisted)
        {
            var parameters = disable ? SeededTableSchema.Parameters(key, now, enabled: false) : SeededTableSchema.Parameters(key);
            await connection.ExecuteAsync(new CommandDefinition(
                schema.RemoveUnlisted, parameters, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Creates or replaces a row of the api (source <c>api</c>) from <paramref name="values"/> (one property per column
    /// parameter), in one transaction with the read of what it replaces. A configured row is not changed: read-only.
    /// </summary>
    public async Task<SeededChange<TRow>> UpsertFromApiAsync(string key, object values, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var before = await FindAsync(connection, transaction, key, cancellationToken).ConfigureAwait(false);
        if (before is { Source: SeededSource.Config })
        {
            return new(before, null, true);
        }

        await connection.ExecuteAsync(new CommandDefinition(
            schema.ApiUpsert, SeededTableSchema.Parameters(key, time.GetUtcNow(), values), transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var after = await FindAsync(connection, transaction, key, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        // A configured row written after the read (the conflict clause left it): read-only after all.
        return after is { Source: SeededSource.Config } ? new(after, null, true) : new(before, after, false);
    }

    /// <summary>
    /// Disables a row of the api (<c>enabled</c> false; the row stays). An unknown key: before and after null, not
    /// read-only. A configured row is not changed: read-only.
    /// </summary>
    public async Task<SeededChange<TRow>> DisableFromApiAsync(string key, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var before = await FindAsync(connection, transaction, key, cancellationToken).ConfigureAwait(false);
        if (before is null || before.Source == SeededSource.Config)
        {
            return new(before, null, before is not null);
        }

        await connection.ExecuteAsync(new CommandDefinition(
            schema.ApiDisable, SeededTableSchema.Parameters(key, time.GetUtcNow(), enabled: false), transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var after = await FindAsync(connection, transaction, key, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new(before, after, false);
    }

    private Task<TRow?> FindAsync(DbConnection connection, DbTransaction? transaction, string key, CancellationToken cancellationToken) =>
        connection.QuerySingleOrDefaultAsync<TRow>(new CommandDefinition(
            schema.SelectOne, SeededTableSchema.Parameters(key), transaction, cancellationToken: cancellationToken));

    private static DbConnection ConnectionOf(DbTransaction transaction) =>
        transaction.Connection ?? throw new InvalidOperationException("The transaction has ended.");
}
