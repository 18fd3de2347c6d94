using System.ComponentModel.DataAnnotations;
using RadAI.PacsSender;

namespace RadAI.Standalone;

/// <summary>Configuration section <c>Standalone</c>; also set by the command-line switches.</summary>
public sealed class StandaloneOptions
{
    public const string SectionName = "Standalone";

    /// <summary>Command-line switches and the keys they set.</summary>
    public static IReadOnlyDictionary<string, string> Switches { get; } = new Dictionary<string, string>
    {
        ["--data"] = $"{SectionName}:{nameof(DataDirectory)}",
        ["--http-port"] = $"{SectionName}:{nameof(HttpPort)}",
        ["--http-bind"] = $"{SectionName}:{nameof(HttpBindAddress)}",
        ["--https-port"] = $"{SectionName}:{nameof(HttpsPort)}",
        ["--tls-cert"] = "Gateway:Tls:CertificateFile",
        ["--tls-key"] = "Gateway:Tls:KeyFile",
        ["--tls-pfx"] = "Gateway:Tls:PfxFile",
        ["--tls-pfx-password-file"] = "Gateway:Tls:PfxPasswordFile",
        ["--aet"] = "DicomIngest:AeTitle",
        ["--dicom-port"] = "DicomIngest:Port",
    };

    /// <summary>The switches in the form <c>AddCommandLine</c> takes.</summary>
    public static Dictionary<string, string> SwitchMappings() => new(Switches);

    /// <summary>
    /// The command line with the repeatable switches expanded into configuration arguments: <c>--pacs AET@HOST:PORT</c>
    /// (where reports go; each is also accepted as a sender), and <c>--aet</c> also as pacs-sender's calling AE title.
    /// </summary>
    public static string[] ExpandArguments(string[] args)
    {
        var expanded = PacsSwitch.Expand(args);
        var aet = Array.IndexOf(expanded, "--aet");
        var value = aet >= 0 && aet + 1 < expanded.Length ? expanded[aet + 1]
            : expanded.LastOrDefault(a => a.StartsWith("--aet=", StringComparison.Ordinal))?["--aet=".Length..];
        return value is null ? expanded : [.. expanded, $"--{PacsSenderOptions.SectionName}:CallingAeTitle={value}"];
    }

    /// <summary>Folder for the database, the instance store and the reports (<c>--data</c>). Default <c>./radai-data</c>.</summary>
    [Required]
    public string DataDirectory { get; set; } = "radai-data";

    /// <summary>Port of the web entry (gateway: dashboard and API) (<c>--http-port</c>). Default 8080; 0 picks a free port.</summary>
    [Range(0, 65535)]
    public int HttpPort { get; set; } = 8080;

    /// <summary>
    /// Address the web entry binds (<c>--http-bind</c>). Default <c>localhost</c>: until users and
    /// roles are configured, the node is not exposed to the network by default.
    /// </summary>
    [Required]
    public string HttpBindAddress { get; set; } = "localhost";

    /// <summary>
    /// Port of the HTTPS entry (<c>--https-port</c>), on <see cref="HttpBindAddress"/>. HTTPS needs the gateway's
    /// certificate (<c>Gateway:Tls:CertificateFile</c> + <c>KeyFile</c>: <c>--tls-cert</c>, <c>--tls-key</c>; or
    /// <c>Gateway:Tls:PfxFile</c>: <c>--tls-pfx</c>); with one, HTTP answers 308 to HTTPS (health excepted) and HSTS is
    /// sent. Unset with a certificate: <see cref="DefaultHttpsPort"/>; set without one: the start fails. 0 picks a free port.
    /// </summary>
    [Range(0, 65535)]
    public int? HttpsPort { get; set; }

    /// <summary>The HTTPS port when a certificate is configured and <see cref="HttpsPort"/> is not.</summary>
    public const int DefaultHttpsPort = 8443;
}
