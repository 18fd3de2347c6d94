using RadAI.Dicom;
using RadAI.Dicom.Network;
using RadAI.Ingest.Tests.Support;
using RadAI.Testing;
using Xunit;

namespace RadAI.Ingest.Tests;

/// <summary>An ingest process with small instance and study limits.</summary>
public sealed class LimitedIngest : IngestEnvironment
{
    public const long MaxInstanceBytes = 20_000;
    public const long MaxStudyBytes = 10_000;

    protected override void Configure(Dictionary<string, string?> settings)
    {
        settings["DicomIngest__MaxInstanceBytes"] = MaxInstanceBytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["DicomIngest__MaxStudyBytes"] = MaxStudyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        // A sender whose receptions time out at once, to see what becomes of one whose every instance was refused.
        settings["DicomIngest__Senders__0__AeTitle"] = "QUICK-PACS";
        settings["DicomIngest__Senders__0__StableTimeout"] = "00:00:01";
        // A sender whose studies complete after 3 s without an instance, association open or not.
        settings["DicomIngest__Senders__1__AeTitle"] = "MODALITY-OPEN";
        settings["DicomIngest__Senders__1__StableTimeout"] = "00:00:03";
    }
}

/// <summary>Max instance size and max study size: refused with A700 and a reason, nothing stored for them.</summary>
public sealed class SizeLimitTests(LimitedIngest environment) : IClassFixture<LimitedIngest>
{
    [Fact]
    public async Task An_instance_larger_than_MaxInstanceBytes_is_refused_with_A700_and_nothing_is_stored()
    {
        var study = await SyntheticStudy.WriteAsync(environment.NewFolder("big"), [new("CT", DicomUids.CTImageStorage, "CHEST", null, 1, Rows: 128, Columns: 128)]);

        var store = await Dcmtk.StoreAsync(environment.Ingest.Port, "PACS-BIG", study.Instances.Single().Path);

        Assert.Equal([DimseStatus.OutOfResources], Dcmtk.StoreStatuses(store));
        Assert.Contains($"instance larger than {LimitedIngest.MaxInstanceBytes} bytes", store.Output + store.Error, StringComparison.Ordinal);
        Assert.Empty(await environment.Index.ReceptionsAsync(study.StudyInstanceUid));
        Assert.Empty(Dcmtk.FilesBelow(Path.Combine(environment.Ingest.InstancesRoot, study.StudyInstanceUid)));
        Assert.Empty(Dcmtk.FilesBelow(Path.Combine(environment.Ingest.InstancesRoot, ".incoming")));
        await environment.Ingest.Process.WaitForLineAsync(
            l => l.Contains(study.Instances.Single().SopInstanceUid, StringComparison.Ordinal) && l.Contains("refused: instance larger than", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10), "the refusal and its reason in the log");
    }

    [Fact]
    public async Task Instances_beyond_MaxStudyBytes_are_refused_with_A700_and_the_job_holds_the_ones_accepted()
    {
        var study = await SyntheticStudy.WriteAsync(environment.NewFolder("study-limit"), [new("CT", DicomUids.CTImageStorage, "CHEST", null, 6, Rows: 32, Columns: 32)]);

        var store = await Dcmtk.StoreAsync(environment.Ingest.Port, "PACS-STUDY", [.. study.Instances.Select(i => i.Path)]);

        var statuses = Dcmtk.StoreStatuses(store);
        Assert.Equal(6, statuses.Count);
        var accepted = statuses.TakeWhile(s => s == DimseStatus.Success).Count();
        Assert.InRange(accepted, 1, 5);
        Assert.All(statuses.Skip(accepted), s => Assert.Equal(DimseStatus.OutOfResources, s));
        Assert.Contains($"study larger than {LimitedIngest.MaxStudyBytes} bytes", store.Output + store.Error, StringComparison.Ordinal);
        var reception = await ReceptionAssert.CompletedAndPublishedAsync(environment, study.StudyInstanceUid, "PACS-STUDY");
        Assert.Equal(accepted, reception.InstanceCount);
        Assert.InRange(reception.TotalBytes, 1, LimitedIngest.MaxStudyBytes);
        Assert.Equal(accepted, Dcmtk.FilesBelow(Path.Combine(environment.Ingest.InstancesRoot, study.StudyInstanceUid)).Count);
        var announced = Assert.Single(Assert.Single(environment.Recorder.ForJob(reception.JobId)).Message.Series);
        Assert.Equal(accepted, announced.InstanceCount);
    }

    [Fact]
    public async Task A_reception_whose_every_instance_was_refused_is_dropped_without_StudyReceived()
    {
        // Under MaxInstanceBytes, over MaxStudyBytes: the reception is opened, then the instance refused.
        var study = await SyntheticStudy.WriteAsync(environment.NewFolder("empty"), [new("CT", DicomUids.CTImageStorage, "CHEST", null, 1, Rows: 80, Columns: 80)]);

        var store = await Dcmtk.StoreAsync(environment.Ingest.Port, "QUICK-PACS", study.Instances.Single().Path);

        Assert.Equal([DimseStatus.OutOfResources], Dcmtk.StoreStatuses(store));
        await environment.Ingest.Process.WaitForLineAsync(l => l.Contains("reception from QUICK-PACS dropped", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30), "the empty reception to be dropped");
        Assert.Empty(await environment.Index.ReceptionsAsync(study.StudyInstanceUid));
        Assert.Empty(environment.Recorder.ForStudy(study.StudyInstanceUid));
        Assert.Empty(Dcmtk.FilesBelow(Path.Combine(environment.Ingest.InstancesRoot, study.StudyInstanceUid)));
    }
}

/// <summary>An ingest process whose disk is "nearly full" (MinimumFreeBytes above any disk) and that serves one association at a time.</summary>
public sealed class StarvedIngest : IngestEnvironment
{
    protected override void Configure(Dictionary<string, string?> settings)
    {
        settings["DicomIngest__MinimumFreeBytes"] = "9000000000000000000";
        settings["DicomIngest__MaxAssociations"] = "1";
    }
}

/// <summary>Disk nearly full and too many associations: refused with a DICOM status and a log line.</summary>
public sealed class ResourceLimitTests(StarvedIngest environment) : IClassFixture<StarvedIngest>
{
    [Fact]
    public async Task With_the_disk_nearly_full_an_instance_is_refused_with_A700_and_nothing_is_stored()
    {
        var study = await SyntheticStudy.WriteAsync(environment.NewFolder("full"), SyntheticStudy.MultiModality(ct: 1, mr: 0, dx: 0));

        var store = await Dcmtk.StoreAsync(environment.Ingest.Port, "PACS-FULL", study.Instances.Single().Path);

        Assert.Equal([DimseStatus.OutOfResources], Dcmtk.StoreStatuses(store));
        Assert.Empty(await environment.Index.ReceptionsAsync(study.StudyInstanceUid));
        Assert.Empty(Dcmtk.FilesBelow(Path.Combine(environment.Ingest.InstancesRoot, study.StudyInstanceUid)));
        await environment.Ingest.Process.WaitForLineAsync(l => l.Contains("refused: disk nearly full", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10), "the refusal and its reason in the log");
    }

    [Fact]
    public async Task Beyond_MaxAssociations_a_second_sender_is_rejected_transiently_and_served_once_the_first_is_gone()
    {
        await using var first = await DicomClient.ConnectAsync(
            new DicomClientOptions { Host = "127.0.0.1", Port = environment.Ingest.Port, CallingAeTitle = "PACS-FIRST", CalledAeTitle = IngestHost.AeTitle },
            [new PresentationContextProposal(1, DicomUids.Verification, [DicomUids.ImplicitVRLittleEndian])]);
        Assert.Equal(DimseStatus.Success, await first.EchoAsync());

        var second = await Dcmtk.EchoAsync(environment.Ingest.Port, "PACS-SECOND");

        Assert.NotEqual(0, second.ExitCode);
        Assert.Contains("Rejected Transient", second.Error + second.Output, StringComparison.Ordinal);
        Assert.Contains("Local Limit Exceeded", second.Error + second.Output, StringComparison.Ordinal);
        await environment.Ingest.Process.WaitForLineAsync(l => l.Contains("rejected: PACS-SECOND", StringComparison.Ordinal) && l.Contains("local limit exceeded", StringComparison.OrdinalIgnoreCase),
            TimeSpan.FromSeconds(10), "the rejection and its reason in the log");

        await first.ReleaseAsync();
        await Eventually.UntilAsync(async () => (await Dcmtk.EchoAsync(environment.Ingest.Port, "PACS-SECOND")).ExitCode == 0,
            TimeSpan.FromSeconds(30), "the second sender to be served once the first released");
    }
}
