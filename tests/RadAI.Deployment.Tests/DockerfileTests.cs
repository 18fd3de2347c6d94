using System.Text.RegularExpressions;
using System.Xml.Linq;
using RadAI.Testing;
using Xunit;

namespace RadAI.Deployment.Tests;

/// <summary>
/// The Dockerfiles, checked without a Docker engine: what they copy exists and is all the host project needs, they
/// build the right project, run its assembly as a non-root user, and probe the port the host listens on.
/// </summary>
public sealed partial class DockerfileTests
{
    public static TheoryData<string> Dockerfiles => [.. ServiceHosts.All.SelectMany(h => h.Dockerfiles)];

    [Fact]
    public void Every_Dockerfile_in_deploy_docker_builds_a_known_service()
    {
        var files = Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, "deploy", "docker"), "*.Dockerfile")
            .Select(f => Path.GetRelativePath(RepositoryPaths.Root, f).Replace('\\', '/'))
            .ToList();

        Assert.All(files, f => Assert.NotNull(ServiceHosts.BuiltBy(f)));
        Assert.All(ServiceHosts.All.SelectMany(h => h.Dockerfiles), f => Assert.True(File.Exists(Path.Combine(RepositoryPaths.Root, f)), $"{f} is missing"));
    }

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void What_a_Dockerfile_copies_from_the_context_exists_and_is_not_ignored(string dockerfile)
    {
        var ignored = DockerIgnorePatterns();
        foreach (var source in Instructions(dockerfile).Where(i => i.Keyword == "COPY" && !i.Arguments.StartsWith("--from", StringComparison.Ordinal))
                     .SelectMany(i => CopySources(i.Arguments)))
        {
            Assert.True(Path.Exists(Path.Combine(RepositoryPaths.Root, source)), $"{dockerfile}: COPY {source}: no such file or folder in the repository");
            Assert.DoesNotContain(ignored, pattern => source.TrimEnd('/') == pattern || source.StartsWith(pattern + "/", StringComparison.Ordinal));
        }
    }

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void A_Dockerfile_restores_and_publishes_its_host_project_and_runs_its_assembly(string dockerfile)
    {
        var host = ServiceHosts.BuiltBy(dockerfile)!;
        var instructions = Instructions(dockerfile);
        var runs = instructions.Where(i => i.Keyword == "RUN").Select(i => i.Arguments).ToList();

        Assert.True(File.Exists(Path.Combine(RepositoryPaths.Root, host.ProjectFile)), $"{host.ProjectFile} does not exist");
        Assert.Contains(runs, r => r.Contains($"dotnet restore {host.ProjectFile}", StringComparison.Ordinal));
        Assert.Contains(runs, r => r.Contains($"dotnet publish {host.ProjectFile}", StringComparison.Ordinal));
        Assert.Equal($"[\"dotnet\", \"{host.AssemblyName}.dll\"]", instructions.Last(i => i.Keyword == "ENTRYPOINT").Arguments);
    }

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void A_Dockerfile_copies_every_project_its_host_references_and_the_files_they_include(string dockerfile)
    {
        var host = ServiceHosts.BuiltBy(dockerfile)!;
        var copied = Instructions(dockerfile).Where(i => i.Keyword == "COPY" && !i.Arguments.StartsWith("--from", StringComparison.Ordinal))
            .SelectMany(i => CopySources(i.Arguments)).Select(s => s.TrimEnd('/')).ToList();

        foreach (var needed in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props", ".editorconfig" }
                     .Concat(ProjectClosure(host.ProjectFile).SelectMany(NeededPaths)))
        {
            Assert.True(
                copied.Any(c => needed == c || needed.StartsWith(c + "/", StringComparison.Ordinal)),
                $"{dockerfile} does not copy {needed}, which {host.ProjectFile} needs to build");
        }
    }

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void A_Dockerfile_runs_as_a_non_root_user_and_probes_the_port_its_host_listens_on(string dockerfile)
    {
        var host = ServiceHosts.BuiltBy(dockerfile)!;
        var instructions = Instructions(dockerfile);
        var finalStage = instructions.Skip(instructions.FindLastIndex(i => i.Keyword == "FROM")).ToList();
        var port = UrlsPort(host);

        var user = finalStage.Last(i => i.Keyword == "USER").Arguments;
        Assert.DoesNotMatch("^(0|root)(:|$)", user);
        Assert.Contains(port, finalStage.Where(i => i.Keyword == "EXPOSE").SelectMany(i => i.Arguments.Split(' ')));
        var healthCheck = finalStage.Single(i => i.Keyword == "HEALTHCHECK").Arguments;
        Assert.Contains($"/dev/tcp/127.0.0.1/{port}", healthCheck, StringComparison.Ordinal);
        Assert.Contains("GET /health/live ", healthCheck, StringComparison.Ordinal);
    }

    [Fact]
    public void The_inference_images_are_a_CUDA_13_one_and_a_CPU_one_without_the_CUDA_provider()
    {
        var cuda = Instructions("deploy/docker/inference-cuda.Dockerfile");
        var cpu = Instructions("deploy/docker/inference.Dockerfile");

        Assert.Contains(cuda, i => i.Keyword == "ARG" && CudaImage().IsMatch(i.Arguments));
        Assert.Contains(cuda, i => i.Keyword == "ENV" && i.Arguments.Contains("Inference__UseCuda=true", StringComparison.Ordinal));
        Assert.Contains(cpu, i => i.Keyword == "RUN" && i.Arguments.Contains("libonnxruntime_providers_cuda.so' -delete", StringComparison.Ordinal));
        Assert.Contains(cpu, i => i.Keyword == "ENV" && i.Arguments.Contains("Inference__UseCuda=false", StringComparison.Ordinal));
        // The service's ONNX Runtime package is the GPU one (never the CPU package beside it): the CPU image relies on its CPU fallback.
        var inference = XDocument.Load(Path.Combine(RepositoryPaths.Root, "services/inference/RadAI.Inference/RadAI.Inference.csproj"));
        Assert.Contains(inference.Descendants("PackageReference"), p => p.Attribute("Include")?.Value.StartsWith("Microsoft.ML.OnnxRuntime.Gpu", StringComparison.Ordinal) == true);
    }

    /// <summary>The port of the host's <c>Urls</c> in its appsettings.json (what the image listens on).</summary>
    public static string UrlsPort(ServiceHost host)
    {
        var urls = ServiceConfiguration.AppSettings(host)["Urls"];
        return UrlPort().Match(urls) is { Success: true } match ? match.Groups["port"].Value : throw new InvalidOperationException($"{host.Name}: no port in Urls '{urls}'");
    }

    public sealed record Instruction(string Keyword, string Arguments);

    /// <summary>A Dockerfile's instructions, continuation lines joined, comments and blank lines left out.</summary>
    public static List<Instruction> Instructions(string dockerfile)
    {
        var instructions = new List<Instruction>();
        var current = "";
        foreach (var raw in File.ReadAllLines(Path.Combine(RepositoryPaths.Root, dockerfile)))
        {
            var line = raw.Trim();
            if (line.StartsWith('#') || line.Length == 0)
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                current += line[..^1].TrimEnd() + " ";
                continue;
            }

            current += line;
            var space = current.IndexOf(' ', StringComparison.Ordinal);
            instructions.Add(new Instruction(current[..space].ToUpperInvariant(), current[(space + 1)..].Trim()));
            current = "";
        }

        return instructions;
    }

    // "COPY a b/ dest/" → a, b/
    private static IEnumerable<string> CopySources(string arguments)
    {
        var parts = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(p => !p.StartsWith("--", StringComparison.Ordinal)).ToList();
        return parts.Take(parts.Count - 1);
    }

    private static List<string> DockerIgnorePatterns()
    {
        var file = Path.Combine(RepositoryPaths.Root, ".dockerignore");
        return File.Exists(file)
            ? [.. File.ReadAllLines(file).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#') && !l.StartsWith('!')).Select(l => l.TrimEnd('/').Replace("**/", "", StringComparison.Ordinal))]
            : [];
    }

    /// <summary>A project and every project it references, transitively (paths relative to the repository root).</summary>
    public static IReadOnlyList<string> ProjectClosure(string project)
    {
        var seen = new List<string>();
        var pending = new Stack<string>([project]);
        while (pending.TryPop(out var next))
        {
            if (seen.Contains(next))
            {
                continue;
            }

            seen.Add(next);
            var folder = Path.GetDirectoryName(next)!;
            foreach (var reference in XDocument.Load(Path.Combine(RepositoryPaths.Root, next)).Descendants("ProjectReference"))
            {
                pending.Push(Normalize(Path.Combine(folder, reference.Attribute("Include")!.Value)));
            }
        }

        return seen;
    }

    // The project's folder, and the top folder of each file it includes from outside it (e.g. ../../../models/**).
    private static IEnumerable<string> NeededPaths(string project)
    {
        var folder = Path.GetDirectoryName(project)!;
        yield return folder;
        foreach (var include in XDocument.Load(Path.Combine(RepositoryPaths.Root, project)).Descendants()
                     .Where(e => e.Name.LocalName is "None" or "Content" or "EmbeddedResource" or "Compile")
                     .SelectMany(e => (e.Attribute("Include")?.Value ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries)))
        {
            if (include.StartsWith("..", StringComparison.Ordinal))
            {
                var resolved = Normalize(Path.Combine(folder, include));
                yield return resolved.Split('/')[0];
            }
        }
    }

    private static string Normalize(string path) =>
        Path.GetRelativePath(RepositoryPaths.Root, Path.GetFullPath(Path.Combine(RepositoryPaths.Root, path))).Replace('\\', '/');

    [GeneratedRegex(@":(?<port>\d+)")]
    private static partial Regex UrlPort();

    [GeneratedRegex(@"^CUDA_IMAGE=nvidia/cuda:13\.[0-9.]+-cudnn-runtime-")]
    private static partial Regex CudaImage();
}
