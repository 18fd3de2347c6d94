using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace RadAI.Api.Security;

/// <summary>
/// The HMAC key that signs and validates this node's access tokens, loaded (or created, when allowed) at start.
/// There is no built-in key: without one configured, local sign-in is off.
/// </summary>
public sealed class SigningKeys(IOptions<SecurityOptions> options)
{
    private const int MinimumKeyBytes = 32;
    private SymmetricSecurityKey? _key;

    /// <summary>The key; throws when local sign-in is off or the key was not loaded.</summary>
    public SymmetricSecurityKey Key => _key ?? throw new InvalidOperationException("No access-token signing key is loaded (Api:Security:SigningKeyFile).");

    /// <summary>True once a key is loaded.</summary>
    public bool IsLoaded => _key is not null;

    /// <summary>Loads the configured key, creating the key file first when configured to; throws when it is unusable.</summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        string text;
        if (!string.IsNullOrWhiteSpace(settings.SigningKey))
        {
            text = settings.SigningKey;
        }
        else if (!string.IsNullOrWhiteSpace(settings.SigningKeyFile))
        {
            if (!File.Exists(settings.SigningKeyFile) && settings.CreateSigningKeyFile)
            {
                await CreateKeyFileAsync(settings.SigningKeyFile, cancellationToken).ConfigureAwait(false);
            }

            text = await File.ReadAllTextAsync(settings.SigningKeyFile, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            return;
        }

        if (TryDecode(text, out var bytes) is { } error)
        {
            throw new OptionsValidationException(SecurityOptions.SectionName, typeof(SecurityOptions),
                [$"{SecurityOptions.SectionName}:{(settings.SigningKey is null ? nameof(SecurityOptions.SigningKeyFile) : nameof(SecurityOptions.SigningKey))}: {error}"]);
        }

        _key = new SymmetricSecurityKey(bytes) { KeyId = Convert.ToHexStringLower(SHA256.HashData(bytes))[..16] };
    }

    /// <summary>Null when <paramref name="text"/> is base64 of at least 32 bytes; else why not.</summary>
    public static string? TryDecode(string text, out byte[] bytes)
    {
        bytes = [];
        try
        {
            bytes = Convert.FromBase64String(text.Trim());
        }
        catch (FormatException)
        {
            return "the signing key is not base64 (create one with: openssl rand -base64 48).";
        }

        return bytes.Length < MinimumKeyBytes
            ? $"the signing key has {bytes.Length} bytes; at least {MinimumKeyBytes} are required (openssl rand -base64 48)."
            : null;
    }

    private static async Task CreateKeyFileAsync(string path, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Options = FileOptions.Asynchronous };
        if (!OperatingSystem.IsWindows())
        {
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            await using var stream = new FileStream(path, fileOptions);
            await using var writer = new StreamWriter(stream);
            await writer.WriteLineAsync(Convert.ToBase64String(RandomNumberGenerator.GetBytes(64)).AsMemory(), cancellationToken).ConfigureAwait(false);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created it first: use theirs.
        }
    }
}
