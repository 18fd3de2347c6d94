namespace RadAI.Api.Tests;

/// <summary>
/// A clock the test moves: what the api reads as "now" (token issue and expiry, refresh tokens, lockouts, audit times).
/// Timers and delays still run on real time; only the reading of the time is the test's.
/// </summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    /// <summary>Now, to the whole second: what PostgreSQL and SQLite store and give back unchanged.</summary>
    public static ManualClock StartingNow() =>
        new(new DateTimeOffset(DateTimeOffset.UtcNow.UtcTicks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero));

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
