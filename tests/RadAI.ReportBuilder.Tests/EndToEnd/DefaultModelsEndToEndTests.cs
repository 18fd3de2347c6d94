using System.Text.Json;
using RadAI.ReportBuilder.Tests.Dicom;
using RadAI.ReportBuilder.Tests.Support;
using RadAI.Testing;
using Xunit;

namespace RadAI.ReportBuilder.Tests.EndToEnd;

/// <summary>
/// Each default model package on a study made for it: the synthetic studies of models/tools/sample_studies.py
/// (CT chest with nodules, MR head, mammography pair, DX chest) and <c>radai synth-ct</c>'s CT, sent by
/// <c>radai send</c> to one standalone host. Every study is routed to its packages, analysed, each run of them has
/// findings, the report builder turns them into SR, SEG, encapsulated PDF and key images that the real peers
/// accept (dciodvfy, dsrdump, pydicom, dcm2pdf + pdftotext), and pacs-sender stores them into the PACS the study came
/// from (DCMTK's storescp).
/// </summary>
public sealed class DefaultModelsEndToEndTests(StandaloneNode node) : IClassFixture<StandaloneNode>
{
    /// <summary>On two busy cores the MR head (136 slices) takes the longest: tens of seconds.</summary>
    private static readonly TimeSpan AnalysisTimeout = TimeSpan.FromMinutes(4);

    [Theory]
    [InlineData("ct")]
    [InlineData("synth-ct")]
    [InlineData("mr")]
    [InlineData("mg")]
    [InlineData("dx")]
    public async Task A_sample_study_is_analysed_by_the_default_packages_made_for_it_and_reported(string key)
    {
        var study = node.Studies[key];
        await node.SendAsync(study);

        var job = await node.Host.WaitUntilAnalysedAsync(study.StudyInstanceUid, AnalysisTimeout);
        var status = job.GetProperty("status").GetString();
        if (!StandaloneNode.AnalysedOrLater.Contains(status))
        {
            Assert.Fail($"{study}: the job ended '{status}', not analysed:\n{await node.Host.LastEventAsync(job.GetProperty("jobId").GetGuid())}");
        }

        using var findings = await node.FindingsAsync(job.GetProperty("jobId").GetGuid());
        Assert.Equal(study.StudyInstanceUid, findings.RootElement.GetProperty("studyInstanceUid").GetString());
        var runs = findings.RootElement.GetProperty("runs").EnumerateArray().ToList();
        foreach (var package in study.ExpectedPackages)
        {
            var ofPackage = runs.Where(r => ModelId(r) == package).ToList();
            Assert.True(ofPackage.Count > 0, $"{study}: no run of {package}; runs: {string.Join(", ", runs.Select(ModelId))}.");
            if (study.PackagesWithFindings.Contains(package))
            {
                foreach (var run in ofPackage)
                {
                    Assert.True(run.GetProperty("findings").GetArrayLength() > 0, $"{study}: the run of {package} on series {run.GetProperty("seriesInstanceUid")} has no finding.");
                }
            }
        }

        // Every series the package is made for is analysed: the mammography pair gives one run per image.
        Assert.Equal(study.ExpectedRuns, runs.Count);

        // What the phantom knows: each nodule is a candidate (centroid within its radius, at least a slice), the ICV is right.
        var candidates = runs.Where(r => ModelId(r) == "radai.ct.nodule-demo").SelectMany(r => r.GetProperty("findings").EnumerateArray()).ToList();
        foreach (var nodule in study.Nodules)
        {
            Assert.True(candidates.Any(c => Distance(c, nodule) <= Math.Max(nodule.DiameterMm / 2, 3.0)),
                $"{study}: no candidate at the {nodule.DiameterMm} mm nodule ({nodule.X}, {nodule.Y}, {nodule.Z}); candidates at "
                + string.Join(", ", candidates.Select(c => c.GetProperty("region").GetProperty("centroid").ToString())));
        }

        if (study.IcvMl is { } icvMl)
        {
            var icv = runs.Single(r => ModelId(r) == "radai.mr.brain-icv").GetProperty("findings").EnumerateArray()
                .Single(f => f.GetProperty("id").GetString() == "intracranial-volume").GetProperty("measurements")[0].GetProperty("value").GetDouble();
            Assert.InRange(icv, icvMl * 0.95, icvMl * 1.05);
        }

        await AssertReportAsync(study, job.GetProperty("jobId").GetGuid());

        // The synthetic patient never reaches the log.
        var output = node.Host.Process.Output;
        foreach (var identifier in study.PatientIdentifiers)
        {
            Assert.DoesNotContain(identifier, output, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("ct")]
    [InlineData("mr")]
    [InlineData("mg")]
    [InlineData("dx")]
    public async Task A_sample_study_passes_dciodvfy(string key)
    {
        var study = node.Studies[key];
        var files = Directory.GetFiles(study.Folder, "*.dcm").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(study.Files, files.Count);

        // The first and last file of the folder: every series of one image, and both ends of a stack.
        foreach (var file in files.Take(1).Concat(files.TakeLast(1)).Distinct())
        {
            var result = await ExternalTool.RunAsync("dciodvfy", file);
            var errors = (result.Output + "\n" + result.Error).Split('\n').Where(l => l.StartsWith("Error", StringComparison.Ordinal)).ToList();
            Assert.True(errors.Count == 0, $"dciodvfy {Path.GetFileName(file)} ({study}):\n{string.Join('\n', errors)}");
        }
    }

    /// <summary>The job's report objects in the data folder's reports store, checked with the real tools.</summary>
    private async Task AssertReportAsync(SampleStudy study, Guid jobId)
    {
        var job = await node.Host.WaitUntilReportedAsync(study.StudyInstanceUid, AnalysisTimeout);
        var status = job.GetProperty("status").GetString();
        Assert.True(status is "report-ready" or "delivered" or "delivery-failed", $"{study}: the job ended '{status}', not reported:\n{await node.Host.LastEventAsync(jobId)}");

        var reports = Path.Combine(node.DataFolder, "reports", jobId.ToString("N"));
        var files = Directory.GetFiles(reports, "*.dcm", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        var sr = Assert.Single(files, f => Path.GetFileName(Path.GetDirectoryName(f)) == "sr");
        var pdf = Assert.Single(files, f => Path.GetFileName(Path.GetDirectoryName(f)) == "pdf");
        foreach (var file in files)
        {
            var (iod, errors, _) = await ReportObjectsFixture.DciodvfyAsync(file);
            Assert.True(errors.Count == 0, $"{study}: dciodvfy {Path.GetRelativePath(reports, file)} ({iod}):\n{string.Join('\n', errors)}");
        }

        (await ExternalTool.RunAsync("/usr/bin/python3", [ReportObjectsFixture.CheckScript, "read", .. files])).EnsureSuccess($"{study}: pydicom reads the report objects");
        var tree = (await ExternalTool.RunAsync("dsrdump", "+Pc", "+U8", sr)).EnsureSuccess($"{study}: dsrdump");
        Assert.DoesNotContain("E: ", tree.Output + tree.Error, StringComparison.Ordinal);
        Assert.Contains("Imaging Measurement Report", tree.Output, StringComparison.Ordinal);

        // The PDF out of its DICOM wrapper, byte for byte the plain one, with the French text intact.
        var extracted = Path.Combine(reports, "extracted.pdf");
        (await ExternalTool.RunAsync("dcm2pdf", pdf, extracted)).EnsureSuccess($"{study}: dcm2pdf");
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(reports, "report.pdf")), await File.ReadAllBytesAsync(extracted));
        var text = (await ExternalTool.RunAsync("pdftotext", extracted, "-")).EnsureSuccess($"{study}: pdftotext").Output;
        Assert.Contains("Résultat non validé", text, StringComparison.Ordinal);

        // Back in the PACS the study came from: every object, by its SOP Instance UID (storescp as the PACS).
        var ended = await node.Host.WaitUntilEndedAsync(study.StudyInstanceUid, AnalysisTimeout);
        Assert.True(ended.GetProperty("status").GetString() == "delivered", $"{study}: the job ended '{ended.GetProperty("status").GetString()}':\n{await node.Host.LastEventAsync(jobId)}");
        var stored = await node.Pacs.ReceivedSopInstanceUidsAsync();
        foreach (var file in files)
        {
            Assert.Contains(Path.GetFileNameWithoutExtension(file), stored);
        }

        // Each SEG's frames equal its run's mask (pydicom decodes them; the label map is inference's file).
        using var findings = await node.FindingsAsync(jobId);
        foreach (var run in findings.RootElement.GetProperty("runs").EnumerateArray().Where(r => r.GetProperty("mask").ValueKind == JsonValueKind.Object))
        {
            var seg = Path.Combine(reports, "seg", new RadAI.ReportBuilder.Dicom.ReportUids(jobId).Segmentation(run.GetProperty("runId").GetString()!) + ".dcm");
            if (!File.Exists(seg))
            {
                continue; // a mask with none of its segments' voxels gives no SEG
            }

            await using var mask = File.OpenRead(Path.Combine(node.DataFolder, "results", run.GetProperty("mask").GetProperty("key").GetString()!));
            var (sizeX, sizeY, sizeZ, labels) = await RadAI.Contracts.Findings.LabelMapFile.ReadAsync(mask);
            var labelsPath = Path.Combine(reports, "labels.raw");
            var metaPath = Path.Combine(reports, "labels.json");
            await File.WriteAllBytesAsync(labelsPath, labels);
            var slices = run.GetProperty("geometry").GetProperty("slices").EnumerateArray()
                .Select(s => $"{s.GetProperty("sopInstanceUid").GetString()}#{s.GetProperty("frame").GetInt32()}").ToList();
            await File.WriteAllTextAsync(metaPath, JsonSerializer.Serialize(new { sizeX, sizeY, sizeZ, slices }));
            (await ExternalTool.RunAsync("/usr/bin/python3", ReportObjectsFixture.CheckScript, "seg", seg, labelsPath, metaPath))
                .EnsureSuccess($"{study}: the SEG of {run.GetProperty("runId").GetString()} equals its mask");
        }
    }

    private static double Distance(JsonElement finding, SampleNodule nodule)
    {
        var centroid = finding.GetProperty("region").GetProperty("centroid");
        var (dx, dy, dz) = (centroid.GetProperty("x").GetDouble() - nodule.X, centroid.GetProperty("y").GetDouble() - nodule.Y, centroid.GetProperty("z").GetDouble() - nodule.Z);
        return Math.Sqrt((dx * dx) + (dy * dy) + (dz * dz));
    }

    private static string? ModelId(JsonElement run) => run.GetProperty("model").GetProperty("id").GetString();
}
