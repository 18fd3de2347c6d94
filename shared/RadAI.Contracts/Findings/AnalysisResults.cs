namespace RadAI.Contracts.Findings;

/// <summary>
/// The findings document of a job (<c>findings.json</c> in the <c>results</c> store), written by
/// inference and read by report-builder and the api. JSON with camelCase names; the same add-only
/// rule as the events applies (see the contracts README). Coordinates are DICOM patient coordinates
/// (LPS, mm); indices are (x = column, y = row, z = slice in the sorted volume), 0-based.
/// </summary>
/// <param name="SchemaVersion">Version of this layout; readers refuse a major version they do not know.</param>
/// <param name="JobId">The job.</param>
/// <param name="StudyInstanceUid">The analysed study.</param>
/// <param name="CompletedAt">When the last run finished (UTC).</param>
/// <param name="Runs">One entry per (package, series) run that succeeded.</param>
public sealed record AnalysisResults(
    int SchemaVersion,
    Guid JobId,
    string StudyInstanceUid,
    DateTimeOffset CompletedAt,
    IReadOnlyList<RunResults> Runs)
{
    /// <summary>The version inference writes.</summary>
    public const int CurrentSchemaVersion = 1;

    /// <summary>File name of the document in the job's results folder.</summary>
    public const string FileName = "findings.json";
}

/// <summary>What one model package found on one series.</summary>
/// <param name="RunId">Folder of the run inside the job's results folder, e.g. <c>run-1</c>.</param>
/// <param name="Model">The package that ran (for TID 4019 Algorithm Identification).</param>
/// <param name="SeriesInstanceUid">The input series.</param>
/// <param name="Modality">Its modality.</param>
/// <param name="FrameOfReferenceUid">Its Frame of Reference UID (empty when the images have none).</param>
/// <param name="Geometry">The volume's grid, to place masks and points on the source images.</param>
/// <param name="ExecutionProvider">CUDA or CPU.</param>
/// <param name="DurationMs">Time of the run, pre- and post-processing included.</param>
/// <param name="Segments">The segments of <paramref name="Mask"/> (empty when the run makes no mask).</param>
/// <param name="Mask">The label map (see <see cref="LabelMapFile"/>): voxel value = segment number, 0 = none.</param>
/// <param name="Findings">Findings with their measurements.</param>
/// <param name="Notes">Quality remarks for the reader (e.g. incomplete coverage), in English; report-builder translates known codes.</param>
public sealed record RunResults(
    string RunId,
    ModelIdentity Model,
    string SeriesInstanceUid,
    string Modality,
    string FrameOfReferenceUid,
    VolumeGeometry Geometry,
    string ExecutionProvider,
    long DurationMs,
    IReadOnlyList<SegmentInfo> Segments,
    StorageReference? Mask,
    IReadOnlyList<Finding> Findings,
    IReadOnlyList<RunNote> Notes);

/// <summary>Identity and status of a model package.</summary>
/// <param name="Id">Stable package id.</param>
/// <param name="Version">Package version.</param>
/// <param name="Name">Display name.</param>
/// <param name="Status">DEMO, RESEARCH or CLINICAL.</param>
/// <param name="IntendedUse">Intended use, in English.</param>
/// <param name="Limitations">Limits, in English.</param>
public sealed record ModelIdentity(string Id, string Version, string Name, string Status, string IntendedUse, IReadOnlyList<string> Limitations);

/// <summary>The grid of an analysed volume.</summary>
/// <param name="SizeX">Columns.</param>
/// <param name="SizeY">Rows.</param>
/// <param name="SizeZ">Slices (frames), sorted along the normal.</param>
/// <param name="Spacing">Voxel size in mm: column spacing, row spacing, slice spacing.</param>
/// <param name="Origin">Patient position of voxel (0,0,0)'s centre.</param>
/// <param name="RowDirection">Direction cosines of increasing x (Image Orientation's first vector).</param>
/// <param name="ColumnDirection">Direction cosines of increasing y.</param>
/// <param name="Slices">Source image of each slice z.</param>
public sealed record VolumeGeometry(
    int SizeX,
    int SizeY,
    int SizeZ,
    Vector3D Spacing,
    Vector3D Origin,
    Vector3D RowDirection,
    Vector3D ColumnDirection,
    IReadOnlyList<ImageReference> Slices);

/// <summary>A 3-vector (mm or direction cosines).</summary>
public sealed record Vector3D(double X, double Y, double Z);

/// <summary>A source image: an instance, and a frame of it (1-based; 1 for single-frame images).</summary>
public sealed record ImageReference(string SopInstanceUid, string SopClassUid, int Frame);

/// <summary>A coded concept (Code Sequence Macro).</summary>
/// <param name="Scheme">Coding Scheme Designator, e.g. SCT, DCM, UCUM, 99RADAI.</param>
/// <param name="Value">Code Value.</param>
/// <param name="Meaning">Code Meaning, in English.</param>
public sealed record Code(string Scheme, string Value, string Meaning);

/// <summary>One segment of a run's label map (a SEG segment).</summary>
/// <param name="Number">Segment number = voxel value in the label map (1..255).</param>
/// <param name="Label">Segment Label.</param>
/// <param name="Category">Segmented Property Category.</param>
/// <param name="Type">Segmented Property Type.</param>
/// <param name="AnatomicRegion">Where it is, when the type alone does not say (e.g. right lung for a nodule).</param>
/// <param name="VoxelCount">Voxels of the segment.</param>
/// <param name="TypeModifier">Segmented Property Type Modifier, e.g. laterality (SCT 24028007 Right).</param>
public sealed record SegmentInfo(int Number, string Label, Code Category, Code Type, Code? AnatomicRegion, long VoxelCount, Code? TypeModifier = null);

/// <summary>
/// One finding: an organ, a lesion candidate, a quality measurement or a classification. Its
/// measurements become TID 1411 (with a segment) or TID 1501 (without) groups of the SR.
/// </summary>
/// <param name="Id">Unique within the run, e.g. <c>lung-right</c>, <c>nodule-3</c>.</param>
/// <param name="Kind"><c>organ</c>, <c>lesion</c>, <c>quality</c> or <c>classification</c>.</param>
/// <param name="Type">What it is (Finding, TID 1411).</param>
/// <param name="Site">Finding site, when known.</param>
/// <param name="SegmentNumber">Its segment in the run's label map, when it has one.</param>
/// <param name="Measurements">The measurements.</param>
/// <param name="Region">Where it is, when it has a region.</param>
/// <param name="Laterality">Laterality of the finding site (SCT 24028007 Right, 7771000 Left, 51440002 Bilateral).</param>
public sealed record Finding(
    string Id,
    string Kind,
    Code Type,
    Code? Site,
    int? SegmentNumber,
    IReadOnlyList<Measurement> Measurements,
    FindingRegion? Region,
    Code? Laterality = null);

/// <summary>A numeric measurement.</summary>
/// <param name="Concept">What is measured (e.g. SCT 118565006 Volume).</param>
/// <param name="Value">The value.</param>
/// <param name="Unit">UCUM unit code (e.g. <c>ml</c>, <c>mm</c>, <c>[hnsf'U]</c>, <c>%</c>, <c>1</c>).</param>
/// <param name="UnitMeaning">Meaning of the unit, in English.</param>
/// <param name="Derivation">How it was derived, when the concept alone does not say (e.g. SCT 373098007 Mean).</param>
public sealed record Measurement(Code Concept, double Value, string Unit, string UnitMeaning, Code? Derivation = null);

/// <summary>Geometry of a finding.</summary>
/// <param name="Centroid">Centre of mass (mm).</param>
/// <param name="BoundingBoxMin">Smallest voxel indices (x, y, z) of the region.</param>
/// <param name="BoundingBoxMax">Largest voxel indices (x, y, z) of the region.</param>
/// <param name="KeySlice">Slice index z where the region's area is largest: the image to show.</param>
/// <param name="KeyImage">Source image of <paramref name="KeySlice"/>.</param>
/// <param name="DiameterStart">One end of the longest 3D diameter (mm), when measured.</param>
/// <param name="DiameterEnd">The other end.</param>
public sealed record FindingRegion(
    Vector3D Centroid,
    Vector3D BoundingBoxMin,
    Vector3D BoundingBoxMax,
    int KeySlice,
    ImageReference KeyImage,
    Vector3D? DiameterStart = null,
    Vector3D? DiameterEnd = null);

/// <summary>A remark about the run for the reader.</summary>
/// <param name="Code">Stable code, e.g. <c>coverage-incomplete</c>, <c>exposure-high</c>.</param>
/// <param name="Severity"><c>info</c>, <c>warning</c>.</param>
/// <param name="Text">The remark, in English.</param>
public sealed record RunNote(string Code, string Severity, string Text);
