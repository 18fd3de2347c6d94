using System.Diagnostics;
using System.Text.Json;

namespace RadAI.Dicom.Tests.CharacterSets;

/// <summary>
/// pydicom's decoding, from pydicom_charset_reference.py run with Debian's /usr/bin/python3 (package
/// python3-pydicom, which scripts/test.sh installs): the corpus and codec tables once per test run,
/// and any list of crafted values on demand.
/// </summary>
public sealed class PydicomCharsets
{
    private const string Python = "/usr/bin/python3";

    private static readonly Lazy<JsonElement> SharedCorpus = new(() => RunToFile("corpus"));

    private static readonly Lazy<JsonElement> SharedTables = new(() => RunToFile("tables"));

    /// <summary>The files of the corpus (charset_files/*.dcm, and test_files with a Specific Character Set), by relative path.</summary>
    public static IReadOnlyDictionary<string, JsonElement> Corpus { get; } = new LazyFiles();

    /// <summary>Python's decoding of every cell of the codecs' tables, by codec.</summary>
    public static JsonElement Tables => SharedTables.Value;

    /// <summary>One value to decode: the raw Specific Character Set (null: none), the VR, the raw value.</summary>
    public sealed record Case(byte[]? CharacterSet, DicomVR VR, byte[] Raw);

    /// <summary>pydicom's text (null when pydicom failed) and warnings for each case.</summary>
    public sealed record Result(string? Text, IReadOnlyList<string> Warnings, string? Error);

    /// <summary>Decodes the cases with pydicom, as elements of a dataset that has the Specific Character Set.</summary>
    public static IReadOnlyList<Result> Decode(IReadOnlyList<Case> cases)
    {
        var input = JsonSerializer.Serialize(cases.Select(c => new Dictionary<string, string?>
        {
            ["charset"] = c.CharacterSet is null ? null : Convert.ToBase64String(c.CharacterSet),
            ["vr"] = c.VR.Code(),
            ["raw"] = Convert.ToBase64String(c.Raw),
        }));
        using var output = JsonDocument.Parse(Run(["decode"], input));
        var results = new List<Result>(cases.Count);
        foreach (var item in output.RootElement.EnumerateArray())
        {
            var warnings = item.TryGetProperty("warnings", out var w) ? w.EnumerateArray().Select(x => x.GetString()!).ToArray() : [];
            var error = item.TryGetProperty("error", out var e) ? e.GetString() : null;
            results.Add(new Result(item.GetProperty("text").GetString(), warnings, error));
        }

        return results.Count == cases.Count ? results : throw new InvalidOperationException("pydicom returned fewer results than cases.");
    }

    private static JsonElement RunToFile(string mode)
    {
        var path = Path.Combine(Path.GetTempPath(), $"radai-pydicom-{mode}-{Guid.NewGuid():N}.json");
        try
        {
            Run([mode, path], null);
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            return document.RootElement.Clone();
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string Run(string[] arguments, string? input)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "CharacterSets", "pydicom_charset_reference.py");
        if (!File.Exists(Python))
        {
            throw new InvalidOperationException($"{Python} is missing: install Debian's python3-pydicom (scripts/test.sh does).");
        }

        var info = new ProcessStartInfo(Python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Cannot start {Python}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            process.StandardInput.Write(input);
        }

        process.StandardInput.Close();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"pydicom_charset_reference.py {arguments[0]} did not finish in 5 minutes.");
        }

        return process.ExitCode == 0
            ? output.Result
            : throw new InvalidOperationException($"pydicom_charset_reference.py {arguments[0]} failed ({process.ExitCode}): {error.Result}");
    }

    /// <summary>The corpus files, read on first use (test discovery needs their names).</summary>
    private sealed class LazyFiles : IReadOnlyDictionary<string, JsonElement>
    {
        private readonly Lazy<Dictionary<string, JsonElement>> _files = new(() =>
            SharedCorpus.Value.GetProperty("files").EnumerateArray()
                .ToDictionary(f => f.GetProperty("file").GetString()!, f => f, StringComparer.Ordinal));

        public int Count => _files.Value.Count;

        public IEnumerable<string> Keys => _files.Value.Keys;

        public IEnumerable<JsonElement> Values => _files.Value.Values;

        public JsonElement this[string key] => _files.Value[key];

        public bool ContainsKey(string key) => _files.Value.ContainsKey(key);

        public bool TryGetValue(string key, out JsonElement value) => _files.Value.TryGetValue(key, out value);

        public IEnumerator<KeyValuePair<string, JsonElement>> GetEnumerator() => _files.Value.GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
