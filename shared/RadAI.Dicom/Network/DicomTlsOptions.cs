using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace RadAI.Dicom.Network;

/// <summary>DICOM TLS (PS3.15 B.1 secure transport) for an SCP.</summary>
public sealed record DicomServerTlsOptions
{
    /// <summary>The server certificate with its private key.</summary>
    public required X509Certificate2 Certificate { get; init; }

    /// <summary>Require a client certificate (mutual authentication).</summary>
    public bool RequireClientCertificate { get; init; }

    /// <summary>Certificates trusted for client certificates (roots or the clients themselves); empty: the system store.</summary>
    public X509Certificate2Collection TrustedCertificates { get; init; } = [];

    public SslProtocols Protocols { get; init; } = SslProtocols.Tls12 | SslProtocols.Tls13;

    internal SslServerAuthenticationOptions ToSslOptions() => new()
    {
        ServerCertificate = Certificate,
        ClientCertificateRequired = RequireClientCertificate,
        EnabledSslProtocols = Protocols,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            !RequireClientCertificate && certificate is null
            || DicomTls.Validate(certificate, errors, TrustedCertificates, expectedHost: null),
    };
}

/// <summary>DICOM TLS for an SCU.</summary>
public sealed record DicomClientTlsOptions
{
    /// <summary>Host name expected in the server certificate; null: the host connected to.</summary>
    public string? ServerName { get; init; }

    /// <summary>Client certificate for mutual authentication, when the server asks for one.</summary>
    public X509Certificate2? ClientCertificate { get; init; }

    /// <summary>Certificates trusted for the server (roots or the server itself); empty: the system store.</summary>
    public X509Certificate2Collection TrustedCertificates { get; init; } = [];

    public SslProtocols Protocols { get; init; } = SslProtocols.Tls12 | SslProtocols.Tls13;

    internal SslClientAuthenticationOptions ToSslOptions(string host) => new()
    {
        TargetHost = ServerName ?? host,
        ClientCertificates = ClientCertificate is null ? null : [ClientCertificate],
        EnabledSslProtocols = Protocols,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            DicomTls.Validate(certificate, errors, TrustedCertificates, ServerName ?? host),
    };
}

internal static class DicomTls
{
    /// <summary>
    /// Accepts a peer certificate that chains to one of <paramref name="trusted"/> (hospital CAs are
    /// rarely in the system store), or, with no trust list, what the system validation accepted.
    /// </summary>
    public static bool Validate(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection trusted, string? expectedHost)
    {
        if (certificate is null)
        {
            return false;
        }

        if (trusted.Count == 0)
        {
            return errors == SslPolicyErrors.None;
        }

        if (expectedHost is not null && errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return false;
        }

        using var peer = new X509Certificate2(certificate);
        if (trusted.Any(t => t.Thumbprint == peer.Thumbprint))
        {
            return true;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trusted);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(peer);
    }
}
