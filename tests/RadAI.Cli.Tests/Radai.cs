using RadAI.Testing;

namespace RadAI.Cli.Tests;

/// <summary>Runs the built <c>radai</c> program (<c>dotnet radai.dll ...</c>) as a separate process.</summary>
internal static class Radai
{
    /// <summary>
    /// radai.dll of the same build: <c>&lt;artifacts&gt;/bin/RadAI.Cli/&lt;config&gt;/</c> next to this test project's
    /// <c>&lt;artifacts&gt;/bin/RadAI.Cli.Tests/&lt;config&gt;/</c> (whatever the ArtifactsPath), else the copy the
    /// project reference put beside the tests.
    /// </summary>
    public static string Assembly { get; } = Locate();

    public static Task<ExternalTool.Result> RunAsync(params string[] arguments) =>
        ExternalTool.RunAsync("dotnet", [Assembly, .. arguments], TimeSpan.FromMinutes(3));

    private static string Locate()
    {
        var configurationFolder = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        if (configurationFolder.Parent?.Parent is { } bin)
        {
            var sibling = Path.Combine(bin.FullName, "RadAI.Cli", configurationFolder.Name, "radai.dll");
            if (File.Exists(sibling))
            {
                return sibling;
            }
        }

        var beside = Path.Combine(AppContext.BaseDirectory, "radai.dll");
        return File.Exists(beside) && File.Exists(Path.Combine(AppContext.BaseDirectory, "radai.runtimeconfig.json"))
            ? beside
            : throw new FileNotFoundException($"radai is not built next to {AppContext.BaseDirectory}: build tools/RadAI.Cli with the same configuration.");
    }
}
