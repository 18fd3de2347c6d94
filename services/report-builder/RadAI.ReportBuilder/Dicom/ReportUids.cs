using RadAI.Dicom;

namespace RadAI.ReportBuilder.Dicom;

/// <summary>
/// The UIDs of a job's report objects, derived from the job id (name-based, <see cref="DicomUidGenerator.FromName"/>):
/// a re-run of the same job gives the same Series and SOP Instance UIDs, so a PACS receiving them again
/// replaces instead of duplicating. Names: <c>radai/{jobId}/{kind}/series</c>, <c>radai/{jobId}/{kind}/{key}</c>.
/// </summary>
public sealed class ReportUids(Guid jobId)
{
    /// <summary>The job the UIDs belong to.</summary>
    public Guid JobId { get; } = jobId;

    /// <summary>Series Instance UID of the SR series.</summary>
    public string MeasurementReportSeries => Uid("sr/series");

    /// <summary>SOP Instance UID of the SR.</summary>
    public string MeasurementReport => Uid("sr/1");

    /// <summary>Series Instance UID of the SEG series (one SEG per analysed series, all in this series).</summary>
    public string SegmentationSeries => Uid("seg/series");

    /// <summary>SOP Instance UID of the SEG of run <paramref name="runId"/>.</summary>
    public string Segmentation(string runId) => Uid($"seg/{runId}");

    /// <summary>Series Instance UID of the encapsulated PDF series.</summary>
    public string PdfSeries => Uid("pdf/series");

    /// <summary>SOP Instance UID of the encapsulated PDF in <paramref name="language"/>.</summary>
    public string Pdf(string language) => Uid($"pdf/{language}");

    /// <summary>Series Instance UID of the key image (Secondary Capture) series.</summary>
    public string KeyImageSeries => Uid("key-image/series");

    /// <summary>SOP Instance UID of key image <paramref name="key"/> (e.g. the finding it shows).</summary>
    public string KeyImage(string key) => Uid($"key-image/{key}");

    /// <summary>Tracking Unique Identifier (112040) of a finding: the same in the SR and in the SEG segment.</summary>
    public string Tracking(string runId, string findingId) => Uid($"tracking/{runId}/{findingId}");

    /// <summary>Dimension Organization UID of the SEG of run <paramref name="runId"/>.</summary>
    public string DimensionOrganization(string runId) => Uid($"seg/{runId}/dimensions");

    private string Uid(string name) => DicomUidGenerator.FromName($"radai/{JobId:N}/{name}");
}
