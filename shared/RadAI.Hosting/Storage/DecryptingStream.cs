using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace RadAI.Hosting.Storage;

/// <summary>
/// A read-only stream over a file in <see cref="EncryptedFileFormat"/>: chunks are authenticated and decrypted one
/// at a time as they are read. Any alteration, reordering or truncation ends in an <see cref="InvalidDataException"/>
/// naming the file; no unauthenticated byte is ever returned.
/// </summary>
public sealed class DecryptingStream : Stream
{
    private readonly Stream _inner;
    private readonly string _name;
    private readonly AesGcm _aes;
    private readonly byte[] _header;
    private readonly byte[] _sealed;
    private readonly byte[] _plain;
    private readonly byte[] _associated;

    // One byte read past the final chunk: there must be none.
    private readonly byte[] _probe = new byte[1];
    private int _offset;
    private int _available;
    private long _index;
    private long _position;
    private bool _finalSeen;

    private DecryptingStream(Stream inner, string name, byte[] header, byte[] key, int chunkBytes)
    {
        _inner = inner;
        _name = name;
        _header = header;
        _aes = new AesGcm(key, EncryptedFileFormat.TagBytes);
        _sealed = new byte[EncryptedFileFormat.ChunkPrefixBytes + chunkBytes + EncryptedFileFormat.TagBytes];
        _plain = new byte[chunkBytes];
        _associated = new byte[EncryptedFileFormat.AssociatedDataBytes(header.Length)];
    }

    /// <summary>Reads the header of <paramref name="inner"/> (at its start) and returns the stream of its plaintext.</summary>
    /// <exception cref="InvalidDataException">Not an encrypted file, a damaged header, or a key that is not configured (named).</exception>
    public static async Task<DecryptingStream> OpenAsync(Stream inner, string name, AtRestKeyRing keys, CancellationToken cancellationToken)
    {
        var magic = EncryptedFileFormat.Magic.Length;
        var fixedPart = new byte[EncryptedFileFormat.FixedHeaderBytes];
        await ReadHeaderPartAsync(inner, fixedPart, name, cancellationToken).ConfigureAwait(false);
        if (!fixedPart.AsSpan(0, magic).SequenceEqual(EncryptedFileFormat.Magic))
        {
            throw new InvalidDataException($"{name} is not an encrypted store file.");
        }

        if (fixedPart[magic] != EncryptedFileFormat.Version)
        {
            throw new InvalidDataException($"{name} has encryption format version {fixedPart[magic]}; this node reads version {EncryptedFileFormat.Version}.");
        }

        var idLength = fixedPart[magic + 1];
        var rest = new byte[idLength + 4];
        await ReadHeaderPartAsync(inner, rest, name, cancellationToken).ConfigureAwait(false);
        var keyId = Encoding.ASCII.GetString(rest, 0, idLength);
        var chunkBytes = BinaryPrimitives.ReadInt32LittleEndian(rest.AsSpan(idLength));
        if (!EncryptedFileFormat.IsValidKeyId(keyId) || chunkBytes is < 1 or > EncryptedFileFormat.MaxChunkBytes)
        {
            throw new InvalidDataException($"{name} has a damaged encryption header.");
        }

        var key = keys.KeyOf(keyId, name);
        return new DecryptingStream(inner, name, [.. fixedPart, .. rest], key, chunkBytes);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    // Synchronous readers are served like asynchronous ones (the same checks, on the inner stream's synchronous reads).
    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (_available == 0)
        {
            if (_finalSeen)
            {
                return 0;
            }

            var prefix = EncryptedFileFormat.ChunkPrefixBytes;
            var length = ChunkLength(_inner.ReadAtLeast(_sealed.AsSpan(0, prefix), prefix, throwOnEndOfStream: false));
            var body = length + EncryptedFileFormat.TagBytes;
            CheckBody(_inner.ReadAtLeast(_sealed.AsSpan(prefix, body), body, throwOnEndOfStream: false), body);
            OpenChunk(length, trailing: (_sealed[0] & EncryptedFileFormat.FinalFlag) != 0 && _inner.Read(_probe) != 0);
        }

        var take = Math.Min(buffer.Length, _available);
        _plain.AsSpan(_offset, take).CopyTo(buffer);
        _offset += take;
        _available -= take;
        _position += take;
        return take;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (_available == 0)
        {
            if (_finalSeen)
            {
                return 0;
            }

            await OpenChunkAsync(cancellationToken).ConfigureAwait(false);
        }

        var take = Math.Min(buffer.Length, _available);
        _plain.AsMemory(_offset, take).CopyTo(buffer);
        _offset += take;
        _available -= take;
        _position += take;
        return take;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _aes.Dispose();
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        _aes.Dispose();
        await _inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private static async Task ReadHeaderPartAsync(Stream inner, byte[] destination, string name, CancellationToken cancellationToken)
    {
        var read = await inner.ReadAtLeastAsync(destination, destination.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (read < destination.Length)
        {
            throw new InvalidDataException($"{name} is truncated: its encryption header is incomplete.");
        }
    }

    private async Task OpenChunkAsync(CancellationToken cancellationToken)
    {
        var prefix = EncryptedFileFormat.ChunkPrefixBytes;
        var length = ChunkLength(await _inner.ReadAtLeastAsync(_sealed.AsMemory(0, prefix), prefix, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false));
        var body = length + EncryptedFileFormat.TagBytes;
        CheckBody(await _inner.ReadAtLeastAsync(_sealed.AsMemory(prefix, body), body, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false), body);
        var final = (_sealed[0] & EncryptedFileFormat.FinalFlag) != 0;
        OpenChunk(length, trailing: final && await _inner.ReadAsync(_probe, cancellationToken).ConfigureAwait(false) != 0);
    }

    /// <summary>The plaintext length of the chunk whose prefix was read (<paramref name="read"/> bytes of it).</summary>
    private int ChunkLength(int read)
    {
        if (read < EncryptedFileFormat.ChunkPrefixBytes)
        {
            throw new InvalidDataException($"{_name} is truncated: it ends after chunk {_index - 1} without its final chunk.");
        }

        var flags = _sealed[0];
        var length = BinaryPrimitives.ReadInt32LittleEndian(_sealed.AsSpan(1));
        if (length < 0 || length > _plain.Length || (flags & ~EncryptedFileFormat.FinalFlag) != 0)
        {
            throw new InvalidDataException($"{_name} has a damaged chunk {_index}.");
        }

        return length;
    }

    private void CheckBody(int read, int body)
    {
        if (read < body)
        {
            throw new InvalidDataException($"{_name} is truncated inside chunk {_index}.");
        }
    }

    /// <summary>Authenticates and decrypts the chunk in <see cref="_sealed"/>; the final one must end the file.</summary>
    private void OpenChunk(int length, bool trailing)
    {
        var flags = _sealed[0];
        var prefix = EncryptedFileFormat.ChunkPrefixBytes;
        EncryptedFileFormat.AssociatedData(_header, _index, flags, _associated);
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
            throw new InvalidDataException($"{_name} fails authentication at chunk {_index}: the file was altered, reordered or sealed with another key.");
        }

        if (trailing)
        {
            throw new InvalidDataException($"{_name} has data after its final chunk.");
        }

        _finalSeen = (flags & EncryptedFileFormat.FinalFlag) != 0;
        _index++;
        _offset = 0;
        _available = length;
    }
}
