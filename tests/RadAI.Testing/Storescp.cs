using System.Globalization;
using System.Text.RegularExpressions;

namespace RadAI.Testing;

/// <summary>DCMTK's storescp as the PACS: started on a given port, ready when it answers C-ECHO, writing each received instance to a folder.</summary>
public sealed partial class Storescp : IAsyncDisposable
{
    public const string AeTitle = "PACS";

    private readonly ServiceProcess _process;

    private Storescp(ServiceProcess process, string folder, int port)
    {
        _process = process;
        Folder = folder;
        Port = port;
    }

    public string Folder { get; }

    public int Port { get; }

    /// <summary>Starts storescp on <paramref name="port"/>; <c>+uf</c>: one file per C-STORE received (a resend is seen as a second file).</summary>
    public static Task<Storescp> StartAsync(string folder, int port, params string[] arguments) => StartAsync(folder, port, arguments, []);

    /// <summary>Starts storescp; <paramref name="echoArguments"/> are what echoscu needs to probe it (TLS).</summary>
    public static async Task<Storescp> StartAsync(string folder, int port, string[] arguments, string[] echoArguments)
    {
        Directory.CreateDirectory(folder);
        var process = ServiceProcess.StartProgram("storescp", folder, [.. arguments, "-aet", AeTitle, "-od", folder, port.ToString(CultureInfo.InvariantCulture)]);
        try
        {
            await Eventually.UntilAsync(
                async () => process.HasExited || (await ExternalTool.RunAsync("echoscu", [.. echoArguments, "-aec", AeTitle, "-to", "5", "127.0.0.1", port.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(30))).ExitCode == 0,
                TimeSpan.FromSeconds(30),
                "storescp to answer C-ECHO");
            if (process.HasExited)
            {
                throw new InvalidOperationException($"storescp exited (port {port} taken?):\n{process.Output}");
            }
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }

        return new Storescp(process, folder, port);
    }

    /// <summary>The files received so far.</summary>
    public IReadOnlyList<string> Files() =>
        [.. Directory.EnumerateFiles(Folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)];

    /// <summary>The SOP Instance UID of each file received.</summary>
    public async Task<IReadOnlyList<string>> ReceivedSopInstanceUidsAsync()
    {
        var uids = new List<string>();
        foreach (var file in Files())
        {
            var dump = (await ExternalTool.RunAsync("dcmdump", "-q", "+P", "0008,0018", file)).EnsureSuccess($"dcmdump {file}");
            uids.Add(SopInstance().Match(dump.Output).Groups[1].Value);
        }

        return uids;
    }

    /// <summary>
    /// The data set of a file as dcmdump prints it, normalised for comparing what a peer stored with its source: the meta
    /// group left out (every receiver writes its own), length comments and group lengths dropped, and how sequences and
    /// items are delimited ignored (DCMTK stores them with explicit lengths).
    /// </summary>
    public static async Task<string> DatasetAsync(string path)
    {
        var dump = (await ExternalTool.RunAsync("dcmdump", "-q", "+L", path)).EnsureSuccess($"dcmdump {path}");
        return string.Join('\n', dump.Output.Split('\n')
            .Where(l => l.Length > 0 && !l.TrimStart().StartsWith('#') && !l.StartsWith("(0002,", StringComparison.Ordinal))
            .Where(l => !l.Contains("(fffe,e00d)", StringComparison.Ordinal) && !l.Contains("(fffe,e0dd)", StringComparison.Ordinal))
            .Select(l => Comment().Replace(l, ""))
            .Select(l => GroupLength().Replace(l, "$1 UL *"))
            .Select(l => Delimitation().Replace(l, "$1 #=")));
    }

    public async ValueTask DisposeAsync() => await _process.DisposeAsync();

    [GeneratedRegex(@"\(0008,0018\) UI \[([0-9.]+)\]")]
    private static partial Regex SopInstance();

    [GeneratedRegex(@"(Sequence|Item) with (?:explicit|undefined) length #=")]
    private static partial Regex Delimitation();

    [GeneratedRegex(@"\s+#\s*-?\d*,\s*\d+\s.*$")]
    private static partial Regex Comment();

    [GeneratedRegex(@"^(\s*\([0-9a-f]{4},0000\)) UL \d+")]
    private static partial Regex GroupLength();
}
