namespace RadAI.Dicom;

/// <summary>How an element was found in its stream; the writer keeps the same form by default.</summary>
[Flags]
internal enum DicomEntryFlags : byte
{
    None = 0,

    /// <summary>The sequence (or item) was written with undefined length and delimiters.</summary>
    UndefinedLength = 1,

    /// <summary>The value had an odd length in the source (a vendor defect; padded when written).</summary>
    OddLength = 2,

    /// <summary>The source said UN and the dictionary's VR was used instead.</summary>
    ReadAsUN = 4,
}

/// <summary>
/// One element as a dataset stores it: a struct in the dataset's array, whose value is a slice of
/// the dataset tree's arena (little endian) or, for sequences, fragments and large values, a payload.
/// </summary>
internal struct DicomEntry
{
    public DicomTag Tag;
    public DicomVR VR;
    public DicomEntryFlags Flags;
    public ReadOnlyMemory<byte> Value;

    /// <summary><see cref="DicomSequence"/>, <see cref="DicomFragments"/>, <see cref="DicomBulkValue"/> or null.</summary>
    public object? Payload;
}
