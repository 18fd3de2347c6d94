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

    public static RouteGroupBuilder MapAuditApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/audit").WithTags("Audit").RequireAuthorization(Policies.Admin);
        group.MapGet("/", ListEntries).WithName("ListAuditEntries");
        group.MapGet("/verify", Verify).WithName("VerifyAuditLog");
        return group;
    }

    /// <summary>Entries newest first; the next page is <c>?before=</c> the last sequence seen.</summary>
    public static async Task<Results<Ok<IReadOnlyList<AuditEntry>>, ProblemHttpResult>> ListEntries(
        IDbConnectionFactory connections, CancellationToken cancellationToken, long? before = null, int limit = 100)
    {
        if (limit is < 1 or > MaxPageSize || before is < 1)
        {
            return TypedResults.Problem(detail: $"limit must be 1..{MaxPageSize} and before >= 1.", statusCode: StatusCodes.Status400BadRequest, title: "Invalid paging");
        }

        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(await AuditChain.ListAsync(connection, before, limit, cancellationToken).ConfigureAwait(false));
    }

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
