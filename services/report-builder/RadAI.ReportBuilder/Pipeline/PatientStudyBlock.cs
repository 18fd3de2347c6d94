using RadAI.Dicom;
using RadAI.ReportBuilder.Rendering;

namespace RadAI.ReportBuilder.Pipeline;

/// <summary>The PDF's patient and study block, read from a source header (never logged).</summary>
public static class PatientStudyBlock
{
    /// <summary>The block's fields as printed: names "FAMILY Given", dates in the report's language; absent attributes empty.</summary>
    public static ReportPatientStudy From(DicomDataset header, string language)
    {
        ArgumentNullException.ThrowIfNull(header);
        return new ReportPatientStudy(
            Name(header, DicomTags.PatientName),
            Text(header, DicomTags.PatientID),
            Date(header, DicomTags.PatientBirthDate, language),
            Text(header, DicomTags.PatientSex),
            Date(header, DicomTags.StudyDate, language),
            Text(header, DicomTags.AccessionNumber),
            Text(header, DicomTags.StudyDescription),
            Name(header, DicomTags.ReferringPhysicianName));
    }

    private static string Text(DicomDataset header, DicomTag tag) => header.TryGetString(tag, out var value) ? value.Trim() : "";

    private static string Date(DicomDataset header, DicomTag tag, string language) => ReportStrings.For(language).DicomDate(Text(header, tag));

    private static string Name(DicomDataset header, DicomTag tag)
    {
        if (!header.TryGetPersonName(tag, out var name))
        {
            return "";
        }

        var alphabetic = name.Alphabetic;
        return string.Join(' ', new[] { alphabetic.Family.ToUpperInvariant(), alphabetic.Given, alphabetic.Middle }.Where(p => !string.IsNullOrWhiteSpace(p)));
    }
}
