using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using RadAI.Dicom.Network;

namespace RadAI.Cli;

/// <summary>The TLS options shared by echo, send and listen.</summary>
internal sealed class TlsArguments
{
    public Option<bool> Tls { get; } = new("--tls") { Description = "Use DICOM TLS." };

    public Option<FileInfo?> Certificate { get; } = new("--tls-cert") { Description = "PEM certificate: the server's (listen) or the client's, for mutual TLS (echo, send)." };

    public Option<FileInfo?> Key { get; } = new("--tls-key") { Description = "PEM private key of --tls-cert." };

    public Option<FileInfo[]> Trusted { get; } = new("--tls-ca") { Description = "PEM certificate(s) to trust for the peer (CA or the peer's own); default: the system store.", AllowMultipleArgumentsPerToken = true };

    public Option<string?> ServerName { get; } = new("--tls-server-name") { Description = "Name expected in the server certificate (default: the host)." };

    public Option<bool> RequireClientCertificate { get; } = new("--tls-require-client-cert") { Description = "listen: require a client certificate (mutual TLS)." };

    public void AddTo(Command command, bool server)
    {
        command.Options.Add(Tls);
        command.Options.Add(Certificate);
        command.Options.Add(Key);
        command.Options.Add(Trusted);
        if (server)
        {
            command.Options.Add(RequireClientCertificate);
        }
        else
        {
            command.Options.Add(ServerName);
        }
    }

    public DicomClientTlsOptions? Client(ParseResult result)
    {
        if (!result.GetValue(Tls))
        {
            return null;
        }

        return new DicomClientTlsOptions
        {
            ServerName = result.GetValue(ServerName),
            ClientCertificate = LoadCertificate(result),
            TrustedCertificates = LoadTrusted(result),
        };
    }

    public DicomServerTlsOptions? Server(ParseResult result)
    {
        if (!result.GetValue(Tls))
        {
            return null;
        }

        return new DicomServerTlsOptions
        {
            Certificate = LoadCertificate(result) ?? throw new ArgumentException("--tls needs --tls-cert and --tls-key for listen."),
            RequireClientCertificate = result.GetValue(RequireClientCertificate),
            TrustedCertificates = LoadTrusted(result),
        };
    }

    private X509Certificate2? LoadCertificate(ParseResult result)
    {
        var certificate = result.GetValue(Certificate);
        if (certificate is null)
        {
            return null;
        }

        var key = result.GetValue(Key) ?? throw new ArgumentException("--tls-cert needs --tls-key.");
        return X509Certificate2.CreateFromPemFile(certificate.FullName, key.FullName);
    }

    private X509Certificate2Collection LoadTrusted(ParseResult result)
    {
        var collection = new X509Certificate2Collection();
        foreach (var file in result.GetValue(Trusted) ?? [])
        {
            collection.ImportFromPemFile(file.FullName);
        }

        return collection;
    }
}
