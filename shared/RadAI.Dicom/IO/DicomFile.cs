using System.Buffers.Binary;
using System.IO.Compression;

namespace RadAI.Dicom.IO;

/// <summary>
/// A DICOM file (PS3.10): preamble, File Meta Information (group 0002) and the dataset, with the
/// transfer syntax the dataset was read in and the warnings the reader gave (vendor defects it tolerated).
/// </summary>
public sealed class DicomFile
{
    private static readonly byte[] Magic = "DICM"u8.ToArray();

    // The preamble as read; an all-zero one (the usual) is only allocated when asked for.
    private readonly bool _preambleIsZeros;
    private byte[]? _preamble;

    /// <summary>A new file for a dataset; the meta group is filled in when saved.</summary>
    public DicomFile(DicomDataset dataset, DicomTransferSyntax? transferSyntax = null)
    {
        Dataset = dataset;
        FileMetaInformation = new DicomDataset();
        TransferSyntax = transferSyntax ?? DicomTransferSyntax.ExplicitVRLittleEndian;
        Warnings = [];
    }

    private DicomFile(DicomDataset meta, DicomDataset dataset, DicomTransferSyntax syntax, byte[]? preamble, bool preambleIsZeros, List<string> warnings, DicomFileSource? source, long? datasetOffset)
    {
        Source = source;
        DatasetOffset = datasetOffset;
        FileMetaInformation = meta;
        Dataset = dataset;
        TransferSyntax = syntax;
        _preamble = preamble;
        _preambleIsZeros = preambleIsZeros;
        Warnings = warnings;
    }

    /// <summary>Group 0002, as read (empty when the file had none).</summary>
    public DicomDataset FileMetaInformation { get; }

    /// <summary>The dataset.</summary>
    public DicomDataset Dataset { get; }

    /// <summary>How the dataset was encoded in the source (or will be, for a new file).</summary>
    public DicomTransferSyntax TransferSyntax { get; }

    /// <summary>The 128-byte preamble, or null when the file had none.</summary>
    public byte[]? Preamble
    {
        get
        {
            if (_preamble is null && _preambleIsZeros)
            {
                // The same array on every call, as for a preamble stored when read.
                Interlocked.CompareExchange(ref _preamble, new byte[128], null);
            }

            return _preamble;
        }
    }

    /// <summary>The preamble for the writer without allocating the all-zero one (empty then, as when there is none).</summary>
    internal ReadOnlySpan<byte> PreambleOrEmpty => _preamble;

    /// <summary>What the reader tolerated: odd lengths, missing meta, wrong VRs...</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>The file read, when read from a path or a <see cref="DicomFileSource"/>.</summary>
    public string? Path => Source?.Path;

    /// <summary>
    /// Where the file was read from, when it was: its bytes are read again from there (never from <see cref="Path"/>
    /// directly, which may hold them encrypted) for lazy values and for sending the data set as it is.
    /// </summary>
    public DicomFileSource? Source { get; }

    /// <summary>
    /// Byte offset of the data set (after preamble and meta) in the source, when it was not deflated: a
    /// sender can then copy the data set bytes as they are instead of re-encoding them.
    /// </summary>
    public long? DatasetOffset { get; }

    /// <summary>
    /// Reads a file. Values of <see cref="DicomReadOptions.LargeValueThreshold"/> bytes or more (pixel
    /// data) are not loaded: they are read from the file when asked, so the file must stay in place.
    /// </summary>
    public static async Task<DicomFile> OpenAsync(string path, DicomReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        var fullPath = System.IO.Path.GetFullPath(path);
        await using var stream = new FileStream(fullPath, new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            Share = FileShare.Read,
            Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
            BufferSize = 0,
        });
        using var input = DicomInput.FromStream(stream, fullPath);
        return await ReadCoreAsync(input, options ?? DicomReadOptions.Default, DicomFileSource.FromPath(fullPath), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads a file through <paramref name="source"/> (a file encrypted at rest, say), as <see cref="OpenAsync(string, DicomReadOptions?, CancellationToken)"/>
    /// reads a plain one: values of <see cref="DicomReadOptions.LargeValueThreshold"/> bytes or more are skipped by seeking
    /// and read from the source again when asked, so memory stays flat whatever the file's size.
    /// </summary>
    public static async Task<DicomFile> OpenAsync(DicomFileSource source, DicomReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        var stream = await source.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            if (!stream.CanSeek)
            {
                throw new ArgumentException($"The source of {source.Path} must open a seekable stream.", nameof(source));
            }

            // A plain file: read as by path (positioned reads, values read from the file).
            using var input = stream is FileStream ? DicomInput.FromStream(stream, source.Path) : DicomInput.FromSource(stream, source);
            return await ReadCoreAsync(input, options ?? DicomReadOptions.Default, source, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Reads from a stream (network, archive entry): large values are loaded into memory.</summary>
    public static async Task<DicomFile> ReadAsync(Stream stream, DicomReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var input = DicomInput.FromStream(stream);
        return await ReadCoreAsync(input, options ?? DicomReadOptions.Default, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads from bytes in memory: values are slices of <paramref name="bytes"/>, nothing is copied (but
    /// big endian values, swapped into copies), so the bytes must stay unchanged while the file is used.
    /// </summary>
    public static async Task<DicomFile> ReadAsync(ReadOnlyMemory<byte> bytes, DicomReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var input = DicomInput.FromMemory(bytes);
        return await ReadCoreAsync(input, options ?? DicomReadOptions.Default, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a dataset without preamble and meta, in a known transfer syntax (e.g. a DIMSE data set).</summary>
    public static async Task<DicomDataset> ReadDatasetAsync(Stream stream, DicomTransferSyntax syntax, DicomReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var input = DicomInput.FromStream(stream);
        var warnings = new List<string>();
        var arena = new DicomValueArena();
        var dataset = new DicomDataset(arena, null, capacity: 0);
        await ReadBodyAsync(new DicomParser(input, options ?? DicomReadOptions.Default, arena, warnings), syntax, dataset, cancellationToken).ConfigureAwait(false);
        return dataset;
    }

    /// <summary>
    /// Reads a dataset from memory without preamble and meta, in a known transfer syntax (e.g. a DIMSE
    /// command). Values are slices of <paramref name="bytes"/>, as for <see cref="ReadAsync(ReadOnlyMemory{byte}, DicomReadOptions?, CancellationToken)"/>.
    /// </summary>
    public static async Task<DicomDataset> ReadDatasetAsync(ReadOnlyMemory<byte> bytes, DicomTransferSyntax syntax, DicomReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var input = DicomInput.FromMemory(bytes);
        var arena = new DicomValueArena();
        var dataset = new DicomDataset(arena, null, capacity: 0);
        await ReadBodyAsync(new DicomParser(input, options ?? DicomReadOptions.Default, arena, []), syntax, dataset, cancellationToken).ConfigureAwait(false);
        return dataset;
    }

    private static async ValueTask<DicomFile> ReadCoreAsync(DicomInput input, DicomReadOptions options, DicomFileSource? source, CancellationToken cancellationToken)
    {
        var warnings = new List<string>();
        var arena = new DicomValueArena();
        var meta = new DicomDataset(arena, null, capacity: 0);
        // One parser for meta group and data set: ReadMetaGroupAsync does not look at StopBeforeTag.
        var parser = new DicomParser(input, options, arena, warnings);
        byte[]? preamble = null;
        var preambleIsZeros = false;

        await input.EnsureAsync(132, cancellationToken).ConfigureAwait(false);
        var head = input.Span;
        if (head.Length >= 132 && head.Slice(128, 4).SequenceEqual(Magic))
        {
            preambleIsZeros = !head[..128].ContainsAnyExcept((byte)0);
            preamble = preambleIsZeros ? null : head[..128].ToArray();
            input.Advance(132);
            await ReadMetaAsync(parser, meta, warnings, cancellationToken).ConfigureAwait(false);
        }
        else if (head.Length >= 8 && BinaryPrimitives.ReadUInt16LittleEndian(head) == 0x0002)
        {
            warnings.Add("No preamble: the file starts with the meta group.");
            await ReadMetaAsync(parser, meta, warnings, cancellationToken).ConfigureAwait(false);
        }
        else if (head.Length >= 4 && head[..4].SequenceEqual(Magic))
        {
            warnings.Add("No preamble before 'DICM'.");
            input.Advance(4);
            await ReadMetaAsync(parser, meta, warnings, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            warnings.Add("No preamble and no meta group: the transfer syntax is deduced from the data.");
        }

        DicomTransferSyntax syntax;
        if (CommonSyntax(meta) is { } common)
        {
            syntax = common;
        }
        else if (meta.TryGetString(DicomTags.TransferSyntaxUID, out var uid) && uid.Length > 0)
        {
            syntax = DicomTransferSyntax.Lookup(uid);
            if (!syntax.IsKnown)
            {
                warnings.Add($"Unknown transfer syntax {uid}: read as explicit VR little endian.");
            }
        }
        else
        {
            if (meta.Count > 0)
            {
                warnings.Add("The meta group has no Transfer Syntax UID: the transfer syntax is deduced from the data.");
            }

            syntax = await GuessSyntaxAsync(input, cancellationToken).ConfigureAwait(false);
        }

        var dataset = new DicomDataset(arena, null, capacity: 0);
        var datasetOffset = syntax.IsDeflated ? (long?)null : input.Position;
        syntax = await ReadBodyAsync(parser, syntax, dataset, cancellationToken).ConfigureAwait(false);
        return new DicomFile(meta, dataset, syntax, preamble, preambleIsZeros, warnings, source, datasetOffset);
    }

    /// <summary>
    /// The transfer syntax when the meta group names one of the usual ones, compared in its bytes:
    /// no string decoded per file. Anything else (padding inside, another VR, a rarer syntax) takes
    /// the general path, which gives the same answer for these.
    /// </summary>
    private static DicomTransferSyntax? CommonSyntax(DicomDataset meta)
    {
        if (!meta.TryGetEntry(DicomTags.TransferSyntaxUID, out var entry) || entry.VR != DicomVR.UI || entry.Payload is not null)
        {
            return null;
        }

        var uid = entry.Value.Span.TrimEnd(" \0"u8);
        foreach (var syntax in CommonSyntaxes)
        {
            if (System.Text.Ascii.Equals(uid, syntax.Uid))
            {
                return syntax;
            }
        }

        return null;
    }

    private static readonly DicomTransferSyntax[] CommonSyntaxes =
    [
        DicomTransferSyntax.ExplicitVRLittleEndian,
        DicomTransferSyntax.ImplicitVRLittleEndian,
        DicomTransferSyntax.JPEGBaseline8Bit,
        DicomTransferSyntax.JPEGLosslessSV1,
        DicomTransferSyntax.JPEG2000Lossless,
        DicomTransferSyntax.JPEG2000,
        DicomTransferSyntax.RLELossless,
        DicomTransferSyntax.JPEGLSLossless,
        DicomTransferSyntax.DeflatedExplicitVRLittleEndian,
        DicomTransferSyntax.ExplicitVRBigEndian,
    ];

    private static async ValueTask<DicomTransferSyntax> ReadBodyAsync(DicomParser parser, DicomTransferSyntax syntax, DicomDataset dataset, CancellationToken cancellationToken)
    {
        var input = parser.Input;
        if (syntax.IsDeflated)
        {
            await using var inflated = new InflatingStream(input.DetachRemainder());
            using var inflatedInput = DicomInput.FromStream(inflated);
            var inflatedParser = parser.Over(inflatedInput);
            await inflatedParser.ReadDatasetAsync(dataset, DicomEncoding.Of(syntax), null, isItem: false, cancellationToken).ConfigureAwait(false);
            return syntax;
        }

        var encoding = DicomEncoding.Of(syntax);
        if (encoding.ExplicitVR && await input.EnsureAsync(8, cancellationToken).ConfigureAwait(false)
            && !DicomVRInfo.IsKnown((ushort)((input.Span[4] << 8) | input.Span[5]), out _))
        {
            // A frequent defect: the meta says explicit VR, the data is implicit.
            parser.Warnings.Add($"The transfer syntax is {syntax.Name} but the data is implicit VR: read as implicit VR little endian.");
            syntax = DicomTransferSyntax.ImplicitVRLittleEndian;
            encoding = DicomEncoding.ImplicitLittle;
        }

        await parser.ReadDatasetAsync(dataset, encoding, null, isItem: false, cancellationToken).ConfigureAwait(false);
        return syntax;
    }

    private static async ValueTask ReadMetaAsync(DicomParser parser, DicomDataset meta, List<string> warnings, CancellationToken cancellationToken)
    {
        // Group 0002 is always explicit VR little endian; it ends where the group number changes.
        await parser.ReadMetaGroupAsync(meta, cancellationToken).ConfigureAwait(false);
        if (meta.Count == 0)
        {
            warnings.Add("The meta group is empty.");
        }
    }

    private static async ValueTask<DicomTransferSyntax> GuessSyntaxAsync(DicomInput input, CancellationToken cancellationToken)
    {
        if (!await input.EnsureAsync(8, cancellationToken).ConfigureAwait(false))
        {
            return DicomTransferSyntax.ImplicitVRLittleEndian;
        }

        var span = input.Span;
        var explicitVR = DicomVRInfo.IsKnown((ushort)((span[4] << 8) | span[5]), out _);
        var groupLittle = BinaryPrimitives.ReadUInt16LittleEndian(span);
        var groupBig = BinaryPrimitives.ReadUInt16BigEndian(span);
        // The first group of a dataset is small (0008 usually): the byte order that makes it small wins.
        var littleEndian = groupLittle <= groupBig;
        return (explicitVR, littleEndian) switch
        {
            (true, true) => DicomTransferSyntax.ExplicitVRLittleEndian,
            (true, false) => DicomTransferSyntax.ExplicitVRBigEndian,
            _ => DicomTransferSyntax.ImplicitVRLittleEndian,
        };
    }

    /// <summary>Writes the file (preamble, meta rebuilt for RadAI, dataset) to <paramref name="path"/> atomically (temporary file, then rename).</summary>
    public async Task SaveAsync(string path, DicomWriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        var full = System.IO.Path.GetFullPath(path);
        var temporary = full + $".{Guid.NewGuid():N}.tmp";
        try
        {
            await using (var stream = new FileStream(temporary, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Options = FileOptions.Asynchronous,
                BufferSize = 0,
            }))
            {
                await SaveAsync(stream, options, cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                if (options?.Fsync ?? false)
                {
                    stream.Flush(flushToDisk: true);
                }
            }

            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>Writes the file to a stream.</summary>
    public Task SaveAsync(Stream stream, DicomWriteOptions? options = null, CancellationToken cancellationToken = default) =>
        DicomWriter.WriteFileAsync(stream, this, options ?? DicomWriteOptions.Default, cancellationToken);

    /// <summary>
    /// Inflates the deflated data set. Corrupt compressed data is the file's defect like any other: the
    /// inflater reports it as <see cref="InvalidDataException"/>, which becomes the reader's
    /// <see cref="DicomFormatException"/> here, where it arises (nothing can check it beforehand).
    /// </summary>
    private sealed class InflatingStream(Stream compressed) : Stream
    {
        private readonly DeflateStream _inflater = new(compressed, CompressionMode.Decompress);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            try
            {
                return _inflater.Read(buffer);
            }
            catch (InvalidDataException error)
            {
                throw Corrupt(error);
            }
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            ValueTask<int> read;
            try
            {
                read = _inflater.ReadAsync(buffer, cancellationToken);
            }
            catch (InvalidDataException error)
            {
                throw Corrupt(error);
            }

            return read.IsCompletedSuccessfully ? read : AwaitAsync(read);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inflater.Dispose();
            }

            base.Dispose(disposing);
        }

        private static async ValueTask<int> AwaitAsync(ValueTask<int> read)
        {
            try
            {
                return await read.ConfigureAwait(false);
            }
            catch (InvalidDataException error)
            {
                throw Corrupt(error);
            }
        }

        private static DicomFormatException Corrupt(InvalidDataException error) =>
            new($"The deflated data set is corrupt: {error.Message}", error);
    }
}
