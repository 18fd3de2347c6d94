using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace RadAI.Dicom;

/// <summary>
/// New UIDs under the 2.25 root (PS3.5 B.2: a UUID as a decimal integer), so RadAI needs no registered
/// organisational root. Deterministic UIDs (from a name) let a re-send reuse the same SOP Instance UID.
/// </summary>
public static class DicomUidGenerator
{
    /// <summary>RadAI's Implementation Class UID (0002,0012), fixed for the product.</summary>
    public const string ImplementationClassUid = "2.25.173406187094412473442045587346095418731";

    /// <summary>RadAI's Implementation Version Name (0002,0013), at most 16 characters.</summary>
    public const string ImplementationVersionName = "RADAI_0_1";

    /// <summary>A new random UID.</summary>
    public static string New() => FromBytes(Guid.NewGuid().ToByteArray(bigEndian: true));

    /// <summary>
    /// The same UID for the same name every time (a name-based, SHA-256 derived UUID), e.g. from
    /// "job id + object kind" so that a report regenerated for the same job keeps its UID.
    /// </summary>
    public static string FromName(string name)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(name), hash);
        var uuid = hash[..16].ToArray();
        uuid[6] = (byte)((uuid[6] & 0x0F) | 0x80); // version 8: custom (RFC 9562)
        uuid[8] = (byte)((uuid[8] & 0x3F) | 0x80); // RFC variant
        return FromBytes(uuid);
    }

    private static string FromBytes(byte[] uuidBigEndian) =>
        "2.25." + new BigInteger(uuidBigEndian, isUnsigned: true, isBigEndian: true).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
