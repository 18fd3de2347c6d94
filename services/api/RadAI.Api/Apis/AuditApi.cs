using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using RadAI.Api.Security;
using RadAI.Data;
using RadAI.Data.Audit;

namespace RadAI.Api.Apis;

/// <summary><c>/api/audit</c>: the audit log and its chain verification (administrators only).</summary>
public static class AuditApi
{
    private const int MaxPageSize = 500;
    private const int MaxFilterLength = 200;

    public static RouteGroupBuilder MapAuditApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/audit").WithTags("Audit").RequireAuthorization(Policies.Admin);
        group.MapGet("/", ListEntries).WithName("ListAuditEntries");
        group.MapGet("/verify", Verify).WithName("VerifyAuditLog");
        return group;
    }

    /// <summary>
    /// Entries newest first; the next page is <c>?before=</c> the last sequence seen, with the same filters. Filters:
    /// <c>from</c>/<c>to</c> (ISO 8601 instants or dates, <c>to</c> excluded), <c>action</c>, <c>actor</c> (as stored,
    /// e.g. <c>user:&lt;id&gt;</c>). Each entry carries <c>actorName</c>, the user's or API key's name when it still exists.
    /// </summary>
    public static async Task<Results<Ok<IReadOnlyList<AuditEntryView>>, ProblemHttpResult>> ListEntries(
        IDbConnectionFactory connections, CancellationToken cancellationToken, long? before = null, int limit = 100,
        string? from = null, string? to = null, string? action = null, string? actor = null)
    {
        if (limit is < 1 or > MaxPageSize || before is < 1)
        {
            return Invalid("Invalid paging", $"limit must be 1..{MaxPageSize} and before >= 1.");
        }

        if (!JobsApi.TryParseTime(from, out var fromTime) || !JobsApi.TryParseTime(to, out var toTime))
        {
            return Invalid("Invalid filter", "from and to must be ISO 8601 times or dates, e.g. 2026-11-26T08:00:00Z or 2026-11-26.");
        }

        if (fromTime is { } f && toTime is { } t && f > t)
        {
            return Invalid("Invalid filter", "from must not be after to.");
        }

        if (action is not null && !IsAction(action))
        {
            return Invalid("Invalid filter", $"action must be an audit action such as user.create: 1 to {MaxFilterLength} lowercase letters, digits, '.', '-' or '_'.");
        }

        if (actor is not null && (actor.Length is 0 or > MaxFilterLength || actor.Any(char.IsControl)))
        {
            return Invalid("Invalid filter", $"actor must be an actor as the log writes it, e.g. user:<id>, apikey:<id> or system (1 to {MaxFilterLength} characters).");
        }

        var query = new AuditQuery { BeforeSequence = before, Limit = limit, From = fromTime, To = toTime, Action = action, Actor = actor };
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var entries = await AuditChain.ListAsync(connection, query, cancellationToken).ConfigureAwait(false);
        var names = await AuditActorNames.ResolveAsync(connection, entries.Select(e => e.Actor), cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok<IReadOnlyList<AuditEntryView>>([.. entries.Select(e => AuditEntryView.Of(e, names.GetValueOrDefault(e.Actor)))]);
    }

    private static bool IsAction(string action) =>
        action.Length is > 0 and <= MaxFilterLength && action.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '-' or '_');

    private static ProblemHttpResult Invalid(string title, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status400BadRequest, title: title);

    /// <summary>Recomputes the chain: ok with the count and head hash, or the first broken entry and why. The check is audited.</summary>
    public static async Task<Ok<AuditVerification>> Verify(IDbConnectionFactory connections, IAuditLog audit, HttpContext context, CancellationToken cancellationToken)
    {
        AuditVerification result;
        await using (var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        {
            result = await AuditChain.VerifyAsync(connection, cancellationToken).ConfigureAwait(false);
        }

        await audit.WriteAsync(context, "audit.verify", null, result.Ok ? AuditOutcome.Success : AuditOutcome.Failure,
            new { verified = result.VerifiedCount, firstBroken = result.FirstBrokenSequence }, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(result);
    }
}

/// <summary>
/// An audit entry as the api answers it: the stored entry and <c>ActorName</c>, the user's or API key's name when the
/// actor is one that still exists (otherwise null). The name is not part of the entry: the chain hashes the actor's id.
/// </summary>
public sealed record AuditEntryView(
    long Sequence, DateTimeOffset OccurredAt, string Actor, string? ActorName, string? Source, string Action, string? Resource,
    string Outcome, string? Details, string PreviousHash, string EntryHash)
{
    public static AuditEntryView Of(AuditEntry entry, string? actorName)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new(entry.Sequence, entry.OccurredAt, entry.Actor, actorName, entry.Source, entry.Action, entry.Resource,
            entry.Outcome, entry.Details, entry.PreviousHash, entry.EntryHash);
    }
}
