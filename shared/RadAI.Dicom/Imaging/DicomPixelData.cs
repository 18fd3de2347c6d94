using RadAI.Dicom.IO;

namespace RadAI.Dicom.Imaging;

/// <summary>
/// The pixel data of a dataset: its description from the Image Pixel module, and its frames decoded
/// by the codec of the transfer syntax (<see cref="DicomPixelCodecs"/>). A frame of a large native
/// value is read on its own (the rest of the value stays where it is).
/// </summary>
public sealed class DicomPixelData
{
    private readonly DicomDataset _dataset;
    private readonly DicomPixelCodecs _codecs;
    private DicomPixelDataValue? _encapsulated;

    private DicomPixelData(DicomDataset dataset, DicomTransferSyntax syntax, PixelDataDescription description, DicomPixelCodecs codecs)
    {
        _dataset = dataset;
        TransferSyntax = syntax;
        Description = description;
        _codecs = codecs;
        RescaleSlope = dataset.TryGetValue<double>(DicomTags.RescaleSlope, out var slope) ? slope : 1.0;
        RescaleIntercept = dataset.TryGetValue<double>(DicomTags.RescaleIntercept, out var intercept) ? intercept : 0.0;
    }

    /// <summary>Rows, columns, samples, bits, photometric interpretation, frames.</summary>
    public PixelDataDescription Description { get; }

    /// <summary>How the pixel data is encoded.</summary>
    public DicomTransferSyntax TransferSyntax { get; }

    /// <summary>Number of frames.</summary>
    public int NumberOfFrames => Description.NumberOfFrames;

    /// <summary>Rescale Slope (0028,1053), 1 when absent.</summary>
    public double RescaleSlope { get; }

    /// <summary>Rescale Intercept (0028,1052), 0 when absent.</summary>
    public double RescaleIntercept { get; }

    /// <summary>
    /// The pixel data of <paramref name="dataset"/>, encoded in <paramref name="syntax"/> (the file's transfer
    /// syntax). Throws <see cref="DicomPixelDataException"/> when the dataset has no pixel data or its Image
    /// Pixel module is incomplete or impossible.
    /// </summary>
    public static DicomPixelData Create(DicomDataset dataset, DicomTransferSyntax syntax, DicomPixelCodecs? codecs = null)
    {
        if (!dataset.Contains(DicomTags.PixelData))
        {
            throw new DicomPixelDataException("The dataset has no Pixel Data (7FE0,0010).");
        }

        int Required(DicomTag tag) => dataset.TryGetValue<int>(tag, out var value)
            ? value
            : throw new DicomPixelDataException($"The Image Pixel module lacks {DicomDictionary.GetKeyword(tag)} {tag}.");

        var bitsAllocated = Required(DicomTags.BitsAllocated);
        var bitsStored = dataset.TryGetValue<int>(DicomTags.BitsStored, out var stored) ? stored : bitsAllocated;
        var description = new PixelDataDescription(
            Required(DicomTags.Rows),
            Required(DicomTags.Columns),
            dataset.TryGetValue<int>(DicomTags.SamplesPerPixel, out var samples) ? samples : 1,
            bitsAllocated,
            bitsStored,
            dataset.TryGetValue<int>(DicomTags.HighBit, out var highBit) ? highBit : bitsStored - 1,
            dataset.TryGetValue<int>(DicomTags.PixelRepresentation, out var representation) ? representation : 0,
            dataset.TryGetString(DicomTags.PhotometricInterpretation, out var photometric) ? photometric : "MONOCHROME2",
            dataset.TryGetValue<int>(DicomTags.PlanarConfiguration, out var planar) ? planar : 0,
            dataset.TryGetValue<int>(DicomTags.NumberOfFrames, out var frames) && frames > 0 ? frames : 1);
        description.Validate();
        return new DicomPixelData(dataset, syntax, description, codecs ?? DicomPixelCodecs.Default);
    }

    /// <summary>The windows of the VOI LUT module (Window Center/Width, VOI LUT Function), empty when none.</summary>
    public IReadOnlyList<VoiWindow> Windows
    {
        get
        {
            if (!_dataset.TryGetValues<double>(DicomTags.WindowCenter, out var centers) || !_dataset.TryGetValues<double>(DicomTags.WindowWidth, out var widths))
            {
                return [];
            }

            _dataset.TryGetString(DicomTags.VOILUTFunction, out var function);
            return [.. Enumerable.Range(0, Math.Min(centers.Length, widths.Length)).Select(i => VoiWindow.FromAttributes(centers, widths, function, i))];
        }
    }

    /// <summary>Frame <paramref name="frameIndex"/> decoded to native little endian samples.</summary>
    public async Task<DecodedFrame> GetFrameAsync(int frameIndex, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(frameIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(frameIndex, NumberOfFrames);
        var element = _dataset.GetElement(DicomTags.PixelData);
        if (element.Fragments is { } fragments)
        {
            _encapsulated ??= await LoadEncapsulatedAsync(fragments, cancellationToken).ConfigureAwait(false);
            return _codecs.DecodeFrame(TransferSyntax.Uid, _encapsulated, Description, frameIndex);
        }

        if (TransferSyntax.IsEncapsulated)
        {
            throw new DicomPixelDataException($"The transfer syntax is {TransferSyntax.Name} ({TransferSyntax.Uid}) but the Pixel Data is not encapsulated.");
        }

        // The reader already made big endian values little endian: decode them as such.
        var syntax = TransferSyntax.IsLittleEndian ? TransferSyntax.Uid : DicomUids.ExplicitVRLittleEndian;
        var bulk = _dataset.GetBulk(DicomTags.PixelData);
        var frameLength = Description.FrameLengthInBytes;
        if (Description.BitsAllocated >= 8 && bulk.Length >= (long)(frameIndex + 1) * frameLength)
        {
            // One frame's bytes only: the decoder sees a single-frame image. The reader already made them little endian.
            var frame = await bulk.ReadRangeAsync((long)frameIndex * frameLength, frameLength, cancellationToken).ConfigureAwait(false);
            return _codecs.DecodeFrame(syntax, DicomPixelDataValue.Native(frame), Description with { NumberOfFrames = 1 }, 0);
        }

        var all = await bulk.ReadAllAsync(cancellationToken).ConfigureAwait(false);
        return _codecs.DecodeFrame(syntax, DicomPixelDataValue.Native(all), Description, frameIndex);
    }

    /// <summary>The stored values of a frame (interleaved samples for color), sign-extended and masked to Bits Stored.</summary>
    public async Task<int[]> GetStoredValuesAsync(int frameIndex, CancellationToken cancellationToken = default) =>
        (await GetFrameAsync(frameIndex, cancellationToken).ConfigureAwait(false)).ToInt32();

    /// <summary>The values of a frame after the modality LUT (Hounsfield units for CT).</summary>
    public async Task<double[]> GetModalityValuesAsync(int frameIndex, CancellationToken cancellationToken = default)
    {
        var frame = await GetFrameAsync(frameIndex, cancellationToken).ConfigureAwait(false);
        return PixelSamples.ToModalityValues(frame.Data, frame.Description, RescaleSlope, RescaleIntercept);
    }

    private async Task<DicomPixelDataValue> LoadEncapsulatedAsync(DicomFragments fragments, CancellationToken cancellationToken)
    {
        var loaded = new List<ReadOnlyMemory<byte>>(fragments.Fragments.Count);
        foreach (var fragment in fragments.Fragments)
        {
            loaded.Add(fragment is DicomMemoryBulkValue memory ? memory.Bytes : await fragment.ReadAllAsync(cancellationToken).ConfigureAwait(false));
        }

        IReadOnlyList<ulong>? extended = null;
        IReadOnlyList<ulong>? extendedLengths = null;
        if (_dataset.TryGetBytes(DicomTags.ExtendedOffsetTable, out var table) && _dataset.TryGetBytes(DicomTags.ExtendedOffsetTableLengths, out var lengths))
        {
            extended = [.. System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(table.Span).ToArray()];
            extendedLengths = [.. System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(lengths.Span).ToArray()];
        }

        return DicomPixelDataValue.FromEncapsulated(new EncapsulatedPixelData(loaded, fragments.BasicOffsetTable, extended, extendedLengths));
    }
}
