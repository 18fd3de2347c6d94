using RadAI.Data;
using RadAI.Data.Audit;
using RadAI.Testing;
using Xunit;

namespace RadAI.Api.Tests;

/// <summary><c>radai audit verify</c>, run as a process against a database the api wrote and someone then tampered with.</summary>
public sealed class AuditVerifyCommandTests
{
    private static async Task AppendAsync(TestDatabase db, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await using var connection = await db.Connections.OpenConnectionAsync(CancellationToken.None);
            await AuditChain.AppendAsync(connection, db.Provider, new AuditEntry
            {
                OccurredAt = DateTimeOffset.UtcNow, Actor = AuditActorsForTest.Admin, Source = "192.0.2.1", Action = "user.create", Resource = $"user:{Guid.NewGuid():D}", Outcome = AuditOutcome.Success,
            }, CancellationToken.None);
        }
    }

    private static string[] Target(TestDatabase db) => db.Provider == DatabaseProvider.Postgres
        ? ["--database-provider", "postgres", "--connection-string", db.ConnectionString]
        : ["--data", db.SqliteFolder!];

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task Exits_0_on_an_intact_log_and_5_naming_the_first_tampered_entry(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await AppendAsync(db, 6);

        var intact = await RadaiProgram.RunAsync(["audit", "verify", .. Target(db)]);
        Assert.True(intact.ExitCode == 0, intact.Error);
        Assert.Contains("Audit log intact: 6 entries. Head 6:", intact.Output, StringComparison.Ordinal);

        await db.DropAuditTriggersAsync();
        await db.ExecuteAsync("UPDATE audit_log SET actor = 'user:someone-else' WHERE sequence = 4");
        var altered = await RadaiProgram.RunAsync(["audit", "verify", .. Target(db)]);
        Assert.Equal(5, altered.ExitCode);
        Assert.Contains("BROKEN at entry 4: entry 4 was altered", altered.Error, StringComparison.Ordinal);

        await db.ExecuteAsync("DELETE FROM audit_log WHERE sequence = 2");
        var deleted = await RadaiProgram.RunAsync(["audit", "verify", .. Target(db)]);
        Assert.Equal(5, deleted.ExitCode);
        Assert.Contains("BROKEN at entry 2: entry 2 is missing (deleted)", deleted.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_anchor_kept_elsewhere_detects_entries_deleted_from_the_end()
    {
        await using var db = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await AppendAsync(db, 4);
        var first = await RadaiProgram.RunAsync(["audit", "verify", .. Target(db)]);
        var head = first.Output.Split("Head ")[1].Split(' ')[0];
        Assert.StartsWith("4:", head, StringComparison.Ordinal);

        var stillThere = await RadaiProgram.RunAsync(["audit", "verify", .. Target(db), "--expect-head", head]);
        await db.DropAuditTriggersAsync();
        await db.ExecuteAsync("DELETE FROM audit_log WHERE sequence = 4");
        var plain = await RadaiProgram.RunAsync(["audit", "verify", .. Target(db)]);
        var anchored = await RadaiProgram.RunAsync(["audit", "verify", .. Target(db), "--expect-head", head]);

        Assert.Equal(0, stillThere.ExitCode);
        // A truncated tail leaves a valid chain: only the anchor tells.
        Assert.Equal(0, plain.ExitCode);
        Assert.Equal(5, anchored.ExitCode);
        Assert.Contains("BROKEN at entry 4: it is missing (deleted from the end)", anchored.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_command_line_exits_2_and_a_missing_database_3()
    {
        using var empty = new TemporaryDirectory();

        var neither = await RadaiProgram.RunAsync("audit", "verify");
        var missing = await RadaiProgram.RunAsync("audit", "verify", "--data", empty.Path);

        Assert.Equal(2, neither.ExitCode);
        Assert.Equal(3, missing.ExitCode);
    }
}

internal static class AuditActorsForTest
{
    public static readonly string Admin = $"user:{Guid.NewGuid():D}";
}

/// <summary>The built <c>radai</c> program, run as <c>dotnet radai.dll</c> (same lookup as RadAI.Cli.Tests).</summary>
internal static class RadaiProgram
{
    private static readonly string Assembly = Locate();

    public static Task<ExternalTool.Result> RunAsync(params string[] arguments) =>
        ExternalTool.RunAsync("dotnet", [Assembly, .. arguments], TimeSpan.FromMinutes(2));

    private static string Locate()
    {
        var configurationFolder = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        if (configurationFolder.Parent?.Parent is { } bin)
        {
            var sibling = Path.Combine(bin.FullName, "RadAI.Cli", configurationFolder.Name, "radai.dll");
            if (File.Exists(sibling))
            {
                return sibling;
            }
        }

        var beside = Path.Combine(AppContext.BaseDirectory, "radai.dll");
        return File.Exists(beside) ? beside : throw new FileNotFoundException($"radai is not built next to {AppContext.BaseDirectory}.");
    }
}
