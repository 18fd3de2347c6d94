using System.Buffers.Binary;

namespace RadAI.Dicom;

/// <summary>
/// A large value (pixel data, a big OB/OW, a fragment) kept out of memory: it is read from its
/// source only when asked, and copied to an output in chunks when written. The bytes it yields are
/// little endian whatever the source's byte order.
/// </summary>
public abstract class DicomBulkValue
{
    /// <summary>Length of the value in bytes.</summary>
    public abstract long Length { get; }

    /// <summary>Opens the value for reading from its start.</summary>
    public abstract Stream OpenRead();

    /// <summary>Reads <paramref name="count"/> bytes from <paramref name="offset"/> in the value (a frame of a large multi-frame image, say).</summary>
    public virtual async Task<byte[]> ReadRangeAsync(long offset, int count, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset + count, Length);
        var bytes = GC.AllocateUninitializedArray<byte>(count);
        await using var stream = OpenRead();
        var skip = new byte[Math.Min(offset, 81920)];
        for (var left = offset; left > 0;)
        {
            var n = await stream.ReadAsync(skip.AsMemory(0, (int)Math.Min(left, skip.Length)), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                throw new EndOfStreamException();
            }

            left -= n;
        }

        await stream.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
        return bytes;
    }

    /// <summary>Reads the whole value into a new array (only for values that fit in memory).</summary>
    public async Task<byte[]> ReadAllAsync(CancellationToken cancellationToken = default)
    {
        if (Length > Array.MaxLength)
        {
            throw new InvalidOperationException($"A value of {Length} bytes does not fit in one array; stream it with OpenRead.");
        }

        var bytes = GC.AllocateUninitializedArray<byte>((int)Length);
        await using var stream = OpenRead();
        await stream.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
        return bytes;
    }

    /// <summary>Copies the value to <paramref name="destination"/> in chunks.</summary>
    public async Task CopyToAsync(Stream destination, CancellationToken cancellationToken = default)
    {
        await using var stream = OpenRead();
        await stream.CopyToAsync(destination, 128 * 1024, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>A value held in memory.</summary>
public sealed class DicomMemoryBulkValue(ReadOnlyMemory<byte> bytes) : DicomBulkValue
{
    public ReadOnlyMemory<byte> Bytes => bytes;

    public override long Length => bytes.Length;

    public override Stream OpenRead() => new ReadOnlyMemoryStream(bytes);

    public override Task<byte[]> ReadRangeAsync(long offset, int count, CancellationToken cancellationToken = default) =>
        Task.FromResult(bytes.Slice(checked((int)offset), count).ToArray());

    private sealed class ReadOnlyMemoryStream(ReadOnlyMemory<byte> memory) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => memory.Length;

        public override long Position { get => _position; set => _position = (int)Math.Clamp(value, 0, memory.Length); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = Math.Min(buffer.Length, memory.Length - _position);
            memory.Span.Slice(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => memory.Length + offset,
        };

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

/// <summary>
/// A value stored as a region of a file, read when asked by opening the file again and seeking to it: nothing of it
/// stays in memory meanwhile. <c>swapUnit</c> &gt; 1 means the file is big endian and words of that many bytes are
/// swapped while reading. A file that has become shorter than the region is a <see cref="DicomFormatException"/>.
/// </summary>
public abstract class DicomFileRegionValue(long offset, long length, int swapUnit) : DicomBulkValue
{
    /// <summary>Where the value starts in the file.</summary>
    public long Offset => offset;

    public override long Length => length;

    /// <summary>What messages name: the file's path.</summary>
    protected abstract string FileName { get; }

    /// <summary>Opens the file for a sequential read of the whole value.</summary>
    protected abstract Stream OpenFile();

    /// <summary>Opens the file for one positioned read of a range.</summary>
    protected abstract ValueTask<Stream> OpenFileForRangeAsync(CancellationToken cancellationToken);

    public override async Task<byte[]> ReadRangeAsync(long start, int count, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + count, length);
        // Seek straight to the range (whole words when the value is swapped).
        var alignedStart = swapUnit > 1 ? start - (start % swapUnit) : start;
        var alignedEnd = swapUnit > 1 ? Math.Min(length, (start + count + swapUnit - 1) / swapUnit * swapUnit) : start + count;
        var bytes = GC.AllocateUninitializedArray<byte>(checked((int)(alignedEnd - alignedStart)));
        var stream = await OpenFileForRangeAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            CheckLength(stream);
            stream.Position = offset + alignedStart;
            await stream.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
        }

        if (swapUnit > 1)
        {
            ByteSwappingStream.Swap(bytes, swapUnit);
        }

        return alignedStart == start && bytes.Length == count ? bytes : bytes.AsSpan((int)(start - alignedStart), count).ToArray();
    }

    public override Stream OpenRead()
    {
        var stream = OpenFile();
        try
        {
            CheckLength(stream);
            stream.Position = offset;
        }
        catch
        {
            stream.Dispose();
            throw;
        }

        Stream region = new RegionStream(stream, length);
        return swapUnit > 1 ? new ByteSwappingStream(region, swapUnit) : region;
    }

    private void CheckLength(Stream stream)
    {
        if (stream.Length < offset + length)
        {
            throw new DicomFormatException($"{FileName} is shorter than when it was read: the value at byte {offset} ({length} bytes) is gone.");
        }
    }

    internal sealed class RegionStream(Stream inner, long regionLength) : Stream
    {
        private long _consumed;

        private long Remaining => regionLength - _consumed;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => regionLength;

        public override long Position { get => _consumed; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (Remaining == 0)
            {
                return 0;
            }

            var n = inner.Read(buffer[..(int)Math.Min(buffer.Length, Remaining)]);
            _consumed += n;
            return n;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Remaining == 0)
            {
                return 0;
            }

            var n = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, Remaining)], cancellationToken).ConfigureAwait(false);
            _consumed += n;
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}

/// <summary>A region of a plain file, read on demand (see <see cref="DicomFileRegionValue"/>).</summary>
public sealed class DicomFileBulkValue(string path, long offset, long length, int swapUnit = 1) : DicomFileRegionValue(offset, length, swapUnit)
{
    public string Path => path;

    protected override string FileName => path;

    protected override Stream OpenFile() => IO.DicomFileSource.OpenSequential(path);

    protected override ValueTask<Stream> OpenFileForRangeAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<Stream>(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1, FileOptions.Asynchronous));
}

/// <summary>Swaps the bytes of each word of <c>unit</c> bytes read through it (big endian → little endian).</summary>
internal sealed class ByteSwappingStream(Stream inner, int unit) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => inner.Length;

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var want = WholeWords(buffer.Length);
        var filled = 0;
        // Whole words only, so that each word is swapped exactly once; a short read is completed.
        while (filled < want && (filled == 0 || filled % unit != 0))
        {
            var n = inner.Read(buffer[filled..want]);
            if (n == 0)
            {
                break;
            }

            filled += n;
        }

        return SwapFilled(buffer, filled);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var want = WholeWords(buffer.Length);
        var filled = 0;
        while (filled < want && (filled == 0 || filled % unit != 0))
        {
            var n = await inner.ReadAsync(buffer[filled..want], cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            filled += n;
        }

        return SwapFilled(buffer.Span, filled);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private int WholeWords(int length) => length < unit
        ? throw new ArgumentException($"Read at least {unit} bytes at a time.", nameof(length))
        : length - (length % unit);

    private int SwapFilled(Span<byte> buffer, int filled)
    {
        // A trailing partial word can only be the end of an odd-length value: delivered as is.
        Swap(buffer[..(filled - (filled % unit))], unit);
        return filled;
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    internal static void Swap(Span<byte> data, int unit)
    {
        switch (unit)
        {
            case 2:
                var shorts = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(data[..(data.Length & ~1)]);
                BinaryPrimitives.ReverseEndianness(shorts, shorts);
                break;
            case 4:
                var ints = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(data[..(data.Length & ~3)]);
                BinaryPrimitives.ReverseEndianness(ints, ints);
                break;
            case 8:
                var longs = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(data[..(data.Length & ~7)]);
                BinaryPrimitives.ReverseEndianness(longs, longs);
                break;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
