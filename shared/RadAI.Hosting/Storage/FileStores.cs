using Microsoft.Extensions.Options;
using RadAI.Contracts;

namespace RadAI.Hosting.Storage;

/// <summary>Names of the shared stores.</summary>
public static class StoreNames
{
    /// <summary>Received DICOM instances.</summary>
    public const string Instances = "instances";

    /// <summary>Model outputs: findings and masks.</summary>
    public const string Results = "results";

    /// <summary>Generated SR, SEG, PDF and key images.</summary>
    public const string Reports = "reports";
}

/// <summary>Turns storage references into paths and back, refusing anything that would leave the store.</summary>
public sealed class FileStores(IOptions<StorageOptions> options)
{
    /// <summary>The folder of a store.</summary>
    public string RootOf(string store) => Path.GetFullPath(Path.Combine(options.Value.Root, store));

    /// <summary>The absolute path of a reference.</summary>
    public string PathOf(StorageReference reference)
    {
        var root = RootOf(reference.Store);
        var path = Path.GetFullPath(Path.Combine(root, reference.Key.Replace('/', Path.DirectorySeparatorChar)));
        if (path != root && !path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Storage key '{reference.Key}' leaves the {reference.Store} store.", nameof(reference));
        }

        return path;
    }

    /// <summary>The reference of a path inside a store.</summary>
    public StorageReference ReferenceOf(string store, string path)
    {
        var relative = Path.GetRelativePath(RootOf(store), Path.GetFullPath(path));
        if (relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative))
        {
            throw new ArgumentException($"{path} is not inside the {store} store.", nameof(path));
        }

        return new StorageReference(store, relative.Replace(Path.DirectorySeparatorChar, '/'));
    }
}
