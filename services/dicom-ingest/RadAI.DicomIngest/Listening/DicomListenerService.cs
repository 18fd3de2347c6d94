using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RadAI.Dicom;
using RadAI.Dicom.Network;
using RadAI.DicomIngest.Receptions;
using RadAI.DicomIngest.Senders;

namespace RadAI.DicomIngest.Listening;

/// <summary>The C-STORE SCP of dicom-ingest, as a hosted service: stops gracefully (in-flight C-STOREs finish).</summary>
public sealed partial class DicomListenerService(
    IOptions<DicomIngestOptions> options,
    IngestStoreHandler storeHandler,
    SenderPolicy policy,
    SenderDirectory senders,
    ReceptionRepository receptions,
    ILogger<DicomListenerService> logger) : IHostedService, IAsyncDisposable
{
    private DicomServer? _server;

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

    /// <summary>Where the SCP listens (useful when port 0 was configured).</summary>
    public IPEndPoint? LocalEndPoint => _server?.LocalEndPoint;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        // Associations of a previous run died with it.
        await receptions.ResetOpenAssociationsAsync(cancellationToken).ConfigureAwait(false);
        _server = new DicomServer(
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
        await _server.StartAsync(cancellationToken).ConfigureAwait(false);
        LogListening(settings.AeTitle, _server.LocalEndPoint.ToString());
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is not null)
        {
            await _server.StopAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
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
}
