using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RadAI.Data.Audit;

namespace RadAI.Api.Security;

/// <summary>
/// At start (after the migrations): loads the access-token signing key, and creates the first administrator from
/// the configured password file when no user exists. There is never a default password.
/// </summary>
public sealed partial class SecurityStartup(
    SigningKeys keys, UserRepository users, PasswordHasher hasher, IAuditLog audit, TimeProvider clock,
    IOptions<SecurityOptions> options, ILogger<SecurityStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        await keys.LoadAsync(cancellationToken).ConfigureAwait(false);
        if (!keys.IsLoaded)
        {
            LogLocalSignInOff(SecurityOptions.SectionName);
        }

        await BootstrapAdminAsync(settings, cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Creates the first administrator when no user exists and a password file is configured; returns true when it did.</summary>
    public async Task<bool> BootstrapAdminAsync(SecurityOptions settings, CancellationToken cancellationToken)
    {
        if (await users.AnyAsync(cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        if (string.IsNullOrWhiteSpace(settings.InitialAdminPasswordFile))
        {
            LogNoUser(SecurityOptions.SectionName, settings.MinPasswordLength, settings.InitialAdminUsername);
            return false;
        }

        // One trailing newline (echo, editors) is not part of the password.
        var password = (await File.ReadAllTextAsync(settings.InitialAdminPasswordFile, cancellationToken).ConfigureAwait(false)).TrimEnd('\r', '\n');
        if (password.Length < settings.MinPasswordLength)
        {
            throw new OptionsValidationException(SecurityOptions.SectionName, typeof(SecurityOptions),
                [$"{SecurityOptions.SectionName}:{nameof(SecurityOptions.InitialAdminPasswordFile)}: the password in '{settings.InitialAdminPasswordFile}' has fewer than {settings.MinPasswordLength} characters."]);
        }

        var now = clock.GetUtcNow();
        var admin = new UserRecord
        {
            UserId = Guid.NewGuid(),
            Username = UserNames.Normalize(settings.InitialAdminUsername),
            PasswordHash = await hasher.HashAsync(password).ConfigureAwait(false),
            Role = Roles.Admin,
            CreatedAt = now,
            UpdatedAt = now,
        };
        if (!await users.TryCreateAsync(admin, cancellationToken).ConfigureAwait(false))
        {
            // Another replica created it at the same moment.
            return false;
        }

        await audit.WriteAsync(AuditActors.System, null, "user.bootstrap", AuditActors.User(admin.UserId), AuditOutcome.Success,
            new { username = admin.Username, role = admin.Role }, cancellationToken).ConfigureAwait(false);
        LogAdminCreated(admin.Username);
        return true;
    }

    [LoggerMessage(EventId = 5101, Level = LogLevel.Warning,
        Message = "Local sign-in is off: no access-token signing key. Set {Section}:SigningKeyFile to a file holding base64 of at least 32 random bytes (openssl rand -base64 48).")]
    private partial void LogLocalSignInOff(string section);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Warning,
        Message = "No user exists and no initial administrator password is configured, so none was created (there is no default password). " +
                  "To create the first administrator, write a password of at least {MinLength} characters to a file readable only by this service, " +
                  "set {Section}:InitialAdminPasswordFile to its path and restart: user '{Username}' (role admin) is created from it.")]
    private partial void LogNoUser(string section, int minLength, string username);

    [LoggerMessage(EventId = 5103, Level = LogLevel.Information, Message = "Created the first administrator '{Username}' from the initial password file")]
    private partial void LogAdminCreated(string username);
}
