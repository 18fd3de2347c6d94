using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;

namespace RadAI.Api.Security;

/// <summary>401 and 403 as RFC 9457 problem details (the default handler answers with an empty body).</summary>
public sealed class ProblemAuthorizationResultHandler(IProblemDetailsService problemDetails) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Challenged)
        {
            // The schemes set WWW-Authenticate and the status; the body says the same for people.
            await _default.HandleAsync(next, context, policy, authorizeResult).ConfigureAwait(false);
            await WriteAsync(context, StatusCodes.Status401Unauthorized, "Authentication required",
                "Send a bearer access token (POST /api/auth/login) or an API key (X-Api-Key header).").ConfigureAwait(false);
            return;
        }

        if (authorizeResult.Forbidden)
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await WriteAsync(context, StatusCodes.Status403Forbidden, "Forbidden", "Your role does not allow this operation.").ConfigureAwait(false);
            return;
        }

        await _default.HandleAsync(next, context, policy, authorizeResult).ConfigureAwait(false);
    }

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
