using RadAI.Testing;

namespace RadAI.Dicom.Tests.Dictionary;

/// <summary>
/// The source tables (tools/dicom-generator/tables), read here with a plain split so that the tests compare
/// the generated code with the data itself, not with the generator's reading of it.
/// </summary>
internal static class Tables
{
    public static string Folder { get; } = Path.Combine(RepositoryPaths.Root, "tools", "dicom-generator", "tables");

    /// <summary>The rows of a table as column → value maps (header row excluded).</summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, string>> Read(string fileName)
    {
        var lines = File.ReadAllLines(Path.Combine(Folder, fileName));
        var header = lines[0].Split('\t');
        return [.. lines.Skip(1)
            .Where(l => l.Length > 0)
            .Select(l => (IReadOnlyDictionary<string, string>)header
                .Zip(l.Split('\t'))
                .ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal))];
    }
}
