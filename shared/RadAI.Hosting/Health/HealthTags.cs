namespace RadAI.Hosting;

/// <summary>Tags that decide which health endpoint runs a check.</summary>
public static class HealthTags
{
    /// <summary>Checked by <c>/health/live</c>: the process runs (restart it if not).</summary>
    public const string Live = "live";

    /// <summary>Checked by <c>/health/ready</c>: the dependencies answer (send no work if not).</summary>
    public const string Ready = "ready";
}
