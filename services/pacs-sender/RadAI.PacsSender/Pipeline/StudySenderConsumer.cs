using MassTransit;
using RadAI.Contracts;
using RadAI.PacsSender.Delivery;

namespace RadAI.PacsSender.Pipeline;

/// <summary>
/// Records which AE title sent each job's study (from StudyReceived, in pacs-sender's own table): the report goes back to
/// that sender by default. Idempotent (the first row of a job is kept).
/// </summary>
public sealed class StudySenderConsumer(DeliveryRepository deliveries) : IConsumer<StudyReceived>
{
    public Task Consume(ConsumeContext<StudyReceived> context) =>
        deliveries.RecordSenderAsync(context.Message.JobId, context.Message.SendingAeTitle, context.Message.StudyInstanceUid, context.Message.OccurredAt, context.CancellationToken);
}

/// <summary>Its own queue (<c>pacs-sender-study-received</c>): inference consumes StudyReceived too, on another queue.</summary>
public sealed class StudySenderConsumerDefinition : ConsumerDefinition<StudySenderConsumer>
{
    public StudySenderConsumerDefinition()
    {
        EndpointName = "pacs-sender-study-received";
    }
}
