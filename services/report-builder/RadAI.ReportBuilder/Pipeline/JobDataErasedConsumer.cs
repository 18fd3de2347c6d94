using MassTransit;
using Microsoft.Extensions.Logging;
using RadAI.Contracts;
using RadAI.ReportBuilder.History;

namespace RadAI.ReportBuilder.Pipeline;

/// <summary>
/// Deletes report-builder's rows (<c>report_documents</c>) of the jobs and studies the api erased
/// (<see cref="ReportHistory.EraseAsync"/>): erasure removes every job of the studies, retention only the jobs listed.
/// The report files themselves (<c>reports/{job}</c>) are deleted by the api. Idempotent.
/// </summary>
public sealed partial class JobDataErasedConsumer(ReportHistory history, ILogger<JobDataErasedConsumer> logger) : IConsumer<JobDataErased>
{
    public async Task Consume(ConsumeContext<JobDataErased> context)
    {
        var message = context.Message;
        var erased = await history.EraseAsync(message.JobIds, message.StudyInstanceUids, byStudy: message.Reason == ErasureReason.Erasure,
            context.CancellationToken).ConfigureAwait(false);
        LogErased(message.Reason, erased.Count, string.Join(", ", erased));
    }

    [LoggerMessage(EventId = 7320, Level = LogLevel.Information, Message = "{Reason}: deleted the report rows of {Jobs} jobs; jobs [{JobIds}]")]
    private partial void LogErased(ErasureReason reason, int jobs, string jobIds);
}

/// <summary>Its own queue (<c>report-builder-job-data-erased</c>): dicom-ingest and pacs-sender consume JobDataErased too, on theirs.</summary>
public sealed class JobDataErasedConsumerDefinition : ConsumerDefinition<JobDataErasedConsumer>
{
    public JobDataErasedConsumerDefinition()
    {
        EndpointName = "report-builder-job-data-erased";
    }
}
