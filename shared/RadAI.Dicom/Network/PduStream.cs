using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;

namespace RadAI.Dicom.Network;

/// <summary>One PDU as read: its type and body (valid until the next read).</summary>
internal readonly record struct Pdu(PduType Type, ReadOnlyMemory<byte> Body);

/// <summary>One presentation data value of a P-DATA-TF PDU.</summary>
internal readonly record struct Pdv(byte PresentationContextId, bool IsCommand, bool IsLast, ReadOnlyMemory<byte> Data);

/// <summary>
/// Reads and writes PDUs on a connection. Reading copes with any fragmentation of the TCP stream (a
/// PDU may arrive in many reads); every length is checked against a limit before a buffer is sized.
/// Writes go out whole, one PDU per write call, from a pooled buffer.
/// </summary>
internal sealed class PduStream(Stream stream) : IAsyncDisposable
{
    /// <summary>Largest non-P-DATA PDU accepted (association requests with many contexts stay far below).</summary>
    private const uint MaxControlPduLength = 1024 * 1024;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private byte[] _readBuffer = ArrayPool<byte>.Shared.Rent(64 * 1024);

    public Stream Stream => stream;

    /// <summary>The TCP socket under <see cref="Stream"/> (for socket options), when known.</summary>
    public Socket? Socket { get; init; }

    /// <summary>
    /// Asks the kernel to acknowledge the peer's next segments at once (Linux <c>TCP_QUICKACK</c>; elsewhere nothing).
    /// Called after we write and before we wait for the peer's answer: a peer with Nagle's algorithm on (DCMTK as
    /// packaged, Orthanc) writes a PDU in two pieces and holds the second until the first is acknowledged; with the
    /// kernel's delayed ACK that is a 40 ms stall per message. Linux leaves quick-ACK mode by itself once we send
    /// again, hence a call per exchange (one system call).
    /// </summary>
    public void AckPromptly()
    {
        if (Socket is { } socket && OperatingSystem.IsLinux())
        {
            try
            {
                socket.SetRawSocketOption(IpProtoTcp, TcpQuickAck, QuickAckOn);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // An option the socket refuses (or a socket already closed) changes nothing to the protocol.
            }
        }
    }

    private const int IpProtoTcp = 6;
    private const int TcpQuickAck = 12;
    private static ReadOnlySpan<byte> QuickAckOn => [1, 0, 0, 0];

    /// <summary>Largest P-DATA-TF body we accept: the Max Length we announced (0 = our own cap).</summary>
    public uint MaxDataPduLength { get; set; } = DefaultMaxDataPduLength;

    /// <summary>Largest P-DATA-TF body accepted when the Max Length is "unlimited" (0).</summary>
    public const uint DefaultMaxDataPduLength = 4 * 1024 * 1024;

    /// <summary>Reads the next PDU. Returns null when the peer closed the connection cleanly between PDUs.</summary>
    public ValueTask<Pdu?> ReadAsync(CancellationToken cancellationToken) => ReadAsync(null, cancellationToken);

    /// <summary>
    /// Reads the next PDU; with <paramref name="onlyType"/>, any other type is refused from its header (before its body
    /// is read or a buffer sized for it): a peer cannot make us wait for, or hold, a body we would reject anyway.
    /// </summary>
    public async ValueTask<Pdu?> ReadAsync(PduType? onlyType, CancellationToken cancellationToken)
    {
        var header = _readBuffer.AsMemory(0, 6);
        var first = await ReadAtLeastAsync(header, 1, cancellationToken).ConfigureAwait(false);
        if (first == 0)
        {
            return null;
        }

        if (first < 6 && await ReadAtLeastAsync(header[first..], 6 - first, cancellationToken).ConfigureAwait(false) < 6 - first)
        {
            throw new DicomNetworkException("The connection closed inside a PDU header.");
        }

        // A Nagle-bound peer holds the rest of this PDU until its header is acknowledged (see AckPromptly).
        AckPromptly();
        var type = (PduType)_readBuffer[0];
        var length = BinaryPrimitives.ReadUInt32BigEndian(_readBuffer.AsSpan(2));
        if (type is < PduType.AssociateRequest or > PduType.Abort)
        {
            throw new DicomProtocolException($"Unknown PDU type {(byte)type:X2}.", AbortReason.UnrecognizedPdu);
        }

        if (onlyType is { } only && type != only)
        {
            throw new DicomProtocolException($"Expected {only}, received {type}.", AbortReason.UnexpectedPdu);
        }

        var limit = type == PduType.DataTransfer ? MaxDataPduLength : MaxControlPduLength;
        if (length > limit)
        {
            throw new DicomProtocolException($"{type} PDU of {length} bytes exceeds the {limit} bytes accepted.", AbortReason.InvalidPduParameterValue);
        }

        if (length > _readBuffer.Length)
        {
            ArrayPool<byte>.Shared.Return(_readBuffer);
            _readBuffer = ArrayPool<byte>.Shared.Rent((int)length);
        }

        var body = _readBuffer.AsMemory(0, (int)length);
        if (await ReadAtLeastAsync(body, body.Length, cancellationToken).ConfigureAwait(false) < body.Length)
        {
            throw new DicomNetworkException($"The connection closed inside a {type} PDU.");
        }

        return new Pdu(type, body);
    }

    /// <summary>The PDVs of a P-DATA-TF body, each checked (length, at least the 2 header bytes).</summary>
    public static List<Pdv> ParsePdvs(ReadOnlyMemory<byte> body)
    {
        var pdvs = new List<Pdv>(2);
        var span = body.Span;
        var offset = 0;
        while (offset < span.Length)
        {
            if (span.Length - offset < 6)
            {
                throw new DicomProtocolException("Truncated PDV item in a P-DATA-TF PDU.", AbortReason.InvalidPduParameterValue);
            }

            var itemLength = BinaryPrimitives.ReadUInt32BigEndian(span[offset..]);
            if (itemLength < 2 || itemLength > span.Length - offset - 4)
            {
                throw new DicomProtocolException($"PDV item length {itemLength} does not fit its P-DATA-TF PDU.", AbortReason.InvalidPduParameterValue);
            }

            var header = span[offset + 5];
            pdvs.Add(new Pdv(span[offset + 4], (header & 1) == 1, (header & 2) == 2, body.Slice(offset + 6, (int)itemLength - 2)));
            offset += 4 + (int)itemLength;
        }

        if (pdvs.Count == 0)
        {
            throw new DicomProtocolException("P-DATA-TF PDU without PDV.", AbortReason.InvalidPduParameterValue);
        }

        return pdvs;
    }

    /// <summary>Writes a whole PDU (or several concatenated), serialised with other writers.</summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> pdu, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await stream.WriteAsync(pdu, cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async ValueTask<int> ReadAtLeastAsync(Memory<byte> buffer, int minimum, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < minimum)
        {
            var read = await stream.ReadAsync(buffer[total..], cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }

    public async ValueTask DisposeAsync()
    {
        await stream.DisposeAsync().ConfigureAwait(false);
        _writeLock.Dispose();
        ArrayPool<byte>.Shared.Return(_readBuffer);
        _readBuffer = [];
    }
}

/// <summary>
/// A message part (command or data set) written as PDVs on one presentation context: bytes are
/// packed into P-DATA-TF PDUs of at most the peer's Max Length, the last PDV flagged last.
/// </summary>
internal sealed class PdvWriter : Stream
{
    private const int PduHeader = 6;
    private const int PdvHeader = 6;
    private readonly PduStream _pdus;
    private readonly byte _contextId;
    private readonly bool _isCommand;
    private readonly int _maxData;
    private byte[] _buffer;
    private int _used = PduHeader + PdvHeader;

    public PdvWriter(PduStream pdus, byte contextId, bool isCommand, uint peerMaxPduLength)
    {
        _pdus = pdus;
        _contextId = contextId;
        _isCommand = isCommand;
        // Peer's Max Length is the largest P-DATA-TF body; 0 means no limit: we then use 256 KiB PDUs.
        var maxBody = peerMaxPduLength == 0 ? 256 * 1024 : (int)Math.Min(peerMaxPduLength, 4 * 1024 * 1024);
        _maxData = Math.Max(16, maxBody - PdvHeader);
        _buffer = ArrayPool<byte>.Shared.Rent(PduHeader + PdvHeader + _maxData);
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("PdvWriter is asynchronous only: use WriteAsync.");

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (buffer.Length > 0)
        {
            var room = PduHeader + PdvHeader + _maxData - _used;
            if (room == 0)
            {
                await SendAsync(last: false, cancellationToken).ConfigureAwait(false);
                continue;
            }

            var n = Math.Min(room, buffer.Length);
            buffer.Span[..n].CopyTo(_buffer.AsSpan(_used));
            _used += n;
            buffer = buffer[n..];
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>
    /// Copies <paramref name="count"/> bytes of <paramref name="source"/> straight into PDUs (no intermediate buffer);
    /// <paramref name="check"/>, when given, sees every byte copied.
    /// </summary>
    public async Task CopyFromAsync(Stream source, long count, DataSetStructureCheck? check, CancellationToken cancellationToken)
    {
        while (count > 0)
        {
            var room = PduHeader + PdvHeader + _maxData - _used;
            if (room == 0)
            {
                await SendAsync(last: false, cancellationToken).ConfigureAwait(false);
                continue;
            }

            var read = await source.ReadAsync(_buffer.AsMemory(_used, (int)Math.Min(room, count)), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new EndOfStreamException("The file ended before the data set did.");
            }

            check?.Append(_buffer.AsSpan(_used, read));
            _used += read;
            count -= read;
        }
    }

    /// <summary>
    /// Copies <paramref name="count"/> bytes of a file from <paramref name="offset"/> straight into PDUs. The reads are
    /// synchronous (<see cref="RandomAccess.Read(Microsoft.Win32.SafeHandles.SafeFileHandle, Span{byte}, long)"/>, from the
    /// page cache as a rule): no thread-pool round trip per read, as <see cref="FileStream.ReadAsync(Memory{byte}, CancellationToken)"/> costs on Linux.
    /// The last PDV is left for <see cref="CompleteAsync"/>; <paramref name="check"/>, when given, sees every byte copied.
    /// </summary>
    public async Task CopyFromAsync(Microsoft.Win32.SafeHandles.SafeFileHandle file, long offset, long count, DataSetStructureCheck? check, CancellationToken cancellationToken)
    {
        while (count > 0)
        {
            var room = PduHeader + PdvHeader + _maxData - _used;
            if (room == 0)
            {
                await SendAsync(last: false, cancellationToken).ConfigureAwait(false);
                continue;
            }

            var read = RandomAccess.Read(file, _buffer.AsSpan(_used, (int)Math.Min(room, count)), offset);
            if (read == 0)
            {
                throw new EndOfStreamException("The file ended before the data set did.");
            }

            check?.Append(_buffer.AsSpan(_used, read));
            _used += read;
            offset += read;
            count -= read;
        }
    }

    /// <summary>Sends what is left as the last PDV of the message part.</summary>
    public ValueTask CompleteAsync(CancellationToken cancellationToken) => SendAsync(last: true, cancellationToken);

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async ValueTask SendAsync(bool last, CancellationToken cancellationToken)
    {
        var data = _used - PduHeader - PdvHeader;
        var span = _buffer.AsSpan();
        span[0] = (byte)PduType.DataTransfer;
        span[1] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(span[2..], (uint)(PdvHeader + data));
        BinaryPrimitives.WriteUInt32BigEndian(span[6..], (uint)(data + 2));
        span[10] = _contextId;
        span[11] = (byte)((_isCommand ? 1 : 0) | (last ? 2 : 0));
        await _pdus.WriteAsync(_buffer.AsMemory(0, _used), cancellationToken).ConfigureAwait(false);
        _used = PduHeader + PdvHeader;
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }

        base.Dispose(disposing);
    }
}
