namespace RadAI.Testing;

/// <summary>
/// The acceptance check of a report delivered to Orthanc: SR, SEG and the encapsulated PDF (DOC) in the very Orthanc
/// study that was sent (same Study Instance UID, no second study made for them), and Orthanc's copy of each new
/// object clean for dciodvfy.
/// </summary>
public static class OrthancReportChecks
{
    /// <summary>What the report builder's objects are in Orthanc: structured report, segmentation, encapsulated PDF.</summary>
    public static IReadOnlyList<string> ReportModalities { get; } = ["SR", "SEG", "DOC"];

    /// <summary>
    /// Waits (up to <paramref name="timeout"/>) until Orthanc study <paramref name="orthancStudy"/> holds a series of
    /// each of <see cref="ReportModalities"/>, then checks it all; throws with what is wrong. Returns the study's series.
    /// Every series but <paramref name="sourceSeries"/> (Orthanc's ids of the series that were sent) is new and
    /// checked; Orthanc's copies are written into <paramref name="workFolder"/> for dciodvfy.
    /// </summary>
    public static async Task<IReadOnlyList<OrthancSeries>> AssertReportInStudyAsync(
        OrthancClient orthanc, string orthancStudy, string studyInstanceUid, IReadOnlyCollection<string> sourceSeries, string workFolder, TimeSpan timeout)
    {
        var series = await Eventually.ValueAsync(async () =>
        {
            var now = await orthanc.SeriesAsync(orthancStudy);
            return ReportModalities.All(m => now.Any(s => s.Modality == m)) ? now : null;
        }, timeout, $"series {string.Join(", ", ReportModalities)} in Orthanc study {orthancStudy}");

        Require(await orthanc.StudyInstanceUidAsync(orthancStudy) == studyInstanceUid, $"Orthanc study {orthancStudy} is not study {studyInstanceUid}.");
        var studies = await orthanc.FindStudiesAsync(studyInstanceUid);
        Require(studies.Count == 1 && studies[0] == orthancStudy, $"Orthanc holds study {studyInstanceUid} as [{string.Join(", ", studies)}], not as {orthancStudy} alone.");

        foreach (var reported in series.Where(s => !sourceSeries.Contains(s.Id)))
        {
            foreach (var instance in reported.Instances)
            {
                var tags = await orthanc.SimplifiedTagsAsync(instance);
                Require(tags.GetProperty("StudyInstanceUID").GetString() == studyInstanceUid, $"Orthanc's {reported.Modality} instance {instance} names another study.");
                var file = Path.Combine(workFolder, $"{reported.Modality}-{instance}.dcm");
                await orthanc.DownloadAsync(instance, file);
                var verdict = await Dciodvfy.CheckAsync(file);
                Require(verdict.Errors.Count == 0, $"dciodvfy of Orthanc's {reported.Modality} instance {instance} ({verdict.Iod}):\n{string.Join('\n', verdict.Errors)}");
            }
        }

        return series;
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidOperationException(message);
        }
    }
}
