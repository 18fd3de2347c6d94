using RadAI.Testing;

namespace RadAI.Dashboard.Tests;

/// <summary>Where the dashboard's sources are, and how its npm scripts are run from a test.</summary>
internal static class DashboardProject
{
    public static string Folder { get; } = Path.Combine(RepositoryPaths.Root, "gateway", "dashboard");

    /// <summary>The production build as the standalone host serves it (copied there by the gateway's build).</summary>
    public static string BuiltFolder { get; } =
        Path.Combine(Path.GetDirectoryName(RepositoryPaths.SiblingBuiltAssembly("RadAI.Standalone"))!, "dashboard");

    /// <summary>Runs <c>npm run {script}</c> (node_modules comes from the gateway's build: npm ci).</summary>
    public static Task<ExternalTool.Result> NpmAsync(string script, TimeSpan timeout, params string[] arguments) =>
        ExternalTool.RunAsync("npm", ["run", "--silent", script, .. arguments.Length > 0 ? ["--", .. arguments] : Array.Empty<string>()], timeout, Folder);
}
