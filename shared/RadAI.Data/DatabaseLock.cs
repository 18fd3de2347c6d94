namespace RadAI.Data;

/// <summary>
/// A lock named in one database, held by one process at a time until it disposes it or dies: what lets a service that
/// must run once per database (dicom-ingest) find out that another instance already runs there. Taken with
/// <see cref="SqlDialect.TryTakeLockAsync"/>.
/// </summary>
public abstract class DatabaseLock : IAsyncDisposable
{
    /// <summary>
    /// Whether the lock is still held: false once the database lost it (on PostgreSQL, the session that holds it ended,
    /// e.g. the server restarted or the connection broke), when another process may have taken it since.
    /// </summary>
    public abstract Task<bool> IsHeldAsync(CancellationToken cancellationToken);

    public abstract ValueTask DisposeAsync();
}
