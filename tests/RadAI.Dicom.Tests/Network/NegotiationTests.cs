using RadAI.Dicom.Network;
using Xunit;

namespace RadAI.Dicom.Tests.Network;

/// <summary>What our SCP answers in the A-ASSOCIATE-AC beyond the presentation contexts.</summary>
public sealed class NegotiationTests
{
    /// <summary>
    /// SCP/SCU Role Selection (PS3.7 D.3.3.4): the answer is about the requestor's roles. As a storage SCP we accept
    /// its SCU role when proposed, and refuse its SCP role (we never send C-STOREs back).
    /// </summary>
    [Fact]
    public async Task Role_selection_accepts_the_requestor_as_scu_only()
    {
        await using var scp = await ScpUnderTest.StartAsync();
        var options = scp.Client() with
        {
            RoleSelections =
            [
                new RoleSelection(DicomUids.CTImageStorage, ScuRole: true, ScpRole: false),
                new RoleSelection(DicomUids.MRImageStorage, ScuRole: true, ScpRole: true),
                new RoleSelection(DicomUids.SecondaryCaptureImageStorage, ScuRole: false, ScpRole: true),
            ],
        };
        PresentationContextProposal[] contexts =
        [
            new(1, DicomUids.CTImageStorage, [DicomUids.ExplicitVRLittleEndian]),
            new(3, DicomUids.MRImageStorage, [DicomUids.ExplicitVRLittleEndian]),
            new(5, DicomUids.SecondaryCaptureImageStorage, [DicomUids.ExplicitVRLittleEndian]),
        ];

        await using var client = await DicomClient.ConnectAsync(options, contexts);

        var roles = client.Accept.UserInformation.RoleSelections.ToDictionary(r => r.SopClassUid);
        Assert.Equal(new RoleSelection(DicomUids.CTImageStorage, true, false), roles[DicomUids.CTImageStorage]);
        Assert.Equal(new RoleSelection(DicomUids.MRImageStorage, true, false), roles[DicomUids.MRImageStorage]);
        Assert.Equal(new RoleSelection(DicomUids.SecondaryCaptureImageStorage, false, false), roles[DicomUids.SecondaryCaptureImageStorage]);
        Assert.True((await client.StoreFileAsync(Corpus.CtSmall)).IsSuccess);
        await client.ReleaseAsync();
    }

    /// <summary>Max Length 0 in the options ("unlimited") is announced and enforced as our cap, so that data still flows.</summary>
    [Fact]
    public async Task Max_pdu_length_zero_announces_and_accepts_our_cap()
    {
        await using var scp = await ScpUnderTest.StartAsync(new DicomServerOptions { MaxPduLength = 0 });

        await using (var client = await DicomClient.ConnectAsync(scp.Client(), [new PresentationContextProposal(1, DicomUids.CTImageStorage, [DicomUids.ExplicitVRLittleEndian])]))
        {
            Assert.Equal(PduStream.DefaultMaxDataPduLength, client.Accept.UserInformation.MaxPduLength);
            Assert.True((await client.StoreFileAsync(Corpus.CtSmall)).IsSuccess);
            await client.ReleaseAsync();
        }

        var store = await Dcmtk.RunAsync("storescu", "-aec", ScpUnderTest.AeTitle, "127.0.0.1", DcmtkToScpTests.Port(scp), Corpus.MrSmall);
        Assert.True(store.ExitCode == 0, store.Output + store.Error);
        Assert.Equal(2, scp.StoredFiles().Count);
    }

    [Fact]
    public async Task Asynchronous_operations_window_is_answered_within_our_limit()
    {
        await using var scp = await ScpUnderTest.StartAsync(new DicomServerOptions { MaxAsyncOperations = 1 });

        await using var client = await DicomClient.ConnectAsync(scp.Client() with { AsyncOperations = (16, 16) }, [new PresentationContextProposal(1, DicomUids.Verification, [DicomUids.ImplicitVRLittleEndian])]);

        Assert.Equal(((ushort)1, (ushort)1), client.Accept.UserInformation.AsyncOperations);
        Assert.Equal(DimseStatus.Success, await client.EchoAsync());
        await client.ReleaseAsync();
    }

    /// <summary>Presentation context results per proposal: accepted, abstract syntax refused, transfer syntaxes refused, even id refused.</summary>
    [Fact]
    public async Task Each_presentation_context_gets_its_result()
    {
        await using var scp = await ScpUnderTest.StartAsync(new DicomServerOptions
        {
            SopClasses = new HashSet<string> { DicomUids.Verification, DicomUids.CTImageStorage },
            TransferSyntaxes = [DicomUids.ExplicitVRLittleEndian],
        });

        await using var client = await DicomClient.ConnectAsync(scp.Client(),
        [
            new(1, DicomUids.CTImageStorage, [DicomUids.JPEGBaseline8Bit, DicomUids.ImplicitVRLittleEndian, DicomUids.ExplicitVRLittleEndian]),
            new(3, DicomUids.MRImageStorage, [DicomUids.ExplicitVRLittleEndian]),
            new(5, DicomUids.CTImageStorage, [DicomUids.JPEGBaseline8Bit]),
            new(6, DicomUids.Verification, [DicomUids.ExplicitVRLittleEndian]),
        ]);

        var results = client.Accept.PresentationContexts.ToDictionary(c => c.Id);
        Assert.Equal(PresentationContextResult.Acceptance, results[1].Result);
        Assert.Equal(DicomUids.ExplicitVRLittleEndian, results[1].TransferSyntax);
        Assert.Equal(PresentationContextResult.AbstractSyntaxNotSupported, results[3].Result);
        Assert.Equal(PresentationContextResult.TransferSyntaxesNotSupported, results[5].Result);
        Assert.NotEqual(PresentationContextResult.Acceptance, results[6].Result);
        await client.ReleaseAsync();
    }
}
