using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using RadAI.Testing;
using Xunit;

namespace RadAI.Integration.Tests;

/// <summary>
/// The administration endpoints in the standalone host (in-memory bus, one SQLite file in the data folder), through its
/// gateway: senders (dicom-ingest), model packages and routing profiles (inference), changes effective without restart.
/// </summary>
public sealed partial class StandaloneAdministrationTests
{
    private const string CtSmall = "/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm";

    [Fact]
    public async Task Senders_models_and_profiles_are_administered_in_the_standalone_host_and_a_disabled_sender_is_refused_at_once()
    {
        using var data = new TemporaryDirectory("radai-standalone-admin");
        await using var host = await StandaloneHost.StartAsync(data.Path);
        // The host's client reads as a viewer: an administrator's key instead (without the viewer's key, which would win).
        host.Http.DefaultRequestHeaders.Remove(ApiAccess.ApiKeyHeader);
        await ApiAccess.SignInAsync(host.Http, role: "admin");

        using (var created = await host.Http.PutAsJsonAsync(new Uri("/api/senders/MODALITY-9", UriKind.Relative), new { routingProfile = "neuro" }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        Assert.Equal([0], await StoreStatusesAsync(host.DicomPort, "MODALITY-9"));
        using (var disabled = await host.Http.DeleteAsync(new Uri("/api/senders/MODALITY-9", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, disabled.StatusCode);
        }

        Assert.Equal([0x0124], await StoreStatusesAsync(host.DicomPort, "MODALITY-9"));
        Assert.Equal([0], await StoreStatusesAsync(host.DicomPort, "MODALITY-10"));

        var models = await host.Http.GetFromJsonAsync<List<JsonElement>>(new Uri("/api/models", UriKind.Relative));
        Assert.Contains(models!, m => m.GetProperty("id").GetString() == "radai.ct.lung-quant" && m.GetProperty("enabled").GetBoolean());
        using (var off = await host.Http.PutAsJsonAsync(new Uri("/api/models/radai.ct.lung-quant/enabled", UriKind.Relative), new { enabled = false }))
        {
            Assert.Equal(HttpStatusCode.OK, off.StatusCode);
        }

        using (var profile = await host.Http.PutAsJsonAsync(new Uri("/api/routing-profiles/neuro", UriKind.Relative), new { packages = new[] { "radai.mr.brain-icv" } }))
        {
            Assert.Equal(HttpStatusCode.Created, profile.StatusCode);
        }

        var after = await host.Http.GetFromJsonAsync<List<JsonElement>>(new Uri("/api/models", UriKind.Relative));
        Assert.False(after!.Single(m => m.GetProperty("id").GetString() == "radai.ct.lung-quant").GetProperty("enabled").GetBoolean());
        Assert.Equal(["neuro"], after!.Single(m => m.GetProperty("id").GetString() == "radai.mr.brain-icv").GetProperty("profiles").EnumerateArray().Select(p => p.GetString()));
        Assert.True(File.Exists(Path.Combine(data.Path, "radai.db")));
        await host.Process.StopAsync();
        Assert.Equal(0, host.Process.ExitCode);
    }

    /// <summary>storescu of pydicom's CT_small as <paramref name="callingAe"/>: the DIMSE statuses of the responses.</summary>
    private static async Task<IReadOnlyList<int>> StoreStatusesAsync(int port, string callingAe)
    {
        var result = await ExternalTool.RunAsync("storescu", ["-d", "-nh", "-aet", callingAe, "-aec", "RADAI", "127.0.0.1", port.ToString(CultureInfo.InvariantCulture), CtSmall]);
        return [.. Status().Matches(result.Output + result.Error).Select(m => int.Parse(m.Groups["status"].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture))];
    }

    [GeneratedRegex(@"DIMSE Status\s*:\s*0x(?<status>[0-9A-Fa-f]{4})")]
    private static partial Regex Status();
}
