using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using RadAI.Hosting.Options;

namespace RadAI.Gateway;

/// <summary>
/// Section <c>Gateway:Dashboard</c>: the web dashboard (gateway/dashboard, built by Vite into the gateway's output
/// folder <c>dashboard/</c>) served as static files, with the SPA fallback to <c>index.html</c> for every path that is
/// not <c>/api/**</c> or <c>/health/**</c>.
/// </summary>
public sealed class GatewayDashboardOptions
{
    public const string SectionName = "Gateway:Dashboard";

    /// <summary>Serve the dashboard (true by default).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Folder of the production build; relative paths are under the application's folder.</summary>
    [Required]
    public string Root { get; set; } = "dashboard";

    /// <summary>
    /// The page's Content-Security-Policy: everything from this origin only (no CDN: the hospital network is offline),
    /// <c>blob:</c> for the PDF preview and rendered images, inline styles for computed positions.
    /// </summary>
    [Required]
    public string ContentSecurityPolicy { get; set; } =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' blob: data:; "
        + "frame-src 'self' blob:; object-src 'self' blob:; connect-src 'self'; font-src 'self'; "
        + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
}

/// <summary>Static files and SPA fallback of the dashboard.</summary>
internal static class GatewayDashboard
{
    private const string IndexFile = "index.html";

    public static void AddGatewayDashboard(IServiceCollection services) =>
        services.AddValidatedOptions<GatewayDashboardOptions>(GatewayDashboardOptions.SectionName);

    /// <summary>Serves the files; call after the security middleware and before the proxy.</summary>
    public static void UseGatewayDashboard(WebApplication app)
    {
        var settings = app.Services.GetRequiredService<IOptions<GatewayDashboardOptions>>().Value;
        if (!settings.Enabled)
        {
            return;
        }

        var root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, settings.Root));
        if (!File.Exists(Path.Combine(root, IndexFile)))
        {
            // A gateway built without the dashboard (e.g. -p:RadAIDashboard=false) still proxies the api.
            app.Logger.DashboardMissing(root);
            return;
        }

        var files = new PhysicalFileProvider(root);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            ContentTypeProvider = new FileExtensionContentTypeProvider(),
            OnPrepareResponse = context => SetHeaders(context.Context, settings, IsHashedAsset(context.Context.Request.Path)),
        });

        // Client-side routes (/jobs/…, /admin/…) get the page; /api and /health never do (the proxy or a 404 answers).
        app.MapFallback(async context =>
        {
            var path = context.Request.Path;
            if (path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
                || path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase)
                || !(HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            SetHeaders(context, settings, immutable: false);
            context.Response.ContentType = "text/html; charset=utf-8";
            await context.Response.SendFileAsync(files.GetFileInfo(IndexFile), context.RequestAborted).ConfigureAwait(false);
        });
    }

    /// <summary>Vite's hashed bundles never change under their name; the page itself is always revalidated.</summary>
    private static bool IsHashedAsset(PathString path) => path.StartsWithSegments("/assets", StringComparison.OrdinalIgnoreCase);

    private static void SetHeaders(HttpContext context, GatewayDashboardOptions settings, bool immutable)
    {
        var headers = context.Response.Headers;
        headers[HeaderNames.CacheControl] = immutable ? "public, max-age=31536000, immutable" : "no-cache";
        headers[HeaderNames.ContentSecurityPolicy] = settings.ContentSecurityPolicy;
    }
}

internal static partial class GatewayDashboardLog
{
    [LoggerMessage(EventId = 7101, Level = LogLevel.Warning,
        Message = "The dashboard is not served: no index.html in {Root} (build the gateway with Node.js, or set Gateway:Dashboard:Root).")]
    public static partial void DashboardMissing(this ILogger logger, string root);
}
