using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using RadAI.Api.Security;
using RadAI.Contracts.Destinations;
using RadAI.Data.Audit;

namespace RadAI.Api.Apis;

/// <summary>
/// <c>/api/destinations</c>: the PACS destinations of pacs-sender (administrators only). pacs-sender owns them: every call
/// is a request to it over the bus, and a change is in its table (read by every delivery attempt) when the answer comes.
/// Changes and C-ECHO tests are audited.
/// </summary>
public static class DestinationsApi
{
    /// <summary>How long to wait for pacs-sender; a C-ECHO may wait for a connect timeout.</summary>
    private static readonly RequestTimeout ChangeTimeout = RequestTimeout.After(s: 30);
    private static readonly RequestTimeout EchoTimeout = RequestTimeout.After(m: 3);

    private static readonly AdministeredList<ListDestinations, DestinationList, DestinationInfo> Destinations =
        new(at => new ListDestinations(at), list => list.Destinations, ChangeTimeout);

    public static RouteGroupBuilder MapDestinationsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/destinations").WithTags("Destinations").RequireAuthorization(Policies.Admin)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout);
        group.MapGet("/", ListDestinations).WithName("ListDestinations");
        group.MapGet("/{aeTitle}", GetDestination).WithName("GetDestination").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPut("/{aeTitle}", PutDestination).WithName("PutDestination");
        group.MapDelete("/{aeTitle}", DisableDestination).WithName("DisableDestination");
        group.MapPost("/{aeTitle}/echo", EchoDestination).WithName("EchoDestination");
        return group;
    }

    /// <summary>Every destination, configured or administered here, enabled or not, with its last C-ECHO.</summary>
    public static async Task<Results<Ok<IReadOnlyList<DestinationInfo>>, ProblemHttpResult>> ListDestinations(
        [FromServices] IRequestClient<ListDestinations> client, TimeProvider clock, CancellationToken cancellationToken) =>
        await Destinations.ListAsync(client, clock, cancellationToken).ConfigureAwait(false) is { } destinations ? TypedResults.Ok(destinations) : NoAnswer();

    public static async Task<Results<Ok<DestinationInfo>, ProblemHttpResult>> GetDestination(
        string aeTitle, [FromServices] IRequestClient<ListDestinations> client, TimeProvider clock, CancellationToken cancellationToken) =>
        await Destinations.FindAsync(client, clock, d => d.AeTitle == aeTitle, cancellationToken).ConfigureAwait(false) switch
        {
            (false, _) => NoAnswer(),
            (_, { } found) => TypedResults.Ok(found),
            _ => TypedResults.Problem(detail: $"No destination {aeTitle}.", statusCode: StatusCodes.Status404NotFound, title: "No such destination"),
        };

    /// <summary>Creates or replaces a destination administered through the api; configured ones are read-only (409).</summary>
    public static async Task<Results<Ok<DestinationInfo>, Created<DestinationInfo>, ProblemHttpResult>> PutDestination(
        string aeTitle, DestinationRequest request, [FromServices] IRequestClient<UpsertDestination> client, IAuditLog audit, HttpContext context, CancellationToken cancellationToken)
    {
        var command = new UpsertDestination(aeTitle, request.Host ?? "", request.Port, request.Tls, request.Kinds ?? [], request.AllReports, request.Enabled ?? true, AuditActors.Of(context.User));
        var answer = await new AdministeredChange("destination.upsert", aeTitle, command with { RequestedBy = null })
            .RequestAsync<UpsertDestination, DestinationChanged, DestinationRejected>(client, command, ChangeTimeout, c => (c.Before, c.After), r => r.Code, audit, context, cancellationToken).ConfigureAwait(false);
        return answer switch
        {
            { Changed: { Before: null } created } => TypedResults.Created($"/api/destinations/{Uri.EscapeDataString(aeTitle)}", created.After),
            { Changed: { } replaced } => TypedResults.Ok(replaced.After),
            { Rejected: { } rejected } => Rejected(rejected),
            _ => NoAnswer(),
        };
    }

    /// <summary>Disables a destination administered through the api (kept, with its delivery history); configured ones: 409.</summary>
    public static async Task<Results<Ok<DestinationInfo>, ProblemHttpResult>> DisableDestination(
        string aeTitle, [FromServices] IRequestClient<DisableDestination> client, IAuditLog audit, HttpContext context, CancellationToken cancellationToken)
    {
        var answer = await new AdministeredChange("destination.disable", aeTitle)
            .RequestAsync<DisableDestination, DestinationChanged, DestinationRejected>(client, new DisableDestination(aeTitle, AuditActors.Of(context.User)), ChangeTimeout, c => (c.Before, c.After), r => r.Code, audit, context, cancellationToken).ConfigureAwait(false);
        return answer switch
        {
            { Changed: { } changed } => TypedResults.Ok(changed.After),
            { Rejected: { } rejected } => Rejected(rejected),
            _ => NoAnswer(),
        };
    }

    /// <summary>C-ECHO now; 200 with the DIMSE status, or with the reason when the destination did not answer.</summary>
    public static async Task<Results<Ok<DestinationEchoed>, ProblemHttpResult>> EchoDestination(
        string aeTitle, [FromServices] IRequestClient<EchoDestination> client, IAuditLog audit, HttpContext context, CancellationToken cancellationToken)
    {
        Response<DestinationEchoed, DestinationRejected> response;
        try
        {
            response = await client.GetResponse<DestinationEchoed, DestinationRejected>(new EchoDestination(aeTitle), cancellationToken, EchoTimeout).ConfigureAwait(false);
        }
        catch (RequestTimeoutException)
        {
            return NoAnswer();
        }

        if (response.Is(out Response<DestinationRejected>? rejected))
        {
            return Rejected(rejected.Message);
        }

        response.Is(out Response<DestinationEchoed>? answer);
        var echoed = answer!.Message;
        await audit.WriteAsync(context, "destination.echo", aeTitle, echoed.Error is null ? AuditOutcome.Success : AuditOutcome.Failure,
            new { status = echoed.Status, error = echoed.Error }, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(echoed);
    }

    private static ProblemHttpResult Rejected(DestinationRejected rejected) => rejected.Code switch
    {
        Contracts.Destinations.DestinationRejected.NotFound => TypedResults.Problem(detail: rejected.Reason, statusCode: StatusCodes.Status404NotFound, title: "No such destination"),
        Contracts.Destinations.DestinationRejected.ReadOnly => TypedResults.Problem(detail: rejected.Reason, statusCode: StatusCodes.Status409Conflict, title: "Configured destination"),
        _ => TypedResults.Problem(detail: rejected.Reason, statusCode: StatusCodes.Status400BadRequest, title: "Invalid destination"),
    };

    private static ProblemHttpResult NoAnswer() =>
        TypedResults.Problem(detail: "pacs-sender did not answer in time; nothing is known to have changed.", statusCode: StatusCodes.Status504GatewayTimeout, title: "pacs-sender did not answer");

    /// <summary>The body of <c>PUT /api/destinations/{aeTitle}</c>.</summary>
    /// <param name="Host">Host name or address.</param>
    /// <param name="Port">TCP port, 1–65535.</param>
    /// <param name="Tls">Reach it over DICOM TLS (certificates: pacs-sender's configuration).</param>
    /// <param name="Kinds">Report object kinds it takes (SR, SEG, PDF, KEY-IMAGE); absent or empty: all.</param>
    /// <param name="AllReports">Receives every report, not only those of the studies it sent.</param>
    /// <param name="Enabled">Default true.</param>
    public sealed record DestinationRequest(string? Host, int Port, bool Tls = false, IReadOnlyList<string>? Kinds = null, bool AllReports = false, bool? Enabled = null);
}
