using System.Runtime.CompilerServices;

namespace RadAI.Testing;

/// <summary>Where things are in the checkout and its build output (artifacts/bin/&lt;project&gt;/&lt;configuration&gt;/).</summary>
public static class RepositoryPaths
{
    /// <summary>The folder holding RadAI.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The build configuration folder of the running tests (e.g. <c>debug</c>).</summary>
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Name;

    /// <summary>
    /// The main assembly of a project built with the same configuration, into the same artifacts folder as the
    /// running tests (so a build with another <c>ArtifactsPath</c> never runs a stale host from the checkout).
    /// </summary>
    public static string BuiltAssembly(string assemblyName) => SiblingBuiltAssembly(assemblyName);

    /// <summary>
    /// The main assembly of a project built into the same artifacts folder and configuration as the running
    /// tests: from <c>&lt;artifacts&gt;/bin/&lt;TestProject&gt;/&lt;config&gt;/</c> to
    /// <c>&lt;artifacts&gt;/bin/&lt;assemblyName&gt;/&lt;config&gt;/&lt;assemblyName&gt;.dll</c>. Unlike <see cref="BuiltAssembly"/>,
    /// it works with any <c>ArtifactsPath</c> (e.g. <c>dotnet test -p:ArtifactsPath=/tmp/x</c>).
    /// </summary>
    public static string SiblingBuiltAssembly(string assemblyName) => SiblingBuiltAssembly(assemblyName, assemblyName);

    /// <summary>
    /// Like <see cref="SiblingBuiltAssembly(string)"/>, for a project whose assembly name is not its project name
    /// (e.g. project <c>RadAI.Cli</c>, assembly <c>radai</c>).
    /// </summary>
    public static string SiblingBuiltAssembly(string projectName, string assemblyName)
    {
        var configurationFolder = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var binFolder = configurationFolder.Parent?.Parent
            ?? throw new InvalidOperationException($"{AppContext.BaseDirectory} is not <artifacts>/bin/<project>/<configuration>/.");
        var path = Path.Combine(binFolder.FullName, projectName, configurationFolder.Name, assemblyName + ".dll");
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{assemblyName} is not built at {path}: reference its project from the test project (ReferenceOutputAssembly=false).", path);
    }

    private static string FindRoot([CallerFilePath] string sourceFile = "")
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RadAI.sln")))
            {
                return dir.FullName;
            }
        }

        // Built outside the checkout (dotnet test -p:ArtifactsPath=/tmp/x): the checkout this file was compiled from.
        if (Path.IsPathFullyQualified(sourceFile))
        {
            for (var dir = new FileInfo(sourceFile).Directory; dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "RadAI.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("RadAI.sln not found above " + AppContext.BaseDirectory);
    }
}
