using MassTransit;
using RadAI.Contracts.Senders;
using RadAI.Ingest.Tests.Support;
using RadAI.Testing;
using Xunit;

namespace RadAI.Ingest.Tests;

/// <summary>An ingest process with one configured sender; the allow-list off.</summary>
public sealed class AdministeredIngest : IngestEnvironment
{
    protected override void Configure(Dictionary<string, string?> settings)
    {
        settings["DicomIngest__Senders__0__AeTitle"] = "MAIN-PACS";
    }
}

/// <summary>
/// The sender requests as the api sends them, over the real RabbitMQ, to the dicom-ingest host running as a process on
/// PostgreSQL: a sender disabled through a request has its next association's C-STOREs refused, without restart.
/// </summary>
public sealed class SenderAdminProcessTests(AdministeredIngest environment) : IClassFixture<AdministeredIngest>
{
    [Fact]
    public async Task A_sender_disabled_over_RabbitMQ_is_refused_at_its_next_association_and_the_others_are_received()
    {
        await using var bus = await BusClient.StartAsync(environment.Broker);
        var listed = await bus.FirstAnswerAsync<ListSenders, SenderList>(() => new ListSenders(DateTimeOffset.UtcNow), TimeSpan.FromSeconds(60));
        var main = Assert.Single(listed.Message.Senders);
        Assert.Equal(("MAIN-PACS", "config", true, true), (main.AeTitle, main.Source, main.Allowed, main.Enabled));

        var created = await bus.RequestAsync<UpsertSender, SenderChanged, SenderRejected>(new UpsertSender("US-ROOM-2", null, true, "us", null, true, "user:test"));
        Assert.True(created.Is(out Response<SenderChanged>? createdAnswer));
        Assert.Equal(("api", "us"), (createdAnswer!.Message.After.Source, createdAnswer.Message.After.RoutingProfile));
        var before = await SyntheticStudy.WriteAsync(environment.NewFolder("before"), SyntheticStudy.MultiModality(ct: 1, mr: 0, dx: 0));
        Assert.Equal([(ushort)0], Dcmtk.StoreStatuses(await Dcmtk.StoreAsync(environment.Ingest.Port, "US-ROOM-2", before.Instances.Single().Path)));
        var received = await environment.Recorder.WaitForStudyAsync(before.StudyInstanceUid);
        Assert.Equal("us", received[0].Message.RoutingProfile);

        var disabled = await bus.RequestAsync<DisableSender, SenderChanged, SenderRejected>(new DisableSender("US-ROOM-2", "user:test"));
        Assert.True(disabled.Is(out Response<SenderChanged>? disabledAnswer));
        Assert.False(disabledAnswer!.Message.After.Enabled);
        var refusedStudy = await SyntheticStudy.WriteAsync(environment.NewFolder("refused"), SyntheticStudy.MultiModality(ct: 1, mr: 0, dx: 0));
        var mainStudy = await SyntheticStudy.WriteAsync(environment.NewFolder("main"), SyntheticStudy.MultiModality(ct: 1, mr: 0, dx: 0));
        Assert.Equal([(ushort)0x0124], Dcmtk.StoreStatuses(await Dcmtk.StoreAsync(environment.Ingest.Port, "US-ROOM-2", refusedStudy.Instances.Single().Path)));
        Assert.Equal([(ushort)0], Dcmtk.StoreStatuses(await Dcmtk.StoreAsync(environment.Ingest.Port, "MAIN-PACS", mainStudy.Instances.Single().Path)));
        await environment.Recorder.WaitForStudyAsync(mainStudy.StudyInstanceUid);
        Assert.Empty(await environment.Index.ReceptionsAsync(refusedStudy.StudyInstanceUid));

        var readOnly = await bus.RequestAsync<DisableSender, SenderChanged, SenderRejected>(new DisableSender("MAIN-PACS"));
        Assert.True(readOnly.Is(out Response<SenderRejected>? rejected));
        Assert.Equal(SenderRejected.ReadOnly, rejected!.Message.Code);
    }
}
