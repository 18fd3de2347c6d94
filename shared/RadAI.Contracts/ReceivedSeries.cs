namespace RadAI.Contracts;

/// <summary>One series of a received study, with the attributes model routing needs.</summary>
/// <param name="SeriesInstanceUid">Series Instance UID (0020,000E).</param>
/// <param name="Modality">Modality (0008,0060), e.g. CT, MR, CR, DX, MG.</param>
/// <param name="SopClassUid">SOP Class UID (0008,0016) of the instances (the most frequent one if mixed).</param>
/// <param name="InstanceCount">Number of distinct instances stored for this series.</param>
/// <param name="TotalBytes">Sum of the stored file sizes, in bytes.</param>
/// <param name="Location">Folder of the series in the <c>instances</c> store.</param>
/// <param name="BodyPartExamined">Body Part Examined (0018,0015) when present.</param>
/// <param name="SeriesDescription">Series Description (0008,103E) when present.</param>
public sealed record ReceivedSeries(
    string SeriesInstanceUid,
    string Modality,
    string SopClassUid,
    int InstanceCount,
    long TotalBytes,
    StorageReference Location,
    string? BodyPartExamined = null,
    string? SeriesDescription = null);
