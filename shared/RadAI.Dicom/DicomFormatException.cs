namespace RadAI.Dicom;

/// <summary>
/// The one exception the reader raises for input that is not a readable DICOM stream: truncated,
/// inconsistent lengths, a length larger than the data, nesting too deep, an unknown encoding.
/// The message says what and where (byte offset, tag).
/// </summary>
public sealed class DicomFormatException : Exception
{
    public DicomFormatException(string message)
        : base(message)
    {
    }

    public DicomFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public DicomFormatException()
    {
    }

    /// <summary>Byte offset in the stream where the problem was found, when known.</summary>
    public long? Offset { get; init; }

    /// <summary>The element being read, when known.</summary>
    public DicomTag? Tag { get; init; }

    internal static DicomFormatException At(long offset, DicomTag? tag, string message) =>
        new($"{message} (at byte {offset}{(tag is { } t ? $", element {t}" : "")})") { Offset = offset, Tag = tag };
}
