using System.ComponentModel.DataAnnotations;

namespace RadAI.Api.Security;

/// <summary>Configuration section <c>Api:Security</c>: local users, tokens, API keys, optional OpenID Connect.</summary>
public sealed class SecurityOptions : IValidatableObject
{
    public const string SectionName = "Api:Security";

    /// <summary>
    /// File holding the HMAC key that signs access tokens: base64 of at least 32 random bytes
    /// (<c>openssl rand -base64 48</c>). Without a key (this or <see cref="SigningKey"/>) local sign-in is off.
    /// </summary>
    public string? SigningKeyFile { get; set; }

    /// <summary>The signing key itself (base64, at least 32 bytes), e.g. from a secret in an environment variable.</summary>
    public string? SigningKey { get; set; }

    /// <summary>Create <see cref="SigningKeyFile"/> with a random key (mode 600) when it does not exist (the standalone host does).</summary>
    public bool CreateSigningKeyFile { get; set; }

    /// <summary>Issuer of the access tokens this node signs.</summary>
    [Required]
    public string Issuer { get; set; } = "radai";

    /// <summary>Audience of the access tokens this node signs.</summary>
    [Required]
    public string Audience { get; set; } = "radai-api";

    /// <summary>Lifetime of an access token (short: a disabled user keeps access at most this long).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "01:00:00")]
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Lifetime of a refresh token (each use rotates it).</summary>
    [Range(typeof(TimeSpan), "00:05:00", "30.00:00:00")]
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>User name of the first administrator.</summary>
    [Required]
    [RegularExpression(UserNames.Pattern)]
    public string InitialAdminUsername { get; set; } = "admin";

    /// <summary>
    /// File holding the first administrator's password, read when no user exists yet. There is never a default
    /// password: without this file no user is created and the log says how to create one.
    /// </summary>
    public string? InitialAdminPasswordFile { get; set; }

    /// <summary>Shortest password accepted.</summary>
    [Range(8, 256)]
    public int MinPasswordLength { get; set; } = 12;

    /// <summary>Consecutive failed logins that lock an account for <see cref="LockoutDuration"/>.</summary>
    [Range(1, 100)]
    public int MaxFailedLogins { get; set; } = 5;

    /// <summary>How long a locked account refuses logins.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Take the client address of the audit log from <c>X-Forwarded-For</c> (set it only when every request
    /// comes through the gateway, which sets that header).
    /// </summary>
    public bool TrustForwardedFor { get; set; }

    /// <summary>Argon2id cost of new password hashes; stored hashes keep their own and are upgraded at next login.</summary>
    public Argon2Options PasswordHashing { get; set; } = new();

    /// <summary>Optional hospital single sign-on: access tokens of an OpenID Connect provider.</summary>
    public OidcOptions Oidc { get; set; } = new();

    /// <summary>True when a signing key is configured: local sign-in is on.</summary>
    public bool LocalSignInEnabled => !string.IsNullOrWhiteSpace(SigningKeyFile) || !string.IsNullOrWhiteSpace(SigningKey);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(SigningKeyFile) && !string.IsNullOrWhiteSpace(SigningKey))
        {
            yield return new ValidationResult("Set SigningKeyFile or SigningKey, not both.", [nameof(SigningKey)]);
        }

        if (!string.IsNullOrWhiteSpace(SigningKey) && SigningKeys.TryDecode(SigningKey, out _) is { } keyError)
        {
            yield return new ValidationResult(keyError, [nameof(SigningKey)]);
        }

        if (!string.IsNullOrWhiteSpace(SigningKeyFile) && !CreateSigningKeyFile && !File.Exists(SigningKeyFile))
        {
            yield return new ValidationResult($"The file '{SigningKeyFile}' does not exist.", [nameof(SigningKeyFile)]);
        }

        if (!string.IsNullOrWhiteSpace(InitialAdminPasswordFile) && !File.Exists(InitialAdminPasswordFile))
        {
            yield return new ValidationResult($"The file '{InitialAdminPasswordFile}' does not exist.", [nameof(InitialAdminPasswordFile)]);
        }
    }
}

/// <summary>Argon2id parameters (RFC 9106; defaults are OWASP's minimum: 19 MiB, 2 passes, 1 lane).</summary>
public sealed class Argon2Options
{
    /// <summary>Memory in KiB.</summary>
    [Range(1024, 4 * 1024 * 1024)]
    public int MemoryKiB { get; set; } = 19 * 1024;

    /// <summary>Passes over the memory.</summary>
    [Range(1, 64)]
    public int Iterations { get; set; } = 2;

    /// <summary>Lanes (threads).</summary>
    [Range(1, 64)]
    public int Parallelism { get; set; } = 1;
}

/// <summary>Section <c>Api:Security:Oidc</c>: accept bearer tokens of the hospital's identity provider.</summary>
public sealed class OidcOptions : IValidatableObject
{
    /// <summary>The provider's issuer URL (its <c>.well-known/openid-configuration</c> is read from there). Unset: off.</summary>
    public string? Authority { get; set; }

    /// <summary>The audience its access tokens carry for RadAI.</summary>
    public string? Audience { get; set; }

    /// <summary>The claim that carries the RadAI role (<c>admin</c>, <c>radiologist</c> or <c>viewer</c>).</summary>
    [Required]
    public string RoleClaim { get; set; } = "roles";

    /// <summary>Refuse a metadata address that is not HTTPS.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

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
