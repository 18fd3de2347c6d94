namespace RadAI.Dicom.IO;

/// <summary>How sequences and items are delimited when written.</summary>
public enum DicomSequenceLengths
{
    /// <summary>As they were read (a new sequence: undefined length). Keeps a re-written file close to its source.</summary>
    Preserve,

    /// <summary>Undefined length with delimiters everywhere (streamable, what most toolkits write).</summary>
    Undefined,

    /// <summary>Explicit lengths everywhere (computed before writing).</summary>
    Defined,
}

/// <summary>How to write a DICOM file or dataset.</summary>
public sealed record DicomWriteOptions
{
    /// <summary>The defaults: keep the source's transfer syntax and sequence form, recompute group lengths.</summary>
    public static DicomWriteOptions Default { get; } = new();

    /// <summary>Transfer syntax to write; null keeps the file's. Only the uncompressed syntaxes (and deflate) can be transcoded between.</summary>
    public DicomTransferSyntax? TransferSyntax { get; init; }

    /// <summary>Sequence and item delimitation.</summary>
    public DicomSequenceLengths SequenceLengths { get; init; } = DicomSequenceLengths.Preserve;

    /// <summary>Group length elements (gggg,0000) present in the dataset are kept with a recomputed value (true) or dropped (false).</summary>
    public bool KeepGroupLengths { get; init; } = true;

    /// <summary>Flush the file to disk (fsync) before the atomic rename when saving to a path.</summary>
    public bool Fsync { get; init; }
}
