using MassTransit;
using Microsoft.Extensions.Logging;
using RadAI.Contracts;
using RadAI.PacsSender.Delivery;

namespace RadAI.PacsSender.Pipeline;

/// <summary>
/// Deletes pacs-sender's rows of the jobs and studies the api erased (<see cref="DeliveryRepository.EraseAsync"/>):
/// erasure removes every job of the studies, retention only the jobs listed. Idempotent.
/// </summary>
public sealed partial class JobDataErasedConsumer(DeliveryRepository deliveries, ILogger<JobDataErasedConsumer> logger) : IConsumer<JobDataErased>
{
    public async Task Consume(ConsumeContext<JobDataErased> context)
    {
        var message = context.Message;
        var erased = await deliveries.EraseAsync(message.JobIds, message.StudyInstanceUids, byStudy: message.Reason == ErasureReason.Erasure,
            context.CancellationToken).ConfigureAwait(false);
        LogErased(message.Reason, erased.JobIds.Count, erased.Deliveries, string.Join(", ", erased.JobIds));
    }

    [LoggerMessage(EventId = 7450, Level = LogLevel.Information, Message = "{Reason}: deleted the rows of {Jobs} jobs ({Deliveries} deliveries); jobs [{JobIds}]")]
    private partial void LogErased(ErasureReason reason, int jobs, long deliveries, string jobIds);
}

/// <summary>Its own queue (<c>pacs-sender-job-data-erased</c>): dicom-ingest and report-builder consume JobDataErased too, on theirs.</summary>
public sealed class JobDataErasedConsumerDefinition : ConsumerDefinition<JobDataErasedConsumer>
{
    public JobDataErasedConsumerDefinition()
    {
        EndpointName = "pacs-sender-job-data-erased";
    }
}
