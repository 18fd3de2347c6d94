using System.Buffers.Binary;
using System.Diagnostics.Metrics;
using System.IO.Compression;
using Microsoft.Extensions.Options;
using RadAI.Api.Apis;
using RadAI.Hosting.Storage;

namespace RadAI.Api.Jobs;

/// <summary>
/// The label maps the dashboard's overlay reads, inflated once and kept for the next slices: a size-limited, least
/// recently used cache keyed by job, run and mask file (no patient data: label values only). A map is held slice by
/// slice, an empty slice (most of a volume) costing nothing; its size is the bytes of the slices that hold a label.
/// Concurrent requests for the same map share one inflation; a map larger than the whole budget is inflated for its
/// request and not kept. <see cref="Decodes"/> counts inflations (also the <c>radai.api.label_map.decodes</c> metric).
/// </summary>
public sealed class LabelMapCache : IDisposable
{
    /// <summary>The meter of the cache's counters.</summary>
    public const string MeterName = "RadAI.Api.LabelMaps";

    private readonly FileStores _stores;
    private readonly long _budgetBytes;
    private readonly Lock _gate = new();
    private readonly Dictionary<Key, LinkedListNode<Entry>> _entries = [];
    private readonly LinkedList<Entry> _recency = new();
    private readonly Meter _meter;
    private readonly Counter<long> _decodeCounter;
    private readonly Counter<long> _hitCounter;
    private long _cachedBytes;
    private long _decodes;

    public LabelMapCache(FileStores stores, IOptions<JobsApiOptions> options)
        : this(stores, (long)options.Value.MaskCacheMegabytes * 1024 * 1024)
    {
    }

    /// <summary>A cache holding at most <paramref name="budgetBytes"/> of label slices (0: nothing is kept).</summary>
    public LabelMapCache(FileStores stores, long budgetBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(budgetBytes);
        _stores = stores;
        _budgetBytes = budgetBytes;
        _meter = new Meter(MeterName);
        _decodeCounter = _meter.CreateCounter<long>("radai.api.label_map.decodes", description: "Label maps inflated for the dashboard's overlay.");
        _hitCounter = _meter.CreateCounter<long>("radai.api.label_map.hits", description: "Mask slices served from an already inflated label map.");
    }

    /// <summary>How many label maps were inflated since start.</summary>
    public long Decodes => Interlocked.Read(ref _decodes);

    /// <summary>Bytes of label slices held now.</summary>
    public long CachedBytes
    {
        get
        {
            lock (_gate)
            {
                return _cachedBytes;
            }
        }
    }

    /// <summary>
    /// Slice <paramref name="z"/> of the label map at <paramref name="path"/> (a file of the shared stores), for the run
    /// <paramref name="runId"/> of job <paramref name="jobId"/>: its size and one byte per pixel, row by row.
    /// </summary>
    /// <exception cref="InvalidDataException">Not a label map, or no slice <paramref name="z"/>.</exception>
    public async Task<(int Columns, int Rows, byte[] Labels)> GetSliceAsync(Guid jobId, string runId, string path, int z, CancellationToken cancellationToken)
    {
        var key = new Key(jobId, runId, path);
        Task<LabelMap> load;
        var hit = false;
        lock (_gate)
        {
            if (_entries.TryGetValue(key, out var node))
            {
                _recency.Remove(node);
                _recency.AddFirst(node);
                load = node.Value.Load;
                hit = true;
            }
            else
            {
                // Not bound to this request: another request may wait for the same inflation. The entry is in the
                // dictionary before the inflation can finish (it takes this lock to be admitted).
                var entry = new Entry(key);
                _entries[key] = _recency.AddFirst(entry);
                load = entry.Load = Task.Run(() => LoadAsync(entry, path));
            }
        }

        if (hit)
        {
            _hitCounter.Add(1);
        }

        var map = await load.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (z < 0 || z >= map.Slices.Length)
        {
            throw new InvalidDataException($"Label map of {map.Columns}×{map.Rows}×{map.Slices.Length} has no slice {z}.");
        }

        // The cached slice is shared: the caller gets its own copy.
        return (map.Columns, map.Rows, map.Slices[z] is { } labels ? (byte[])labels.Clone() : new byte[map.Columns * map.Rows]);
    }

    public void Dispose() => _meter.Dispose();

    private async Task<LabelMap> LoadAsync(Entry entry, string path)
    {
        LabelMap map;
        try
        {
            map = await InflateAsync(path).ConfigureAwait(false);
        }
        catch
        {
            // A failed inflation is not kept: the next request tries again (and reports its own error).
            lock (_gate)
            {
                if (_entries.TryGetValue(entry.Key, out var node) && ReferenceEquals(node.Value, entry))
                {
                    _entries.Remove(entry.Key);
                    _recency.Remove(node);
                }
            }

            throw;
        }

        Admit(entry, map.Bytes);
        return map;
    }

    /// <summary>Counts a loaded map and evicts the least recently used ones beyond the budget (the new one too when it alone is over).</summary>
    private void Admit(Entry entry, long bytes)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue(entry.Key, out var node) || !ReferenceEquals(node.Value, entry))
            {
                return;
            }

            entry.Bytes = bytes;
            entry.Loaded = true;
            _cachedBytes += bytes;
            var candidate = _recency.Last;
            while (_cachedBytes > _budgetBytes && candidate is not null)
            {
                var previous = candidate.Previous;
                // An entry still loading is counted when it is admitted.
                if (candidate.Value.Loaded)
                {
                    _recency.Remove(candidate);
                    _entries.Remove(candidate.Value.Key);
                    _cachedBytes -= candidate.Value.Bytes;
                }

                candidate = previous;
            }
        }
    }

    private async Task<LabelMap> InflateAsync(string path)
    {
        Interlocked.Increment(ref _decodes);
        _decodeCounter.Add(1);
        await using var stream = await _stores.OpenReadAsync(path, CancellationToken.None).ConfigureAwait(false);
        return await ReadAsync(stream, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>A whole label map file (<c>LabelMapFile</c>'s layout), slice by slice; empty slices are not held.</summary>
    public static async Task<LabelMap> ReadAsync(Stream source, CancellationToken cancellationToken)
    {
        var header = new byte[24];
        await source.ReadExactlyAsync(header, cancellationToken).ConfigureAwait(false);
        if (!header.AsSpan(0, 8).SequenceEqual("RADAIMAP"u8) || BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(8)) != 1)
        {
            throw new InvalidDataException("Not a RadAI label map of version 1.");
        }

        var columns = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(12));
        var rows = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(16));
        var count = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(20));
        if (columns <= 0 || rows <= 0 || count < 0 || (long)columns * rows > Array.MaxLength)
        {
            throw new InvalidDataException($"Label map of {columns}×{rows}×{count} is not a valid size.");
        }

        var slices = new byte[]?[count];
        var buffer = new byte[columns * rows];
        await using var inflate = new DeflateStream(source, CompressionMode.Decompress, leaveOpen: true);
        for (var z = 0; z < count; z++)
        {
            await inflate.ReadExactlyAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (buffer.AsSpan().ContainsAnyExcept((byte)0))
            {
                slices[z] = buffer;
                buffer = new byte[columns * rows];
            }
        }

        return new LabelMap(columns, rows, slices);
    }

    /// <summary>A label map in memory: <c>null</c> for a slice without any label.</summary>
    public sealed record LabelMap(int Columns, int Rows, byte[]?[] Slices)
    {
        /// <summary>Bytes held (the slices with a label, and one reference per slice).</summary>
        public long Bytes { get; } = Slices.Sum(s => (long)(s?.Length ?? 0)) + (Slices.LongLength * IntPtr.Size);
    }

    private readonly record struct Key(Guid JobId, string RunId, string Path);

    private sealed class Entry(Key key)
    {
        public Key Key { get; } = key;

        public Task<LabelMap> Load { get; set; } = null!;

        public long Bytes { get; set; }

        public bool Loaded { get; set; }
    }
}
