namespace RadAI.Contracts;

/// <summary>
/// Claim check: where the bytes of an event live. Events never carry pixel data or documents,
/// only a reference into a store every service can read.
/// </summary>
/// <param name="Store">
/// The store the key belongs to: <c>instances</c> (received DICOM instances), <c>results</c>
/// (model outputs: findings JSON and masks) or <c>reports</c> (generated SR, SEG, PDF).
/// </param>
/// <param name="Key">
/// Path of a file or folder relative to the root of <paramref name="Store"/>, with '/' separators.
/// Built from UIDs and internal ids only, never from patient data.
/// </param>
public sealed record StorageReference(string Store, string Key);
