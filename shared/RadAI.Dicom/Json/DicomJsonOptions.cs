namespace RadAI.Dicom.Json;

/// <summary>How to write the DICOM JSON model (PS3.18 F.2).</summary>
public sealed record DicomJsonOptions
{
    public static DicomJsonOptions Default { get; } = new();

    /// <summary>Indent the output.</summary>
    public bool WriteIndented { get; init; }

    /// <summary>
    /// Binary values longer than this (bytes) are written as a BulkDataURI from <see cref="BulkDataUri"/>
    /// instead of InlineBinary, when that callback is given. Default 1024.
    /// </summary>
    public int BulkDataThreshold { get; init; } = 1024;

    /// <summary>Makes the BulkDataURI of a large binary element (e.g. a WADO-RS address); null keeps everything inline.</summary>
    public Func<DicomElement, string>? BulkDataUri { get; init; }

    /// <summary>Write group length elements (gggg,0000) when the dataset has them (as pydicom does). Default true.</summary>
    public bool IncludeGroupLengths { get; init; } = true;
}
