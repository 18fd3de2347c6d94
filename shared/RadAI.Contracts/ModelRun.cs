namespace RadAI.Contracts;

/// <summary>One model package run on one series, as recorded for the report (TID 4019).</summary>
/// <param name="ModelId">Identifier of the model package, e.g. <c>radai.ct.lung-quant</c>.</param>
/// <param name="ModelVersion">Version of the package.</param>
/// <param name="Status">Release status of the package: DEMO, RESEARCH or CLINICAL.</param>
/// <param name="SeriesInstanceUid">The input series.</param>
/// <param name="FindingCount">Number of findings this run produced.</param>
/// <param name="DurationMs">Inference time in milliseconds, pre- and post-processing included.</param>
/// <param name="ExecutionProvider">ONNX Runtime execution provider that ran it: CUDA or CPU.</param>
public sealed record ModelRun(
    string ModelId,
    string ModelVersion,
    string Status,
    string SeriesInstanceUid,
    int FindingCount,
    long DurationMs,
    string ExecutionProvider);
