using System.ComponentModel.DataAnnotations;

namespace RadAI.DicomIngest;

/// <summary>Configuration section <c>DicomIngest</c>.</summary>
public sealed class DicomIngestOptions : IValidatableObject
{
    public const string SectionName = "DicomIngest";

    /// <summary>Our AE title (the called AE title senders address).</summary>
    [Required]
    [StringLength(16, MinimumLength = 1)]
    public string AeTitle { get; set; } = "RADAI";

    /// <summary>DICOM port.</summary>
    [Range(0, 65535)]
    public int Port { get; set; } = 11112;

    /// <summary>Address to listen on; default all interfaces (the PACS must reach it).</summary>
    [Required]
    public string BindAddress { get; set; } = "0.0.0.0";

    /// <summary>Reject associations from senders not listed in <see cref="Senders"/> (C-ECHO included). Listed senders always get an answer to C-ECHO.</summary>
    public bool RequireKnownSenders { get; set; }

    /// <summary>
    /// Known senders, each with its settings: written to <c>ingest_senders</c> at every start (source <c>config</c>,
    /// read-only through the api); senders may also be administered through the api (<c>/api/senders</c>).
    /// </summary>
    public List<SenderOptions> Senders { get; set; } = [];

    /// <summary>User Identity Negotiation (PS3.7 D.3.3.7): the accounts senders may present, and whether one is required.</summary>
    public DicomUserIdentityOptions UserIdentity { get; set; } = new();

    /// <summary>Routing profile of senders without their own. Default <c>default</c>.</summary>
    [Required]
    public string DefaultRoutingProfile { get; set; } = "default";

    /// <summary>A study is complete when nothing arrived for this long (senders without their own timeout). Default 30 s.</summary>
    public TimeSpan StableTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>...or sooner: this long after the last association that carried it was released. Default 5 s.</summary>
    public TimeSpan ReleaseGracePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often pending studies are checked for completion. Default 1 s.</summary>
    public TimeSpan CompletionPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// One dicom-ingest listens per database: how often an instance waiting on standby (another one holds the database's
    /// dicom-ingest lock) tries to take over, and the listening one checks that it still holds the lock. Default 5 s.
    /// </summary>
    public TimeSpan InstanceLockInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Associations at once; more are rejected (A-ASSOCIATE-RJ, local limit exceeded).</summary>
    [Range(1, 10_000)]
    public int MaxAssociations { get; set; } = 32;

    /// <summary>Largest instance accepted, in bytes; larger ones get A700. Default 4 GiB.</summary>
    [Range(1, long.MaxValue)]
    public long MaxInstanceBytes { get; set; } = 4L * 1024 * 1024 * 1024;

    /// <summary>Largest study accepted per reception, in bytes; instances beyond get A700. Default 64 GiB.</summary>
    [Range(1, long.MaxValue)]
    public long MaxStudyBytes { get; set; } = 64L * 1024 * 1024 * 1024;

    /// <summary>Refuse instances (A700) when the store's disk has less free space than this. Default 1 GiB.</summary>
    [Range(0, long.MaxValue)]
    public long MinimumFreeBytes { get; set; } = 1024L * 1024 * 1024;

    /// <summary>fsync each instance (and its folder) before answering success. Default true: a success is never lost.</summary>
    public bool Fsync { get; set; } = true;

    /// <summary>Status answered for an instance already received in the same reception: 0 (success, default) or a warning such as 45056 (B000).</summary>
    public ushort DuplicateStatus { get; set; }

    /// <summary>Transfer syntaxes accepted; empty: the ones RadAI decodes. Put <c>*</c> to accept every syntax (stored, maybe not analysable).</summary>
    public List<string> TransferSyntaxes { get; set; } = [];

    /// <summary>DICOM TLS: PEM certificate and key; empty: plain TCP.</summary>
    public string? TlsCertificatePath { get; set; }

    public string? TlsKeyPath { get; set; }

    /// <summary>PEM file of the CA(s) trusted for client certificates; with <see cref="TlsRequireClientCertificate"/>, mutual TLS.</summary>
    public string? TlsTrustedCaPath { get; set; }

    public bool TlsRequireClientCertificate { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (StableTimeout <= TimeSpan.Zero)
        {
            yield return new ValidationResult("StableTimeout must be positive.", [nameof(StableTimeout)]);
        }

        if (InstanceLockInterval < TimeSpan.FromMilliseconds(100) || InstanceLockInterval > TimeSpan.FromMinutes(5))
        {
            yield return new ValidationResult("InstanceLockInterval must be between 100 ms and 5 minutes.", [nameof(InstanceLockInterval)]);
        }

        if (string.IsNullOrEmpty(TlsCertificatePath) != string.IsNullOrEmpty(TlsKeyPath))
        {
            yield return new ValidationResult("TlsCertificatePath and TlsKeyPath go together.", [nameof(TlsCertificatePath)]);
        }

        foreach (var problem in UserIdentity.Problems())
        {
            yield return new ValidationResult($"UserIdentity: {problem}", [nameof(UserIdentity)]);
        }

        foreach (var duplicate in Senders.GroupBy(s => s.AeTitle).Where(g => g.Count() > 1))
        {
            yield return new ValidationResult($"Sender {duplicate.Key} is listed more than once.", [nameof(Senders)]);
        }

        foreach (var sender in Senders)
        {
            foreach (var problem in sender.Problems())
            {
                yield return new ValidationResult($"Sender {sender.AeTitle}: {problem}", [nameof(Senders)]);
            }
        }
    }
}

/// <summary>
/// Configuration <c>DicomIngest:UserIdentity</c>. Without accounts and not required (the default), an identity a sender
/// presents is accepted unchecked, as most PACS present none; with accounts, a presented identity must be one of them
/// (user name and passcode, or a user name alone for an account without a passcode); Kerberos, SAML and JWT identities
/// are then refused (RadAI has nothing to check them against).
/// </summary>
public sealed class DicomUserIdentityOptions
{
    /// <summary>Reject the associations that present no user identity (A-ASSOCIATE-RJ, no reason given). Default false.</summary>
    public bool Required { get; set; }

    /// <summary>The accounts senders may present (configuration only: the passcodes are secrets, never shown by the api).</summary>
    public List<DicomAccountOptions> Accounts { get; set; } = [];

    /// <summary>What is wrong with these settings.</summary>
    public IEnumerable<string> Problems()
    {
        if (Required && Accounts.Count == 0)
        {
            yield return "Required needs at least one account.";
        }

        foreach (var duplicate in Accounts.GroupBy(a => a.Username, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            yield return $"account {duplicate.Key} is listed more than once.";
        }

        foreach (var account in Accounts)
        {
            if (string.IsNullOrEmpty(account.Username) || account.Username.Length > 64)
            {
                yield return "every account needs a user name of 1 to 64 characters.";
            }

            if (!string.IsNullOrEmpty(account.PasscodeFile) && !File.Exists(account.PasscodeFile))
            {
                yield return $"account {account.Username}: PasscodeFile {account.PasscodeFile} does not exist.";
            }
        }
    }
}

/// <summary>One account of <c>DicomIngest:UserIdentity:Accounts:n</c>.</summary>
public sealed class DicomAccountOptions
{
    /// <summary>The user name the sender presents.</summary>
    public string Username { get; set; } = "";

    /// <summary>A file whose first line is the account's passcode; empty: the account presents its user name alone.</summary>
    public string? PasscodeFile { get; set; }
}

/// <summary>One known sender (configuration <c>DicomIngest:Senders:n</c>).</summary>
public sealed class SenderOptions
{
    /// <summary>Its calling AE title.</summary>
    [Required]
    [StringLength(16, MinimumLength = 1)]
    public string AeTitle { get; set; } = "";

    /// <summary>Host name or address it must connect from; empty: any.</summary>
    public string? Host { get; set; }

    /// <summary>May it send? Default true. A listed sender that may not send is still answered C-ECHO; its C-STOREs are refused (0124, not authorized).</summary>
    public bool Allowed { get; set; } = true;

    /// <summary>Routing profile for its studies (which models run); empty: the default profile.</summary>
    public string? RoutingProfile { get; set; }

    /// <summary>Its stable-study timeout; empty: the default.</summary>
    public TimeSpan? StableTimeout { get; set; }

    /// <summary>What is wrong with these settings beyond the attributes (the same rules for the configuration and the api).</summary>
    public IEnumerable<string> Problems()
    {
        if (AeTitle.Contains('\\', StringComparison.Ordinal) || AeTitle != AeTitle.Trim() || AeTitle.Any(char.IsControl))
        {
            yield return "an AE title has no backslash, no control character and no leading or trailing space.";
        }

        if (StableTimeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            yield return "StableTimeout must be positive.";
        }

        if (RoutingProfile is { Length: > 64 })
        {
            yield return "RoutingProfile has at most 64 characters.";
        }

        if (Host is { Length: > 253 })
        {
            yield return "Host has at most 253 characters.";
        }
    }
}
