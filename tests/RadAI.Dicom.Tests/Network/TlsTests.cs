using RadAI.Dicom.Network;
using RadAI.Testing;
using Xunit;
using Xunit.Abstractions;

namespace RadAI.Dicom.Tests.Network;

/// <summary>
/// DICOM TLS: RadAI's SCU and SCP together, with and without a required client certificate, refusals (no client
/// certificate, untrusted server), and against DCMTK built with OpenSSL (echoscu/storescu +tls to our SCP, our SCU to
/// storescp +tls).
/// </summary>
public sealed class TlsTests(ITestOutputHelper output)
{
    private static TestPki Pki => TestPki.Instance;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Scu_and_scp_store_over_tls(bool requireClientCertificate)
    {
        await using var scp = await ScpUnderTest.StartAsync(new DicomServerOptions { Tls = ServerTls(requireClientCertificate) });

        await using (var client = await DicomClient.ConnectAsync(scp.Client() with { Tls = ClientTls(withCertificate: requireClientCertificate) }, StoreContexts()))
        {
            Assert.Equal(DimseStatus.Success, await client.EchoAsync());
            var response = await client.StoreFileAsync(Corpus.CtSmall);
            Assert.True(response.IsSuccess, response.ToString());
            await client.ReleaseAsync();
        }

        Assert.Equal(await DatasetDump.OfAsync(Corpus.CtSmall), await DatasetDump.OfAsync(Assert.Single(scp.StoredFiles())));
        Assert.True(scp.Log.Contains("TLS True"), scp.Log.ToString());
    }

    [Fact]
    public async Task Client_without_certificate_is_refused_when_one_is_required()
    {
        await using var scp = await ScpUnderTest.StartAsync(new DicomServerOptions { Tls = ServerTls(requireClientCertificate: true) });

        var error = await Assert.ThrowsAsync<DicomNetworkException>(() => DicomClient.ConnectAsync(scp.Client() with { Tls = ClientTls(withCertificate: false) }, StoreContexts()));

        // With TLS 1.3 the client's handshake completes before the server checks the client certificate: the refusal
        // arrives as the connection breaks when the A-ASSOCIATE-AC is read, and must still be a DicomNetworkException.
        output.WriteLine(error.Message);
        Assert.Contains("TLS", error.Message, StringComparison.Ordinal);
        Assert.Empty(scp.StoredFiles());
        await scp.IdleAsync();
    }

    [Fact]
    public async Task Untrusted_server_certificate_is_refused_by_our_scu()
    {
        await using var scp = await ScpUnderTest.StartAsync(new DicomServerOptions { Tls = new DicomServerTlsOptions { Certificate = Pki.RogueServer } });

        var error = await Assert.ThrowsAsync<DicomNetworkException>(() => DicomClient.ConnectAsync(scp.Client() with { Tls = ClientTls(withCertificate: false) }, StoreContexts()));

        Assert.Contains("TLS handshake", error.Message, StringComparison.Ordinal);
        // The server name is checked too: our CA's certificate, for another name.
        await using var trusted = await ScpUnderTest.StartAsync(new DicomServerOptions { Tls = ServerTls(requireClientCertificate: false) });
        var mismatch = await Assert.ThrowsAsync<DicomNetworkException>(() => DicomClient.ConnectAsync(
            trusted.Client() with { Tls = ClientTls(withCertificate: false) with { ServerName = "pacs.example.org" } }, StoreContexts()));
        Assert.Contains("TLS handshake", mismatch.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plain_tcp_client_to_a_tls_scp_fails_cleanly_and_the_scp_keeps_serving()
    {
        await using var scp = await ScpUnderTest.StartAsync(new DicomServerOptions { Tls = ServerTls(requireClientCertificate: false), ArtimTimeout = TimeSpan.FromSeconds(5) });

        await Assert.ThrowsAnyAsync<DicomNetworkException>(() => DicomClient.ConnectAsync(scp.Client() with { AssociationTimeout = TimeSpan.FromSeconds(10) }, StoreContexts()));

        await using var client = await DicomClient.ConnectAsync(scp.Client() with { Tls = ClientTls(withCertificate: false) }, StoreContexts());
        Assert.Equal(DimseStatus.Success, await client.EchoAsync());
        await client.ReleaseAsync();
    }

    [Fact]
    public async Task Dcmtk_echoscu_and_storescu_over_tls_to_our_scp()
    {
        await using var scp = await ScpUnderTest.StartAsync(new DicomServerOptions { Tls = ServerTls(requireClientCertificate: true) });
        string[] tls = ["+tls", Pki.Pem("client.key"), Pki.Pem("client.crt"), "+cf", Pki.Pem("ca.crt")];

        var echo = await Dcmtk.RunAsync("echoscu", ["-v", .. tls, "-aec", ScpUnderTest.AeTitle, "127.0.0.1", DcmtkToScpTests.Port(scp)]);
        Assert.True(echo.ExitCode == 0, echo.Output + echo.Error);
        var store = await Dcmtk.RunAsync("storescu", ["-v", .. tls, "-aec", ScpUnderTest.AeTitle, "127.0.0.1", DcmtkToScpTests.Port(scp), Corpus.MrSmall]);
        Assert.True(store.ExitCode == 0, store.Output + store.Error);
        // DCMTK drops the source's trailing padding when it sends.
        Assert.Equal(await DatasetDump.OfAsync(Corpus.MrSmall, withoutTrailingPadding: true), await DatasetDump.OfAsync(Assert.Single(scp.StoredFiles())));

        // DCMTK without a certificate of its own (anonymous TLS): refused by the handshake.
        var anonymous = await Dcmtk.RunAsync("echoscu", "+tla", "+cf", Pki.Pem("ca.crt"), "-aec", ScpUnderTest.AeTitle, "127.0.0.1", DcmtkToScpTests.Port(scp));
        Assert.NotEqual(0, anonymous.ExitCode);
        // DCMTK that does not trust our server certificate: it refuses.
        var distrustful = await Dcmtk.RunAsync("echoscu", "+tls", Pki.Pem("client.key"), Pki.Pem("client.crt"), "+cf", Pki.Pem("rogue-server.crt"), "-aec", ScpUnderTest.AeTitle, "127.0.0.1", DcmtkToScpTests.Port(scp));
        Assert.NotEqual(0, distrustful.ExitCode);
        await scp.IdleAsync();
        Assert.Single(scp.StoredFiles());
    }

    [Fact]
    public async Task Our_scu_to_storescp_over_tls()
    {
        using var work = new TemporaryDirectory();
        var received = Directory.CreateDirectory(Path.Combine(work.Path, "storescp")).FullName;
        string[] tls = ["+tls", Pki.Pem("server.key"), Pki.Pem("server.crt"), "+cf", Pki.Pem("ca.crt")];
        string[] probe = ["+tls", Pki.Pem("client.key"), Pki.Pem("client.crt"), "+cf", Pki.Pem("ca.crt")];
        var (storescp, port) = await Dcmtk.StartStorescpAsync(received, ["+xa", .. tls], probe);
        await using var _ = storescp;

        var results = await DicomSender.SendAsync(ScuToPeersTests.Options(port, "STORESCP") with { Tls = ClientTls(withCertificate: true) }, [Corpus.CtSmall, Corpus.JpegBaseline]);

        Assert.All(results, r => Assert.True(r.Status == DimseStatus.Success, r.ToString()));
        await ScuToPeersTests.AssertStoredEqualAsync([Corpus.CtSmall, Corpus.JpegBaseline], await ScuToPeersTests.StoredBySopInstanceAsync(received), work.Path);

        // storescp requires a client certificate (its default -rc): without one, every file is reported not sent.
        var refused = await DicomSender.SendAsync(ScuToPeersTests.Options(port, "STORESCP") with { Tls = ClientTls(withCertificate: false) }, [Corpus.MrSmall]);
        var result = Assert.Single(refused);
        Assert.Null(result.Status);
        Assert.False(string.IsNullOrEmpty(result.Message));
    }

    /// <summary><c>radai echo</c> with TLS: success with a certificate, exit 4 and a one-line reason (no stack trace) without.</summary>
    [Fact]
    public async Task Radai_echo_over_tls()
    {
        await using var scp = await ScpUnderTest.StartAsync(new DicomServerOptions { Tls = ServerTls(requireClientCertificate: true) });
        string[] common = [DcmtkToScpTests.RadaiDll, "echo", "127.0.0.1", DcmtkToScpTests.Port(scp), "--aec", ScpUnderTest.AeTitle, "--tls", "--tls-ca", Pki.Pem("ca.crt")];

        var echo = await ExternalTool.RunAsync("dotnet", [.. common, "--tls-cert", Pki.Pem("client.crt"), "--tls-key", Pki.Pem("client.key")]);
        Assert.True(echo.ExitCode == 0, echo.Output + echo.Error);
        Assert.Contains("0000 Success", echo.Output, StringComparison.Ordinal);

        var refused = await ExternalTool.RunAsync("dotnet", common);
        Assert.True(refused.ExitCode == 4, refused.Output + refused.Error);
        Assert.StartsWith("radai echo: ", refused.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", refused.Error, StringComparison.Ordinal);
    }

    private static DicomServerTlsOptions ServerTls(bool requireClientCertificate) => new()
    {
        Certificate = Pki.Server,
        RequireClientCertificate = requireClientCertificate,
        TrustedCertificates = [Pki.Ca],
    };

    private static DicomClientTlsOptions ClientTls(bool withCertificate) => new()
    {
        ClientCertificate = withCertificate ? Pki.Client : null,
        TrustedCertificates = [Pki.Ca],
    };

    private static PresentationContextProposal[] StoreContexts() =>
    [
        new(1, DicomUids.Verification, [DicomUids.ImplicitVRLittleEndian]),
        new(3, DicomUids.CTImageStorage, [DicomUids.ExplicitVRLittleEndian]),
    ];
}
