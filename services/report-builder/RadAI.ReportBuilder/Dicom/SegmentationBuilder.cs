using System.Buffers.Binary;
using System.Runtime.Intrinsics;
using System.Text;
using RadAI.Contracts.Findings;
using RadAI.Dicom;
using RadAI.Dicom.IO;

namespace RadAI.ReportBuilder.Dicom;

/// <summary>A SEG ready to write, and how the SR refers to it.</summary>
/// <param name="File">The SEG.</param>
/// <param name="Reference">Its instance and the segments it holds.</param>
/// <param name="FrameCount">Number of frames.</param>
public sealed record SegmentationResult(DicomFile File, SegmentationReference Reference, int FrameCount);

/// <summary>
/// Builds the DICOM SEG of a run's label map: BINARY, one segment per label present in the map (algorithm
/// type AUTOMATIC, with the model's name and version), one frame per (segment, slice) that holds the segment,
/// each frame referring to its source image, the geometry (orientation, spacing, positions) copied from the
/// source images, frames bit-packed (the first pixel in the lowest bit) one after the other.
/// </summary>
public static class SegmentationBuilder
{
    private static readonly DicomCode ArtificialIntelligence = new("DCM", "123110", "Artificial Intelligence");
    private static readonly DicomCode SourceImageForProcessing = new("DCM", "121322", "Source image for image processing operation");
    private static readonly DicomCode SegmentationDerivation = new("DCM", "113076", "Segmentation");

    /// <summary>
    /// Builds the SEG of <paramref name="run"/> from its label map (<see cref="LabelMapFile"/> layout: x fastest,
    /// then y, then z); null when no segment of the run has a voxel in the map.
    /// </summary>
    public static SegmentationResult? Build(RunResults run, ReadOnlyMemory<byte> labels, SourceStudy source, ReportContext context, int instanceNumber = 1)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(context);
        var g = run.Geometry;
        var plane = g.SizeX * g.SizeY;
        if (labels.Length != (long)plane * g.SizeZ || g.Slices.Count != g.SizeZ)
        {
            throw new ArgumentException($"Label map of {labels.Length} voxels and {g.Slices.Count} slices for a {g.SizeX}×{g.SizeY}×{g.SizeZ} volume.", nameof(labels));
        }

        var series = source.GetSeries(run.SeriesInstanceUid);
        var template = series.Template;
        if (template.TryGetValue<int>(DicomTags.Rows, out var rows) && template.TryGetValue<int>(DicomTags.Columns, out var columns)
            && (rows != g.SizeY || columns != g.SizeX))
        {
            throw new ArgumentException($"The label map grid ({g.SizeX}×{g.SizeY}) is not the source images' ({columns}×{rows}).", nameof(run));
        }

        // Which labels each slice holds. Labels come in runs (organs, lesions): jump from one run to the next with a
        // vectorised search instead of visiting every voxel (docs/benchmarks.md, "Report building").
        var present = new bool[g.SizeZ, 256];
        var span = labels.Span;
        for (var z = 0; z < g.SizeZ; z++)
        {
            var slice = span.Slice(z * plane, plane);
            for (var i = 0; i < slice.Length;)
            {
                var label = slice[i];
                present[z, label] = true;
                var next = slice[i..].IndexOfAnyExcept(label);
                i = next < 0 ? slice.Length : i + next;
            }
        }

        var segments = run.Segments.Where(s => s.Number is >= 1 and <= 255 && Enumerable.Range(0, g.SizeZ).Any(z => present[z, s.Number]))
            .OrderBy(s => s.Number).ToList();
        if (segments.Count == 0)
        {
            return null;
        }

        var frames = segments.SelectMany(s => Enumerable.Range(0, g.SizeZ).Where(z => present[z, s.Number]).Select(z => (Segment: s.Number, Z: z))).ToList();

        var sopInstanceUid = context.Uids.Segmentation(run.RunId);
        var dataset = ReportModules.CreateFromSource(source, TextsOf(run, context.Device));
        var encoding = new ReportEncoding(dataset.CharacterSet);
        ReportModules.AddNewInstance(dataset, context.Device, new NewInstance(
            DicomUids.SegmentationStorage,
            sopInstanceUid,
            "SEG",
            context.Uids.SegmentationSeries,
            ReportSeries.SegmentationNumber,
            ReportSeries.SegmentationDescription,
            instanceNumber,
            context.CreatedAt));

        // Frame of Reference: the source's.
        var frameOfReference = run.FrameOfReferenceUid.Length > 0 ? run.FrameOfReferenceUid
            : template.TryGetString(DicomTags.FrameOfReferenceUID, out var uid) ? uid : "";
        if (frameOfReference.Length > 0)
        {
            dataset.AddOrUpdate(DicomTags.FrameOfReferenceUID, frameOfReference);
            CopyOrEmpty(template, dataset, DicomTags.PositionReferenceIndicator);
        }

        // Segmentation Image and Image Pixel.
        dataset.AddOrUpdate(DicomTags.ImageType, "DERIVED", "PRIMARY");
        dataset.AddOrUpdate(DicomTags.ContentLabel, "RADAI_SEG");
        dataset.AddOrUpdate(DicomTags.ContentDescription, Truncate($"{run.Model.Name} {run.Model.Version}", 64));
        dataset.AddOrUpdate(DicomTags.ContentCreatorName, "");
        dataset.AddOrUpdate(DicomTags.SegmentationType, "BINARY");
        dataset.AddOrUpdate(DicomTags.SegmentsOverlap, "NO");
        dataset.AddOrUpdate(DicomTags.SamplesPerPixel, DicomVR.US, 1);
        dataset.AddOrUpdate(DicomTags.PhotometricInterpretation, "MONOCHROME2");
        dataset.AddOrUpdate(DicomTags.Rows, DicomVR.US, g.SizeY);
        dataset.AddOrUpdate(DicomTags.Columns, DicomVR.US, g.SizeX);
        dataset.AddOrUpdate(DicomTags.BitsAllocated, DicomVR.US, 1);
        dataset.AddOrUpdate(DicomTags.BitsStored, DicomVR.US, 1);
        dataset.AddOrUpdate(DicomTags.HighBit, DicomVR.US, 0);
        dataset.AddOrUpdate(DicomTags.PixelRepresentation, DicomVR.US, 0);
        dataset.AddOrUpdate(DicomTags.LossyImageCompression, "00");
        dataset.AddOrUpdate(DicomTags.SegmentSequence, new DicomSequence(segments.Select(s => SegmentItem(s, run, context, encoding))));

        // Multi-frame Functional Groups and Dimensions: by segment, then by position.
        var dimensionOrganization = context.Uids.DimensionOrganization(run.RunId);
        dataset.AddOrUpdate(DicomTags.DimensionOrganizationSequence, new DicomDataset().AddOrUpdate(DicomTags.DimensionOrganizationUID, dimensionOrganization));
        dataset.AddOrUpdate(DicomTags.DimensionIndexSequence, new DicomSequence(
        [
            DimensionItem(dimensionOrganization, DicomTags.ReferencedSegmentNumber, DicomTags.SegmentIdentificationSequence, "Segment Number", encoding),
            DimensionItem(dimensionOrganization, DicomTags.ImagePositionPatient, DicomTags.PlanePositionSequence, "Image Position Patient", encoding),
        ]));
        dataset.AddOrUpdate(DicomTags.NumberOfFrames, frames.Count);
        dataset.AddOrUpdate(DicomTags.SharedFunctionalGroupsSequence, SharedGroups(template, g));
        dataset.AddOrUpdate(DicomTags.PerFrameFunctionalGroupsSequence, new DicomSequence(
            frames.Select(f => FrameGroups(f.Segment, f.Z, g, series, encoding))));

        // Common Instance Reference: every source image a frame derives from.
        var referenced = frames.Select(f => g.Slices[f.Z]).DistinctBy(i => i.SopInstanceUid).ToList();
        dataset.AddOrUpdate(DicomTags.ReferencedSeriesSequence, new DicomDataset()
            .AddOrUpdate(DicomTags.ReferencedInstanceSequence, new DicomSequence(referenced.Select(i => ReportModules.InstanceItem(i.SopClassUid, i.SopInstanceUid))))
            .AddOrUpdate(DicomTags.SeriesInstanceUID, run.SeriesInstanceUid));

        RadAICodingScheme.DeclareWhereUsed(dataset);
        dataset.AddOrUpdateBytes(DicomTags.PixelData, DicomVR.OB, PackFrames(span, plane, frames));

        var reference = new SegmentationReference(
            run.RunId,
            new InstanceReference(source.StudyInstanceUid, context.Uids.SegmentationSeries, DicomUids.SegmentationStorage, sopInstanceUid),
            [.. segments.Select(s => s.Number)]);
        return new SegmentationResult(new DicomFile(dataset, DicomTransferSyntax.ExplicitVRLittleEndian), reference, frames.Count);
    }

    /// <summary>The frames, one bit per pixel, the first pixel of a byte in its lowest bit, frames not padded to a byte.</summary>
    private static byte[] PackFrames(ReadOnlySpan<byte> labels, int plane, List<(int Segment, int Z)> frames)
    {
        var packed = new byte[(((long)frames.Count * plane) + 7) / 8];
        long bit = 0;
        foreach (var (segment, z) in frames)
        {
            var slice = labels.Slice(z * plane, plane);
            var p = 0;
            if ((bit & 7) == 0)
            {
                // A frame that starts on a byte (always when Rows × Columns is a multiple of 8): 16 pixels compared at
                // once give 16 bits, pixel i in bit i, i.e. two packed bytes in little-endian order.
                var value = Vector128.Create((byte)segment);
                for (; p + Vector128<byte>.Count <= plane; p += Vector128<byte>.Count, bit += Vector128<byte>.Count)
                {
                    var bits = Vector128.Equals(Vector128.Create(slice.Slice(p, Vector128<byte>.Count)), value).ExtractMostSignificantBits();
                    if (bits != 0)
                    {
                        BinaryPrimitives.WriteUInt16LittleEndian(packed.AsSpan((int)(bit >> 3)), (ushort)bits);
                    }
                }
            }

            for (; p < plane; p++, bit++)
            {
                if (slice[p] == segment)
                {
                    packed[bit >> 3] |= (byte)(1 << (int)(bit & 7));
                }
            }
        }

        return packed;
    }

    private static DicomDataset SegmentItem(SegmentInfo segment, RunResults run, ReportContext context, ReportEncoding encoding)
    {
        var type = encoding.CodeItem(segment.Type);
        if (segment.TypeModifier is { } modifier)
        {
            type.AddOrUpdate(DicomTags.SegmentedPropertyTypeModifierCodeSequence, encoding.CodeItem(modifier));
        }

        var algorithm = new DicomDataset().AddOrUpdate(DicomTags.AlgorithmFamilyCodeSequence, encoding.CodeItem(ArtificialIntelligence));
        encoding.Set(algorithm, DicomTags.AlgorithmName, Truncate(run.Model.Name, 64));
        encoding.Set(algorithm, DicomTags.AlgorithmVersion, Truncate(run.Model.Version, 64));

        var item = new DicomDataset()
            .AddOrUpdate(DicomTags.SegmentNumber, DicomVR.US, segment.Number)
            .AddOrUpdate(DicomTags.SegmentedPropertyCategoryCodeSequence, encoding.CodeItem(segment.Category))
            .AddOrUpdate(DicomTags.SegmentedPropertyTypeCodeSequence, type)
            .AddOrUpdate(DicomTags.SegmentAlgorithmType, "AUTOMATIC")
            .AddOrUpdate(DicomTags.SegmentationAlgorithmIdentificationSequence, algorithm);
        encoding.Set(item, DicomTags.SegmentLabel, Truncate(segment.Label, 64));
        encoding.Set(item, DicomTags.SegmentAlgorithmName, Truncate(run.Model.Name, 64));
        if (segment.AnatomicRegion is { } region)
        {
            item.AddOrUpdate(DicomTags.AnatomicRegionSequence, encoding.CodeItem(region));
        }

        // The finding of this segment: the same tracking identifier and UID as its SR measurement group.
        if (run.Findings.FirstOrDefault(f => f.SegmentNumber == segment.Number) is { } finding)
        {
            encoding.Set(item, DicomTags.TrackingID, finding.Id);
            item.AddOrUpdate(DicomTags.TrackingUID, context.Uids.Tracking(run.RunId, finding.Id));
        }

        return item;
    }

    private static DicomDataset DimensionItem(string organization, DicomTag pointer, DicomTag functionalGroup, string label, ReportEncoding encoding)
    {
        var item = new DicomDataset()
            .AddOrUpdate(DicomTags.DimensionOrganizationUID, organization)
            .AddOrUpdate(DicomTags.DimensionIndexPointer, pointer)
            .AddOrUpdate(DicomTags.FunctionalGroupPointer, functionalGroup);
        return encoding.Set(item, DicomTags.DimensionDescriptionLabel, label);
    }

    /// <summary>Plane Orientation and Pixel Measures, the same for every frame: copied from the source, else from the volume grid.</summary>
    private static DicomDataset SharedGroups(DicomDataset template, VolumeGeometry g)
    {
        var orientation = new DicomDataset();
        if (!CopyText(template, orientation, DicomTags.ImageOrientationPatient))
        {
            orientation.AddOrUpdate(DicomTags.ImageOrientationPatient, DicomVR.DS,
                g.RowDirection.X, g.RowDirection.Y, g.RowDirection.Z, g.ColumnDirection.X, g.ColumnDirection.Y, g.ColumnDirection.Z);
        }

        var measures = new DicomDataset();
        if (!CopyText(template, measures, DicomTags.PixelSpacing))
        {
            // Pixel Spacing is row spacing (between rows: y) then column spacing (x).
            measures.AddOrUpdate(DicomTags.PixelSpacing, DicomVR.DS, g.Spacing.Y, g.Spacing.X);
        }

        if (!CopyText(template, measures, DicomTags.SliceThickness))
        {
            measures.AddOrUpdate(DicomTags.SliceThickness, DicomVR.DS, g.Spacing.Z);
        }

        measures.AddOrUpdate(DicomTags.SpacingBetweenSlices, DicomVR.DS, g.Spacing.Z);
        return new DicomDataset()
            .AddOrUpdate(DicomTags.PlaneOrientationSequence, orientation)
            .AddOrUpdate(DicomTags.PixelMeasuresSequence, measures);
    }

    private static DicomDataset FrameGroups(int segment, int z, VolumeGeometry g, SourceSeries series, ReportEncoding encoding)
    {
        var image = g.Slices[z];
        series.Instances.TryGetValue(image.SopInstanceUid, out var instance);
        var multiFrame = instance is { NumberOfFrames: > 1 } || image.Frame > 1;
        var sourceImage = ReportModules.InstanceItem(image.SopClassUid, image.SopInstanceUid, multiFrame ? image.Frame : null)
            .AddOrUpdate(DicomTags.SpatialLocationsPreserved, "YES")
            .AddOrUpdate(DicomTags.PurposeOfReferenceCodeSequence, encoding.CodeItem(SourceImageForProcessing));
        var derivation = new DicomDataset()
            .AddOrUpdate(DicomTags.DerivationCodeSequence, encoding.CodeItem(SegmentationDerivation))
            .AddOrUpdate(DicomTags.SourceImageSequence, sourceImage);

        var position = new DicomDataset();
        if (instance?.ImagePositionPatient is { } copied)
        {
            position.AddOrUpdateBytes(DicomTags.ImagePositionPatient, DicomVR.DS, Encoding.ASCII.GetBytes(copied));
        }
        else
        {
            var normal = Cross(g.RowDirection, g.ColumnDirection);
            var d = z * g.Spacing.Z;
            position.AddOrUpdate(DicomTags.ImagePositionPatient, DicomVR.DS, g.Origin.X + (d * normal.X), g.Origin.Y + (d * normal.Y), g.Origin.Z + (d * normal.Z));
        }

        return new DicomDataset()
            .AddOrUpdate(DicomTags.DerivationImageSequence, derivation)
            .AddOrUpdate(DicomTags.FrameContentSequence, new DicomDataset().AddOrUpdate(DicomTags.DimensionIndexValues, DicomVR.UL, (uint)segment, (uint)(z + 1)))
            .AddOrUpdate(DicomTags.PlanePositionSequence, position)
            .AddOrUpdate(DicomTags.SegmentIdentificationSequence, new DicomDataset().AddOrUpdate(DicomTags.ReferencedSegmentNumber, DicomVR.US, segment));
    }

    private static Vector3D Cross(Vector3D a, Vector3D b) =>
        new((a.Y * b.Z) - (a.Z * b.Y), (a.Z * b.X) - (a.X * b.Z), (a.X * b.Y) - (a.Y * b.X));

    /// <summary>Copies a non-empty ASCII element's bytes as they are; false when the source has no value.</summary>
    private static bool CopyText(DicomDataset source, DicomDataset target, DicomTag tag)
    {
        if (!source.TryGetElement(tag, out var element) || element.IsEmpty || element.Sequence is not null)
        {
            return false;
        }

        target.AddOrUpdateBytes(tag, element.VR, element.RawValue.Span);
        return true;
    }

    private static void CopyOrEmpty(DicomDataset source, DicomDataset target, DicomTag tag)
    {
        if (!CopyText(source, target, tag))
        {
            target.AddOrUpdate(tag, "");
        }
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];

    private static IEnumerable<string?> TextsOf(RunResults run, ReportDevice device)
    {
        yield return ReportSeries.SegmentationDescription;
        yield return device.Manufacturer;
        yield return device.ModelName;
        yield return device.DeviceSerialNumber;
        yield return device.InstitutionName;
        yield return device.StationName;
        yield return run.Model.Name;
        yield return run.Model.Version;
        foreach (var segment in run.Segments)
        {
            yield return segment.Label;
            foreach (var code in new[] { segment.Category, segment.Type, segment.AnatomicRegion, segment.TypeModifier }.OfType<Code>())
            {
                yield return code.Meaning;
            }
        }

        foreach (var finding in run.Findings)
        {
            yield return finding.Id;
        }
    }
}
