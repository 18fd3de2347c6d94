using System.Globalization;
using System.Text;
using System.Text.Json;
using RadAI.Testing;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace RadAI.Deployment.Tests;

/// <summary>docker-compose.yml, resolved by docker-compose itself (<c>config</c>: no engine needed), against the code.</summary>
public sealed class ComposeTests
{
    private static readonly string[] ThirdPartyServices = ["rabbitmq", "postgres", "orthanc"];

    [ToolFact("docker-compose")]
    public async Task The_compose_file_is_valid_in_each_profile()
    {
        foreach (var profiles in new[] { Array.Empty<string>(), ["demo"], ["gpu"], ["demo", "gpu"] })
        {
            var result = await DeploymentTools.ComposeConfigAsync(DeploymentTools.RequiredComposeVariables, profiles);
            Assert.True(result.ExitCode == 0, $"docker-compose config (profiles: {string.Join(",", profiles)}) failed:\n{result.Error}");
        }
    }

    [ToolFact("docker-compose")]
    public async Task Without_a_password_or_the_installation_id_compose_refuses_to_start_naming_it()
    {
        // No default password: each secret value must come from the deployer's .env.
        foreach (var variable in DeploymentTools.RequiredComposeVariables.Keys)
        {
            var variables = DeploymentTools.RequiredComposeVariables.Where(v => v.Key != variable).ToDictionary();
            var result = await DeploymentTools.ComposeConfigAsync(variables, "demo");

            Assert.NotEqual(0, result.ExitCode);
            Assert.Contains($"set {variable} in .env", result.Error, StringComparison.Ordinal);
        }
    }

    [ToolFact("docker-compose")]
    public async Task Every_RadAI_service_and_the_gateway_is_built_from_its_Dockerfile_and_nothing_else_runs()
    {
        var services = (await DeploymentTools.ResolvedComposeAsync("demo", "gpu")).Child("services").Entries().ToList();

        var built = services.Where(s => s.Value.At("build", "dockerfile") is not null)
            .Select(s => (Service: s.Key, Host: ServiceHosts.BuiltBy(s.Value.At("build").Text("dockerfile")!)))
            .ToList();
        Assert.All(built, b => Assert.True(b.Host is not null, $"compose service {b.Service} builds an unknown Dockerfile"));
        Assert.All(ServiceHosts.All, h => Assert.Contains(built, b => b.Host == h));
        Assert.Equal(ThirdPartyServices.Order(), services.Select(s => s.Key).Except(built.Select(b => b.Service)).Order());
    }

    [ToolFact("docker-compose")]
    public async Task Every_setting_a_RadAI_service_is_given_exists_in_its_options_and_every_required_one_is_given()
    {
        var problems = new List<string>();
        foreach (var (service, host, environment) in await RadaiServicesAsync())
        {
            var registrations = HostRegistrationReader.Read(host);
            var settings = environment.ToDictionary(e => ServiceConfiguration.PathOf(e.Key), e => e.Value, StringComparer.OrdinalIgnoreCase);
            problems.AddRange(settings.Keys.Select(key => ServiceConfiguration.Problem(registrations, key)).OfType<string>().Select(p => $"{service}: {p}"));
            problems.AddRange(ServiceConfiguration.MissingRequired(registrations, settings).Select(m => $"{service}: required {m} is not set"));
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [ToolFact("docker-compose")]
    public async Task The_RadAI_containers_run_read_only_and_share_the_store_where_the_services_look_for_it()
    {
        var compose = await DeploymentTools.ResolvedComposeAsync("demo", "gpu");
        foreach (var (service, host, environment) in await RadaiServicesAsync())
        {
            var definition = compose.At("services", service)!;
            Assert.Equal("true", definition.Text("read_only"));
            Assert.Contains(definition.Child("tmpfs").Items(), t => ((YamlScalarNode)t).Value == "/tmp");
            Assert.Contains(definition.Child("cap_drop").Items(), t => ((YamlScalarNode)t).Value == "ALL");

            var registrations = HostRegistrationReader.Read(host);
            if (registrations.Options.Any(o => o.Section == "Storage"))
            {
                var root = environment["Storage__Root"];
                Assert.Contains((Source: "radai-store", Target: root), definition.Child("volumes").Items().Select(Volume));
            }
        }
    }

    [ToolFact("docker-compose")]
    public async Task Only_the_gateway_and_the_DICOM_port_are_published_beyond_the_loopback()
    {
        var services = (await DeploymentTools.ResolvedComposeAsync("demo", "gpu")).Child("services").Entries();
        var public_ = new List<string>();
        foreach (var (service, definition) in services)
        {
            foreach (var (hostIp, target) in definition.Child("ports").Items().Select(Port))
            {
                if (hostIp is null or "0.0.0.0")
                {
                    public_.Add($"{service}:{target}");
                }
            }
        }

        Assert.Equal(["dicom-ingest:11112", "gateway:8080"], public_.Order());
    }

    [ToolFact("docker-compose")]
    public async Task The_demo_PACS_runs_the_end_to_end_tests_configuration_and_is_wired_to_RadAI_both_ways()
    {
        var compose = await DeploymentTools.ResolvedComposeAsync("demo");
        var orthanc = compose.At("services", "orthanc")!;
        var volumes = orthanc.Child("volumes").Items().Select(Volume).ToList();

        // The same files as PrivateOrthanc (tests/RadAI.Testing), mounted unchanged.
        Assert.Contains((PrivateOrthanc.SharedConfigurationFile, "/etc/orthanc/orthanc.json"), volumes);
        var lua = Assert.Single(volumes, v => v.Source == PrivateOrthanc.AutoForwardScript).Target;
        // Its REST users come from a file of the deployer's (no password in the repository, none by default).
        Assert.Contains(volumes, v => v.Source.EndsWith("/secrets/orthanc-users.json", StringComparison.Ordinal) && v.Target.StartsWith("/etc/orthanc/", StringComparison.Ordinal));

        // What compose sets through ORTHANC__* is not in the shared file: never defined twice.
        var environment = orthanc.Child("environment").Entries().ToDictionary(e => OrthancKey(e.Key), e => ((YamlScalarNode)e.Value).Value!);
        using var shared = JsonDocument.Parse(await File.ReadAllTextAsync(PrivateOrthanc.SharedConfigurationFile));
        Assert.DoesNotContain(shared.RootElement.EnumerateObject(), p => environment.ContainsKey(p.Name));
        Assert.DoesNotContain("RegisteredUsers", shared.RootElement.EnumerateObject().Select(p => p.Name).Concat(environment.Keys));
        Assert.Equal("true", environment["AuthenticationEnabled"]);
        Assert.Equal(JsonSerializer.Serialize(new[] { lua }), JsonSerializer.Serialize(JsonSerializer.Deserialize<string[]>(environment["LuaScripts"])));

        // Orthanc → RadAI: the modality "radai" the script sends to is dicom-ingest's AE title and port.
        var ingest = compose.At("services", "dicom-ingest", "environment")!;
        var radai = JsonDocument.Parse(environment["DicomModalities"]).RootElement.GetProperty("radai");
        Assert.Equal(ingest.Text("DicomIngest__AeTitle"), radai[0].GetString());
        Assert.Equal("dicom-ingest", radai[1].GetString());
        Assert.Equal(int.Parse(ingest.Text("DicomIngest__Port")!, CultureInfo.InvariantCulture), radai[2].GetInt32());

        // RadAI → Orthanc: pacs-sender's destination is the demo PACS (its AE title also names the studies it sends).
        var sender = compose.At("services", "pacs-sender", "environment")!;
        Assert.Equal(environment["DicomAet"], sender.Text("PacsSender__Destinations__0__AeTitle"));
        Assert.Equal("orthanc", sender.Text("PacsSender__Destinations__0__Host"));
        Assert.Equal(environment["DicomPort"], sender.Text("PacsSender__Destinations__0__Port"));
    }

    [ToolFact("yamllint")]
    public async Task The_compose_file_and_the_kubernetes_manifests_pass_yamllint()
    {
        var result = await ExternalTool.RunAsync(
            "yamllint", ["-c", Path.Combine(RepositoryPaths.Root, ".yamllint.yml"), "--strict", "docker-compose.yml", "k8s"], workingDirectory: RepositoryPaths.Root);

        Assert.True(result.ExitCode == 0, $"yamllint:\n{result.Output}{result.Error}");
    }

    /// <summary>The compose services built from a RadAI Dockerfile: name, host, environment.</summary>
    private static async Task<List<(string Service, ServiceHost Host, Dictionary<string, string> Environment)>> RadaiServicesAsync()
    {
        var services = (await DeploymentTools.ResolvedComposeAsync("demo", "gpu")).Child("services").Entries();
        return
        [
            .. services.Where(s => s.Value.At("build", "dockerfile") is not null)
                .Select(s => (s.Key, ServiceHosts.BuiltBy(s.Value.At("build").Text("dockerfile")!)!,
                    s.Value.Child("environment").Entries().ToDictionary(e => e.Key, e => ((YamlScalarNode)e.Value).Value ?? "", StringComparer.Ordinal))),
        ];
    }

    // docker-compose 1.29 writes a port as {published, target} or, with a host address, as "IP:PUBLISHED:TARGET/tcp".
    private static (string? HostIp, string Target) Port(YamlNode port)
    {
        if (port is YamlScalarNode { Value: { } text })
        {
            var parts = text.Split('/')[0].Split(':');
            return (parts.Length == 3 ? parts[0] : null, parts[^1]);
        }

        return (port.Text("host_ip"), port.Text("target")!);
    }

    // ... and a volume as "SOURCE:TARGET:MODE" or {source, target}.
    private static (string Source, string Target) Volume(YamlNode volume)
    {
        if (volume is YamlScalarNode { Value: { } text })
        {
            var parts = text.Split(':');
            return (parts[0], parts[1]);
        }

        return (volume.Text("source")!, volume.Text("target")!);
    }

    // Orthanc's images: ORTHANC__DICOM_MODALITIES → DicomModalities (words between single underscores, capitalised).
    private static string OrthancKey(string variable)
    {
        var name = new StringBuilder();
        foreach (var word in variable["ORTHANC__".Length..].Split('_', StringSplitOptions.RemoveEmptyEntries))
        {
            name.Append(char.ToUpperInvariant(word[0])).Append(word[1..].ToLowerInvariant());
        }

        return name.ToString();
    }
}
