using System.Collections.Concurrent;
using RadAI.Dicom;
using RadAI.Dicom.IO;

namespace RadAI.ReportBuilder.Dicom;

/// <summary>One source instance, as indexed from its header.</summary>
/// <param name="SopInstanceUid">SOP Instance UID.</param>
/// <param name="SopClassUid">SOP Class UID.</param>
/// <param name="Path">The Part 10 file.</param>
/// <param name="NumberOfFrames">Number of Frames (1 for a single-frame image or a non-image).</param>
/// <param name="ImagePositionPatient">Image Position (Patient) as written in the source (DS text), when single-frame and present.</param>
public sealed record SourceInstance(string SopInstanceUid, string SopClassUid, string Path, int NumberOfFrames, string? ImagePositionPatient);

/// <summary>
/// A source series: the headers of the Part 10 files of its folder (read up to Pixel Data), indexed by SOP
/// Instance UID, and one header kept as the template whose Patient, Study and character set modules the
/// report objects copy.
/// </summary>
public sealed class SourceSeries
{
    private readonly Dictionary<string, SourceInstance> _instances;

    private SourceSeries(string seriesInstanceUid, DicomDataset template, Dictionary<string, SourceInstance> instances)
    {
        SeriesInstanceUid = seriesInstanceUid;
        Template = template;
        _instances = instances;
    }

    /// <summary>Series Instance UID.</summary>
    public string SeriesInstanceUid { get; }

    /// <summary>The header of one instance (the smallest SOP Instance UID, so always the same one).</summary>
    public DicomDataset Template { get; }

    /// <summary>Modality of the series.</summary>
    public string Modality => Template.TryGetString(DicomTags.Modality, out var modality) ? modality : "";

    /// <summary>The instances, by SOP Instance UID.</summary>
    public IReadOnlyDictionary<string, SourceInstance> Instances => _instances;

    /// <summary>The instance with this UID; <see cref="KeyNotFoundException"/> when the series has none.</summary>
    public SourceInstance GetInstance(string sopInstanceUid) =>
        _instances.TryGetValue(sopInstanceUid, out var instance)
            ? instance
            : throw new KeyNotFoundException($"Instance {sopInstanceUid} is not in series {SeriesInstanceUid}.");

    /// <summary>
    /// Reads the headers of the files of <paramref name="folder"/> (not its subfolders). Files that are not
    /// DICOM, or belong to another series, are skipped; a folder without an instance of the series is an error.
    /// </summary>
    public static Task<SourceSeries> LoadAsync(string folder, string seriesInstanceUid, CancellationToken cancellationToken = default) =>
        LoadAsync(folder, seriesInstanceUid, DicomFileSource.FromPath, cancellationToken);

    /// <summary>
    /// As <see cref="LoadAsync(string, string, CancellationToken)"/>, each file read through <paramref name="sourceOf"/>
    /// (the stores': decrypted when encrypted at rest).
    /// </summary>
    public static async Task<SourceSeries> LoadAsync(string folder, string seriesInstanceUid, Func<string, DicomFileSource> sourceOf, CancellationToken cancellationToken = default)
    {
        var options = new DicomReadOptions { StopBeforeTag = DicomTags.PixelData };
        var headers = new ConcurrentBag<(SourceInstance Instance, DicomDataset Header)>();
        await Parallel.ForEachAsync(
            Directory.EnumerateFiles(folder),
            new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken },
            async (path, token) =>
            {
                DicomFile file;
                try
                {
                    file = await DicomFile.OpenAsync(sourceOf(path), options, token).ConfigureAwait(false);
                }
                catch (DicomFormatException)
                {
                    return;
                }

                var header = file.Dataset;
                if (!header.TryGetString(DicomTags.SeriesInstanceUID, out var series) || series != seriesInstanceUid
                    || !header.TryGetString(DicomTags.SOPInstanceUID, out var sopInstance)
                    || !header.TryGetString(DicomTags.SOPClassUID, out var sopClass))
                {
                    return;
                }

                var frames = header.TryGetValue<int>(DicomTags.NumberOfFrames, out var count) && count > 0 ? count : 1;
                var position = frames == 1 && header.TryGetString(DicomTags.ImagePositionPatient, out var ipp) && ipp.Length > 0 ? ipp : null;
                headers.Add((new SourceInstance(sopInstance, sopClass, file.Path ?? path, frames, position), header));
            }).ConfigureAwait(false);

        if (headers.IsEmpty)
        {
            throw new InvalidDataException($"No instance of series {seriesInstanceUid} in {folder}.");
        }

        var ordered = headers.OrderBy(h => h.Instance.SopInstanceUid, StringComparer.Ordinal).ToList();
        var instances = new Dictionary<string, SourceInstance>(StringComparer.Ordinal);
        foreach (var (instance, _) in ordered)
        {
            instances.TryAdd(instance.SopInstanceUid, instance);
        }

        return new SourceSeries(seriesInstanceUid, ordered[0].Header, instances);
    }
}

/// <summary>The source study of a job: its series, and the header whose Patient and Study modules the report objects copy.</summary>
public sealed class SourceStudy
{
    private SourceStudy(string studyInstanceUid, IReadOnlyList<SourceSeries> series)
    {
        StudyInstanceUid = studyInstanceUid;
        Series = series;
    }

    /// <summary>Study Instance UID.</summary>
    public string StudyInstanceUid { get; }

    /// <summary>The series loaded.</summary>
    public IReadOnlyList<SourceSeries> Series { get; }

    /// <summary>The header the Patient, General Study, Patient Study and Clinical Trial modules are copied from.</summary>
    public DicomDataset Template => Series[0].Template;

    /// <summary>The series with this UID; <see cref="KeyNotFoundException"/> when it was not loaded.</summary>
    public SourceSeries GetSeries(string seriesInstanceUid) =>
        Series.FirstOrDefault(s => s.SeriesInstanceUid == seriesInstanceUid)
            ?? throw new KeyNotFoundException($"Series {seriesInstanceUid} is not part of the source study.");

    /// <summary>The instance with this UID in any series; <see cref="KeyNotFoundException"/> when absent.</summary>
    public SourceInstance GetInstance(string sopInstanceUid) =>
        TryGetInstance(sopInstanceUid) ?? throw new KeyNotFoundException($"Instance {sopInstanceUid} is not part of the source study.");

    /// <summary>The instance with this UID in any series, or null.</summary>
    public SourceInstance? TryGetInstance(string sopInstanceUid)
    {
        foreach (var series in Series)
        {
            if (series.Instances.TryGetValue(sopInstanceUid, out var instance))
            {
                return instance;
            }
        }

        return null;
    }

    /// <summary>
    /// Loads the headers of the given series (Series Instance UID → folder). Every instance must belong to
    /// <paramref name="studyInstanceUid"/>: report objects are added to that study and copy its modules.
    /// </summary>
    public static Task<SourceStudy> LoadAsync(string studyInstanceUid, IEnumerable<(string SeriesInstanceUid, string Folder)> series, CancellationToken cancellationToken = default) =>
        LoadAsync(studyInstanceUid, series, DicomFileSource.FromPath, cancellationToken);

    /// <summary>
    /// As <see cref="LoadAsync(string, IEnumerable{ValueTuple{string, string}}, CancellationToken)"/>, each file read through
    /// <paramref name="sourceOf"/> (the stores': decrypted when encrypted at rest).
    /// </summary>
    public static async Task<SourceStudy> LoadAsync(string studyInstanceUid, IEnumerable<(string SeriesInstanceUid, string Folder)> series, Func<string, DicomFileSource> sourceOf, CancellationToken cancellationToken = default)
    {
        var loaded = new List<SourceSeries>();
        foreach (var (seriesUid, folder) in series)
        {
            var one = await SourceSeries.LoadAsync(folder, seriesUid, sourceOf, cancellationToken).ConfigureAwait(false);
            if (!one.Template.TryGetString(DicomTags.StudyInstanceUID, out var study) || study != studyInstanceUid)
            {
                throw new InvalidDataException($"Series {seriesUid} belongs to another study than {studyInstanceUid}.");
            }

            loaded.Add(one);
        }

        return loaded.Count > 0 ? new SourceStudy(studyInstanceUid, loaded) : throw new ArgumentException("No source series given.", nameof(series));
    }
}
