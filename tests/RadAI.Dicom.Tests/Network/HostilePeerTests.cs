using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using RadAI.Dicom.IO;
using RadAI.Dicom.Network;
using RadAI.Testing;
using Xunit;

namespace RadAI.Dicom.Tests.Network;

/// <summary>
/// Peers that break the protocol, vanish, stall or flood, against an in-process SCP (raw sockets): the SCP answers
/// with A-ABORT where the standard says so, closes, releases everything, never leaves a partial file as an instance,
/// and keeps serving the others.
/// </summary>
public sealed class HostilePeerTests
{
    private static readonly TimeSpan Artim = TimeSpan.FromSeconds(1);

    public static TheoryData<string, byte[]> MalformedBeforeAssociation()
    {
        var valid = PduCodec.EncodeAssociateRequest(RawDimse.StoreRequest(DicomUids.CTImageStorage, DicomUids.ExplicitVRLittleEndian));
        return new TheoryData<string, byte[]>
        {
            { "garbage (an HTTP request)", Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: pacs\r\n\r\n") },
            { "unknown PDU type", [0x0B, 0, 0, 0, 0, 4, 1, 2, 3, 4] },
            { "A-ASSOCIATE-RQ declaring 4 GB", [0x01, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 1, 0, 0] },
            { "P-DATA-TF declaring 4 GB", [0x04, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0] },
            { "P-DATA-TF before association", RawDimse.Pdu(1, isCommand: true, isLast: true, [0, 0, 0, 0]) },
            // Refused from its header: the SCP neither waits for the 3 MB nor allocates for them (the ARTIM would close silently).
            { "P-DATA-TF of 3 MB before association, body never sent", [0x04, 0, 0, 0x30, 0, 0, 0, 0x2F, 0xFF, 0xFA, 1, 2] },
            { "A-RELEASE-RQ before association", PduCodec.EncodeReleaseRequest() },
            { "A-ASSOCIATE-RQ shorter than its fixed fields", WithLength([0x01, 0, 0, 0, 0, 0, 0, 1, 0, 0, .. new byte[20]]) },
            { "A-ASSOCIATE-RQ item length past the end", ItemLengthPastTheEnd(valid) },
            { "A-ASSOCIATE-RQ cut inside an item header", WithLength(valid[..^2]) },
            { "A-ASSOCIATE-RQ without application context", WithoutApplicationContext(valid) },
        };
    }

    [Theory]
    [MemberData(nameof(MalformedBeforeAssociation))]
    public async Task Malformed_pdu_before_association_is_aborted_and_the_scp_keeps_serving(string what, byte[] bytes)
    {
        await using var scp = await ScpUnderTest.StartAsync(new DicomServerOptions { ArtimTimeout = Artim });
        var started = Stopwatch.StartNew();
        await using (var peer = await RawPeer.ConnectAsync(scp.Port))
        {
            await peer.SendAsync(bytes);

            var answer = await peer.ReadPduAsync(TimeSpan.FromSeconds(20));
            Assert.True(answer is { Type: PduType.Abort }, $"{what}: expected A-ABORT, got {answer?.Type.ToString() ?? "a closed connection"}\n{scp.Log}");
            Assert.True(await peer.WaitForCloseAsync(TimeSpan.FromSeconds(20)), $"{what}: the SCP kept the connection open");
        }

        // Answered at once, not after the ARTIM (the 4 GB PDU is refused from its header, never read).
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(10), $"{what}: took {started.Elapsed}");
        await AssertStillServesAsync(scp);
    }

    public static TheoryData<string, Func<byte[]>> MalformedDuringAssociation() => new()
    {
        { "unknown PDU type", () => [0x0A, 0, 0, 0, 0, 2, 0, 0] },
        { "P-DATA-TF declaring 4 GB", () => [0x04, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0] },
        // Only the header and a few bytes are sent: the SCP must refuse from the header, without waiting for the body.
        { "P-DATA-TF longer than the Max Length announced", () => [0x04, 0, 0, 0x04, 0xB0, 0x00, 0, 0x04, 0xAF, 0xFA, 1, 0] },
        { "PDV item longer than its PDU", () => PdvLongerThanPdu() },
        { "PDV on a context that was not negotiated", () => RawDimse.Pdu(9, isCommand: true, isLast: true, [0, 0, 0, 0]) },
        { "data set without a command", () => RawDimse.Pdu(1, isCommand: false, isLast: true, [8, 0, 0x18, 0]) },
        { "command that does not parse", () => RawDimse.Pdu(1, isCommand: true, isLast: true, [0, 0, 0, 1, 0xFF, 0xFF, 0xFF, 0x7F]) },
        { "second A-ASSOCIATE-RQ", () => PduCodec.EncodeAssociateRequest(RawDimse.StoreRequest(DicomUids.CTImageStorage, DicomUids.ExplicitVRLittleEndian)) },
    };

    [Theory]
    [MemberData(nameof(MalformedDuringAssociation))]
    public async Task Malformed_pdu_during_association_is_aborted_by_the_provider(string what, Func<byte[]> bytes)
    {
        await using var scp = await ScpUnderTest.StartAsync(new DicomServerOptions { ArtimTimeout = Artim });
        await using (var peer = await RawPeer.ConnectAsync(scp.Port))
        {
            await peer.AssociateAsync(RawDimse.StoreRequest(DicomUids.CTImageStorage, DicomUids.ExplicitVRLittleEndian));
            await peer.SendAsync(bytes());

            var answer = await peer.ReadPduAsync(TimeSpan.FromSeconds(20));
            Assert.True(answer is { Type: PduType.Abort }, $"{what}: expected A-ABORT, got {answer?.Type.ToString() ?? "a closed connection"}\n{scp.Log}");
            var (source, _) = PduCodec.DecodeAbort(answer!.Value.Body);
            Assert.Equal(AbortSource.ServiceProvider, source);
            Assert.True(await peer.WaitForCloseAsync(TimeSpan.FromSeconds(20)), $"{what}: the SCP kept the connection open");
        }

        await AssertStillServesAsync(scp);
    }

    /// <summary>Hostile AE titles (blank, control characters) with no called AE check: answered (accepted), never a crash or a silent close.</summary>
    [Theory]
    [InlineData("blank called AE", 10)]
    [InlineData("blank calling AE", 26)]
    public async Task Blank_ae_titles_get_an_answer(string what, int offset)
    {
        await using var scp = await ScpUnderTest.StartAsync(new DicomServerOptions { CheckCalledAeTitle = false });
        var request = PduCodec.EncodeAssociateRequest(RawDimse.StoreRequest(DicomUids.CTImageStorage, DicomUids.ExplicitVRLittleEndian));
        request.AsSpan(offset, 16).Fill((byte)' ');
        await using (var peer = await RawPeer.ConnectAsync(scp.Port))
        {
            await peer.SendAsync(request);
            var answer = await peer.ReadPduAsync(TimeSpan.FromSeconds(20));
            Assert.True(answer is { Type: PduType.AssociateAccept or PduType.AssociateReject }, $"{what}: got {answer?.Type.ToString() ?? "a closed connection"}\n{scp.Log}");
        }

        await AssertStillServesAsync(scp);
        Assert.DoesNotContain(scp.Log.Lines, l => l.Contains("Exception", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Control_characters_in_the_calling_ae_are_rejected_by_an_allow_list()
    {
        await using var scp = await ScpUnderTest.StartAsync(policy: new AllowListServerPolicy(new Dictionary<string, string?> { ["GOOD"] = null }));
        var request = PduCodec.EncodeAssociateRequest(RawDimse.StoreRequest(DicomUids.CTImageStorage, DicomUids.ExplicitVRLittleEndian, calling: "GOOD"));
        request[28] = 0x07; // "GO\aD"
        await using (var peer = await RawPeer.ConnectAsync(scp.Port))
        {
            await peer.SendAsync(request);
            var answer = await peer.ReadPduAsync(TimeSpan.FromSeconds(20));
            Assert.True(answer is { Type: PduType.AssociateReject }, $"got {answer?.Type.ToString() ?? "a closed connection"}\n{scp.Log}");
            Assert.Equal(AssociateReject.CallingAeNotRecognized, PduCodec.DecodeAssociateReject(answer!.Value.Body));
        }

        await AssertStillServesAsync(scp, "GOOD");
    }

    [Fact]
    public async Task Silent_connection_is_closed_when_artim_expires()
    {
        await using var scp = await ScpUnderTest.StartAsync(new DicomServerOptions { ArtimTimeout = Artim });
        await using var peer = await RawPeer.ConnectAsync(scp.Port);
        var started = Stopwatch.StartNew();

        Assert.True(await peer.WaitForCloseAsync(TimeSpan.FromSeconds(30)), "the SCP kept a silent connection open");

        Assert.True(started.Elapsed >= Artim * 0.8, $"closed after {started.Elapsed}, before the ARTIM of {Artim}");
        await scp.IdleAsync();
        Assert.True(scp.Log.Contains("before ARTIM expired"), scp.Log.ToString());
    }

    /// <summary>A peer that is idle inside an association (after the A-ASSOCIATE-AC) is aborted after the idle timeout.</summary>
    [Fact]
    public async Task Idle_association_is_aborted()
    {
        await using var scp = await ScpUnderTest.StartAsync(new DicomServerOptions { IdleTimeout = TimeSpan.FromSeconds(1) });
        await using var peer = await RawPeer.ConnectAsync(scp.Port);
        await peer.AssociateAsync(RawDimse.StoreRequest(DicomUids.CTImageStorage, DicomUids.ExplicitVRLittleEndian));

        var answer = await peer.ReadPduAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(PduType.Abort, answer?.Type);
        Assert.True(await peer.WaitForCloseAsync(TimeSpan.FromSeconds(20)));
        await scp.IdleAsync();
    }

    /// <summary>
    /// A peer that stops mid-data set (closing the connection, or with an A-ABORT), while another stalls: no instance
    /// appears, the temporary file goes, and the SCP keeps serving others meanwhile.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Peer_stopping_mid_dataset_leaves_no_file(bool abort)
    {
        await using var scp = await ScpUnderTest.StartAsync(new DicomServerOptions { ArtimTimeout = Artim });
        var (dataset, sopClass, sopInstance, syntax) = await RawDimse.DatasetOfAsync(Corpus.CtSmall);
        await using var silent = await RawPeer.ConnectAsync(scp.Port);
        await using (var peer = await RawPeer.ConnectAsync(scp.Port))
        {
            await peer.AssociateAsync(RawDimse.StoreRequest(sopClass, syntax));
            await peer.SendAsync(await RawDimse.StoreCommandAsync(1, sopClass, sopInstance));
            await peer.SendAsync(RawDimse.Pdu(1, isCommand: false, isLast: false, dataset.AsSpan(0, dataset.Length / 2)));
            await Eventually.UntilAsync(() => Task.FromResult(scp.IncomingFiles().Count == 1), TimeSpan.FromSeconds(20), "the SCP to start writing the instance");

            // Meanwhile another peer is served.
            await AssertStillServesAsync(scp);
            if (abort)
            {
                await peer.SendAsync(PduCodec.EncodeAbort(AbortSource.ServiceUser, 0));
            }
        }

        await Eventually.UntilAsync(() => Task.FromResult(scp.IncomingFiles().Count == 0), TimeSpan.FromSeconds(20), $"the partial file to be deleted\n{scp.Log}");
        Assert.Empty(scp.StoredFiles());
        var echo = await Dcmtk.RunAsync("echoscu", "-aec", ScpUnderTest.AeTitle, "127.0.0.1", DcmtkToScpTests.Port(scp));
        Assert.True(echo.ExitCode == 0, echo.Output + echo.Error);
        await scp.IdleAsync();
        Assert.Empty(scp.StoredFiles());
    }

    /// <summary>
    /// An association and a C-STORE delivered in pieces: the request byte by byte, command and data set in writes of
    /// random sizes, the release byte by byte; the instance is stored byte for byte.
    /// </summary>
    [Fact]
    public async Task Fragmented_delivery_is_reassembled()
    {
        await using var scp = await ScpUnderTest.StartAsync();
        var random = new Random(20240611);
        var (dataset, sopClass, sopInstance, syntax) = await RawDimse.DatasetOfAsync(Corpus.CtSmall);
        await using var peer = await RawPeer.ConnectAsync(scp.Port);

        await peer.SendFragmentedAsync(PduCodec.EncodeAssociateRequest(RawDimse.StoreRequest(sopClass, syntax)), random, maxChunk: 1);
        var accept = await peer.ReadPduAsync();
        Assert.Equal(PduType.AssociateAccept, accept?.Type);
        // The command in PDVs of 20 bytes, the data set in PDVs of 997 bytes, all written in random pieces.
        var command = RawDimse.Pdus(1, isCommand: true, await DimseCommand.StoreRequest(1, sopClass, sopInstance).EncodeAsync(), maxData: 20);
        var data = RawDimse.Pdus(1, isCommand: false, dataset, maxData: 997);
        await peer.SendFragmentedAsync(command.Concat(data).ToArray(), random, maxChunk: 61);
        var response = await RawDimse.ReadCommandAsync(peer);
        Assert.Equal(DimseStatus.Success, response.Status);
        Assert.Equal(sopInstance, response.AffectedSopInstanceUid);
        await peer.SendFragmentedAsync(PduCodec.EncodeReleaseRequest(), random, maxChunk: 1);
        Assert.Equal(PduType.ReleaseResponse, (await peer.ReadPduAsync())?.Type);

        var stored = Assert.Single(scp.StoredFiles());
        var file = await DicomFile.OpenAsync(stored, DicomReadOptions.Default with { StopBeforeTag = DicomTags.PixelData });
        Assert.Equal(dataset, (await File.ReadAllBytesAsync(stored))[(int)file.DatasetOffset!.Value..]);
        await scp.IdleAsync();
    }

    /// <summary>Several PDVs in one PDU (the end of the command and the start of the data set), as some toolkits send them.</summary>
    [Fact]
    public async Task Command_and_dataset_pdvs_in_one_pdu_are_accepted()
    {
        await using var scp = await ScpUnderTest.StartAsync();
        var (dataset, sopClass, sopInstance, syntax) = await RawDimse.DatasetOfAsync(Corpus.RtPlan);
        var command = await DimseCommand.StoreRequest(7, sopClass, sopInstance).EncodeAsync();
        await using var peer = await RawPeer.ConnectAsync(scp.Port);
        await peer.AssociateAsync(RawDimse.StoreRequest(sopClass, syntax));

        var first = RawDimse.Pdu(1, isCommand: true, isLast: true, command);
        var second = RawDimse.Pdu(1, isCommand: false, isLast: true, dataset);
        // One PDU: header, then the two PDV items.
        var body = first.AsSpan(6).ToArray().Concat(second.AsSpan(6).ToArray()).ToArray();
        var pdu = new byte[6 + body.Length];
        pdu[0] = (byte)PduType.DataTransfer;
        BinaryPrimitives.WriteUInt32BigEndian(pdu.AsSpan(2), (uint)body.Length);
        body.CopyTo(pdu, 6);
        await peer.SendAsync(pdu);

        var response = await RawDimse.ReadCommandAsync(peer);
        Assert.Equal(DimseStatus.Success, response.Status);
        Assert.Equal(7, response.MessageIdBeingRespondedTo);
        Assert.Single(scp.StoredFiles());
    }

    /// <summary>
    /// Data sets that lie or do not parse, a file name that escapes the store, a full disk, an unsupported DIMSE
    /// service: each answered with its failure status, nothing stored, and the association goes on (a valid C-STORE
    /// follows on it and succeeds).
    /// </summary>
    [Fact]
    public async Task Refused_messages_get_their_status_and_the_association_goes_on()
    {
        await using var scp = await ScpUnderTest.StartAsync();
        var (dataset, sopClass, sopInstance, syntax) = await RawDimse.DatasetOfAsync(Corpus.CtSmall);
        await using var peer = await RawPeer.ConnectAsync(scp.Port);
        await peer.AssociateAsync(RawDimse.StoreRequest(sopClass, syntax));

        // The command names another instance than the data set holds.
        Assert.Equal(DimseStatus.DataSetDoesNotMatchSopClass, (await StoreRawAsync(peer, 1, sopClass, "1.2.826.0.1.3680043.10.1234.99", dataset)).Status);
        // The command names another SOP class than the presentation context's.
        Assert.Equal(DimseStatus.SopClassNotSupported, (await StoreRawAsync(peer, 2, DicomUids.MRImageStorage, sopInstance, dataset)).Status);
        // The data set does not parse.
        Assert.Equal(DimseStatus.CannotUnderstand, (await StoreRawAsync(peer, 3, sopClass, sopInstance, [0x08, 0x00, 0x16, 0x00, (byte)'U', (byte)'I', 0xFF, 0x7F, 1, 2])).Status);
        // A SOP Instance UID that would write outside the store.
        var escape = await WithSopInstanceAsync(Corpus.CtSmall, "../../escaped");
        Assert.Equal(DimseStatus.CannotUnderstand, (await StoreRawAsync(peer, 4, sopClass, "../../escaped", escape)).Status);
        Assert.False(File.Exists(Path.Combine(scp.Output, "..", "..", "escaped.dcm")));
        // C-FIND is not a service of this SCP: unrecognized operation.
        var find = new DimseCommand()
            .Set(DicomTags.AffectedSOPClassUID, sopClass)
            .Set(DicomTags.CommandField, DimseCommandField.CFindRequest)
            .Set(DicomTags.MessageID, (ushort)5)
            .Set(DicomTags.Priority, (ushort)0)
            .Set(DicomTags.CommandDataSetType, (ushort)0);
        await peer.SendAsync(RawDimse.Pdus(1, isCommand: true, await find.EncodeAsync()));
        await peer.SendAsync(RawDimse.Pdus(1, isCommand: false, [0x10, 0x00, 0x10, 0x00, (byte)'P', (byte)'N', 0, 0]));
        Assert.Equal(DimseStatus.UnrecognizedOperation, (await RawDimse.ReadCommandAsync(peer)).Status);

        Assert.Empty(scp.StoredFiles());
        Assert.Empty(scp.IncomingFiles());
        Assert.Equal(DimseStatus.Success, (await StoreRawAsync(peer, 6, sopClass, sopInstance, dataset)).Status);
        Assert.Single(scp.StoredFiles());
    }

    /// <summary>
    /// Values that break the standard without being dangerous (a UID component with a leading zero, a control character
    /// in the calling AE title, as old devices send): stored as sent, like DCMTK does, rather than aborting the association.
    /// </summary>
    [Fact]
    public async Task Non_conforming_uid_and_calling_ae_are_stored_as_sent()
    {
        await using var scp = await ScpUnderTest.StartAsync();
        var (_, sopClass, _, syntax) = await RawDimse.DatasetOfAsync(Corpus.CtSmall);
        const string Uid = "1.2.826.0.1.3680043.10.01.7";
        var request = PduCodec.EncodeAssociateRequest(RawDimse.StoreRequest(sopClass, syntax, calling: "ODD"));
        request[29] = 0x01; // "ODD\x01"
        await using var peer = await RawPeer.ConnectAsync(scp.Port);
        await peer.SendAsync(request);
        Assert.Equal(PduType.AssociateAccept, (await peer.ReadPduAsync())?.Type);

        var response = await StoreRawAsync(peer, 1, sopClass, Uid, await WithSopInstanceAsync(Corpus.CtSmall, Uid));

        Assert.True(response.Status == DimseStatus.Success, $"{DimseStatus.Describe(response.Status)} {response.ErrorComment}\n{scp.Log}");
        var stored = await DicomFile.OpenAsync(Path.Combine(scp.Output, Uid + ".dcm"), DicomReadOptions.Default with { StopBeforeTag = DicomTags.PixelData });
        Assert.Equal(Uid, stored.FileMetaInformation.GetString(DicomTags.MediaStorageSOPInstanceUID));
        Assert.Equal(Uid, stored.Dataset.GetString(DicomTags.SOPInstanceUID));
    }

    /// <summary>
    /// A peer that flags as last a data set it cut short (inside the pixel data, or inside a header element): the SCP
    /// answers C000 and stores nothing; a truncated instance never passes for a complete one.
    /// </summary>
    [Theory]
    [InlineData(1000)]
    [InlineData(32_000)]
    public async Task Truncated_dataset_flagged_complete_is_refused(int missing)
    {
        await using var scp = await ScpUnderTest.StartAsync();
        var (dataset, sopClass, sopInstance, syntax) = await RawDimse.DatasetOfAsync(Corpus.CtSmall);
        await using var peer = await RawPeer.ConnectAsync(scp.Port);
        await peer.AssociateAsync(RawDimse.StoreRequest(sopClass, syntax));

        var response = await StoreRawAsync(peer, 1, sopClass, sopInstance, dataset[..^missing]);

        Assert.True(response.Status == DimseStatus.CannotUnderstand, $"{DimseStatus.Describe(response.Status)} {response.ErrorComment}");
        Assert.Empty(scp.StoredFiles());
        Assert.Empty(scp.IncomingFiles());
        Assert.Equal(DimseStatus.Success, (await StoreRawAsync(peer, 2, sopClass, sopInstance, dataset)).Status);
    }

    /// <summary>A store whose disk is (below its threshold) full: A700 Out of Resources, nothing written, the association goes on.</summary>
    [Fact]
    public async Task Full_disk_answers_out_of_resources()
    {
        await using var scp = await ScpUnderTest.StartAsync(store: new DicomFileStoreOptions { MinimumFreeBytes = long.MaxValue });

        await using var client = await DicomClient.ConnectAsync(scp.Client(), [new PresentationContextProposal(1, DicomUids.CTImageStorage, [DicomUids.ExplicitVRLittleEndian])]);
        var first = await client.StoreFileAsync(Corpus.CtSmall);
        var second = await client.StoreFileAsync(Corpus.CtSmall);
        await client.ReleaseAsync();

        Assert.Equal(DimseStatus.OutOfResources, first.Status);
        Assert.Contains("free", first.ErrorComment, StringComparison.Ordinal);
        Assert.Equal(DimseStatus.OutOfResources, second.Status);
        Assert.Empty(scp.StoredFiles());
        Assert.Empty(scp.IncomingFiles());
    }

    private static async Task<DimseCommand> StoreRawAsync(RawPeer peer, ushort messageId, string sopClass, string sopInstance, byte[] dataset)
    {
        // The UID as given, valid or not (a hostile peer's): set as bytes, past the model's validation.
        var command = DimseCommand.StoreRequest(messageId, sopClass, "1.2.3");
        command.SetBytes(DicomTags.AffectedSOPInstanceUID, Encoding.ASCII.GetBytes(sopInstance));
        await peer.SendAsync(RawDimse.Pdus(1, isCommand: true, await command.EncodeAsync()));
        await peer.SendAsync(RawDimse.Pdus(1, isCommand: false, dataset));
        var response = await RawDimse.ReadCommandAsync(peer);
        Assert.Equal(messageId, response.MessageIdBeingRespondedTo);
        return response;
    }

    private static async Task<byte[]> WithSopInstanceAsync(string path, string sopInstance)
    {
        var file = await DicomFile.ReadAsync(await File.ReadAllBytesAsync(path));
        file.Dataset.AddOrUpdateBytes(DicomTags.SOPInstanceUID, DicomVR.UI, Encoding.ASCII.GetBytes(sopInstance));
        using var stream = new MemoryStream();
        await DicomWriter.WriteDatasetAsync(stream, file.Dataset, file.TransferSyntax);
        return stream.ToArray();
    }

    private static async Task AssertStillServesAsync(ScpUnderTest scp, string callingAe = "RADAI-SCU")
    {
        await using var client = await DicomClient.ConnectAsync(scp.Client(callingAe), [new PresentationContextProposal(1, DicomUids.Verification, [DicomUids.ImplicitVRLittleEndian])]);
        Assert.Equal(DimseStatus.Success, await client.EchoAsync());
        await client.ReleaseAsync();
    }

    private static byte[] WithLength(byte[] pdu)
    {
        BinaryPrimitives.WriteUInt32BigEndian(pdu.AsSpan(2), (uint)(pdu.Length - 6));
        return pdu;
    }

    /// <summary>The application context item (right after the 74 bytes of header and fixed fields) claims more bytes than the PDU has.</summary>
    private static byte[] ItemLengthPastTheEnd(byte[] valid)
    {
        var pdu = (byte[])valid.Clone();
        Assert.Equal(0x10, pdu[74]);
        BinaryPrimitives.WriteUInt16BigEndian(pdu.AsSpan(76), 0xFFF0);
        return pdu;
    }

    private static byte[] WithoutApplicationContext(byte[] valid)
    {
        var itemLength = BinaryPrimitives.ReadUInt16BigEndian(valid.AsSpan(76));
        return WithLength([.. valid[..74], .. valid[(74 + 4 + itemLength)..]]);
    }

    private static byte[] PdvLongerThanPdu()
    {
        var pdu = RawDimse.Pdu(1, isCommand: true, isLast: true, [0, 0, 0, 0]);
        BinaryPrimitives.WriteUInt32BigEndian(pdu.AsSpan(6), 5000);
        return pdu;
    }
}
