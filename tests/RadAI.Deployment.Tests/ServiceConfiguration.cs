using System.Collections;
using System.Globalization;
using System.Text.Json;
using RadAI.Testing;

namespace RadAI.Deployment.Tests;

/// <summary>Which configuration keys a service reads, from its registered options classes and its host's own settings.</summary>
public static class ServiceConfiguration
{
    /// <summary>
    /// Environment variable prefixes read by the runtime, ASP.NET Core and OpenTelemetry themselves, not by an options
    /// class (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c> also turns on RadAI's OTLP export, see AddServiceDefaults).
    /// </summary>
    public static IReadOnlyList<string> PlatformPrefixes { get; } = ["ASPNETCORE_", "DOTNET_", "OTEL_"];

    /// <summary>The configuration path of an environment variable (<c>Section__Key</c> → <c>Section:Key</c>).</summary>
    public static string PathOf(string environmentVariable) => environmentVariable.Replace("__", ":", StringComparison.Ordinal);

    /// <summary>Why <paramref name="path"/> is not a setting <paramref name="registrations"/>' service reads; null when it is.</summary>
    public static string? Problem(HostRegistrations registrations, string path)
    {
        if (PlatformPrefixes.Any(p => path.StartsWith(p, StringComparison.Ordinal)))
        {
            return null;
        }

        if (string.Equals(path, "Urls", StringComparison.OrdinalIgnoreCase) || path.StartsWith("Logging:", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        if (path.StartsWith("ReverseProxy:", StringComparison.OrdinalIgnoreCase))
        {
            return registrations.Host.Name == "gateway" ? ReverseProxyProblem(path) : $"{path}: only the gateway has a reverse proxy";
        }

        var matching = registrations.Options
            .Where(o => path.StartsWith(o.Section + ":", StringComparison.OrdinalIgnoreCase))
            .ToList();
        if (matching.Count == 0)
        {
            return $"{path}: {registrations.Host.Name} registers no options section for it (sections: {string.Join(", ", registrations.Options.Select(o => o.Section))})";
        }

        return matching.Any(o => OptionsSchema.Resolves(o.Type, path[(o.Section.Length + 1)..].Split(':')))
            ? null
            : $"{path}: no such setting in {string.Join(" or ", matching.Select(o => o.Type.FullName))}";
    }

    // The gateway's route table lives in gateway.routes.json; a deployment only points a cluster's destination elsewhere.
    private static string? ReverseProxyProblem(string path)
    {
        var segments = path.Split(':');
        if (segments.Length != 6 || !segments[1].Equals("Clusters", StringComparison.OrdinalIgnoreCase)
            || !segments[3].Equals("Destinations", StringComparison.OrdinalIgnoreCase) || !segments[5].Equals("Address", StringComparison.OrdinalIgnoreCase))
        {
            return $"{path}: a deployment sets ReverseProxy:Clusters:<cluster>:Destinations:<name>:Address only";
        }

        using var routes = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "gateway", "RadAI.Gateway", "gateway.routes.json")));
        var clusters = routes.RootElement.GetProperty("ReverseProxy").GetProperty("Clusters");
        return clusters.EnumerateObject().Any(c => c.Name.Equals(segments[2], StringComparison.OrdinalIgnoreCase))
            ? null
            : $"{path}: gateway.routes.json has no cluster '{segments[2]}'";
    }

    /// <summary>
    /// The settings a deployment must give <paramref name="registrations"/>' service: [Required] keys without a usable
    /// default (top level), and the same keys of each list item or dictionary entry the deployment names.
    /// </summary>
    public static IReadOnlyList<string> MissingRequired(HostRegistrations registrations, IReadOnlyDictionary<string, string> settings)
    {
        var present = settings.Where(s => !string.IsNullOrWhiteSpace(s.Value)).Select(s => s.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var missing = new List<string>();
        foreach (var options in registrations.Options)
        {
            foreach (var key in OptionsSchema.Keys(options.Section, options.Type).Where(k => k.Required && IsEmpty(k.Default)))
            {
                foreach (var concrete in Instances(key.Path, present))
                {
                    if (!present.Contains(concrete))
                    {
                        missing.Add(concrete);
                    }
                }
            }
        }

        return missing;
    }

    // "A:B:n:C" → "A:B:0:C", "A:B:1:C"... for each index the settings use ("A:B:C" as is).
    private static IEnumerable<string> Instances(string pattern, HashSet<string> present)
    {
        var wildcard = pattern.IndexOf(":n:", StringComparison.Ordinal) is var n and >= 0 ? n
            : pattern.IndexOf(":<name>:", StringComparison.Ordinal);
        if (wildcard < 0)
        {
            yield return pattern;
            yield break;
        }

        var prefix = pattern[..wildcard] + ":";
        var placeholderEnd = pattern.IndexOf(':', wildcard + 1);
        var rest = pattern[placeholderEnd..];
        var names = present.Where(p => p.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(p => p[prefix.Length..].Split(':')[0])
            .Distinct(StringComparer.OrdinalIgnoreCase);
        foreach (var name in names)
        {
            foreach (var instance in Instances(prefix + name + rest, present))
            {
                yield return instance;
            }
        }
    }

    private static bool IsEmpty(object? value) => value switch
    {
        null => true,
        string text => text.Length == 0,
        ICollection collection => collection.Count == 0,
        _ => false,
    };

    /// <summary>A host's appsettings.json (as published into its image), flattened to configuration paths.</summary>
    public static IReadOnlyDictionary<string, string> AppSettings(ServiceHost host)
    {
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var file = Path.Combine(RepositoryPaths.Root, host.ProjectFolder, "appsettings.json");
        if (File.Exists(file))
        {
            using var document = JsonDocument.Parse(File.ReadAllText(file), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
            Flatten(document.RootElement, "", settings);
        }

        return settings;
    }

    private static void Flatten(JsonElement element, string prefix, Dictionary<string, string> settings)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Flatten(property.Value, prefix.Length == 0 ? property.Name : $"{prefix}:{property.Name}", settings);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Flatten(item, $"{prefix}:{index.ToString(CultureInfo.InvariantCulture)}", settings);
                    index++;
                }

                break;
            default:
                settings[prefix] = element.ValueKind == JsonValueKind.String ? element.GetString()! : element.GetRawText();
                break;
        }
    }
}
