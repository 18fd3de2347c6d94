using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using RadAI.Testing;
using Xunit;

namespace RadAI.EndToEnd.Tests;

/// <summary>
/// The hospital's users reach RadAI only through the gateway, over TLS (the test CA's certificate): a study's job, its
/// timeline and its reports, and what the gateway and the api refuse. The job is the fixture's synthetic CT, sent
/// through Orthanc once for the tests of the collection (<see cref="HospitalFixture.DeliveredCtAsync"/>).
/// </summary>
[Collection(HospitalCollection.Name)]
public sealed class GatewayTlsTests(HospitalFixture hospital)
{
    private const string UserPassword = "a user password, long enough";

    private PipelineCluster Cluster => hospital.Cluster;

    [Fact]
    public Task Through_the_gateway_over_tls_a_radiologist_sees_the_delivered_job_its_timeline_and_downloads_sr_seg_and_pdf() => hospital.RunAsync(async () =>
    {
        var delivered = await hospital.DeliveredCtAsync();
        var jobId = delivered.Job.GetProperty("jobId").GetGuid();
        Assert.Equal("delivered", delivered.Job.GetProperty("status").GetString());
        await using var gateway = await Cluster.StartGatewayAsync();
        using var https = gateway.HttpsClient();

        var admin = await SignInAsync(https, "admin", ApiAccess.AdminPassword);
        var radiologist = await CreateUserAndSignInAsync(https, admin, "radiologist");
        Authorize(https, radiologist);

        using var list = await https.GetAsync(new Uri("/api/jobs?limit=500", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.StartsWith("max-age=", Assert.Single(list.Headers.GetValues("Strict-Transport-Security")), StringComparison.Ordinal);
        var jobs = await list.Content.ReadFromJsonAsync<JsonElement>();
        var listed = Assert.Single(jobs.EnumerateArray(), j => j.GetProperty("jobId").GetGuid() == jobId);
        Assert.Equal("delivered", listed.GetProperty("status").GetString());
        Assert.Equal(delivered.Ct.StudyInstanceUid, listed.GetProperty("studyInstanceUid").GetString());

        var detail = await https.GetFromJsonAsync<JsonElement>(new Uri($"/api/jobs/{jobId}", UriKind.Relative));
        Assert.Equal(["StudyReceived", "AnalysisDone", "ReportReady", "ReportDelivered"],
            detail.GetProperty("timeline").EnumerateArray().Select(e => e.GetProperty("eventType").GetString()));
        Assert.True(detail.GetProperty("report").GetProperty("hasPdfDocument").GetBoolean());

        foreach (var kind in new[] { "sr", "seg", "pdf" })
        {
            var dicom = await DownloadAsync(https, $"/api/jobs/{jobId}/report/{kind}", "application/dicom");
            Assert.True(dicom.Length > 132 && Encoding.ASCII.GetString(dicom, 128, 4) == "DICM", $"{kind}: no DICOM Part 10 preamble");
        }

        var pdf = await DownloadAsync(https, $"/api/jobs/{jobId}/report/pdf?format=pdf", "application/pdf");
        Assert.Equal("%PDF-", Encoding.ASCII.GetString(pdf, 0, 5));
    });

    [Fact]
    public Task Through_the_gateway_over_tls_anonymous_is_401_a_viewer_is_403_http_is_308_and_a_burst_is_429() => hospital.RunAsync(async () =>
    {
        var delivered = await hospital.DeliveredCtAsync();
        var jobId = delivered.Job.GetProperty("jobId").GetGuid();
        // Windows of an hour: the count decides, not the clock.
        const int PermitLimit = 40;
        await using var gateway = await Cluster.StartGatewayAsync(new Dictionary<string, string?>
        {
            ["Gateway__RateLimiting__Kind"] = "Fixed",
            ["Gateway__RateLimiting__PermitLimit"] = PermitLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Gateway__RateLimiting__Window"] = "01:00:00",
        });
        using var https = gateway.HttpsClient();

        foreach (var path in new[] { "/api/jobs", $"/api/jobs/{jobId}", $"/api/jobs/{jobId}/report/sr", "/api/users" })
        {
            using var anonymous = await https.GetAsync(new Uri(path, UriKind.Relative));
            await AssertProblemAsync(anonymous, HttpStatusCode.Unauthorized, path);
        }

        var admin = await SignInAsync(https, "admin", ApiAccess.AdminPassword);
        var viewer = await CreateUserAndSignInAsync(https, admin, "viewer");
        Authorize(https, viewer);
        using (var jobs = await https.GetAsync(new Uri("/api/jobs?limit=1", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, jobs.StatusCode);
        }

        // Signed in, but not allowed: the api's 403, through the gateway.
        foreach (var path in new[] { "/api/users", "/api/audit", $"/api/jobs/{jobId}/report/pdf", $"/api/jobs/{jobId}/report/sr" })
        {
            using var forbidden = await https.GetAsync(new Uri(path, UriKind.Relative));
            await AssertProblemAsync(forbidden, HttpStatusCode.Forbidden, path);
        }

        using (var http = gateway.HttpClient())
        {
            using var redirected = await http.GetAsync(new Uri($"/api/jobs/{jobId}?x=1", UriKind.Relative));
            Assert.Equal(HttpStatusCode.PermanentRedirect, redirected.StatusCode);
            Assert.Equal(new Uri(gateway.Https!, $"/api/jobs/{jobId}?x=1"), redirected.Headers.Location);
            Assert.False(redirected.Headers.Contains("Strict-Transport-Security"));
        }

        // A burst from this client: at most PermitLimit requests in the window (some are spent above), then 429.
        HttpResponseMessage? refused = null;
        for (var i = 0; i <= PermitLimit && refused is null; i++)
        {
            var response = await https.GetAsync(new Uri("/api/jobs?limit=1", UriKind.Relative));
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refused = response;
            }
            else
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                response.Dispose();
            }
        }

        Assert.NotNull(refused);
        using (refused)
        {
            var retryAfter = refused.Headers.RetryAfter?.Delta;
            Assert.NotNull(retryAfter);
            Assert.InRange(retryAfter.Value.TotalSeconds, 1, 3600);
            await AssertProblemAsync(refused, HttpStatusCode.TooManyRequests, "the burst");
        }
    });

    private static async Task<string> SignInAsync(HttpClient https, string username, string password)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/auth/login", UriKind.Relative))
        {
            Content = JsonContent.Create(new { username, password }),
        };
        using var login = await https.SendAsync(request);
        Assert.True(login.IsSuccessStatusCode, $"sign-in of {username}: {(int)login.StatusCode} {await login.Content.ReadAsStringAsync()}");
        return (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
    }

    /// <summary>The administrator creates a user of <paramref name="role"/> (a new name each time), who then signs in.</summary>
    private static async Task<string> CreateUserAndSignInAsync(HttpClient https, string adminToken, string role)
    {
        var username = $"{role}-{Guid.NewGuid():N}"[..20];
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/users", UriKind.Relative))
        {
            Content = JsonContent.Create(new { username, password = UserPassword, role }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        using var created = await https.SendAsync(request);
        Assert.True(created.StatusCode == HttpStatusCode.Created, $"creation of a {role}: {(int)created.StatusCode} {await created.Content.ReadAsStringAsync()}");
        return await SignInAsync(https, username, UserPassword);
    }

    private static void Authorize(HttpClient https, string accessToken) =>
        https.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);

    private static async Task<byte[]> DownloadAsync(HttpClient https, string path, string mediaType)
    {
        using var response = await https.GetAsync(new Uri(path, UriKind.Relative));
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsByteArrayAsync();
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string what)
    {
        Assert.True(response.StatusCode == status, $"{what}: {(int)response.StatusCode}, not {(int)status}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
    }
}
