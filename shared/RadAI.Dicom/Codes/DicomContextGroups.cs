using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Collections.ObjectModel;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace RadAI.Dicom;

/// <summary>
/// The context groups (CIDs) of PS3.16, e.g. <c>DicomContextGroups.Get(244)</c> for Laterality.
/// The data is a compact text table in Generated/DicomContextGroups.g.cs (generated from
/// tools/dicom-generator/tables), parsed on first use; a group's included groups are expanded the
/// first time that group is asked for.
/// </summary>
public static partial class DicomContextGroups
{
    private static readonly Lazy<ParsedTable> Table = new(() => Parse(GeneratedGroupTable));

    private static readonly ConcurrentDictionary<int, DicomContextGroup> Expanded = new();

    /// <summary>Every context group number, in table order (ascending).</summary>
    public static IEnumerable<int> Cids => Table.Value.Order;

    /// <summary>
    /// The context group <paramref name="cid"/>, its included groups expanded recursively (each group
    /// once, so cycles end), codes in table order without duplicates (same scheme and value).
    /// </summary>
    public static bool TryGet(int cid, [NotNullWhen(true)] out DicomContextGroup? group)
    {
        var table = Table.Value;
        if (!table.Groups.ContainsKey(cid))
        {
            group = null;
            return false;
        }

        group = Expanded.GetOrAdd(cid, static (c, t) => Expand(c, t), table);
        return true;
    }

    /// <summary>Like <see cref="TryGet"/>, throwing <see cref="KeyNotFoundException"/> for an unknown CID.</summary>
    public static DicomContextGroup Get(int cid) =>
        TryGet(cid, out var group) ? group : throw new KeyNotFoundException($"CID {cid} is not a known context group.");

    private static DicomContextGroup Expand(int cid, ParsedTable table)
    {
        var root = table.Groups[cid];
        var codes = new List<DicomCode>();
        var seenCodes = new HashSet<(string Scheme, string Value)>();
        var visited = new HashSet<int>();
        Add(root);
        return new DicomContextGroup(root.Cid, root.Name, root.Uid, root.Version, new ReadOnlyCollection<DicomCode>(codes));

        void Add(RawGroup group)
        {
            if (!visited.Add(group.Cid))
            {
                return; // already expanded here: a cycle, or a group included twice
            }

            foreach (var member in group.Members)
            {
                if (member.Code is { } code)
                {
                    if (seenCodes.Add((code.Scheme, code.Value)))
                    {
                        codes.Add(code);
                    }
                }
                else if (table.Groups.TryGetValue(member.IncludedCid, out var included))
                {
                    Add(included);
                }

                // An include of a CID missing from the table adds nothing (CID 7192 includes 7163 in 2026b).
            }
        }
    }

    /// <summary>
    /// Reads the generated table: a line "#cid|name|uid|version" starts a group, then
    /// "scheme|value|meaning" is a code and "&gt;cid" an included group.
    /// </summary>
    private static ParsedTable Parse(string text)
    {
        var groups = new Dictionary<int, RawGroup>();
        var order = new List<int>();
        RawGroup? current = null;
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }

            if (line[0] == '#')
            {
                var fields = line[1..].Split('|');
                current = new RawGroup(int.Parse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture), fields[1], fields[2], fields[3], []);
                groups.Add(current.Cid, current);
                order.Add(current.Cid);
            }
            else if (current is null)
            {
                throw new InvalidOperationException("Generated context group table: a member comes before any group.");
            }
            else if (line[0] == '>')
            {
                current.Members.Add(new RawMember(null, int.Parse(line.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture)));
            }
            else
            {
                var fields = line.Split('|');
                current.Members.Add(new RawMember(new DicomCode(fields[0], fields[1], fields[2]), 0));
            }
        }

        return new ParsedTable(groups.ToFrozenDictionary(), order.AsReadOnly());
    }

    private sealed record ParsedTable(FrozenDictionary<int, RawGroup> Groups, ReadOnlyCollection<int> Order);

    private sealed record RawGroup(int Cid, string Name, string Uid, string Version, List<RawMember> Members);

    /// <summary>A code, or (when <see cref="Code"/> is null) an included group.</summary>
    private readonly record struct RawMember(DicomCode? Code, int IncludedCid);
}
