using MassTransit;
using Microsoft.Extensions.Logging;
using RadAI.Contracts;

namespace RadAI.DicomIngest.Erasure;

/// <summary>
/// Deletes dicom-ingest's rows of the jobs and studies the api erased (<see cref="ReceptionErasure"/>). Idempotent: a
/// second delivery, or a job this service never received, deletes nothing.
/// </summary>
public sealed partial class JobDataErasedConsumer(ReceptionErasure erasure, ILogger<JobDataErasedConsumer> logger) : IConsumer<JobDataErased>
{
    public async Task Consume(ConsumeContext<JobDataErased> context)
    {
        var message = context.Message;
        var erased = await erasure.EraseAsync(message.JobIds, message.StudyInstanceUids, byStudy: message.Reason == ErasureReason.Erasure,
            context.CancellationToken).ConfigureAwait(false);
        LogErased(message.Reason, erased.JobIds.Count, erased.Instances, erased.KeptReceiving, string.Join(", ", erased.JobIds));
    }

    [LoggerMessage(EventId = 4501, Level = LogLevel.Information,
        Message = "{Reason}: deleted {Receptions} receptions ({Instances} instance rows), kept {Receiving} still receiving; jobs [{JobIds}]")]
    private partial void LogErased(ErasureReason reason, int receptions, long instances, int receiving, string jobIds);
}

/// <summary>Its own queue (<c>ingest-job-data-erased</c>): report-builder and pacs-sender consume JobDataErased too, on theirs.</summary>
public sealed class JobDataErasedConsumerDefinition : ConsumerDefinition<JobDataErasedConsumer>
{
    public JobDataErasedConsumerDefinition()
    {
        EndpointName = "ingest-job-data-erased";
    }
}
