using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using RadAI.Api.Security;
using RadAI.Data.Audit;

namespace RadAI.Api.Apis;

/// <summary><c>/api/users</c>: local users (administrators only). Every change is audited, and so is every refused one.</summary>
public static class UsersApi
{
    public static RouteGroupBuilder MapUsersApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/users").WithTags("Users").RequireAuthorization(Policies.Admin);
        group.MapGet("/", ListUsers).WithName("ListUsers");
        group.MapPost("/", CreateUser).WithName("CreateUser");
        group.MapPut("/{userId:guid}/role", ChangeRole).WithName("ChangeUserRole").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{userId:guid}/disable", DisableUser).WithName("DisableUser").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{userId:guid}/enable", EnableUser).WithName("EnableUser").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPut("/{userId:guid}/password", ResetPassword).WithName("ResetUserPassword").ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    public static async Task<Ok<IReadOnlyList<UserView>>> ListUsers(UserRepository users, CancellationToken cancellationToken) =>
        TypedResults.Ok<IReadOnlyList<UserView>>([.. (await users.ListAsync(cancellationToken).ConfigureAwait(false)).Select(UserView.Of)]);

    public static async Task<Results<Created<UserView>, ProblemHttpResult>> CreateUser(
        CreateUserRequest request, UserRepository users, PasswordHasher hasher, IAuditLog audit, TimeProvider clock,
        IOptions<SecurityOptions> options, HttpContext context, CancellationToken cancellationToken)
    {
        var username = UserNames.Normalize(request.Username ?? "");
        if (!UserNames.IsValid(username))
        {
            // The name itself is not recorded: a password typed into the name field must not land in the audit log.
            await Refused(audit, context, "user.create", null, "invalid_username", cancellationToken).ConfigureAwait(false);
            return Invalid($"username must match {UserNames.Pattern}.");
        }

        if (!Roles.IsKnown(request.Role))
        {
            await Refused(audit, context, "user.create", null, "invalid_role", cancellationToken).ConfigureAwait(false);
            return Invalid($"role must be one of {string.Join(", ", Roles.All)}.");
        }

        if (PasswordProblem(request.Password, options.Value) is { } problem)
        {
            await Refused(audit, context, "user.create", null, "invalid_password", cancellationToken).ConfigureAwait(false);
            return problem;
        }

        var now = clock.GetUtcNow();
        var user = new UserRecord
        {
            UserId = Guid.NewGuid(),
            Username = username,
            PasswordHash = await hasher.HashAsync(request.Password!).ConfigureAwait(false),
            Role = request.Role!,
            CreatedAt = now,
            UpdatedAt = now,
        };
        if (!await users.TryCreateAsync(user, cancellationToken).ConfigureAwait(false))
        {
            await audit.WriteAsync(context, "user.create", null, AuditOutcome.Failure, new { username, reason = "name_taken" }, cancellationToken).ConfigureAwait(false);
            return TypedResults.Problem(detail: $"A user named '{username}' exists.", statusCode: StatusCodes.Status409Conflict, title: "Conflict");
        }

        await audit.WriteAsync(context, "user.create", AuditActors.User(user.UserId), AuditOutcome.Success, new { username, role = user.Role }, cancellationToken).ConfigureAwait(false);
        return TypedResults.Created($"/api/users/{user.UserId}", UserView.Of(user));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> ChangeRole(
        Guid userId, ChangeRoleRequest request, UserRepository users, IAuditLog audit, TimeProvider clock, HttpContext context, CancellationToken cancellationToken)
    {
        if (!Roles.IsKnown(request.Role))
        {
            await Refused(audit, context, "user.role", AuditActors.User(userId), "invalid_role", cancellationToken).ConfigureAwait(false);
            return Invalid($"role must be one of {string.Join(", ", Roles.All)}.");
        }

        var user = await users.FindAsync(userId, cancellationToken).ConfigureAwait(false);
        if (user is null)
        {
            await Refused(audit, context, "user.role", AuditActors.User(userId), "not_found", cancellationToken).ConfigureAwait(false);
            return UserNotFound(userId);
        }

        if (user.Role == Roles.Admin && request.Role != Roles.Admin && user.DisabledAt is null
            && await users.CountOtherActiveAdminsAsync(userId, cancellationToken).ConfigureAwait(false) == 0)
        {
            await Refused(audit, context, "user.role", AuditActors.User(userId), "last_admin", cancellationToken).ConfigureAwait(false);
            return LastAdmin();
        }

        await users.SetRoleAsync(userId, request.Role!, clock.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        await audit.WriteAsync(context, "user.role", AuditActors.User(userId), AuditOutcome.Success, new { from = user.Role, to = request.Role }, cancellationToken).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DisableUser(
        Guid userId, UserRepository users, RefreshTokenRepository refreshTokens, IAuditLog audit, TimeProvider clock, HttpContext context, CancellationToken cancellationToken)
    {
        var user = await users.FindAsync(userId, cancellationToken).ConfigureAwait(false);
        if (user is null)
        {
            await Refused(audit, context, "user.disable", AuditActors.User(userId), "not_found", cancellationToken).ConfigureAwait(false);
            return UserNotFound(userId);
        }

        if (user.Role == Roles.Admin && await users.CountOtherActiveAdminsAsync(userId, cancellationToken).ConfigureAwait(false) == 0)
        {
            await Refused(audit, context, "user.disable", AuditActors.User(userId), "last_admin", cancellationToken).ConfigureAwait(false);
            return LastAdmin();
        }

        var now = clock.GetUtcNow();
        await users.SetDisabledAsync(userId, now, now, cancellationToken).ConfigureAwait(false);
        var revoked = await refreshTokens.RevokeUserAsync(userId, now, cancellationToken).ConfigureAwait(false);
        await audit.WriteAsync(context, "user.disable", AuditActors.User(userId), AuditOutcome.Success, new { revokedTokens = revoked }, cancellationToken).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> EnableUser(
        Guid userId, UserRepository users, IAuditLog audit, TimeProvider clock, HttpContext context, CancellationToken cancellationToken)
    {
        if (!await users.SetDisabledAsync(userId, null, clock.GetUtcNow(), cancellationToken).ConfigureAwait(false))
        {
            await Refused(audit, context, "user.enable", AuditActors.User(userId), "not_found", cancellationToken).ConfigureAwait(false);
            return UserNotFound(userId);
        }

        await audit.WriteAsync(context, "user.enable", AuditActors.User(userId), AuditOutcome.Success, null, cancellationToken).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    /// <summary>Sets a new password, lifts a lockout and ends the user's sessions.</summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> ResetPassword(
        Guid userId, ResetPasswordRequest request, UserRepository users, RefreshTokenRepository refreshTokens, PasswordHasher hasher, IAuditLog audit,
        TimeProvider clock, IOptions<SecurityOptions> options, HttpContext context, CancellationToken cancellationToken)
    {
        if (PasswordProblem(request.Password, options.Value) is { } problem)
        {
            await Refused(audit, context, "user.password", AuditActors.User(userId), "invalid_password", cancellationToken).ConfigureAwait(false);
            return problem;
        }

        var now = clock.GetUtcNow();
        if (!await users.SetPasswordAsync(userId, await hasher.HashAsync(request.Password!).ConfigureAwait(false), now, cancellationToken).ConfigureAwait(false))
        {
            await Refused(audit, context, "user.password", AuditActors.User(userId), "not_found", cancellationToken).ConfigureAwait(false);
            return UserNotFound(userId);
        }

        var revoked = await refreshTokens.RevokeUserAsync(userId, now, cancellationToken).ConfigureAwait(false);
        await audit.WriteAsync(context, "user.password", AuditActors.User(userId), AuditOutcome.Success, new { revokedTokens = revoked }, cancellationToken).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    private static ProblemHttpResult? PasswordProblem(string? password, SecurityOptions settings) =>
        password is null || password.Length < settings.MinPasswordLength
            ? Invalid($"password must have at least {settings.MinPasswordLength} characters.")
            : null;

    private static ProblemHttpResult Invalid(string detail) =>
        TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status400BadRequest, title: "Invalid request");

    /// <summary>A refused change is audited too: outcome failure, with the reason (never the value that was refused).</summary>
    private static Task Refused(IAuditLog audit, HttpContext context, string action, string? resource, string reason, CancellationToken cancellationToken) =>
        audit.WriteAsync(context, action, resource, AuditOutcome.Failure, new { reason }, cancellationToken);

    private static ProblemHttpResult UserNotFound(Guid userId) =>
        TypedResults.Problem(detail: $"No user {userId}.", statusCode: StatusCodes.Status404NotFound, title: "User not found");

    private static ProblemHttpResult LastAdmin() =>
        TypedResults.Problem(detail: "This is the last active administrator: create or enable another one first.", statusCode: StatusCodes.Status409Conflict, title: "Conflict");

    public sealed record CreateUserRequest(string? Username, string? Password, string? Role);

    public sealed record ChangeRoleRequest(string? Role);

    public sealed record ResetPasswordRequest(string? Password);

    /// <summary>A user as the API shows it (never the hash).</summary>
    public sealed record UserView(Guid Id, string Username, string Role, bool Disabled, DateTimeOffset? LockedUntil, DateTimeOffset CreatedAt)
    {
        public static UserView Of(UserRecord user) => new(user.UserId, user.Username, user.Role, user.DisabledAt is not null, user.LockedUntil, user.CreatedAt);
    }
}
