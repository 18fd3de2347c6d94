using System.Buffers;
using System.IO.Compression;
using System.Net.Security;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RadAI.Dicom.IO;

namespace RadAI.Dicom.Network;

/// <summary>How a DICOM SCU connects.</summary>
public sealed record DicomClientOptions
{
    public required string Host { get; init; }

    public required int Port { get; init; }

    public string CallingAeTitle { get; init; } = "RADAI";

    public string CalledAeTitle { get; init; } = "ANY-SCP";

    /// <summary>Max Length we announce: the largest P-DATA-TF PDU we accept from the peer.</summary>
    public uint MaxPduLength { get; init; } = 256 * 1024;

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long to wait for the A-ASSOCIATE-AC/RJ, and for the A-RELEASE-RP.</summary>
    public TimeSpan AssociationTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long to wait for a DIMSE response.</summary>
    public TimeSpan ResponseTimeout { get; init; } = TimeSpan.FromMinutes(5);

    public DicomClientTlsOptions? Tls { get; init; }

    public UserIdentity? UserIdentity { get; init; }

    /// <summary>Asynchronous Operations Window to propose; null: not negotiated (one operation at a time).</summary>
    public (ushort Invoked, ushort Performed)? AsyncOperations { get; init; }

    public IReadOnlyList<RoleSelection> RoleSelections { get; init; } = [];

    public IReadOnlyList<ExtendedNegotiation> ExtendedNegotiations { get; init; } = [];
}

/// <summary>The answer to one C-STORE: status, comment, and which instance.</summary>
public sealed record DicomStoreResponse(string SopInstanceUid, ushort Status, string? ErrorComment)
{
    public bool IsSuccess => DimseStatus.IsSuccess(Status);

    public bool IsWarning => DimseStatus.IsWarning(Status);

    public override string ToString() => $"{SopInstanceUid}: {DimseStatus.Describe(Status)}{(ErrorComment is null ? "" : " (" + ErrorComment + ")")}";
}

/// <summary>
/// A DICOM SCU association: connect (TCP or TLS), negotiate, then C-ECHO and C-STORE (files are
/// streamed from disk: data set bytes are copied as they are when the file's transfer syntax was
/// accepted, re-encoded otherwise), then release.
/// </summary>
public sealed partial class DicomClient : IAsyncDisposable
{
    private readonly PduStream _pdus;
    private readonly DicomClientOptions _options;
    private readonly ILogger _logger;
    private ushort _nextMessageId = 1;
    private bool _released;

    private DicomClient(PduStream pdus, DicomClientOptions options, AssociateAccept accept, IReadOnlyList<PresentationContextProposal> proposed, ILogger logger)
    {
        _pdus = pdus;
        _options = options;
        Accept = accept;
        Proposed = proposed;
        _logger = logger;
    }

    /// <summary>What the peer accepted.</summary>
    public AssociateAccept Accept { get; }

    /// <summary>What we proposed.</summary>
    public IReadOnlyList<PresentationContextProposal> Proposed { get; }

    /// <summary>Connects and negotiates; throws <see cref="DicomAssociationRejectedException"/> when the peer rejects.</summary>
    public static async Task<DicomClient> ConnectAsync(DicomClientOptions options, IReadOnlyList<PresentationContextProposal> contexts, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        logger ??= NullLogger.Instance;
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream? stream = null;
        var wrapped = false;
        try
        {
            using (var connect = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                connect.CancelAfter(options.ConnectTimeout);
                try
                {
                    await socket.ConnectAsync(options.Host, options.Port, connect.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new DicomNetworkException($"No connection to {options.Host}:{options.Port} within {options.ConnectTimeout.TotalSeconds} s.");
                }
                catch (SocketException e)
                {
                    throw new DicomNetworkException($"Cannot connect to {options.Host}:{options.Port}: {e.Message}", e);
                }
            }

            stream = new NetworkStream(socket, ownsSocket: true);
            wrapped = true;
            if (options.Tls is { } tls)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                using var handshake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                handshake.CancelAfter(options.AssociationTimeout);
                try
                {
                    await ssl.AuthenticateAsClientAsync(tls.ToSslOptions(options.Host), handshake.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is System.Security.Authentication.AuthenticationException or IOException)
                {
                    throw new DicomNetworkException($"TLS handshake with {options.Host}:{options.Port} failed: {e.Message}", e);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new DicomNetworkException($"TLS handshake with {options.Host}:{options.Port} did not complete within {options.AssociationTimeout.TotalSeconds} s.");
                }
            }

            // From here the PDU stream owns the connection (and disposes it when negotiation fails).
            var pdus = new PduStream(stream) { Socket = socket, MaxDataPduLength = options.MaxPduLength == 0 ? PduStream.DefaultMaxDataPduLength : options.MaxPduLength };
            stream = null;
            try
            {
                return await NegotiateAsync(pdus, options, contexts, logger, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException)
            {
                // The peer reset the connection, or (TLS 1.3) refused our certificate after the handshake.
                throw new DicomNetworkException($"The connection to {options.Host}:{options.Port} failed before the association was accepted{TlsHint(options)}: {e.Message}", e);
            }
        }
        finally
        {
            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
            else if (!wrapped)
            {
                // The connection was never made.
                socket.Dispose();
            }
        }
    }

    private static async Task<DicomClient> NegotiateAsync(PduStream pdus, DicomClientOptions options, IReadOnlyList<PresentationContextProposal> contexts, ILogger logger, CancellationToken cancellationToken)
    {
        var owned = false;
        try
        {
            var request = new AssociateRequest(options.CalledAeTitle, options.CallingAeTitle, contexts, new UserInformation
            {
                MaxPduLength = options.MaxPduLength,
                AsyncOperations = options.AsyncOperations,
                RoleSelections = options.RoleSelections,
                ExtendedNegotiations = options.ExtendedNegotiations,
                UserIdentity = options.UserIdentity,
            });
            using var artim = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            artim.CancelAfter(options.AssociationTimeout);
            await pdus.WriteAsync(PduCodec.EncodeAssociateRequest(request), artim.Token).ConfigureAwait(false);
            Pdu? answer;
            try
            {
                answer = await pdus.ReadAsync(artim.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new DicomNetworkException($"No answer to A-ASSOCIATE-RQ within {options.AssociationTimeout.TotalSeconds} s.");
            }

            switch (answer)
            {
                case null:
                    throw new DicomNetworkException($"The peer closed the connection instead of answering the association request{TlsHint(options)}.");
                case { Type: PduType.AssociateReject } rejected:
                    throw new DicomAssociationRejectedException(PduCodec.DecodeAssociateReject(rejected.Body.Span));
                case { Type: PduType.Abort } aborted:
                    var (source, reason) = PduCodec.DecodeAbort(aborted.Body.Span);
                    throw new DicomAssociationAbortedException(source, reason, "while negotiating");
                case { Type: PduType.AssociateAccept } accepted:
                    var accept = PduCodec.DecodeAssociateAccept(accepted.Body.Span);
                    var client = new DicomClient(pdus, options, accept, contexts, logger);
                    client.LogAssociated(options.CallingAeTitle, options.CalledAeTitle, options.Host, options.Port, accept.PresentationContexts.Count(c => c.Result == PresentationContextResult.Acceptance), contexts.Count);
                    owned = true;
                    return client;
                default:
                    throw new DicomProtocolException($"Unexpected {answer.Value.Type} in answer to A-ASSOCIATE-RQ.", AbortReason.UnexpectedPdu);
            }
        }
        finally
        {
            if (!owned)
            {
                await pdus.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static string TlsHint(DicomClientOptions options) => options.Tls switch
    {
        null => "",
        { ClientCertificate: null } => " (over TLS: the peer may require a client certificate)",
        _ => " (over TLS: the peer may not trust our client certificate)",
    };

    /// <summary>False once the association was released or aborted (by either side, as far as seen).</summary>
    public bool IsOpen => !_released;

    /// <summary>The accepted presentation context for a SOP class, preferring the given transfer syntax.</summary>
    public (byte Id, DicomTransferSyntax TransferSyntax)? FindContext(string sopClassUid, string? preferredTransferSyntax = null)
    {
        var accepted = Accept.PresentationContexts
            .Where(a => a.Result == PresentationContextResult.Acceptance)
            .Select(a => (Answer: a, Proposal: Proposed.FirstOrDefault(p => p.Id == a.Id)))
            .Where(x => x.Proposal?.AbstractSyntax == sopClassUid)
            .ToList();
        var best = accepted.FirstOrDefault(x => x.Answer.TransferSyntax == preferredTransferSyntax);
        if (best.Answer is null)
        {
            best = accepted.FirstOrDefault();
        }

        return best.Answer is null ? null : (best.Answer.Id, DicomTransferSyntax.Lookup(best.Answer.TransferSyntax));
    }

    /// <summary>C-ECHO; returns the status (0000 when the peer answers).</summary>
    public async Task<ushort> EchoAsync(CancellationToken cancellationToken = default)
    {
        var context = FindContext(DicomUids.Verification) ?? throw new DicomNetworkException("The peer did not accept the Verification SOP class.");
        var request = DimseCommand.EchoRequest(_nextMessageId++);
        await SendCommandAsync(request, context.Id, cancellationToken).ConfigureAwait(false);
        var response = await ReadResponseAsync(request, cancellationToken).ConfigureAwait(false);
        return response.Status;
    }

    /// <summary>C-STORE of a file from disk. Throws <see cref="DicomNetworkException"/> when no accepted context fits the file.</summary>
    public async Task<DicomStoreResponse> StoreFileAsync(string path, CancellationToken cancellationToken = default)
    {
        var file = await DicomFile.OpenAsync(path, cancellationToken: cancellationToken).ConfigureAwait(false);
        return await StoreAsync(file, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// C-STORE of a file whose header was read already (<see cref="DicomSender"/> reads it to plan the contexts): when an
    /// accepted context carries the file's own transfer syntax, the data set goes out from <paramref name="datasetOffset"/>
    /// to the end of the file, read once, without parsing it again; otherwise (transcoding) the file is read whole.
    /// </summary>
    public async Task<DicomStoreResponse> StoreFileAsync(string path, string sopClassUid, string sopInstanceUid, DicomTransferSyntax transferSyntax, long datasetOffset, CancellationToken cancellationToken = default)
    {
        var context = ChooseContext(sopClassUid, transferSyntax)
            ?? throw new DicomNetworkException($"No accepted presentation context can carry {DicomUids.NameOf(sopClassUid)} in {transferSyntax.Name}.");
        if (context.TransferSyntax.Uid != transferSyntax.Uid)
        {
            return await StoreFileAsync(path, cancellationToken).ConfigureAwait(false);
        }

        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        var length = RandomAccess.GetLength(file);
        return await StoreDataSetAsync(context.Id, path, sopClassUid, sopInstanceUid, transferSyntax, datasetOffset, length,
            (data, check, ct) => data.CopyFromAsync(file, datasetOffset, length - datasetOffset, check, ct), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// C-STORE of a file read through <paramref name="source"/> (decrypted as it is read when stored encrypted) whose header
    /// was read already: as <see cref="StoreFileAsync(string, string, string, DicomTransferSyntax, long, CancellationToken)"/>,
    /// the data set goes out as it is when an accepted context carries its syntax, else the file is read and transcoded.
    /// The peer receives the DICOM bytes, never the stored ones.
    /// </summary>
    public async Task<DicomStoreResponse> StoreFileAsync(DicomFileSource source, string sopClassUid, string sopInstanceUid, DicomTransferSyntax transferSyntax, long datasetOffset, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        var context = ChooseContext(sopClassUid, transferSyntax)
            ?? throw new DicomNetworkException($"No accepted presentation context can carry {DicomUids.NameOf(sopClassUid)} in {transferSyntax.Name}.");
        if (context.TransferSyntax.Uid != transferSyntax.Uid)
        {
            return await StoreAsync(await DicomFile.OpenAsync(source, cancellationToken: cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }

        var stream = await source.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            if (stream is FileStream plain)
            {
                // The plain file: positioned reads of its handle, as by path.
                var fileLength = RandomAccess.GetLength(plain.SafeFileHandle);
                return await StoreDataSetAsync(context.Id, source.Path, sopClassUid, sopInstanceUid, transferSyntax, datasetOffset, fileLength,
                    (data, check, ct) => data.CopyFromAsync(plain.SafeFileHandle, datasetOffset, fileLength - datasetOffset, check, ct), cancellationToken).ConfigureAwait(false);
            }

            var length = stream.Length;
            return await StoreDataSetAsync(context.Id, source.Path, sopClassUid, sopInstanceUid, transferSyntax, datasetOffset, length, async (data, check, ct) =>
            {
                stream.Position = datasetOffset;
                try
                {
                    await data.CopyFromAsync(stream, length - datasetOffset, check, ct).ConfigureAwait(false);
                }
                catch (InvalidDataException e)
                {
                    // The source found its bytes damaged part way (an altered encrypted chunk): what was sent is dropped by the peer.
                    await AbortAsync().ConfigureAwait(false);
                    throw new DicomFormatException($"Not sent, association aborted: {e.Message}", e);
                }
            }, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Sends the C-STORE request and the data set that <paramref name="copy"/> copies, and reads the response.</summary>
    private async Task<DicomStoreResponse> StoreDataSetAsync(
        byte contextId, string path, string sopClassUid, string sopInstanceUid, DicomTransferSyntax transferSyntax, long datasetOffset, long length,
        Func<PdvWriter, DataSetStructureCheck?, CancellationToken, Task> copy, CancellationToken cancellationToken)
    {
        if (datasetOffset > length)
        {
            throw new DicomFormatException($"{path} is shorter than its header said ({length} bytes).");
        }

        var request = DimseCommand.StoreRequest(_nextMessageId++, sopClassUid, sopInstanceUid);
        await SendCommandAsync(request, contextId, cancellationToken).ConfigureAwait(false);
        using (var data = new PdvWriter(_pdus, contextId, isCommand: false, Accept.UserInformation.MaxPduLength))
        {
            // The file is not parsed again, but its structure is followed as it is copied: a file cut short (inside a
            // value) is never sent as a whole data set. Its last PDV is still unsent then; an A-ABORT makes the peer
            // drop what it received (the association is lost for the files after it, as with any abort).
            var check = DataSetStructureCheck.Supports(transferSyntax) ? new DataSetStructureCheck(transferSyntax) : null;
            await copy(data, check, cancellationToken).ConfigureAwait(false);
            if (check?.Complete() is { } problem)
            {
                await AbortAsync().ConfigureAwait(false);
                throw new DicomFormatException($"Not sent, association aborted: {problem}.");
            }

            await data.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }

        var response = await ReadResponseAsync(request, cancellationToken).ConfigureAwait(false);
        DicomNetworkTelemetry.InstancesSent.Add(1, new KeyValuePair<string, object?>("status", DicomNetworkTelemetry.StatusClass(response.Status)));
        return new DicomStoreResponse(sopInstanceUid, response.Status, response.ErrorComment);
    }

    /// <summary>C-STORE of a file read with <see cref="DicomFile"/>.</summary>
    public async Task<DicomStoreResponse> StoreAsync(DicomFile file, CancellationToken cancellationToken = default)
    {
        var sopClass = file.Dataset.TryGetString(DicomTags.SOPClassUID, out var c) ? c
            : file.FileMetaInformation.TryGetString(DicomTags.MediaStorageSOPClassUID, out var mc) ? mc
            : throw new DicomNetworkException("The file has no SOP Class UID.");
        var sopInstance = file.Dataset.TryGetString(DicomTags.SOPInstanceUID, out var i) ? i
            : file.FileMetaInformation.TryGetString(DicomTags.MediaStorageSOPInstanceUID, out var mi) ? mi
            : throw new DicomNetworkException("The file has no SOP Instance UID.");
        var context = ChooseContext(sopClass, file.TransferSyntax)
            ?? throw new DicomNetworkException($"No accepted presentation context can carry {DicomUids.NameOf(sopClass)} in {file.TransferSyntax.Name}.");

        var request = DimseCommand.StoreRequest(_nextMessageId++, sopClass, sopInstance);
        await SendCommandAsync(request, context.Id, cancellationToken).ConfigureAwait(false);
        using (var data = new PdvWriter(_pdus, context.Id, isCommand: false, Accept.UserInformation.MaxPduLength))
        {
            if (context.TransferSyntax.Uid == file.TransferSyntax.Uid && file.Source is not null && file.DatasetOffset is { } offset)
            {
                // Same syntax, file on disk: its data set bytes go out untouched (read through its source: decrypted when stored encrypted).
                var source = await file.Source.OpenReadAsync(cancellationToken).ConfigureAwait(false);
                await using (source.ConfigureAwait(false))
                {
                    source.Position = offset;
                    await data.CopyFromAsync(source, source.Length - offset, null, cancellationToken).ConfigureAwait(false);
                }
            }
            else if (context.TransferSyntax.IsDeflated)
            {
                // Deflated explicit VR little endian (PS3.5 A.5): the explicit VR little endian encoding, deflated
                // (RFC 1951, no zlib header). DicomWriter.WriteDatasetAsync writes the encoding only, never deflated.
                var deflate = new DeflateStream(data, CompressionLevel.Optimal, leaveOpen: true);
                await using (deflate.ConfigureAwait(false))
                {
                    await DicomWriter.WriteDatasetAsync(deflate, file.Dataset, DicomTransferSyntax.ExplicitVRLittleEndian, cancellationToken: cancellationToken).ConfigureAwait(false);
                }
            }
            else
            {
                await DicomWriter.WriteDatasetAsync(data, file.Dataset, context.TransferSyntax, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            await data.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }

        var response = await ReadResponseAsync(request, cancellationToken).ConfigureAwait(false);
        DicomNetworkTelemetry.InstancesSent.Add(1, new KeyValuePair<string, object?>("status", DicomNetworkTelemetry.StatusClass(response.Status)));
        return new DicomStoreResponse(sopInstance, response.Status, response.ErrorComment);
    }

    /// <summary>
    /// The context to send a data set in: one that accepted its own syntax, else, for an uncompressed
    /// data set, one that accepted another uncompressed syntax (RadAI transcodes between those).
    /// </summary>
    private (byte Id, DicomTransferSyntax TransferSyntax)? ChooseContext(string sopClass, DicomTransferSyntax syntax)
    {
        var context = FindContext(sopClass, syntax.Uid);
        if (context is null)
        {
            return null;
        }

        return context.Value.TransferSyntax.Uid == syntax.Uid || (!syntax.IsEncapsulated && !context.Value.TransferSyntax.IsEncapsulated) ? context : null;
    }

    /// <summary>A-RELEASE; the association is over afterwards.</summary>
    public async Task ReleaseAsync(CancellationToken cancellationToken = default)
    {
        if (_released)
        {
            return;
        }

        _released = true;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.AssociationTimeout);
        await _pdus.WriteAsync(PduCodec.EncodeReleaseRequest(), timeout.Token).ConfigureAwait(false);
        while (true)
        {
            var pdu = await _pdus.ReadAsync(timeout.Token).ConfigureAwait(false);
            if (pdu is null || pdu.Value.Type is PduType.ReleaseResponse or PduType.Abort)
            {
                return;
            }
        }
    }

    /// <summary>A-ABORT now.</summary>
    public async Task AbortAsync()
    {
        _released = true;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await _pdus.WriteAsync(PduCodec.EncodeAbort(AbortSource.ServiceUser, 0), timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // Already gone.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_released)
        {
            await AbortAsync().ConfigureAwait(false);
        }

        await _pdus.DisposeAsync().ConfigureAwait(false);
    }

    private async Task SendCommandAsync(DimseCommand command, byte contextId, CancellationToken cancellationToken)
    {
        using var writer = new PdvWriter(_pdus, contextId, isCommand: true, Accept.UserInformation.MaxPduLength);
        await writer.WriteAsync(command.Encode(), cancellationToken).ConfigureAwait(false);
        await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<DimseCommand> ReadResponseAsync(DimseCommand request, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ResponseTimeout);
        _pdus.AckPromptly();
        var command = new ArrayBufferWriter<byte>(256);
        while (true)
        {
            Pdu? read;
            try
            {
                read = await _pdus.ReadAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new DicomNetworkException($"No response to {request} within {_options.ResponseTimeout.TotalSeconds} s.");
            }

            switch (read)
            {
                case null:
                    throw new DicomNetworkException($"The peer closed the connection before answering {request}.");
                case { Type: PduType.Abort } aborted:
                    _released = true;
                    var (source, reason) = PduCodec.DecodeAbort(aborted.Body.Span);
                    throw new DicomAssociationAbortedException(source, reason, $"while waiting for the response to {request}");
                case { Type: PduType.DataTransfer } data:
                    foreach (var pdv in PduStream.ParsePdvs(data.Body))
                    {
                        if (!pdv.IsCommand)
                        {
                            throw new DicomProtocolException("Unexpected data set in a response.", AbortReason.UnexpectedPduParameter);
                        }

                        command.Write(pdv.Data.Span);
                        if (pdv.IsLast)
                        {
                            var response = DimseCommand.Decode(command.WrittenSpan);
                            if (response.MessageIdBeingRespondedTo != request.MessageId)
                            {
                                throw new DicomProtocolException($"Response to message {response.MessageIdBeingRespondedTo} while waiting for {request.MessageId}.", AbortReason.UnexpectedPduParameter);
                            }

                            if (DimseStatus.IsPending(response.Status))
                            {
                                command.Clear();
                                continue;
                            }

                            return response;
                        }
                    }

                    break;
                default:
                    throw new DicomProtocolException($"Unexpected {read.Value.Type} while waiting for a response.", AbortReason.UnexpectedPdu);
            }
        }
    }

    [LoggerMessage(EventId = 3201, Level = LogLevel.Information, Message = "Associated {CallingAe} -> {CalledAe} at {Host}:{Port}: {Accepted}/{Proposed} presentation contexts accepted")]
    private partial void LogAssociated(string callingAe, string calledAe, string host, int port, int accepted, int proposed);
}
