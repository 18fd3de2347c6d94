namespace RadAI.Contracts;

/// <summary>One model package that could not run on one series.</summary>
/// <param name="ModelId">The package.</param>
/// <param name="ModelVersion">Its version.</param>
/// <param name="SeriesInstanceUid">The input series.</param>
/// <param name="ErrorCode">Stable reason: <c>volume-not-assemblable</c>, <c>model-error</c>.</param>
/// <param name="Reason">Human-readable reason, in English, without patient data.</param>
public sealed record ModelRunFailure(
    string ModelId,
    string ModelVersion,
    string SeriesInstanceUid,
    string ErrorCode,
    string Reason);
