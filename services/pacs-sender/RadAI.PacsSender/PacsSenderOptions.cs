using System.ComponentModel.DataAnnotations;

namespace RadAI.PacsSender;

/// <summary>Configuration section <c>PacsSender</c>.</summary>
public sealed class PacsSenderOptions : IValidatableObject
{
    public const string SectionName = "PacsSender";

    /// <summary>The report object kinds (<c>ReportObject.Kind</c>) a destination may take.</summary>
    public static IReadOnlyList<string> KnownKinds { get; } = ["SR", "SEG", "PDF", "KEY-IMAGE"];

    /// <summary>Our calling AE title when we store into a PACS. Default <c>RADAI</c>.</summary>
    [Required]
    [StringLength(16, MinimumLength = 1)]
    public string CallingAeTitle { get; set; } = "RADAI";

    /// <summary>
    /// Destinations written into the database at start (source <c>config</c>); a configured destination later removed
    /// from the configuration is disabled there, not deleted (its deliveries keep their history).
    /// </summary>
    public List<DestinationOptions> Destinations { get; set; } = [];

    /// <summary>Attempts per delivery before it fails (DeliveryFailed). Default 8.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 8;

    /// <summary>Wait after the first failed attempt; doubled after each further one. Default 1 minute.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Longest wait between two attempts. Default 1 hour (8 attempts span about two hours).</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long an attempt in progress holds its delivery: a process that dies while sending leaves the delivery to be
    /// taken again after this long (by itself after a restart, or by another replica). Default 15 minutes.
    /// </summary>
    public TimeSpan AttemptLease { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The scheduler looks at the database at least this often (other replicas' work, clock changes). Default 30 s.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Deliveries sent at once. Default 4.</summary>
    [Range(1, 64)]
    public int MaxConcurrentDeliveries { get; set; } = 4;

    /// <summary>TCP connect timeout to a destination. Default 15 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long to wait for a C-STORE or C-ECHO response. Default 2 minutes.</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>C-ECHO every enabled destination at start and record the result. Default true.</summary>
    public bool EchoOnStart { get; set; } = true;

    /// <summary>DICOM TLS for destinations marked <c>Tls</c>.</summary>
    public DestinationTlsOptions Tls { get; set; } = new();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (name, value) in new[] { (nameof(InitialBackoff), InitialBackoff), (nameof(MaxBackoff), MaxBackoff), (nameof(AttemptLease), AttemptLease), (nameof(PollInterval), PollInterval), (nameof(ConnectTimeout), ConnectTimeout), (nameof(ResponseTimeout), ResponseTimeout) })
        {
            if (value <= TimeSpan.Zero)
            {
                yield return new ValidationResult($"{name} must be positive.", [name]);
            }
        }

        if (MaxBackoff < InitialBackoff)
        {
            yield return new ValidationResult("MaxBackoff must not be shorter than InitialBackoff.", [nameof(MaxBackoff)]);
        }

        if (AttemptLease <= ConnectTimeout + ResponseTimeout)
        {
            yield return new ValidationResult("AttemptLease must be longer than ConnectTimeout + ResponseTimeout.", [nameof(AttemptLease)]);
        }

        foreach (var duplicate in Destinations.GroupBy(d => d.AeTitle, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            yield return new ValidationResult($"Destination {duplicate.Key} is listed more than once.", [nameof(Destinations)]);
        }
    }
}

/// <summary>One destination (configuration <c>PacsSender:Destinations:n</c>).</summary>
public sealed class DestinationOptions : IValidatableObject
{
    /// <summary>Its AE title (the called AE title); also the sending AE title its studies arrive with.</summary>
    [Required]
    [StringLength(16, MinimumLength = 1)]
    public string AeTitle { get; set; } = "";

    [Required]
    public string Host { get; set; } = "";

    [Range(1, 65535)]
    public int Port { get; set; } = 104;

    /// <summary>DICOM TLS (settings in <c>PacsSender:Tls</c>).</summary>
    public bool Tls { get; set; }

    /// <summary>Which report objects it takes (SR, SEG, PDF, KEY-IMAGE); empty (default): all of them.</summary>
    public List<string> Kinds { get; set; } = [];

    /// <summary>The kinds it takes, all when none are listed.</summary>
    public IReadOnlyList<string> EffectiveKinds => Kinds.Count == 0 ? PacsSenderOptions.KnownKinds : Kinds;

    /// <summary>Receives every report, not only those of the studies it sent. Default false.</summary>
    public bool AllReports { get; set; }

    /// <summary>Default true; false keeps it in the database but sends nothing to it.</summary>
    public bool Enabled { get; set; } = true;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var kind in Kinds.Where(k => !PacsSenderOptions.KnownKinds.Contains(k, StringComparer.Ordinal)))
        {
            yield return new ValidationResult($"Unknown kind '{kind}' (known: {string.Join(", ", PacsSenderOptions.KnownKinds)}).", [nameof(Kinds)]);
        }

        if (AeTitle.Contains('\\', StringComparison.Ordinal) || AeTitle != AeTitle.Trim())
        {
            yield return new ValidationResult("An AE title has no backslash and no leading or trailing space.", [nameof(AeTitle)]);
        }
    }

    /// <summary>Parses <c>AET@HOST:PORT</c> (the standalone host's <c>--pacs</c>).</summary>
    public static DestinationOptions Parse(string value)
    {
        var at = value.IndexOf('@', StringComparison.Ordinal);
        var colon = value.LastIndexOf(':');
        if (at <= 0 || colon <= at + 1 || !int.TryParse(value.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port))
        {
            throw new FormatException($"'{value}' is not AET@HOST:PORT.");
        }

        return new DestinationOptions { AeTitle = value[..at], Host = value[(at + 1)..colon], Port = port };
    }
}

/// <summary>DICOM TLS to destinations (configuration <c>PacsSender:Tls</c>); PEM files.</summary>
public sealed class DestinationTlsOptions : IValidatableObject
{
    /// <summary>CA certificate(s) trusted for destinations' certificates; empty: the system store.</summary>
    public string? TrustedCaPath { get; set; }

    /// <summary>Our client certificate and key, for destinations that require mutual TLS.</summary>
    public string? ClientCertificatePath { get; set; }

    public string? ClientKeyPath { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrEmpty(ClientCertificatePath) != string.IsNullOrEmpty(ClientKeyPath))
        {
            yield return new ValidationResult("ClientCertificatePath and ClientKeyPath go together.", [nameof(ClientCertificatePath)]);
        }

        foreach (var (name, path) in new[] { (nameof(TrustedCaPath), TrustedCaPath), (nameof(ClientCertificatePath), ClientCertificatePath), (nameof(ClientKeyPath), ClientKeyPath) })
        {
            if (!string.IsNullOrEmpty(path) && !File.Exists(path))
            {
                yield return new ValidationResult($"{path} does not exist.", [name]);
            }
        }
    }
}
