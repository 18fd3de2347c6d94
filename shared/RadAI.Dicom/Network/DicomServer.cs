using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace RadAI.Dicom.Network;

/// <summary>
/// A DICOM SCP: accepts associations (up to a limit; more are rejected cleanly), answers C-ECHO and
/// streams each C-STORE data set to a store handler. Stopping lets the C-STOREs in progress finish.
/// </summary>
public sealed partial class DicomServer : IAsyncDisposable
{
    private readonly DicomServerOptions _options;
    private readonly IDicomStoreHandler _storeHandler;
    private readonly DicomServerPolicy _policy;
    private readonly ILogger _logger;
    private readonly Func<DicomAssociationPeer, Task>? _onAssociationEnded;
    private readonly ConcurrentDictionary<Task, byte> _associations = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _abort = new();
    private TcpListener? _listener;
    private Task _acceptLoop = Task.CompletedTask;
    private int _active;

    /// <param name="options">How to listen and negotiate.</param>
    /// <param name="storeHandler">Where C-STORE data sets go.</param>
    /// <param name="policy">Who may associate; default: everyone.</param>
    /// <param name="logger">Association log.</param>
    /// <param name="onAssociationEnded">Called when an accepted association ends (released, aborted or lost).</param>
    public DicomServer(DicomServerOptions options, IDicomStoreHandler storeHandler, DicomServerPolicy? policy = null, ILogger? logger = null,
        Func<DicomAssociationPeer, Task>? onAssociationEnded = null)
    {
        _onAssociationEnded = onAssociationEnded;
        _options = options;
        _storeHandler = storeHandler;
        _policy = policy ?? new DicomServerPolicy();
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Where the server listens (the real port when 0 was asked).</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint?)_listener?.LocalEndpoint ?? throw new InvalidOperationException("The server is not started.");

    /// <summary>Associations in progress.</summary>
    public int ActiveAssociations => Volatile.Read(ref _active);

    /// <summary>Starts listening.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        _listener = new TcpListener(_options.BindAddress, _options.Port);
        _listener.Server.NoDelay = true;
        _listener.Start(backlog: 512);
        _acceptLoop = AcceptLoopAsync();
        LogListening(_options.AeTitle, LocalEndPoint.ToString(), _options.Tls is not null);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Stops accepting, lets each association finish the message it is receiving (up to
    /// <paramref name="grace"/>), then aborts what is left.
    /// </summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener?.Stop();
        await _acceptLoop.ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_associations.Keys).WaitAsync(grace).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await _abort.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(_associations.Keys).ConfigureAwait(false);
        }

        LogStopped(_options.AeTitle);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        _stopping.Dispose();
        _abort.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener!.AcceptSocketAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException && _stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e)
            {
                LogAcceptFailed(e.Message);
                continue;
            }

            // DCMTK without TCP_NODELAY stalls on delayed ACKs: never let our side be the one waiting.
            socket.NoDelay = true;
            var task = HandleConnectionAsync(socket);
            _associations.TryAdd(task, 0);
            _ = task.ContinueWith(t => _associations.TryRemove(t, out _), TaskScheduler.Default);
        }
    }

    private async Task HandleConnectionAsync(Socket socket)
    {
        await Task.Yield();
        var overLimit = Interlocked.Increment(ref _active) > _options.MaxAssociations;
        DicomNetworkTelemetry.ActiveAssociations.Add(1);
        var remote = socket.RemoteEndPoint as IPEndPoint;
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        try
        {
            if (_options.Tls is { } tls)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                using var handshake = CancellationTokenSource.CreateLinkedTokenSource(_abort.Token);
                handshake.CancelAfter(_options.ArtimTimeout);
                await ssl.AuthenticateAsServerAsync(tls.ToSslOptions(), handshake.Token).ConfigureAwait(false);
            }

            await using var pdus = new PduStream(stream) { Socket = socket };
            var association = new DicomServerAssociation(pdus, _options, _policy, _storeHandler, remote, _options.Tls is not null, _logger);
            try
            {
                await association.RunAsync(overLimit, _stopping.Token, _abort.Token).ConfigureAwait(false);
            }
            finally
            {
                if (association.AcceptedPeer is { } peer && _onAssociationEnded is not null)
                {
                    try
                    {
                        await _onAssociationEnded(peer).ConfigureAwait(false);
                    }
#pragma warning disable CA1031 // the host's callback must not take the connection handling down with it
                    catch (Exception e)
#pragma warning restore CA1031
                    {
                        LogCallbackFailed(peer.AssociationId, e.Message);
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException or OperationCanceledException or SocketException)
        {
            LogHandshakeFailed(remote?.ToString() ?? "?", e.Message);
            await stream.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Never let one connection fault its task: StopAsync awaits them all, and the others go on.
            LogConnectionFailed(remote?.ToString() ?? "?", e);
            await stream.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _active);
            DicomNetworkTelemetry.ActiveAssociations.Add(-1);
        }
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "DICOM SCP {AeTitle} listening on {EndPoint} (TLS {Tls})")]
    private partial void LogListening(string aeTitle, string endPoint, bool tls);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Information, Message = "DICOM SCP {AeTitle} stopped")]
    private partial void LogStopped(string aeTitle);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Warning, Message = "Accepting a connection failed: {Reason}")]
    private partial void LogAcceptFailed(string reason);

    [LoggerMessage(EventId = 3105, Level = LogLevel.Error, Message = "Association {AssociationId}: the association-ended callback failed: {Reason}")]
    private partial void LogCallbackFailed(Guid associationId, string reason);

    [LoggerMessage(EventId = 3105, Level = LogLevel.Error, Message = "Connection from {Remote} failed")]
    private partial void LogConnectionFailed(string remote, Exception exception);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Warning, Message = "Connection from {Remote} failed before the association: {Reason}")]
    private partial void LogHandshakeFailed(string remote, string reason);
}
