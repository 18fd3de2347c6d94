namespace RadAI.Dicom;

/// <summary>
/// One attribute of the data dictionary (PS3.6, plus the PS3.7 command group).
/// Repeating groups such as (60xx,3000) are one entry whose <see cref="Mask"/> clears the varying digits.
/// </summary>
/// <param name="TagValue">Tag with its varying digits set to 0, e.g. 0x60003000 for (60xx,3000).</param>
/// <param name="Mask">Bits of a tag that must equal <paramref name="TagValue"/>; 0xFFFFFFFF for an ordinary tag.</param>
/// <param name="Keyword">Keyword, a valid C# identifier, e.g. <c>PatientName</c>.</param>
/// <param name="Name">Name as printed in PS3.6, e.g. <c>Patient's Name</c>.</param>
/// <param name="VR">VR, or the first of the possible VRs ("US or SS" gives US).</param>
/// <param name="AlternativeVR">Second possible VR ("US or SS" gives SS), else None.</param>
/// <param name="ThirdVR">Third possible VR ("US or SS or OW" gives OW), else None.</param>
/// <param name="VM">Value multiplicity as in PS3.6: <c>1</c>, <c>1-n</c>, <c>2-2n</c>, <c>3</c>...</param>
/// <param name="IsRetired">Retired from the standard.</param>
public sealed record DicomDictionaryEntry(
    uint TagValue,
    uint Mask,
    string Keyword,
    string Name,
    DicomVR VR,
    DicomVR AlternativeVR,
    DicomVR ThirdVR,
    string VM,
    bool IsRetired)
{
    /// <summary>The tag (varying digits of a repeating group set to 0).</summary>
    public DicomTag Tag => new(TagValue);

    /// <summary>True when the VR depends on other attributes (US or SS, OB or OW...).</summary>
    public bool HasAmbiguousVR => AlternativeVR != DicomVR.None;

    /// <summary>True for a repeating group entry such as (60xx,3000).</summary>
    public bool IsRepeating => Mask != 0xFFFFFFFFu;

    /// <summary>True when <paramref name="tag"/> is this entry's tag or one of its repeating group instances.</summary>
    public bool Matches(DicomTag tag) => (tag.Value & Mask) == TagValue;
}
