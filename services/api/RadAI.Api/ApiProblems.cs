using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace RadAI.Api;

/// <summary>
/// Errors the endpoints do not write themselves still leave as RFC 9457 problems: a request whose JSON body or a path or
/// query value could not be read (minimal APIs answer an empty 400 before the handler runs), a path no endpoint maps.
/// <see cref="ApiModule.MapApi(WebApplication)"/> adds the status-code-pages middleware that writes them, and this fills
/// in the detail such a problem would lack.
/// </summary>
public static class ApiProblems
{
    public static void Customize(ProblemDetailsContext context)
    {
        context.ProblemDetails.Detail ??= context.ProblemDetails.Status switch
        {
            StatusCodes.Status400BadRequest =>
                "The request could not be read: its JSON body is missing or malformed, or a value in its path or query has the wrong type. See /openapi/v1.json.",
            StatusCodes.Status404NotFound => $"Nothing is mapped at {context.HttpContext.Request.Path}.",
            StatusCodes.Status405MethodNotAllowed => $"{context.HttpContext.Request.Method} is not allowed on {context.HttpContext.Request.Path}.",
            StatusCodes.Status415UnsupportedMediaType => "The body must be JSON (Content-Type: application/json).",
            _ => context.ProblemDetails.Title,
        };
    }
}
