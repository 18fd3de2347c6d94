using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using RadAI.Testing;

namespace RadAI.PacsSender.Tests.Support;

/// <summary>
/// A throwaway PKI made in process: a CA, a server certificate for 127.0.0.1/localhost and a client certificate, written
/// as PEM files (ca.crt, server.crt/.key, client.crt/.key) for storescp's <c>+tls</c> and pacs-sender's <c>PacsSender:Tls</c>.
/// </summary>
public sealed class TestPki : IDisposable
{
    private readonly TemporaryDirectory _folder = new("radai-pki");

    public TestPki()
    {
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=RadAI Test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-2), DateTimeOffset.UtcNow.AddDays(60));
        File.WriteAllText(Pem("ca.crt"), ca.ExportCertificatePem());
        Issue(ca, "server", "CN=localhost", server: true);
        Issue(ca, "client", "CN=RADAI-TEST", server: false);
    }

    public string Pem(string name) => Path.Combine(_folder.Path, name);

    public void Dispose() => _folder.Dispose();

    private void Issue(X509Certificate2 ca, string name, string subject, bool server)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(server ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        if (server)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName("localhost");
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
        }

        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var issued = request.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), serial);
        File.WriteAllText(Pem(name + ".crt"), issued.ExportCertificatePem());
        File.WriteAllText(Pem(name + ".key"), key.ExportPkcs8PrivateKeyPem());
    }
}
