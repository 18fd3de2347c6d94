using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using RadAI.Dicom;
using RadAI.Dicom.Network;
using RadAI.Hosting.Storage;
using RadAI.Ingest.Tests.Support;
using RadAI.Testing;
using Xunit;

namespace RadAI.Ingest.Tests;

/// <summary>An ingest process whose instances store is encrypted at rest (Storage:Encryption on, default stores).</summary>
public sealed class EncryptedIngest : IngestEnvironment
{
    public const string KeyId = "ingest-2026";

    /// <summary>The key file (outside the store).</summary>
    public string KeyFile => Path.Combine(WorkFolder, "keys", KeyId + ".key");

    /// <summary>A reader of the store with the same key, as the other services read it.</summary>
    public FileStores Stores => new(Options.Create(new StorageOptions
    {
        Root = Ingest.StorageRoot,
        Encryption = new StorageEncryptionOptions { Enabled = true, ActiveKeyId = KeyId, Keys = new() { [KeyId] = KeyFile } },
    }));

    protected override void Configure(Dictionary<string, string?> settings)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(KeyFile)!);
        File.WriteAllText(KeyFile, Convert.ToBase64String(RandomNumberGenerator.GetBytes(EncryptedFileFormat.KeyBytes)));
        settings["Storage__Encryption__Enabled"] = "true";
        settings["Storage__Encryption__ActiveKeyId"] = KeyId;
        settings[$"Storage__Encryption__Keys__{KeyId}"] = KeyFile;
    }
}

/// <summary>
/// dicom-ingest with the instances store encrypted: each instance is sealed as it streams in (nothing of it in clear on
/// disk, <c>.incoming</c> included), filed durably as before, indexed with its DICOM size, and rebuilt into the index
/// from the encrypted files after a crash.
/// </summary>
public sealed class EncryptedStoreTests : IAsyncLifetime, IDisposable
{
    private readonly EncryptedIngest _environment = new();

    public Task InitializeAsync() => _environment.InitializeAsync();

    public Task DisposeAsync() => _environment.DisposeAsync();

    public void Dispose() => _environment.Dispose();

    [Fact]
    public async Task Received_instances_are_stored_sealed_with_the_active_key_and_read_back_as_the_data_sets_sent()
    {
        const string sender = "PACS-SEALED";
        var environment = _environment;
        var study = await SyntheticStudy.WriteAsync(environment.NewFolder("sealed"), SyntheticStudy.MultiModality(ct: 4, mr: 3, dx: 1));

        var sent = await Dcmtk.SendAsync(environment.Ingest.Port, sender, study.Folder);
        Assert.True(sent.ExitCode == 0, Dcmtk.Describe(sent));
        var reception = await ReceptionAssert.CompletedAndPublishedAsync(environment, study.StudyInstanceUid, sender);

        await AssertSealedAsync(reception, study);
        Assert.Empty(Dcmtk.FilesBelow(Path.Combine(environment.Ingest.InstancesRoot, ".incoming")));
        ReceptionAssert.NoPatientData(environment.Ingest.Process.Output, "the ingest log");
    }

    [Fact]
    public async Task Index_rows_lost_to_a_power_cut_are_rebuilt_from_the_encrypted_files_with_their_dicom_sizes()
    {
        const string sender = "PACS-SEALED-LOST";
        var environment = _environment;
        var study = await SyntheticStudy.WriteAsync(environment.NewFolder("sealed-lost"), SyntheticStudy.MultiModality(ct: 3, mr: 2, dx: 1));

        // Every instance acknowledged (so durably stored, sealed) over an association still open when the process dies.
        var (options, contexts) = await environment.StoreEveryInstanceThenKillAsync(study, sender);

        var pending = Assert.Single(await environment.Index.ReceptionsAsync(study.StudyInstanceUid));
        var lost = study.Series[1].Instances.Select(i => i.SopInstanceUid).ToList();
        await environment.Index.ForgetInstancesAsync(pending.JobId, lost);

        // After the restart the lost rows are read again from the encrypted files: the study completes whole.
        await environment.RestartAndStoreAgainAsync(options, contexts, study.Series[0].Instances[0].Path);

        var reception = await ReceptionAssert.CompletedAndPublishedAsync(environment, study.StudyInstanceUid, sender);
        Assert.Equal(pending.JobId, reception.JobId);
        Assert.Equal(study.InstanceCount, reception.InstanceCount);
        Assert.Contains("\"EventId\":4204", environment.Ingest.Process.Output, StringComparison.Ordinal);
        await AssertSealedAsync(reception, study);
    }

    /// <summary>
    /// Every instance of the reception: its file starts with the format's header naming the key, holds none of the patient's
    /// identifiers, decrypts to the data set that was sent, and its index row has the decrypted (DICOM) size.
    /// </summary>
    private async Task AssertSealedAsync(ReceptionRow reception, SyntheticStudy study)
    {
        var stores = _environment.Stores;
        var header = EncryptedFileFormat.Header(EncryptedIngest.KeyId, EncryptedFileFormat.DefaultChunkBytes);
        var rows = await _environment.Index.InstancesAsync(reception.JobId);
        Assert.Equal(study.InstanceCount, rows.Count);
        var plainFolder = _environment.NewFolder("decrypted");
        foreach (var sent in study.Instances)
        {
            var row = Assert.Single(rows, r => r.SopInstanceUid == sent.SopInstanceUid);
            var path = stores.PathOf(new Contracts.StorageReference(StoreNames.Instances, row.StoreKey));
            var onDisk = await File.ReadAllBytesAsync(path);
            Assert.True(onDisk.AsSpan().StartsWith(header), $"{row.StoreKey} is not sealed with key {EncryptedIngest.KeyId}");
            foreach (var identifier in new[] { SyntheticStudy.PatientName, SyntheticStudy.PatientId, SyntheticStudy.PatientBirthDate })
            {
                Assert.True(onDisk.AsSpan().IndexOf(Encoding.ASCII.GetBytes(identifier)) < 0, $"{row.StoreKey} holds '{identifier}' in clear");
            }

            var plain = await stores.ReadAllBytesAsync(path);
            Assert.Equal(plain.Length, row.SizeBytes);
            var plainCopy = Path.Combine(plainFolder, sent.SopInstanceUid + ".dcm");
            await File.WriteAllBytesAsync(plainCopy, plain);
            await Dcmtk.AssertSameDatasetAsync(sent.Path, plainCopy);
        }

        Assert.Equal(rows.Sum(r => r.SizeBytes), reception.TotalBytes);
    }
}
