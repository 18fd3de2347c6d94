using System.Text;
using RadAI.Testing;

namespace RadAI.Deployment.Tests;

/// <summary>
/// Writes docs/configuration.md from the options classes each host registers (their XML documentation, defaults,
/// [Required] and [Range] attributes) and from the hosts' appsettings.json, so that the reference cannot drift from
/// the code: <see cref="ConfigurationReferenceTests"/> fails when the checked-in file differs.
/// </summary>
public static class ConfigurationReference
{
    public const string RelativePath = "docs/configuration.md";

    /// <summary>Set to 1 to rewrite the reference instead of failing when it differs.</summary>
    public const string UpdateVariable = "RADAI_UPDATE_DOCS";

    public static string Generate(IReadOnlyList<HostRegistrations> hosts)
    {
        var text = new StringBuilder();
        text.Append("""
            # Configuration reference

            <!-- Generated from the code by tests/RadAI.Deployment.Tests (ConfigurationReference.cs): do not edit by hand.
                 After changing an options class: RADAI_UPDATE_DOCS=1 dotnet test tests/RadAI.Deployment.Tests --filter ConfigurationReference -->

            Every option of every RadAI service, read from the options classes the services register (`AddValidatedOptions`):
            their sections, keys, types, defaults and documentation. A service reads, in this order (the last wins):
            its `appsettings.json`, environment variables (`Section__Key`, e.g. `Messaging__RabbitMq__Host`; a list item
            `PacsSender__Destinations__0__AeTitle`) and command-line arguments (`--Section:Key=value`). Options are validated
            at start: a bad value stops the service with a message naming the key. Keys are case-insensitive.

            In the key column, `n` is a list index (0, 1, ...) and `<name>` a name of your choosing. *required*: the service
            does not start without it. The deployment files (`docker-compose.yml`, `k8s/`) are checked against this code by the
            same tests: every setting they name exists, and every required one is set ([deployment](deployment.md)).

            ## Services and sections

            | service | sections |
            |---|---|

            """);
        foreach (var host in hosts)
        {
            text.Append(CultureInvariant($"| {host.Host.Name} | {string.Join(", ", host.Options.Select(o => $"[`{o.Section}`](#{Anchor(o.Section)})"))} |\n"));
        }

        text.Append("""

            ## Host settings

            Read by ASP.NET Core, the .NET runtime or OpenTelemetry rather than by an options class.

            | key | meaning |
            |---|---|
            | `Urls` | HTTP endpoints of the service (health, API); each host's default is in the next table |
            | `Logging:LogLevel:<category>` | log level per category (`Default`, `Microsoft.AspNetCore`, `MassTransit`...); logs are JSON on the console unless `Logging:Console:FormatterName` is set |
            | `OTEL_EXPORTER_OTLP_ENDPOINT` | send traces, metrics and logs by OTLP to this collector; unset: no export. The other `OTEL_*` variables of the OpenTelemetry SDK apply |
            | `ReverseProxy:*` (gateway) | the YARP route table, `gateway/RadAI.Gateway/gateway.routes.json`; a deployment sets `ReverseProxy:Clusters:api:Destinations:primary:Address`, the api's address |

            ## Values in each host's appsettings.json

            What each service's image ships with (its `appsettings.json`), over the defaults of the tables below.

            | service | key | value |
            |---|---|---|

            """);
        foreach (var host in hosts)
        {
            foreach (var (key, value) in ServiceConfiguration.AppSettings(host.Host).Where(s => !s.Key.StartsWith("Logging:", StringComparison.OrdinalIgnoreCase)))
            {
                text.Append(CultureInvariant($"| {host.Host.Name} | `{key}` | `{value}` |\n"));
            }
        }

        var docs = new XmlDocs(hosts.SelectMany(h => Directory.EnumerateFiles(h.OutputFolder, "RadAI.*.xml")).GroupBy(Path.GetFileName).Select(g => g.First()));
        var sections = hosts.SelectMany(h => h.Options.Select(o => (o.Section, o.Type, Service: h.Host.Name)))
            .GroupBy(o => o.Section, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal);
        foreach (var section in sections)
        {
            var type = section.First().Type;
            text.Append(CultureInvariant($"\n## `{section.Key}`\n\n"));
            text.Append(CultureInvariant($"Read by: {string.Join(", ", section.Select(s => s.Service).Distinct())}. Class: `{type.FullName}`.\n\n"));
            text.Append("| key | type | default | description |\n|---|---|---|---|\n");
            foreach (var key in OptionsSchema.Keys(section.Key, type))
            {
                var description = docs.Summary(key.Property);
                if (key.Required)
                {
                    description = description.Length == 0 ? "*required*" : $"*required*. {description}";
                }

                text.Append(CultureInvariant($"| `{key.Path}` | {OptionsSchema.FormatType(key)} | {OptionsSchema.FormatDefault(key)} | {description} |\n"));
            }
        }

        return text.ToString();
    }

    /// <summary>The file in the checkout.</summary>
    public static string CheckedInPath => Path.Combine(RepositoryPaths.Root, RelativePath);

    // GitHub's heading anchors: lower case, punctuation dropped.
    private static string Anchor(string section) =>
        new([.. section.ToLowerInvariant().Where(c => char.IsLetterOrDigit(c) || c == '-')]);

    private static string CultureInvariant(FormattableString text) => FormattableString.Invariant(text);
}
