namespace RadAI.Dicom;

/// <summary>
/// Storage for the small values of a parsed dataset: values are appended to large shared chunks and
/// exposed as slices, so reading a file costs a few chunk allocations, not one array per element.
/// Chunks double from 1 KiB: a typical image header holds 1–4 KB of values, and a larger first chunk
/// would be allocated, mostly unused, for every file.
/// </summary>
internal sealed class DicomValueArena
{
    private const int FirstChunkSize = 1024;
    private const int MaxChunkSize = 256 * 1024;
    private byte[] _chunk = [];
    private int _used;
    private int _nextChunkSize = FirstChunkSize;

    /// <summary>Reserves <paramref name="length"/> bytes; write them through the span, keep the memory.</summary>
    public Span<byte> Allocate(int length, out ReadOnlyMemory<byte> memory)
    {
        if (length == 0)
        {
            memory = ReadOnlyMemory<byte>.Empty;
            return [];
        }

        if (length > _chunk.Length - _used)
        {
            if (length > MaxChunkSize / 4)
            {
                // A large value gets its own array; the current chunk keeps serving small ones.
                var own = GC.AllocateUninitializedArray<byte>(length);
                memory = own;
                return own;
            }

            _chunk = GC.AllocateUninitializedArray<byte>(Math.Max(_nextChunkSize, length));
            _used = 0;
            _nextChunkSize = Math.Min(_nextChunkSize * 2, MaxChunkSize);
        }

        memory = new ReadOnlyMemory<byte>(_chunk, _used, length);
        var span = _chunk.AsSpan(_used, length);
        _used += length;
        return span;
    }

    /// <summary>Copies <paramref name="value"/> in.</summary>
    public ReadOnlyMemory<byte> Append(ReadOnlySpan<byte> value)
    {
        value.CopyTo(Allocate(value.Length, out var memory));
        return memory;
    }
}
