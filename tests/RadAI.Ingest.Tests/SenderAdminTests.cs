using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using RadAI.Contracts;
using RadAI.Contracts.Senders;
using RadAI.Data;
using RadAI.DicomIngest;
using RadAI.DicomIngest.Senders;
using RadAI.Ingest.Tests.Support;
using RadAI.Testing;
using Xunit;

namespace RadAI.Ingest.Tests;

/// <summary>
/// The api's sender requests answered by dicom-ingest (its consumer on the MassTransit test harness, its table on both
/// engines, its SCP in the same process): a sender created, changed or disabled through a request applies to its next
/// association without restart; configured senders are read-only and the configuration wins at the next start.
/// </summary>
public sealed class SenderAdminTests
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_sender_disabled_through_a_request_is_refused_at_its_next_association_while_another_sender_is_received(DatabaseProvider provider)
    {
        using var work = new TemporaryDirectory("radai-sender-admin");
        await using var ingest = await InProcessIngest.StartAsync(work.Path, provider);
        var upsert = ingest.Harness.GetRequestClient<UpsertSender>();
        var disable = ingest.Harness.GetRequestClient<DisableSender>();
        var first = await SyntheticStudy.WriteAsync(Path.Combine(work.Path, "first"), SyntheticStudy.MultiModality(ct: 1, mr: 0, dx: 0));
        var second = await SyntheticStudy.WriteAsync(Path.Combine(work.Path, "second"), SyntheticStudy.MultiModality(ct: 1, mr: 0, dx: 0));
        var other = await SyntheticStudy.WriteAsync(Path.Combine(work.Path, "other"), SyntheticStudy.MultiModality(ct: 1, mr: 0, dx: 0));

        // Created through the bus with its own routing profile: its next association is received and routed with it.
        var created = await ChangedAsync(upsert, new UpsertSender("CT-SCANNER", null, true, "chest-ct", TimeSpan.FromSeconds(40), true, "user:test"));
        Assert.Null(created.Before);
        Assert.Equal(("chest-ct", TimeSpan.FromSeconds(40), SenderRepository.ApiSource, true), (created.After.RoutingProfile, created.After.StableTimeout, created.After.Source, created.After.Enabled));
        var stored = await Dcmtk.StoreAsync(ingest.Port, "CT-SCANNER", first.Instances.Single().Path);
        Assert.Equal([(ushort)0], Dcmtk.StoreStatuses(stored));
        var received = await ingest.StudyReceivedAsync(first.StudyInstanceUid);
        Assert.Equal(("CT-SCANNER", "chest-ct"), (received.SendingAeTitle, received.RoutingProfile));

        // Disabled through the bus: its next association is accepted (C-ECHO answers a known sender), its C-STORE refused
        // (0124), while another sender's association is received.
        var disabled = await ChangedAsync(disable, new DisableSender("CT-SCANNER", "user:test"));
        Assert.Equal((true, false), (disabled.Before!.Enabled, disabled.After.Enabled));
        var echo = await Dcmtk.EchoAsync(ingest.Port, "CT-SCANNER");
        var refused = await Dcmtk.StoreAsync(ingest.Port, "CT-SCANNER", second.Instances.Single().Path);
        var accepted = await Dcmtk.StoreAsync(ingest.Port, "OTHER-PACS", other.Instances.Single().Path);
        Assert.True(echo.ExitCode == 0, Dcmtk.Describe(echo));
        Assert.Equal([(ushort)0x0124], Dcmtk.StoreStatuses(refused));
        Assert.Equal([(ushort)0], Dcmtk.StoreStatuses(accepted));
        Assert.Equal(("OTHER-PACS", "default"), ((await ingest.StudyReceivedAsync(other.StudyInstanceUid)).SendingAeTitle, (await ingest.StudyReceivedAsync(other.StudyInstanceUid)).RoutingProfile));
        Assert.DoesNotContain(ingest.Harness.Published.Select<StudyReceived>(), m => m.Context.Message.StudyInstanceUid == second.StudyInstanceUid);

        // Enabled again (replaced through the bus): received again.
        await ChangedAsync(upsert, new UpsertSender("CT-SCANNER", null, true, "chest-ct", null, true));
        var again = await Dcmtk.StoreAsync(ingest.Port, "CT-SCANNER", second.Instances.Single().Path);
        Assert.Equal([(ushort)0], Dcmtk.StoreStatuses(again));
        await ingest.StudyReceivedAsync(second.StudyInstanceUid);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Senders_are_listed_configured_ones_are_read_only_invalid_ones_refused_and_the_configuration_wins_at_start(DatabaseProvider provider)
    {
        using var work = new TemporaryDirectory("radai-sender-admin");
        await using var ingest = await InProcessIngest.StartAsync(work.Path, provider, new Dictionary<string, string?>
        {
            ["DicomIngest:RequireKnownSenders"] = "true",
            ["DicomIngest:Senders:0:AeTitle"] = "MAIN-PACS",
            ["DicomIngest:Senders:0:RoutingProfile"] = "default",
            ["DicomIngest:Senders:1:AeTitle"] = "OLD-PACS",
        });
        var list = ingest.Harness.GetRequestClient<ListSenders>();
        var upsert = ingest.Harness.GetRequestClient<UpsertSender>();
        var disable = ingest.Harness.GetRequestClient<DisableSender>();

        await ChangedAsync(upsert, new UpsertSender("MR-SCANNER", "127.0.0.1", false, null, null, true));
        var senders = (await list.GetResponse<SenderList>(new ListSenders(DateTimeOffset.UtcNow))).Message.Senders;
        Assert.Equal([("MAIN-PACS", "config"), ("MR-SCANNER", "api"), ("OLD-PACS", "config")], senders.Select(s => (s.AeTitle, s.Source)));
        Assert.Equal(("127.0.0.1", false), (senders[1].Host, senders[1].Allowed));

        Assert.Equal(SenderRejected.ReadOnly, (await RejectedAsync(upsert, new UpsertSender("MAIN-PACS", null, false, null, null, true))).Code);
        Assert.Equal(SenderRejected.ReadOnly, (await RejectedAsync(disable, new DisableSender("MAIN-PACS"))).Code);
        Assert.Equal(SenderRejected.NotFound, (await RejectedAsync(disable, new DisableSender("NOPE"))).Code);
        Assert.Equal(SenderRejected.Invalid, (await RejectedAsync(upsert, new UpsertSender("AN-AE-TITLE-TOO-LONG", null, true, null, null, true))).Code);
        Assert.Equal(SenderRejected.Invalid, (await RejectedAsync(upsert, new UpsertSender("BAD\\AE", null, true, null, null, true))).Code);
        Assert.Equal(SenderRejected.Invalid, (await RejectedAsync(upsert, new UpsertSender("SLOW", null, true, null, TimeSpan.Zero, true))).Code);

        // The allow-list reads the table: a sender created through the bus may associate, an unknown one may not.
        Assert.True((await Dcmtk.EchoAsync(ingest.Port, "MR-SCANNER")).ExitCode == 0);
        Assert.NotEqual(0, (await Dcmtk.EchoAsync(ingest.Port, "STRANGER")).ExitCode);

        // Next start: the configuration is written again. MR-SCANNER is now configured (configuration wins), OLD-PACS is no
        // longer configured (deleted: unknown again), what the api created and the configuration does not name is kept.
        var repository = ingest.Services.GetRequiredService<SenderRepository>();
        await ChangedAsync(upsert, new UpsertSender("KEPT", null, true, null, null, true));
        await repository.SeedAsync([new SenderOptions { AeTitle = "MAIN-PACS" }, new SenderOptions { AeTitle = "MR-SCANNER", RoutingProfile = "neuro" }], CancellationToken.None);
        var reseeded = await repository.ListAsync(CancellationToken.None);
        Assert.Equal([("KEPT", "api", (string?)null), ("MAIN-PACS", "config", null), ("MR-SCANNER", "config", "neuro")], reseeded.Select(s => (s.AeTitle, s.Source, s.RoutingProfile)));
        Assert.True(reseeded.Single(s => s.AeTitle == "MR-SCANNER") is { Allowed: true, Enabled: true, Host: null });
        Assert.Equal(SenderRejected.ReadOnly, (await RejectedAsync(upsert, new UpsertSender("MR-SCANNER", null, true, null, null, true))).Code);
    }

    private static async Task<SenderChanged> ChangedAsync<T>(IRequestClient<T> client, T request)
        where T : class
    {
        var response = await client.GetResponse<SenderChanged, SenderRejected>(request);
        Assert.True(response.Is(out Response<SenderChanged>? changed), response.Is(out Response<SenderRejected>? rejected) ? rejected!.Message.Reason : "no answer");
        return changed!.Message;
    }

    private static async Task<SenderRejected> RejectedAsync<T>(IRequestClient<T> client, T request)
        where T : class
    {
        var response = await client.GetResponse<SenderChanged, SenderRejected>(request);
        Assert.True(response.Is(out Response<SenderRejected>? rejected), $"{request} was accepted");
        return rejected!.Message;
    }
}
