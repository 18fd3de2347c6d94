using MassTransit;
using MassTransit.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using RadAI.Api.Apis;
using RadAI.Contracts.Senders;
using Xunit;

namespace RadAI.Api.Tests;

/// <summary>
/// The list and get handlers of the settings owned by other services ask the owner over the bus: its answer, one item
/// of it or 404, and no answer in time told apart from an empty list (the api's 504).
/// </summary>
public sealed class AdministeredListTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 8, 0, 0, TimeSpan.Zero);

    private static readonly AdministeredList<ListSenders, SenderList, SenderInfo> Senders = new(at => new ListSenders(at), list => list.Senders, RequestTimeout.After(s: 30));

    private static SenderInfo Sender(string aeTitle) => new(aeTitle, null, true, null, null, "config", true, T0);

    /// <summary>dicom-ingest's side: the senders it holds, answered with the time of the request as their last change.</summary>
    private sealed class SendersOwner : IConsumer<ListSenders>
    {
        public Task Consume(ConsumeContext<ListSenders> context) =>
            context.RespondAsync(new SenderList([Sender("CT-SCANNER") with { UpdatedAt = context.Message.RequestedAt }, Sender("MAIN-PACS")]));
    }

    private static async Task<(ServiceProvider Services, ITestHarness Harness)> StartAsync(bool withOwner)
    {
        var services = new ServiceCollection()
            .AddMassTransitTestHarness(bus =>
            {
                if (withOwner)
                {
                    bus.AddConsumer<SendersOwner>();
                }
            })
            .BuildServiceProvider(true);
        var harness = services.GetRequiredService<ITestHarness>();
        await harness.Start();
        return (services, harness);
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    [Fact]
    public async Task The_owner_answer_is_listed_and_one_item_found_in_it()
    {
        var (services, harness) = await StartAsync(withOwner: true);
        await using var _ = services;
        var client = harness.GetRequestClient<ListSenders>();
        var clock = new FixedClock(T0.AddMinutes(3));

        var listed = await Senders.ListAsync(client, clock, CancellationToken.None);
        var found = await Senders.FindAsync(client, clock, s => s.AeTitle == "MAIN-PACS", CancellationToken.None);
        var missing = await Senders.FindAsync(client, clock, s => s.AeTitle == "NOBODY", CancellationToken.None);

        Assert.Equal([("CT-SCANNER", T0.AddMinutes(3)), ("MAIN-PACS", T0)], listed!.Select(s => (s.AeTitle, s.UpdatedAt)));
        Assert.Equal((true, Sender("MAIN-PACS")), found);
        Assert.Equal((true, (SenderInfo?)null), missing);

        // The handlers of /api/senders on the same answer.
        Assert.IsType<Ok<IReadOnlyList<SenderInfo>>>((await SendersApi.ListSenders(client, clock, CancellationToken.None)).Result);
        Assert.Equal("MAIN-PACS", Assert.IsType<Ok<SenderInfo>>((await SendersApi.GetSender("MAIN-PACS", client, clock, CancellationToken.None)).Result).Value?.AeTitle);
        Assert.IsType<NotFound>((await SendersApi.GetSender("NOBODY", client, clock, CancellationToken.None)).Result);
    }

    [Fact]
    public async Task No_answer_in_time_is_told_apart_from_an_empty_list()
    {
        var (services, harness) = await StartAsync(withOwner: false);
        await using var _ = services;
        var client = harness.GetRequestClient<ListSenders>();
        var impatient = Senders with { Timeout = RequestTimeout.After(ms: 300) };

        Assert.Null(await impatient.ListAsync(client, TimeProvider.System, CancellationToken.None));
        Assert.Equal((false, (SenderInfo?)null), await impatient.FindAsync(client, TimeProvider.System, _ => true, CancellationToken.None));
    }
}
