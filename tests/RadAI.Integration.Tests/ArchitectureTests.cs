using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using RadAI.Contracts;
using RadAI.Testing;
using Xunit;

namespace RadAI.Integration.Tests;

/// <summary>Rules of the architecture, checked on the source tree.</summary>
public sealed partial class ArchitectureTests
{
    public static TheoryData<string> ServiceProjects()
    {
        var data = new TheoryData<string>();
        foreach (var project in Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, "services"), "*.csproj", SearchOption.AllDirectories).Order())
        {
            data.Add(Path.GetRelativePath(RepositoryPaths.Root, project));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ServiceProjects))]
    public void No_service_project_references_another_services_project(string project)
    {
        var path = Path.Combine(RepositoryPaths.Root, project);
        var servicesRoot = Path.Combine(RepositoryPaths.Root, "services") + Path.DirectorySeparatorChar;
        var ownService = Path.GetRelativePath(servicesRoot, path).Split(Path.DirectorySeparatorChar)[0];

        foreach (var reference in XDocument.Load(path).Descendants("ProjectReference").Select(r => r.Attribute("Include")!.Value))
        {
            var target = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, reference.Replace('\\', '/')));
            if (target.StartsWith(servicesRoot, StringComparison.Ordinal))
            {
                Assert.Equal(ownService, Path.GetRelativePath(servicesRoot, target).Split(Path.DirectorySeparatorChar)[0]);
            }
        }
    }

    [Fact]
    public void Every_service_exists_as_a_library_and_a_host()
    {
        foreach (var service in new[] { "dicom-ingest", "inference", "report-builder", "pacs-sender", "api" })
        {
            var projects = Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, "services", service), "*.csproj", SearchOption.AllDirectories).ToList();
            Assert.Contains(projects, p => p.EndsWith(".Host.csproj", StringComparison.Ordinal));
            Assert.Contains(projects, p => !p.EndsWith(".Host.csproj", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Events_are_past_tense_records_in_the_contracts_namespace_without_patient_identity()
    {
        var events = typeof(IJobEvent).Assembly.GetTypes().Where(t => t.IsClass && typeof(IJobEvent).IsAssignableFrom(t)).ToList();
        Assert.Equal(
            ["AnalysisDone", "AnalysisFailed", "DeliveryFailed", "ReportDelivered", "ReportFailed", "ReportReady", "StudyReceived", "StudySkipped"],
            events.Select(e => e.Name).Order());

        foreach (var type in typeof(IJobEvent).Assembly.GetTypes().Where(t => t.IsPublic))
        {
            // Events in RadAI.Contracts; the findings document they reference by claim check in RadAI.Contracts.Findings;
            // the configuration requests and answers between the api and the services that own the configuration in
            // RadAI.Contracts.Destinations (pacs-sender), RadAI.Contracts.Senders (dicom-ingest), RadAI.Contracts.Models (inference).
            Assert.Contains(type.Namespace, new[] { "RadAI.Contracts", "RadAI.Contracts.Findings", "RadAI.Contracts.Destinations", "RadAI.Contracts.Senders", "RadAI.Contracts.Models" });
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                Assert.False(PatientIdentity().IsMatch(property.Name), $"{type.Name}.{property.Name} looks like patient identity.");
            }
        }
    }

    [GeneratedRegex("Patient|BirthDate|Birth|PersonName|Accession|OtherPatient", RegexOptions.IgnoreCase)]
    private static partial Regex PatientIdentity();
}
