using RadAI.Testing;

namespace RadAI.Cli.Tests;

/// <summary>
/// Runs the built <c>radai</c> program (<c>dotnet radai.dll ...</c>) as a separate process; or, when the environment
/// variable <c>RADAI_CLI</c> names an executable (the Native AOT publication, scripts/cli-aot.sh), that one.
/// </summary>
internal static class Radai
{
    private static readonly string? Executable = Environment.GetEnvironmentVariable("RADAI_CLI") is { Length: > 0 } path
        ? (File.Exists(path) ? Path.GetFullPath(path) : throw new FileNotFoundException($"RADAI_CLI names {path}, which does not exist."))
        : null;

    /// <summary>
    /// radai.dll of the same build: <c>&lt;artifacts&gt;/bin/RadAI.Cli/&lt;config&gt;/</c> next to this test project's
    /// <c>&lt;artifacts&gt;/bin/RadAI.Cli.Tests/&lt;config&gt;/</c> (whatever the ArtifactsPath), else the copy the
    /// project reference put beside the tests.
    /// </summary>
    public static string Assembly { get; } = Locate();

    public static Task<ExternalTool.Result> RunAsync(params string[] arguments) => Executable is not null
        ? ExternalTool.RunAsync(Executable, arguments, TimeSpan.FromMinutes(3))
        : ExternalTool.RunAsync("dotnet", [Assembly, .. arguments], TimeSpan.FromMinutes(3));

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
