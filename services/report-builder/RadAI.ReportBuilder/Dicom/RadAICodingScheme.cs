using RadAI.Contracts.Findings;
using RadAI.Dicom;

namespace RadAI.ReportBuilder.Dicom;

/// <summary>RadAI's private coding scheme (<see cref="RadAICodes"/>) in the objects report-builder writes.</summary>
internal static class RadAICodingScheme
{
    /// <summary>Declares the scheme in the object's Coding Scheme Identification Sequence (SOP Common) when one of its items uses it.</summary>
    public static void DeclareWhereUsed(DicomDataset dataset)
    {
        if (Uses(dataset))
        {
            dataset.AddOrUpdate(DicomTags.CodingSchemeIdentificationSequence, new DicomDataset()
                .AddOrUpdate(DicomTags.CodingSchemeDesignator, RadAICodes.Scheme)
                .AddOrUpdate(DicomTags.CodingSchemeName, RadAICodes.SchemeName)
                .AddOrUpdate(DicomTags.CodingSchemeResponsibleOrganization, RadAICodes.ResponsibleOrganization));
        }

        static bool Uses(DicomDataset item) =>
            (item.TryGetString(DicomTags.CodingSchemeDesignator, out var scheme) && scheme == RadAICodes.Scheme)
            || item.Any(e => e.Sequence is { } sequence && sequence.Any(Uses));
    }
}
