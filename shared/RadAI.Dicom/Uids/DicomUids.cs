using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;

namespace RadAI.Dicom;

/// <summary>
/// The UID registry. Generated/DicomUids.g.cs adds one constant per keyword of PS3.6 Annex A
/// (e.g. <c>DicomUids.CTImageStorage</c>) and the registry data.
/// </summary>
public static partial class DicomUids
{
    private static readonly Lazy<FrozenDictionary<string, DicomUidInfo>> Registry =
        new(() => CreateRegistry().ToFrozenDictionary(u => u.Uid, StringComparer.Ordinal));

    /// <summary>Every registered UID.</summary>
    public static IEnumerable<DicomUidInfo> All => Registry.Value.Values;

    /// <summary>What the registry says of <paramref name="uid"/>.</summary>
    public static bool TryGetInfo(string uid, [NotNullWhen(true)] out DicomUidInfo? info) => Registry.Value.TryGetValue(uid, out info);

    /// <summary>What the registry says of <paramref name="uid"/>, looked up without making a string of it.</summary>
    public static bool TryGetInfo(ReadOnlySpan<char> uid, [NotNullWhen(true)] out DicomUidInfo? info) =>
        Registry.Value.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(uid, out info);

    /// <summary>The registered name of a UID, or the UID itself when it is not registered.</summary>
    public static string NameOf(string uid) => TryGetInfo(uid, out var info) ? info.Name : uid;

    // Implemented in Generated/DicomUids.g.cs.
    private static partial DicomUidInfo[] CreateRegistry();
}
