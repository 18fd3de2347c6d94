using Microsoft.Extensions.Configuration;
using RadAI.Hosting.Options;
using RadAI.PacsSender.Delivery;
using Xunit;

namespace RadAI.PacsSender.Tests;

public sealed class OptionsAndBackoffTests
{
    [Fact]
    public void Backoff_doubles_from_the_initial_wait_up_to_the_maximum()
    {
        var waits = Enumerable.Range(1, 8).Select(n => Backoff.After(n, TimeSpan.FromMinutes(1), TimeSpan.FromHours(1)).TotalMinutes);
        Assert.Equal([1, 2, 4, 8, 16, 32, 60, 60], waits);
        Assert.Equal(TimeSpan.FromHours(1), Backoff.After(1000, TimeSpan.FromMinutes(1), TimeSpan.FromHours(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Backoff.After(0, TimeSpan.FromMinutes(1), TimeSpan.FromHours(1)));
    }

    [Theory]
    [InlineData("PACS@pacs.hospital.local:104", "PACS", "pacs.hospital.local", 104)]
    [InlineData("ORTHANC@127.0.0.1:4242", "ORTHANC", "127.0.0.1", 4242)]
    [InlineData("A@[::1]:11112", "A", "[::1]", 11112)]
    public void Destination_parses_AET_at_host_colon_port(string value, string ae, string host, int port)
    {
        var destination = DestinationOptions.Parse(value);
        Assert.Equal((ae, host, port), (destination.AeTitle, destination.Host, destination.Port));
        Assert.Equal(PacsSenderOptions.KnownKinds, destination.EffectiveKinds);
    }

    [Theory]
    [InlineData("PACS")]
    [InlineData("@host:104")]
    [InlineData("PACS@host")]
    [InlineData("PACS@:104")]
    [InlineData("PACS@host:port")]
    public void Destination_refuses_anything_else(string value) =>
        Assert.Throws<FormatException>(() => DestinationOptions.Parse(value));

    [Fact]
    public void Options_validation_names_the_key_of_each_problem()
    {
        var options = new PacsSenderOptions
        {
            InitialBackoff = TimeSpan.FromMinutes(10),
            MaxBackoff = TimeSpan.FromMinutes(1),
            Destinations =
            [
                new DestinationOptions { AeTitle = "PACS", Host = "h", Port = 104, Kinds = ["SR", "XRAY"] },
                new DestinationOptions { AeTitle = "PACS", Host = "h", Port = 0 },
            ],
        };

        var result = new DataAnnotationsPathValidator<PacsSenderOptions>(PacsSenderOptions.SectionName).Validate(null, options);

        Assert.True(result.Failed);
        var failures = string.Join('\n', result.Failures!);
        Assert.Contains("PacsSender:MaxBackoff:", failures, StringComparison.Ordinal);
        Assert.Contains("PacsSender:Destinations: Destination PACS is listed more than once.", failures, StringComparison.Ordinal);
        Assert.Contains("PacsSender:Destinations:0:Kinds: Unknown kind 'XRAY'", failures, StringComparison.Ordinal);
        Assert.Contains("PacsSender:Destinations:1:Port:", failures, StringComparison.Ordinal);
    }
}

public sealed class PacsSwitchTests
{
    [Fact]
    public void Each_pacs_switch_becomes_a_destination_and_a_known_sender_beside_the_configured_ones()
    {
        var args = PacsSwitch.Expand(["--data", "d", "--pacs", "PACS@10.0.0.5:104", "--pacs=ARCHIVE@archive:11112", "--http-port", "0"]);

        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                // As appsettings.json would list one.
                ["PacsSender:Destinations:0:AeTitle"] = "FROM-FILE",
                ["PacsSender:Destinations:0:Host"] = "file-host",
            })
            .AddCommandLine(args)
            .Build();
        var options = new PacsSenderOptions();
        configuration.GetSection(PacsSenderOptions.SectionName).Bind(options);

        Assert.Equal(
            [("FROM-FILE", "file-host", 104), ("PACS", "10.0.0.5", 104), ("ARCHIVE", "archive", 11112)],
            options.Destinations.Select(d => (d.AeTitle, d.Host, d.Port)).OrderBy(d => d.AeTitle == "FROM-FILE" ? 0 : d.AeTitle == "PACS" ? 1 : 2));
        Assert.Equal(["ARCHIVE", "PACS"], configuration.GetSection("DicomIngest:Senders").GetChildren().Select(s => s["AeTitle"]).Order());
        Assert.Equal(["--data", "d", "--http-port", "0"], args.Where(a => !a.StartsWith("--PacsSender:", StringComparison.Ordinal) && !a.StartsWith("--DicomIngest:", StringComparison.Ordinal)));
        Assert.Throws<FormatException>(() => PacsSwitch.Expand(["--pacs"]));
        Assert.Throws<FormatException>(() => PacsSwitch.Expand(["--pacs", "nonsense"]));
    }
}
