namespace RadAI.Dicom.IO;

/// <summary>How to read a DICOM stream.</summary>
public sealed record DicomReadOptions
{
    /// <summary>The defaults: values of 64 KiB or more stay lazy when the source is a file.</summary>
    public static DicomReadOptions Default { get; } = new();

    /// <summary>
    /// Values at least this long are not loaded: from a file they become lazy references
    /// (<see cref="DicomFileBulkValue"/>); from memory, slices of it. Default 64 KiB.
    /// </summary>
    public int LargeValueThreshold { get; init; } = 64 * 1024;

    /// <summary>Stop before the first top-level element with this tag or a greater one (e.g. Pixel Data, to read the header only).</summary>
    public DicomTag? StopBeforeTag { get; init; }

    /// <summary>Deepest sequence nesting accepted (hostile files nest without end). Default 64.</summary>
    public int MaxDepth { get; init; } = 64;

    /// <summary>Replace UN with the dictionary's VR for known public tags (re-parsing sequences). Default true.</summary>
    public bool ResolveUnknownVR { get; init; } = true;
}
