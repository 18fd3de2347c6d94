using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace RadAI.Hosting.Storage;

/// <summary>
/// A read-only stream over a file in <see cref="EncryptedFileFormat"/>: chunks are authenticated and decrypted one
/// at a time as they are read. Any alteration, reordering or truncation ends in an <see cref="InvalidDataException"/>
/// naming the file; no unauthenticated byte is ever returned.
/// Over a seekable file the stream seeks too (a DICOM reader skipping pixel data, or reading one frame): every chunk
/// but the final one holds exactly the header's chunk size, so the chunk of any position is found by arithmetic and
/// only that chunk is read and authenticated. <see cref="Length"/> authenticates the final chunk (its index and final
/// flag are sealed with it), so a file cut at a chunk boundary has no length: it is a clear error there too.
/// </summary>
public sealed class DecryptingStream : Stream
{
    private readonly Stream _inner;
    private readonly string _name;
    private readonly AesGcm _aes;
    private readonly byte[] _header;
    // Pooled; the plaintext one is cleared when given back.
    private byte[] _sealed;
    private byte[] _plain;
    private bool _disposed;
    private readonly byte[] _associated;
    private readonly int _chunkBytes;

    // Where the first chunk starts in the inner stream; -1 when it cannot seek.
    private readonly long _dataStart;

    // One byte read past the final chunk: there must be none.
    private readonly byte[] _probe = new byte[1];

    // The chunk whose plaintext is in _plain (-1: none), its length and whether it is the final one.
    private long _loaded = -1;
    private int _loadedLength;
    private bool _loadedFinal;

    // The chunk the inner stream is positioned at (read next without seeking).
    private long _innerChunk;
    private long _position;
    private long? _length;

    private DecryptingStream(Stream inner, string name, byte[] header, byte[] key, int chunkBytes)
    {
        _inner = inner;
        _name = name;
        _header = header;
        _chunkBytes = chunkBytes;
        _aes = new AesGcm(key, EncryptedFileFormat.TagBytes);
        _sealed = ArrayPool<byte>.Shared.Rent(SealedChunkBytes);
        _plain = ArrayPool<byte>.Shared.Rent(chunkBytes);
        _associated = new byte[EncryptedFileFormat.AssociatedDataBytes(header.Length)];
        _dataStart = inner.CanSeek ? inner.Position : -1;
    }

    /// <summary>The key id named by the file's header.</summary>
    public string KeyId => Encoding.ASCII.GetString(_header, EncryptedFileFormat.FixedHeaderBytes, _header[EncryptedFileFormat.Magic.Length + 1]);

    private int SealedChunkBytes => EncryptedFileFormat.ChunkPrefixBytes + _chunkBytes + EncryptedFileFormat.TagBytes;

    /// <summary>Reads the header of <paramref name="inner"/> (at its start) and returns the stream of its plaintext.</summary>
    /// <exception cref="InvalidDataException">Not an encrypted file, a damaged header, or a key that is not configured (named).</exception>
    public static async Task<DecryptingStream> OpenAsync(Stream inner, string name, AtRestKeyRing keys, CancellationToken cancellationToken)
    {
        var fixedPart = new byte[EncryptedFileFormat.FixedHeaderBytes];
        CheckHeaderPart(await inner.ReadAtLeastAsync(fixedPart, fixedPart.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false), fixedPart.Length, name);
        var rest = new byte[KeyIdLength(fixedPart, name) + 4];
        CheckHeaderPart(await inner.ReadAtLeastAsync(rest, rest.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false), rest.Length, name);
        return Create(inner, name, keys, fixedPart, rest);
    }

    /// <summary>Synchronous <see cref="OpenAsync"/>, for readers whose API is synchronous (a lazily read DICOM value).</summary>
    /// <exception cref="InvalidDataException">Not an encrypted file, a damaged header, or a key that is not configured (named).</exception>
    public static DecryptingStream Open(Stream inner, string name, AtRestKeyRing keys)
    {
        var fixedPart = new byte[EncryptedFileFormat.FixedHeaderBytes];
        CheckHeaderPart(inner.ReadAtLeast(fixedPart, fixedPart.Length, throwOnEndOfStream: false), fixedPart.Length, name);
        var rest = new byte[KeyIdLength(fixedPart, name) + 4];
        CheckHeaderPart(inner.ReadAtLeast(rest, rest.Length, throwOnEndOfStream: false), rest.Length, name);
        return Create(inner, name, keys, fixedPart, rest);
    }

    private static int KeyIdLength(byte[] fixedPart, string name)
    {
        var magic = EncryptedFileFormat.Magic.Length;
        if (!fixedPart.AsSpan(0, magic).SequenceEqual(EncryptedFileFormat.Magic))
        {
            throw new InvalidDataException($"{name} is not an encrypted store file.");
        }

        if (fixedPart[magic] != EncryptedFileFormat.Version)
        {
            throw new InvalidDataException($"{name} has encryption format version {fixedPart[magic]}; this node reads version {EncryptedFileFormat.Version}.");
        }

        return fixedPart[magic + 1];
    }

    private static DecryptingStream Create(Stream inner, string name, AtRestKeyRing keys, byte[] fixedPart, byte[] rest)
    {
        var idLength = rest.Length - 4;
        var keyId = Encoding.ASCII.GetString(rest, 0, idLength);
        var chunkBytes = BinaryPrimitives.ReadInt32LittleEndian(rest.AsSpan(idLength));
        if (!EncryptedFileFormat.IsValidKeyId(keyId) || chunkBytes is < 1 or > EncryptedFileFormat.MaxChunkBytes)
        {
            throw new InvalidDataException($"{name} has a damaged encryption header.");
        }

        var key = keys.KeyOf(keyId, name);
        return new DecryptingStream(inner, name, [.. fixedPart, .. rest], key, chunkBytes);
    }

    private static void CheckHeaderPart(int read, int expected, string name)
    {
        if (read < expected)
        {
            throw new InvalidDataException($"{name} is truncated: its encryption header is incomplete.");
        }
    }

    public override bool CanRead => true;
    public override bool CanSeek => _dataStart >= 0;
    public override bool CanWrite => false;

    /// <summary>The plaintext length; the final chunk is authenticated to know it.</summary>
    /// <exception cref="InvalidDataException">The file is truncated or damaged (named).</exception>
    public override long Length => _length ??= MeasureLength();

    public override long Position
    {
        get => _position;
        set => Seek(value, SeekOrigin.Begin);
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        if (!CanSeek)
        {
            throw new NotSupportedException($"{_name}: the underlying stream cannot seek.");
        }

        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => Length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        ArgumentOutOfRangeException.ThrowIfNegative(target, nameof(offset));

        // The chunk is read (and authenticated) when the next read needs it.
        _position = target;
        return target;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    // Synchronous readers are served like asynchronous ones (the same checks, on the inner stream's synchronous reads).
    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (buffer.IsEmpty)
        {
            return 0;
        }

        var chunk = _position / _chunkBytes;
        if (NeedsChunk(chunk))
        {
            if (AtEnd(chunk))
            {
                return 0;
            }

            LoadChunk(chunk);
        }

        return CopyOut(buffer);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (buffer.IsEmpty)
        {
            return 0;
        }

        var chunk = _position / _chunkBytes;
        if (NeedsChunk(chunk))
        {
            if (AtEnd(chunk))
            {
                return 0;
            }

            PositionInner(chunk);
            var prefix = EncryptedFileFormat.ChunkPrefixBytes;
            var length = ChunkLength(await _inner.ReadAtLeastAsync(_sealed.AsMemory(0, prefix), prefix, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false), chunk);
            var body = length + EncryptedFileFormat.TagBytes;
            CheckBody(await _inner.ReadAtLeastAsync(_sealed.AsMemory(prefix, body), body, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false), body, chunk);
            var final = (_sealed[0] & EncryptedFileFormat.FinalFlag) != 0;
            OpenChunk(chunk, length, trailing: final && await _inner.ReadAsync(_probe, cancellationToken).ConfigureAwait(false) != 0);
        }

        return CopyOut(buffer.Span);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            ReleaseBuffers();
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        ReleaseBuffers();
        await _inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private void ReleaseBuffers()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _aes.Dispose();
        ArrayPool<byte>.Shared.Return(_plain, clearArray: true);
        ArrayPool<byte>.Shared.Return(_sealed);
        _plain = _sealed = [];
        _loaded = -1;
    }

    /// <summary>
    /// Whether <paramref name="chunk"/> must be read. Before a seek the length is settled first (it authenticates the final
    /// chunk, which may be the one wanted), so that a position past the end reads as the end, not as a truncated file.
    /// </summary>
    private bool NeedsChunk(long chunk)
    {
        if (chunk == _loaded)
        {
            return false;
        }

        if (chunk != _innerChunk && CanSeek && _length is null)
        {
            _length = MeasureLength();
        }

        return chunk != _loaded;
    }

    /// <summary>Whether <paramref name="chunk"/> lies past the end: after the final chunk, or at or past a known length.</summary>
    private bool AtEnd(long chunk) =>
        (_loaded >= 0 && _loadedFinal && chunk > _loaded) || (_length is { } length && _position >= length);

    /// <summary>Moves the inner stream to <paramref name="chunk"/> unless it is there already (sequential reading).</summary>
    private void PositionInner(long chunk)
    {
        if (chunk == _innerChunk)
        {
            return;
        }

        if (!CanSeek)
        {
            throw new NotSupportedException($"{_name}: the underlying stream cannot seek.");
        }

        _inner.Position = _dataStart + (chunk * SealedChunkBytes);
        _innerChunk = chunk;
    }

    private int CopyOut(Span<byte> buffer)
    {
        var within = (int)(_position - (_loaded * _chunkBytes));
        if (within >= _loadedLength)
        {
            // Only the final chunk is short: a position past its end is the end of the file.
            return 0;
        }

        var take = Math.Min(buffer.Length, _loadedLength - within);
        _plain.AsSpan(within, take).CopyTo(buffer);
        _position += take;
        return take;
    }

    /// <summary>
    /// The plaintext length from the file's length (every chunk but the final one is full), confirmed by authenticating
    /// the final chunk: its index and final flag are sealed with it.
    /// </summary>
    private long MeasureLength()
    {
        if (!CanSeek)
        {
            throw new NotSupportedException($"{_name}: the underlying stream cannot seek.");
        }

        var sealedChunk = SealedChunkBytes;
        var overhead = EncryptedFileFormat.ChunkPrefixBytes + EncryptedFileFormat.TagBytes;
        var body = _inner.Length - _dataStart;
        if (body < overhead)
        {
            throw new InvalidDataException($"{_name} is truncated: it has no final chunk.");
        }

        var last = ((body + sealedChunk - 1) / sealedChunk) - 1;
        if (body - (last * sealedChunk) < overhead)
        {
            // Too short for a chunk: bytes after a full final chunk (its read says so), or a chunk cut short.
            if (last > 0)
            {
                LoadChunk(last - 1);
            }

            throw new InvalidDataException($"{_name} is truncated inside chunk {last}.");
        }

        if (_loaded != last)
        {
            LoadChunk(last);
        }

        if (!_loadedFinal)
        {
            throw new InvalidDataException($"{_name} is truncated: it ends after chunk {last} without its final chunk.");
        }

        return (last * _chunkBytes) + _loadedLength;
    }

    /// <summary>Reads, authenticates and decrypts <paramref name="chunk"/> (synchronously) into <see cref="_plain"/>.</summary>
    private void LoadChunk(long chunk)
    {
        PositionInner(chunk);
        var prefix = EncryptedFileFormat.ChunkPrefixBytes;
        var length = ChunkLength(_inner.ReadAtLeast(_sealed.AsSpan(0, prefix), prefix, throwOnEndOfStream: false), chunk);
        var body = length + EncryptedFileFormat.TagBytes;
        CheckBody(_inner.ReadAtLeast(_sealed.AsSpan(prefix, body), body, throwOnEndOfStream: false), body, chunk);
        OpenChunk(chunk, length, trailing: (_sealed[0] & EncryptedFileFormat.FinalFlag) != 0 && _inner.Read(_probe) != 0);
    }

    /// <summary>The plaintext length of the chunk whose prefix was read (<paramref name="read"/> bytes of it).</summary>
    private int ChunkLength(int read, long chunk)
    {
        if (read < EncryptedFileFormat.ChunkPrefixBytes)
        {
            throw new InvalidDataException($"{_name} is truncated: it ends after chunk {chunk - 1} without its final chunk.");
        }

        var flags = _sealed[0];
        var length = BinaryPrimitives.ReadInt32LittleEndian(_sealed.AsSpan(1));
        var final = (flags & EncryptedFileFormat.FinalFlag) != 0;

        // Every chunk but the final one is full: what makes a position's chunk computable.
        if (length < 0 || length > _chunkBytes || (!final && length != _chunkBytes) || (flags & ~EncryptedFileFormat.FinalFlag) != 0)
        {
            throw new InvalidDataException($"{_name} has a damaged chunk {chunk}.");
        }

        return length;
    }

    private void CheckBody(int read, int body, long chunk)
    {
        if (read < body)
        {
            throw new InvalidDataException($"{_name} is truncated inside chunk {chunk}.");
        }
    }

    /// <summary>Authenticates and decrypts the chunk in <see cref="_sealed"/>; the final one must end the file.</summary>
    private void OpenChunk(long chunk, int length, bool trailing)
    {
        var flags = _sealed[0];
        var prefix = EncryptedFileFormat.ChunkPrefixBytes;
        EncryptedFileFormat.AssociatedData(_header, chunk, flags, _associated);

        // Whatever happens below, _plain no longer holds the chunk it held.
        _loaded = -1;
        _innerChunk = -1;
        try
        {
            _aes.Decrypt(
                _sealed.AsSpan(5, EncryptedFileFormat.NonceBytes),
                _sealed.AsSpan(prefix, length),
                _sealed.AsSpan(prefix + length, EncryptedFileFormat.TagBytes),
                _plain.AsSpan(0, length),
                _associated);
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new InvalidDataException($"{_name} fails authentication at chunk {chunk}: the file was altered, reordered or sealed with another key (key id '{KeyId}').");
        }

        if (trailing)
        {
            throw new InvalidDataException($"{_name} has data after its final chunk.");
        }

        _loaded = chunk;
        _loadedLength = length;
        _loadedFinal = (flags & EncryptedFileFormat.FinalFlag) != 0;
        _innerChunk = _loadedFinal ? -1 : chunk + 1;
    }
}
