namespace RadAI.Dicom.Generator;

/// <summary>One output file: its name in shared/RadAI.Dicom/Generated and its whole text.</summary>
internal sealed record GeneratedFile(string FileName, string Content);
