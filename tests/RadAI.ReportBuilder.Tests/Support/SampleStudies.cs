using System.Globalization;
using System.Text.Json;
using RadAI.Testing;

namespace RadAI.ReportBuilder.Tests.Support;

/// <summary>
/// A synthetic study on disk, ready for <c>radai send</c>: its folder, Study Instance UID, the default packages it
/// is made for, and the patient it names (synthetic: the tests check it never reaches a log).
/// </summary>
/// <param name="Key">The study's name: ct, mr, mg, dx (models/tools/sample_studies.py) or synth-ct.</param>
/// <param name="Modality">The modality of its images.</param>
/// <param name="Folder">The folder holding its Part 10 files.</param>
/// <param name="StudyInstanceUid">Its Study Instance UID: the job of the study has it.</param>
/// <param name="ExpectedPackages">The ids of the default packages that should analyse it.</param>
/// <param name="PatientName">Patient's Name as written (Person Name, components separated by ^).</param>
/// <param name="PatientId">Patient ID as written.</param>
/// <param name="Files">How many files the folder holds.</param>
/// <param name="Series">How many series: each expected package analyses each of them.</param>
public sealed record SampleStudy(
    string Key,
    string Modality,
    string Folder,
    string StudyInstanceUid,
    IReadOnlyList<string> ExpectedPackages,
    string PatientName,
    string PatientId,
    int Files,
    int Series)
{
    /// <summary>The expected packages whose runs must have findings (all of them unless the phantom has nothing for one).</summary>
    public IReadOnlyList<string> PackagesWithFindings { get; init; } = ExpectedPackages;

    /// <summary>The nodules the phantom holds (ct): centre in patient coordinates (mm) and diameter.</summary>
    public IReadOnlyList<SampleNodule> Nodules { get; init; } = [];

    /// <summary>The phantom's intracranial volume in mL (mr), or null.</summary>
    public double? IcvMl { get; init; }

    /// <summary>The runs the findings document should hold: each expected package on each series.</summary>
    public int ExpectedRuns => ExpectedPackages.Count * Series;

    /// <summary>What identifies the patient, word by word: none of it may appear in a log.</summary>
    public IEnumerable<string> PatientIdentifiers =>
        PatientName.Split('^', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Append(PatientId);

    public override string ToString() => $"{Key} ({Modality}, {Files} file(s), study {StudyInstanceUid})";
}

/// <summary>A nodule of the CT phantom: centre (x, y, z) in patient coordinates (LPS, mm) and diameter (mm).</summary>
public sealed record SampleNodule(double X, double Y, double Z, double DiameterMm);

/// <summary>
/// Writes the synthetic studies of the default model packages: <c>models/tools/sample_studies.py</c> (CT chest with
/// nodules, MR head, mammography pair, DX chest) and <c>radai synth-ct</c> (the CLI's CT chest phantom).
/// </summary>
public static class SampleStudies
{
    /// <summary>The Python that has numpy, scipy and pydicom.</summary>
    public const string Python = "/usr/bin/python3";

    /// <summary>The study keys of <see cref="Script"/>, in the order it writes them.</summary>
    public static IReadOnlyList<string> Keys { get; } = ["ct", "mr", "mg", "dx"];

    /// <summary>The script that writes the studies.</summary>
    public static string Script => Path.Combine(RepositoryPaths.Root, "models", "tools", "sample_studies.py");

    /// <summary>
    /// The default packages each study is for, from their manifests' selection rules (models/*/radai-model.json):
    /// kept here, apart from the script, so that a study the script makes for the wrong package is caught.
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> ExpectedPackages { get; } = new Dictionary<string, IReadOnlyList<string>>
    {
        ["ct"] = ["radai.ct.lung-quant", "radai.ct.nodule-demo"],
        ["synth-ct"] = ["radai.ct.lung-quant", "radai.ct.nodule-demo"],
        ["mr"] = ["radai.mr.brain-icv"],
        ["mg"] = ["radai.mg.density"],
        ["dx"] = ["radai.dx.exposure-qc"],
    };

    /// <summary>
    /// Runs <see cref="Script"/> into <paramref name="folder"/> (one subfolder per study) and returns the studies it
    /// wrote, as its <c>studies.json</c> lists them. <paramref name="seed"/> makes UIDs, dates and noise reproducible.
    /// </summary>
    public static async Task<IReadOnlyList<SampleStudy>> WriteAsync(string folder, int? seed = null, IReadOnlyCollection<string>? only = null, TimeSpan? timeout = null)
    {
        var arguments = new List<string> { Script, "--out", folder };
        if (seed is { } value)
        {
            arguments.AddRange(["--seed", value.ToString(CultureInfo.InvariantCulture)]);
        }

        if (only is { Count: > 0 })
        {
            arguments.AddRange(["--only", string.Join(',', only)]);
        }

        (await ExternalTool.RunAsync(Python, arguments, timeout ?? TimeSpan.FromMinutes(5))).EnsureSuccess("sample_studies.py");
        await using var list = File.OpenRead(Path.Combine(folder, "studies.json"));
        using var document = await JsonDocument.ParseAsync(list);
        return [.. document.RootElement.EnumerateArray().Select(Read)];
    }

    /// <summary>
    /// A CT chest series written by <c>radai synth-ct</c> (<see cref="SyntheticCtStudy"/>: no nodule) into
    /// <paramref name="folder"/>, with a new Study Instance UID.
    /// </summary>
    public static async Task<SampleStudy> SyntheticCtAsync(string folder, int seed = 5, int slices = 48, int size = 256)
    {
        var series = await SyntheticCtStudy.WriteAsync(folder, seed, slices, size);
        // The CLI's phantom has no nodule: the nodule package runs on it, but need not find anything.
        return new SampleStudy("synth-ct", "CT", series.Folder, series.StudyInstanceUid, ExpectedPackages["synth-ct"],
            SyntheticCtStudy.PatientName, SyntheticCtStudy.PatientId, slices, 1)
        {
            PackagesWithFindings = ["radai.ct.lung-quant"],
        };
    }

    private static SampleStudy Read(JsonElement study)
    {
        var key = study.GetProperty("key").GetString()!;
        var truth = study.GetProperty("truth");
        var nodules = truth.TryGetProperty("nodules", out var list)
            ? list.EnumerateArray().Select(n => new SampleNodule(n.GetProperty("x").GetDouble(), n.GetProperty("y").GetDouble(), n.GetProperty("z").GetDouble(), n.GetProperty("diameterMm").GetDouble())).ToList()
            : [];
        return new SampleStudy(
            key,
            study.GetProperty("modality").GetString()!,
            study.GetProperty("folder").GetString()!,
            study.GetProperty("studyInstanceUid").GetString()!,
            ExpectedPackages.TryGetValue(key, out var packages) ? packages : throw new InvalidOperationException($"sample_studies.py wrote an unknown study '{key}'."),
            study.GetProperty("patientName").GetString()!,
            study.GetProperty("patientId").GetString()!,
            study.GetProperty("files").GetInt32(),
            study.GetProperty("series").GetInt32())
        {
            Nodules = nodules,
            IcvMl = truth.TryGetProperty("icvMl", out var icv) ? icv.GetDouble() : null,
        };
    }
}
