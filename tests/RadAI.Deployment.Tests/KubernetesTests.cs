using System.Reflection;
using Microsoft.Extensions.Options;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace RadAI.Deployment.Tests;

/// <summary>k8s/ rendered by <c>kubectl kustomize</c> for each overlay (no cluster needed), against the code.</summary>
public sealed class KubernetesTests
{
    [ToolFact("kubectl")]
    public async Task Each_overlay_renders_every_service_with_a_deployment_a_service_and_a_disruption_budget()
    {
        foreach (var overlay in DeploymentTools.Overlays)
        {
            var manifests = await DeploymentTools.KustomizeAsync(overlay);
            foreach (var host in ServiceHosts.All)
            {
                Assert.Contains(manifests, m => Is(m, "Deployment", host.Name));
                Assert.Contains(manifests, m => Is(m, "Service", host.Name));
                Assert.Contains(manifests, m => m.Text("kind") == "PodDisruptionBudget" && m.At("spec", "selector", "matchLabels").Text("app.kubernetes.io/name") == host.Name);
            }
        }
    }

    [ToolFact("kubectl")]
    public async Task Every_setting_a_deployment_gives_exists_in_its_options_and_every_required_one_is_given()
    {
        var problems = new List<string>();
        foreach (var overlay in DeploymentTools.Overlays)
        {
            var manifests = await DeploymentTools.KustomizeAsync(overlay);
            foreach (var host in ServiceHosts.All)
            {
                var registrations = HostRegistrationReader.Read(host);
                var settings = Environment(manifests, host).ToDictionary(e => ServiceConfiguration.PathOf(e.Key), e => e.Value, StringComparer.OrdinalIgnoreCase);
                problems.AddRange(settings.Keys.Select(k => ServiceConfiguration.Problem(registrations, k)).OfType<string>().Select(p => $"{overlay} {host.Name}: {p}"));
                problems.AddRange(ServiceConfiguration.MissingRequired(registrations, settings).Select(m => $"{overlay} {host.Name}: required {m} is not set"));
            }
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [ToolFact("kubectl")]
    public async Task Each_service_is_probed_on_health_live_and_health_ready_at_the_port_it_listens_on_and_runs_locked_down()
    {
        foreach (var overlay in DeploymentTools.Overlays)
        {
            var manifests = await DeploymentTools.KustomizeAsync(overlay);
            foreach (var host in ServiceHosts.All)
            {
                var pod = Deployment(manifests, host).At("spec", "template", "spec")!;
                var container = MainContainer(manifests, host);
                var http = container.Child("ports").Items().Single(p => p.Text("name") == "http");
                Assert.Equal(DockerfileTests.UrlsPort(host), http.Text("containerPort"));
                Assert.Equal("/health/live", container.At("livenessProbe", "httpGet").Text("path"));
                Assert.Equal("/health/ready", container.At("readinessProbe", "httpGet").Text("path"));
                Assert.Equal("http", container.At("readinessProbe", "httpGet").Text("port"));
                Assert.NotNull(container.At("resources", "requests").Text("cpu"));
                Assert.NotNull(container.At("resources", "requests").Text("memory"));
                Assert.Equal("true", pod.At("securityContext").Text("runAsNonRoot"));
                Assert.Equal("true", container.At("securityContext").Text("readOnlyRootFilesystem"));
                Assert.Equal("false", container.At("securityContext").Text("allowPrivilegeEscalation"));
            }
        }
    }

    [ToolFact("kubectl")]
    public async Task The_services_share_one_ReadWriteMany_store_mounted_where_they_look_for_it()
    {
        foreach (var overlay in DeploymentTools.Overlays)
        {
            var manifests = await DeploymentTools.KustomizeAsync(overlay);
            var claim = Assert.Single(manifests, m => m.Text("kind") == "PersistentVolumeClaim");
            Assert.Equal(["ReadWriteMany"], claim.At("spec", "accessModes").Items().Select(i => ((YamlScalarNode)i).Value));

            foreach (var host in ServiceHosts.All.Where(h => HostRegistrationReader.Read(h).Options.Any(o => o.Section == "Storage")))
            {
                var root = Environment(manifests, host)["Storage__Root"];
                var volume = Deployment(manifests, host).At("spec", "template", "spec", "volumes").Items()
                    .Single(v => v.At("persistentVolumeClaim").Text("claimName") == claim.At("metadata").Text("name"));
                Assert.Contains(MainContainer(manifests, host).Child("volumeMounts").Items(), m => m.Text("name") == volume.Text("name") && m.Text("mountPath") == root);
            }
        }
    }

    [ToolFact("kubectl")]
    public async Task Only_the_gateway_and_the_DICOM_port_are_open_to_other_namespaces_and_outside()
    {
        foreach (var overlay in DeploymentTools.Overlays)
        {
            var manifests = await DeploymentTools.KustomizeAsync(overlay);
            var policies = manifests.Where(m => m.Text("kind") == "NetworkPolicy").ToList();

            // Everything is denied unless a policy lets it in.
            Assert.Contains(policies, p => p.At("spec", "podSelector") is YamlMappingNode { Children.Count: 0 } && !p.At("spec").Child("ingress").Items().Any());

            var openFromAnywhere = policies.SelectMany(p => p.At("spec").Child("ingress").Items()
                    .Where(rule => rule.Child("from") is null)
                    .SelectMany(rule => rule.Child("ports").Items().Select(port => $"{p.At("spec", "podSelector", "matchLabels").Text("app.kubernetes.io/name")}:{port.Text("port")}")))
                .Order();
            Assert.Equal(["dicom-ingest:11112", "gateway:8080"], openFromAnywhere);

            // The DICOM port is published (LoadBalancer in production, NodePort in dev); the other services stay inside.
            var exposed = manifests.Where(m => m.Text("kind") == "Service" && m.At("spec").Text("type") is "LoadBalancer" or "NodePort")
                .SelectMany(m => m.At("spec").Child("ports").Items().Select(p => $"{m.At("metadata").Text("name")}:{p.Text("port")}"))
                .Order()
                .ToList();
            Assert.Contains("dicom-ingest-dicom:11112", exposed);
            Assert.All(exposed, e => Assert.True(e is "dicom-ingest-dicom:11112" or "gateway:8080", $"{overlay}: {e} is exposed outside the cluster"));
        }
    }

    [ToolFact("kubectl")]
    public async Task Production_runs_inference_on_a_GPU_node_scaled_by_KEDA_on_the_inference_queue_and_dev_keeps_the_HPA_fallback()
    {
        var inference = ServiceHosts.Named("inference");
        var production = await DeploymentTools.KustomizeAsync("k8s/overlays/production");
        var container = MainContainer(production, inference);
        var pod = Deployment(production, inference).At("spec", "template", "spec")!;

        Assert.Equal("1", container.At("resources", "limits").Text("nvidia.com/gpu"));
        Assert.Equal("true", pod.At("nodeSelector").Text("nvidia.com/gpu.present"));
        Assert.EndsWith("-cuda", container.Text("image"), StringComparison.Ordinal);
        Assert.Equal("true", Environment(production, inference)["Inference__UseCuda"]);

        var scaledObject = Assert.Single(production, m => m.Text("kind") == "ScaledObject");
        Assert.Equal("inference", scaledObject.At("spec", "scaleTargetRef").Text("name"));
        var trigger = Assert.Single(scaledObject.At("spec").Child("triggers").Items());
        Assert.Equal("rabbitmq", trigger.Text("type"));
        Assert.Equal(InferenceQueueName(), trigger.At("metadata").Text("queueName"));
        Assert.DoesNotContain(production, m => m.Text("kind") == "HorizontalPodAutoscaler");

        var dev = await DeploymentTools.KustomizeAsync("k8s/overlays/dev");
        Assert.Contains(dev, m => m.Text("kind") == "HorizontalPodAutoscaler" && m.At("spec", "scaleTargetRef").Text("name") == "inference");
        Assert.DoesNotContain(dev, m => m.Text("kind") == "ScaledObject");
        Assert.Null(MainContainer(dev, inference).At("resources", "limits").Text("nvidia.com/gpu"));
    }

    /// <summary>The queue inference consumes: its consumer definition's endpoint name under the kebab-case formatter the services use.</summary>
    private static string InferenceQueueName()
    {
        var inference = HostRegistrationReader.Read(ServiceHosts.Named("inference"));
        var definitionType = inference.GetType("RadAI.Inference", "RadAI.Inference.Pipeline.StudyReceivedConsumerDefinition");
        var optionsType = inference.GetType("RadAI.Inference", "RadAI.Inference.InferenceOptions");
        var options = typeof(Options).GetMethod(nameof(Options.Create))!.MakeGenericMethod(optionsType).Invoke(null, [Activator.CreateInstance(optionsType)]);
        var definition = Activator.CreateInstance(definitionType, options)!;
        var formatter = inference.GetType("MassTransit", "MassTransit.KebabCaseEndpointNameFormatter").GetProperty("Instance", BindingFlags.Public | BindingFlags.Static)!.GetValue(null);
        // IDefinition.GetEndpointName: the definition's own name if it sets one, else the formatter's.
        var getEndpointName = definitionType.GetInterfaces().Select(i => i.GetMethod("GetEndpointName")).First(m => m is not null)!;
        return (string)getEndpointName.Invoke(definition, [formatter])!;
    }

    private static bool Is(YamlMappingNode manifest, string kind, string name) =>
        manifest.Text("kind") == kind && manifest.At("metadata").Text("name") == name;

    private static YamlMappingNode Deployment(IReadOnlyList<YamlMappingNode> manifests, ServiceHost host) =>
        manifests.Single(m => Is(m, "Deployment", host.Name));

    private static YamlNode MainContainer(IReadOnlyList<YamlMappingNode> manifests, ServiceHost host) =>
        Deployment(manifests, host).At("spec", "template", "spec", "containers").Items().Single(c => c.Text("name") == host.Name);

    /// <summary>A service container's environment: its env entries (a secret reference counts as set) and its config maps' keys.</summary>
    private static Dictionary<string, string> Environment(IReadOnlyList<YamlMappingNode> manifests, ServiceHost host)
    {
        var container = MainContainer(manifests, host);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var source in container.Child("envFrom").Items())
        {
            var configMapName = source.At("configMapRef").Text("name");
            Assert.True(configMapName is not null, $"{host.Name}: envFrom other than a ConfigMap cannot be checked against the code");
            var configMap = manifests.Single(m => Is(m, "ConfigMap", configMapName));
            foreach (var (key, value) in configMap.Child("data").Entries())
            {
                environment[key] = ((YamlScalarNode)value).Value ?? "";
            }
        }

        foreach (var variable in container.Child("env").Items())
        {
            var name = variable.Text("name")!;
            environment[name] = variable.Text("value") ?? (variable.Child("valueFrom") is not null ? $"(from {name}'s secret)" : "");
        }

        return environment;
    }
}
