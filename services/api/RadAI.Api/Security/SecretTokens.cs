using System.Security.Cryptography;
using System.Text;

namespace RadAI.Api.Security;

/// <summary>
/// Opaque secrets handed to clients (refresh tokens, API keys): 256 random bits, stored only as SHA-256. A slow hash
/// is not needed: unlike a password, the secret cannot be guessed.
/// </summary>
public static class SecretTokens
{
    public const string RefreshTokenPrefix = "rt_";
    public const string ApiKeyPrefix = "rk_";

    public static string New(string prefix) => prefix + Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64UrlEncode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
