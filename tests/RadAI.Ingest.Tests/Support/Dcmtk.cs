using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using RadAI.Testing;
using Xunit;

namespace RadAI.Ingest.Tests.Support;

/// <summary>DCMTK, the real senders and the reference dump: dcmsend, storescu, echoscu, dcmdump.</summary>
public static partial class Dcmtk
{
    /// <summary>dcmsend of files or folders (scanned recursively) to the ingest SCP, as <paramref name="callingAe"/>.</summary>
    public static Task<ExternalTool.Result> SendAsync(int port, string callingAe, params string[] paths) =>
        ExternalTool.RunAsync("dcmsend", ["-v", "-aet", callingAe, "-aec", IngestHost.AeTitle, "+sd", "+r", "-nuc", "127.0.0.1", port.ToString(CultureInfo.InvariantCulture), .. paths]);

    /// <summary>storescu of files, in this order, over one association (debug output: each response's status and comment).</summary>
    public static Task<ExternalTool.Result> StoreAsync(int port, string callingAe, params string[] files) =>
        ExternalTool.RunAsync("storescu", ["-d", "-nh", "-aet", callingAe, "-aec", IngestHost.AeTitle, "127.0.0.1", port.ToString(CultureInfo.InvariantCulture), .. files]);

    /// <summary>echoscu as <paramref name="callingAe"/>.</summary>
    public static Task<ExternalTool.Result> EchoAsync(int port, string callingAe) =>
        ExternalTool.RunAsync("echoscu", ["-v", "-aet", callingAe, "-aec", IngestHost.AeTitle, "127.0.0.1", port.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(60));

    /// <summary>The DIMSE statuses of the C-STORE responses storescu -d printed, in order.</summary>
    public static IReadOnlyList<ushort> StoreStatuses(ExternalTool.Result storescu) =>
        [.. ResponseStatus().Matches(storescu.Output + storescu.Error).Select(m => ushort.Parse(m.Groups["status"].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture))];

    /// <summary>
    /// Asserts that two files hold the same data set according to dcmdump (all values printed, meta group
    /// aside). Encoding choices that do not change the data set are normalised away: sequence and item
    /// lengths (explicit or undefined), delimitation items, value lengths.
    /// </summary>
    public static async Task AssertSameDatasetAsync(string expected, string actual)
    {
        var sent = await DatasetDumpAsync(expected);
        var stored = await DatasetDumpAsync(actual);
        Assert.True(sent.Count > 10, $"dcmdump of {expected} is too short to compare:\n{string.Join('\n', sent)}");
        Assert.Equal(sent, stored);
    }

    /// <summary>The data set of a file as dcmdump sees it, one normalised line per element.</summary>
    public static async Task<IReadOnlyList<string>> DatasetDumpAsync(string path)
    {
        var dump = (await ExternalTool.RunAsync("dcmdump", "+L", "+U8", path)).EnsureSuccess($"dcmdump {path}");
        var lines = new List<string>();
        var inDataset = false;
        foreach (var line in dump.Output.Split('\n'))
        {
            if (line.StartsWith("# Dicom-Data-Set", StringComparison.Ordinal))
            {
                inDataset = true;
                continue;
            }

            if (!inDataset || line.StartsWith('#') || line.Length == 0)
            {
                continue;
            }

            var element = Element().Match(line);
            Assert.True(element.Success, $"dcmdump line not understood: {line}");
            var (indent, tag, vr, value) = (element.Groups["indent"].Value, element.Groups["tag"].Value, element.Groups["vr"].Value, element.Groups["value"].Value.TrimEnd());
            if (tag is "fffe,e00d" or "fffe,e0dd")
            {
                continue;
            }

            lines.Add(vr is "SQ" or "na" ? $"{indent}({tag}) {vr}" : $"{indent}({tag}) {vr} {value}");
        }

        Assert.True(dump.Error.Length == 0 || !dump.Error.Contains("E:", StringComparison.Ordinal), $"dcmdump {path}: {dump.Error}");
        return lines;
    }

    /// <summary>Every .dcm file below a folder.</summary>
    public static IReadOnlyList<string> FilesBelow(string folder) =>
        Directory.Exists(folder) ? [.. Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)] : [];

    /// <summary>A readable summary of a tool run, for assertion messages.</summary>
    public static string Describe(ExternalTool.Result result) =>
        new StringBuilder().Append("exit ").Append(result.ExitCode).Append('\n').Append(result.Output).Append('\n').Append(result.Error).ToString();

    // "D: DIMSE Status                  : 0x0000: Success" in storescu -d's dump of each C-STORE-RSP.
    [GeneratedRegex(@"DIMSE Status\s*:\s*0x(?<status>[0-9A-Fa-f]{4})")]
    private static partial Regex ResponseStatus();

    [GeneratedRegex(@"^(?<indent>\s*)\((?<tag>[0-9a-f]{4},[0-9a-f]{4})\) (?<vr>\S\S) (?<value>.*?)(\s+#.*)?$")]
    private static partial Regex Element();
}
