using RadAI.Dicom;
using RadAI.Dicom.IO;

namespace RadAI.ReportBuilder.Dicom;

/// <summary>What the encapsulated PDF is made from.</summary>
/// <param name="Pdf">The PDF file's bytes (written as they are).</param>
/// <param name="Title">Document Title, in the report's language.</param>
/// <param name="Language">Language of the document: <c>fr</c> or <c>en</c> (one instance per language).</param>
/// <param name="Sources">Instances whose content the document shows (the SR, key images): Source Instance Sequence.</param>
public sealed record EncapsulatedPdfRequest(ReadOnlyMemory<byte> Pdf, string Title, string Language, IReadOnlyList<InstanceReference>? Sources = null);

/// <summary>
/// Builds the Encapsulated PDF IOD that carries the human-readable report in the source study: Document Title,
/// Concept Name (LN 18748-4 "Diagnostic Imaging Report"), MIME type, the PDF's exact length in Encapsulated
/// Document Length (0042,0015) and the OB value padded with one 00H byte when the length is odd.
/// </summary>
public static class EncapsulatedPdfBuilder
{
    /// <summary>Builds the encapsulated PDF (not yet written).</summary>
    public static DicomFile Build(EncapsulatedPdfRequest request, SourceStudy source, ReportContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(context);
        if (request.Pdf.Length < 5 || !request.Pdf.Span[..5].SequenceEqual("%PDF-"u8))
        {
            throw new ArgumentException("The document is not a PDF (no %PDF- header).", nameof(request));
        }

        var dataset = ReportModules.CreateFromSource(source, [request.Title, ReportSeries.PdfDescription, context.Device.Manufacturer, context.Device.ModelName,
            context.Device.DeviceSerialNumber, context.Device.InstitutionName, context.Device.StationName]);
        var encoding = new ReportEncoding(dataset.CharacterSet);
        ReportModules.AddNewInstance(dataset, context.Device, new NewInstance(
            DicomUids.EncapsulatedPDFStorage,
            context.Uids.Pdf(request.Language),
            "DOC",
            context.Uids.PdfSeries,
            ReportSeries.PdfNumber,
            ReportSeries.PdfDescription,
            request.Language == "en" ? 2 : 1,
            context.CreatedAt));

        // SC Equipment, Encapsulated Document.
        dataset.AddOrUpdate(DicomTags.ConversionType, "WSD");
        dataset.AddOrUpdate(DicomTags.AcquisitionDateTime, context.CreatedAt.ToLocalTime().DateTime);
        // The report names the patient: identifying text is part of the document.
        dataset.AddOrUpdate(DicomTags.BurnedInAnnotation, "YES");
        dataset.AddOrUpdate(DicomTags.DocumentTitle, request.Title);
        dataset.AddOrUpdate(DicomTags.ConceptNameCodeSequence, encoding.CodeItem(SrCodes.Title.DiagnosticImagingReport));
        dataset.AddOrUpdate(DicomTags.MIMETypeOfEncapsulatedDocument, "application/pdf");
        dataset.AddOrUpdate(DicomTags.EncapsulatedDocumentLength, DicomVR.UL, (uint)request.Pdf.Length);
        dataset.AddOrUpdateBytes(DicomTags.EncapsulatedDocument, DicomVR.OB, request.Pdf.Span);
        if (request.Sources is { Count: > 0 } sources)
        {
            dataset.AddOrUpdate(DicomTags.SourceInstanceSequence, new DicomSequence(
                sources.DistinctBy(s => s.SopInstanceUid).Select(s => ReportModules.InstanceItem(s.SopClassUid, s.SopInstanceUid))));
        }

        return new DicomFile(dataset, DicomTransferSyntax.ExplicitVRLittleEndian);
    }
}
