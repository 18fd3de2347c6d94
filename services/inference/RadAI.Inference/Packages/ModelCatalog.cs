using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace RadAI.Inference.Packages;

/// <summary>The packages found in the configured folders; a package that fails to load is logged and left out.</summary>
public sealed partial class ModelCatalog
{
    private readonly IOptionsMonitor<InferenceOptions> _options;
    private readonly ILogger<ModelCatalog> _logger;
    private readonly Lazy<IReadOnlyList<ModelPackage>> _packages;

    public ModelCatalog(IOptionsMonitor<InferenceOptions> options, ILogger<ModelCatalog> logger)
    {
        _options = options;
        _logger = logger;
        _packages = new Lazy<IReadOnlyList<ModelPackage>>(Load);
    }

    /// <summary>Every package that loaded, enabled or not (which ones run, and for which profile: <see cref="PackageSettings"/>).</summary>
    public IReadOnlyList<ModelPackage> All => _packages.Value;

    private List<ModelPackage> Load()
    {
        var packages = new List<ModelPackage>();
        foreach (var configured in _options.CurrentValue.EffectivePackagePaths)
        {
            var path = Path.IsPathRooted(configured) ? configured : Path.Combine(AppContext.BaseDirectory, configured);
            foreach (var candidate in Candidates(path))
            {
                try
                {
                    var package = ModelPackage.Load(candidate);
                    if (packages.Any(p => p.Id == package.Id))
                    {
                        LogDuplicate(package.Id, candidate);
                        continue;
                    }

                    packages.Add(package);
                    LogLoaded(package.Id, package.Version, package.Manifest.Status.ToString(), candidate);
                }
                catch (ModelPackageException e)
                {
                    LogRejected(candidate, e.Message);
                }
            }
        }

        return packages;
    }

    private static IEnumerable<string> Candidates(string path)
    {
        if (File.Exists(path))
        {
            return [path];
        }

        if (!Directory.Exists(path))
        {
            return [];
        }

        if (File.Exists(Path.Combine(path, "radai-model.json")))
        {
            return [path];
        }

        return Directory.EnumerateDirectories(path).Where(d => File.Exists(Path.Combine(d, "radai-model.json")))
            .Concat(Directory.EnumerateFiles(path, "*.zip"))
            .Order(StringComparer.Ordinal);
    }

    [LoggerMessage(EventId = 6001, Level = LogLevel.Information, Message = "Model package {Id} {Version} ({Status}) loaded from {Path}")]
    private partial void LogLoaded(string id, string version, string status, string path);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Error, Message = "Model package at {Path} refused: {Reason}")]
    private partial void LogRejected(string path, string reason);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Warning, Message = "Model package {Id} at {Path} ignored: the same id was loaded first")]
    private partial void LogDuplicate(string id, string path);
}
