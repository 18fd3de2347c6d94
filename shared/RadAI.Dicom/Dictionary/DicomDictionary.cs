using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;

namespace RadAI.Dicom;

/// <summary>
/// The DICOM data dictionary (PS3.6 2026b and the PS3.7 command group), generated from the tables in
/// tools/dicom-generator/tables by RadAI.Dicom.Generator (see Generated/DicomDictionary.g.cs).
/// </summary>
public static partial class DicomDictionary
{
    private static readonly DicomDictionaryEntry PrivateCreatorEntry =
        new(0, 0, "PrivateCreator", "Private Creator", DicomVR.LO, DicomVR.None, DicomVR.None, "1", false);

    private static readonly DicomDictionaryEntry GroupLengthEntry =
        new(0, 0, "GroupLength", "Group Length", DicomVR.UL, DicomVR.None, DicomVR.None, "1", false);

    private static readonly Lazy<Index> Indexes = new(() => new Index(CreateEntries()));

    // Built on first use only: reading and listing files never look a keyword up, so a short-lived
    // process (radai dump) does not build this second index of ~5,000 keys.
    private static readonly Lazy<FrozenDictionary<string, DicomDictionaryEntry>.AlternateLookup<ReadOnlySpan<char>>> KeywordIndex = new(() =>
        Indexes.Value.All.Where(e => e.Keyword.Length > 0).ToFrozenDictionary(e => e.Keyword, StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>());

    /// <summary>Every entry, in tag order.</summary>
    public static IReadOnlyList<DicomDictionaryEntry> Entries => Indexes.Value.All;

    /// <summary>
    /// The entry for <paramref name="tag"/>: exact tags first, then repeating groups; private creator
    /// and group length elements get generic entries. False for unknown tags (private data elements).
    /// </summary>
    public static bool TryGet(DicomTag tag, [NotNullWhen(true)] out DicomDictionaryEntry? entry)
    {
        var index = Indexes.Value;
        if (index.ByTag.TryGetValue(tag.Value, out entry))
        {
            return true;
        }

        if (tag.IsPrivateCreator)
        {
            entry = PrivateCreatorEntry;
            return true;
        }

        if (tag.IsGroupLength)
        {
            entry = GroupLengthEntry;
            return true;
        }

        if (!tag.IsPrivate)
        {
            foreach (var repeating in index.Repeating)
            {
                if (repeating.Matches(tag))
                {
                    entry = repeating;
                    return true;
                }
            }
        }

        entry = null;
        return false;
    }

    /// <summary>The entry whose keyword is <paramref name="keyword"/> (case-sensitive).</summary>
    public static bool TryGetByKeyword(ReadOnlySpan<char> keyword, [NotNullWhen(true)] out DicomDictionaryEntry? entry) =>
        KeywordIndex.Value.TryGetValue(keyword, out entry);

    /// <summary>The dictionary VR of a tag (first VR when ambiguous); UN when the tag is unknown.</summary>
    public static DicomVR GetVR(DicomTag tag) => TryGet(tag, out var entry) ? entry.VR : DicomVR.UN;

    /// <summary>The keyword of a tag, or null when unknown.</summary>
    public static string? GetKeyword(DicomTag tag) => TryGet(tag, out var entry) ? entry.Keyword : null;

    /// <summary>The name of a tag; "Unknown Tag" or "Private Tag" when not in the dictionary.</summary>
    public static string GetName(DicomTag tag) => TryGet(tag, out var entry) ? entry.Name : tag.IsPrivate ? "Private Tag" : "Unknown Tag";

    // Implemented in Generated/DicomDictionary.g.cs.
    private static partial DicomDictionaryEntry[] CreateEntries();

    private sealed class Index
    {
        public Index(DicomDictionaryEntry[] entries)
        {
            All = entries;
            ByTag = entries.Where(e => !e.IsRepeating).ToFrozenDictionary(e => e.TagValue);
            Repeating = [.. entries.Where(e => e.IsRepeating)];
        }

        public DicomDictionaryEntry[] All { get; }

        public FrozenDictionary<uint, DicomDictionaryEntry> ByTag { get; }

        public DicomDictionaryEntry[] Repeating { get; }
    }
}
