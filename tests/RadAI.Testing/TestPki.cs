using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace RadAI.Testing;

/// <summary>
/// A throwaway PKI made in process (.NET CertificateRequest): a CA, a server certificate for localhost/127.0.0.1 and a
/// client certificate it signed, and a rogue CA with its own server certificate; each also written as PEM files (key
/// and certificate) for DCMTK's +tls.
/// </summary>
public sealed class TestPki
{
    private static readonly Lazy<TestPki> Shared = new(() => new TestPki());

    private TestPki()
    {
        Folder = Directory.CreateTempSubdirectory("radai-pki-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(Folder, recursive: true);
        using var caKey = RSA.Create(2048);
        Ca = CreateCa("CN=RadAI Test CA", caKey);
        Server = Issue(Ca, "CN=localhost", server: true);
        Client = Issue(Ca, "CN=RADAI-SCU", server: false);
        using var rogueKey = RSA.Create(2048);
        RogueCa = CreateCa("CN=Rogue CA", rogueKey);
        RogueServer = Issue(RogueCa, "CN=localhost", server: true);
        Write("ca", Ca);
        Write("server", Server);
        Write("client", Client);
        Write("rogue-server", RogueServer);
    }

    public static TestPki Instance => Shared.Value;

    /// <summary>Where the PEM files are: ca.crt, server.crt/.key, client.crt/.key, rogue-server.crt/.key.</summary>
    public string Folder { get; }

    public X509Certificate2 Ca { get; }

    public X509Certificate2 Server { get; }

    public X509Certificate2 Client { get; }

    public X509Certificate2 RogueCa { get; }

    public X509Certificate2 RogueServer { get; }

    public string Pem(string name) => Path.Combine(Folder, name);

    private static X509Certificate2 CreateCa(string subject, RSA key)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-2), DateTimeOffset.UtcNow.AddDays(60));
    }

    private static X509Certificate2 Issue(X509Certificate2 ca, string subject, bool server)
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
        return issued.CopyWithPrivateKey(key);
    }

    private void Write(string name, X509Certificate2 certificate)
    {
        File.WriteAllText(Path.Combine(Folder, name + ".crt"), certificate.ExportCertificatePem());
        if (certificate.GetRSAPrivateKey() is { } key)
        {
            File.WriteAllText(Path.Combine(Folder, name + ".key"), key.ExportPkcs8PrivateKeyPem());
        }
    }
}
