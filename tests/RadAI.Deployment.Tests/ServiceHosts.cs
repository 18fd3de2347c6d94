using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using RadAI.Testing;
using Xunit;

namespace RadAI.Deployment.Tests;

/// <summary>A deployable program of RadAI: its host project, its images, and how deployment files name it.</summary>
/// <param name="Name">The service's name: compose service, Kubernetes Deployment and image name.</param>
/// <param name="ProjectFolder">The host project's folder, relative to the repository root.</param>
/// <param name="Dockerfiles">Its Dockerfiles, relative to the repository root.</param>
public sealed record ServiceHost(string Name, string ProjectFolder, IReadOnlyList<string> Dockerfiles)
{
    /// <summary>The host project's assembly (and project) name.</summary>
    public string AssemblyName => Path.GetFileName(ProjectFolder);

    /// <summary>The host project file, relative to the repository root.</summary>
    public string ProjectFile => $"{ProjectFolder}/{AssemblyName}.csproj";

    public override string ToString() => Name;
}

/// <summary>The five services and the gateway.</summary>
public static class ServiceHosts
{
    public static IReadOnlyList<ServiceHost> All { get; } =
    [
        new("dicom-ingest", "services/dicom-ingest/RadAI.DicomIngest.Host", ["deploy/docker/dicom-ingest.Dockerfile"]),
        new("inference", "services/inference/RadAI.Inference.Host", ["deploy/docker/inference.Dockerfile", "deploy/docker/inference-cuda.Dockerfile"]),
        new("report-builder", "services/report-builder/RadAI.ReportBuilder.Host", ["deploy/docker/report-builder.Dockerfile"]),
        new("pacs-sender", "services/pacs-sender/RadAI.PacsSender.Host", ["deploy/docker/pacs-sender.Dockerfile"]),
        new("api", "services/api/RadAI.Api.Host", ["deploy/docker/api.Dockerfile"]),
        new("gateway", "gateway/RadAI.Gateway.Host", ["deploy/docker/gateway.Dockerfile"]),
    ];

    public static ServiceHost Named(string name) =>
        All.SingleOrDefault(h => h.Name == name) ?? throw new InvalidOperationException($"No RadAI service named '{name}'.");

    /// <summary>The service built by a Dockerfile (path relative to the repository root), or null.</summary>
    public static ServiceHost? BuiltBy(string dockerfile) =>
        All.SingleOrDefault(h => h.Dockerfiles.Contains(dockerfile.Replace('\\', '/').TrimStart('.', '/'), StringComparer.Ordinal));

    /// <summary>For theory data: every service's name.</summary>
    public static TheoryData<string> Names => [.. All.Select(h => h.Name)];
}

/// <summary>One options class a host binds and validates at start (<c>AddValidatedOptions</c>), and its section.</summary>
public sealed record RegisteredOptions(string Section, Type Type);

/// <summary>What a host registers, read by running its real entry point up to the moment its service provider would be built.</summary>
public sealed record HostRegistrations(ServiceHost Host, string OutputFolder, IReadOnlyList<RegisteredOptions> Options, IReadOnlyList<Type> UnvalidatedOptionTypes)
{
    /// <summary>The host's types, loaded in the host's own load context (for reflection only).</summary>
    public required AssemblyLoadContext LoadContext { get; init; }

    /// <summary>A type of the host's load context by its assembly's name and its full name.</summary>
    public Type GetType(string assemblyName, string fullName) =>
        LoadContext.LoadFromAssemblyName(new AssemblyName(assemblyName)).GetType(fullName, throwOnError: true)!;
}

/// <summary>
/// Runs each host's entry point (its Program.cs, unchanged) in a load context of its own and stops it when the
/// service collection is complete, before anything starts: what it registered is then read by reflection. This is the
/// mechanism of ASP.NET's WebApplicationFactory (the <c>Microsoft.Extensions.Hosting</c> diagnostic events).
/// </summary>
public static class HostRegistrationReader
{
    private static readonly ConcurrentDictionary<string, Lazy<HostRegistrations>> Cache = new(StringComparer.Ordinal);
    private static readonly AsyncLocal<Action<IServiceCollection>?> Capture = new();
    private static readonly Lock Gate = new();

    static HostRegistrationReader() => DiagnosticListener.AllListeners.Subscribe(new ListenerObserver());

    public static HostRegistrations Read(ServiceHost host) =>
        Cache.GetOrAdd(host.Name, _ => new Lazy<HostRegistrations>(() => ReadNow(host))).Value;

    private static HostRegistrations ReadNow(ServiceHost host)
    {
        var assemblyPath = RepositoryPaths.SiblingBuiltAssembly(host.AssemblyName);
        var outputFolder = Path.GetDirectoryName(assemblyPath)!;
        var context = new HostLoadContext(assemblyPath);
        var entryPoint = context.LoadFromAssemblyPath(assemblyPath).EntryPoint
            ?? throw new InvalidOperationException($"{assemblyPath} has no entry point.");

        IServiceCollection? captured = null;
        lock (Gate)
        {
            Capture.Value = services => captured = services;
            try
            {
                entryPoint.Invoke(null, [new[] { "--environment=Production", $"--contentRoot={outputFolder}" }]);
                throw new InvalidOperationException($"{host.AssemblyName}'s entry point returned without building a host.");
            }
            catch (TargetInvocationException e) when (e.InnerException is HostAbortedException)
            {
                // Stopped on purpose once the services were registered.
            }
            finally
            {
                Capture.Value = null;
            }
        }

        if (captured is null)
        {
            throw new InvalidOperationException($"{host.AssemblyName} built no host through Microsoft.Extensions.Hosting.");
        }

        var options = new List<RegisteredOptions>();
        var validated = new HashSet<Type>();
        var configured = new HashSet<Type>();
        foreach (var descriptor in captured)
        {
            if (!descriptor.ServiceType.IsGenericType)
            {
                continue;
            }

            var definition = descriptor.ServiceType.GetGenericTypeDefinition();
            var optionsType = descriptor.ServiceType.GetGenericArguments()[0];
            if (definition == typeof(IValidateOptions<>)
                && descriptor.ImplementationInstance is { } validator
                && validator.GetType().Name.StartsWith("DataAnnotationsPathValidator", StringComparison.Ordinal))
            {
                options.Add(new RegisteredOptions(SectionOf(validator), optionsType));
                validated.Add(optionsType);
            }
            else if (definition == typeof(IConfigureOptions<>) && optionsType.Namespace?.StartsWith("RadAI", StringComparison.Ordinal) == true)
            {
                configured.Add(optionsType);
            }
        }

        return new HostRegistrations(host, outputFolder, options, [.. configured.Except(validated)]) { LoadContext = context };
    }

    // DataAnnotationsPathValidator<T>(string sectionPath): its only string field.
    private static string SectionOf(object validator)
    {
        var fields = validator.GetType().GetFields(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)
            .Where(f => f.FieldType == typeof(string)).ToList();
        return fields.Count == 1
            ? (string)fields[0].GetValue(validator)!
            : throw new InvalidOperationException($"{validator.GetType()} no longer keeps its section path in one string field: update {nameof(HostRegistrationReader)}.");
    }

    private sealed class ListenerObserver : IObserver<DiagnosticListener>
    {
        public void OnNext(DiagnosticListener value)
        {
            if (value.Name == "Microsoft.Extensions.Hosting")
            {
                value.Subscribe(new HostingObserver());
            }
        }

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }
    }

    private sealed class HostingObserver : IObserver<KeyValuePair<string, object?>>
    {
        public void OnNext(KeyValuePair<string, object?> value)
        {
            if (value.Key == "HostBuilding" && Capture.Value is { } capture && value.Value is IHostBuilder builder)
            {
                builder.ConfigureServices((_, services) =>
                {
                    capture(services);
                    throw new HostAbortedException();
                });
            }
        }

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }
    }

    /// <summary>
    /// The host's own assemblies (RadAI's and its packages) from its output folder; what the test process already has
    /// (the shared framework above all, so that IServiceCollection is one type) from the default context.
    /// </summary>
    private sealed class HostLoadContext(string mainAssemblyPath) : AssemblyLoadContext(Path.GetFileNameWithoutExtension(mainAssemblyPath))
    {
        private static readonly HashSet<string> Shared = new(
            ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator).Select(Path.GetFileNameWithoutExtension)!,
            StringComparer.OrdinalIgnoreCase);

        private readonly AssemblyDependencyResolver _resolver = new(mainAssemblyPath);

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            if (Shared.Contains(assemblyName.Name!))
            {
                return null;
            }

            var path = _resolver.ResolveAssemblyToPath(assemblyName);
            return path is null ? null : LoadFromAssemblyPath(path);
        }

        protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
        {
            var path = _resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
            return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
        }
    }
}
