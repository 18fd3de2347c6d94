using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.HttpsPolicy;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using RadAI.Hosting.Options;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace RadAI.Gateway;

/// <summary>
/// What makes the gateway the public entry: TLS, HTTP→HTTPS redirect, HSTS, rate limits, a request size limit,
/// security headers, client address to the api, and (when required) bearer tokens checked before proxying.
/// </summary>
internal static class GatewaySecurity
{
    /// <summary>The scheme validating this node's access tokens at the gateway.</summary>
    public const string BearerScheme = "RadAI.Gateway";

    /// <summary>The scheme validating the hospital's OpenID Connect tokens at the gateway (when configured).</summary>
    public const string OidcScheme = "RadAI.Gateway.Oidc";

    /// <summary>The header of API keys (the api's).</summary>
    public const string ApiKeyHeader = "X-Api-Key";

    private const string ApiPrefix = "/api";
    private const string LoginPath = "/api/auth/login";
    private const int MinimumKeyBytes = 32;

    public static void AddGatewaySecurity(IServiceCollection services)
    {
        services.AddValidatedOptions<GatewayOptions>(GatewayOptions.SectionName)
            .PostConfigure<IConfiguration>((o, configuration) =>
            {
                // One key for api and gateway when they share a configuration (the standalone, a single appsettings).
                var authentication = o.Authentication;
                if (string.IsNullOrWhiteSpace(authentication.SigningKeyFile) && string.IsNullOrWhiteSpace(authentication.SigningKey))
                {
                    // The api refuses both set; an inline key wins over a default key file.
                    authentication.SigningKey = configuration["Api:Security:SigningKey"];
                    if (string.IsNullOrWhiteSpace(authentication.SigningKey))
                    {
                        authentication.SigningKeyFile = configuration["Api:Security:SigningKeyFile"];
                    }
                }

                authentication.Issuer ??= configuration["Api:Security:Issuer"] ?? "radai";
                authentication.Audience ??= configuration["Api:Security:Audience"] ?? "radai-api";

                // The hospital's provider, as the api has it, unless the gateway names its own.
                var oidc = authentication.Oidc;
                if (!oidc.Enabled)
                {
                    oidc.Authority = configuration["Api:Security:Oidc:Authority"];
                    oidc.Audience ??= configuration["Api:Security:Oidc:Audience"];
                }

                oidc.RequireHttpsMetadata ??= !bool.TryParse(configuration["Api:Security:Oidc:RequireHttpsMetadata"], out var requireHttps) || requireHttps;
                if (authentication.AnonymousPaths.Count == 0)
                {
                    authentication.AnonymousPaths.AddRange(GatewayAuthenticationOptions.DefaultAnonymousPaths);
                }
            });
        services.AddProblemDetails();

        services.AddOptions<KestrelServerOptions>().Configure<IOptions<GatewayOptions>>((kestrel, gateway) =>
        {
            var settings = gateway.Value;
            kestrel.Limits.MaxRequestBodySize = settings.MaxRequestBodyBytes;
            if (settings.Tls.Enabled)
            {
                // Loaded once when Kestrel starts: a bad certificate stops the host.
                var certificate = LoadCertificate(settings.Tls);
                kestrel.ConfigureHttpsDefaults(https => https.ServerCertificate = certificate);
            }
        });
        services.AddOptions<HstsOptions>().Configure<IOptions<GatewayOptions>>((hsts, gateway) =>
        {
            hsts.MaxAge = gateway.Value.Tls.HstsMaxAge;
            hsts.IncludeSubDomains = gateway.Value.Tls.HstsIncludeSubDomains;
            // The default excludes localhost and loopback addresses; the gateway sends it wherever it serves HTTPS.
            hsts.ExcludedHosts.Clear();
        });
        services.AddOptions<HttpsRedirectionOptions>().Configure<IOptions<GatewayOptions>>((redirect, gateway) =>
        {
            redirect.RedirectStatusCode = StatusCodes.Status308PermanentRedirect;
            redirect.HttpsPort = gateway.Value.Tls.HttpsPort;
        });

        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<GatewayOptions>>((limiter, gateway) =>
        {
            var settings = gateway.Value.RateLimiting;
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            // Login first: a login refused by its own limit does not spend a permit of the general one.
            limiter.GlobalLimiter = PartitionedRateLimiter.CreateChained(LoginLimiter(settings.Login), GeneralLimiter(settings));
            limiter.OnRejected = RejectAsync;
        });

        services.AddAuthentication().AddJwtBearer(BearerScheme, _ => { }).AddJwtBearer(OidcScheme, _ => { });
        services.AddOptions<JwtBearerOptions>(BearerScheme).Configure<IOptions<GatewayOptions>>((jwt, gateway) =>
        {
            var settings = gateway.Value.Authentication;
            jwt.MapInboundClaims = false;
            if (!settings.Required || !settings.LocalTokensEnabled)
            {
                // No key: every local token is refused (an OIDC-only node).
                jwt.TokenValidationParameters = new TokenValidationParameters { RequireSignedTokens = true, ValidateIssuerSigningKey = true };
                return;
            }

            var key = LoadSigningKey(settings);
            // The api's own validation, repeated: same issuer, audience, algorithm and key; the api checks again.
            jwt.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = settings.Issuer,
                ValidAudience = settings.Audience,
                ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                IssuerSigningKey = key,
                RequireExpirationTime = true,
                RequireSignedTokens = true,
                ClockSkew = TimeSpan.FromSeconds(30),
            };
        });
        services.AddOptions<JwtBearerOptions>(OidcScheme).Configure<IOptions<GatewayOptions>>((jwt, gateway) =>
        {
            // The api's OIDC validation, repeated: the provider's keys from its metadata, its issuer, the audience.
            var oidc = gateway.Value.Authentication.Oidc;
            jwt.MapInboundClaims = false;
            if (oidc.Enabled)
            {
                jwt.Authority = oidc.Authority;
                jwt.Audience = oidc.Audience;
                jwt.RequireHttpsMetadata = oidc.RequireHttpsMetadata ?? true;
            }
        });
        services.AddHttpClient(ApiKeyIntrospection.ClientName, c => c.Timeout = TimeSpan.FromSeconds(10));
        services.AddSingleton<ApiKeyIntrospection>();
    }

    /// <summary>The gateway is the edge: what a client claims in X-Forwarded-* is replaced, never passed on.</summary>
    public static void ForwardClientAddress(TransformBuilderContext context)
    {
        context.UseDefaultForwarders = false;
        context.AddXForwarded(ForwardedTransformActions.Set);
    }

    public static void UseGatewaySecurity(WebApplication app)
    {
        var settings = app.Services.GetRequiredService<IOptions<GatewayOptions>>().Value;
        if (settings.Authentication.Required)
        {
            // Load and check the key now rather than at the first request.
            _ = app.Services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(BearerScheme);
        }

        if (settings.SecurityHeaders.Enabled)
        {
            app.Use(AddSecurityHeaders(settings.SecurityHeaders));
        }

        if (settings.Tls.Enabled)
        {
            app.UseHsts();
            // Probes ask for health over plain HTTP; everything else moves to HTTPS.
            app.UseWhen(context => !IsHealth(context.Request.Path), branch => branch.UseHttpsRedirection());
        }

        app.Use(LimitRequestBody(settings.MaxRequestBodyBytes));
        if (settings.RateLimiting.Enabled)
        {
            app.UseRateLimiter();
        }

        if (settings.Authentication.Required)
        {
            app.Use(RequireCredentials(settings.Authentication));
        }
    }

    private static PartitionedRateLimiter<HttpContext> GeneralLimiter(GatewayRateLimitOptions settings) =>
        PartitionedRateLimiter.Create<HttpContext, string>(context =>
        {
            if (IsHealth(context.Request.Path))
            {
                return RateLimitPartition.GetNoLimiter("health");
            }

            var client = ClientKey(context);
            return settings.Kind == RateLimitWindowKind.Fixed
                ? RateLimitPartition.GetFixedWindowLimiter(client, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = settings.PermitLimit,
                    Window = settings.Window,
                    QueueLimit = 0,
                })
                : RateLimitPartition.GetSlidingWindowLimiter(client, _ => new SlidingWindowRateLimiterOptions
                {
                    PermitLimit = settings.PermitLimit,
                    Window = settings.Window,
                    SegmentsPerWindow = settings.SegmentsPerWindow,
                    QueueLimit = 0,
                });
        });

    private static PartitionedRateLimiter<HttpContext> LoginLimiter(GatewayLoginRateLimitOptions settings) =>
        PartitionedRateLimiter.Create<HttpContext, string>(context =>
            context.Request.Path.StartsWithSegments(LoginPath, StringComparison.OrdinalIgnoreCase)
                ? RateLimitPartition.GetFixedWindowLimiter(ClientKey(context), _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = settings.PermitLimit,
                    Window = settings.Window,
                    QueueLimit = 0,
                })
                : RateLimitPartition.GetNoLimiter(string.Empty));

    private static string ClientKey(HttpContext context) =>
        context.Connection.RemoteIpAddress?.ToString() ?? IPAddress.None.ToString();

    private static async ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        string? detail = null;
        if (rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
        {
            var seconds = (int)Math.Ceiling(retryAfter.TotalSeconds);
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            detail = $"Try again in {seconds} s.";
        }

        await WriteProblemAsync(context, StatusCodes.Status429TooManyRequests, "Too many requests", detail ?? "Try again later.").ConfigureAwait(false);
    }

    private static Func<HttpContext, RequestDelegate, Task> AddSecurityHeaders(GatewaySecurityHeadersOptions settings) => (context, next) =>
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            SetIfAbsent(headers, "X-Content-Type-Options", settings.ContentTypeOptions);
            SetIfAbsent(headers, "X-Frame-Options", settings.FrameOptions);
            SetIfAbsent(headers, "Content-Security-Policy", settings.ContentSecurityPolicy);
            SetIfAbsent(headers, "Referrer-Policy", settings.ReferrerPolicy);
            return Task.CompletedTask;
        });
        return next(context);
    };

    private static void SetIfAbsent(IHeaderDictionary headers, string name, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value) && !headers.ContainsKey(name))
        {
            headers[name] = value;
        }
    }

    private static Func<HttpContext, RequestDelegate, Task> LimitRequestBody(long maxBytes) => async (context, next) =>
    {
        // Kestrel enforces the limit while the body streams; a declared length over it is refused before proxying.
        if (context.Request.ContentLength > maxBytes)
        {
            await WriteProblemAsync(context, StatusCodes.Status413PayloadTooLarge, "Request body too large",
                $"The gateway accepts at most {maxBytes} bytes.").ConfigureAwait(false);
            return;
        }

        await next(context).ConfigureAwait(false);
    };

    private static Func<HttpContext, RequestDelegate, Task> RequireCredentials(GatewayAuthenticationOptions settings) => async (context, next) =>
    {
        var path = context.Request.Path;
        // Outside /api: the gateway's health and the dashboard's static files (the SPA signs in by itself).
        if (!path.StartsWithSegments(ApiPrefix, StringComparison.OrdinalIgnoreCase)
            || settings.AnonymousPaths.Any(p => path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase)))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        // As the api chooses: an API key first (it wins over a bearer token there too), else the bearer token.
        if (context.Request.Headers.TryGetValue(ApiKeyHeader, out var apiKey) && apiKey.ToString() is { Length: > 0 } presented)
        {
            var verdict = await context.RequestServices.GetRequiredService<ApiKeyIntrospection>()
                .VerifyAsync(presented, context.RequestAborted).ConfigureAwait(false);
            if (verdict == ApiKeyVerdict.Valid)
            {
                await next(context).ConfigureAwait(false);
            }
            else if (verdict == ApiKeyVerdict.Invalid)
            {
                context.Response.Headers.WWWAuthenticate = $"ApiKey header=\"{ApiKeyHeader}\"";
                await WriteProblemAsync(context, StatusCodes.Status401Unauthorized, "Unauthorized",
                    "The API key is unknown or revoked.").ConfigureAwait(false);
            }
            else
            {
                await WriteProblemAsync(context, StatusCodes.Status503ServiceUnavailable, "Service unavailable",
                    "The API key cannot be checked now; try again later.").ConfigureAwait(false);
            }

            return;
        }

        var result = await context.AuthenticateAsync(BearerSchemeOf(context, settings)).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await WriteProblemAsync(context, StatusCodes.Status401Unauthorized, "Unauthorized",
                "A valid bearer token or API key is required.").ConfigureAwait(false);
            return;
        }

        await next(context).ConfigureAwait(false);
    };

    /// <summary>As the api chooses: a token whose issuer is not this node's goes to the hospital's provider, when there is one.</summary>
    private static string BearerSchemeOf(HttpContext context, GatewayAuthenticationOptions settings)
    {
        if (settings.Oidc.Enabled && context.Request.Headers.Authorization.ToString() is { } authorization
            && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var token = authorization["Bearer ".Length..].Trim();
            // Only the issuer is peeked at here; the chosen scheme validates everything.
            if (new JsonWebTokenHandler().CanReadToken(token) && new JsonWebToken(token).Issuer != settings.Issuer)
            {
                return OidcScheme;
            }
        }

        return BearerScheme;
    }

    private static async Task WriteProblemAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        }).ConfigureAwait(false);
    }

    private static bool IsHealth(PathString path) => path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase);

    private static X509Certificate2 LoadCertificate(GatewayTlsOptions tls)
    {
        if (!string.IsNullOrWhiteSpace(tls.PfxFile))
        {
            var password = string.IsNullOrWhiteSpace(tls.PfxPasswordFile) ? null : File.ReadAllText(tls.PfxPasswordFile).TrimEnd('\r', '\n');
            return X509CertificateLoader.LoadPkcs12FromFile(tls.PfxFile, password);
        }

        using var ephemeral = X509Certificate2.CreateFromPemFile(tls.CertificateFile!, tls.KeyFile);
        // A PEM key is ephemeral; SslStream wants a certificate whose key it can use for the handshake on every platform.
        return X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), null);
    }

    private static SymmetricSecurityKey LoadSigningKey(GatewayAuthenticationOptions settings)
    {
        var text = !string.IsNullOrWhiteSpace(settings.SigningKey) ? settings.SigningKey : File.ReadAllText(settings.SigningKeyFile!);
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(text.Trim());
        }
        catch (FormatException)
        {
            throw new OptionsValidationException(GatewayOptions.SectionName, typeof(GatewayOptions),
                ["Gateway:Authentication:SigningKeyFile: the signing key is not base64."]);
        }

        if (bytes.Length < MinimumKeyBytes)
        {
            throw new OptionsValidationException(GatewayOptions.SectionName, typeof(GatewayOptions),
                [$"Gateway:Authentication:SigningKeyFile: the signing key has {bytes.Length} bytes; at least {MinimumKeyBytes} are required."]);
        }

        return new SymmetricSecurityKey(bytes) { KeyId = Convert.ToHexStringLower(SHA256.HashData(bytes))[..16] };
    }
}
