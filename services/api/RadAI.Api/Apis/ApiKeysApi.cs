using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using RadAI.Api.Security;
using RadAI.Data.Audit;

namespace RadAI.Api.Apis;

/// <summary><c>/api/api-keys</c>: keys of machine clients (administrators only). A key is shown once, at creation.</summary>
public static class ApiKeysApi
{
    public static RouteGroupBuilder MapApiKeysApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/api-keys").WithTags("ApiKeys").RequireAuthorization(Policies.Admin);
        group.MapGet("/", ListKeys).WithName("ListApiKeys");
        group.MapPost("/", CreateKey).WithName("CreateApiKey");
        group.MapDelete("/{keyId:guid}", RevokeKey).WithName("RevokeApiKey").ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    public static async Task<Ok<IReadOnlyList<ApiKeyView>>> ListKeys(ApiKeyRepository keys, CancellationToken cancellationToken) =>
        TypedResults.Ok<IReadOnlyList<ApiKeyView>>([.. (await keys.ListAsync(cancellationToken).ConfigureAwait(false)).Select(ApiKeyView.Of)]);

    /// <summary>A new key with a role; the answer is the only place the key itself ever appears.</summary>
    public static async Task<Results<Created<CreatedApiKey>, ProblemHttpResult>> CreateKey(
        CreateApiKeyRequest request, ApiKeyRepository keys, IAuditLog audit, TimeProvider clock, HttpContext context, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 100)
        {
            await audit.WriteAsync(context, "apikey.create", null, AuditOutcome.Failure, new { reason = "invalid_name" }, cancellationToken).ConfigureAwait(false);
            return TypedResults.Problem(detail: "name is required (at most 100 characters).", statusCode: StatusCodes.Status400BadRequest, title: "Invalid request");
        }

        if (!Roles.IsKnown(request.Role))
        {
            await audit.WriteAsync(context, "apikey.create", null, AuditOutcome.Failure, new { reason = "invalid_role" }, cancellationToken).ConfigureAwait(false);
            return TypedResults.Problem(detail: $"role must be one of {string.Join(", ", Roles.All)}.", statusCode: StatusCodes.Status400BadRequest, title: "Invalid request");
        }

        var secret = SecretTokens.New(SecretTokens.ApiKeyPrefix);
        var record = new ApiKeyRecord
        {
            KeyId = Guid.NewGuid(),
            Name = request.Name.Trim(),
            KeyPrefix = secret[..(SecretTokens.ApiKeyPrefix.Length + 6)],
            KeyHash = SecretTokens.Hash(secret),
            Role = request.Role!,
            CreatedBy = AuditActors.Of(context.User),
            CreatedAt = clock.GetUtcNow(),
        };
        await keys.AddAsync(record, cancellationToken).ConfigureAwait(false);
        await audit.WriteAsync(context, "apikey.create", AuditActors.ApiKey(record.KeyId), AuditOutcome.Success, new { name = record.Name, role = record.Role }, cancellationToken).ConfigureAwait(false);
        return TypedResults.Created($"/api/api-keys/{record.KeyId}", new CreatedApiKey(ApiKeyView.Of(record), secret));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> RevokeKey(Guid keyId, ApiKeyRepository keys, IAuditLog audit, TimeProvider clock, HttpContext context, CancellationToken cancellationToken)
    {
        if (!await keys.RevokeAsync(keyId, clock.GetUtcNow(), cancellationToken).ConfigureAwait(false))
        {
            await audit.WriteAsync(context, "apikey.revoke", AuditActors.ApiKey(keyId), AuditOutcome.Failure, new { reason = "not_found" }, cancellationToken).ConfigureAwait(false);
            return TypedResults.Problem(detail: $"No API key {keyId}.", statusCode: StatusCodes.Status404NotFound, title: "API key not found");
        }

        await audit.WriteAsync(context, "apikey.revoke", AuditActors.ApiKey(keyId), AuditOutcome.Success, null, cancellationToken).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    public sealed record CreateApiKeyRequest(string? Name, string? Role);

    /// <summary>A key as listed: never the key itself.</summary>
    public sealed record ApiKeyView(Guid Id, string Name, string Prefix, string Role, string CreatedBy, DateTimeOffset CreatedAt, bool Revoked)
    {
        public static ApiKeyView Of(ApiKeyRecord key) => new(key.KeyId, key.Name, key.KeyPrefix, key.Role, key.CreatedBy, key.CreatedAt, key.RevokedAt is not null);
    }

    /// <summary>The answer of <c>POST /api/api-keys</c>: send <see cref="Key"/> as the <c>X-Api-Key</c> header.</summary>
    public sealed record CreatedApiKey(ApiKeyView ApiKey, string Key);
}
