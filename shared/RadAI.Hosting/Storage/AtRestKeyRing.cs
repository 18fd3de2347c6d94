using System.Collections.Frozen;
using System.Text;

namespace RadAI.Hosting.Storage;

/// <summary>The keys of <see cref="StorageEncryptionOptions"/>, loaded once from their secret files.</summary>
public sealed class AtRestKeyRing
{
    private readonly FrozenDictionary<string, byte[]> _keys;

    public AtRestKeyRing(IReadOnlyDictionary<string, byte[]> keys, string? activeKeyId)
    {
        foreach (var (id, key) in keys)
        {
            if (!EncryptedFileFormat.IsValidKeyId(id) || key.Length != EncryptedFileFormat.KeyBytes)
            {
                throw new ArgumentException($"Key '{id}' must have a valid id and {EncryptedFileFormat.KeyBytes} bytes.", nameof(keys));
            }
        }

        if (activeKeyId is not null && !keys.ContainsKey(activeKeyId))
        {
            throw new ArgumentException($"The active key '{activeKeyId}' is not among the keys.", nameof(activeKeyId));
        }

        _keys = keys.ToFrozenDictionary(StringComparer.Ordinal);
        ActiveKeyId = activeKeyId;
    }

    /// <summary>The key new files are sealed with; null when no key is active.</summary>
    public string? ActiveKeyId { get; }

    /// <summary>Loads the keys of <paramref name="options"/> (validated at start, so a failure here is a file changed since).</summary>
    public static AtRestKeyRing Load(StorageEncryptionOptions options)
    {
        var keys = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (id, path) in options.Keys)
        {
            var error = TryLoadKey(path, out var key);
            keys[id] = error is null ? key! : throw new InvalidOperationException($"Storage:Encryption:Keys:{id} ({path}): {error}");
        }

        return new AtRestKeyRing(keys, options.Enabled ? options.ActiveKeyId : null);
    }

    /// <summary>Reads a key file: 32 raw bytes, or their base64 (surrounding white space ignored). Returns why not, or null.</summary>
    public static string? TryLoadKey(string path, out byte[]? key)
    {
        key = null;
        if (string.IsNullOrWhiteSpace(path) || !File.Exists(path))
        {
            return "the key file does not exist.";
        }

        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"the key file cannot be read: {e.Message}";
        }

        if (bytes.Length == EncryptedFileFormat.KeyBytes)
        {
            key = bytes;
            return null;
        }

        var text = Encoding.ASCII.GetString(bytes).Trim();
        var decoded = new byte[EncryptedFileFormat.KeyBytes + 3];
        if (Convert.TryFromBase64String(text, decoded, out var written) && written == EncryptedFileFormat.KeyBytes)
        {
            key = decoded[..written];
            return null;
        }

        return $"the key file must hold {EncryptedFileFormat.KeyBytes} bytes, raw or base64.";
    }

    /// <summary>The key named <paramref name="keyId"/>.</summary>
    /// <exception cref="InvalidDataException">No such key is configured.</exception>
    public byte[] KeyOf(string keyId, string fileName) =>
        _keys.TryGetValue(keyId, out var key)
            ? key
            : throw new InvalidDataException($"{fileName} is encrypted with key '{keyId}', which is not configured (Storage:Encryption:Keys:{keyId}).");
}
