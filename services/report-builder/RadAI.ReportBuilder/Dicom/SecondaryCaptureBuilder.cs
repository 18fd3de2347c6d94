using RadAI.Contracts.Findings;
using RadAI.Dicom;
using RadAI.Dicom.IO;

namespace RadAI.ReportBuilder.Dicom;

/// <summary>One rendered key image.</summary>
/// <param name="Key">Stable name of the image within the job (e.g. the finding it shows): its SOP Instance UID derives from it.</param>
/// <param name="Rgb">Pixels, 8-bit RGB interleaved (R, G, B of the top left pixel first), row by row.</param>
/// <param name="Width">Columns.</param>
/// <param name="Height">Rows.</param>
/// <param name="SourceImage">The source slice it was rendered from, when there is one.</param>
/// <param name="Comment">Image Comments (e.g. what the overlay shows), in the report's language.</param>
public sealed record SecondaryCaptureRequest(string Key, ReadOnlyMemory<byte> Rgb, int Width, int Height, ImageReference? SourceImage, string? Comment = null);

/// <summary>
/// Builds Secondary Capture images of the rendered key slices: RGB 8-bit, in a new series of the source study
/// whose description carries the "IA / AI" marker, Burned In Annotation YES (the rendering draws text and
/// contours on the pixels), referring to the source slice they show.
/// </summary>
public static class SecondaryCaptureBuilder
{
    private static readonly DicomCode SourceImageForProcessing = new("DCM", "121322", "Source image for image processing operation");

    /// <summary>Builds one key image (not yet written); <paramref name="instanceNumber"/> orders the series.</summary>
    public static DicomFile Build(SecondaryCaptureRequest request, SourceStudy source, ReportContext context, int instanceNumber)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(request.Width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(request.Height);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(request.Width, ushort.MaxValue);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(request.Height, ushort.MaxValue);
        if (request.Rgb.Length != (long)request.Width * request.Height * 3)
        {
            throw new ArgumentException($"{request.Rgb.Length} bytes for {request.Width}×{request.Height} RGB pixels.", nameof(request));
        }

        var dataset = ReportModules.CreateFromSource(source, [request.Comment, ReportSeries.KeyImageDescription, context.Device.Manufacturer,
            context.Device.ModelName, context.Device.DeviceSerialNumber, context.Device.InstitutionName, context.Device.StationName]);
        var encoding = new ReportEncoding(dataset.CharacterSet);
        var created = context.CreatedAt.ToLocalTime().DateTime;
        ReportModules.AddNewInstance(dataset, context.Device, new NewInstance(
            DicomUids.SecondaryCaptureImageStorage,
            context.Uids.KeyImage(request.Key),
            "OT",
            context.Uids.KeyImageSeries,
            ReportSeries.KeyImageNumber,
            ReportSeries.KeyImageDescription,
            instanceNumber,
            context.CreatedAt));

        // General Series, SC Equipment, General Image, SC Image.
        dataset.AddOrUpdate(DicomTags.SeriesDate, DateOnly.FromDateTime(created));
        dataset.AddOrUpdate(DicomTags.SeriesTime, TimeOnly.FromDateTime(created));
        dataset.AddOrUpdate(DicomTags.ConversionType, "WSD");
        dataset.AddOrUpdate(DicomTags.ImageType, "DERIVED", "SECONDARY");
        dataset.AddOrUpdate(DicomTags.PatientOrientation, "");
        dataset.AddOrUpdate(DicomTags.BurnedInAnnotation, "YES");
        dataset.AddOrUpdate(DicomTags.LossyImageCompression, "00");
        if (request.Comment is { Length: > 0 } comment)
        {
            dataset.AddOrUpdate(DicomTags.ImageComments, comment);
        }

        // Laterality: the source's; else Image Laterality B, as a cross-section shows both sides of the body.
        var sourceSeries = request.SourceImage is { } shown ? source.Series.FirstOrDefault(s => s.Instances.ContainsKey(shown.SopInstanceUid)) : null;
        var sourceHeader = sourceSeries?.Template ?? source.Template;
        if (sourceHeader.TryGetString(DicomTags.Laterality, out var laterality) && laterality.Length > 0)
        {
            dataset.AddOrUpdate(DicomTags.Laterality, laterality);
        }
        else
        {
            dataset.AddOrUpdate(DicomTags.ImageLaterality, sourceHeader.TryGetString(DicomTags.ImageLaterality, out var imageLaterality) && imageLaterality.Length > 0 ? imageLaterality : "B");
        }

        if (request.SourceImage is { } image)
        {
            var instance = sourceSeries?.Instances.GetValueOrDefault(image.SopInstanceUid);
            var frame = instance is { NumberOfFrames: > 1 } || image.Frame > 1 ? image.Frame : (int?)null;
            dataset.AddOrUpdate(DicomTags.SourceImageSequence, ReportModules.InstanceItem(image.SopClassUid, image.SopInstanceUid, frame)
                .AddOrUpdate(DicomTags.PurposeOfReferenceCodeSequence, encoding.CodeItem(SourceImageForProcessing)));
            dataset.AddOrUpdate(DicomTags.DerivationDescription, "AI findings drawn over the source image");
        }

        // Image Pixel: RGB, 8 bits, interleaved.
        dataset.AddOrUpdate(DicomTags.SamplesPerPixel, DicomVR.US, 3);
        dataset.AddOrUpdate(DicomTags.PhotometricInterpretation, "RGB");
        dataset.AddOrUpdate(DicomTags.PlanarConfiguration, DicomVR.US, 0);
        dataset.AddOrUpdate(DicomTags.Rows, DicomVR.US, request.Height);
        dataset.AddOrUpdate(DicomTags.Columns, DicomVR.US, request.Width);
        dataset.AddOrUpdate(DicomTags.BitsAllocated, DicomVR.US, 8);
        dataset.AddOrUpdate(DicomTags.BitsStored, DicomVR.US, 8);
        dataset.AddOrUpdate(DicomTags.HighBit, DicomVR.US, 7);
        dataset.AddOrUpdate(DicomTags.PixelRepresentation, DicomVR.US, 0);
        dataset.AddOrUpdateBytes(DicomTags.PixelData, DicomVR.OB, request.Rgb.Span);
        return new DicomFile(dataset, DicomTransferSyntax.ExplicitVRLittleEndian);
    }
}
