using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using RadAI.Testing;
using Xunit;

namespace RadAI.Dashboard.Tests;

/// <summary>
/// One standalone host (CPU only, fresh data folder) with DCMTK's storescp as its PACS (studies come from it, reports
/// go back to it), its first administrator, a radiologist and a viewer, and <c>radai synth-ct</c>'s CT study (written
/// while the host starts; not sent: the end-to-end run sends it while the dashboard watches).
/// </summary>
public sealed class DashboardNode : IAsyncLifetime, IDisposable
{
    public const string RadiologistName = "dr.martin";
    public const string ViewerName = "secretariat";
    public const string UserPassword = "dashboard test password, long enough";

    /// <summary>A package the test's CT study does not use, disabled by the configuration (read-only in the dashboard).</summary>
    public const string ConfiguredDisabledPackage = "radai.mg.density";

    /// <summary>A routing profile of the configuration (read-only in the dashboard).</summary>
    public const string ConfiguredProfile = "mammography";

    private readonly TemporaryDirectory _work = new("radai-dashboard");
    private StandaloneHost? _host;
    private Storescp? _pacs;
    private SyntheticCtStudy? _study;

    public string DataFolder => Path.Combine(_work.Path, "data");

    public string WorkFolder => _work.Path;

    public StandaloneHost Host => _host ?? throw new InvalidOperationException("not started");

    public Storescp Pacs => _pacs ?? throw new InvalidOperationException("not started");

    public SyntheticCtStudy Study => _study ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        var written = SyntheticCtStudy.WriteAsync(Path.Combine(_work.Path, "study"));
        _pacs = await Storescp.StartAsync(Path.Combine(_work.Path, "pacs"), FreePort.Next());
        // A package disabled and a routing profile set by the configuration: the administration pages show them read-only.
        _host = await StandaloneHost.StartAsync(
            DataFolder,
            "--pacs",
            $"{Storescp.AeTitle}@127.0.0.1:{_pacs.Port}",
            $"--Inference:DisabledPackages:0={ConfiguredDisabledPackage}",
            $"--Inference:Profiles:{ConfiguredProfile}:Packages:0={ConfiguredDisabledPackage}");
        _study = await written;

        using var admin = new HttpClient { BaseAddress = _host.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        using var login = await admin.PostAsJsonAsync(new Uri("/api/auth/login", UriKind.Relative), new { username = "admin", password = ApiAccess.AdminPassword });
        login.EnsureSuccessStatusCode();
        var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        foreach (var (name, role) in new[] { (RadiologistName, "radiologist"), (ViewerName, "viewer") })
        {
            using var created = await admin.PostAsJsonAsync(new Uri("/api/users", UriKind.Relative), new { username = name, password = UserPassword, role });
            Assert.True(created.IsSuccessStatusCode, $"creating {name}: {(int)created.StatusCode} {await created.Content.ReadAsStringAsync()}");
        }
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        if (_pacs is not null)
        {
            await _pacs.DisposeAsync();
        }

        Dispose();
    }

    /// <summary>The synchronous part of <see cref="DisposeAsync"/> (the folders; the processes need <see cref="DisposeAsync"/>).</summary>
    public void Dispose() => _work.Dispose();
}
