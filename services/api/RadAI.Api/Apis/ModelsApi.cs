using MassTransit;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using RadAI.Api.Security;
using RadAI.Contracts.Models;
using RadAI.Data.Audit;

namespace RadAI.Api.Apis;

/// <summary>
/// <c>/api/models</c> and <c>/api/routing-profiles</c>: the model packages inference loaded, which of them run, and which
/// packages each routing profile allows. inference owns them: every call is a request to it over the bus, and a change is
/// in its database (read for every study, by every replica) when the answer comes. Administrators change them (audited);
/// radiologists may also read the packages (which models run, their status and intended use).
/// </summary>
public static class ModelsApi
{
    /// <summary>How long to wait for inference (its administration queue is not the one of the studies).</summary>
    private static readonly RequestTimeout Timeout = RequestTimeout.After(s: 30);

    private static readonly AdministeredList<ListModelPackages, ModelPackageList, ModelPackageInfo> Packages = new(at => new ListModelPackages(at), list => list.Packages, Timeout);

    private static readonly AdministeredList<ListRoutingProfiles, RoutingProfileList, RoutingProfileInfo> Profiles = new(at => new ListRoutingProfiles(at), list => list.Profiles, Timeout);

    public static IEndpointRouteBuilder MapModelsApi(this IEndpointRouteBuilder routes)
    {
        var models = routes.MapGroup("/api/models").WithTags("Models").ProducesProblem(StatusCodes.Status504GatewayTimeout);
        // Reading: administrators and radiologists (an attribute: the OpenAPI document shows the security of IAuthorizeData).
        var readers = new AuthorizeAttribute { Roles = $"{Roles.Admin},{Roles.Radiologist}" };
        models.MapGet("/", ListModels).WithName("ListModels").RequireAuthorization(readers);
        models.MapGet("/{id}", GetModel).WithName("GetModel").RequireAuthorization(readers);
        models.MapPut("/{id}/enabled", PutModelEnabled).WithName("PutModelEnabled").RequireAuthorization(Policies.Admin);

        var profiles = routes.MapGroup("/api/routing-profiles").WithTags("Models").RequireAuthorization(Policies.Admin)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout);
        profiles.MapGet("/", ListRoutingProfiles).WithName("ListRoutingProfiles");
        profiles.MapPut("/{name}", PutRoutingProfile).WithName("PutRoutingProfile");
        return routes;
    }

    /// <summary>Every model package inference loaded, enabled or not, with the profiles that name it.</summary>
    public static async Task<Results<Ok<IReadOnlyList<ModelPackageInfo>>, ProblemHttpResult>> ListModels(
        [FromServices] IRequestClient<ListModelPackages> client, TimeProvider clock, CancellationToken cancellationToken) =>
        await Packages.ListAsync(client, clock, cancellationToken).ConfigureAwait(false) is { } packages ? TypedResults.Ok(packages) : NoAnswer();

    public static async Task<Results<Ok<ModelPackageInfo>, NotFound, ProblemHttpResult>> GetModel(
        string id, [FromServices] IRequestClient<ListModelPackages> client, TimeProvider clock, CancellationToken cancellationToken) =>
        await Packages.FindAsync(client, clock, p => p.Id == id, cancellationToken).ConfigureAwait(false) switch
        {
            (false, _) => NoAnswer(),
            (_, { } found) => TypedResults.Ok(found),
            _ => TypedResults.NotFound(),
        };

    /// <summary>Enables or disables a package from the next study on; one disabled by inference's configuration: 409.</summary>
    public static async Task<Results<Ok<ModelPackageInfo>, ProblemHttpResult>> PutModelEnabled(
        string id, EnabledRequest request, [FromServices] IRequestClient<SetModelPackageEnabled> client, IAuditLog audit, HttpContext context, CancellationToken cancellationToken)
    {
        if (request.Enabled is not { } enabled)
        {
            await audit.WriteAsync(context, "model.set-enabled", id, AuditOutcome.Failure, new { reason = "invalid" }, cancellationToken).ConfigureAwait(false);
            return TypedResults.Problem(detail: "The body must be {\"enabled\": true} or {\"enabled\": false}.", statusCode: StatusCodes.Status400BadRequest, title: "Invalid request");
        }

        var answer = await new AdministeredChange("model.set-enabled", id, new { enabled })
            .RequestAsync<SetModelPackageEnabled, ModelPackageChanged, ModelAdminRejected>(client, new SetModelPackageEnabled(id, enabled, AuditActors.Of(context.User)), Timeout, c => (c.Before, c.After), r => r.Code, audit, context, cancellationToken).ConfigureAwait(false);
        return answer switch
        {
            { Changed: { } changed } => TypedResults.Ok(changed.After),
            { Rejected: { } rejected } => Rejected(rejected, "model package"),
            _ => NoAnswer(),
        };
    }

    /// <summary>Every routing profile, configured or administered here.</summary>
    public static async Task<Results<Ok<IReadOnlyList<RoutingProfileInfo>>, ProblemHttpResult>> ListRoutingProfiles(
        [FromServices] IRequestClient<ListRoutingProfiles> client, TimeProvider clock, CancellationToken cancellationToken) =>
        await Profiles.ListAsync(client, clock, cancellationToken).ConfigureAwait(false) is { } profiles ? TypedResults.Ok(profiles) : NoAnswer();

    /// <summary>Creates or replaces a routing profile administered through the api; configured ones are read-only (409).</summary>
    public static async Task<Results<Ok<RoutingProfileInfo>, Created<RoutingProfileInfo>, ProblemHttpResult>> PutRoutingProfile(
        string name, RoutingProfileRequest request, [FromServices] IRequestClient<UpsertRoutingProfile> client, IAuditLog audit, HttpContext context, CancellationToken cancellationToken)
    {
        var command = new UpsertRoutingProfile(name, request.Packages ?? [], AuditActors.Of(context.User));
        var answer = await new AdministeredChange("routing-profile.upsert", name, command with { RequestedBy = null })
            .RequestAsync<UpsertRoutingProfile, RoutingProfileChanged, ModelAdminRejected>(client, command, Timeout, c => (c.Before, c.After), r => r.Code, audit, context, cancellationToken).ConfigureAwait(false);
        return answer switch
        {
            { Changed: { Before: null } created } => TypedResults.Created($"/api/routing-profiles/{Uri.EscapeDataString(name)}", created.After),
            { Changed: { } replaced } => TypedResults.Ok(replaced.After),
            { Rejected: { } rejected } => Rejected(rejected, "routing profile"),
            _ => NoAnswer(),
        };
    }

    private static ProblemHttpResult Rejected(ModelAdminRejected rejected, string what) => rejected.Code switch
    {
        ModelAdminRejected.NotFound => TypedResults.Problem(detail: rejected.Reason, statusCode: StatusCodes.Status404NotFound, title: $"No such {what}"),
        ModelAdminRejected.ReadOnly => TypedResults.Problem(detail: rejected.Reason, statusCode: StatusCodes.Status409Conflict, title: $"Configured {what}"),
        _ => TypedResults.Problem(detail: rejected.Reason, statusCode: StatusCodes.Status400BadRequest, title: $"Invalid {what}"),
    };

    private static ProblemHttpResult NoAnswer() =>
        TypedResults.Problem(detail: "inference did not answer in time; nothing is known to have changed.", statusCode: StatusCodes.Status504GatewayTimeout, title: "inference did not answer");

    /// <summary>The body of <c>PUT /api/models/{id}/enabled</c>.</summary>
    /// <param name="Enabled">Run the package (true) or not (false).</param>
    public sealed record EnabledRequest(bool? Enabled);

    /// <summary>The body of <c>PUT /api/routing-profiles/{name}</c>.</summary>
    /// <param name="Packages">Package ids the profile allows (each a package inference loaded); empty: every enabled package.</param>
    public sealed record RoutingProfileRequest(IReadOnlyList<string>? Packages);
}
