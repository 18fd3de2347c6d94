using System.CommandLine;
using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;
using RadAI.Data.Audit;

namespace RadAI.Cli;

/// <summary>
/// <c>radai audit verify</c>: recomputes the audit log's hash chain straight from the database, independently of the
/// api service, and names the first altered, deleted or inserted entry.
/// </summary>
public static class AuditCommand
{
    public static Command Create()
    {
        var command = new Command("audit", "The audit log of a RadAI node.");
        command.Subcommands.Add(CreateVerify());
        return command;
    }

    private static Command CreateVerify()
    {
        var provider = new Option<string?>("--database-provider") { Description = "postgres or sqlite (with --connection-string)." };
        var connectionString = new Option<string?>("--connection-string") { Description = "Npgsql or SQLite connection string of the api's database." };
        var data = new Option<string?>("--data") { Description = "Data folder of a standalone node (its radai.db is read, read-only)." };
        var anchor = new Option<string?>("--expect-head") { Description = "SEQUENCE:HASH printed by an earlier verification and kept elsewhere: also detects entries deleted from the end." };
        var command = new Command("verify", "Recompute the audit log's hash chain from the database. " +
            "Exit 0 when every entry is present, linked and unaltered; 5 when an entry was altered, deleted or inserted (the first one is named); " +
            "2 for a wrong command line; 3 when the database cannot be read.")
        {
            provider,
            connectionString,
            data,
            anchor,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            var output = parseResult.InvocationConfiguration.Output;
            var dataFolder = parseResult.GetValue(data);
            var providerText = parseResult.GetValue(provider);
            var connectionText = parseResult.GetValue(connectionString);
            (long Sequence, string Hash)? expected = null;
            if (parseResult.GetValue(anchor) is { } anchorText)
            {
                var parts = anchorText.Split(':');
                if (parts.Length != 2 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var sequence) || parts[1].Length != 64)
                {
                    error.WriteLine("radai audit verify: --expect-head is SEQUENCE:HASH (the 64 hex digits printed by an earlier verification).");
                    return ExitCodes.Usage;
                }

                expected = (sequence, parts[1].ToLowerInvariant());
            }

            DbConnection connection;
            if (dataFolder is not null && providerText is null && connectionText is null)
            {
                var file = Path.Combine(dataFolder, "radai.db");
                if (!File.Exists(file))
                {
                    error.WriteLine($"radai audit verify: {file} does not exist.");
                    return ExitCodes.InvalidInput;
                }

                connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Mode = SqliteOpenMode.ReadOnly }.ToString());
            }
            else if (dataFolder is null && connectionText is not null && providerText?.ToLowerInvariant() is "postgres" or "sqlite")
            {
                connection = providerText.Equals("postgres", StringComparison.OrdinalIgnoreCase)
                    ? new NpgsqlConnection(connectionText)
                    : new SqliteConnection(connectionText);
            }
            else
            {
                error.WriteLine("radai audit verify: give --data DIR, or --database-provider postgres|sqlite with --connection-string.");
                return ExitCodes.Usage;
            }

            await using (connection)
            {
                AuditVerification result;
                string? anchoredHash = null;
                try
                {
                    await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                    result = await AuditChain.VerifyAsync(connection, cancellationToken).ConfigureAwait(false);
                    if (result.Ok && expected is { } head)
                    {
                        anchoredHash = await AuditChain.EntryHashAsync(connection, head.Sequence, cancellationToken).ConfigureAwait(false);
                    }
                }
                catch (DbException e)
                {
                    error.WriteLine($"radai audit verify: cannot read the audit log: {e.Message}");
                    return ExitCodes.InvalidInput;
                }

                if (!result.Ok)
                {
                    error.WriteLine($"radai audit verify: BROKEN at entry {result.FirstBrokenSequence}: {result.Reason}. Entries 1 to {result.VerifiedCount} are intact.");
                    return ExitCodes.IntegrityFailure;
                }

                if (expected is { } anchorHead && !string.Equals(anchoredHash, anchorHead.Hash, StringComparison.Ordinal))
                {
                    error.WriteLine(anchoredHash is null
                        ? $"radai audit verify: BROKEN at entry {anchorHead.Sequence}: it is missing (deleted from the end); the log now ends at {result.VerifiedCount}."
                        : $"radai audit verify: BROKEN at entry {anchorHead.Sequence}: its hash is not the expected one (the log was rewritten).");
                    return ExitCodes.IntegrityFailure;
                }

                output.WriteLine(result.VerifiedCount == 0
                    ? "Audit log intact: no entries."
                    : $"Audit log intact: {result.VerifiedCount} entries. Head {result.VerifiedCount}:{result.HeadHash} (keep it elsewhere; pass it as --expect-head later).");
                return ExitCodes.Success;
            }
        });
        return command;
    }
}
