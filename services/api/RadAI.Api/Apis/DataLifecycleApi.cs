using System.Text.Json;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using RadAI.Api.DataLifecycle;
using RadAI.Api.Security;
using RadAI.Data;
using RadAI.Data.Audit;

namespace RadAI.Api.Apis;

/// <summary>
/// GDPR/HIPAA data lifecycle (administrators only): <c>POST /api/patients/erase</c> deletes a patient's studies' images,
/// results and reports, and has the other services delete their rows of them (<see cref="Contracts.JobDataErased"/>); <c>GET /api/audit/export</c> streams the whole audit log. Both are audited.
/// </summary>
public static class DataLifecycleApi
{
    private const int MaxStudies = 1000;
    private const int ExportPageSize = 500;

    /// <summary>
    /// The studies to erase, by Study Instance UID: the node keeps no patient id (it would have to store one to look it
    /// up), so the caller, who knows the patient in the RIS/PACS, names the studies.
    /// </summary>
    public sealed record EraseRequest(IReadOnlyList<string>? StudyInstanceUids);

    public sealed record EraseResult(int Studies, IReadOnlyList<Guid> JobIds, int Folders);

    public static IEndpointRouteBuilder MapDataLifecycleApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/api/patients/erase", Erase).WithTags("Data lifecycle").WithName("ErasePatientStudies").RequireAuthorization(Policies.Admin);
        routes.MapGet("/api/audit/export", Export).WithTags("Audit").WithName("ExportAuditLog").RequireAuthorization(Policies.Admin);
        return routes;
    }

    public static async Task<Results<Ok<EraseResult>, ProblemHttpResult>> Erase(
        EraseRequest request, JobDataEraser eraser, [FromServices] IPublishEndpoint publish, IAuditLog audit, HttpContext context, CancellationToken cancellationToken)
    {
        var uids = request.StudyInstanceUids?.Distinct(StringComparer.Ordinal).ToList() ?? [];
        if (uids.Count is 0 or > MaxStudies || !uids.All(IsUid))
        {
            return TypedResults.Problem(detail: $"studyInstanceUids must hold 1..{MaxStudies} DICOM UIDs (digits and dots, at most 64 characters).",
                statusCode: StatusCodes.Status400BadRequest, title: "Invalid studies");
        }

        var erased = await eraser.EraseStudiesAsync(uids, publish, cancellationToken).ConfigureAwait(false);
        await audit.WriteAsync(context, "patient.erase", null, AuditOutcome.Success,
            new { studyInstanceUids = uids, jobIds = erased.JobIds, folders = erased.Folders }, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new EraseResult(uids.Count, erased.JobIds, erased.Folders));
    }

    /// <summary>The audit log as NDJSON, oldest entry first, streamed page by page; the export is audited before it starts.</summary>
    public static async Task Export(IDbConnectionFactory connections, IAuditLog audit, HttpContext context, CancellationToken cancellationToken)
    {
        var marker = await audit.WriteAsync(context, "audit.export", null, AuditOutcome.Success, new { format = "ndjson" }, cancellationToken).ConfigureAwait(false);
        context.Response.ContentType = "application/x-ndjson";
        await using var connection = await connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        long after = 0;
        while (true)
        {
            var page = await AuditChain.ListAfterAsync(connection, after, marker.Sequence, ExportPageSize, cancellationToken).ConfigureAwait(false);
            foreach (var entry in page)
            {
                await JsonSerializer.SerializeAsync(context.Response.Body, entry, JsonSerializerOptions.Web, cancellationToken).ConfigureAwait(false);
                await context.Response.Body.WriteAsync("\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
                after = entry.Sequence;
            }

            if (page.Count < ExportPageSize)
            {
                return;
            }
        }
    }

    private static bool IsUid(string uid) => uid.Length is > 0 and <= 64 && uid.All(c => char.IsAsciiDigit(c) || c == '.') && !uid.StartsWith('.') && !uid.Contains("..", StringComparison.Ordinal);
}
