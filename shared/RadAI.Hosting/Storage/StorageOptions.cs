using System.ComponentModel.DataAnnotations;

namespace RadAI.Hosting.Storage;

/// <summary>
/// Configuration section <c>Storage</c>: where the shared stores live. Every service mounts the same
/// root (a volume, an NFS share...): events carry references into it (claim check).
/// </summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>Root folder of the stores (<c>instances</c>, <c>results</c>, <c>reports</c> below it).</summary>
    [Required]
    public string Root { get; set; } = "/var/lib/radai";

    /// <summary>Encryption at rest of the instance and report stores (<c>Storage:Encryption</c>, off by default).</summary>
    public StorageEncryptionOptions Encryption { get; set; } = new();
}
