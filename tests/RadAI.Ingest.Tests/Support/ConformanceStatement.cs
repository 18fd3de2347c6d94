using System.Text.RegularExpressions;
using RadAI.Testing;
using Xunit;

namespace RadAI.Ingest.Tests.Support;

/// <summary>
/// The tables of docs/dicom-conformance-statement.md, read as a PACS engineer reads them: the UIDs of a table, found
/// under its heading (the first table after the heading line that starts with the given text), in row order.
/// </summary>
public static partial class ConformanceStatement
{
    public static string Path { get; } = System.IO.Path.Combine(RepositoryPaths.Root, "docs", "dicom-conformance-statement.md");

    private static readonly Lazy<string[]> Lines = new(() => File.ReadAllLines(Path));

    /// <summary>The SOP classes of section 8.5 (what the storage SCP accepts).</summary>
    public static IReadOnlyList<string> AcceptedSopClasses => Uids("### 8.5 ", "| SOP class |");

    /// <summary>The transfer syntaxes accepted by default, in the statement's order of preference (section 4.2.1.3).</summary>
    public static IReadOnlyList<string> DefaultTransferSyntaxes => Uids("##### 4.2.1.3 ", "| preference |");

    /// <summary>The transfer syntaxes accepted only with <c>DicomIngest:TransferSyntaxes=*</c> (section 4.2.1.3).</summary>
    public static IReadOnlyList<string> AllOnlyTransferSyntaxes => Uids("##### 4.2.1.3 ", "| transfer syntax | UID | compression |");

    /// <summary>The UID cell of each row of the table whose header row starts with <paramref name="header"/>, below <paramref name="heading"/>.</summary>
    public static IReadOnlyList<string> Uids(string heading, string header)
    {
        var lines = Lines.Value;
        var start = Array.FindIndex(lines, l => l.StartsWith(heading, StringComparison.Ordinal));
        Assert.True(start >= 0, $"No heading '{heading}' in {Path}.");
        var end = Array.FindIndex(lines, start + 1, l => l.StartsWith('#'));
        var top = Array.FindIndex(lines, start + 1, l => l.StartsWith(header, StringComparison.Ordinal));
        Assert.True(top >= 0 && (end < 0 || top < end), $"No table '{header}' under '{heading}' in {Path}.");
        var uids = new List<string>();
        foreach (var row in lines.Skip(top + 2).TakeWhile(l => l.StartsWith('|')))
        {
            var cells = row.Split('|', StringSplitOptions.TrimEntries).Where(c => c.Length > 0).ToList();
            var uid = Assert.Single(cells, c => Uid().IsMatch(c));
            uids.Add(uid);
        }

        Assert.NotEmpty(uids);
        return uids;
    }

    [GeneratedRegex(@"^[0-2](\.(0|[1-9][0-9]*))+$")]
    private static partial Regex Uid();
}
