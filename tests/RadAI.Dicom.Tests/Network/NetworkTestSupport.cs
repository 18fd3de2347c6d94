using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using RadAI.Dicom.IO;
using RadAI.Dicom.Network;
using RadAI.Testing;

namespace RadAI.Dicom.Tests.Network;

/// <summary>An in-process SCP (DicomServer + DicomFileStoreHandler) on a free loopback port, writing to a private folder.</summary>
internal sealed class ScpUnderTest : IAsyncDisposable
{
    public const string AeTitle = "RADAI-TEST";

    private readonly TemporaryDirectory _folder;

    private ScpUnderTest(TemporaryDirectory folder, DicomServer server, CapturingLogger log)
    {
        _folder = folder;
        Server = server;
        Log = log;
    }

    public DicomServer Server { get; }

    /// <summary>What the server logged (for assertions and failure messages).</summary>
    public CapturingLogger Log { get; }

    /// <summary>Where instances are written.</summary>
    public string Output => Path.Combine(_folder.Path, "out");

    /// <summary>Where the store handler keeps files being received.</summary>
    public string Incoming => Path.Combine(Output, ".incoming");

    public int Port => Server.LocalEndPoint.Port;

    /// <summary>Starts a server on 127.0.0.1, port 0, AE title <see cref="AeTitle"/>; the other settings from <paramref name="options"/>.</summary>
    public static async Task<ScpUnderTest> StartAsync(DicomServerOptions? options = null, DicomServerPolicy? policy = null, DicomFileStoreOptions? store = null)
    {
        var folder = new TemporaryDirectory("radai-scp");
        var log = new CapturingLogger();
        var effective = (options ?? new DicomServerOptions()) with { AeTitle = AeTitle, Port = 0, BindAddress = IPAddress.Loopback };
        Directory.CreateDirectory(Path.Combine(folder.Path, "out"));
        var server = new DicomServer(effective, new DicomFileStoreHandler(Path.Combine(folder.Path, "out"), store), policy, log);
        await server.StartAsync();
        return new ScpUnderTest(folder, server, log);
    }

    /// <summary>Instances stored (the store's temporary folder aside), full paths.</summary>
    public IReadOnlyList<string> StoredFiles() =>
        [.. Directory.EnumerateFiles(Output, "*", SearchOption.AllDirectories).Where(f => !f.StartsWith(Incoming + Path.DirectorySeparatorChar, StringComparison.Ordinal)).Order(StringComparer.Ordinal)];

    /// <summary>Files being received (or left behind by a transfer that did not complete).</summary>
    public IReadOnlyList<string> IncomingFiles() =>
        Directory.Exists(Incoming) ? [.. Directory.EnumerateFiles(Incoming)] : [];

    public DicomClientOptions Client(string callingAe = "RADAI-SCU") => new()
    {
        Host = "127.0.0.1",
        Port = Port,
        CalledAeTitle = AeTitle,
        CallingAeTitle = callingAe,
        ConnectTimeout = TimeSpan.FromSeconds(20),
        AssociationTimeout = TimeSpan.FromSeconds(30),
        ResponseTimeout = TimeSpan.FromSeconds(60),
    };

    /// <summary>Waits until every association has ended and released its resources.</summary>
    public Task IdleAsync(TimeSpan? timeout = null) =>
        Eventually.UntilAsync(() => Task.FromResult(Server.ActiveAssociations == 0), timeout ?? TimeSpan.FromSeconds(30), $"the SCP to have no association left (has {Server.ActiveAssociations}); log:\n{Log}");

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        _folder.Dispose();
    }
}

/// <summary>An ILogger that keeps every line (thread safe): tests assert on what the server said, and show it on failure.</summary>
internal sealed class CapturingLogger : ILogger
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => [.. _lines];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _lines.Enqueue($"{logLevel} {eventId.Id}: {formatter(state, exception)}{(exception is null ? "" : " " + exception)}");

    public bool Contains(string text) => _lines.Any(l => l.Contains(text, StringComparison.Ordinal));

    public override string ToString() => string.Join('\n', _lines);
}

/// <summary>DCMTK's command-line tools, run with a deadline.</summary>
internal static class Dcmtk
{
    public static Task<ExternalTool.Result> RunAsync(string tool, params string[] arguments) =>
        ExternalTool.RunAsync(tool, arguments, TimeSpan.FromSeconds(120));

    /// <summary>
    /// Starts <c>storescp</c> on a free port writing into <paramref name="folder"/>, and waits until it answers a C-ECHO
    /// (storescp prints nothing when it is ready). <paramref name="echoArguments"/> are the extra echoscu options the
    /// probe needs (TLS).
    /// </summary>
    public static async Task<(ServiceProcess Process, int Port)> StartStorescpAsync(string folder, string[] arguments, string[]? echoArguments = null)
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort.Next();
            var process = ServiceProcess.StartProgram("storescp", folder, [.. arguments, "-od", folder, port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            try
            {
                await Eventually.UntilAsync(
                    async () => process.HasExited || (await ExternalTool.RunAsync("echoscu", [.. echoArguments ?? [], "-to", "5", "127.0.0.1", port.ToString(System.Globalization.CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(30))).ExitCode == 0,
                    TimeSpan.FromSeconds(30),
                    "storescp to answer C-ECHO");
                if (!process.HasExited)
                {
                    return (process, port);
                }
            }
            catch
            {
                await process.DisposeAsync();
                throw;
            }

            // The free port was taken in between: try another.
            var output = process.Output;
            await process.DisposeAsync();
            if (attempt == 2)
            {
                throw new InvalidOperationException("storescp did not start:\n" + output);
            }
        }
    }
}

/// <summary>
/// A data set as DCMTK's dcmdump shows it, normalised for comparing what a peer stored with its source: the meta
/// group is left out (every receiver writes its own), length comments and group length values are dropped (writers
/// recompute them), and how sequences and items are delimited (explicit or undefined length) is ignored: DCMTK
/// re-encodes every sequence and item with explicit lengths when it sends or stores a data set.
/// </summary>
internal static partial class DatasetDump
{
    /// <summary>The normalised dump; <paramref name="withoutTrailingPadding"/> drops a top-level (FFFC,FFFC) Data Set Trailing Padding.</summary>
    public static async Task<string> OfAsync(string path, bool withoutTrailingPadding = false) =>
        (await OfManyAsync([path], withoutTrailingPadding))[path];

    /// <summary>The normalised dumps of many files, a few dcmdump runs for all (one process per file is slow).</summary>
    public static async Task<IReadOnlyDictionary<string, string>> OfManyAsync(IReadOnlyList<string> paths, bool withoutTrailingPadding = false)
    {
        var dumps = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var batch in paths.Distinct(StringComparer.Ordinal).Chunk(50))
        {
            var result = await ExternalTool.RunAsync("dcmdump", ["-q", "+L", "+F", .. batch], TimeSpan.FromSeconds(120));
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException($"dcmdump cannot read one of {string.Join(", ", batch)}: {result.Error}");
            }

            // "# dcmdump (i/n): file" opens the dump of the i-th file.
            var sections = new List<string>[batch.Length];
            List<string>? current = null;
            foreach (var line in result.Output.Split('\n'))
            {
                var header = FileHeader().Match(line);
                if (header.Success)
                {
                    current = sections[int.Parse(header.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) - 1] = [];
                }
                else
                {
                    current?.Add(line.TrimEnd('\r'));
                }
            }

            for (var i = 0; i < batch.Length; i++)
            {
                dumps[batch[i]] = sections[i] is { } lines
                    ? Normalise(lines, withoutTrailingPadding)
                    : throw new InvalidOperationException($"dcmdump printed nothing for {batch[i]}: {result.Error}");
            }
        }

        return dumps;
    }

    private static string Normalise(IEnumerable<string> lines, bool withoutTrailingPadding) => string.Join('\n', lines
        .Where(l => l.Length > 0 && !l.TrimStart().StartsWith('#') && !l.StartsWith("(0002,", StringComparison.Ordinal))
        // Delimitation items exist only for undefined lengths.
        .Where(l => !l.Contains("(fffe,e00d)", StringComparison.Ordinal) && !l.Contains("(fffe,e0dd)", StringComparison.Ordinal))
        .Where(l => !withoutTrailingPadding || !l.StartsWith("(fffc,fffc)", StringComparison.Ordinal))
        .Select(l => Comment().Replace(l, ""))
        .Select(l => GroupLength().Replace(l, "$1 UL *"))
        .Select(l => Delimitation().Replace(l, "$1 #=")));

    /// <summary>The first line where two dumps differ, with context, for failure messages.</summary>
    public static string FirstDifference(string expected, string actual)
    {
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        for (var i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            var left = i < e.Length ? e[i] : "<end>";
            var right = i < a.Length ? a[i] : "<end>";
            if (left != right)
            {
                return $"line {i + 1}:\n  source: {Truncate(left)}\n  stored: {Truncate(right)}";
            }
        }

        return "no difference";

        static string Truncate(string s) => s.Length > 200 ? s[..200] + "..." : s;
    }

    [GeneratedRegex(@"^# dcmdump \((\d+)/\d+\): ")]
    private static partial Regex FileHeader();

    [GeneratedRegex(@"\s+#\s*(?:u/l|-?\d*),\s*\d+\s.*$")]
    private static partial Regex Comment();

    [GeneratedRegex(@"^(\s*\([0-9a-f]{4},0000\)) UL \d+")]
    private static partial Regex GroupLength();

    [GeneratedRegex(@"(Sequence|Item) with (?:explicit|undefined) length #=")]
    private static partial Regex Delimitation();
}

/// <summary>Files of pydicom's corpus used as sources.</summary>
internal static class Corpus
{
    public const string Root = "/usr/lib/python3/dist-packages/pydicom/data";

    public static string File(string relative) => Path.Combine(Root, relative);

    public static string CtSmall => File("test_files/CT_small.dcm");

    public static string MrSmall => File("test_files/MR_small.dcm");

    /// <summary>Implicit VR little endian.</summary>
    public static string RtPlan => File("test_files/rtplan.dcm");

    /// <summary>Explicit VR big endian.</summary>
    public static string MrSmallBigEndian => File("test_files/MR_small_bigendian.dcm");

    /// <summary>JPEG Baseline (lossy, 8 bit).</summary>
    public static string JpegBaseline => File("test_files/SC_rgb_jpeg_dcmtk.dcm");

    /// <summary>RLE Lossless.</summary>
    public static string Rle => File("test_files/SC_rgb_rle.dcm");

    /// <summary>Deflated explicit VR little endian.</summary>
    public static string Deflated => File("test_files/image_dfl.dcm");

    /// <summary>Has a (FFFC,FFFC) Data Set Trailing Padding element at its end.</summary>
    public static string WithTrailingPadding => CtSmall;

    /// <summary>The SOP Instance UID of the data set (not the meta group's: a few corpus files disagree).</summary>
    public static async Task<string> SopInstanceUidAsync(string path)
    {
        var file = await DicomFile.OpenAsync(path, DicomReadOptions.Default with { StopBeforeTag = DicomTags.PixelData });
        return file.Dataset.TryGetString(DicomTags.SOPInstanceUID, out var uid) ? uid : throw new InvalidOperationException($"{path} has no SOP Instance UID.");
    }
}

/// <summary>Raw PDUs and a raw TCP peer, for hostile peers.</summary>
internal sealed class RawPeer : IAsyncDisposable
{
    private readonly Socket _socket;

    private RawPeer(Socket socket) => _socket = socket;

    public Socket Socket => _socket;

    public static async Task<RawPeer> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, port);
        return new RawPeer(socket);
    }

    public async Task SendAsync(ReadOnlyMemory<byte> bytes)
    {
        while (bytes.Length > 0)
        {
            var sent = await _socket.SendAsync(bytes, SocketFlags.None);
            bytes = bytes[sent..];
        }
    }

    /// <summary>Sends in chunks of random sizes (1 to <paramref name="maxChunk"/> bytes), each its own write.</summary>
    public async Task SendFragmentedAsync(ReadOnlyMemory<byte> bytes, Random random, int maxChunk)
    {
        while (bytes.Length > 0)
        {
            var n = Math.Min(bytes.Length, random.Next(1, maxChunk + 1));
            await SendAsync(bytes[..n]);
            bytes = bytes[n..];
        }
    }

    /// <summary>The next PDU (type and body); null when the peer closed the connection.</summary>
    public async Task<(PduType Type, byte[] Body)?> ReadPduAsync(TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        var header = new byte[6];
        if (!await ReadExactlyAsync(header, deadline.Token))
        {
            return null;
        }

        var length = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(2));
        var body = new byte[length];
        return await ReadExactlyAsync(body, deadline.Token) ? ((PduType)header[0], body) : throw new IOException("Closed inside a PDU.");
    }

    /// <summary>Reads and discards until the peer closes; false when it is still open after <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForCloseAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        var buffer = new byte[4096];
        try
        {
            while (await _socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token) > 0)
            {
            }

            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (SocketException)
        {
            // Reset by the peer: closed too.
            return true;
        }
    }

    /// <summary>Sends an A-ASSOCIATE-RQ and returns the A-ASSOCIATE-AC (fails on anything else).</summary>
    public async Task<AssociateAccept> AssociateAsync(AssociateRequest request)
    {
        await SendAsync(PduCodec.EncodeAssociateRequest(request));
        var answer = await ReadPduAsync() ?? throw new IOException("Closed instead of A-ASSOCIATE-AC.");
        return answer.Type == PduType.AssociateAccept
            ? PduCodec.DecodeAssociateAccept(answer.Body)
            : throw new InvalidOperationException($"Expected A-ASSOCIATE-AC, got {answer.Type}.");
    }

    private async Task<bool> ReadExactlyAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = await _socket.ReceiveAsync(buffer.AsMemory(total), SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                return total == 0 && buffer.Length > 0 ? false : throw new IOException("Closed inside a PDU.");
            }

            total += read;
        }

        return true;
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>Builds the byte stream of DIMSE messages as P-DATA-TF PDUs.</summary>
internal static class RawDimse
{
    public static AssociateRequest StoreRequest(string sopClass, string transferSyntax, string called = ScpUnderTest.AeTitle, string calling = "RAW-PEER") =>
        new(called, calling, [new PresentationContextProposal(1, sopClass, [transferSyntax]), new PresentationContextProposal(3, DicomUids.Verification, [DicomUids.ImplicitVRLittleEndian])], new UserInformation { MaxPduLength = 16384 });

    /// <summary>One PDU holding one PDV.</summary>
    public static byte[] Pdu(byte contextId, bool isCommand, bool isLast, ReadOnlySpan<byte> data)
    {
        var pdu = new byte[12 + data.Length];
        pdu[0] = (byte)PduType.DataTransfer;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(pdu.AsSpan(2), (uint)(6 + data.Length));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(pdu.AsSpan(6), (uint)(2 + data.Length));
        pdu[10] = contextId;
        pdu[11] = (byte)((isCommand ? 1 : 0) | (isLast ? 2 : 0));
        data.CopyTo(pdu.AsSpan(12));
        return pdu;
    }

    /// <summary>A whole message part cut into PDUs of at most <paramref name="maxData"/> bytes of data each.</summary>
    public static byte[] Pdus(byte contextId, bool isCommand, ReadOnlySpan<byte> data, int maxData = 16000)
    {
        using var stream = new MemoryStream();
        var offset = 0;
        do
        {
            var n = Math.Min(maxData, data.Length - offset);
            stream.Write(Pdu(contextId, isCommand, offset + n == data.Length, data.Slice(offset, n)));
            offset += n;
        }
        while (offset < data.Length);
        return stream.ToArray();
    }

    public static async Task<byte[]> StoreCommandAsync(ushort messageId, string sopClass, string sopInstance) =>
        Pdus(1, isCommand: true, await DimseCommand.StoreRequest(messageId, sopClass, sopInstance).EncodeAsync());

    /// <summary>The data set bytes of a Part 10 file (what goes on the wire when its syntax was accepted).</summary>
    public static async Task<(byte[] Dataset, string SopClass, string SopInstance, string TransferSyntax)> DatasetOfAsync(string path)
    {
        var file = await DicomFile.OpenAsync(path, DicomReadOptions.Default with { StopBeforeTag = DicomTags.PixelData });
        var bytes = await File.ReadAllBytesAsync(path);
        return (bytes[(int)file.DatasetOffset!.Value..], file.Dataset.GetString(DicomTags.SOPClassUID), file.Dataset.GetString(DicomTags.SOPInstanceUID), file.TransferSyntax.Uid);
    }

    /// <summary>Reads PDUs until a whole DIMSE command arrives and decodes it.</summary>
    public static async Task<DimseCommand> ReadCommandAsync(RawPeer peer)
    {
        using var command = new MemoryStream();
        while (true)
        {
            var pdu = await peer.ReadPduAsync() ?? throw new IOException("Closed before the response.");
            if (pdu.Type != PduType.DataTransfer)
            {
                throw new InvalidOperationException($"Expected P-DATA-TF, got {pdu.Type}.");
            }

            var offset = 0;
            while (offset < pdu.Body.Length)
            {
                var length = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(pdu.Body.AsSpan(offset));
                command.Write(pdu.Body.AsSpan(offset + 6, length - 2));
                var last = (pdu.Body[offset + 5] & 2) != 0;
                offset += 4 + length;
                if (last)
                {
                    return await DimseCommand.DecodeAsync(command.ToArray());
                }
            }
        }
    }
}
