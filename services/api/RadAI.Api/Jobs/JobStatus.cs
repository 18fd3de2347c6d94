using RadAI.Contracts;
using Contracts = RadAI.Contracts;

namespace RadAI.Api.Jobs;

/// <summary>The status a job shows, and its rank: events may arrive out of order, a job never moves back.</summary>
public static class JobStatus
{
    public const string Received = "received";
    public const string Skipped = "skipped";
    public const string Analysed = "analysed";
    public const string AnalysisFailed = "analysis-failed";
    public const string ReportFailed = "report-failed";
    public const string ReportReady = "report-ready";
    public const string Delivered = "delivered";
    public const string DeliveryFailed = "delivery-failed";

    /// <summary>All statuses, in pipeline order.</summary>
    public static IReadOnlyList<string> All { get; } = [Received, Skipped, Analysed, AnalysisFailed, ReportFailed, ReportReady, Delivered, DeliveryFailed];

    /// <summary>The status an event moves its job to, with the rank of that status.</summary>
    public static (string Status, int Rank) Of(IJobEvent jobEvent) => jobEvent switch
    {
        Contracts.StudyReceived => (Received, 10),
        Contracts.StudySkipped => (Skipped, 20),
        Contracts.AnalysisFailed => (AnalysisFailed, 20),
        Contracts.AnalysisDone => (Analysed, 30),
        Contracts.ReportFailed => (ReportFailed, 40),
        Contracts.ReportReady => (ReportReady, 40),
        Contracts.DeliveryFailed => (DeliveryFailed, 50),
        Contracts.ReportDelivered => (Delivered, 60),
        _ => throw new ArgumentException($"Unknown job event {jobEvent.GetType().Name}.", nameof(jobEvent)),
    };
}
