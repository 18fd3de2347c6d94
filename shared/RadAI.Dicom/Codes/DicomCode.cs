namespace RadAI.Dicom;

/// <summary>A coded concept: (code value, coding scheme designator, code meaning) as in a Code Sequence item.</summary>
/// <param name="Scheme">Coding Scheme Designator (0008,0102), e.g. <c>DCM</c>, <c>SCT</c>, <c>UCUM</c>.</param>
/// <param name="Value">Code Value (0008,0100).</param>
/// <param name="Meaning">Code Meaning (0008,0104).</param>
public sealed record DicomCode(string Scheme, string Value, string Meaning)
{
    /// <summary>Same concept: scheme and value equal (the meaning is only a label).</summary>
    public bool IsSameConcept(DicomCode other) => Scheme == other.Scheme && Value == other.Value;

    public override string ToString() => $"({Value}, {Scheme}, \"{Meaning}\")";
}

/// <summary>A context group (CID) of PS3.16, with its included groups expanded.</summary>
/// <param name="Cid">Context group number.</param>
/// <param name="Name">Name, e.g. <c>Anatomic Region</c>.</param>
/// <param name="Uid">Context Group UID.</param>
/// <param name="Version">Context Group Version (YYYYMMDD).</param>
/// <param name="Codes">Members, included groups expanded recursively, in table order, without duplicates.</param>
public sealed record DicomContextGroup(int Cid, string Name, string Uid, string Version, IReadOnlyList<DicomCode> Codes)
{
    /// <summary>True when the group holds this concept (scheme and value).</summary>
    public bool Contains(DicomCode code) => Codes.Any(c => c.IsSameConcept(code));
}
