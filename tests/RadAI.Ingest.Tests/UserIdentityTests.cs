using System.ComponentModel.DataAnnotations;
using System.Globalization;
using RadAI.Data;
using RadAI.DicomIngest;
using RadAI.Ingest.Tests.Support;
using RadAI.Testing;
using Xunit;

namespace RadAI.Ingest.Tests;

/// <summary>
/// User Identity Negotiation at dicom-ingest (<c>DicomIngest:UserIdentity</c>), driven by DCMTK's storescu (<c>--user</c>,
/// <c>--password</c>, <c>--pos-response</c>; echoscu has no such options): with accounts, only a sender presenting one of them
/// associates; without, an identity is accepted unchecked as before.
/// </summary>
public sealed class UserIdentityTests
{
    [Fact]
    public async Task With_accounts_required_only_a_sender_presenting_one_of_them_associates()
    {
        using var work = new TemporaryDirectory("radai-ingest-identity");
        var passcodeFile = Path.Combine(work.Path, "pacs-north.passcode");
        await File.WriteAllTextAsync(passcodeFile, "s3cret-Pass\n");
        await using var ingest = await InProcessIngest.StartAsync(work.Path, DatabaseProvider.Sqlite, new Dictionary<string, string?>
        {
            ["DicomIngest:UserIdentity:Required"] = "true",
            ["DicomIngest:UserIdentity:Accounts:0:Username"] = "pacs-north",
            ["DicomIngest:UserIdentity:Accounts:0:PasscodeFile"] = passcodeFile,
            // A modality that can only send a user name.
            ["DicomIngest:UserIdentity:Accounts:1:Username"] = "ct-scanner",
        });

        // One instance per try: each association either is rejected or stores it.
        var probe = await SyntheticStudy.WriteAsync(Path.Combine(work.Path, "probe"), SyntheticStudy.MultiModality(ct: 1, mr: 0, dx: 0));
        Assert.True(await AssociatesAsync(ingest.Port, probe, "--user", "pacs-north", "--password", "s3cret-Pass", "--pos-response"));
        Assert.True(await AssociatesAsync(ingest.Port, probe, "--user", "ct-scanner"));
        Assert.False(await AssociatesAsync(ingest.Port, probe, "--user", "pacs-north", "--password", "s3cret-pass"));
        Assert.False(await AssociatesAsync(ingest.Port, probe, "--user", "pacs-north"));
        Assert.False(await AssociatesAsync(ingest.Port, probe, "--user", "ct-scanner", "--password", "anything"));
        Assert.False(await AssociatesAsync(ingest.Port, probe, "--user", "pacs-south", "--password", "s3cret-Pass"));
        Assert.False(await AssociatesAsync(ingest.Port, probe));

        // A study from the account: received whole.
        var study = await SyntheticStudy.WriteAsync(Path.Combine(work.Path, "study"), SyntheticStudy.MultiModality(ct: 2, mr: 0, dx: 0));
        Assert.True(await AssociatesAsync(ingest.Port, study, "--user", "pacs-north", "--password", "s3cret-Pass", "--pos-response"));
        var received = await ingest.StudyReceivedAsync(study.StudyInstanceUid);
        Assert.Equal(study.InstanceCount, received.Series.Sum(s => s.InstanceCount));
    }

    [Fact]
    public async Task Without_accounts_a_presented_identity_is_accepted_unchecked()
    {
        using var work = new TemporaryDirectory("radai-ingest-identity-off");
        await using var ingest = await InProcessIngest.StartAsync(work.Path, DatabaseProvider.Sqlite);

        var probe = await SyntheticStudy.WriteAsync(Path.Combine(work.Path, "probe"), SyntheticStudy.MultiModality(ct: 1, mr: 0, dx: 0));
        Assert.True(await AssociatesAsync(ingest.Port, probe, "--user", "anyone", "--password", "anything", "--pos-response"));
        Assert.True(await AssociatesAsync(ingest.Port, probe));
    }

    [Fact]
    public void Required_without_accounts_and_a_missing_passcode_file_are_refused_at_start()
    {
        var required = new DicomIngestOptions { UserIdentity = { Required = true } };
        Assert.Contains(Problems(required), p => p.Contains("Required needs at least one account", StringComparison.Ordinal));

        var missing = new DicomIngestOptions { UserIdentity = { Accounts = [new DicomAccountOptions { Username = "pacs", PasscodeFile = "/nonexistent/passcode" }] } };
        Assert.Contains(Problems(missing), p => p.Contains("PasscodeFile /nonexistent/passcode does not exist", StringComparison.Ordinal));

        var twice = new DicomIngestOptions { UserIdentity = { Accounts = [new DicomAccountOptions { Username = "pacs" }, new DicomAccountOptions { Username = "pacs" }] } };
        Assert.Contains(Problems(twice), p => p.Contains("account pacs is listed more than once", StringComparison.Ordinal));
        Assert.Empty(Problems(new DicomIngestOptions()));
    }

    private static List<string> Problems(DicomIngestOptions options) =>
        [.. options.Validate(new ValidationContext(options)).Select(r => r.ErrorMessage ?? "")];

    /// <summary>storescu of the study with the identity arguments: true when it was stored, false when the association was rejected.</summary>
    private static async Task<bool> AssociatesAsync(int port, SyntheticStudy study, params string[] identity)
    {
        var store = await ExternalTool.RunAsync("storescu",
            ["-aet", "PACS-NORTH", "-aec", IngestHost.AeTitle, .. identity, "127.0.0.1", port.ToString(CultureInfo.InvariantCulture), .. study.Instances.Select(i => i.Path)],
            TimeSpan.FromSeconds(60));
        if (store.ExitCode != 0)
        {
            Assert.Contains("Association Rejected", store.Error + store.Output, StringComparison.Ordinal);
        }

        return store.ExitCode == 0;
    }
}
