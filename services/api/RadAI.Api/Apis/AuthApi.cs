using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using RadAI.Api.Security;

namespace RadAI.Api.Apis;

/// <summary><c>/api/auth</c>: sign in with a user name and password, refresh, sign out, who am I.</summary>
public static class AuthApi
{
    public static RouteGroupBuilder MapAuthApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/auth").WithTags("Auth");
        group.MapPost("/login", Login).WithName("Login").AllowAnonymous();
        group.MapPost("/refresh", Refresh).WithName("RefreshToken").AllowAnonymous();
        group.MapPost("/logout", Logout).WithName("Logout").AllowAnonymous();
        group.MapGet("/me", GetCaller).WithName("Me").RequireAuthorization();
        return group;
    }

    /// <summary>A short-lived access token and a refresh token; 401 (the same for every reason) when refused.</summary>
    public static async Task<Results<Ok<TokenPair>, ProblemHttpResult>> Login(LoginRequest request, AccountService accounts, HttpContext context, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.Username) || string.IsNullOrEmpty(request.Password))
        {
            return TypedResults.Problem(detail: "username and password are required.", statusCode: StatusCodes.Status400BadRequest, title: "Invalid request");
        }

        var (tokens, failure) = await accounts.LoginAsync(context, request.Username, request.Password, cancellationToken).ConfigureAwait(false);
        return tokens is not null ? TypedResults.Ok(tokens) : Refused(failure);
    }

    /// <summary>New tokens for a refresh token, which is then spent; a spent token presented again ends its session.</summary>
    public static async Task<Results<Ok<TokenPair>, ProblemHttpResult>> Refresh(RefreshRequest request, AccountService accounts, HttpContext context, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.RefreshToken))
        {
            return TypedResults.Problem(detail: "refreshToken is required.", statusCode: StatusCodes.Status400BadRequest, title: "Invalid request");
        }

        var (tokens, failure) = await accounts.RefreshAsync(context, request.RefreshToken, cancellationToken).ConfigureAwait(false);
        return tokens is not null ? TypedResults.Ok(tokens) : Refused(failure);
    }

    /// <summary>Revokes the session of the refresh token (its access tokens expire on their own, within minutes).</summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> Logout(RefreshRequest request, AccountService accounts, HttpContext context, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.RefreshToken))
        {
            return TypedResults.Problem(detail: "refreshToken is required.", statusCode: StatusCodes.Status400BadRequest, title: "Invalid request");
        }

        return await accounts.LogoutAsync(context, request.RefreshToken, cancellationToken).ConfigureAwait(false)
            ? TypedResults.NoContent()
            : TypedResults.Problem(detail: "Unknown refresh token.", statusCode: StatusCodes.Status401Unauthorized, title: "Invalid token");
    }

    /// <summary>The caller as the API sees it.</summary>
    public static Ok<Caller> GetCaller(ClaimsPrincipal user)
    {
        var identity = user.Identity as ClaimsIdentity;
        var roles = identity is null ? [] : user.FindAll(identity.RoleClaimType).Select(c => c.Value).Where(Roles.IsKnown).ToArray();
        return TypedResults.Ok(new Caller(
            user.FindFirstValue(SecurityClaims.Subject) ?? "",
            user.Identity?.Name,
            user.FindFirstValue(SecurityClaims.Kind) ?? SecurityClaims.KindUser,
            roles));
    }

    private static ProblemHttpResult Refused(SignInFailure failure) => failure == SignInFailure.LocalSignInOff
        ? TypedResults.Problem(detail: "Local sign-in is not configured on this node (Api:Security:SigningKeyFile).", statusCode: StatusCodes.Status503ServiceUnavailable, title: "Sign-in unavailable")
        : TypedResults.Problem(detail: "Invalid credentials.", statusCode: StatusCodes.Status401Unauthorized, title: "Sign-in refused");

    public sealed record LoginRequest(string? Username, string? Password);

    public sealed record RefreshRequest(string? RefreshToken);

    /// <summary>The answer of <c>GET /api/auth/me</c>: kind is <c>user</c>, <c>apikey</c> or <c>oidc</c>.</summary>
    public sealed record Caller(string Id, string? Name, string Kind, IReadOnlyList<string> Roles);
}
