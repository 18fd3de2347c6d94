using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace RadAI.Data;

/// <summary>One versioned SQL script of a module.</summary>
/// <param name="Module">The module that owns the tables (e.g. <c>api</c>, <c>ingest</c>).</param>
/// <param name="Version">Its number, from the file name <c>NNNN_name.sql</c>.</param>
/// <param name="Name">The descriptive part of the file name.</param>
/// <param name="Sql">The script, run in one transaction.</param>
public sealed record Migration(string Module, int Version, string Name, string Sql)
{
    /// <summary>SHA-256 of the script: an applied migration whose file changed is refused at start.</summary>
    public string Checksum { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Sql.ReplaceLineEndings("\n"))));
}

/// <summary>The migrations a module embeds in its assembly (files <c>Migrations/NNNN_name[.dialect].sql</c>).</summary>
/// <param name="Module">Module name, recorded with each applied version.</param>
/// <param name="Assembly">The assembly holding the embedded scripts.</param>
public sealed partial record MigrationSource(string Module, Assembly Assembly)
{
    private const string ResourcePrefix = "radai.migrations.";

    /// <summary>
    /// The scripts for <paramref name="dialect"/>, in version order: a file with the dialect's
    /// suffix replaces the portable file of the same version.
    /// </summary>
    public IReadOnlyList<Migration> Load(SqlDialect dialect)
    {
        var byVersion = new SortedDictionary<int, (Migration Migration, bool Specific)>();
        foreach (var resource in Assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var match = FileNamePattern().Match(resource[ResourcePrefix.Length..]);
            if (!match.Success)
            {
                throw new InvalidOperationException($"Migration file name '{resource}' of module '{Module}' is not NNNN_name[.dialect].sql.");
            }

            var dialectSuffix = match.Groups["dialect"].Value;
            if (dialectSuffix.Length > 0 && dialectSuffix != dialect.MigrationSuffix)
            {
                continue;
            }

            var version = int.Parse(match.Groups["version"].Value, System.Globalization.CultureInfo.InvariantCulture);
            var specific = dialectSuffix.Length > 0;
            if (byVersion.TryGetValue(version, out var existing))
            {
                if (existing.Specific == specific)
                {
                    throw new InvalidOperationException($"Module '{Module}' has two migrations numbered {version}.");
                }

                if (existing.Specific)
                {
                    continue;
                }
            }

            using var stream = Assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            byVersion[version] = (new Migration(Module, version, match.Groups["name"].Value, reader.ReadToEnd()), specific);
        }

        return [.. byVersion.Values.Select(v => v.Migration)];
    }

    [GeneratedRegex(@"^(?<version>\d{4})_(?<name>[a-z0-9_]+?)(\.(?<dialect>postgres|sqlite))?\.sql$")]
    private static partial Regex FileNamePattern();
}
