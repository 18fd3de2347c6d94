using System.Diagnostics;
using System.Text.Json;

namespace RadAI.Dicom.Tests.Conformance;

/// <summary>pydicom's reading of its own test corpus, produced once per test run by pydicom_reference.py.</summary>
public sealed class PydicomReference
{
    /// <summary>Where Debian's python3-pydicom installs its test files.</summary>
    public const string CorpusRoot = "/usr/lib/python3/dist-packages/pydicom/data";

    private static readonly Lazy<PydicomReference> Shared = new(Load);

    private PydicomReference(Dictionary<string, JsonElement> files) => Files = files;

    public static PydicomReference Instance => Shared.Value;

    public IReadOnlyDictionary<string, JsonElement> Files { get; }

    /// <summary>The corpus files, relative to <see cref="CorpusRoot"/>, as pydicom_reference.py enumerates them.</summary>
    public static IEnumerable<string> CorpusFiles()
    {
        if (!Directory.Exists(CorpusRoot))
        {
            throw new InvalidOperationException($"{CorpusRoot} is missing: install Debian's python3-pydicom (scripts/test.sh does).");
        }

        var skipped = new[] { ".py", ".pyc", ".json", ".txt", ".md", ".gz", ".dump" };
        return Directory.EnumerateFiles(CorpusRoot, "*", SearchOption.AllDirectories)
            .Where(p => !skipped.Any(s => p.EndsWith(s, StringComparison.Ordinal)) && Path.GetFileName(p) != "README")
            .Select(p => Path.GetRelativePath(CorpusRoot, p))
            .Order(StringComparer.Ordinal);
    }

    private static PydicomReference Load()
    {
        var script = Path.Combine(AppContext.BaseDirectory, "Conformance", "pydicom_reference.py");
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(script);
        info.ArgumentList.Add(CorpusRoot);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("Cannot start /usr/bin/python3.");
        var error = process.StandardError.ReadToEndAsync();
        using var document = JsonDocument.Parse(process.StandardOutput.BaseStream);
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"pydicom_reference.py failed ({process.ExitCode}): {error.Result}");
        }

        var files = document.RootElement.EnumerateObject().ToDictionary(
            p => Path.GetRelativePath(CorpusRoot, p.Name), p => p.Value.Clone(), StringComparer.Ordinal);
        return new PydicomReference(files);
    }
}
