using System.Net;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using RadAI.Data;
using RadAI.Data.Audit;

namespace RadAI.Api.Security;

/// <summary>
/// The audit log every endpoint writes to: logins, user and key changes, configuration changes, reads of reports and
/// patient-identifying fields, downloads. Details carry ids and reasons only, never a patient value.
/// </summary>
public interface IAuditLog
{
    /// <summary>Appends an entry; who and from where are taken from <paramref name="context"/> (or <c>system</c> without one).</summary>
    Task<AuditEntry> WriteAsync(HttpContext? context, string action, string? resource, string outcome, object? details, CancellationToken cancellationToken);

    /// <summary>Appends an entry whose actor is given (e.g. the user a login names, before there is a principal).</summary>
    Task<AuditEntry> WriteAsync(string actor, HttpContext? context, string action, string? resource, string outcome, object? details, CancellationToken cancellationToken);
}

/// <summary>The audit log on the service's database, chained by <see cref="AuditChain"/>.</summary>
public sealed class AuditLog(IDbConnectionFactory connections, TimeProvider clock, IOptions<SecurityOptions> options) : IAuditLog, IDisposable
{
    // One writer per process; the database lock serializes processes.
    private readonly SemaphoreSlim _writer = new(1, 1);

    public Task<AuditEntry> WriteAsync(HttpContext? context, string action, string? resource, string outcome, object? details, CancellationToken cancellationToken) =>
        WriteAsync(context is null ? AuditActors.System : AuditActors.Of(context.User), context, action, resource, outcome, details, cancellationToken);

    public async Task<AuditEntry> WriteAsync(string actor, HttpContext? context, string action, string? resource, string outcome, object? details, CancellationToken cancellationToken)
    {
        var entry = new AuditEntry
        {
            OccurredAt = clock.GetUtcNow(),
            Actor = actor,
            Source = context is null ? null : SourceOf(context),
            Action = action,
            Resource = resource,
            Outcome = outcome,
            Details = details is null ? null : JsonSerializer.Serialize(details, JsonSerializerOptions.Web),
        };

        await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            return await AuditChain.AppendAsync(connection, connections.Dialect.Provider, entry, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writer.Release();
        }
    }

    public void Dispose() => _writer.Dispose();

    private string? SourceOf(HttpContext context)
    {
        if (options.Value.TrustForwardedFor
            && context.Request.Headers["X-Forwarded-For"].ToString() is { Length: > 0 } forwarded
            && IPAddress.TryParse(forwarded.Split(',')[0].Trim(), out var client))
        {
            return client.ToString();
        }

        return context.Connection.RemoteIpAddress?.ToString();
    }
}

/// <summary>How actors are written in the audit log.</summary>
public static class AuditActors
{
    public const string System = "system";
    public const string Anonymous = "anonymous";

    public static string User(Guid userId) => $"user:{userId:D}";

    public static string ApiKey(Guid keyId) => $"apikey:{keyId:D}";

    /// <summary>The authenticated principal as an actor: a local user, an API key, an OpenID Connect subject.</summary>
    public static string Of(ClaimsPrincipal? principal)
    {
        if (principal?.Identity?.IsAuthenticated != true)
        {
            return Anonymous;
        }

        var kind = principal.FindFirstValue(SecurityClaims.Kind);
        var subject = principal.FindFirstValue(SecurityClaims.Subject) ?? "?";
        return kind switch
        {
            SecurityClaims.KindApiKey => $"apikey:{subject}",
            SecurityClaims.KindOidc => $"oidc:{subject}",
            _ => $"user:{subject}",
        };
    }
}

/// <summary>The claims RadAI reads from every authenticated principal, whatever the scheme.</summary>
public static class SecurityClaims
{
    public const string Subject = "sub";
    public const string Name = "name";
    public const string Role = "role";

    /// <summary><c>user</c>, <c>apikey</c> or <c>oidc</c>.</summary>
    public const string Kind = "radai_kind";

    public const string KindUser = "user";
    public const string KindApiKey = "apikey";
    public const string KindOidc = "oidc";
}
