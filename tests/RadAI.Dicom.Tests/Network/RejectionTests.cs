using RadAI.Dicom.Network;
using RadAI.Testing;
using Xunit;

namespace RadAI.Dicom.Tests.Network;

/// <summary>
/// What our SCP refuses, as DCMTK reports it: A-ASSOCIATE-RJ with the right result, source and reason, and
/// presentation contexts answered with the right result.
/// </summary>
public sealed class RejectionTests
{
    [Fact]
    public async Task Wrong_called_ae_is_rejected()
    {
        await using var scp = await ScpUnderTest.StartAsync();

        var echo = await Dcmtk.RunAsync("echoscu", "-aec", "WRONG", "127.0.0.1", DcmtkToScpTests.Port(scp));

        Assert.NotEqual(0, echo.ExitCode);
        var output = echo.Output + echo.Error;
        Assert.Contains("Association Rejected", output, StringComparison.Ordinal);
        Assert.Contains("Result: Rejected Permanent, Source: Service User", output, StringComparison.Ordinal);
        Assert.Contains("Reason: Called AE Title Not Recognized", output, StringComparison.Ordinal);
        await scp.IdleAsync();
    }

    [Fact]
    public async Task Unknown_calling_ae_is_rejected_by_the_allow_list()
    {
        var policy = new AllowListServerPolicy(new Dictionary<string, string?>
        {
            ["KNOWN"] = null,
            ["KNOWN-HERE"] = "127.0.0.1",
            ["KNOWN-ELSEWHERE"] = "192.0.2.7",
        });
        await using var scp = await ScpUnderTest.StartAsync(policy: policy);
        var port = DcmtkToScpTests.Port(scp);

        var unknown = await Dcmtk.RunAsync("echoscu", "-aet", "STRANGER", "-aec", ScpUnderTest.AeTitle, "127.0.0.1", port);
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Contains("Reason: Calling AE Title Not Recognized", unknown.Output + unknown.Error, StringComparison.Ordinal);

        // Known, but bound to another host.
        var elsewhere = await Dcmtk.RunAsync("echoscu", "-aet", "KNOWN-ELSEWHERE", "-aec", ScpUnderTest.AeTitle, "127.0.0.1", port);
        Assert.Contains("Reason: Calling AE Title Not Recognized", elsewhere.Output + elsewhere.Error, StringComparison.Ordinal);

        foreach (var known in new[] { "KNOWN", "KNOWN-HERE" })
        {
            var echo = await Dcmtk.RunAsync("echoscu", "-aet", known, "-aec", ScpUnderTest.AeTitle, "127.0.0.1", port);
            Assert.True(echo.ExitCode == 0, known + ": " + echo.Output + echo.Error);
        }
    }

    [Fact]
    public async Task Unsupported_sop_class_context_is_refused()
    {
        await using var scp = await ScpUnderTest.StartAsync(new DicomServerOptions { SopClasses = new HashSet<string> { DicomUids.Verification, DicomUids.CTImageStorage } });

        // -R: only the contexts the files need (MR image storage, which this SCP does not accept).
        var store = await Dcmtk.RunAsync("storescu", "-d", "-R", "-aec", ScpUnderTest.AeTitle, "127.0.0.1", DcmtkToScpTests.Port(scp), Corpus.MrSmall);

        Assert.NotEqual(0, store.ExitCode);
        var output = store.Output + store.Error;
        Assert.Contains("(Abstract Syntax Not Supported)", output, StringComparison.Ordinal);
        Assert.Contains("No Acceptable Presentation Contexts", output, StringComparison.Ordinal);
        Assert.Empty(scp.StoredFiles());

        // A CT goes through on the same server.
        var ct = await Dcmtk.RunAsync("storescu", "-R", "-aec", ScpUnderTest.AeTitle, "127.0.0.1", DcmtkToScpTests.Port(scp), Corpus.CtSmall);
        Assert.True(ct.ExitCode == 0, ct.Output + ct.Error);
        Assert.Single(scp.StoredFiles());
    }

    [Fact]
    public async Task No_common_transfer_syntax_context_is_refused()
    {
        await using var scp = await ScpUnderTest.StartAsync(new DicomServerOptions { TransferSyntaxes = [DicomUids.ExplicitVRLittleEndian, DicomUids.ImplicitVRLittleEndian] });
        using var work = new TemporaryDirectory();
        // storescu adds an uncompressed fallback context to its -x? proposals: a configuration profile proposes JPEG Baseline alone.
        var config = Path.Combine(work.Path, "jpeg-only.cfg");
        await File.WriteAllTextAsync(config, """
            [[TransferSyntaxes]]
            [JpegBaseline]
            TransferSyntax1 = 1.2.840.10008.1.2.4.50

            [[PresentationContexts]]
            [SecondaryCaptureJpeg]
            PresentationContext1 = 1.2.840.10008.5.1.4.1.1.7\JpegBaseline

            [[Profiles]]
            [JpegOnly]
            PresentationContexts = SecondaryCaptureJpeg
            """);

        var store = await Dcmtk.RunAsync("storescu", "-d", "-xf", config, "JpegOnly", "-aec", ScpUnderTest.AeTitle, "127.0.0.1", DcmtkToScpTests.Port(scp), Corpus.JpegBaseline);

        Assert.NotEqual(0, store.ExitCode);
        var output = store.Output + store.Error;
        Assert.Contains("(Transfer Syntaxes Not Supported)", output, StringComparison.Ordinal);
        Assert.Contains("No Acceptable Presentation Contexts", output, StringComparison.Ordinal);
        Assert.Empty(scp.StoredFiles());
    }

    [Fact]
    public async Task Association_over_the_limit_is_rejected_transient()
    {
        await using var scp = await ScpUnderTest.StartAsync(new DicomServerOptions { MaxAssociations = 1 });
        var port = DcmtkToScpTests.Port(scp);

        var first = await DicomClient.ConnectAsync(scp.Client(), [new PresentationContextProposal(1, DicomUids.Verification, [DicomUids.ImplicitVRLittleEndian])]);
        try
        {
            var second = await Dcmtk.RunAsync("echoscu", "-aec", ScpUnderTest.AeTitle, "127.0.0.1", port);
            Assert.NotEqual(0, second.ExitCode);
            var output = second.Output + second.Error;
            Assert.True(output.Contains("Result: Rejected Transient, Source: Service Provider (Presentation Related)", StringComparison.Ordinal), output);
            Assert.True(output.Contains("Reason: Local Limit Exceeded", StringComparison.Ordinal), output);
            // The first association is untouched.
            Assert.Equal(DimseStatus.Success, await first.EchoAsync());
            await first.ReleaseAsync();
        }
        finally
        {
            await first.DisposeAsync();
        }

        await scp.IdleAsync();
        var third = await Dcmtk.RunAsync("echoscu", "-aec", ScpUnderTest.AeTitle, "127.0.0.1", port);
        Assert.True(third.ExitCode == 0, third.Output + third.Error);
    }

    /// <summary>Our SCU sees the rejection too, typed, with the reason.</summary>
    [Fact]
    public async Task Our_scu_reports_the_rejection_reason()
    {
        await using var scp = await ScpUnderTest.StartAsync();

        var error = await Assert.ThrowsAsync<DicomAssociationRejectedException>(() =>
            DicomClient.ConnectAsync(scp.Client() with { CalledAeTitle = "NOT-IT" }, [new PresentationContextProposal(1, DicomUids.Verification, [DicomUids.ImplicitVRLittleEndian])]));

        Assert.Equal(AssociateReject.CalledAeNotRecognized, error.Reject);
        Assert.Contains("called AE title not recognized", error.Message, StringComparison.Ordinal);
    }
}
