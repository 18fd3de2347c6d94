namespace RadAI.Api.Jobs;

/// <summary>
/// Wakes the live feeds of this process when the projection recorded a change, so they need not wait for their next
/// poll. Feeds still poll the database: another replica of the api may have projected the change.
/// </summary>
public sealed class JobChangeNotifier
{
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A task that completes at the next change (take it before reading, then await it).</summary>
    public Task NextChange => Volatile.Read(ref _changed).Task;

    public void Notify() =>
        Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
