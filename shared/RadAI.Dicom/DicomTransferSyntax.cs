using System.Collections.Frozen;

namespace RadAI.Dicom;

/// <summary>
/// A transfer syntax: how a dataset is encoded (VR explicit or not, byte order, deflate) and whether
/// its pixel data is encapsulated. Known syntaxes come from the generated table
/// (Generated/DicomTransferSyntaxes.g.cs); an unknown UID is taken as explicit VR little endian with
/// encapsulated pixel data, as PS3.5 requires of every syntax after the first ones.
/// </summary>
public sealed partial class DicomTransferSyntax : IEquatable<DicomTransferSyntax>
{
    private static readonly Lazy<FrozenDictionary<string, DicomTransferSyntax>> Known =
        new(() => CreateAll().ToFrozenDictionary(t => t.Uid, StringComparer.Ordinal));

    /// <summary>Describes a transfer syntax.</summary>
    public DicomTransferSyntax(string uid, string keyword, string name, bool isExplicitVR, bool isLittleEndian,
        bool isEncapsulated, bool isDeflated, bool hasPixelData, string compression, bool isRetired, bool isKnown = true)
    {
        Uid = uid;
        Keyword = keyword;
        Name = name;
        IsExplicitVR = isExplicitVR;
        IsLittleEndian = isLittleEndian;
        IsEncapsulated = isEncapsulated;
        IsDeflated = isDeflated;
        HasPixelData = hasPixelData;
        Compression = compression;
        IsRetired = isRetired;
        IsKnown = isKnown;
    }

    public string Uid { get; }

    public string Keyword { get; }

    public string Name { get; }

    /// <summary>VR written in the stream (false: implicit VR, from the dictionary).</summary>
    public bool IsExplicitVR { get; }

    /// <summary>Little endian (false: big endian, retired).</summary>
    public bool IsLittleEndian { get; }

    /// <summary>Pixel data in fragments (compressed, or encapsulated uncompressed).</summary>
    public bool IsEncapsulated { get; }

    /// <summary>The dataset after the meta group is deflated (RFC 1951).</summary>
    public bool IsDeflated { get; }

    /// <summary>False for the syntaxes that carry no pixel data (e.g. JPIP referenced).</summary>
    public bool HasPixelData { get; }

    /// <summary>lossless, lossy, lossless-or-lossy, n/a...</summary>
    public string Compression { get; }

    public bool IsRetired { get; }

    /// <summary>False for a UID that is not in the table.</summary>
    public bool IsKnown { get; }

    /// <summary>Every known transfer syntax.</summary>
    public static IEnumerable<DicomTransferSyntax> All => Known.Value.Values;

    /// <summary>The known syntax for a UID, or a description of an unknown one (explicit VR LE, encapsulated).</summary>
    public static DicomTransferSyntax Lookup(string uid)
    {
        uid = uid.TrimEnd('\0', ' ');
        return Known.Value.TryGetValue(uid, out var known)
            ? known
            : new DicomTransferSyntax(uid, "", uid, isExplicitVR: true, isLittleEndian: true, isEncapsulated: true,
                isDeflated: false, hasPixelData: true, compression: "unknown", isRetired: false, isKnown: false);
    }

    /// <summary>True for a known UID.</summary>
    public static bool TryLookup(string uid, out DicomTransferSyntax syntax)
    {
        syntax = Lookup(uid);
        return syntax.IsKnown;
    }

    public bool Equals(DicomTransferSyntax? other) => other is not null && Uid == other.Uid;

    public override bool Equals(object? obj) => obj is DicomTransferSyntax other && Equals(other);

    public override int GetHashCode() => Uid.GetHashCode(StringComparison.Ordinal);

    public override string ToString() => $"{Name} ({Uid})";

    // Implemented in Generated/DicomTransferSyntaxes.g.cs.
    private static partial DicomTransferSyntax[] CreateAll();
}
