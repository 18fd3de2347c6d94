using Xunit;

namespace RadAI.Deployment.Tests;

/// <summary>The reading the other tests rely on: each host's real Program registers its options where they can be read.</summary>
public sealed class HostRegistrationTests
{
    [Theory]
    [MemberData(nameof(ServiceHosts.Names), MemberType = typeof(ServiceHosts))]
    public void Each_host_registers_validated_options_with_their_sections(string service)
    {
        var registrations = HostRegistrationReader.Read(ServiceHosts.Named(service));

        Assert.NotEmpty(registrations.Options);
        Assert.All(registrations.Options, o => Assert.False(string.IsNullOrWhiteSpace(o.Section)));
        // Every service but the gateway has a database and a bus; the gateway has its own section.
        var sections = registrations.Options.Select(o => o.Section).ToList();
        if (service == "gateway")
        {
            Assert.Contains("Gateway", sections);
        }
        else
        {
            Assert.Contains("Database", sections);
            Assert.Contains("Messaging", sections);
            Assert.Contains("Storage", sections);
        }
    }

    [Theory]
    [MemberData(nameof(ServiceHosts.Names), MemberType = typeof(ServiceHosts))]
    public void Every_options_class_of_a_host_is_bound_through_AddValidatedOptions(string service)
    {
        // Options configured another way would have no known section: neither documented nor checked.
        var registrations = HostRegistrationReader.Read(ServiceHosts.Named(service));

        Assert.Empty(registrations.UnvalidatedOptionTypes);
    }

    [Fact]
    public void A_setting_is_recognised_only_when_its_options_class_has_it()
    {
        var ingest = HostRegistrationReader.Read(ServiceHosts.Named("dicom-ingest"));
        var sender = HostRegistrationReader.Read(ServiceHosts.Named("pacs-sender"));

        Assert.Null(ServiceConfiguration.Problem(ingest, "DicomIngest:AeTitle"));
        Assert.Null(ServiceConfiguration.Problem(ingest, "dicomingest:port"));
        Assert.Null(ServiceConfiguration.Problem(ingest, "DicomIngest:Senders:3:AeTitle"));
        Assert.Null(ServiceConfiguration.Problem(ingest, "Messaging:RabbitMq:Host"));
        Assert.Null(ServiceConfiguration.Problem(ingest, "Storage:Encryption:Keys:k1"));
        Assert.Null(ServiceConfiguration.Problem(sender, "PacsSender:Destinations:0:Kinds:1"));
        Assert.NotNull(ServiceConfiguration.Problem(ingest, "DicomIngest:AeTitel"));
        Assert.NotNull(ServiceConfiguration.Problem(ingest, "DicomIngest:Senders:first:AeTitle"));
        Assert.NotNull(ServiceConfiguration.Problem(ingest, "DicomIngest:Senders"));
        Assert.NotNull(ServiceConfiguration.Problem(ingest, "PacsSender:CallingAeTitle"));
        Assert.NotNull(ServiceConfiguration.Problem(ingest, "ReverseProxy:Clusters:api:Destinations:primary:Address"));
        Assert.NotNull(ServiceConfiguration.Problem(sender, "PacsSender:Destinations:0:EffectiveKinds:0"));
    }

    [Fact]
    public void A_required_setting_without_default_is_reported_until_given()
    {
        var sender = HostRegistrationReader.Read(ServiceHosts.Named("pacs-sender"));

        Assert.Contains("Database:ConnectionString", ServiceConfiguration.MissingRequired(sender, new Dictionary<string, string>()));
        var settings = new Dictionary<string, string>
        {
            ["Database:ConnectionString"] = "Host=db",
            ["PacsSender:Destinations:0:AeTitle"] = "PACS",
        };
        Assert.Equal(["PacsSender:Destinations:0:Host"], ServiceConfiguration.MissingRequired(sender, settings));
    }
}
