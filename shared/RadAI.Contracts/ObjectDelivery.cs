namespace RadAI.Contracts;

/// <summary>The outcome of storing one object at one destination.</summary>
/// <param name="SopInstanceUid">The object sent.</param>
/// <param name="Status">DIMSE status the destination answered (0x0000 success, 0xB... warning, other failure); -1 when never sent.</param>
/// <param name="Error">Error text when it failed.</param>
public sealed record ObjectDelivery(string SopInstanceUid, int Status, string? Error = null);
