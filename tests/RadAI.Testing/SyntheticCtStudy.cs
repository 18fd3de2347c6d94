using System.Globalization;
using System.Numerics;

namespace RadAI.Testing;

/// <summary>
/// A CT chest series written by <c>radai synth-ct</c> (the CLI's phantom: body, two lungs, spine; no nodule): its
/// folder, its Study Instance UID, and the synthetic patient it names (the tests check it never reaches a log).
/// </summary>
public sealed record SyntheticCtStudy(string Folder, string StudyInstanceUid, int Slices)
{
    /// <summary>Patient's Name that <c>radai synth-ct</c> writes.</summary>
    public const string PatientName = "SYNTHETIC^PHANTOM";

    /// <summary>Patient ID that <c>radai synth-ct</c> writes.</summary>
    public const string PatientId = "SYNTH-CT-0001";

    /// <summary>What identifies the patient, word by word: none of it may appear in a log.</summary>
    public static IReadOnlyList<string> PatientIdentifiers { get; } = ["SYNTHETIC", "PHANTOM", PatientId];

    /// <summary>
    /// Runs <c>radai synth-ct</c> (built beside the tests: reference tools/RadAI.Cli) into <paramref name="folder"/>
    /// with a new Study Instance UID. The defaults (48 slices of 256², 1 mm) are above the lung package's 40 slices
    /// and the nodule package's 20, within both slice-thickness ranges.
    /// </summary>
    public static async Task<SyntheticCtStudy> WriteAsync(string folder, int seed = 5, int slices = 48, int size = 256)
    {
        var studyUid = "2.25." + new BigInteger(Guid.NewGuid().ToByteArray(), isUnsigned: true).ToString(CultureInfo.InvariantCulture);
        var radai = RepositoryPaths.SiblingBuiltAssembly("RadAI.Cli", "radai");
        (await ExternalTool.RunAsync("dotnet",
        [
            radai, "synth-ct", "--out", folder, "--slices", slices.ToString(CultureInfo.InvariantCulture),
            "--rows", size.ToString(CultureInfo.InvariantCulture), "--columns", size.ToString(CultureInfo.InvariantCulture),
            "--seed", seed.ToString(CultureInfo.InvariantCulture), "--study-uid", studyUid,
        ])).EnsureSuccess("radai synth-ct");
        return new SyntheticCtStudy(Path.GetFullPath(folder), studyUid, slices);
    }
}
