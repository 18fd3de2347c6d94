namespace RadAI.ReportBuilder.Dicom;

/// <summary>A DICOM instance, identified down from its study (Hierarchical SOP Instance Reference).</summary>
/// <param name="StudyInstanceUid">Study Instance UID.</param>
/// <param name="SeriesInstanceUid">Series Instance UID.</param>
/// <param name="SopClassUid">SOP Class UID.</param>
/// <param name="SopInstanceUid">SOP Instance UID.</param>
public sealed record InstanceReference(string StudyInstanceUid, string SeriesInstanceUid, string SopClassUid, string SopInstanceUid);

/// <summary>The SEG written for a run, as the SR refers to it (TID 1411 Referenced Segment).</summary>
/// <param name="RunId">The run whose label map it holds.</param>
/// <param name="Instance">The SEG instance.</param>
/// <param name="SegmentNumbers">The segments it holds (segments without a voxel are left out of the SEG).</param>
public sealed record SegmentationReference(string RunId, InstanceReference Instance, IReadOnlyList<int> SegmentNumbers);

/// <summary>When, where and in which series a report object is made.</summary>
/// <param name="Uids">The job's UIDs.</param>
/// <param name="Device">The RadAI node.</param>
/// <param name="CreatedAt">Content and instance creation date and time.</param>
public sealed record ReportContext(ReportUids Uids, ReportDevice Device, DateTimeOffset CreatedAt);

/// <summary>Series numbers and descriptions of the report objects (new series in the source study).</summary>
public static class ReportSeries
{
    /// <summary>Series Number of the SR.</summary>
    public const int MeasurementReportNumber = 9001;

    /// <summary>Series Number of the SEG objects.</summary>
    public const int SegmentationNumber = 9002;

    /// <summary>Series Number of the encapsulated PDF.</summary>
    public const int PdfNumber = 9003;

    /// <summary>Series Number of the key images.</summary>
    public const int KeyImageNumber = 9004;

    /// <summary>Series Description of the SR.</summary>
    public const string MeasurementReportDescription = "IA / AI - RadAI measurement report (unverified)";

    /// <summary>Series Description of the SEG objects.</summary>
    public const string SegmentationDescription = "IA / AI - RadAI segmentation";

    /// <summary>Series Description of the encapsulated PDF.</summary>
    public const string PdfDescription = "IA / AI - RadAI report (PDF)";

    /// <summary>Series Description of the key images.</summary>
    public const string KeyImageDescription = "IA / AI - RadAI key images";
}
