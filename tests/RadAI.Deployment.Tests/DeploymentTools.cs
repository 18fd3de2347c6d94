using System.Collections.Concurrent;
using RadAI.Testing;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace RadAI.Deployment.Tests;

/// <summary>
/// A fact that needs command-line tools: skipped, saying which is missing, on a developer's machine without them.
/// scripts/test.sh installs docker-compose and yamllint (its PACKAGES); kubectl is not packaged by Debian at a
/// version with kustomize components (1.20 there), so CI machines have it preinstalled.
/// </summary>
public sealed class ToolFactAttribute : FactAttribute
{
    public ToolFactAttribute(params string[] tools)
    {
        var missing = tools.Where(t => DeploymentTools.Find(t) is null).ToList();
        if (missing.Count > 0)
        {
            Skip = $"{string.Join(", ", missing)} not installed (scripts/test.sh installs docker-compose and yamllint; kubectl must be on PATH)";
        }
    }
}

/// <summary>The offline tools that read deployment files the way Docker and Kubernetes do.</summary>
public static class DeploymentTools
{
    // What docker-compose and kubectl render, once per run (the files do not change meanwhile; YAML nodes are only read).
    private static readonly ConcurrentDictionary<string, Lazy<Task<object>>> Rendered = new(StringComparer.Ordinal);

    /// <summary>The full path of a program on PATH, or null.</summary>
    public static string? Find(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program))
            .FirstOrDefault(File.Exists);

    /// <summary>Values for the variables docker-compose.yml requires (<c>${VAR:?}</c>), as a deployer's .env would hold.</summary>
    public static IReadOnlyDictionary<string, string> RequiredComposeVariables { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["POSTGRES_PASSWORD"] = "test-postgres-password",
        ["RABBITMQ_PASSWORD"] = "test-rabbitmq-password",
        ["RADAI_INSTALLATION_ID"] = "test-node",
    };

    /// <summary>Runs <c>docker-compose config</c> on the root docker-compose.yml with an env file of <paramref name="variables"/>.</summary>
    public static async Task<ExternalTool.Result> ComposeConfigAsync(IReadOnlyDictionary<string, string> variables, params string[] profiles)
    {
        using var folder = new TemporaryDirectory("radai-compose");
        var envFile = Path.Combine(folder.Path, "test.env");
        await File.WriteAllLinesAsync(envFile, variables.Select(v => $"{v.Key}={v.Value}"));
        var arguments = new List<string> { "--project-directory", RepositoryPaths.Root, "-f", Path.Combine(RepositoryPaths.Root, "docker-compose.yml"), "--env-file", envFile };
        foreach (var profile in profiles)
        {
            arguments.AddRange(["--profile", profile]);
        }

        arguments.Add("config");
        return await ExternalTool.RunAsync("docker-compose", arguments, TimeSpan.FromMinutes(2), RepositoryPaths.Root);
    }

    /// <summary>The compose file as docker-compose resolves it (anchors merged, variables substituted); read once per profile set.</summary>
    public static async Task<YamlMappingNode> ResolvedComposeAsync(params string[] profiles) =>
        (YamlMappingNode)await Rendered.GetOrAdd("compose:" + string.Join(',', profiles), _ => new Lazy<Task<object>>(async () =>
        {
            var result = (await ComposeConfigAsync(RequiredComposeVariables, profiles)).EnsureSuccess("docker-compose config");
            return (YamlMappingNode)Parse(result.Output).Single().RootNode;
        })).Value;

    /// <summary>The manifests of a kustomization (e.g. <c>k8s/overlays/production</c>), rendered by <c>kubectl kustomize</c>; read once.</summary>
    public static async Task<IReadOnlyList<YamlMappingNode>> KustomizeAsync(string kustomization) =>
        (IReadOnlyList<YamlMappingNode>)await Rendered.GetOrAdd("kustomize:" + kustomization, _ => new Lazy<Task<object>>(async () =>
        {
            var result = (await ExternalTool.RunAsync("kubectl", ["kustomize", Path.Combine(RepositoryPaths.Root, kustomization)], TimeSpan.FromMinutes(2)))
                .EnsureSuccess($"kubectl kustomize {kustomization}");
            return (IReadOnlyList<YamlMappingNode>)[.. Parse(result.Output).Select(d => d.RootNode).OfType<YamlMappingNode>()];
        })).Value;


    /// <summary>The YAML documents of a text.</summary>
    public static IReadOnlyList<YamlDocument> Parse(string yaml)
    {
        var stream = new YamlStream();
        using var reader = new StringReader(yaml);
        stream.Load(reader);
        return [.. stream.Documents];
    }

    /// <summary>The kustomizations the tests render.</summary>
    public static TheoryData<string> Overlays => ["k8s/overlays/dev", "k8s/overlays/production"];
}

/// <summary>Small readers over YamlDotNet's nodes.</summary>
public static class Yaml
{
    public static YamlNode? Child(this YamlNode? node, string key) =>
        node is YamlMappingNode mapping && mapping.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;

    public static string? Text(this YamlNode? node, string key) => (node?.Child(key) as YamlScalarNode)?.Value;

    public static YamlNode? At(this YamlNode? node, params string[] path)
    {
        foreach (var key in path)
        {
            node = node?.Child(key);
        }

        return node;
    }

    public static IEnumerable<YamlNode> Items(this YamlNode? node) => node is YamlSequenceNode sequence ? sequence.Children : [];

    public static IEnumerable<KeyValuePair<string, YamlNode>> Entries(this YamlNode? node) =>
        node is YamlMappingNode mapping
            ? mapping.Children.Select(c => new KeyValuePair<string, YamlNode>(((YamlScalarNode)c.Key).Value!, c.Value))
            : [];
}
