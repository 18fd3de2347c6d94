namespace RadAI.Contracts;

/// <summary>Why a model package was or was not chosen for one series.</summary>
/// <param name="SeriesInstanceUid">The series evaluated.</param>
/// <param name="ModelId">The package evaluated.</param>
/// <param name="Selected">Whether the package runs on the series.</param>
/// <param name="Reason">The rule that decided, e.g. <c>modality MR not in [CT]</c>.</param>
public sealed record RoutingDecision(string SeriesInstanceUid, string ModelId, bool Selected, string Reason);
