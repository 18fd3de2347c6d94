using System.Diagnostics;
using RadAI.Dicom.IO;
using RadAI.Dicom.Json;
using RadAI.Dicom.Tests.Conformance;
using RadAI.Dicom.Text;
using RadAI.Testing;
using Xunit;
using Xunit.Abstractions;

namespace RadAI.Dicom.Tests.Fuzz;

/// <summary>
/// Deterministic fuzzing of the Part 10 reader: every file of pydicom's corpus and of
/// tests/data/dicom-reference, mutated <see cref="Mutations.PerSeed"/> ways from a seeded
/// <see cref="Random"/>, plus families of hostile structures (<see cref="SyntheticInputs"/>). The rules
/// each input must follow are <see cref="FuzzCaseRunner"/>'s; one theory row per seed or family, so a
/// failure names it, then the case number and the mutation, and leaves the bytes in a file to replay
/// (<c>DicomFile.ReadAsync(File.ReadAllBytes(path))</c>).
/// </summary>
public sealed class DicomReaderFuzzTests(ITestOutputHelper output)
{
    /// <summary>
    /// A hang, for a case: the slowest take about a second in a Debug build, and more than ten on a 2-core machine
    /// loaded twenty times over (helpers building beside the suite). Only a hang must fail here; the cost of element
    /// order is pinned down by <see cref="FuzzFindingsTests.Elements_listed_backwards_take_linear_time"/>.
    /// </summary>
    private static readonly TimeSpan CaseTimeout = TimeSpan.FromSeconds(90);

    private static readonly string ReferenceFolder = Path.Combine(RepositoryPaths.Root, "tests", "data", "dicom-reference");

    private static readonly string FailureFolder = Path.Combine(Path.GetTempPath(), "radai-fuzz-failures");

    /// <summary>Dictionaries, code tables and the JIT warmed before anything is measured.</summary>
    private static readonly Lazy<Task> Warmed = new(WarmAsync);

    public static TheoryData<string> Seeds()
    {
        var data = new TheoryData<string>();
        foreach (var file in PydicomReference.CorpusFiles())
        {
            data.Add("pydicom/" + file);
        }

        foreach (var file in Directory.EnumerateFiles(ReferenceFolder, "*.dcm").Select(Path.GetFileName).Order(StringComparer.Ordinal))
        {
            data.Add("reference/" + file);
        }

        return data;
    }

    public static TheoryData<string> Families() => [.. SyntheticInputs.Families];

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Mutations_of_a_seed_are_read_or_refused_cleanly(string seed)
    {
        var bytes = await File.ReadAllBytesAsync(SeedPath(seed));
        await RunAsync(seed, Mutations.For(seed, bytes));
    }

    [Theory]
    [MemberData(nameof(Families))]
    public Task Hostile_structures_are_read_or_refused_cleanly(string family) => RunAsync(family, SyntheticInputs.Family(family));

    [Fact]
    public void The_mutations_are_the_same_every_run()
    {
        var bytes = File.ReadAllBytes(SeedPath("pydicom/test_files/CT_small.dcm"));

        var first = Mutations.For("pydicom/test_files/CT_small.dcm", bytes).ToList();
        var second = Mutations.For("pydicom/test_files/CT_small.dcm", bytes).ToList();

        Assert.Equal(Mutations.PerSeed, first.Count);
        Assert.Equal(first.Select(c => c.Description), second.Select(c => c.Description));
        Assert.All(first.Zip(second), pair => Assert.Equal(pair.First.Bytes, pair.Second.Bytes));
        // The scanner finds the headers the mutations aim at.
        Assert.True(HeaderScanner.Scan(bytes).Headers.Count > 50);
    }

    private static string SeedPath(string seed) => seed.StartsWith("pydicom/", StringComparison.Ordinal)
        ? Path.Combine(PydicomReference.CorpusRoot, seed["pydicom/".Length..])
        : Path.Combine(ReferenceFolder, seed["reference/".Length..]);

    private async Task RunAsync(string seed, IEnumerable<FuzzCase> cases)
    {
        await Warmed.Value;
        using var folder = new TemporaryDirectory("radai-fuzz");
        var failures = new List<string>();
        var total = Stopwatch.StartNew();
        var count = 0;
        var read = 0;
        var slowest = (Seconds: 0.0, Index: -1, Steps: "");
        var densest = (PerByte: 0.0, Index: -1);
        foreach (var fuzzCase in cases)
        {
            count++;
            var started = Stopwatch.GetTimestamp();
            var check = Task.Run(() => FuzzCaseRunner.CheckAsync(fuzzCase, alsoFromFile: fuzzCase.Index % 4 == 0, folder.Path));
            FuzzCaseRunner.Result result;
            try
            {
                result = await check.WaitAsync(CaseTimeout);
            }
            catch (TimeoutException)
            {
                failures.Add(Report(fuzzCase, [$"did not finish within {CaseTimeout.TotalSeconds:0} s: a hang"]));
                // The runaway case keeps a core busy: the seed's remaining cases would time out too.
                break;
            }

            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            slowest = seconds > slowest.Seconds ? (seconds, fuzzCase.Index, result.Steps) : slowest;
            densest = result.AllocationPerByte > densest.PerByte ? (result.AllocationPerByte, fuzzCase.Index) : densest;
            read += result.Read ? 1 : 0;
            if (result.Problems.Count > 0)
            {
                failures.Add(Report(fuzzCase, result.Problems));
            }
        }

        output.WriteLine($"{seed}: {count} cases ({read} read, {count - read} refused) in {total.Elapsed.TotalSeconds:0.00} s; " +
            $"slowest case #{slowest.Index} {slowest.Seconds:0.000} s ({slowest.Steps}); most allocation beyond the constant: case #{densest.Index}, {densest.PerByte:0.0} bytes per input byte");
        Assert.True(failures.Count == 0, $"{seed}: {failures.Count} of {count} cases failed:\n\n" + string.Join("\n\n", failures.Take(10)));
    }

    /// <summary>The failure message of a case, with its bytes saved for replay.</summary>
    private static string Report(FuzzCase fuzzCase, IEnumerable<string> problems)
    {
        Directory.CreateDirectory(FailureFolder);
        var name = string.Concat(fuzzCase.Seed.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_'));
        var path = Path.Combine(FailureFolder, $"{name}-case{fuzzCase.Index}.dcm");
        File.WriteAllBytes(path, fuzzCase.Bytes);
        return $"{fuzzCase.Seed} case {fuzzCase.Index} ({fuzzCase.Description}; {fuzzCase.Bytes.Length} bytes, saved as {path}):\n  " +
            string.Join("\n  ", problems);
    }

    private static async Task WarmAsync()
    {
        foreach (var file in new[] { "CT_small.dcm", "MR_small_implicit.dcm", "MR_small_bigendian.dcm", "image_dfl.dcm", "rtplan.dcm" })
        {
            var dicom = await DicomFile.ReadAsync(await File.ReadAllBytesAsync(Path.Combine(PydicomReference.CorpusRoot, "test_files", file)));
            _ = DicomJsonWriter.Serialize(dicom.Dataset);
            DicomDumpWriter.WriteFile(TextWriter.Null, dicom);
            using var written = new MemoryStream();
            await dicom.SaveAsync(written);
        }
    }
}
