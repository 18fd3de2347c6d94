namespace RadAI.Dicom;

/// <summary>
/// Encapsulated pixel data (PS3.5 A.4): the Basic Offset Table (first item, possibly empty) and the
/// fragments that follow, each a separate (usually lazy) value.
/// </summary>
public sealed class DicomFragments
{
    /// <summary>Encapsulated pixel data with the given offset table and fragments.</summary>
    public DicomFragments(IReadOnlyList<uint> basicOffsetTable, IEnumerable<DicomBulkValue> fragments)
    {
        BasicOffsetTable = basicOffsetTable;
        Fragments.AddRange(fragments);
    }

    /// <summary>Byte offsets of each frame's first fragment, relative to the first fragment's item tag; empty when absent.</summary>
    public IReadOnlyList<uint> BasicOffsetTable { get; }

    /// <summary>The fragments, in order.</summary>
    public List<DicomBulkValue> Fragments { get; } = [];

    /// <summary>Total encoded length of the items (8 bytes of header each, offset table included), without the sequence delimiter.</summary>
    public long EncodedLength => 8 + (4L * BasicOffsetTable.Count) + Fragments.Sum(f => 8 + f.Length + (f.Length & 1));
}
