using RadAI.Dicom;

namespace RadAI.ReportBuilder.Dicom;

/// <summary>
/// The RadAI node as the equipment that made the report objects (General and Enhanced General Equipment)
/// and as the device observer of the SR (TID 1004).
/// </summary>
/// <param name="Manufacturer">Manufacturer (0008,0070), e.g. <c>RadAI</c>.</param>
/// <param name="ModelName">Manufacturer's Model Name (0008,1090), e.g. <c>RadAI report-builder</c>.</param>
/// <param name="SoftwareVersion">Software Versions (0018,1020).</param>
/// <param name="DeviceSerialNumber">Device Serial Number (0018,1000): the installation id (Type 1 in the SEG).</param>
/// <param name="DeviceUid">Device UID (0018,1002) and Device Observer UID (TID 1004): one per installation, see <see cref="DeviceUidFor"/>.</param>
/// <param name="InstitutionName">Institution Name (0008,0080), when configured.</param>
/// <param name="StationName">Station Name (0008,1010), when configured.</param>
public sealed record ReportDevice(
    string Manufacturer,
    string ModelName,
    string SoftwareVersion,
    string DeviceSerialNumber,
    string DeviceUid,
    string? InstitutionName = null,
    string? StationName = null)
{
    /// <summary>The stable device UID of an installation: the same every time for the same installation id.</summary>
    public static string DeviceUidFor(string installationId) => DicomUidGenerator.FromName($"radai/device/{installationId}");
}
