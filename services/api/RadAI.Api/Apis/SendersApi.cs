using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using RadAI.Api.Security;
using RadAI.Contracts.Senders;
using RadAI.Data.Audit;

namespace RadAI.Api.Apis;

/// <summary>
/// <c>/api/senders</c>: the known senders (calling AE titles) of dicom-ingest (administrators only). dicom-ingest owns
/// them: every call is a request to it over the bus, and a change is in its table (read at every association) when
/// the answer comes. Changes are audited.
/// </summary>
public static class SendersApi
{
    /// <summary>How long to wait for dicom-ingest.</summary>
    private static readonly RequestTimeout Timeout = RequestTimeout.After(s: 30);

    private static readonly AdministeredList<ListSenders, SenderList, SenderInfo> Senders = new(at => new ListSenders(at), list => list.Senders, Timeout);

    public static RouteGroupBuilder MapSendersApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/senders").WithTags("Senders").RequireAuthorization(Policies.Admin)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout);
        group.MapGet("/", ListSenders).WithName("ListSenders");
        group.MapGet("/{aeTitle}", GetSender).WithName("GetSender");
        group.MapPut("/{aeTitle}", PutSender).WithName("PutSender");
        group.MapDelete("/{aeTitle}", DisableSender).WithName("DisableSender");
        return group;
    }

    /// <summary>Every known sender, configured or administered here, enabled or not.</summary>
    public static async Task<Results<Ok<IReadOnlyList<SenderInfo>>, ProblemHttpResult>> ListSenders(
        [FromServices] IRequestClient<ListSenders> client, TimeProvider clock, CancellationToken cancellationToken) =>
        await Senders.ListAsync(client, clock, cancellationToken).ConfigureAwait(false) is { } senders ? TypedResults.Ok(senders) : NoAnswer();

    public static async Task<Results<Ok<SenderInfo>, NotFound, ProblemHttpResult>> GetSender(
        string aeTitle, [FromServices] IRequestClient<ListSenders> client, TimeProvider clock, CancellationToken cancellationToken) =>
        await Senders.FindAsync(client, clock, s => s.AeTitle == aeTitle, cancellationToken).ConfigureAwait(false) switch
        {
            (false, _) => NoAnswer(),
            (_, { } found) => TypedResults.Ok(found),
            _ => TypedResults.NotFound(),
        };

    /// <summary>Creates or replaces a sender administered through the api; configured ones are read-only (409).</summary>
    public static async Task<Results<Ok<SenderInfo>, Created<SenderInfo>, ProblemHttpResult>> PutSender(
        string aeTitle, SenderRequest request, [FromServices] IRequestClient<UpsertSender> client, IAuditLog audit, HttpContext context, CancellationToken cancellationToken)
    {
        var command = new UpsertSender(aeTitle, request.Host, request.Allowed ?? true, request.RoutingProfile, request.StableTimeout, request.Enabled ?? true, AuditActors.Of(context.User));
        var answer = await new AdministeredChange("sender.upsert", aeTitle, command with { RequestedBy = null })
            .RequestAsync<UpsertSender, SenderChanged, SenderRejected>(client, command, Timeout, c => (c.Before, c.After), r => r.Code, audit, context, cancellationToken).ConfigureAwait(false);
        return answer switch
        {
            { Changed: { Before: null } created } => TypedResults.Created($"/api/senders/{Uri.EscapeDataString(aeTitle)}", created.After),
            { Changed: { } replaced } => TypedResults.Ok(replaced.After),
            { Rejected: { } rejected } => Rejected(rejected),
            _ => NoAnswer(),
        };
    }

    /// <summary>Disables a sender administered through the api (kept; its C-STOREs are refused); configured ones: 409.</summary>
    public static async Task<Results<Ok<SenderInfo>, ProblemHttpResult>> DisableSender(
        string aeTitle, [FromServices] IRequestClient<DisableSender> client, IAuditLog audit, HttpContext context, CancellationToken cancellationToken)
    {
        var answer = await new AdministeredChange("sender.disable", aeTitle)
            .RequestAsync<DisableSender, SenderChanged, SenderRejected>(client, new DisableSender(aeTitle, AuditActors.Of(context.User)), Timeout, c => (c.Before, c.After), r => r.Code, audit, context, cancellationToken).ConfigureAwait(false);
        return answer switch
        {
            { Changed: { } changed } => TypedResults.Ok(changed.After),
            { Rejected: { } rejected } => Rejected(rejected),
            _ => NoAnswer(),
        };
    }

    private static ProblemHttpResult Rejected(SenderRejected rejected) => rejected.Code switch
    {
        Contracts.Senders.SenderRejected.NotFound => TypedResults.Problem(detail: rejected.Reason, statusCode: StatusCodes.Status404NotFound, title: "No such sender"),
        Contracts.Senders.SenderRejected.ReadOnly => TypedResults.Problem(detail: rejected.Reason, statusCode: StatusCodes.Status409Conflict, title: "Configured sender"),
        _ => TypedResults.Problem(detail: rejected.Reason, statusCode: StatusCodes.Status400BadRequest, title: "Invalid sender"),
    };

    private static ProblemHttpResult NoAnswer() =>
        TypedResults.Problem(detail: "dicom-ingest did not answer in time; nothing is known to have changed.", statusCode: StatusCodes.Status504GatewayTimeout, title: "dicom-ingest did not answer");

    /// <summary>The body of <c>PUT /api/senders/{aeTitle}</c>.</summary>
    /// <param name="Host">Host name or address it must connect from; absent or empty: any.</param>
    /// <param name="Allowed">May it send (false: C-ECHO answered, C-STOREs refused with 0124). Default true.</param>
    /// <param name="RoutingProfile">Routing profile of its studies; absent: the default profile.</param>
    /// <param name="StableTimeout">Its stable-study timeout (<c>hh:mm:ss</c>); absent: the default.</param>
    /// <param name="Enabled">Default true.</param>
    public sealed record SenderRequest(string? Host = null, bool? Allowed = null, string? RoutingProfile = null, TimeSpan? StableTimeout = null, bool? Enabled = null);
}
