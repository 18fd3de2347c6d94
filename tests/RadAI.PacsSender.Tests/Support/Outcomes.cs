using System.Collections.Concurrent;
using MassTransit;
using RadAI.Contracts;

namespace RadAI.PacsSender.Tests.Support;

/// <summary>Every ReportDelivered and DeliveryFailed published on the bus, with its message id (shared by the hosts of a test).</summary>
public sealed class Outcomes
{
    private readonly ConcurrentQueue<(Guid? MessageId, IJobEvent Event)> _received = new();

    public IReadOnlyList<(Guid? MessageId, IJobEvent Event)> All => [.. _received];

    public IReadOnlyList<ReportDelivered> Delivered(Guid jobId) => [.. All.Select(e => e.Event).OfType<ReportDelivered>().Where(e => e.JobId == jobId)];

    public IReadOnlyList<DeliveryFailed> Failed(Guid jobId) => [.. All.Select(e => e.Event).OfType<DeliveryFailed>().Where(e => e.JobId == jobId)];

    public void Add(Guid? messageId, IJobEvent e) => _received.Enqueue((messageId, e));

    public override string ToString() => string.Join('\n', All.Select(e => $"{e.MessageId}: {e.Event}"));
}

/// <summary>Records the outcomes pacs-sender publishes.</summary>
public sealed class OutcomeRecorder(Outcomes outcomes) : IConsumer<ReportDelivered>, IConsumer<DeliveryFailed>
{
    public Task Consume(ConsumeContext<ReportDelivered> context)
    {
        outcomes.Add(context.MessageId, context.Message);
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<DeliveryFailed> context)
    {
        outcomes.Add(context.MessageId, context.Message);
        return Task.CompletedTask;
    }
}
