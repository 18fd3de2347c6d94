using RadAI.Inference.Analysis;
using RadAI.Inference.Packages;

namespace RadAI.Inference.Pipeline;

/// <summary>The analyzers by name; a package that names none gets the generic one.</summary>
public sealed class AnalyzerRegistry(IEnumerable<IAnalyzer> analyzers)
{
    private readonly Dictionary<string, IAnalyzer> _byName = analyzers.ToDictionary(a => a.Name, StringComparer.Ordinal);

    public IAnalyzer For(ModelPackage package) =>
        package.Manifest.Analyzer is { } name
            ? _byName.TryGetValue(name, out var analyzer) ? analyzer : throw new InvalidOperationException($"No analyzer '{name}' (package {package.Id}).")
            : _byName["generic"];
}
