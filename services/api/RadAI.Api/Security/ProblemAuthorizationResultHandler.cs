using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using RadAI.Data.Audit;

namespace RadAI.Api.Security;

/// <summary>
/// 401 and 403 as RFC 9457 problem details (the default handler answers with an empty body), and the refusals in the
/// audit log: every 403 (a signed-in caller whose role does not allow the operation, e.g. a viewer asking for a report
/// file) as <c>access.denied</c>, and every 401 of a request that carried credentials (an expired or forged token, a
/// revoked or unknown API key) as <c>auth.rejected</c>. A request without any credentials is not recorded: it names
/// nobody, and recording it would let anyone grow the log at will.
/// </summary>
public sealed class ProblemAuthorizationResultHandler(IProblemDetailsService problemDetails, IAuditLog audit) : IAuthorizationMiddlewareResultHandler
{
    public const string DeniedAction = "access.denied";
    public const string RejectedAction = "auth.rejected";

    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Challenged)
        {
            if (PresentedCredential(context.Request) is { } credential)
            {
                await audit.WriteAsync(AuditActors.Anonymous, context, RejectedAction, context.Request.Path.Value, AuditOutcome.Failure,
                    new { method = context.Request.Method, endpoint = EndpointName(context), credential }, context.RequestAborted).ConfigureAwait(false);
            }

            // The schemes set WWW-Authenticate and the status; the body says the same for people.
            await _default.HandleAsync(next, context, policy, authorizeResult).ConfigureAwait(false);
            await WriteAsync(context, StatusCodes.Status401Unauthorized, "Authentication required",
                "Send a bearer access token (POST /api/auth/login) or an API key (X-Api-Key header).").ConfigureAwait(false);
            return;
        }

        if (authorizeResult.Forbidden)
        {
            await audit.WriteAsync(context, DeniedAction, context.Request.Path.Value, AuditOutcome.Denied,
                new { method = context.Request.Method, endpoint = EndpointName(context), roles = RolesOf(context) }, context.RequestAborted).ConfigureAwait(false);
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await WriteAsync(context, StatusCodes.Status403Forbidden, "Forbidden", "Your role does not allow this operation.").ConfigureAwait(false);
            return;
        }

        await _default.HandleAsync(next, context, policy, authorizeResult).ConfigureAwait(false);
    }

    /// <summary><c>api-key</c> or <c>bearer</c> when the request carried one (never its value), else null.</summary>
    private static string? PresentedCredential(HttpRequest request) =>
        request.Headers.ContainsKey(ApiKeyAuthenticationHandler.HeaderName) ? "api-key"
        : request.Headers.Authorization.Count > 0 ? "bearer"
        : null;

    private static string? EndpointName(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName;

    private static string[] RolesOf(HttpContext context) =>
        [.. context.User.Identities.SelectMany(i => i.FindAll(i.RoleClaimType)).Select(c => c.Value).Where(Roles.IsKnown).Distinct()];

    private async Task WriteAsync(HttpContext context, int status, string title, string detail)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        context.Response.StatusCode = status;
        await problemDetails.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        }).ConfigureAwait(false);
    }
}
