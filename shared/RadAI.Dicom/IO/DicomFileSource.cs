namespace RadAI.Dicom.IO;

/// <summary>
/// Where the bytes of a stored Part 10 file come from. A plain file is its own bytes; a file stored transformed (encrypted
/// at rest, say) is opened through a source that undoes the transformation as it reads, so that <see cref="DicomFile"/>,
/// lazily read values (pixel data) and <see cref="Network.DicomClient"/> work on it as on a plain file.
/// </summary>
public abstract class DicomFileSource
{
    protected DicomFileSource(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = path;
    }

    /// <summary>The stored file, as given (what messages and results name).</summary>
    public string Path { get; }

    /// <summary>
    /// Opens the file's DICOM bytes from their start. The stream must seek and know its length (values are skipped and
    /// read later where they are). A <see cref="FileStream"/> means the bytes on disk are the DICOM bytes themselves:
    /// readers then use the file directly (positioned reads, values read from the file).
    /// </summary>
    public abstract Stream OpenRead();

    /// <summary>Opens the file's DICOM bytes (see <see cref="OpenRead"/>).</summary>
    public virtual ValueTask<Stream> OpenReadAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(OpenRead());

    /// <summary>The file at <paramref name="path"/>, read as it is.</summary>
    public static DicomFileSource FromPath(string path) => new PlainFile(path);

    public override string ToString() => Path;

    /// <summary>A plain file opened for one pass from start to end (unbuffered: the readers buffer), deletable meanwhile.</summary>
    internal static FileStream OpenSequential(string path) => new(path, new FileStreamOptions
    {
        Mode = FileMode.Open,
        Access = FileAccess.Read,
        Share = FileShare.Read | FileShare.Delete,
        Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
        BufferSize = 0,
    });

    private sealed class PlainFile(string path) : DicomFileSource(path)
    {
        public override Stream OpenRead() => OpenSequential(Path);
    }
}

/// <summary>
/// A value (pixel data, a fragment) of a file read through a <see cref="DicomFileSource"/> that is not the plain file:
/// read when asked by opening the source again and seeking to it, so nothing of it stays in memory meanwhile.
/// </summary>
public sealed class DicomSourceBulkValue(DicomFileSource source, long offset, long length, int swapUnit = 1) : DicomFileRegionValue(offset, length, swapUnit)
{
    public DicomFileSource Source => source;

    protected override string FileName => source.Path;

    protected override Stream OpenFile() => source.OpenRead();

    protected override ValueTask<Stream> OpenFileForRangeAsync(CancellationToken cancellationToken) => source.OpenReadAsync(cancellationToken);
}
