namespace RadAI.Testing;

/// <summary>Where things are in the checkout and its build output (artifacts/bin/&lt;project&gt;/&lt;configuration&gt;/).</summary>
public static class RepositoryPaths
{
    /// <summary>The folder holding RadAI.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The build configuration folder of the running tests (e.g. <c>debug</c>).</summary>
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Name;

    /// <summary>The main assembly of a project built with the same configuration as the tests.</summary>
    public static string BuiltAssembly(string assemblyName)
    {
        var path = Path.Combine(Root, "artifacts", "bin", assemblyName, Configuration, assemblyName + ".dll");
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{assemblyName} is not built at {path}: build the solution first (scripts/test.sh does).", path);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RadAI.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("RadAI.sln not found above " + AppContext.BaseDirectory);
    }
}
