namespace RadAI.Data.Audit;

/// <summary>One row of the append-only <c>audit_log</c> table.</summary>
public sealed class AuditEntry
{
    /// <summary>Position in the chain, from 1, without gaps.</summary>
    public long Sequence { get; init; }

    /// <summary>When it happened (UTC, microsecond precision: what PostgreSQL stores).</summary>
    public DateTimeOffset OccurredAt { get; init; }

    /// <summary>Who: <c>user:&lt;id&gt;</c>, <c>apikey:&lt;id&gt;</c>, <c>oidc:&lt;subject&gt;</c>, <c>anonymous</c> or <c>system</c>.</summary>
    public string Actor { get; init; } = "";

    /// <summary>From where: the client's IP address, when known.</summary>
    public string? Source { get; init; }

    /// <summary>What was done, e.g. <c>auth.login</c>, <c>user.create</c>, <c>report.read</c>.</summary>
    public string Action { get; init; } = "";

    /// <summary>On what, by id only (e.g. <c>user:&lt;id&gt;</c>, <c>job:&lt;id&gt;</c>); never a patient value.</summary>
    public string? Resource { get; init; }

    /// <summary><c>success</c>, <c>failure</c> or <c>denied</c>.</summary>
    public string Outcome { get; init; } = "";

    /// <summary>Compact JSON with ids and reasons; never a patient value.</summary>
    public string? Details { get; init; }

    /// <summary>Hash of the previous entry (64 zeros for the first).</summary>
    public string PreviousHash { get; init; } = "";

    /// <summary>SHA-256 (hex) of this entry's canonical encoding, previous hash included.</summary>
    public string EntryHash { get; init; } = "";
}

/// <summary>Outcomes an audit entry records.</summary>
public static class AuditOutcome
{
    public const string Success = "success";
    public const string Failure = "failure";
    public const string Denied = "denied";

    /// <summary>A request taken to be carried out later (a resend, a rerun): what becomes of it follows in the job's events.</summary>
    public const string Accepted = "accepted";
}

/// <summary>A page of the audit log, newest first: every filter given must match.</summary>
public sealed record AuditQuery
{
    /// <summary>Only entries strictly before this sequence (the last one of the previous page).</summary>
    public long? BeforeSequence { get; init; }

    /// <summary>Only entries that occurred at or after this instant.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Only entries that occurred before this instant (excluded).</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>Only entries with this action, e.g. <c>user.create</c>.</summary>
    public string? Action { get; init; }

    /// <summary>Only entries with this actor, e.g. <c>user:&lt;id&gt;</c>.</summary>
    public string? Actor { get; init; }

    /// <summary>At most this many entries.</summary>
    public int Limit { get; init; } = 100;
}
