using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using RadAI.Hosting;

namespace RadAI.Api.Apis;

/// <summary><c>/api/system</c>: what is answering, and the trace id to quote to support.</summary>
public static class SystemApi
{
    public static RouteGroupBuilder MapSystemApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/system").WithTags("System");
        group.MapGet("/info", GetInfo).WithName("GetSystemInfo");
        return group;
    }

    /// <summary>Service name and version, server time, and the W3C trace id of this request.</summary>
    public static Ok<SystemInfo> GetInfo(ServiceIdentity service, TimeProvider clock) =>
        TypedResults.Ok(new SystemInfo(service.Name, service.Version, clock.GetUtcNow(), Activity.Current?.TraceId.ToHexString()));

    /// <summary>The answer of <c>GET /api/system/info</c>.</summary>
    public sealed record SystemInfo(string Service, string Version, DateTimeOffset ServerTime, string? TraceId);
}
