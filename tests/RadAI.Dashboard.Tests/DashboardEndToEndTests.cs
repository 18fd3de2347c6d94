using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using RadAI.Contracts.Findings;
using RadAI.Testing;
using Xunit;
using Xunit.Abstractions;

namespace RadAI.Dashboard.Tests;

/// <summary>
/// The dashboard served by the standalone host's gateway, driven in Debian's Chromium by <c>gateway/dashboard/e2e/run.mjs</c>
/// (playwright-core): sign-in, a study sent with <c>radai send</c> followed live to "delivered", its page (timeline,
/// findings, overlay on the real pixels, PDF, SR), the same page for a viewer (no patient identity, no action), and an
/// administrator who adds a destination and runs its C-ECHO test and verifies the audit chain, then administers senders,
/// model packages, routing profiles and users against the real api (<c>e2e/admin.mjs</c>: each change read back from the
/// api; configured items read-only; a user created as viewer signs in and is refused every administration; that user's
/// change in the audit log under the administrator's name, and the audit day filter). Screenshots
/// of each page at 1280×800 (none wider than the window) and 2560×1440 are left in <c>dashboard-e2e/</c> beside the test
/// assembly (artifacts, not committed).
/// </summary>
public sealed partial class DashboardEndToEndTests(DashboardNode node, ITestOutputHelper output) : IClassFixture<DashboardNode>
{
    [Fact]
    public async Task The_gateway_serves_the_dashboard_with_its_policy_and_the_single_page_fallback()
    {
        using var http = new HttpClient { BaseAddress = node.Host.Http.BaseAddress };
        using var root = await http.GetAsync(new Uri("/", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, root.StatusCode);
        Assert.Equal("text/html", root.Content.Headers.ContentType?.MediaType);
        var html = await root.Content.ReadAsStringAsync();
        Assert.Contains("<div id=\"root\"></div>", html, StringComparison.Ordinal);
        var policy = string.Join(' ', root.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.Equal("no-cache", root.Headers.CacheControl?.ToString());

        // A client-side route reloaded in the browser gets the same page.
        using var deep = await http.GetAsync(new Uri($"/jobs/{Guid.NewGuid()}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, deep.StatusCode);
        Assert.Equal(html, await deep.Content.ReadAsStringAsync());

        // The hashed bundle, cached for good; nothing loaded from another origin (offline hospital network).
        var script = ScriptSource().Match(html).Groups["src"].Value;
        Assert.StartsWith("/assets/", script, StringComparison.Ordinal);
        using var bundle = await http.GetAsync(new Uri(script, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, bundle.StatusCode);
        Assert.Contains("immutable", bundle.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
        Assert.DoesNotMatch(@"(src|href)=""(https?:)?//", html);

        // /api and /health are never the page.
        using var api = await http.GetAsync(new Uri("/api/no-such-endpoint", UriKind.Relative));
        Assert.NotEqual("text/html", api.Content.Headers.ContentType?.MediaType);
        using var health = await http.GetAsync(new Uri("/health/no-such-probe", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, health.StatusCode);
    }

    [Fact]
    public async Task A_study_is_followed_live_to_delivered_and_each_role_sees_what_it_may()
    {
        var artifacts = Path.Combine(AppContext.BaseDirectory, "dashboard-e2e");
        if (Directory.Exists(artifacts))
        {
            Directory.Delete(artifacts, recursive: true);
        }

        var resultFile = Path.Combine(node.WorkFolder, "e2e-result.json");
        var configFile = Path.Combine(node.WorkFolder, "e2e-config.json");
        var radai = RepositoryPaths.SiblingBuiltAssembly("RadAI.Cli", "radai");
        await File.WriteAllTextAsync(configFile, JsonSerializer.Serialize(new
        {
            baseUrl = node.Host.Http.BaseAddress!.ToString(),
            artifacts,
            resultFile,
            users = new
            {
                admin = new { username = "admin", password = ApiAccess.AdminPassword },
                radiologist = new { username = DashboardNode.RadiologistName, password = DashboardNode.UserPassword },
                viewer = new { username = DashboardNode.ViewerName, password = DashboardNode.UserPassword },
            },
            send = new
            {
                command = "dotnet",
                args = new[] { radai, "send", "127.0.0.1", node.Host.DicomPort.ToString(CultureInfo.InvariantCulture), node.Study.Folder, "--aec", "RADAI", "--aet", Storescp.AeTitle, "--quiet" },
            },
            studyInstanceUid = node.Study.StudyInstanceUid,
            patientWords = SyntheticCtStudy.PatientIdentifiers,
            patientName = "SYNTHETIC PHANTOM",
            patientId = SyntheticCtStudy.PatientId,
            destination = new { aeTitle = "DASHECHO", host = "127.0.0.1", port = node.Pacs.Port },
        }));

        var run = await ExternalTool.RunAsync("node", [Path.Combine(DashboardProject.Folder, "e2e", "run.mjs"), configFile], TimeSpan.FromMinutes(12), DashboardProject.Folder);
        output.WriteLine(run.Output);
        output.WriteLine(run.Error);
        output.WriteLine($"screenshots: {artifacts}");
        Assert.True(File.Exists(resultFile), $"the e2e run wrote no result (exit {run.ExitCode}):\n{run.Error}\n{run.Output}");
        var resultText = await File.ReadAllTextAsync(resultFile);
        output.WriteLine(resultText);
        using var result = JsonDocument.Parse(resultText);
        var root = result.RootElement;
        Assert.True(run.ExitCode == 0 && root.GetProperty("ok").GetBoolean(),
            $"e2e failed: {(root.TryGetProperty("error", out var e) ? e.GetString() : run.Error)}\n{run.Output}\nhost log tail:\n{Tail(node.Host.Process.Output)}");

        // Each value the findings table shows is a measurement of the SR that was delivered (read here with DCMTK).
        var jobId = Guid.Parse(root.GetProperty("jobId").GetString()!);
        var sr = Assert.Single(Directory.GetFiles(Path.Combine(node.DataFolder, "reports", jobId.ToString("N"), "sr"), "*.dcm"));
        var tree = (await ExternalTool.RunAsync("dsrdump", "+U8", sr)).EnsureSuccess("dsrdump").Output;
        var srValues = NumValue().Matches(tree).Select(m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture)).ToList();
        Assert.NotEmpty(srValues);
        var shown = root.GetProperty("findings").EnumerateArray().ToList();
        Assert.NotEmpty(shown);
        foreach (var finding in shown)
        {
            var text = finding.GetProperty("text").GetString()!;
            var value = double.Parse(text, CultureInfo.InvariantCulture);
            Assert.True(srValues.Any(v => SameToShownDigits(value, v)),
                $"{finding.GetProperty("finding")} {finding.GetProperty("measurement")} = {text} is not a NUM of the SR ({string.Join(", ", srValues)})");
        }

        // The French page names each finding as the French PDF does: FindingNames, the one table of both, and the PDF's text.
        var analysis = JsonSerializer.Deserialize<AnalysisResults>(
            await File.ReadAllTextAsync(Path.Combine(node.DataFolder, "results", jobId.ToString("N"), AnalysisResults.FileName)), new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        var pdfText = (await ExternalTool.RunAsync("pdftotext", Assert.Single(Directory.GetFiles(Path.Combine(node.DataFolder, "reports", jobId.ToString("N")), "*.pdf", SearchOption.AllDirectories)), "-"))
            .EnsureSuccess("pdftotext").Output;
        var names = root.GetProperty("findingNames").EnumerateArray().ToList();
        Assert.NotEmpty(names);
        foreach (var named in names)
        {
            var finding = analysis.Runs.Single(r => r.RunId == named.GetProperty("run").GetString()).Findings.Single(f => f.Id == named.GetProperty("finding").GetString());
            Assert.Equal(FindingNames.For(FindingNames.French).FindingName(finding), named.GetProperty("name").GetString());
        }

        Assert.Contains("Poumon droit", pdfText, StringComparison.Ordinal);

        // The page's SR content tree is the same SR: its NUM values are DCMTK's.
        var treeValues = root.GetProperty("srValues").EnumerateArray().Select(v => double.Parse(v.GetString()!.Split(' ')[0], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(srValues.Order(), treeValues.Order());

        Assert.True(root.GetProperty("overlay").GetProperty("contour").GetInt32() > 0);
        Assert.Equal("%PDF-", root.GetProperty("pdf").GetProperty("head").GetString());
        var screenshots = root.GetProperty("screenshots").EnumerateArray().Select(s => s.GetString()!).ToList();
        // Every page at 1280×800 and 2560×1440 (p-*), besides the steps' own.
        Assert.True(screenshots.Count >= 30, $"{screenshots.Count} screenshots");
        foreach (var page in new[] { "jobs", "job", "statistics", "destinations", "senders", "models", "users", "audit" })
        {
            Assert.Contains(screenshots, s => s.EndsWith($"p-{page}-1280x800.png", StringComparison.Ordinal));
            Assert.Contains(screenshots, s => s.EndsWith($"p-{page}-2560x1440.png", StringComparison.Ordinal));
        }

        // The administration read back from the api: the configured package and profile shown read-only, a package
        // disabled and enabled again, the account created by the administrator refused everything administrative.
        var statuses = root.GetProperty("modelStatuses");
        Assert.Equal("RESEARCH", statuses.GetProperty(DashboardNode.ConfiguredDisabledPackage).GetString());
        Assert.Contains(root.GetProperty("profiles").EnumerateArray(), p => p.GetProperty("name").GetString() == DashboardNode.ConfiguredProfile
            && p.GetProperty("source").GetString() == "config" && p.GetProperty("disabled").GetBoolean());
        Assert.NotEqual(DashboardNode.ConfiguredDisabledPackage, root.GetProperty("modelToggled").GetString());
        Assert.All(root.GetProperty("newViewerRefused").EnumerateObject(), p => Assert.Equal(403, p.Value.GetInt32()));
        Assert.All(screenshots, s => Assert.True(new FileInfo(s).Length > 5000, $"{s} is empty"));

        // The host never logged the synthetic patient.
        foreach (var identifier in SyntheticCtStudy.PatientIdentifiers)
        {
            Assert.DoesNotContain(identifier, node.Host.Process.Output, StringComparison.Ordinal);
        }
    }

    /// <summary>The page shows 6 significant digits: equal when the SR's value rounds to the shown one.</summary>
    private static bool SameToShownDigits(double shown, double sr)
    {
        if (sr == 0)
        {
            return shown == 0;
        }

        var unit = Math.Pow(10, Math.Floor(Math.Log10(Math.Abs(sr))) - 5);
        return Math.Abs(shown - sr) <= (0.5 * unit) + (1e-9 * Math.Abs(sr));
    }

    private static string Tail(string text) => text.Length <= 4000 ? text : text[^4000..];

    [GeneratedRegex(@"<script[^>]*src=""(?<src>[^""]+)""")]
    private static partial Regex ScriptSource();

    /// <summary>dsrdump's numeric items: <c>NUM:(code,scheme,"meaning")="value" (unit,…)</c>.</summary>
    [GeneratedRegex(@"NUM:\([^)]*\)=""(?<value>[-+0-9.eE]+)""")]
    private static partial Regex NumValue();
}
