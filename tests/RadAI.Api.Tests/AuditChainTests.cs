using RadAI.Data;
using RadAI.Data.Audit;
using Xunit;

namespace RadAI.Api.Tests;

/// <summary>The hash chain of the audit log: written by the api, verified from the table alone, on both engines.</summary>
public sealed class AuditChainTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 5, 0, 0, TimeSpan.Zero);

    private static async Task AppendAsync(TestDatabase db, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await using var connection = await db.Connections.OpenConnectionAsync(CancellationToken.None);
            await AuditChain.AppendAsync(connection, db.Provider, new AuditEntry
            {
                OccurredAt = T0.AddSeconds(i).AddTicks(1234567),
                Actor = $"user:{Guid.NewGuid():D}",
                Source = "192.0.2.10",
                Action = "auth.login",
                Resource = i % 2 == 0 ? null : "user:x",
                Outcome = AuditOutcome.Success,
                Details = i % 3 == 0 ? null : """{"reason":"test"}""",
            }, CancellationToken.None);
        }
    }

    private static async Task<AuditVerification> VerifyAsync(TestDatabase db)
    {
        await using var connection = await db.Connections.OpenConnectionAsync(CancellationToken.None);
        return await AuditChain.VerifyAsync(connection, CancellationToken.None);
    }

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task An_intact_chain_verifies_and_links_each_entry_to_the_previous(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        Assert.Equal(AuditVerification.Intact(0, AuditChain.GenesisHash), await VerifyAsync(db));
        await AppendAsync(db, 5);

        var result = await VerifyAsync(db);

        Assert.True(result.Ok, result.Reason);
        Assert.Equal(5, result.VerifiedCount);
        await using var connection = await db.Connections.OpenConnectionAsync(CancellationToken.None);
        var entries = (await AuditChain.ListAsync(connection, null, 100, CancellationToken.None)).Reverse().ToList();
        Assert.Equal([1L, 2, 3, 4, 5], entries.Select(e => e.Sequence));
        Assert.Equal(AuditChain.GenesisHash, entries[0].PreviousHash);
        for (var i = 1; i < entries.Count; i++)
        {
            Assert.Equal(entries[i - 1].EntryHash, entries[i].PreviousHash);
        }

        Assert.Equal(entries[^1].EntryHash, result.HeadHash);
        // Stored at microsecond precision on both engines, as hashed.
        Assert.Equal(T0.AddTicks(1234560), entries[0].OccurredAt);
    }

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task The_table_refuses_update_and_delete(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await AppendAsync(db, 2);

        var update = await Assert.ThrowsAnyAsync<Exception>(() => db.ExecuteAsync("UPDATE audit_log SET outcome = 'failure' WHERE sequence = 1"));
        var delete = await Assert.ThrowsAnyAsync<Exception>(() => db.ExecuteAsync("DELETE FROM audit_log WHERE sequence = 2"));

        Assert.Contains("append-only", update.Message, StringComparison.Ordinal);
        Assert.Contains("append-only", delete.Message, StringComparison.Ordinal);
        Assert.True((await VerifyAsync(db)).Ok);
    }

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task An_updated_row_is_named(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await AppendAsync(db, 5);
        await db.DropAuditTriggersAsync();

        await db.ExecuteAsync("UPDATE audit_log SET outcome = 'failure' WHERE sequence = 3");

        var result = await VerifyAsync(db);
        Assert.False(result.Ok);
        Assert.Equal(3, result.FirstBrokenSequence);
        Assert.Equal(2, result.VerifiedCount);
        Assert.Equal("entry 3 was altered: its content does not match its hash", result.Reason);
    }

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task A_deleted_row_is_named(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await AppendAsync(db, 5);
        await db.DropAuditTriggersAsync();

        await db.ExecuteAsync("DELETE FROM audit_log WHERE sequence = 2");

        var result = await VerifyAsync(db);
        Assert.False(result.Ok);
        Assert.Equal(2, result.FirstBrokenSequence);
        Assert.Equal("entry 2 is missing (deleted): the chain jumps from 1 to 3", result.Reason);
    }

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task A_row_deleted_and_the_rest_renumbered_is_named(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await AppendAsync(db, 5);
        await db.DropAuditTriggersAsync();

        // Hide the gap: shift 3..5 down to 2..4 (through negative numbers: the primary key is checked per row).
        await db.ExecuteAsync("DELETE FROM audit_log WHERE sequence = 2");
        await db.ExecuteAsync("UPDATE audit_log SET sequence = -(sequence - 1) WHERE sequence > 2");
        await db.ExecuteAsync("UPDATE audit_log SET sequence = -sequence WHERE sequence < 0");

        var result = await VerifyAsync(db);
        Assert.False(result.Ok);
        Assert.Equal(2, result.FirstBrokenSequence);
        Assert.StartsWith("entry 2 does not follow entry 1", result.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task An_inserted_row_is_named(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await AppendAsync(db, 4);
        await db.DropAuditTriggersAsync();
        var head = await db.ScalarAsync<string>("SELECT entry_hash FROM audit_log WHERE sequence = 4");

        // A forged entry that links to the real head, with a made-up hash of its own.
        await db.ExecuteAsync("""
            INSERT INTO audit_log (sequence, occurred_at, actor, source, action, resource, outcome, details, previous_hash, entry_hash)
            VALUES (5, @at, 'user:forged', NULL, 'auth.login', NULL, 'success', NULL, @head, @fake)
            """, new { at = T0.AddMinutes(5), head, fake = new string('a', 64) });

        var result = await VerifyAsync(db);
        Assert.False(result.Ok);
        Assert.Equal(5, result.FirstBrokenSequence);
        Assert.Equal(4, result.VerifiedCount);
        Assert.Equal("entry 5 was altered: its content does not match its hash", result.Reason);
    }

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task A_row_inserted_in_the_middle_is_named(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await AppendAsync(db, 4);
        await db.DropAuditTriggersAsync();
        var previous = await db.ScalarAsync<string>("SELECT entry_hash FROM audit_log WHERE sequence = 2");

        // Make room after entry 2, then insert an entry whose own hash is correctly computed.
        await db.ExecuteAsync("UPDATE audit_log SET sequence = -(sequence + 1) WHERE sequence > 2");
        await db.ExecuteAsync("UPDATE audit_log SET sequence = -sequence WHERE sequence < 0");
        var forged = new AuditEntry
        {
            Sequence = 3, OccurredAt = T0.AddSeconds(2), Actor = "user:forged", Action = "auth.login", Outcome = AuditOutcome.Success, PreviousHash = previous,
        };
        await db.ExecuteAsync("""
            INSERT INTO audit_log (sequence, occurred_at, actor, source, action, resource, outcome, details, previous_hash, entry_hash)
            VALUES (3, @OccurredAt, @Actor, NULL, @Action, NULL, @Outcome, NULL, @PreviousHash, @EntryHash)
            """, new { forged.OccurredAt, forged.Actor, forged.Action, forged.Outcome, forged.PreviousHash, EntryHash = AuditChain.ComputeHash(forged) });

        var result = await VerifyAsync(db);
        Assert.False(result.Ok);
        Assert.Equal(4, result.FirstBrokenSequence);
        Assert.StartsWith("entry 4 does not follow entry 3", result.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task Concurrent_writers_never_fork_the_chain(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);

        // Separate connections, no in-process gate: only the database lock serializes them.
        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => AppendAsync(db, 2))));

        var result = await VerifyAsync(db);
        Assert.True(result.Ok, result.Reason);
        Assert.Equal(32, result.VerifiedCount);
    }

    [Fact]
    public void The_hash_covers_every_field_and_tells_null_from_empty()
    {
        var entry = new AuditEntry
        {
            Sequence = 7, OccurredAt = T0, Actor = "system", Source = null, Action = "user.bootstrap", Resource = "user:1",
            Outcome = AuditOutcome.Success, Details = "{}", PreviousHash = AuditChain.GenesisHash,
        };
        var hash = AuditChain.ComputeHash(entry);

        AuditEntry With(Func<AuditEntry, AuditEntry> change) => change(entry);
        var variants = new[]
        {
            With(e => new AuditEntry { Sequence = 8, OccurredAt = e.OccurredAt, Actor = e.Actor, Action = e.Action, Resource = e.Resource, Outcome = e.Outcome, Details = e.Details, PreviousHash = e.PreviousHash }),
            With(e => new AuditEntry { Sequence = e.Sequence, OccurredAt = e.OccurredAt.AddTicks(10), Actor = e.Actor, Action = e.Action, Resource = e.Resource, Outcome = e.Outcome, Details = e.Details, PreviousHash = e.PreviousHash }),
            With(e => new AuditEntry { Sequence = e.Sequence, OccurredAt = e.OccurredAt, Actor = "systen", Action = e.Action, Resource = e.Resource, Outcome = e.Outcome, Details = e.Details, PreviousHash = e.PreviousHash }),
            With(e => new AuditEntry { Sequence = e.Sequence, OccurredAt = e.OccurredAt, Actor = e.Actor, Source = "", Action = e.Action, Resource = e.Resource, Outcome = e.Outcome, Details = e.Details, PreviousHash = e.PreviousHash }),
            With(e => new AuditEntry { Sequence = e.Sequence, OccurredAt = e.OccurredAt, Actor = e.Actor, Action = "user.create", Resource = e.Resource, Outcome = e.Outcome, Details = e.Details, PreviousHash = e.PreviousHash }),
            With(e => new AuditEntry { Sequence = e.Sequence, OccurredAt = e.OccurredAt, Actor = e.Actor, Action = e.Action, Resource = null, Outcome = e.Outcome, Details = e.Details, PreviousHash = e.PreviousHash }),
            With(e => new AuditEntry { Sequence = e.Sequence, OccurredAt = e.OccurredAt, Actor = e.Actor, Action = e.Action, Resource = e.Resource, Outcome = AuditOutcome.Failure, Details = e.Details, PreviousHash = e.PreviousHash }),
            With(e => new AuditEntry { Sequence = e.Sequence, OccurredAt = e.OccurredAt, Actor = e.Actor, Action = e.Action, Resource = e.Resource, Outcome = e.Outcome, Details = "{ }", PreviousHash = e.PreviousHash }),
            With(e => new AuditEntry { Sequence = e.Sequence, OccurredAt = e.OccurredAt, Actor = e.Actor, Action = e.Action, Resource = e.Resource, Outcome = e.Outcome, Details = e.Details, PreviousHash = new string('1', 64) }),
            // Moving a character from one field to the next must not give the same bytes.
            With(e => new AuditEntry { Sequence = e.Sequence, OccurredAt = e.OccurredAt, Actor = "systemuser.bootstrap", Action = "", Resource = e.Resource, Outcome = e.Outcome, Details = e.Details, PreviousHash = e.PreviousHash }),
        };

        Assert.Matches("^[0-9a-f]{64}$", hash);
        Assert.Equal(hash, AuditChain.ComputeHash(entry));
        Assert.All(variants, v => Assert.NotEqual(hash, AuditChain.ComputeHash(v)));
    }
}
