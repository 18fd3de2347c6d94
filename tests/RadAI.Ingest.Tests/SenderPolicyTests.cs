using RadAI.Ingest.Tests.Support;
using RadAI.Testing;
using Xunit;

namespace RadAI.Ingest.Tests;

/// <summary>An ingest process with the allow-list on and four known senders; B000 answers duplicates.</summary>
public sealed class ConfiguredIngest : IngestEnvironment
{
    protected override void Configure(Dictionary<string, string?> settings)
    {
        settings["DicomIngest__RequireKnownSenders"] = "true";
        settings["DicomIngest__DuplicateStatus"] = "45056";
        settings["DicomIngest__Senders__0__AeTitle"] = "KNOWN-PACS";
        settings["DicomIngest__Senders__0__RoutingProfile"] = "chest-ct";
        settings["DicomIngest__Senders__0__StableTimeout"] = "00:00:45";
        settings["DicomIngest__Senders__1__AeTitle"] = "BOUND-PACS";
        settings["DicomIngest__Senders__1__Host"] = "127.0.0.2";
        settings["DicomIngest__Senders__2__AeTitle"] = "LOCAL-PACS";
        settings["DicomIngest__Senders__2__Host"] = "localhost";
        settings["DicomIngest__Senders__3__AeTitle"] = "PAUSED-PACS";
        settings["DicomIngest__Senders__3__Allowed"] = "false";
    }
}

[CollectionDefinition(Name)]
public sealed class ConfiguredIngestCollection : ICollectionFixture<ConfiguredIngest>
{
    public const string Name = "configured ingest";
}

/// <summary>The allow-list: unknown senders and senders from another host are rejected, known ones answered and routed.</summary>
[Collection(ConfiguredIngestCollection.Name)]
public sealed class SenderPolicyTests(ConfiguredIngest environment)
{
    [Fact]
    public async Task An_unknown_calling_AE_is_rejected_when_the_allow_list_is_on()
    {
        var study = await SyntheticStudy.WriteAsync(environment.NewFolder("stranger"), SyntheticStudy.MultiModality(ct: 1, mr: 1, dx: 1));

        var echo = await Dcmtk.EchoAsync(environment.Ingest.Port, "STRANGER");
        var send = await Dcmtk.SendAsync(environment.Ingest.Port, "STRANGER", study.Folder);

        Assert.NotEqual(0, echo.ExitCode);
        Assert.Contains("Association Rejected", echo.Error + echo.Output, StringComparison.Ordinal);
        Assert.Contains("Calling AE Title Not Recognized", echo.Error + echo.Output, StringComparison.Ordinal);
        Assert.NotEqual(0, send.ExitCode);
        Assert.Empty(await environment.Index.ReceptionsAsync(study.StudyInstanceUid));
        Assert.Empty(Dcmtk.FilesBelow(Path.Combine(environment.Ingest.InstancesRoot, study.StudyInstanceUid)));
        // The refusal is logged with its reason.
        await environment.Ingest.Process.WaitForLineAsync(l => l.Contains("rejected: STRANGER", StringComparison.Ordinal) && l.Contains("calling AE title not recognized", StringComparison.OrdinalIgnoreCase),
            TimeSpan.FromSeconds(10), "the rejection of STRANGER in the log");
    }

    [Fact]
    public async Task A_known_sender_is_answered_C_ECHO_and_its_study_gets_its_own_routing_profile_and_timeout()
    {
        var study = await SyntheticStudy.WriteAsync(environment.NewFolder("known"), SyntheticStudy.MultiModality(ct: 2, mr: 2, dx: 1));

        var echo = await Dcmtk.EchoAsync(environment.Ingest.Port, "KNOWN-PACS");
        var send = await Dcmtk.SendAsync(environment.Ingest.Port, "KNOWN-PACS", study.Folder);

        Assert.True(echo.ExitCode == 0, Dcmtk.Describe(echo));
        Assert.Contains("Received Echo Response (Success)", echo.Error + echo.Output, StringComparison.Ordinal);
        Assert.True(send.ExitCode == 0, Dcmtk.Describe(send));
        var reception = await ReceptionAssert.CompletedAndPublishedAsync(environment, study.StudyInstanceUid, "KNOWN-PACS");
        Assert.Equal(45_000, reception.StableTimeoutMs);
        await ReceptionAssert.StudyReceivedOnceAsync(environment, reception, study, "KNOWN-PACS", routingProfile: "chest-ct");
    }

    [Fact]
    public async Task A_sender_bound_to_another_host_is_rejected_and_one_bound_to_this_host_is_accepted()
    {
        var elsewhere = await Dcmtk.EchoAsync(environment.Ingest.Port, "BOUND-PACS");
        var here = await Dcmtk.EchoAsync(environment.Ingest.Port, "LOCAL-PACS");

        Assert.NotEqual(0, elsewhere.ExitCode);
        Assert.Contains("Calling AE Title Not Recognized", elsewhere.Error + elsewhere.Output, StringComparison.Ordinal);
        Assert.True(here.ExitCode == 0, Dcmtk.Describe(here));
    }

    [Fact]
    public async Task A_known_sender_that_may_not_send_is_answered_C_ECHO_but_its_instances_are_refused()
    {
        var study = await SyntheticStudy.WriteAsync(environment.NewFolder("paused"), SyntheticStudy.MultiModality(ct: 1, mr: 0, dx: 0));

        var echo = await Dcmtk.EchoAsync(environment.Ingest.Port, "PAUSED-PACS");
        var store = await Dcmtk.StoreAsync(environment.Ingest.Port, "PAUSED-PACS", study.Instances.Single().Path);

        Assert.True(echo.ExitCode == 0, Dcmtk.Describe(echo));
        Assert.Equal([(ushort)0x0124], Dcmtk.StoreStatuses(store));
        Assert.Empty(await environment.Index.ReceptionsAsync(study.StudyInstanceUid));
        Assert.Empty(Dcmtk.FilesBelow(Path.Combine(environment.Ingest.InstancesRoot, study.StudyInstanceUid)));
        await environment.Ingest.Process.WaitForLineAsync(l => l.Contains("sender PAUSED-PACS is not allowed to send", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10), "the refusal in the log");
    }
}

/// <summary>Duplicates answered with the configured warning status.</summary>
[Collection(ConfiguredIngestCollection.Name)]
public sealed class DuplicateStatusTests(ConfiguredIngest environment)
{
    [Fact]
    public async Task With_DuplicateStatus_B000_a_second_copy_in_the_job_is_answered_with_the_warning_and_kept_once()
    {
        var study = await SyntheticStudy.WriteAsync(environment.NewFolder("dup-warning"), SyntheticStudy.MultiModality(ct: 2, mr: 0, dx: 0));
        var files = study.Instances.Select(i => i.Path).ToList();

        var store = await Dcmtk.StoreAsync(environment.Ingest.Port, "KNOWN-PACS", [files[0], files[0], files[1]]);

        Assert.Equal([(ushort)0x0000, (ushort)0xB000, (ushort)0x0000], Dcmtk.StoreStatuses(store));
        var reception = await ReceptionAssert.CompletedAndPublishedAsync(environment, study.StudyInstanceUid, "KNOWN-PACS");
        await ReceptionAssert.StudyReceivedOnceAsync(environment, reception, study, "KNOWN-PACS", routingProfile: "chest-ct", duplicates: 1);
    }
}
