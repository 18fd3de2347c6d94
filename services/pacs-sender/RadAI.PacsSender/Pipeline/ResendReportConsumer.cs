using MassTransit;
using Microsoft.Extensions.Logging;
using RadAI.Contracts;
using RadAI.PacsSender.Delivery;

namespace RadAI.PacsSender.Pipeline;

/// <summary>
/// Applies ResendReport: the job's deliveries start a new round (see <see cref="DeliveryRepository.ResendAsync"/>). A request
/// that cannot apply (job or destination unknown) is logged and dropped: retrying it would not change the answer.
/// </summary>
public sealed partial class ResendReportConsumer(DeliveryRepository deliveries, DeliverySignal signal, TimeProvider time, ILogger<ResendReportConsumer> logger) : IConsumer<ResendReport>
{
    public async Task Consume(ConsumeContext<ResendReport> context)
    {
        var request = context.Message;
        var outcome = await deliveries.ResendAsync(request.JobId, request.RequestId, request.DestinationAeTitle, time.GetUtcNow(), context.CancellationToken).ConfigureAwait(false);
        if (outcome.Problem is { } problem)
        {
            LogRefused(request.JobId, request.RequestId, problem);
            return;
        }

        LogResend(request.JobId, request.RequestId, string.Join(", ", outcome.Rescheduled), string.Join(", ", outcome.Unchanged));
        signal.Wake();
    }

    [LoggerMessage(EventId = 7440, Level = LogLevel.Information, Message = "Job {JobId}: resend {RequestId} scheduled for [{Rescheduled}] (already applied for [{Unchanged}])")]
    private partial void LogResend(Guid jobId, Guid requestId, string rescheduled, string unchanged);

    [LoggerMessage(EventId = 7441, Level = LogLevel.Warning, Message = "Job {JobId}: resend {RequestId} not applied: {Problem}")]
    private partial void LogRefused(Guid jobId, Guid requestId, string problem);
}

/// <summary>The command's queue, <c>resend-report</c>.</summary>
public sealed class ResendReportConsumerDefinition : ConsumerDefinition<ResendReportConsumer>
{
    public ResendReportConsumerDefinition()
    {
        EndpointName = "resend-report";
    }
}
