using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RadAI.Dicom;
using RadAI.Dicom.Network;

namespace RadAI.PacsSender.Destinations;

/// <summary>How to reach a destination with RadAI's SCU (TCP or DICOM TLS), and its C-ECHO check.</summary>
public sealed partial class DestinationConnector(IOptions<PacsSenderOptions> options, DestinationRepository destinations, TimeProvider time, ILogger<DestinationConnector> logger)
{
    private readonly Lazy<(X509Certificate2Collection Trusted, X509Certificate2? Client)> _tls = new(() => LoadTls(options.Value.Tls));

    /// <summary>The SCU settings for a destination.</summary>
    public DicomClientOptions ClientOptions(Destination destination)
    {
        var settings = options.Value;
        DicomClientTlsOptions? tls = null;
        if (destination.Tls)
        {
            var (trusted, client) = _tls.Value;
            tls = new DicomClientTlsOptions { TrustedCertificates = trusted, ClientCertificate = client };
        }

        return new DicomClientOptions
        {
            Host = destination.Host,
            Port = checked((int)destination.Port),
            CallingAeTitle = settings.CallingAeTitle,
            CalledAeTitle = destination.AeTitle,
            ConnectTimeout = settings.ConnectTimeout,
            AssociationTimeout = settings.ResponseTimeout,
            ResponseTimeout = settings.ResponseTimeout,
            Tls = tls,
        };
    }

    /// <summary>C-ECHO to the destination; the result (status, or why there was none) is recorded on its row and returned.</summary>
    public async Task<(ushort? Status, string? Error)> EchoAsync(Destination destination, CancellationToken cancellationToken)
    {
        ushort? status = null;
        string? error = null;
        try
        {
            await using var client = await DicomClient.ConnectAsync(
                ClientOptions(destination), [new PresentationContextProposal(1, DicomUids.Verification, [DicomUids.ImplicitVRLittleEndian])], cancellationToken: cancellationToken).ConfigureAwait(false);
            status = await client.EchoAsync(cancellationToken).ConfigureAwait(false);
            await client.ReleaseAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DicomNetworkException or IOException || e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            error = e.Message;
        }

        if (status is { } s && !DimseStatus.IsSuccess(s))
        {
            error ??= DimseStatus.Describe(s);
        }

        await destinations.RecordEchoAsync(destination.AeTitle, time.GetUtcNow(), status, error, cancellationToken).ConfigureAwait(false);
        if (error is null)
        {
            LogEchoSucceeded(destination.AeTitle, destination.Host, destination.Port);
        }
        else
        {
            LogEchoFailed(destination.AeTitle, destination.Host, destination.Port, error);
        }

        return (status, error);
    }

    private static (X509Certificate2Collection, X509Certificate2?) LoadTls(DestinationTlsOptions tls)
    {
        var trusted = new X509Certificate2Collection();
        if (!string.IsNullOrEmpty(tls.TrustedCaPath))
        {
            trusted.ImportFromPemFile(tls.TrustedCaPath);
        }

        var client = string.IsNullOrEmpty(tls.ClientCertificatePath) ? null : X509Certificate2.CreateFromPemFile(tls.ClientCertificatePath, tls.ClientKeyPath);
        return (trusted, client);
    }

    [LoggerMessage(EventId = 7401, Level = LogLevel.Information, Message = "Destination {AeTitle} ({Host}:{Port}) answered C-ECHO")]
    private partial void LogEchoSucceeded(string aeTitle, string host, long port);

    [LoggerMessage(EventId = 7402, Level = LogLevel.Warning, Message = "Destination {AeTitle} ({Host}:{Port}) did not answer C-ECHO: {Error}")]
    private partial void LogEchoFailed(string aeTitle, string host, long port, string error);
}
