using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;

namespace RadAI.Hosting.Storage;

/// <summary>
/// A write-only stream that seals what is written to it into <see cref="EncryptedFileFormat"/> chunks on
/// the stream it wraps, one chunk in memory at a time. <see cref="CompleteAsync"/> writes the final chunk: a stream
/// disposed without it leaves a file that readers reject as truncated.
/// </summary>
public sealed class EncryptingStream : Stream
{
    private readonly Stream _inner;
    private readonly AesGcm _aes;
    private readonly byte[] _header;
    // Pooled (one instance received after another reuses them); the plaintext one is cleared when given back.
    private readonly int _chunkBytes;
    private byte[] _plain;
    private byte[] _sealed;
    private bool _disposed;
    private readonly byte[] _associated;
    private int _buffered;
    private long _index;
    private long _position;
    private bool _headerWritten;
    private bool _completed;

    public EncryptingStream(Stream inner, string keyId, byte[] key, int chunkBytes = EncryptedFileFormat.DefaultChunkBytes)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkBytes, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(chunkBytes, EncryptedFileFormat.MaxChunkBytes);
        if (!EncryptedFileFormat.IsValidKeyId(keyId))
        {
            throw new ArgumentException($"Invalid key id '{keyId}'.", nameof(keyId));
        }

        _inner = inner;
        _aes = new AesGcm(key, EncryptedFileFormat.TagBytes);
        _header = EncryptedFileFormat.Header(keyId, chunkBytes);
        _chunkBytes = chunkBytes;
        _plain = ArrayPool<byte>.Shared.Rent(chunkBytes);
        _sealed = ArrayPool<byte>.Shared.Rent(EncryptedFileFormat.ChunkPrefixBytes + chunkBytes + EncryptedFileFormat.TagBytes);
        _associated = new byte[EncryptedFileFormat.AssociatedDataBytes(_header.Length)];
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => !_completed;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    // Synchronous writers (a DeflateStream's flush on dispose, for one) are served like asynchronous ones.
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_completed || _disposed, this);
        while (!buffer.IsEmpty)
        {
            if (_buffered == _chunkBytes)
            {
                _inner.Write(SealPending(final: false).Span);
            }

            var take = Math.Min(buffer.Length, _chunkBytes - _buffered);
            buffer[..take].CopyTo(_plain.AsSpan(_buffered));
            _buffered += take;
            _position += take;
            buffer = buffer[take..];
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_completed || _disposed, this);
        while (!buffer.IsEmpty)
        {
            // A full chunk is sealed only when more data comes: the last one must carry the final flag.
            if (_buffered == _chunkBytes)
            {
                await SealAsync(final: false, cancellationToken).ConfigureAwait(false);
            }

            var take = Math.Min(buffer.Length, _chunkBytes - _buffered);
            buffer.Span[..take].CopyTo(_plain.AsSpan(_buffered));
            _buffered += take;
            _position += take;
            buffer = buffer[take..];
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Seals the final chunk and flushes <see cref="_inner"/>; nothing can be written after.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        if (_completed)
        {
            return;
        }

        ObjectDisposedException.ThrowIf(_disposed, this);

        await SealAsync(final: true, cancellationToken).ConfigureAwait(false);
        _completed = true;
        await _inner.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    // Whole chunks are written on sealing: nothing is held back by the inner stream's flush.
    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            _aes.Dispose();
            ArrayPool<byte>.Shared.Return(_plain, clearArray: true);
            ArrayPool<byte>.Shared.Return(_sealed);
            _plain = _sealed = [];
        }

        base.Dispose(disposing);
    }

    private async Task SealAsync(bool final, CancellationToken cancellationToken)
    {
        if (!_headerWritten)
        {
            await _inner.WriteAsync(_header, cancellationToken).ConfigureAwait(false);
            _headerWritten = true;
        }

        await _inner.WriteAsync(SealPending(final), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Seals the buffered plaintext as the next chunk (after the header, written first when it was not).</summary>
    private ReadOnlyMemory<byte> SealPending(bool final)
    {
        if (!_headerWritten)
        {
            _inner.Write(_header);
            _headerWritten = true;
        }

        var flags = final ? EncryptedFileFormat.FinalFlag : (byte)0;
        var length = EncryptedFileFormat.ChunkPrefixBytes + _buffered + EncryptedFileFormat.TagBytes;
        var chunk = _sealed.AsSpan(0, length);
        chunk[0] = flags;
        BinaryPrimitives.WriteInt32LittleEndian(chunk[1..], _buffered);
        var nonce = chunk.Slice(5, EncryptedFileFormat.NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        EncryptedFileFormat.AssociatedData(_header, _index, flags, _associated);
        var cipher = chunk.Slice(EncryptedFileFormat.ChunkPrefixBytes, _buffered);
        var tag = chunk.Slice(EncryptedFileFormat.ChunkPrefixBytes + _buffered, EncryptedFileFormat.TagBytes);
        _aes.Encrypt(nonce, _plain.AsSpan(0, _buffered), cipher, tag, _associated);
        _index++;
        _buffered = 0;
        return _sealed.AsMemory(0, length);
    }
}
