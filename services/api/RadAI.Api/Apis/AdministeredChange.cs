using MassTransit;
using RadAI.Api.Security;
using Microsoft.AspNetCore.Http;
using RadAI.Data.Audit;

namespace RadAI.Api.Apis;

/// <summary>What the owner of a setting answered to a change: the change, its refusal, or nothing in time (both null).</summary>
public readonly record struct ChangeAnswer<TChanged, TRejected>(TChanged? Changed, TRejected? Rejected)
    where TChanged : class
    where TRejected : class;

/// <summary>
/// A configuration change asked of the service that owns the setting (request/response over the bus) and audited
/// whatever comes of it: success with the before and after the owner returned; failure with the owner's refusal code or
/// <c>no-answer</c>, and the request when there is one (never who asked: the entry has the actor).
/// </summary>
/// <param name="Action">The audit action, e.g. <c>sender.upsert</c>.</param>
/// <param name="Resource">What is changed: an AE title, a package id, a profile name.</param>
/// <param name="Requested">The requested values for a failure entry; null for none.</param>
public sealed record AdministeredChange(string Action, string Resource, object? Requested = null)
{
    public async Task<ChangeAnswer<TChanged, TRejected>> RequestAsync<TRequest, TChanged, TRejected>(
        IRequestClient<TRequest> client, TRequest request, RequestTimeout timeout, Func<TChanged, (object? Before, object? After)> beforeAndAfter,
        Func<TRejected, string> codeOf, IAuditLog audit, HttpContext context, CancellationToken cancellationToken)
        where TRequest : class
        where TChanged : class
        where TRejected : class
    {
        Response<TChanged, TRejected> response;
        try
        {
            response = await client.GetResponse<TChanged, TRejected>(request, cancellationToken, timeout).ConfigureAwait(false);
        }
        catch (RequestTimeoutException)
        {
            await FailedAsync("no-answer", audit, context, cancellationToken).ConfigureAwait(false);
            return default;
        }

        if (response.Is(out Response<TRejected>? rejected))
        {
            await FailedAsync(codeOf(rejected.Message), audit, context, cancellationToken).ConfigureAwait(false);
            return new(null, rejected.Message);
        }

        response.Is(out Response<TChanged>? answer);
        var (before, after) = beforeAndAfter(answer!.Message);
        await audit.WriteAsync(context, Action, Resource, AuditOutcome.Success, new { before, after }, cancellationToken).ConfigureAwait(false);
        return new(answer.Message, null);
    }

    private Task FailedAsync(string reason, IAuditLog audit, HttpContext context, CancellationToken cancellationToken) =>
        Requested is null
            ? audit.WriteAsync(context, Action, Resource, AuditOutcome.Failure, new { reason }, cancellationToken)
            : audit.WriteAsync(context, Action, Resource, AuditOutcome.Failure, new { reason, requested = Requested }, cancellationToken);
}
