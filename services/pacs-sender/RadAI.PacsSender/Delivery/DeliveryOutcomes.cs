using System.Text.Json;
using RadAI.Contracts;
using RadAI.Hosting.Messaging;

namespace RadAI.PacsSender.Delivery;

/// <summary>The events a delivery ends with, as stored in the outbox, and their deterministic message ids.</summary>
public static class DeliveryOutcomes
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// The message id of a delivery's outcome: the same job, destination, round and event type always give the same id, so
    /// an outcome published twice (a crash between publishing and marking it published) is deduplicated downstream, and a
    /// resend (next round) publishes a new event.
    /// </summary>
    public static Guid MessageIdOf(Guid jobId, string destinationAe, long round, string eventType) =>
        StoredJobEvent.MessageIdOf(PacsSenderModule.ServiceName, jobId, $"{eventType}/{destinationAe}/{round}");

    /// <summary>The outbox row of an outcome.</summary>
    public static OutboxMessage ToOutbox(IJobEvent outcome, string destinationAe, long round, DateTimeOffset now) => new()
    {
        MessageId = MessageIdOf(outcome.JobId, destinationAe, round, outcome.GetType().Name),
        JobId = outcome.JobId,
        MessageType = outcome.GetType().Name,
        Payload = JsonSerializer.Serialize(outcome, outcome.GetType(), Json),
        CreatedAt = now,
    };

    /// <summary>The event of an outbox row.</summary>
    public static IJobEvent FromOutbox(OutboxMessage message) => message.MessageType switch
    {
        nameof(ReportDelivered) => JsonSerializer.Deserialize<ReportDelivered>(message.Payload, Json)!,
        nameof(DeliveryFailed) => JsonSerializer.Deserialize<DeliveryFailed>(message.Payload, Json)!,
        _ => throw new InvalidDataException($"Outbox message {message.MessageId}: unknown type {message.MessageType}."),
    };
}
