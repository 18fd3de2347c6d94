using System.ComponentModel.DataAnnotations;

namespace RadAI.Gateway;

/// <summary>Configuration section <c>Gateway</c>: TLS, HSTS, rate limits, request size, security headers, authentication.</summary>
public sealed class GatewayOptions
{
    public const string SectionName = "Gateway";

    /// <summary>The certificate of the HTTPS endpoint. Unset: no TLS, no redirect, no HSTS.</summary>
    public GatewayTlsOptions Tls { get; set; } = new();

    /// <summary>Limits per client address.</summary>
    public GatewayRateLimitOptions RateLimiting { get; set; } = new();

    /// <summary>Largest request body accepted (bytes); a larger one gets 413. The api takes JSON only.</summary>
    [Range(1024, long.MaxValue)]
    public long MaxRequestBodyBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>Headers added to every response that does not set its own.</summary>
    public GatewaySecurityHeadersOptions SecurityHeaders { get; set; } = new();

    /// <summary>Bearer-token check in front of <c>/api/**</c>.</summary>
    public GatewayAuthenticationOptions Authentication { get; set; } = new();
}

/// <summary>
/// Section <c>Gateway:Tls</c>: a PEM certificate and key, or a PKCS#12 file and its password file. The host still
/// names the HTTPS endpoint in its URLs (e.g. <c>Urls=http://0.0.0.0:8080;https://0.0.0.0:8443</c>); this
/// certificate serves it.
/// </summary>
public sealed class GatewayTlsOptions : IValidatableObject
{
    /// <summary>PEM certificate (the chain may follow the leaf).</summary>
    public string? CertificateFile { get; set; }

    /// <summary>PEM private key of <see cref="CertificateFile"/> (unencrypted PKCS#8 or PKCS#1).</summary>
    public string? KeyFile { get; set; }

    /// <summary>PKCS#12 (.pfx) file with certificate and key; instead of the PEM pair.</summary>
    public string? PfxFile { get; set; }

    /// <summary>File holding the password of <see cref="PfxFile"/> (trailing newline ignored).</summary>
    public string? PfxPasswordFile { get; set; }

    /// <summary>Port HTTP requests are redirected to; unset: the port of the host's HTTPS endpoint.</summary>
    [Range(1, 65535)]
    public int? HttpsPort { get; set; }

    /// <summary><c>max-age</c> of <c>Strict-Transport-Security</c>, sent on HTTPS responses.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "730.00:00:00")]
    public TimeSpan HstsMaxAge { get; set; } = TimeSpan.FromDays(365);

    /// <summary>Add <c>includeSubDomains</c> to HSTS (only when every host under the domain serves HTTPS).</summary>
    public bool HstsIncludeSubDomains { get; set; }

    /// <summary>True when a certificate is configured.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(CertificateFile) || !string.IsNullOrWhiteSpace(PfxFile);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var pem = !string.IsNullOrWhiteSpace(CertificateFile) || !string.IsNullOrWhiteSpace(KeyFile);
        var pfx = !string.IsNullOrWhiteSpace(PfxFile) || !string.IsNullOrWhiteSpace(PfxPasswordFile);
        if (pem && pfx)
        {
            yield return new ValidationResult("Set CertificateFile and KeyFile, or PfxFile (and PfxPasswordFile), not both.", [nameof(PfxFile)]);
        }

        if (pem && (string.IsNullOrWhiteSpace(CertificateFile) || string.IsNullOrWhiteSpace(KeyFile)))
        {
            yield return new ValidationResult("CertificateFile and KeyFile go together.", [string.IsNullOrWhiteSpace(KeyFile) ? nameof(KeyFile) : nameof(CertificateFile)]);
        }

        if (pfx && string.IsNullOrWhiteSpace(PfxFile))
        {
            yield return new ValidationResult("PfxPasswordFile needs PfxFile.", [nameof(PfxFile)]);
        }

        foreach (var (name, path) in new[] { (nameof(CertificateFile), CertificateFile), (nameof(KeyFile), KeyFile), (nameof(PfxFile), PfxFile), (nameof(PfxPasswordFile), PfxPasswordFile) })
        {
            if (!string.IsNullOrWhiteSpace(path) && !File.Exists(path))
            {
                yield return new ValidationResult($"The file '{path}' does not exist.", [name]);
            }
        }
    }
}

/// <summary>Section <c>Gateway:RateLimiting</c>: one limit per client address on everything but health, a stricter one on login.</summary>
public sealed class GatewayRateLimitOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary><c>Fixed</c> or <c>Sliding</c> window.</summary>
    public RateLimitWindowKind Kind { get; set; } = RateLimitWindowKind.Sliding;

    /// <summary>Requests a client address may make per <see cref="Window"/>.</summary>
    [Range(1, 1_000_000)]
    public int PermitLimit { get; set; } = 600;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Segments of a sliding window.</summary>
    [Range(1, 100)]
    public int SegmentsPerWindow { get; set; } = 6;

    /// <summary>Stricter limit on <c>POST /api/auth/login</c> (password guessing), on top of the general one.</summary>
    public GatewayLoginRateLimitOptions Login { get; set; } = new();
}

/// <summary>Section <c>Gateway:RateLimiting:Login</c>.</summary>
public sealed class GatewayLoginRateLimitOptions
{
    [Range(1, 100_000)]
    public int PermitLimit { get; set; } = 10;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

public enum RateLimitWindowKind
{
    Fixed,
    Sliding,
}

/// <summary>Section <c>Gateway:SecurityHeaders</c>; an empty value leaves that header out.</summary>
public sealed class GatewaySecurityHeadersOptions
{
    public bool Enabled { get; set; } = true;

    public string? ContentTypeOptions { get; set; } = "nosniff";

    public string? FrameOptions { get; set; } = "DENY";

    /// <summary>Only framing is restricted here; a page's own policy (the dashboard's) wins when it sends one.</summary>
    public string? ContentSecurityPolicy { get; set; } = "frame-ancestors 'none'";

    public string? ReferrerPolicy { get; set; } = "no-referrer";
}

/// <summary>
/// Section <c>Gateway:Authentication</c>: the gateway checks credentials before proxying <c>/api/**</c>, as the api does
/// again behind it. Access tokens of this node (HS256, the api's key), API keys (asked of the api, cached briefly) and,
/// when configured, the hospital's OpenID Connect tokens. Signing key, issuer, audience and the OIDC provider default
/// to the api's (<c>Api:Security:*</c>), so one configuration serves both when they share it.
/// </summary>
public sealed class GatewayAuthenticationOptions : IValidatableObject
{
    /// <summary>
    /// Refuse <c>/api/**</c> (but <see cref="AnonymousPaths"/>) without a valid bearer token or API key. Default true:
    /// turning it off leaves the api as the only check.
    /// </summary>
    public bool Required { get; set; } = true;

    /// <summary>File with the api's signing key (base64, at least 32 bytes). Default: <c>Api:Security:SigningKeyFile</c>.</summary>
    public string? SigningKeyFile { get; set; }

    /// <summary>The signing key itself. Default: <c>Api:Security:SigningKey</c>.</summary>
    public string? SigningKey { get; set; }

    /// <summary>Default: <c>Api:Security:Issuer</c>, else <c>radai</c>.</summary>
    public string? Issuer { get; set; }

    /// <summary>Default: <c>Api:Security:Audience</c>, else <c>radai-api</c>.</summary>
    public string? Audience { get; set; }

    /// <summary>The hospital's identity provider. Default: <c>Api:Security:Oidc:*</c>.</summary>
    public GatewayOidcOptions Oidc { get; set; } = new();

    /// <summary>
    /// How long the api's answer about an API key is kept (valid or not). The api checks the key again on every request,
    /// so a key revoked within this time is still refused by the api. Zero: ask the api every time.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan ApiKeyCacheDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Path prefixes under <c>/api</c> reachable without credentials (sign-in, health, the API's description).</summary>
    public List<string> AnonymousPaths { get; set; } = [];

    /// <summary>Used when <see cref="AnonymousPaths"/> is empty: the api's own anonymous endpoints, but the version probe.</summary>
    public static readonly IReadOnlyList<string> DefaultAnonymousPaths =
        ["/api/auth/login", "/api/auth/refresh", "/api/auth/logout", "/api/health", "/api/openapi", "/api/reference"];

    /// <summary>True when a local signing key is configured (after the api's defaults are applied).</summary>
    public bool LocalTokensEnabled => !string.IsNullOrWhiteSpace(SigningKeyFile) || !string.IsNullOrWhiteSpace(SigningKey);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var path in AnonymousPaths.Where(p => !p.StartsWith('/')))
        {
            yield return new ValidationResult($"'{path}' does not start with '/'.", [nameof(AnonymousPaths)]);
        }

        if (!Required)
        {
            yield break;
        }

        if (!string.IsNullOrWhiteSpace(SigningKeyFile) && !string.IsNullOrWhiteSpace(SigningKey))
        {
            yield return new ValidationResult("Set SigningKeyFile or SigningKey, not both.", [nameof(SigningKey)]);
        }

        if (!LocalTokensEnabled && !Oidc.Enabled)
        {
            yield return new ValidationResult(
                "Gateway:Authentication:Required is true (the default) but the gateway has no way to check an access token: set "
                + "Gateway:Authentication:SigningKeyFile (or Api:Security:SigningKeyFile), the file holding the api's signing key, "
                + "and/or Gateway:Authentication:Oidc:Authority (or Api:Security:Oidc:Authority); or set "
                + "Gateway:Authentication:Required=false to leave every check to the api.",
                [nameof(SigningKeyFile)]);
        }

        if (!string.IsNullOrWhiteSpace(SigningKeyFile) && string.IsNullOrWhiteSpace(SigningKey) && !File.Exists(SigningKeyFile))
        {
            yield return new ValidationResult($"The file '{SigningKeyFile}' does not exist (the api's signing key: the gateway reads the same file).", [nameof(SigningKeyFile)]);
        }
    }
}

/// <summary>Section <c>Gateway:Authentication:Oidc</c>: the hospital's OpenID Connect provider, as the api has it.</summary>
public sealed class GatewayOidcOptions : IValidatableObject
{
    /// <summary>The provider's issuer URL. Default: <c>Api:Security:Oidc:Authority</c>. Unset: OIDC tokens are refused.</summary>
    public string? Authority { get; set; }

    /// <summary>The audience its access tokens carry for RadAI. Default: <c>Api:Security:Oidc:Audience</c>.</summary>
    public string? Audience { get; set; }

    /// <summary>Refuse a metadata address that is not HTTPS. Default: <c>Api:Security:Oidc:RequireHttpsMetadata</c>, else true.</summary>
    public bool? RequireHttpsMetadata { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Enabled && string.IsNullOrWhiteSpace(Audience))
        {
            yield return new ValidationResult("Audience is required when Authority is set.", [nameof(Audience)]);
        }

        if (Enabled && !Uri.TryCreate(Authority, UriKind.Absolute, out _))
        {
            yield return new ValidationResult($"'{Authority}' is not an absolute URL.", [nameof(Authority)]);
        }
    }
}
