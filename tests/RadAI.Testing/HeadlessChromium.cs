namespace RadAI.Testing;

/// <summary>
/// Debian's Chromium (package <c>chromium</c>) run headless to load a page, run its scripts and print the resulting DOM:
/// what a browser shows, without a display. Started with a fresh profile and without its background network traffic
/// (the machine has no internet access).
/// </summary>
public static class HeadlessChromium
{
    public const string ExecutablePath = "/usr/bin/chromium";

    /// <summary>Why a test that needs the browser is skipped, or null when it is installed.</summary>
    public static string? MissingReason => File.Exists(ExecutablePath)
        ? null
        : $"Chromium is not installed at {ExecutablePath} (Debian: apt-get install chromium).";

    /// <summary>
    /// Loads <paramref name="url"/>, lets its scripts run for up to <paramref name="scriptTime"/> of virtual time
    /// (fetches included), and returns the DOM as HTML.
    /// </summary>
    public static async Task<string> DumpDomAsync(Uri url, TimeSpan scriptTime, IEnumerable<string>? extraArguments = null)
    {
        using var profile = new TemporaryDirectory("radai-chromium");
        string[] arguments =
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", $"--user-data-dir={profile.Path}",
            $"--virtual-time-budget={(int)scriptTime.TotalMilliseconds}",
            .. extraArguments ?? [],
            "--dump-dom", url.ToString(),
        ];
        var result = await ExternalTool.RunAsync(ExecutablePath, arguments, TimeSpan.FromMinutes(2));
        return result.EnsureSuccess("chromium --dump-dom").Output;
    }
}
