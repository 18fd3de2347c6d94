using System.Reflection;

namespace RadAI.Hosting;

/// <summary>Who this process is: the service name (telemetry resource, connection labels) and version.</summary>
/// <param name="Name">Service name, e.g. <c>dicom-ingest</c>.</param>
/// <param name="Version">Informational version of the entry assembly.</param>
public sealed record ServiceIdentity(string Name, string Version)
{
    /// <summary>The identity of a service, versioned by the entry assembly.</summary>
    public static ServiceIdentity For(string name)
    {
        var assembly = Assembly.GetEntryAssembly() ?? typeof(ServiceIdentity).Assembly;
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString() ?? "0.0.0";
        // Drop the "+commit" build metadata the SDK appends.
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return new ServiceIdentity(name, plus > 0 ? version[..plus] : version);
    }
}
