using System.Buffers;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace RadAI.Dicom.IO;

/// <summary>
/// A buffered window over the input, for the parser: bytes are pulled from the stream as the parser
/// asks (so a value that arrives in pieces is no problem), a large value can be skipped by seeking,
/// and over memory input nothing is copied at all.
/// </summary>
internal sealed class DicomInput : IDisposable
{
    private const int DefaultBufferSize = 64 * 1024;
    private readonly Stream? _stream;

    // A file is read with positioned synchronous reads (RandomAccess) through its handle: the stream's
    // ReadAsync would run each read as a thread-pool work item, a round trip of two context switches
    // for microseconds of copying from the page cache. The stream's own position is left alone.
    private readonly SafeFileHandle? _file;
    private readonly bool _pooled;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private long _bufferOrigin;
    private bool _endOfStream;

    private DicomInput(Stream? stream, byte[] buffer, int start, int end, bool pooled, long? endPosition, string? filePath, ReadOnlyMemory<byte> memory)
    {
        _stream = stream;
        _buffer = buffer;
        _start = start;
        _end = end;
        _bufferOrigin = -start;
        _pooled = pooled;
        EndPosition = endPosition;
        FilePath = filePath;
        Memory = memory;
        _endOfStream = stream is null;
        if (stream is FileStream { CanSeek: true } file && filePath is not null)
        {
            _file = file.SafeFileHandle;
        }
    }

    /// <summary>Position just past the last byte, when known (memory, seekable file): no value may extend past it.</summary>
    public long? EndPosition { get; }

    /// <summary>The file behind the stream, when there is one: large values become lazy references to it.</summary>
    public string? FilePath { get; }

    /// <summary>The whole input, for memory input (values become slices of it).</summary>
    public ReadOnlyMemory<byte> Memory { get; }

    public bool IsMemory => _stream is null;

    /// <summary>Offset of the next unread byte from the start of the input.</summary>
    public long Position => _bufferOrigin + _start;

    /// <summary>Buffered bytes not yet consumed.</summary>
    public int Available => _end - _start;

    /// <summary>The buffered, unconsumed bytes.</summary>
    public ReadOnlySpan<byte> Span => _buffer.AsSpan(_start, _end - _start);

    /// <summary>True when the whole input has been consumed.</summary>
    public bool AtEnd => Available == 0 && _endOfStream;

    public static DicomInput FromMemory(ReadOnlyMemory<byte> memory)
    {
        if (!MemoryMarshal.TryGetArray(memory, out var segment))
        {
            segment = new ArraySegment<byte>(memory.ToArray());
        }

        return new DicomInput(null, segment.Array!, segment.Offset, segment.Offset + segment.Count, pooled: false, memory.Length, null, memory);
    }

    /// <summary>The source the input was opened from when it is not a plain file: large values become lazy references to it.</summary>
    public DicomFileSource? Source { get; private init; }

    /// <summary>Whether large values can stay where they are (read later from the file or source, or sliced from memory).</summary>
    public bool CanDeferValues => EndPosition is not null && (FilePath is not null || Source is not null);

    /// <summary>A large value at <paramref name="position"/> of the file or source, read when asked.</summary>
    public DicomBulkValue DeferredValue(long position, long length, int swapUnit = 1) =>
        Source is not null ? new DicomSourceBulkValue(Source, position, length, swapUnit) : new DicomFileBulkValue(FilePath!, position, length, swapUnit);

    /// <summary>An input over a stream opened from <paramref name="source"/> (seekable, not the plain file).</summary>
    public static DicomInput FromSource(Stream stream, DicomFileSource source) =>
        new(stream, ArrayPool<byte>.Shared.Rent(DefaultBufferSize), 0, 0, pooled: true, stream.Length, null, ReadOnlyMemory<byte>.Empty)
        {
            _bufferOrigin = stream.Position,
            Source = source,
        };

    public static DicomInput FromStream(Stream stream, string? filePath = null) =>
        new(stream, ArrayPool<byte>.Shared.Rent(DefaultBufferSize), 0, 0, pooled: true,
            stream.CanSeek ? stream.Length : null, filePath, ReadOnlyMemory<byte>.Empty)
        {
            _bufferOrigin = stream.CanSeek ? stream.Position : 0,
        };

    /// <summary>Makes <paramref name="count"/> bytes available; false when the input ends first.</summary>
    public ValueTask<bool> EnsureAsync(int count, CancellationToken cancellationToken) =>
        Available >= count ? ValueTask.FromResult(true) : FillAsync(count, cancellationToken);

    private async ValueTask<bool> FillAsync(int count, CancellationToken cancellationToken)
    {
        if (_endOfStream)
        {
            return false;
        }

        if (count > _buffer.Length - _start)
        {
            // Move what is left to the front, growing the buffer when one value needs more.
            var target = _buffer;
            if (count > _buffer.Length)
            {
                target = ArrayPool<byte>.Shared.Rent(Math.Max(count, _buffer.Length * 2));
            }

            var remaining = Available;
            Buffer.BlockCopy(_buffer, _start, target, 0, remaining);
            if (!ReferenceEquals(target, _buffer))
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = target;
            }

            _bufferOrigin += _start;
            _start = 0;
            _end = remaining;
        }

        while (Available < count)
        {
            var read = await ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                _endOfStream = true;
                return false;
            }

            _end += read;
        }

        return true;
    }

    public void Advance(int count) => _start += count;

    /// <summary>Skips <paramref name="count"/> bytes: within the buffer, by seeking, or by reading and discarding.</summary>
    public async ValueTask SkipAsync(long count, CancellationToken cancellationToken)
    {
        if (count <= Available)
        {
            _start += (int)count;
            return;
        }

        count -= Available;
        _bufferOrigin += _end;
        _start = _end = 0;
        if (_file is not null)
        {
            // The next read starts at the new position.
            _bufferOrigin += count;
            return;
        }

        if (_stream is { CanSeek: true })
        {
            _stream.Position += count;
            _bufferOrigin += count;
            return;
        }

        while (count > 0)
        {
            var read = await ReadAsync(_buffer.AsMemory(0, (int)Math.Min(_buffer.Length, count)), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                _endOfStream = true;
                throw new EndOfStreamException();
            }

            count -= read;
            _bufferOrigin += read;
        }
    }

    /// <summary>Copies the next <paramref name="destination"/>.Length bytes out; false when the input ends first.</summary>
    public async ValueTask<bool> ReadIntoAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        var fromBuffer = Math.Min(Available, destination.Length);
        Span[..fromBuffer].CopyTo(destination.Span);
        _start += fromBuffer;
        var filled = fromBuffer;
        if (filled == destination.Length)
        {
            return true;
        }

        // Large remainder: straight from the stream into the destination.
        _bufferOrigin += _end;
        _start = _end = 0;
        while (filled < destination.Length && !_endOfStream)
        {
            var read = await ReadAsync(destination[filled..], cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                _endOfStream = true;
                break;
            }

            filled += read;
            _bufferOrigin += read;
        }

        return filled == destination.Length;
    }

    /// <summary>Reads from the input's source at the end of the buffered bytes.</summary>
    private ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (_file is null)
        {
            return _stream!.ReadAsync(destination, cancellationToken);
        }

        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(RandomAccess.Read(_file, destination.Span, _bufferOrigin + _end));
    }

    /// <summary>The unconsumed buffer followed by the rest of the stream (for the deflated part of a file).</summary>
    public Stream DetachRemainder()
    {
        var head = Span.ToArray();
        if (_file is not null)
        {
            // Reads went through the handle: the stream continues after the buffered bytes.
            _stream!.Position = _bufferOrigin + _end;
        }

        _start = _end;
        return new ConcatenatedStream(head, _stream ?? Stream.Null);
    }

    public void Dispose()
    {
        if (_pooled)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }

    private sealed class ConcatenatedStream(byte[] head, Stream tail) : Stream
    {
        private int _headPosition;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_headPosition < head.Length)
            {
                var n = Math.Min(buffer.Length, head.Length - _headPosition);
                head.AsSpan(_headPosition, n).CopyTo(buffer);
                _headPosition += n;
                return n;
            }

            return tail.Read(buffer);
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_headPosition < head.Length)
            {
                return ValueTask.FromResult(Read(buffer.Span));
            }

            return tail.ReadAsync(buffer, cancellationToken);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
