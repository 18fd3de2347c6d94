namespace RadAI.PacsSender.Delivery;

/// <summary>States of a delivery (<c>pacs_deliveries.status</c>).</summary>
public static class DeliveryStatus
{
    /// <summary>Waiting for its next attempt (or being attempted: its due time is then the attempt's lease).</summary>
    public const string Pending = "pending";

    /// <summary>Every object stored at the destination; ReportDelivered published.</summary>
    public const string Delivered = "delivered";

    /// <summary>Given up (attempts exhausted, or no destination); DeliveryFailed published.</summary>
    public const string Failed = "failed";
}

/// <summary>A job's report as pacs-sender recorded it from ReportReady (a row of <c>pacs_jobs</c>).</summary>
public sealed class DeliveryJob
{
    public Guid JobId { get; set; }

    public Guid CorrelationId { get; set; }

    public string StudyInstanceUid { get; set; } = "";

    public DateTimeOffset ReportReadyAt { get; set; }
}

/// <summary>One report object of a job (a row of <c>pacs_job_objects</c>).</summary>
public sealed class JobObject
{
    public string SopInstanceUid { get; set; } = "";

    public long Ordinal { get; set; }

    public string Kind { get; set; } = "";

    public string SopClassUid { get; set; } = "";

    public string Store { get; set; } = "";

    public string StorageKey { get; set; } = "";
}

/// <summary>A delivery of a job to a destination (a row of <c>pacs_deliveries</c>).</summary>
public sealed class DeliveryRecord
{
    public Guid JobId { get; set; }

    public string DestinationAe { get; set; } = "";

    public string Status { get; set; } = "";

    /// <summary>0 for the first delivery, one more for each resend.</summary>
    public long Round { get; set; }

    /// <summary>Attempts made in this round.</summary>
    public long Attempts { get; set; }

    public DateTimeOffset NextAttemptAt { get; set; }

    public DateTimeOffset? LastAttemptAt { get; set; }

    public string? LastError { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    public Guid? LastRequestId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>The status of one object at one destination (a row of <c>pacs_delivery_objects</c>).</summary>
public sealed class DeliveryObjectRecord
{
    public string DestinationAe { get; set; } = "";

    public string SopInstanceUid { get; set; } = "";

    /// <summary>DIMSE status of the last C-STORE; -1 when not sent.</summary>
    public long Status { get; set; }

    public string? Error { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>An attempt this process holds: the delivery, its round and the attempt number it took.</summary>
public sealed record ClaimedAttempt(Guid JobId, string DestinationAe, long Round, long Attempt);

/// <summary>The outcome of storing one object in an attempt (DIMSE status, -1 when not sent).</summary>
public sealed record ObjectResult(string SopInstanceUid, int Status, string? Error);

/// <summary>An event to publish after the state change that caused it committed (a row of <c>pacs_outbox</c>).</summary>
public sealed class OutboxMessage
{
    public Guid MessageId { get; set; }

    public Guid JobId { get; set; }

    public string MessageType { get; set; } = "";

    public string Payload { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }
}
