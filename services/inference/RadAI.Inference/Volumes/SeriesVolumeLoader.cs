using System.Globalization;
using System.Numerics;
using RadAI.Dicom;
using RadAI.Dicom.Imaging;
using RadAI.Dicom.IO;

namespace RadAI.Inference.Volumes;

/// <summary>
/// Assembles a volume from the instances of a series: slices sorted along the slice normal, spacing
/// checked for uniformity, missing and duplicate slices and gantry tilt detected, enhanced multi-frame
/// instances unfolded frame by frame, values rescaled to modality units. What cannot be assembled is
/// a <see cref="VolumeAssemblyException"/> saying why.
/// </summary>
public static class SeriesVolumeLoader
{
    /// <summary>Relative deviation of a slice gap from the median that is still "uniform".</summary>
    private const double SpacingTolerance = 0.1;

    /// <summary>Largest angle between slice steps and the slice normal still taken as no tilt (degrees).</summary>
    private const double MaxTiltDegrees = 0.5;

    /// <summary>The attributes copied into <see cref="Volume.Attributes"/> for analyzers.</summary>
    private static readonly DicomTag[] CopiedAttributes =
    [
        DicomTags.ExposureIndex, DicomTags.TargetExposureIndex, DicomTags.DeviationIndex, DicomTags.ImagerPixelSpacing,
        DicomTags.PixelSpacing, DicomTags.EstimatedRadiographicMagnificationFactor, DicomTags.ViewPosition, DicomTags.ImageLaterality,
        DicomTags.Laterality, DicomTags.BitsStored, DicomTags.PhotometricInterpretation, DicomTags.PatientOrientation,
        DicomTags.PresentationIntentType, DicomTags.BodyPartExamined, DicomTags.MagneticFieldStrength, DicomTags.SliceThickness,
        DicomTags.PixelRepresentation, DicomTags.RescaleSlope, DicomTags.RescaleIntercept, DicomTags.DistanceSourceToDetector,
        DicomTags.DistanceSourceToPatient, DicomTags.PixelSpacingCalibrationType, DicomTags.SeriesDescription,
    ];

    /// <summary>Loads every instance file under <paramref name="folder"/> as one volume.</summary>
    public static Task<Volume> LoadAsync(string folder, CancellationToken cancellationToken) =>
        LoadAsync(folder, DicomFileSource.FromPath, cancellationToken);

    /// <summary>
    /// Loads every instance file under <paramref name="folder"/> as one volume, each read through <paramref name="sourceOf"/>
    /// (the stores': decrypted when encrypted at rest; pixel data is read lazily, frame by frame, in either case).
    /// </summary>
    public static async Task<Volume> LoadAsync(string folder, Func<string, DicomFileSource> sourceOf, CancellationToken cancellationToken)
    {
        var files = Directory.Exists(folder) ? Directory.GetFiles(folder, "*.dcm").Order(StringComparer.Ordinal).ToArray() : [];
        if (files.Length == 0)
        {
            throw new VolumeAssemblyException($"The series folder {folder} holds no instance.");
        }

        var slices = new List<Slice>(files.Length);
        DicomDataset? first = null;
        foreach (var path in files)
        {
            DicomFile file;
            try
            {
                file = await DicomFile.OpenAsync(sourceOf(path), cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is DicomFormatException or InvalidDataException)
            {
                throw new VolumeAssemblyException($"{Path.GetFileName(path)} is not readable DICOM: {e.Message}");
            }

            first ??= file.Dataset;
            slices.AddRange(await SlicesOfAsync(file, cancellationToken).ConfigureAwait(false));
        }

        return Assemble(slices, first!);
    }

    private sealed record Slice(Vector3 Position, Vector3 Row, Vector3 Column, double SpacingRow, double SpacingColumn, int Rows, int Columns, float[] Values, SliceSource Source)
    {
        public bool HasPosition { get; init; }
    }

    private static async Task<List<Slice>> SlicesOfAsync(DicomFile file, CancellationToken cancellationToken)
    {
        var ds = file.Dataset;
        DicomPixelData pixels;
        try
        {
            pixels = DicomPixelData.Create(ds, file.TransferSyntax);
        }
        catch (DicomPixelDataException e)
        {
            throw new VolumeAssemblyException($"Instance {Uid(ds, DicomTags.SOPInstanceUID)}: {e.Message}");
        }

        if (pixels.Description.SamplesPerPixel != 1)
        {
            throw new VolumeAssemblyException($"Instance {Uid(ds, DicomTags.SOPInstanceUID)} is {pixels.Description.PhotometricInterpretation}: only grayscale images make volumes.");
        }

        var sopInstance = Uid(ds, DicomTags.SOPInstanceUID);
        var sopClass = Uid(ds, DicomTags.SOPClassUID);
        var shared = ds.TryGetSequence(DicomTags.SharedFunctionalGroupsSequence, out var sharedGroups) && sharedGroups.Count > 0 ? sharedGroups[0] : null;
        var perFrame = ds.TryGetSequence(DicomTags.PerFrameFunctionalGroupsSequence, out var frames) ? frames : null;
        var result = new List<Slice>(pixels.NumberOfFrames);
        for (var frame = 0; frame < pixels.NumberOfFrames; frame++)
        {
            var frameGroups = perFrame is not null && frame < perFrame.Count ? perFrame[frame] : null;
            // Enhanced multi-frame: geometry and rescale per frame (or shared); classic images: the dataset itself.
            var position = Vector(Find(DicomTags.PlanePositionSequence, DicomTags.ImagePositionPatient, frameGroups, shared, ds), 3);
            var orientation = Vector(Find(DicomTags.PlaneOrientationSequence, DicomTags.ImageOrientationPatient, frameGroups, shared, ds), 6);
            var spacing = Vector(Find(DicomTags.PixelMeasuresSequence, DicomTags.PixelSpacing, frameGroups, shared, ds), 2)
                ?? (ds.TryGetValues<double>(DicomTags.ImagerPixelSpacing, out var imager) && imager.Length == 2 ? imager : null);
            var slope = Scalar(Find(DicomTags.PixelValueTransformationSequence, DicomTags.RescaleSlope, frameGroups, shared, ds)) ?? 1.0;
            var intercept = Scalar(Find(DicomTags.PixelValueTransformationSequence, DicomTags.RescaleIntercept, frameGroups, shared, ds)) ?? 0.0;

            int[] stored;
            try
            {
                stored = await pixels.GetStoredValuesAsync(frame, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is DicomPixelDataException or InvalidDataException)
            {
                throw new VolumeAssemblyException($"Instance {sopInstance} frame {frame + 1}: {e.Message}");
            }

            var values = new float[stored.Length];
            for (var i = 0; i < stored.Length; i++)
            {
                values[i] = (float)((stored[i] * slope) + intercept);
            }

            result.Add(new Slice(
                position is null ? Vector3.Zero : new Vector3((float)position[0], (float)position[1], (float)position[2]),
                orientation is null ? Vector3.UnitX : new Vector3((float)orientation[0], (float)orientation[1], (float)orientation[2]),
                orientation is null ? Vector3.UnitY : new Vector3((float)orientation[3], (float)orientation[4], (float)orientation[5]),
                spacing?[0] ?? 1.0,
                spacing?[1] ?? 1.0,
                pixels.Description.Rows,
                pixels.Description.Columns,
                values,
                new SliceSource(sopInstance, sopClass, frame + 1))
            {
                HasPosition = position is not null,
            });
        }

        return result;
    }

    private static Volume Assemble(List<Slice> slices, DicomDataset first)
    {
        var reference = slices[0];
        foreach (var slice in slices)
        {
            if (slice.Rows != reference.Rows || slice.Columns != reference.Columns)
            {
                throw new VolumeAssemblyException($"Slices of different sizes ({reference.Columns}×{reference.Rows} and {slice.Columns}×{slice.Rows}).");
            }

            if (Vector3.Distance(slice.Row, reference.Row) > 1e-3 || Vector3.Distance(slice.Column, reference.Column) > 1e-3)
            {
                throw new VolumeAssemblyException("Slices of different orientations: not one volume.");
            }

            if (Math.Abs(slice.SpacingRow - reference.SpacingRow) > 1e-3 || Math.Abs(slice.SpacingColumn - reference.SpacingColumn) > 1e-3)
            {
                throw new VolumeAssemblyException("Slices with different pixel spacings: not one volume.");
            }
        }

        var normal = Vector3.Normalize(Vector3.Cross(reference.Row, reference.Column));
        double sliceSpacing;
        if (slices.Count == 1)
        {
            sliceSpacing = first.TryGetValue<double>(DicomTags.SliceThickness, out var thickness) && thickness > 0 ? thickness : 1.0;
        }
        else
        {
            if (slices.Any(s => !s.HasPosition))
            {
                throw new VolumeAssemblyException("Several slices without Image Position (Patient): their order is unknown.");
            }

            slices.Sort((a, b) => Vector3.Dot(a.Position, normal).CompareTo(Vector3.Dot(b.Position, normal)));
            var gaps = new double[slices.Count - 1];
            for (var i = 0; i < gaps.Length; i++)
            {
                var step = slices[i + 1].Position - slices[i].Position;
                gaps[i] = Vector3.Dot(step, normal);
                if (gaps[i] < 1e-3)
                {
                    throw new VolumeAssemblyException($"Two slices at the same position ({Format(Vector3.Dot(slices[i].Position, normal))} mm along the normal): {slices[i].Source.SopInstanceUid} and {slices[i + 1].Source.SopInstanceUid}.");
                }

                var angle = Math.Acos(Math.Clamp(gaps[i] / step.Length(), -1, 1)) * 180 / Math.PI;
                if (angle > MaxTiltDegrees)
                {
                    throw new VolumeAssemblyException($"Gantry or detector tilt of {Format(angle)}° between slices {i + 1} and {i + 2}: tilted acquisitions are not supported (reconstruct without tilt).");
                }
            }

            var median = gaps.Order().ElementAt(gaps.Length / 2);
            var missing = gaps.Where(g => g > median * 1.5).Select(g => (int)Math.Round(g / median) - 1).Sum();
            if (missing > 0)
            {
                throw new VolumeAssemblyException($"{missing} slice(s) missing: gaps up to {Format(gaps.Max())} mm where the spacing is {Format(median)} mm.");
            }

            var worst = gaps.Max(g => Math.Abs(g - median) / median);
            if (worst > SpacingTolerance)
            {
                throw new VolumeAssemblyException($"Slice spacing not uniform: {Format(gaps.Min())} to {Format(gaps.Max())} mm.");
            }

            sliceSpacing = gaps.Average();
        }

        var sliceLength = reference.Rows * reference.Columns;
        var data = new float[(long)sliceLength * slices.Count];
        for (var z = 0; z < slices.Count; z++)
        {
            slices[z].Values.AsSpan().CopyTo(data.AsSpan(z * sliceLength, sliceLength));
        }

        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in CopiedAttributes)
        {
            if (first.TryGetString(tag, out var value) && value.Length > 0)
            {
                attributes[DicomDictionary.GetKeyword(tag)!] = value;
            }
        }

        // PixelSpacing is (row spacing, column spacing): x (columns) uses the second value.
        return new Volume(reference.Columns, reference.Rows, slices.Count,
            new Vector3((float)reference.SpacingColumn, (float)reference.SpacingRow, (float)sliceSpacing),
            slices[0].Position, reference.Row, reference.Column, data)
        {
            Slices = [.. slices.Select(s => s.Source)],
            FrameOfReferenceUid = first.TryGetString(DicomTags.FrameOfReferenceUID, out var frameOfReference) ? frameOfReference : "",
            SeriesInstanceUid = Uid(first, DicomTags.SeriesInstanceUID),
            Modality = first.TryGetString(DicomTags.Modality, out var modality) ? modality : "",
            Attributes = attributes,
        };
    }

    /// <summary>An attribute of a frame: in its functional group macro (per frame, then shared), else in the dataset.</summary>
    private static DicomElement? Find(DicomTag macro, DicomTag attribute, DicomDataset? frame, DicomDataset? shared, DicomDataset dataset)
    {
        foreach (var groups in new[] { frame, shared })
        {
            if (groups is not null && groups.TryGetSequence(macro, out var items) && items.Count > 0 && items[0].TryGetElement(attribute, out var element))
            {
                return element;
            }
        }

        return dataset.TryGetElement(attribute, out var direct) ? direct : null;
    }

    private static double[]? Vector(DicomElement? element, int count) =>
        element is { } e && e.TryGetValues<double>(out var values) && values.Length >= count ? values : null;

    private static double? Scalar(DicomElement? element) =>
        element is { } e && e.TryGetValue<double>(0, out var value) ? value : null;

    private static string Uid(DicomDataset dataset, DicomTag tag) => dataset.TryGetString(tag, out var uid) ? uid : "";

    private static string Format(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
