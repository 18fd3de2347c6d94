using System.ComponentModel.DataAnnotations;

namespace RadAI.Api.DataLifecycle;

/// <summary>Configuration section <c>Retention</c>: how long a job's images, results and reports are kept. Off by default.</summary>
public sealed class RetentionOptions
{
    public const string SectionName = "Retention";

    /// <summary>Jobs created more than this many days ago lose their files (the job row stays, anonymous); 0 keeps everything.</summary>
    [Range(0, 36500)]
    public int Days { get; set; }

    /// <summary>How often the purge runs.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);
}
