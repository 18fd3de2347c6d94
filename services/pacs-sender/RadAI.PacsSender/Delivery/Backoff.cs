namespace RadAI.PacsSender.Delivery;

/// <summary>Exponential backoff between the attempts of a delivery.</summary>
public static class Backoff
{
    /// <summary>
    /// The wait after the <paramref name="failedAttempts"/>-th failed attempt (1 for the first):
    /// <paramref name="initial"/> × 2^(n−1), at most <paramref name="max"/>.
    /// </summary>
    public static TimeSpan After(long failedAttempts, TimeSpan initial, TimeSpan max)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failedAttempts, 1);
        var exponent = Math.Min(failedAttempts - 1, 40);
        var ticks = initial.Ticks * Math.Pow(2, exponent);
        return ticks >= max.Ticks ? max : TimeSpan.FromTicks((long)ticks);
    }
}
