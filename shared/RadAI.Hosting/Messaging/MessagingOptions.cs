using System.ComponentModel.DataAnnotations;

namespace RadAI.Hosting.Messaging;

/// <summary>Which message transport a host uses.</summary>
public enum MessagingTransport
{
    /// <summary>RabbitMQ: the services deployed as separate processes.</summary>
    RabbitMq,

    /// <summary>In-process bus: the standalone host, where all services share one process.</summary>
    InMemory,
}

/// <summary>Configuration section <c>Messaging</c>.</summary>
public sealed class MessagingOptions : IValidatableObject
{
    public const string SectionName = "Messaging";

    private static readonly TimeSpan[] DefaultRedeliveryIntervals =
        [TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(10)];

    /// <summary><c>RabbitMq</c> (default) or <c>InMemory</c>.</summary>
    public MessagingTransport Transport { get; set; } = MessagingTransport.RabbitMq;

    /// <summary>The broker, when <see cref="Transport"/> is <c>RabbitMq</c>.</summary>
    public RabbitMqOptions RabbitMq { get; set; } = new();

    /// <summary>Immediate retries of a failing message, in the consuming process.</summary>
    public RetryOptions Retry { get; set; } = new();

    /// <summary>
    /// Delays before each redelivery once immediate retries are exhausted; the message waits in the
    /// broker meanwhile (it survives a restart). After the last one it goes to the endpoint's
    /// <c>_error</c> queue. Default 30 s, 2 min, 10 min.
    /// </summary>
    public TimeSpan[]? RedeliveryIntervals { get; set; }

    /// <summary>Messages fetched ahead per endpoint (RabbitMQ prefetch). Default 16.</summary>
    [Range(1, 10_000)]
    public int PrefetchCount { get; set; } = 16;

    /// <summary>Messages handled at once per endpoint; unset means as many as the prefetch.</summary>
    [Range(1, 10_000)]
    public int? ConcurrentMessageLimit { get; set; }

    /// <summary>The redelivery intervals in force.</summary>
    public IReadOnlyList<TimeSpan> EffectiveRedeliveryIntervals =>
        RedeliveryIntervals is { Length: > 0 } intervals ? intervals : DefaultRedeliveryIntervals;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RedeliveryIntervals?.Any(i => i <= TimeSpan.Zero) == true)
        {
            yield return new ValidationResult("Every redelivery interval must be positive.", [nameof(RedeliveryIntervals)]);
        }
    }
}

/// <summary>Configuration section <c>Messaging:RabbitMq</c>.</summary>
public sealed class RabbitMqOptions
{
    /// <summary>Broker host name or address.</summary>
    [Required]
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>AMQP port (5672, or 5671 with TLS).</summary>
    [Range(1, 65535)]
    public int Port { get; set; } = 5672;

    /// <summary>Virtual host.</summary>
    [Required]
    public string VirtualHost { get; set; } = "/";

    /// <summary>User name.</summary>
    [Required]
    public string Username { get; set; } = "guest";

    /// <summary>Password (from a secret in production).</summary>
    public string Password { get; set; } = "guest";

    /// <summary>Connect with TLS (AMQPS).</summary>
    public bool UseTls { get; set; }
}

/// <summary>Configuration section <c>Messaging:Retry</c>.</summary>
public sealed class RetryOptions
{
    /// <summary>Immediate retries before the message is handed to delayed redelivery. Default 3.</summary>
    [Range(0, 20)]
    public int Limit { get; set; } = 3;

    /// <summary>First retry interval; doubles up to <see cref="MaxInterval"/>. Default 200 ms.</summary>
    public TimeSpan MinInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest retry interval. Default 5 s.</summary>
    public TimeSpan MaxInterval { get; set; } = TimeSpan.FromSeconds(5);
}
