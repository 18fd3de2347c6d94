using System.Security.Cryptography;
using RadAI.Contracts;
using RadAI.Hosting.Storage;
using RadAI.ReportBuilder.Tests.Dicom;
using RadAI.Testing;
using Xunit;

namespace RadAI.ReportBuilder.Tests.Pipeline;

/// <summary>
/// Encryption at rest on a real path: inference's findings and mask written encrypted (through <see cref="FileStores.WriteAsync"/>,
/// as inference writes them), read by report-builder as if plain, and its PDF written encrypted into the reports store.
/// </summary>
public sealed class EncryptedReportTests : IAsyncLifetime, IDisposable
{
    private ReportPipeline _pipeline = null!;

    public async Task InitializeAsync() => _pipeline = await ReportPipeline.CreateAsync("radai-report-encrypted", "encrypted-test", async root =>
    {
        var keyPath = Path.Combine(root, "store-2026.key");
        await File.WriteAllTextAsync(keyPath, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        return new StorageEncryptionOptions
        {
            Enabled = true,
            ActiveKeyId = "store-2026",
            Keys = new Dictionary<string, string> { ["store-2026"] = keyPath },
            Stores = [StoreNames.Reports, StoreNames.Results],
        };
    });

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _pipeline?.Dispose();

    [Fact]
    public async Task Encrypted_findings_and_mask_make_a_report_whose_pdf_is_encrypted_on_disk_and_plain_through_the_stores()
    {
        var study = new SyntheticStudy();
        var jobId = Guid.NewGuid();
        var analysis = await _pipeline.AnalysedJobAsync(study, jobId);
        Assert.True((await File.ReadAllBytesAsync(_pipeline.Stores.PathOf(analysis.Results))).AsSpan().StartsWith(EncryptedFileFormat.Magic));
        Assert.True((await File.ReadAllBytesAsync(_pipeline.MaskPathOf(jobId))).AsSpan().StartsWith(EncryptedFileFormat.Magic));

        var ready = Assert.IsType<ReportReady>(await _pipeline.Generation.BuildAsync(analysis, CancellationToken.None));

        var pdfPath = _pipeline.Stores.PathOf(ready.PdfDocument!);
        var onDisk = await File.ReadAllBytesAsync(pdfPath);
        Assert.True(onDisk.AsSpan().StartsWith(EncryptedFileFormat.Magic));
        Assert.True(onDisk.AsSpan().IndexOf("%PDF-"u8) < 0);
        var plain = await _pipeline.Stores.ReadAllBytesAsync(pdfPath);
        Assert.True(plain.AsSpan().StartsWith("%PDF-"u8));

        // The key images in the PDF came from the mask: the decrypted PDF is the one pdftotext reads.
        var plainCopy = Path.Combine(_pipeline.Root, "report.pdf");
        await File.WriteAllBytesAsync(plainCopy, plain);
        var text = await ExternalTool.RunAsync("pdftotext", plainCopy, "-");
        Assert.Contains("Résultat non validé", text.Output, StringComparison.Ordinal);
    }
}
