using System.Net;
using System.Text.Json;
using RadAI.Api.Security;
using Xunit;

namespace RadAI.Api.Tests.Authorization;

/// <summary>
/// Step 8's authorization rules on the real PostgreSQL: every mapped endpoint has a row in <see cref="EndpointTable"/>,
/// and every caller (anonymous, refused credentials, a user and an API key of each role) gets exactly the designed
/// status from each; a viewer never receives the patient's identity, and neither the log nor the audit log holds it.
/// </summary>
public sealed class AccessMatrixTests(ApiNode node) : IClassFixture<ApiNode>
{
    public static TheoryData<string, Caller, int> Rows()
    {
        var rows = new TheoryData<string, Caller, int>();
        foreach (var endpoint in EndpointTable.Rows)
        {
            foreach (var caller in Enum.GetValues<Caller>())
            {
                rows.Add(endpoint.Key, caller, endpoint.ExpectedFor(caller));
            }
        }

        return rows;
    }

    [Fact]
    public void Every_mapped_endpoint_has_a_row_and_every_row_an_endpoint()
    {
        var mapped = node.MappedEndpoints;
        var declared = EndpointTable.Rows.Select(r => r.Key).ToList();

        var withoutRow = mapped.Except(declared, StringComparer.Ordinal).ToList();
        var withoutEndpoint = declared.Except(mapped, StringComparer.Ordinal).ToList();

        Assert.True(withoutRow.Count == 0,
            $"Endpoints without a row in EndpointTable (add one with the status of each role, and the role to docs/security.md): {string.Join(", ", withoutRow)}");
        Assert.True(withoutEndpoint.Count == 0, $"Rows of EndpointTable that the api does not map: {string.Join(", ", withoutEndpoint)}");
        Assert.Equal(declared.Count, declared.Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task Each_caller_gets_the_designed_status(string endpoint, Caller caller, int expected)
    {
        var row = EndpointTable.Find(endpoint);
        var spec = await row.Request(node);
        using var request = node.Request(caller, row.HttpMethod, spec.Path, spec.Body);

        var (response, body) = await node.SendAsync(request);
        using (response)
        {
            Assert.True((int)response.StatusCode == expected, $"{caller} {row.Method} {spec.Path}: {(int)response.StatusCode}, expected {expected}. {body}");
            if (expected >= 400)
            {
                AssertProblem(response, body, expected);
            }

            if (expected == 401)
            {
                Assert.NotEmpty(response.Headers.WwwAuthenticate);
            }
        }
    }

    [Fact]
    public async Task No_answer_to_a_viewer_holds_the_patients_identity_and_the_report_files_do()
    {
        var gets = EndpointTable.Rows.Where(r => r.HttpMethod == HttpMethod.Get).ToList();
        foreach (var caller in new[] { Caller.Viewer, Caller.ViewerKey, Caller.Radiologist, Caller.Admin })
        {
            foreach (var row in gets)
            {
                var spec = await row.Request(node);
                using var request = node.Request(caller, HttpMethod.Get, spec.Path);
                var (response, body) = await node.SendAsync(request);
                response.Dispose();
                var isReportFile = row.Pattern.Contains("/report/", StringComparison.Ordinal) && response.IsSuccessStatusCode;
                if (!isReportFile)
                {
                    AssertNoPatientIdentity(body, $"{caller} GET {spec.Path}");
                }
            }
        }

        // The live feed from its start (Last-Event-ID 0): the seeded job's three changes, and nothing of the patient.
        var feed = await ReadFeedAsync(Caller.Viewer, changes: 3);
        Assert.Contains(node.JobId.ToString("D"), feed, StringComparison.Ordinal);
        AssertNoPatientIdentity(feed, "the live feed");

        // The detail a viewer gets does describe the series whose free text held the name: it is left out, not missing.
        using (var detailRequest = node.Request(Caller.Viewer, HttpMethod.Get, $"/api/jobs/{node.JobId}"))
        {
            var (detailResponse, detail) = await node.SendAsync(detailRequest);
            detailResponse.Dispose();
            using var json = JsonDocument.Parse(detail);
            var series = json.RootElement.GetProperty("series")[0];
            Assert.Equal("CHEST", series.GetProperty("bodyPartExamined").GetString());
            Assert.Contains("\"bodyPartExamined\":\"CHEST\"", json.RootElement.GetProperty("timeline")[0].GetProperty("payload").GetString(), StringComparison.Ordinal);
        }

        // The same scan finds the identity where it is: in the report file a radiologist downloads (and only there).
        using var download = node.Request(Caller.Radiologist, HttpMethod.Get, $"/api/jobs/{node.JobId}/report/pdf?format=pdf");
        var (fileResponse, file) = await node.SendAsync(download);
        fileResponse.Dispose();
        Assert.Contains(ApiNode.Patient.Name, file, StringComparison.Ordinal);
        Assert.Contains(ApiNode.Patient.Id, file, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Neither_the_log_nor_the_audit_log_holds_the_patients_identity()
    {
        // Reads and downloads first, so that there is something to look at in both logs.
        foreach (var (caller, path) in new[] { (Caller.Radiologist, $"/api/jobs/{node.JobId}/report/sr"), (Caller.Viewer, $"/api/jobs/{node.JobId}/report/sr"), (Caller.Viewer, $"/api/jobs/{node.JobId}") })
        {
            using var request = node.Request(caller, HttpMethod.Get, path);
            var (response, _) = await node.SendAsync(request);
            response.Dispose();
        }

        using var export = node.Request(Caller.Admin, HttpMethod.Get, "/api/audit/export");
        var (exportResponse, entries) = await node.SendAsync(export);
        exportResponse.Dispose();

        Assert.Contains("\"action\":\"report.download\"", entries, StringComparison.Ordinal);
        Assert.Contains("\"action\":\"access.denied\"", entries, StringComparison.Ordinal);
        AssertNoPatientIdentity(entries, "the audit log");
        Assert.Contains(node.Api.Logs.Lines, l => l.Contains("Request finished", StringComparison.Ordinal) || l.Contains("Executed endpoint", StringComparison.Ordinal));
        AssertNoPatientIdentity(string.Join('\n', node.Api.Logs.Lines), "the log");
    }

    internal static void AssertProblem(HttpResponseMessage response, string body, int status)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(body);
        Assert.Equal(status, problem.RootElement.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.RootElement.GetProperty("title").GetString()), body);
        Assert.False(string.IsNullOrWhiteSpace(problem.RootElement.GetProperty("detail").GetString()), body);
    }

    private static void AssertNoPatientIdentity(string text, string where)
    {
        // The name also as typed at a modality (spaces for the PN separator), its parts alone, the id, the birth date.
        var family = ApiNode.Patient.Name.Split('^')[0];
        foreach (var value in new[] { ApiNode.Patient.Name, family, ApiNode.Patient.Id, ApiNode.Patient.BirthDate })
        {
            Assert.False(text.Contains(value, StringComparison.OrdinalIgnoreCase), $"{where} holds '{value}'.");
        }
    }

    private async Task<string> ReadFeedAsync(Caller caller, int changes)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var request = node.Request(caller, HttpMethod.Get, "/api/jobs/events?lastEventId=0");
        using var response = await node.Api.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(deadline.Token));
        var text = new System.Text.StringBuilder();
        var seen = 0;
        while (seen < changes && await reader.ReadLineAsync(deadline.Token) is { } line)
        {
            text.AppendLine(line);
            if (line.StartsWith("data: ", StringComparison.Ordinal) && line.Contains(node.JobId.ToString("D"), StringComparison.Ordinal))
            {
                seen++;
            }
        }

        return text.ToString();
    }
}
