using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using RadAI.Hosting.Options;

namespace RadAI.Api.Security;

/// <summary>Authentication (local tokens, API keys, optional OpenID Connect), role policies, audit log, first administrator.</summary>
public static class SecurityModule
{
    /// <summary>The default scheme: picks one of the others from what the request carries.</summary>
    public const string SelectorScheme = "RadAI";

    /// <summary>Access tokens this node signs (<c>POST /api/auth/login</c>).</summary>
    public const string LocalScheme = "RadAI.Local";

    /// <summary>Access tokens of the hospital's OpenID Connect provider (when configured).</summary>
    public const string OidcScheme = "RadAI.Oidc";

    public static IHostApplicationBuilder AddApiSecurity(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<SecurityOptions>(SecurityOptions.SectionName);
        services.TryAddSingleton(TimeProvider.System);
        services.AddProblemDetails();
        services.AddSingleton<PasswordHasher>();
        services.AddSingleton<SigningKeys>();
        services.AddSingleton<UserRepository>();
        services.AddSingleton<RefreshTokenRepository>();
        services.AddSingleton<ApiKeyRepository>();
        services.AddSingleton<TokenService>();
        services.AddSingleton<AccountService>();
        services.AddSingleton<IAuditLog, AuditLog>();
        services.AddHostedService<SecurityStartup>();

        // Read once here: whether the OIDC scheme exists is decided when the host is built.
        var oidc = builder.Configuration.GetSection($"{SecurityOptions.SectionName}:Oidc").Get<OidcOptions>() ?? new OidcOptions();
        var authentication = services.AddAuthentication(SelectorScheme)
            .AddPolicyScheme(SelectorScheme, "RadAI", o => o.ForwardDefaultSelector = context => SelectScheme(context, oidc.Enabled))
            .AddJwtBearer(LocalScheme, _ => { })
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddOptions<JwtBearerOptions>(LocalScheme).Configure<SigningKeys, IOptions<SecurityOptions>, TimeProvider>((o, keys, settings, clock) =>
        {
            o.MapInboundClaims = false;
            o.TimeProvider = clock;
            o.TokenValidationParameters = TokenService.ValidationParameters(settings.Value, keys, clock);
        });

        if (oidc.Enabled)
        {
            authentication.AddJwtBearer(OidcScheme, o =>
            {
                o.Authority = oidc.Authority;
                o.Audience = oidc.Audience;
                o.RequireHttpsMetadata = oidc.RequireHttpsMetadata;
                o.MapInboundClaims = false;
                o.TokenValidationParameters.NameClaimType = "preferred_username";
                o.TokenValidationParameters.RoleClaimType = oidc.RoleClaim;
                o.Events = new JwtBearerEvents
                {
                    OnTokenValidated = context =>
                    {
                        // Same shape as a local principal: the audit log and /api/auth/me read these.
                        if (context.Principal?.Identity is System.Security.Claims.ClaimsIdentity identity)
                        {
                            identity.AddClaim(new System.Security.Claims.Claim(SecurityClaims.Kind, SecurityClaims.KindOidc));
                        }

                        return Task.CompletedTask;
                    },
                };
            });
        }

        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Admin, p => p.RequireAuthenticatedUser().RequireRole(Roles.Admin))
            .AddPolicy(Policies.PatientData, p => p.RequireAuthenticatedUser().RequireRole(Roles.Radiologist))
            .AddPolicy(Policies.JobStatus, p => p.RequireAuthenticatedUser().RequireRole(Roles.Admin, Roles.Radiologist, Roles.Viewer))
            .AddPolicy(Policies.RadiologistOrAdmin, p => p.RequireAuthenticatedUser().RequireRole(Roles.Radiologist, Roles.Admin));
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>();
        return builder;
    }

    private static string SelectScheme(HttpContext context, bool oidcEnabled)
    {
        if (context.Request.Headers.ContainsKey(ApiKeyAuthenticationHandler.HeaderName))
        {
            return ApiKeyAuthenticationHandler.SchemeName;
        }

        if (oidcEnabled && context.Request.Headers.Authorization.ToString() is { } authorization
            && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var token = authorization["Bearer ".Length..].Trim();
            var issuer = context.RequestServices.GetRequiredService<IOptions<SecurityOptions>>().Value.Issuer;
            var handler = new JsonWebTokenHandler();
            // Only the issuer is peeked at here; the chosen scheme validates everything.
            if (handler.CanReadToken(token) && new JsonWebToken(token).Issuer != issuer)
            {
                return OidcScheme;
            }
        }

        return LocalScheme;
    }
}
