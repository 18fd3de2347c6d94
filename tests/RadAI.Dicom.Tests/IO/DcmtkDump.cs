using System.Text.RegularExpressions;
using RadAI.Testing;

namespace RadAI.Dicom.Tests.IO;

/// <summary>What DCMTK's dcmdump says a file contains, normalised for comparing a source with its rewrite.</summary>
internal static partial class DcmtkDump
{
    /// <summary>
    /// The dataset lines of <c>dcmdump -q +L</c> (meta group dropped: RadAI rewrites it), without the
    /// length comments and dcmdump's own comment lines (e.g. DICOMDIR record offsets), and with the value of group length elements masked (RadAI recomputes them;
    /// several corpus files carry wrong ones). Null when dcmdump cannot read the file.
    /// </summary>
    public static async Task<string?> DatasetAsync(string path)
    {
        var result = await ExternalTool.RunAsync("dcmdump", "-q", "+L", path);
        if (result.ExitCode != 0)
        {
            return null;
        }

        var lines = result.Output.Split('\n')
            .Where(l => l.Length > 0 && !l.TrimStart().StartsWith('#') && !l.StartsWith("(0002,", StringComparison.Ordinal))
            .Select(l => Comment().Replace(l, ""))
            .Select(l => GroupLength().Replace(l, "$1 UL *"));
        return string.Join('\n', lines);
    }

    /// <summary>
    /// Like <see cref="DatasetAsync"/>, with the way sequences and items are delimited (explicit or
    /// undefined length) ignored: for comparing two writers that choose differently.
    /// </summary>
    public static async Task<string?> DatasetIgnoringDelimitationAsync(string path)
    {
        var dump = await DatasetAsync(path);
        if (dump is null)
        {
            return null;
        }

        var lines = dump.Split('\n')
            .Where(l => !l.Contains("(fffe,e00d)", StringComparison.Ordinal) && !l.Contains("(fffe,e0dd)", StringComparison.Ordinal))
            .Select(l => Delimitation().Replace(l, "$1 #="));
        return string.Join('\n', lines);
    }

    [GeneratedRegex(@"(Sequence|Item) with (?:explicit|undefined) length #=")]
    private static partial Regex Delimitation();

    [GeneratedRegex(@"\s+#\s*-?\d*,\s*\d+\s.*$")]
    private static partial Regex Comment();

    [GeneratedRegex(@"^(\s*\([0-9a-f]{4},0000\)) UL \d+")]
    private static partial Regex GroupLength();
}
