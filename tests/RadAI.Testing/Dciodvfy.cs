namespace RadAI.Testing;

/// <summary>dicom3tools' IOD validator, run on a Part 10 file.</summary>
public static class Dciodvfy
{
    /// <summary>What dciodvfy said of a file: the IOD it recognised, its Error lines and its Warning lines.</summary>
    public sealed record Verdict(string Iod, IReadOnlyList<string> Errors, IReadOnlyList<string> Warnings);

    /// <summary>Runs <c>dciodvfy <paramref name="path"/></c>.</summary>
    public static async Task<Verdict> CheckAsync(string path)
    {
        var result = await ExternalTool.RunAsync("dciodvfy", path);
        var lines = (result.Error + "\n" + result.Output).Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0).ToList();
        var iod = lines.FirstOrDefault(l => !l.Contains(" - ", StringComparison.Ordinal) && !l.StartsWith('(')) ?? "";
        return new Verdict(iod, [.. lines.Where(l => l.Contains("Error - ", StringComparison.Ordinal))], [.. lines.Where(l => l.StartsWith("Warning - ", StringComparison.Ordinal))]);
    }
}
