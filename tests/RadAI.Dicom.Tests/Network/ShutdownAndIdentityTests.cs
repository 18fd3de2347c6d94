using System.Net;
using System.Net.Sockets;
using RadAI.Dicom.IO;
using RadAI.Dicom.Network;
using RadAI.Testing;
using Xunit;

namespace RadAI.Dicom.Tests.Network;

/// <summary>Graceful and hard stops of the SCP with a C-STORE in progress.</summary>
public sealed class ShutdownTests
{
    [Fact]
    public async Task Stop_lets_the_cstore_in_progress_complete_and_refuses_new_connections()
    {
        await using var scp = await ScpUnderTest.StartAsync();
        var (dataset, sopClass, sopInstance, syntax) = await RawDimse.DatasetOfAsync(Corpus.CtSmall);
        await using var peer = await RawPeer.ConnectAsync(scp.Port);
        await peer.AssociateAsync(RawDimse.StoreRequest(sopClass, syntax));
        await peer.SendAsync(await RawDimse.StoreCommandAsync(1, sopClass, sopInstance));
        var half = dataset.Length / 2;
        await peer.SendAsync(RawDimse.Pdu(1, isCommand: false, isLast: false, dataset.AsSpan(0, half)));
        await Eventually.UntilAsync(() => Task.FromResult(scp.IncomingFiles().Count == 1), TimeSpan.FromSeconds(20), "the SCP to start writing the instance");

        var stop = scp.Server.StopAsync(TimeSpan.FromSeconds(60));

        await Eventually.UntilAsync(async () => !await CanConnectAsync(scp.Port), TimeSpan.FromSeconds(20), "new connections to be refused");
        Assert.False(stop.IsCompleted, "StopAsync returned while a C-STORE was in progress");
        await peer.SendAsync(RawDimse.Pdu(1, isCommand: false, isLast: true, dataset.AsSpan(half)));
        var response = await RawDimse.ReadCommandAsync(peer);
        Assert.Equal(DimseStatus.Success, response.Status);
        // The association then ends (the acceptor cannot ask for a release: A-ABORT), and the stop completes.
        var end = await peer.ReadPduAsync(TimeSpan.FromSeconds(20));
        Assert.True(end is null or { Type: PduType.Abort }, $"expected the association to end, got {end?.Type}");
        await stop.WaitAsync(TimeSpan.FromSeconds(30));
        var stored = Assert.Single(scp.StoredFiles());
        var file = await DicomFile.OpenAsync(stored, DicomReadOptions.Default with { StopBeforeTag = DicomTags.PixelData });
        Assert.Equal(dataset, (await File.ReadAllBytesAsync(stored))[(int)file.DatasetOffset!.Value..]);
        Assert.Empty(scp.IncomingFiles());
        Assert.Equal(0, scp.Server.ActiveAssociations);
    }

    [Fact]
    public async Task Stop_aborts_a_stalled_cstore_after_the_grace_period_and_leaves_no_file()
    {
        await using var scp = await ScpUnderTest.StartAsync();
        var (dataset, sopClass, sopInstance, syntax) = await RawDimse.DatasetOfAsync(Corpus.CtSmall);
        await using var peer = await RawPeer.ConnectAsync(scp.Port);
        await peer.AssociateAsync(RawDimse.StoreRequest(sopClass, syntax));
        await peer.SendAsync(await RawDimse.StoreCommandAsync(1, sopClass, sopInstance));
        await peer.SendAsync(RawDimse.Pdu(1, isCommand: false, isLast: false, dataset.AsSpan(0, 1000)));
        await Eventually.UntilAsync(() => Task.FromResult(scp.IncomingFiles().Count == 1), TimeSpan.FromSeconds(20), "the SCP to start writing the instance");

        await scp.Server.StopAsync(TimeSpan.FromMilliseconds(300)).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(PduType.Abort, (await peer.ReadPduAsync(TimeSpan.FromSeconds(10)))?.Type);
        Assert.Empty(scp.IncomingFiles());
        Assert.Empty(scp.StoredFiles());
        Assert.Equal(0, scp.Server.ActiveAssociations);
    }

    [Fact]
    public async Task Stop_ends_idle_associations_at_once()
    {
        await using var scp = await ScpUnderTest.StartAsync();
        await using (var peer = await RawPeer.ConnectAsync(scp.Port))
        {
            await peer.AssociateAsync(RawDimse.StoreRequest(DicomUids.CTImageStorage, DicomUids.ExplicitVRLittleEndian));

            await scp.Server.StopAsync(TimeSpan.FromSeconds(60)).WaitAsync(TimeSpan.FromSeconds(20));

            Assert.Equal(PduType.Abort, (await peer.ReadPduAsync(TimeSpan.FromSeconds(10)))?.Type);
            Assert.True(await peer.WaitForCloseAsync(TimeSpan.FromSeconds(10)));
        }

        var refused = await Assert.ThrowsAsync<DicomNetworkException>(() => DicomClient.ConnectAsync(
            scp.Client() with { ConnectTimeout = TimeSpan.FromSeconds(5) }, [new PresentationContextProposal(1, DicomUids.Verification, [DicomUids.ImplicitVRLittleEndian])]));
        Assert.Contains("Cannot connect", refused.Message, StringComparison.Ordinal);
    }

    private static async Task<bool> CanConnectAsync(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

/// <summary>User Identity negotiation with <see cref="AllowListServerPolicy"/>: password and token, from our SCU and from DCMTK's storescu.</summary>
public sealed class UserIdentityTests
{
    private static AllowListServerPolicy Policy() => new(
        new Dictionary<string, string?> { ["RADAI-SCU"] = null, ["STORESCU"] = null },
        users: new Dictionary<string, string> { ["alice"] = "s3cret" },
        tokens: new HashSet<string> { "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSJ9." });

    public static TheoryData<string, UserIdentity, bool> Identities() => new()
    {
        { "right password", UserIdentity.UsernamePassword("alice", "s3cret"), true },
        { "wrong password", UserIdentity.UsernamePassword("alice", "guess"), false },
        { "unknown user", UserIdentity.UsernamePassword("mallory", "s3cret"), false },
        { "empty password", UserIdentity.UsernamePassword("alice", ""), false },
        { "known user name alone", new UserIdentity(UserIdentityType.Username, true, "alice"u8.ToArray(), []), true },
        { "right token", UserIdentity.Token("eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSJ9."), true },
        { "wrong token", UserIdentity.Token("eyJhbGciOiJub25lIn0.eyJzdWIiOiJtYWxsb3J5In0."), false },
        { "Kerberos (not supported)", new UserIdentity(UserIdentityType.Kerberos, true, [1, 2, 3], []), false },
    };

    [Theory]
    [MemberData(nameof(Identities))]
    public async Task Identity_is_checked(string what, UserIdentity identity, bool accepted)
    {
        await using var scp = await ScpUnderTest.StartAsync(policy: Policy());
        var options = scp.Client() with { UserIdentity = identity };
        PresentationContextProposal[] contexts = [new(1, DicomUids.Verification, [DicomUids.ImplicitVRLittleEndian])];

        if (!accepted)
        {
            var error = await Assert.ThrowsAsync<DicomAssociationRejectedException>(() => DicomClient.ConnectAsync(options, contexts));
            Assert.True(error.Reject == AssociateReject.NoReasonGiven, $"{what}: {error.Reject}");
            return;
        }

        await using var client = await DicomClient.ConnectAsync(options, contexts);
        // A positive response was requested: the A-ASSOCIATE-AC carries the (empty) server response.
        Assert.NotNull(client.Accept.UserInformation.UserIdentityServerResponse);
        Assert.Equal(DimseStatus.Success, await client.EchoAsync());
        await client.ReleaseAsync();
    }

    [Fact]
    public async Task No_server_response_when_none_was_requested()
    {
        await using var scp = await ScpUnderTest.StartAsync(policy: Policy());
        await using var client = await DicomClient.ConnectAsync(
            scp.Client() with { UserIdentity = UserIdentity.UsernamePassword("alice", "s3cret", positiveResponseRequested: false) },
            [new PresentationContextProposal(1, DicomUids.Verification, [DicomUids.ImplicitVRLittleEndian])]);

        Assert.Null(client.Accept.UserInformation.UserIdentityServerResponse);
        await client.ReleaseAsync();
    }

    [Fact]
    public async Task Storescu_with_user_and_password()
    {
        await using var scp = await ScpUnderTest.StartAsync(policy: Policy());
        var port = DcmtkToScpTests.Port(scp);

        var good = await Dcmtk.RunAsync("storescu", "-v", "-aec", ScpUnderTest.AeTitle, "-usr", "alice", "-pwd", "s3cret", "-rsp", "127.0.0.1", port, Corpus.CtSmall);
        Assert.True(good.ExitCode == 0, good.Output + good.Error);
        Assert.Single(scp.StoredFiles());

        var bad = await Dcmtk.RunAsync("storescu", "-aec", ScpUnderTest.AeTitle, "-usr", "alice", "-pwd", "wrong", "127.0.0.1", port, Corpus.MrSmall);
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("Association Rejected", bad.Output + bad.Error, StringComparison.Ordinal);
        Assert.Contains("Result: Rejected Permanent, Source: Service User", bad.Output + bad.Error, StringComparison.Ordinal);
        Assert.Single(scp.StoredFiles());
    }
}
