using MassTransit;
using RadAI.Contracts;
using RadAI.Contracts.Destinations;
using RadAI.Data;
using RadAI.PacsSender.Destinations;
using RadAI.PacsSender.Tests.Support;
using RadAI.Testing;
using Xunit;

namespace RadAI.PacsSender.Tests;

/// <summary>
/// The api's destination requests, answered by pacs-sender on the in-memory bus: a change is used by the next delivery
/// without restart; C-ECHO reaches a real storescp or says why not; configured destinations are read-only.
/// </summary>
public sealed class DestinationAdminTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_destination_created_then_moved_through_the_bus_is_used_by_the_next_delivery_without_restart(DatabaseProvider provider)
    {
        await using var store = await ReportStore.CreateAsync(provider);
        await using var first = await Storescp.StartAsync(Path.Combine(store.Root, "first"), FreePort.Next());
        await using var second = await Storescp.StartAsync(Path.Combine(store.Root, "second"), FreePort.Next());
        var outcomes = new Outcomes();
        await using var host = await SenderHost.StartAsync(store, outcomes, new Dictionary<string, string?> { ["PacsSender:EchoOnStart"] = "false" });
        var upsert = host.Bus.CreateRequestClient<UpsertDestination>();

        var created = await ChangedAsync(upsert, new UpsertDestination(Storescp.AeTitle, "127.0.0.1", first.Port, false, [], false, true, "test"));
        Assert.Null(created.Before);
        Assert.Equal((first.Port, DestinationRepository.ApiSource, true), (created.After.Port, created.After.Source, created.After.Enabled));
        var job1 = Guid.NewGuid();
        await SendStudyAndReportAsync(host, store, job1, Storescp.AeTitle);
        await Eventually.UntilAsync(() => Task.FromResult(outcomes.Delivered(job1).Count == 1), Deadline, $"job 1 delivered; outcomes:\n{outcomes}");
        Assert.Equal(ReportStore.Sources.Length, first.Files().Count);

        var moved = await ChangedAsync(upsert, new UpsertDestination(Storescp.AeTitle, "127.0.0.1", second.Port, false, [], false, true, "test"));
        Assert.Equal((first.Port, second.Port), (moved.Before!.Port, moved.After.Port));
        var job2 = Guid.NewGuid();
        await SendStudyAndReportAsync(host, store, job2, Storescp.AeTitle);
        await Eventually.UntilAsync(() => Task.FromResult(outcomes.Delivered(job2).Count == 1), Deadline, $"job 2 delivered; outcomes:\n{outcomes}");
        Assert.Equal(ReportStore.Sources.Length, second.Files().Count);
        Assert.Equal(ReportStore.Sources.Length, first.Files().Count);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Echo_answers_the_status_or_the_reason_and_configured_destinations_are_read_only(DatabaseProvider provider)
    {
        await using var store = await ReportStore.CreateAsync(provider);
        await using var pacs = await Storescp.StartAsync(Path.Combine(store.Root, "pacs"), FreePort.Next());
        var closedPort = FreePort.Next();
        await using var host = await SenderHost.StartAsync(store, new Outcomes(), new Dictionary<string, string?>
        {
            ["PacsSender:EchoOnStart"] = "false",
            ["PacsSender:Destinations:0:AeTitle"] = "ARCHIVE",
            ["PacsSender:Destinations:0:Host"] = "127.0.0.1",
            ["PacsSender:Destinations:0:Port"] = closedPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        var upsert = host.Bus.CreateRequestClient<UpsertDestination>();
        var disable = host.Bus.CreateRequestClient<DisableDestination>();
        var echo = host.Bus.CreateRequestClient<EchoDestination>();
        await ChangedAsync(upsert, new UpsertDestination(Storescp.AeTitle, "127.0.0.1", pacs.Port, false, ["SR", "PDF"], false, true));

        var answered = await EchoedAsync(echo, Storescp.AeTitle);
        var refused = await EchoedAsync(echo, "ARCHIVE");

        Assert.Equal((0, (string?)null), (answered.Status, answered.Error));
        Assert.Null(refused.Status);
        Assert.Contains("Cannot connect", refused.Error, StringComparison.Ordinal);
        var rows = await host.Destinations.ListAsync(CancellationToken.None);
        Assert.Equal((0L, (string?)null), (rows.Single(d => d.AeTitle == Storescp.AeTitle).LastEchoStatus, rows.Single(d => d.AeTitle == Storescp.AeTitle).LastEchoError));
        Assert.Equal(refused.Error, rows.Single(d => d.AeTitle == "ARCHIVE").LastEchoError);

        Assert.Equal(DestinationRejected.ReadOnly, (await RejectedAsync(upsert, new UpsertDestination("ARCHIVE", "10.0.0.1", 104, false, [], false, true))).Code);
        Assert.Equal(DestinationRejected.Invalid, (await RejectedAsync(upsert, new UpsertDestination("OTHER", "10.0.0.1", 104, false, ["XRAY"], false, true))).Code);
        Assert.Equal(DestinationRejected.Invalid, (await RejectedAsync(upsert, new UpsertDestination("OTHER", "", 0, false, [], false, true))).Code);
        Assert.Equal(DestinationRejected.ReadOnly, (await RejectedAsync(disable, new DisableDestination("ARCHIVE"))).Code);
        Assert.Equal(DestinationRejected.NotFound, (await RejectedAsync(disable, new DisableDestination("NOPE"))).Code);
        var unknownEcho = await echo.GetResponse<DestinationEchoed, DestinationRejected>(new EchoDestination("NOPE"));
        Assert.True(unknownEcho.Is(out Response<DestinationRejected>? notFound));
        Assert.Equal(DestinationRejected.NotFound, notFound!.Message.Code);
        var archive = rows.Single(d => d.AeTitle == "ARCHIVE");
        Assert.Equal((closedPort, DestinationRepository.ConfigSource), ((int)archive.Port, archive.Source));

        var disabled = await ChangedAsync(disable, new DisableDestination(Storescp.AeTitle));
        Assert.Equal((true, false), (disabled.Before!.Enabled, disabled.After.Enabled));
        Assert.False((await host.Destinations.FindAsync(Storescp.AeTitle, CancellationToken.None))!.Enabled);

        // Precedence: configuration wins. A destination administered here that appears in the configuration becomes configured at the next start.
        await host.Destinations.SeedAsync([new DestinationOptions { AeTitle = Storescp.AeTitle, Host = "127.0.0.1", Port = pacs.Port }], CancellationToken.None);
        var seeded = (await host.Destinations.FindAsync(Storescp.AeTitle, CancellationToken.None))!;
        Assert.Equal((DestinationRepository.ConfigSource, true), (seeded.Source, seeded.Enabled));
        Assert.Equal(DestinationRejected.ReadOnly, (await RejectedAsync(upsert, new UpsertDestination(Storescp.AeTitle, "10.0.0.1", 104, false, [], false, true))).Code);
    }

    private static async Task<DestinationChanged> ChangedAsync<T>(IRequestClient<T> client, T request)
        where T : class
    {
        var response = await client.GetResponse<DestinationChanged, DestinationRejected>(request);
        Assert.True(response.Is(out Response<DestinationChanged>? changed), response.Is(out Response<DestinationRejected>? rejected) ? rejected!.Message.Reason : "no answer");
        return changed!.Message;
    }

    private static async Task<DestinationRejected> RejectedAsync<T>(IRequestClient<T> client, T request)
        where T : class
    {
        var response = await client.GetResponse<DestinationChanged, DestinationRejected>(request);
        Assert.True(response.Is(out Response<DestinationRejected>? rejected), $"{request} was accepted");
        return rejected!.Message;
    }

    private static async Task<DestinationEchoed> EchoedAsync(IRequestClient<EchoDestination> client, string aeTitle)
    {
        var response = await client.GetResponse<DestinationEchoed, DestinationRejected>(new EchoDestination(aeTitle), timeout: RequestTimeout.After(m: 1));
        Assert.True(response.Is(out Response<DestinationEchoed>? echoed), $"echo {aeTitle} rejected");
        return echoed!.Message;
    }

    private static async Task SendStudyAndReportAsync(SenderHost host, ReportStore store, Guid job, string sendingAe)
    {
        await host.PublishAsync(ReportStore.StudyFrom(job, sendingAe));
        await Eventually.UntilAsync(async () => await host.Deliveries.FindSenderAsync(job, CancellationToken.None) == sendingAe, Deadline, "the study's sender recorded");
        await host.PublishAsync(await store.WriteReportAsync(job));
    }
}
