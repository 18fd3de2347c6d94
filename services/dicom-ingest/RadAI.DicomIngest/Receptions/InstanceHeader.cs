using RadAI.Dicom;
using RadAI.Dicom.IO;

namespace RadAI.DicomIngest.Receptions;

/// <summary>What the index needs from an instance's data set: its UIDs and the series' description (values before Pixel Data).</summary>
public sealed record InstanceHeader(string? SopInstanceUid, string? StudyInstanceUid, string? SeriesInstanceUid, string Modality, string? BodyPartExamined, string? SeriesDescription)
{
    /// <summary>The data set read up to Pixel Data, not beyond: the index needs nothing after it.</summary>
    public static DicomReadOptions ReadOptions { get; } = DicomReadOptions.Default with { StopBeforeTag = DicomTags.PixelData };

    // The last of the values read here in tag order: a data set read past it holds all of them (PS3.5 7.1: ascending tags).
    private static readonly DicomTag LastTagRead = DicomTags.SeriesInstanceUID;

    public static InstanceHeader From(DicomDataset dataset) => new(
        dataset.TryGetString(DicomTags.SOPInstanceUID, out var instance) ? instance : null,
        dataset.TryGetString(DicomTags.StudyInstanceUID, out var study) ? study : null,
        dataset.TryGetString(DicomTags.SeriesInstanceUID, out var series) ? series : null,
        dataset.TryGetString(DicomTags.Modality, out var m) && m.Length > 0 ? m : "OT",
        dataset.TryGetString(DicomTags.BodyPartExamined, out var b) && b.Length > 0 ? b : null,
        dataset.TryGetString(DicomTags.SeriesDescription, out var d) && d.Length > 0 ? d : null);

    /// <summary>
    /// The header from the first bytes of a data set, kept as they streamed through: null when they do not
    /// settle it (the data set is longer than <paramref name="prefix"/> and the part read stops before Series
    /// Instance UID, or lacks a study or series UID it may hold further on; then read the stored file).
    /// A data set held whole that does not parse throws <see cref="DicomFormatException"/>, as the file would.
    /// </summary>
    public static async Task<InstanceHeader?> FromPrefixAsync(ReadOnlyMemory<byte> prefix, bool whole, DicomTransferSyntax syntax, CancellationToken cancellationToken)
    {
        DicomDataset dataset;
        try
        {
            dataset = await DicomFile.ReadDatasetAsync(prefix, syntax, ReadOptions, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!whole && e is DicomFormatException or EndOfStreamException or InvalidDataException)
        {
            // Cut inside an element: the file has the rest.
            return null;
        }

        var header = From(dataset);
        if (whole)
        {
            return header;
        }

        var readPast = false;
        foreach (var element in dataset)
        {
            readPast |= element.Tag > LastTagRead;
        }

        return readPast && header.StudyInstanceUid is not null && header.SeriesInstanceUid is not null ? header : null;
    }

    /// <summary>
    /// A stored Part 10 file read up to Pixel Data (its meta group and transfer syntax with it), and its header; read through
    /// <paramref name="source"/> (<c>FileStores.DicomSourceOf</c>: decrypted when the file is stored encrypted).
    /// </summary>
    public static async Task<(InstanceHeader Header, DicomFile File)> ReadFileAsync(DicomFileSource source, CancellationToken cancellationToken)
    {
        var file = await DicomFile.OpenAsync(source, ReadOptions, cancellationToken).ConfigureAwait(false);
        return (From(file.Dataset), file);
    }
}
