using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Konscious.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace RadAI.Api.Security;

/// <summary>
/// Argon2id password hashes in the PHC string format (<c>$argon2id$v=19$m=19456,t=2,p=1$salt$hash</c>, unpadded base64):
/// the parameters travel with each hash, so they can be raised without invalidating stored passwords.
/// </summary>
public sealed class PasswordHasher(IOptions<SecurityOptions> options)
{
    private const int SaltLength = 16;
    private const int HashLength = 32;
    private const int Argon2Version = 19;

    /// <summary>A new hash of <paramref name="password"/> with the configured parameters and a random salt.</summary>
    public async Task<string> HashAsync(string password)
    {
        ArgumentException.ThrowIfNullOrEmpty(password);
        var parameters = options.Value.PasswordHashing;
        var salt = RandomNumberGenerator.GetBytes(SaltLength);
        var hash = await ComputeAsync(password, salt, parameters.MemoryKiB, parameters.Iterations, parameters.Parallelism, HashLength).ConfigureAwait(false);
        return string.Create(CultureInfo.InvariantCulture,
            $"$argon2id$v={Argon2Version}$m={parameters.MemoryKiB},t={parameters.Iterations},p={parameters.Parallelism}${ToBase64(salt)}${ToBase64(hash)}");
    }

    /// <summary>True when <paramref name="password"/> matches <paramref name="encoded"/> (constant-time comparison).</summary>
    public async Task<bool> VerifyAsync(string password, string encoded)
    {
        // Argon2 refuses an empty password; no stored hash is of one.
        if (password.Length == 0 || !TryParse(encoded, out var parsed))
        {
            return false;
        }

        var actual = await ComputeAsync(password, parsed.Salt, parsed.MemoryKiB, parsed.Iterations, parsed.Parallelism, parsed.Hash.Length).ConfigureAwait(false);
        return CryptographicOperations.FixedTimeEquals(actual, parsed.Hash);
    }

    /// <summary>True when <paramref name="encoded"/> was made with other parameters than the configured ones.</summary>
    public bool NeedsRehash(string encoded)
    {
        var parameters = options.Value.PasswordHashing;
        return !TryParse(encoded, out var parsed)
            || parsed.MemoryKiB != parameters.MemoryKiB || parsed.Iterations != parameters.Iterations || parsed.Parallelism != parameters.Parallelism;
    }

    private static async Task<byte[]> ComputeAsync(string password, byte[] salt, int memoryKiB, int iterations, int parallelism, int length)
    {
        using var argon2 = new Argon2id(Encoding.UTF8.GetBytes(password))
        {
            Salt = salt,
            MemorySize = memoryKiB,
            Iterations = iterations,
            DegreeOfParallelism = parallelism,
        };
        return await argon2.GetBytesAsync(length).ConfigureAwait(false);
    }

    private static bool TryParse(string encoded, out (int MemoryKiB, int Iterations, int Parallelism, byte[] Salt, byte[] Hash) parsed)
    {
        parsed = default;
        // "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
        var parts = encoded.Split('$');
        if (parts.Length != 6 || parts[0].Length != 0 || parts[1] != "argon2id" || parts[2] != $"v={Argon2Version}")
        {
            return false;
        }

        int? memory = null, iterations = null, parallelism = null;
        foreach (var pair in parts[3].Split(','))
        {
            var (key, value) = pair.Split('=') is [var k, var v] ? (k, v) : ("", "");
            if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 1)
            {
                return false;
            }

            switch (key)
            {
                case "m": memory = number; break;
                case "t": iterations = number; break;
                case "p": parallelism = number; break;
                default: return false;
            }
        }

        var salt = FromBase64(parts[4]);
        var hash = FromBase64(parts[5]);
        if (memory is null || iterations is null || parallelism is null || salt is not { Length: >= 8 } || hash is not { Length: >= 16 })
        {
            return false;
        }

        parsed = (memory.Value, iterations.Value, parallelism.Value, salt, hash);
        return true;
    }

    private static string ToBase64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    private static byte[]? FromBase64(string text)
    {
        var padded = text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '=');
        try
        {
            return Convert.FromBase64String(padded);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
