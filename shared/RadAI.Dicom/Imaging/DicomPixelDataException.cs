namespace RadAI.Dicom.Imaging;

/// <summary>
/// The one exception type of the pixel-data layer: an impossible pixel description, pixel data that is
/// too short or malformed (RLE segments, encapsulation items, offset tables), or a transfer syntax
/// without a registered decoder. The message names what is wrong.
/// </summary>
public sealed class DicomPixelDataException : Exception
{
    public DicomPixelDataException()
    {
    }

    public DicomPixelDataException(string message)
        : base(message)
    {
    }

    public DicomPixelDataException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
