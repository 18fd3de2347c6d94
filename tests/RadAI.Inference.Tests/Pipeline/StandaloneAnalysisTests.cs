using System.Globalization;
using System.Text.Json;
using RadAI.Testing;
using Xunit;

namespace RadAI.Inference.Tests.Pipeline;

/// <summary>
/// The product as a user first meets it: the standalone host with the default model packages copied next to
/// it, a synthetic chest CT made by <c>radai synth-ct</c> and sent by <c>radai send</c>; the job ends
/// analysed, and the lung volumes it reports agree with the voxels pydicom counts in the files.
/// </summary>
public sealed class StandaloneAnalysisTests
{
    private const int Slices = 48;
    private const int Size = 128;
    private const string StudyUid = "1.2.826.0.1.3680043.8.498.90210";

    [Fact]
    public async Task A_chest_CT_sent_to_the_standalone_host_is_analysed_by_the_default_packages()
    {
        using var work = new TemporaryDirectory("radai-standalone-analysis");
        var study = Path.Combine(work.Path, "study");
        var data = Path.Combine(work.Path, "data");
        var radai = RepositoryPaths.SiblingBuiltAssembly("RadAI.Cli", "radai");
        (await ExternalTool.RunAsync("dotnet", [radai, "synth-ct", "--out", study, "--slices", Slices.ToString(CultureInfo.InvariantCulture),
            "--rows", Size.ToString(CultureInfo.InvariantCulture), "--columns", Size.ToString(CultureInfo.InvariantCulture), "--seed", "5", "--study-uid", StudyUid])).EnsureSuccess("radai synth-ct");

        await using var host = await StandaloneHost.StartAsync(data);
        (await ExternalTool.RunAsync("dotnet", [radai, "send", "127.0.0.1", host.DicomPort.ToString(CultureInfo.InvariantCulture), study, "--aec", "RADAI", "--aet", "E2E-TEST"])).EnsureSuccess("radai send");

        var job = await host.WaitUntilAnalysedAsync(StudyUid, TimeSpan.FromSeconds(180));
        // Analysed, or already further along: the standalone host builds the report in-process right away.
        Assert.DoesNotContain(job.GetProperty("status").GetString(), new[] { "analysis-failed", "skipped" });

        var jobId = job.GetProperty("jobId").GetGuid();
        using var findings = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(data, "results", jobId.ToString("N"), "findings.json")));
        var runs = findings.RootElement.GetProperty("runs").EnumerateArray().ToList();
        var lungRun = Assert.Single(runs, r => r.GetProperty("model").GetProperty("id").GetString() == "radai.ct.lung-quant");
        Assert.Contains(runs, r => r.GetProperty("model").GetProperty("id").GetString() == "radai.ct.nodule-demo");
        var lungFindings = lungRun.GetProperty("findings").EnumerateArray().ToDictionary(f => f.GetProperty("id").GetString()!, f => f);

        // The phantom's lungs are -850 HU ± 10 of noise: pydicom counts them in the files, independently of RadAI.
        var (voxels, voxelMl) = await CountLungVoxelsWithPydicomAsync(study);
        var truthMl = voxels * voxelMl;
        var reportedMl = Volume(lungFindings["lung-right"]) + Volume(lungFindings["lung-left"]);
        Assert.InRange(reportedMl, truthMl * 0.97, truthMl * 1.03);
        Assert.InRange(Volume(lungFindings["lungs"]), reportedMl - 0.2, reportedMl + 0.2);

        // The patient of synth-ct's files never reaches the log.
        Assert.DoesNotContain("SYNTHETIC^PHANTOM", host.Process.Output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("SYNTH-CT-0001", host.Process.Output, StringComparison.OrdinalIgnoreCase);
        await host.Process.StopAsync();
        Assert.Equal(0, host.Process.ExitCode);
    }

    private static double Volume(JsonElement finding) => finding.GetProperty("measurements").EnumerateArray()
        .Where(m => m.GetProperty("concept").GetProperty("meaning").GetString() == "Volume")
        .Select(m => m.GetProperty("value").GetDouble())
        .Single();

    private static async Task<(long Voxels, double VoxelMl)> CountLungVoxelsWithPydicomAsync(string folder)
    {
        const string Script = """
            import glob, sys
            import numpy as np
            import pydicom
            files = [pydicom.dcmread(f) for f in glob.glob(sys.argv[1] + "/*.dcm")]
            count = 0
            for ds in files:
                hu = ds.pixel_array.astype(np.float64) * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
                count += int(((hu >= -900) & (hu <= -800)).sum())
            ds = files[0]
            print(count, float(ds.PixelSpacing[0]) * float(ds.PixelSpacing[1]) * float(ds.SpacingBetweenSlices or ds.SliceThickness) / 1000.0)
            """;
        var output = (await ExternalTool.RunAsync("/usr/bin/python3", ["-c", Script, folder])).EnsureSuccess("pydicom").Output.Split(' ', StringSplitOptions.TrimEntries);
        return (long.Parse(output[0], CultureInfo.InvariantCulture), double.Parse(output[1], CultureInfo.InvariantCulture));
    }
}
