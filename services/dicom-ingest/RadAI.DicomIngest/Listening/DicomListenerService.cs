using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RadAI.Data;
using RadAI.Dicom;
using RadAI.Dicom.Network;
using RadAI.DicomIngest.Receptions;
using RadAI.DicomIngest.Senders;

namespace RadAI.DicomIngest.Listening;

/// <summary>
/// The C-STORE SCP of dicom-ingest, as a hosted service: stops gracefully (in-flight C-STOREs finish).
/// </summary>
/// <remarks>
/// One instance listens per database: it holds the database's <c>dicom-ingest</c> lock (<see cref="SqlDialect.TryTakeLockAsync"/>).
/// The reception state assumes it: at start the listening instance counts every association of an earlier run as
/// ended, so a second instance starting beside a running one (a rolling update, a scaling mistake, two standalones on
/// one data folder) would make the first one's studies complete early and split. A second instance therefore waits on
/// standby (not ready), tries the lock every <see cref="DicomIngestOptions.InstanceLockInterval"/>, and listens once the
/// other is gone; the listening one checks that it still holds the lock as often, and stops listening when it lost it.
/// </remarks>
public sealed partial class DicomListenerService(
    IOptions<DicomIngestOptions> options,
    IngestStoreHandler storeHandler,
    SenderPolicy policy,
    SenderDirectory senders,
    ReceptionRepository receptions,
    IDbConnectionFactory connections,
    TimeProvider clock,
    ILogger<DicomListenerService> logger) : IHostedService, IAsyncDisposable
{
    /// <summary>The name of the database lock the listening instance holds.</summary>
    public const string InstanceLockName = DicomIngestModule.ServiceName;

    private readonly CancellationTokenSource _stopping = new();
    private DatabaseLock? _lock;
    private DicomServer? _server;
    private Task? _watch;
    private bool _disposed;
    private string? _lastWatchFailure;

    /// <summary>
    /// Verification and every storage SOP class of the UID registry, retired ones included, and "For Presentation" and
    /// "For Processing" ones (DX, mammography, intra-oral, breast projection, IVOCT, DICOS), which
    /// <see cref="DicomServerOptions.VerificationAndStorage"/> leaves out (it keeps keywords ending in "Storage"). Not the
    /// Storage Commitment classes (a service, not an object to store) nor Media Storage Directory Storage (the DICOMDIR of
    /// a medium, PS3.4 Annex F, never sent over the network). The conformance statement's annex lists this set
    /// (docs/dicom-conformance-statement.md, checked by the ingest tests).
    /// </summary>
    public static IReadOnlySet<string> StorageSopClasses { get; } = new HashSet<string>(
        DicomUids.All
            .Where(u => u.IsSopClass && (u.Uid == DicomUids.Verification
                || (u.Keyword.Contains("Storage", StringComparison.Ordinal)
                    && !u.Keyword.StartsWith("StorageCommitment", StringComparison.Ordinal)
                    && u.Uid != DicomUids.MediaStorageDirectoryStorage)))
            .Select(u => u.Uid),
        StringComparer.Ordinal);

    /// <summary>Where the SCP listens (useful when port 0 was configured); null on standby.</summary>
    public IPEndPoint? LocalEndPoint => _server?.LocalEndPoint;

    /// <summary>Whether this instance listens (false on standby: another instance holds the database's lock).</summary>
    public bool IsListening => _server is not null;

    /// <summary>Listens at once when the database's lock is free (a start fails as before when it cannot listen); on standby otherwise.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _lock = await connections.Dialect.TryTakeLockAsync(InstanceLockName, cancellationToken).ConfigureAwait(false);
        if (_lock is null)
        {
            LogStandby(options.Value.InstanceLockInterval.TotalSeconds);
        }
        else
        {
            try
            {
                await ListenAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await ReleaseLockAsync().ConfigureAwait(false);
                throw;
            }
        }

        _watch = WatchLockAsync(_stopping.Token);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_watch is not null)
        {
            await _watch.ConfigureAwait(false);
        }

        await StopListeningAsync().ConfigureAwait(false);
        await ReleaseLockAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        // The container disposes this instance twice (as itself and as the hosted service it also is).
        if (_disposed)
        {
            return;
        }

        _disposed = true;

        // Also when StopAsync was never called (the host failed to start after this service had).
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_watch is not null)
        {
            await _watch.ConfigureAwait(false);
        }

        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
        }

        await ReleaseLockAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    /// <summary>With the lock held: associations of an earlier holder died with it; then the SCP starts.</summary>
    private async Task ListenAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        await receptions.ResetOpenAssociationsAsync(cancellationToken).ConfigureAwait(false);
        var server = new DicomServer(
            new DicomServerOptions
            {
                AeTitle = settings.AeTitle,
                Port = settings.Port,
                BindAddress = IPAddress.Parse(settings.BindAddress),
                MaxAssociations = settings.MaxAssociations,
                TransferSyntaxes = settings.TransferSyntaxes switch
                {
                    [] => null,
                    ["*"] => DicomServerOptions.AllTransferSyntaxes,
                    var list => list,
                },
                SopClasses = StorageSopClasses,
                Tls = Tls(settings),
            },
            storeHandler,
            policy,
            logger,
            onAssociationEnded: peer =>
            {
                senders.Forget(peer.AssociationId);
                return storeHandler.AssociationEndedAsync(peer.AssociationId, CancellationToken.None);
            });
        try
        {
            await server.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        _server = server;
        LogListening(settings.AeTitle, server.LocalEndPoint.ToString());
    }

    /// <summary>On standby, tries the lock; listening, checks it is still held.</summary>
    private async Task WatchLockAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.InstanceLockInterval;
        while (true)
        {
            try
            {
                await Task.Delay(interval, clock, stoppingToken).ConfigureAwait(false);
                if (_lock is null)
                {
                    _lock = await connections.Dialect.TryTakeLockAsync(InstanceLockName, stoppingToken).ConfigureAwait(false);
                    if (_lock is not null)
                    {
                        LogTakingOver();
                        await ListenAsync(stoppingToken).ConfigureAwait(false);
                    }
                }
                else if (!await _lock.IsHeldAsync(stoppingToken).ConfigureAwait(false))
                {
                    // Another instance may listen already: in-flight C-STOREs finish, no new association is accepted.
                    LogLockLost();
                    await StopListeningAsync().ConfigureAwait(false);
                    await ReleaseLockAsync().ConfigureAwait(false);
                }

                _lastWatchFailure = null;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Unable to listen with the lock (the port taken...), or the database unreachable: on standby again. Logged
                // when the reason changes, not at every try while the database is down.
                if (e.Message != _lastWatchFailure)
                {
                    _lastWatchFailure = e.Message;
                    LogWatchFailed(e.Message);
                }

                await StopListeningAsync().ConfigureAwait(false);
                await ReleaseLockAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task StopListeningAsync()
    {
        if (_server is { } server)
        {
            _server = null;
            await server.StopAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            await server.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task ReleaseLockAsync()
    {
        if (_lock is { } held)
        {
            _lock = null;
            await held.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static DicomServerTlsOptions? Tls(DicomIngestOptions settings)
    {
        if (string.IsNullOrEmpty(settings.TlsCertificatePath))
        {
            return null;
        }

        var trusted = new X509Certificate2Collection();
        if (!string.IsNullOrEmpty(settings.TlsTrustedCaPath))
        {
            trusted.ImportFromPemFile(settings.TlsTrustedCaPath);
        }

        return new DicomServerTlsOptions
        {
            Certificate = X509Certificate2.CreateFromPemFile(settings.TlsCertificatePath, settings.TlsKeyPath),
            RequireClientCertificate = settings.TlsRequireClientCertificate,
            TrustedCertificates = trusted,
        };
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "dicom-ingest: {AeTitle} listening on {EndPoint}")]
    private partial void LogListening(string aeTitle, string endPoint);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Warning, Message = "dicom-ingest: on standby, not listening: another dicom-ingest instance holds this database's lock (one listens per database); trying again every {Seconds} s")]
    private partial void LogStandby(double seconds);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Warning, Message = "dicom-ingest: the other instance is gone, this one took the database's lock and listens")]
    private partial void LogTakingOver();

    [LoggerMessage(EventId = 4104, Level = LogLevel.Error, Message = "dicom-ingest: the database's lock was lost (its database session ended); listening stopped, on standby until the lock is free")]
    private partial void LogLockLost();

    [LoggerMessage(EventId = 4105, Level = LogLevel.Error, Message = "dicom-ingest: on standby after a failure while taking over or checking the database's lock: {Reason}")]
    private partial void LogWatchFailed(string reason);
}
