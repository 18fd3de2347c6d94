using System.Buffers;
using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Logging;

namespace RadAI.Dicom.Network;

/// <summary>
/// One association on the SCP side (PS3.8 state machine): ARTIM until the A-ASSOCIATE-RQ, negotiation,
/// then DIMSE messages until release or abort. C-STORE data sets go to the store handler as they arrive.
/// </summary>
internal sealed partial class DicomServerAssociation(
    PduStream pdus,
    DicomServerOptions options,
    DicomServerPolicy policy,
    IDicomStoreHandler storeHandler,
    IPEndPoint? remote,
    bool isTls,
    ILogger logger)
{
    private const int MaxCommandLength = 64 * 1024;
    private readonly Guid _id = Guid.NewGuid();
    private readonly Dictionary<byte, (string AbstractSyntax, DicomTransferSyntax TransferSyntax)> _contexts = [];
    private DicomAssociationPeer? _peer;
    private uint _peerMaxPdu;

    // The message being received.
    private readonly ArrayBufferWriter<byte> _command = new(512);
    private DimseCommand? _pendingCommand;
    private byte _pendingContext;
    private IDicomStoreSink? _sink;
    private DicomStoreResult? _refusal;
    private long _datasetBytes;

    /// <summary>The peer, once the association was accepted; null before or when rejected.</summary>
    public DicomAssociationPeer? AcceptedPeer { get; private set; }

    /// <summary>Runs the association to its end. <paramref name="stopping"/> asks for a graceful end (after the message in progress); <paramref name="abort"/> ends it now.</summary>
    public async Task RunAsync(bool overLimit, CancellationToken stopping, CancellationToken abort)
    {
        try
        {
            var request = await ReadRequestAsync(abort).ConfigureAwait(false);
            if (request is null)
            {
                return;
            }

            if (!await NegotiateAsync(request, overLimit, abort).ConfigureAwait(false))
            {
                return;
            }

            await ServeAsync(stopping, abort).ConfigureAwait(false);
        }
        catch (DicomProtocolException e)
        {
            LogProtocolError(_id, e.Message);
            await AbortAsync(AbortSource.ServiceProvider, e.AbortReason).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            LogAborted(_id, "server shutting down");
            await AbortAsync(AbortSource.ServiceUser, 0).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or DicomNetworkException or ObjectDisposedException or System.Security.Authentication.AuthenticationException)
        {
            // The peer vanished or aborted: nothing to answer.
            LogConnectionLost(_id, e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A defect (ours, or a store handler's or policy's): this association ends, the server goes on.
            LogFailed(_id, e);
            await AbortAsync(AbortSource.ServiceProvider, AbortReason.NotSpecified).ConfigureAwait(false);
        }
        finally
        {
            await DiscardMessageAsync().ConfigureAwait(false);
        }
    }

    private async Task<AssociateRequest?> ReadRequestAsync(CancellationToken abort)
    {
        using var artim = CancellationTokenSource.CreateLinkedTokenSource(abort);
        artim.CancelAfter(options.ArtimTimeout);
        Pdu? pdu;
        try
        {
            // PS3.8 Sta2: anything but an A-ASSOCIATE-RQ is answered with an A-ABORT, from its header.
            pdu = await pdus.ReadAsync(PduType.AssociateRequest, artim.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!abort.IsCancellationRequested)
        {
            // ARTIM expired before an A-ASSOCIATE-RQ: close the transport (PS3.8 AE-6/AA-2).
            LogArtimExpired(_id, remote?.ToString() ?? "?");
            return null;
        }

        if (pdu is not { } first)
        {
            return null;
        }

        return PduCodec.DecodeAssociateRequest(first.Body.Span);
    }

    private async Task<bool> NegotiateAsync(AssociateRequest request, bool overLimit, CancellationToken cancellationToken)
    {
        _peer = new DicomAssociationPeer(_id, request.CallingAeTitle, request.CalledAeTitle, remote, request.UserInformation.UserIdentity, isTls);
        AssociateReject? reject = null;
        byte[]? identityResponse = null;
        if ((request.ProtocolVersion & 1) == 0)
        {
            reject = AssociateReject.ProtocolVersionNotSupported;
        }
        else if (request.ApplicationContext != AssociateRequest.DicomApplicationContext)
        {
            reject = AssociateReject.ApplicationContextNotSupported;
        }
        else if (overLimit)
        {
            reject = AssociateReject.LocalLimitExceeded;
        }
        else if (options.CheckCalledAeTitle && request.CalledAeTitle != options.AeTitle)
        {
            reject = AssociateReject.CalledAeNotRecognized;
        }
        else if (!await policy.AcceptCallingAeAsync(_peer, cancellationToken).ConfigureAwait(false))
        {
            reject = AssociateReject.CallingAeNotRecognized;
        }
        else if (request.UserInformation.UserIdentity is { } identity)
        {
            identityResponse = await policy.ValidateUserIdentityAsync(_peer, identity, cancellationToken).ConfigureAwait(false);
            if (identityResponse is null)
            {
                reject = AssociateReject.NoReasonGiven;
            }
        }
        else if (!await policy.AcceptWithoutUserIdentityAsync(_peer, cancellationToken).ConfigureAwait(false))
        {
            reject = AssociateReject.NoReasonGiven;
        }

        if (reject is not null)
        {
            DicomNetworkTelemetry.AssociationsRejected.Add(1);
            LogRejected(_id, request.CallingAeTitle, request.CalledAeTitle, remote?.ToString() ?? "?", reject.ToString());
            await pdus.WriteAsync(PduCodec.EncodeAssociateReject(reject), cancellationToken).ConfigureAwait(false);
            return false;
        }

        var answers = new List<PresentationContextAnswer>();
        foreach (var proposal in request.PresentationContexts)
        {
            answers.Add(Answer(proposal));
        }

        _peerMaxPdu = request.UserInformation.MaxPduLength;
        // Max Length 0 would announce "unlimited": we announce, and enforce, our own cap instead.
        var maxPduLength = options.MaxPduLength == 0 ? PduStream.DefaultMaxDataPduLength : options.MaxPduLength;
        pdus.MaxDataPduLength = maxPduLength;
        var roles = request.UserInformation.RoleSelections
            .Where(r => options.EffectiveSopClasses.Contains(r.SopClassUid))
            // PS3.7 D.3.3.4: the roles answered are the requestor's. We are the SCP of storage and verification:
            // the requestor may be the SCU (when it proposed to), never the SCP (we do not send C-STOREs).
            .Select(r => r with { ScuRole = r.ScuRole, ScpRole = false })
            .ToList();
        var accept = new AssociateAccept(request.CalledAeTitle, request.CallingAeTitle, answers, new UserInformation
        {
            MaxPduLength = maxPduLength,
            AsyncOperations = request.UserInformation.AsyncOperations is { } window
                ? ((ushort)Math.Min(Math.Max((int)window.Invoked, 1), options.MaxAsyncOperations), (ushort)1)
                : null,
            RoleSelections = roles,
            ExtendedNegotiations = [.. request.UserInformation.ExtendedNegotiations.Select(e => policy.AnswerExtendedNegotiation(_peer, e)).OfType<ExtendedNegotiation>()],
            UserIdentityServerResponse = request.UserInformation.UserIdentity is { PositiveResponseRequested: true } ? identityResponse : null,
        });
        await pdus.WriteAsync(PduCodec.EncodeAssociateAccept(accept), cancellationToken).ConfigureAwait(false);
        AcceptedPeer = _peer;
        DicomNetworkTelemetry.AssociationsAccepted.Add(1);
        LogAccepted(_id, request.CallingAeTitle, request.CalledAeTitle, remote?.ToString() ?? "?", _contexts.Count, answers.Count, isTls);
        return true;
    }

    private PresentationContextAnswer Answer(PresentationContextProposal proposal)
    {
        if ((proposal.Id & 1) == 0 || _contexts.ContainsKey(proposal.Id))
        {
            return new PresentationContextAnswer(proposal.Id, PresentationContextResult.NoReason, "");
        }

        if (!options.EffectiveSopClasses.Contains(proposal.AbstractSyntax))
        {
            return new PresentationContextAnswer(proposal.Id, PresentationContextResult.AbstractSyntaxNotSupported, "");
        }

        // Our preference order decides among what the peer proposes.
        var chosen = options.EffectiveTransferSyntaxes.FirstOrDefault(ts => proposal.TransferSyntaxes.Contains(ts));
        if (chosen is null)
        {
            return new PresentationContextAnswer(proposal.Id, PresentationContextResult.TransferSyntaxesNotSupported, "");
        }

        _contexts[proposal.Id] = (proposal.AbstractSyntax, DicomTransferSyntax.Lookup(chosen));
        return new PresentationContextAnswer(proposal.Id, PresentationContextResult.Acceptance, chosen);
    }

    private async Task ServeAsync(CancellationToken stopping, CancellationToken abort)
    {
        while (true)
        {
            // Between messages a graceful stop ends the association; inside one, only a hard abort does.
            var betweenMessages = _pendingCommand is null && _command.WrittenCount == 0;
            using var idle = CancellationTokenSource.CreateLinkedTokenSource(abort, betweenMessages ? stopping : CancellationToken.None);
            idle.CancelAfter(options.IdleTimeout);
            Pdu? read;
            try
            {
                read = await pdus.ReadAsync(idle.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!abort.IsCancellationRequested)
            {
                var reason = stopping.IsCancellationRequested ? "server shutting down" : $"idle for {options.IdleTimeout}";
                LogAborted(_id, reason);
                await AbortAsync(AbortSource.ServiceUser, 0).ConfigureAwait(false);
                return;
            }

            if (read is not { } pdu)
            {
                LogConnectionLost(_id, "connection closed without release");
                return;
            }

            switch (pdu.Type)
            {
                case PduType.DataTransfer:
                    foreach (var pdv in PduStream.ParsePdvs(pdu.Body))
                    {
                        await HandlePdvAsync(pdv, abort).ConfigureAwait(false);
                    }

                    break;
                case PduType.ReleaseRequest:
                    if (_pendingCommand is not null)
                    {
                        throw new DicomProtocolException("A-RELEASE-RQ in the middle of a message.", AbortReason.UnexpectedPdu);
                    }

                    await pdus.WriteAsync(PduCodec.EncodeReleaseResponse(), abort).ConfigureAwait(false);
                    LogReleased(_id);
                    return;
                case PduType.Abort:
                    var (source, reason) = PduCodec.DecodeAbort(pdu.Body.Span);
                    DicomNetworkTelemetry.AssociationsAborted.Add(1);
                    LogAborted(_id, $"by the peer ({source}, reason {reason})");
                    return;
                default:
                    throw new DicomProtocolException($"Unexpected {pdu.Type} during an association.", AbortReason.UnexpectedPdu);
            }
        }
    }

    private async Task HandlePdvAsync(Pdv pdv, CancellationToken cancellationToken)
    {
        if (!_contexts.ContainsKey(pdv.PresentationContextId))
        {
            throw new DicomProtocolException($"PDV on presentation context {pdv.PresentationContextId}, which was not accepted.", AbortReason.InvalidPduParameterValue);
        }

        if (pdv.IsCommand)
        {
            if (_pendingCommand is not null)
            {
                throw new DicomProtocolException("A command fragment arrived while a data set was expected.", AbortReason.UnexpectedPduParameter);
            }

            if (_command.WrittenCount + pdv.Data.Length > MaxCommandLength)
            {
                throw new DicomProtocolException($"A command longer than {MaxCommandLength} bytes.", AbortReason.InvalidPduParameterValue);
            }

            _command.Write(pdv.Data.Span);
            if (pdv.IsLast)
            {
                var command = DimseCommand.Decode(_command.WrittenSpan);
                _command.Clear();
                await StartMessageAsync(command, pdv.PresentationContextId, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        if (_pendingCommand is null || pdv.PresentationContextId != _pendingContext)
        {
            throw new DicomProtocolException("A data set fragment arrived without its command (or on another presentation context).", AbortReason.UnexpectedPduParameter);
        }

        _datasetBytes += pdv.Data.Length;
        if (_sink is not null)
        {
            try
            {
                await _sink.WriteAsync(pdv.Data, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Disk full and the like: nothing of this instance may remain; the rest of the data set is discarded.
                _refusal = HandlerFailure(e);
                await DiscardSinkAsync().ConfigureAwait(false);
            }
        }

        if (pdv.IsLast)
        {
            var command = _pendingCommand;
            DicomStoreResult result;
            if (_sink is not null)
            {
                try
                {
                    result = await _sink.CompleteAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    result = HandlerFailure(e);
                }

                await DiscardSinkAsync().ConfigureAwait(false);
            }
            else
            {
                result = _refusal ?? new DicomStoreResult(DimseStatus.ProcessingFailure, "No receiver for the data set.");
            }

            DicomNetworkTelemetry.InstancesReceived.Add(1, new KeyValuePair<string, object?>("status", DicomNetworkTelemetry.StatusClass(result.Status)));
            DicomNetworkTelemetry.BytesReceived.Add(_datasetBytes);
            LogStored(_id, command.AffectedSopInstanceUid, _datasetBytes, DimseStatus.Describe(result.Status), result.Comment ?? "");
            _pendingCommand = null;
            _refusal = null;
            _datasetBytes = 0;
            await RespondAsync(command, _pendingContext, result.Status, result.Comment, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task StartMessageAsync(DimseCommand command, byte contextId, CancellationToken cancellationToken)
    {
        var (abstractSyntax, transferSyntax) = _contexts[contextId];
        switch (command.CommandField)
        {
            case DimseCommandField.CEchoRequest:
                await RespondAsync(command, contextId, abstractSyntax == DicomUids.Verification ? DimseStatus.Success : DimseStatus.SopClassNotSupported, null, cancellationToken).ConfigureAwait(false);
                if (command.HasDataSet)
                {
                    throw new DicomProtocolException("C-ECHO-RQ announcing a data set.", AbortReason.UnexpectedPduParameter);
                }

                return;

            case DimseCommandField.CStoreRequest:
                if (!command.HasDataSet)
                {
                    await RespondAsync(command, contextId, DimseStatus.CannotUnderstand, "C-STORE-RQ without data set", cancellationToken).ConfigureAwait(false);
                    return;
                }

                _pendingCommand = command;
                _pendingContext = contextId;
                if (command.AffectedSopClassUid != abstractSyntax)
                {
                    _refusal = new DicomStoreResult(DimseStatus.SopClassNotSupported, $"SOP class {command.AffectedSopClassUid} sent on a context for {abstractSyntax}");
                    return;
                }

                try
                {
                    _sink = await storeHandler.BeginStoreAsync(new DicomStoreRequest(_peer!, command.MessageId, command.AffectedSopClassUid,
                        command.AffectedSopInstanceUid, transferSyntax, command.Priority, command.MoveOriginatorAeTitle), cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    _refusal = HandlerFailure(e);
                }

                return;

            case DimseCommandField.CCancelRequest:
                return;

            default:
                if (command.HasDataSet)
                {
                    // Read and discard the data set, then answer.
                    _pendingCommand = command;
                    _pendingContext = contextId;
                    _refusal = new DicomStoreResult(DimseStatus.UnrecognizedOperation, $"{DimseCommandField.Name(command.CommandField)} is not supported");
                    return;
                }

                await RespondAsync(command, contextId, DimseStatus.UnrecognizedOperation, $"{DimseCommandField.Name(command.CommandField)} is not supported", cancellationToken).ConfigureAwait(false);
                return;
        }
    }

    /// <summary>
    /// The status for a store handler's exception: its own (refusal), out of resources (disk), or processing failure
    /// (a defect, logged): one instance fails, the association goes on.
    /// </summary>
    private DicomStoreResult HandlerFailure(Exception e)
    {
        switch (e)
        {
            case DicomStoreRefusedException refused:
                return new DicomStoreResult(refused.Status, refused.Message);
            case IOException or UnauthorizedAccessException:
                return new DicomStoreResult(DimseStatus.OutOfResources, e.Message);
            default:
                LogHandlerFailed(_id, e);
                return new DicomStoreResult(DimseStatus.ProcessingFailure, e.Message);
        }
    }

    private async Task RespondAsync(DimseCommand request, byte contextId, ushort status, string? comment, CancellationToken cancellationToken)
    {
        var response = DimseCommand.ResponseTo(request, status, comment);
        using var writer = new PdvWriter(pdus, contextId, isCommand: true, _peerMaxPdu);
        await writer.WriteAsync(response.Encode(), cancellationToken).ConfigureAwait(false);
        await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        // The peer's next command may come in two pieces (command, then data set PDU) held by its Nagle algorithm.
        pdus.AckPromptly();
    }

    private async Task AbortAsync(AbortSource source, byte reason)
    {
        DicomNetworkTelemetry.AssociationsAborted.Add(1);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await pdus.WriteAsync(PduCodec.EncodeAbort(source, reason), timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The peer is gone already.
        }
    }

    private async Task DiscardMessageAsync()
    {
        await DiscardSinkAsync().ConfigureAwait(false);
        _pendingCommand = null;
    }

    private async Task DiscardSinkAsync()
    {
        if (_sink is { } sink)
        {
            _sink = null;
            await sink.DisposeAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Association {AssociationId} accepted: {CallingAe} -> {CalledAe} from {Remote}, {Accepted}/{Proposed} presentation contexts, TLS {Tls}")]
    private partial void LogAccepted(Guid associationId, string callingAe, string calledAe, string remote, int accepted, int proposed, bool tls);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Association {AssociationId} rejected: {CallingAe} -> {CalledAe} from {Remote}: {Reason}")]
    private partial void LogRejected(Guid associationId, string callingAe, string calledAe, string remote, string reason);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Association {AssociationId} released")]
    private partial void LogReleased(Guid associationId);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "Association {AssociationId} aborted: {Reason}")]
    private partial void LogAborted(Guid associationId, string reason);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "Association {AssociationId}: protocol error: {Reason}; aborting")]
    private partial void LogProtocolError(Guid associationId, string reason);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Information, Message = "Association {AssociationId}: connection lost: {Reason}")]
    private partial void LogConnectionLost(Guid associationId, string reason);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Warning, Message = "Association {AssociationId}: no A-ASSOCIATE-RQ from {Remote} before ARTIM expired; connection closed")]
    private partial void LogArtimExpired(Guid associationId, string remote);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Error, Message = "Association {AssociationId}: the store handler failed")]
    private partial void LogHandlerFailed(Guid associationId, Exception exception);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Error, Message = "Association {AssociationId} failed; aborting")]
    private partial void LogFailed(Guid associationId, Exception exception);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Debug, Message = "Association {AssociationId}: C-STORE {SopInstanceUid} ({Bytes} bytes): {Status} {Comment}")]
    private partial void LogStored(Guid associationId, string sopInstanceUid, long bytes, string status, string comment);
}
