using System.ComponentModel.DataAnnotations;

namespace RadAI.Hosting.Storage;

/// <summary>
/// Configuration section <c>Storage:Encryption</c>: encryption at rest of the instance and report stores
/// (AES-256-GCM, see <see cref="EncryptedFileFormat"/>). Off by default. Each key is a secret file holding 32 bytes,
/// raw or base64; new files are written with <see cref="ActiveKeyId"/>, older files are read with the key their header names,
/// so a key rotates by adding a new one, making it active, and keeping the old one as long as files written with it exist.
/// </summary>
public sealed class StorageEncryptionOptions : IValidatableObject
{
    /// <summary>Encrypts new files of the covered stores when true.</summary>
    public bool Enabled { get; set; }

    /// <summary>The key new files are written with (a name in <see cref="Keys"/>).</summary>
    public string? ActiveKeyId { get; set; }

    /// <summary>Key id → path of the secret file holding that key.</summary>
    public Dictionary<string, string> Keys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The stores whose files are encrypted; empty (the default) means all three: instances, results and reports. (No
    /// default items here: configuration binding adds to a list's items, so a configured list could never be narrower.)
    /// </summary>
    public List<string> Stores { get; set; } = [];

    /// <summary>The stores covered: <see cref="Stores"/>, or all three when it is empty.</summary>
    public IReadOnlyList<string> CoveredStores => Stores.Count > 0 ? Stores : [StoreNames.Instances, StoreNames.Results, StoreNames.Reports];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (id, path) in Keys)
        {
            if (!EncryptedFileFormat.IsValidKeyId(id))
            {
                yield return new ValidationResult($"Key id '{id}' must be 1..{EncryptedFileFormat.MaxKeyIdBytes} letters, digits, '-', '_' or '.'.", [nameof(Keys)]);
                continue;
            }

            var error = AtRestKeyRing.TryLoadKey(path, out _);
            if (error is not null)
            {
                yield return new ValidationResult($"Key '{id}' ({path}): {error}", [$"{nameof(Keys)}:{id}"]);
            }
        }

        foreach (var store in Stores)
        {
            if (store is not (StoreNames.Instances or StoreNames.Results or StoreNames.Reports))
            {
                yield return new ValidationResult(
                    $"Unknown store '{store}': the stores are {StoreNames.Instances}, {StoreNames.Results} and {StoreNames.Reports}.", [nameof(Stores)]);
            }
        }

        if (!Enabled)
        {
            yield break;
        }

        if (string.IsNullOrWhiteSpace(ActiveKeyId))
        {
            yield return new ValidationResult("Encryption is enabled: set the key new files are written with.", [nameof(ActiveKeyId)]);
        }
        else if (!Keys.ContainsKey(ActiveKeyId))
        {
            yield return new ValidationResult($"The active key '{ActiveKeyId}' is not among Storage:Encryption:Keys.", [nameof(ActiveKeyId)]);
        }
    }
}
