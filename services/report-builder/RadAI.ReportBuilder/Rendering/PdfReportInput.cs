using RadAI.Contracts.Findings;

namespace RadAI.ReportBuilder.Rendering;

/// <summary>The site that produced the report.</summary>
/// <param name="Name">Printed at the top of every page.</param>
/// <param name="Logo">A PNG or JPEG logo printed beside the name; none when null.</param>
public sealed record ReportInstitution(string Name, byte[]? Logo = null);

/// <summary>
/// The patient and study block, as plain strings taken from the source images (the caller formats them, e.g. with
/// <see cref="ReportStrings.DicomDate"/>); an empty string prints "not given".
/// </summary>
public sealed record ReportPatientStudy(
    string PatientName,
    string PatientId,
    string BirthDate,
    string Sex,
    string StudyDate,
    string AccessionNumber,
    string StudyDescription,
    string ReferringPhysician);

/// <summary>A rendered key image and what it shows.</summary>
public sealed record ReportKeyImage(KeyImageSlot Slot, KeyImage Image);

/// <summary>Everything the PDF report shows.</summary>
/// <param name="Institution">The site.</param>
/// <param name="PatientStudy">The patient and study block.</param>
/// <param name="Results">The findings document.</param>
/// <param name="KeyImages">The key images, in the order to show them (see <see cref="KeyImageSelection"/>).</param>
/// <param name="Language"><c>fr</c> or <c>en</c>.</param>
/// <param name="GeneratedAt">When the report is made (printed, with its offset).</param>
public sealed record PdfReportInput(
    ReportInstitution Institution,
    ReportPatientStudy PatientStudy,
    AnalysisResults Results,
    IReadOnlyList<ReportKeyImage> KeyImages,
    string Language,
    DateTimeOffset GeneratedAt);
