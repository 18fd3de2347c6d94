using System.Text.Json.Nodes;
using RadAI.Api.Jobs;
using Xunit;

namespace RadAI.Api.Tests;

/// <summary>What of a stored event payload the api shows (<see cref="JobPayloads.WithoutFreeText"/>) and keeps after a purge (<see cref="JobPayloads.Purged"/>).</summary>
public sealed class JobPayloadsTests
{
    private const string Study = "2.25.1111";
    private const string Series = "2.25.2222";

    // A StudyReceived as the api stores it (camel case), trimmed to what matters here.
    private const string Received = $$"""
        {"jobId":"9f1c","studyInstanceUid":"{{Study}}","sendingAeTitle":"PACS","series":[
          {"seriesInstanceUid":"{{Series}}","modality":"CT","sopClassUid":"1.2.840.10008.5.1.4.1.1.2","instanceCount":48,
           "location":{"store":"instances","key":"{{Study}}/9f1c/{{Series}}"},"seriesDescription":"THORAX DUPONT"}],
         "frameOfReferenceUid":"2.25.3333","reason":"series {{Series}} has 2 slices"}
        """;

    [Fact]
    public void Shown_payloads_lose_the_series_description_only()
    {
        var shown = JsonNode.Parse(JobPayloads.WithoutFreeText(Received))!;

        Assert.Null(shown["series"]![0]!["seriesDescription"]);
        Assert.Equal(Series, (string?)shown["series"]![0]!["seriesInstanceUid"]);
        Assert.Equal(Study, (string?)shown["studyInstanceUid"]);
    }

    [Fact]
    public void A_purged_payload_keeps_what_happened_and_no_instance_uid_or_string_holding_one()
    {
        var purged = JobPayloads.Purged(Received);
        var node = JsonNode.Parse(purged)!;

        Assert.DoesNotContain(Study, purged, StringComparison.Ordinal);
        Assert.DoesNotContain(Series, purged, StringComparison.Ordinal);
        Assert.DoesNotContain("2.25.3333", purged, StringComparison.Ordinal);
        Assert.DoesNotContain("DUPONT", purged, StringComparison.Ordinal);
        Assert.Equal("", (string?)node["studyInstanceUid"]);
        Assert.Equal("", (string?)node["series"]![0]!["location"]!["key"]);
        Assert.Equal("", (string?)node["reason"]);
        // What happened stays: the SOP class (a registry UID, not an instance), counts, modality, sender.
        Assert.Equal("1.2.840.10008.5.1.4.1.1.2", (string?)node["series"]![0]!["sopClassUid"]);
        Assert.Equal(48, (int?)node["series"]![0]!["instanceCount"]);
        Assert.Equal("CT", (string?)node["series"]![0]!["modality"]);
        Assert.Equal("PACS", (string?)node["sendingAeTitle"]);
        Assert.Equal("instances", (string?)node["series"]![0]!["location"]!["store"]);
    }

    [Fact]
    public void Lists_of_uids_are_emptied_and_what_is_not_json_becomes_an_empty_object()
    {
        var node = JsonNode.Parse(JobPayloads.Purged($$"""{"studyInstanceUids":["{{Study}}","2.25.4"],"objects":[{"sopInstanceUid":"2.25.5","note":"2.25.5 sent"}]}"""))!;

        Assert.Empty(node["studyInstanceUids"]!.AsArray());
        Assert.Equal("", (string?)node["objects"]![0]!["sopInstanceUid"]);
        Assert.Equal("", (string?)node["objects"]![0]!["note"]);
        Assert.Equal("{}", JobPayloads.Purged("not json"));
        Assert.Equal("{}", JobPayloads.WithoutFreeText("not json"));
    }
}
