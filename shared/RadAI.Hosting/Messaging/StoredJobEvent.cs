using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using RadAI.Contracts;
using RadAI.Hosting.Storage;

namespace RadAI.Hosting.Messaging;

/// <summary>
/// The outcome of a job's step, kept as a file beside the step's output before it is published: a
/// redelivered message republishes the stored event (with the same message id, which consumers
/// recognise) instead of doing the work again.
/// </summary>
public static class StoredJobEvent
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private sealed record Envelope(string Type, JsonElement Event);

    /// <summary>The stored event, or null when none was stored; <paramref name="knownTypes"/> are the events the step may store.</summary>
    public static async Task<IJobEvent?> ReadAsync(string path, IReadOnlyCollection<Type> knownTypes, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        await using var stream = File.OpenRead(path);
        var envelope = await JsonSerializer.DeserializeAsync<Envelope>(stream, Json, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidDataException($"{path} is empty.");
        var type = knownTypes.FirstOrDefault(t => t.Name == envelope.Type)
            ?? throw new InvalidDataException($"{path}: unknown outcome type {envelope.Type}.");
        return (IJobEvent?)envelope.Event.Deserialize(type, Json) ?? throw new InvalidDataException($"{path}: empty {envelope.Type}.");
    }

    /// <summary>Stores the event durably (fsync'd, atomically replaced).</summary>
    public static Task WriteAsync(string path, IJobEvent outcome, CancellationToken cancellationToken) =>
        DurableFile.WriteAsync(path, (stream, ct) => JsonSerializer.SerializeAsync(
            stream, new Envelope(outcome.GetType().Name, JsonSerializer.SerializeToElement(outcome, outcome.GetType(), Json)), Json, ct),
            cancellationToken: cancellationToken);

    /// <summary>The same step, job and event type always give the same message id (deduplicated downstream).</summary>
    public static Guid MessageIdOf(string step, Guid jobId, string eventType) =>
        new(SHA256.HashData(Encoding.UTF8.GetBytes($"{step}/{jobId:N}/{eventType}")).AsSpan(0, 16));
}
