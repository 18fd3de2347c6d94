using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using RadAI.Dicom.Network;

namespace RadAI.DicomIngest.Listening;

/// <summary>
/// The accounts of <c>DicomIngest:UserIdentity</c>, their passcodes read once from their files (validated at start), and
/// the check of a presented user identity against them.
/// </summary>
public sealed class DicomAccounts(IOptions<DicomIngestOptions> options)
{
    private readonly Lazy<IReadOnlyDictionary<string, byte[]?>> _passcodeHashes = new(() => Load(options.Value.UserIdentity));

    /// <summary>Whether an association must present a user identity.</summary>
    public bool Required => options.Value.UserIdentity.Required;

    /// <summary>
    /// Null when <paramref name="identity"/> may associate, else why not. Without accounts (and not required) any identity
    /// is accepted unchecked.
    /// </summary>
    public string? Refusal(UserIdentity identity)
    {
        var settings = options.Value.UserIdentity;
        if (settings.Accounts.Count == 0 && !settings.Required)
        {
            return null;
        }

        if (identity.Type is not (UserIdentityType.Username or UserIdentityType.UsernameAndPasscode))
        {
            return $"{identity.Type} identities are not accepted (user name and passcode only)";
        }

        if (!_passcodeHashes.Value.TryGetValue(identity.PrimaryText, out var expected))
        {
            return "unknown user";
        }

        if (expected is null)
        {
            // An account without a passcode presents its name alone.
            return identity.Type == UserIdentityType.Username ? null : "this account has no passcode: present the user name alone";
        }

        if (identity.Type == UserIdentityType.Username)
        {
            return "passcode missing";
        }

        // Hashes compared in constant time: neither the passcode nor its length shows in the timing.
        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(identity.SecondaryField), expected) ? null : "wrong passcode";
    }

    private static Dictionary<string, byte[]?> Load(DicomUserIdentityOptions settings) =>
        settings.Accounts.ToDictionary(
            a => a.Username,
            a => string.IsNullOrEmpty(a.PasscodeFile) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(FirstLine(a.PasscodeFile))),
            StringComparer.Ordinal);

    private static string FirstLine(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        return reader.ReadLine() ?? "";
    }
}
