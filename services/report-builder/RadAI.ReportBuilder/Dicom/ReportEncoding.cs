using RadAI.Contracts.Findings;
using RadAI.Dicom;

namespace RadAI.ReportBuilder.Dicom;

/// <summary>
/// Writes text into sequence items with the report object's character set. An item built on its own has no
/// parent yet, so the toolkit would encode its text in the default repertoire; the report's strings
/// (code meanings, labels, the conclusion) are encoded here with the object's Specific Character Set instead.
/// </summary>
internal sealed class ReportEncoding(DicomCharacterSet characterSet)
{
    public DicomCharacterSet CharacterSet { get; } = characterSet;

    /// <summary>Sets a string element with the dictionary's VR, encoded with <see cref="CharacterSet"/>.</summary>
    public DicomDataset Set(DicomDataset item, DicomTag tag, string value)
    {
        var vr = DicomDictionary.GetVR(tag);
        if (!vr.UsesSpecificCharacterSet())
        {
            return item.AddOrUpdate(tag, vr, value);
        }

        var problem = DicomValueValidator.Check(vr, value);
        return problem is null
            ? item.AddOrUpdateBytes(tag, vr, CharacterSet.Encode(value, vr))
            : throw new ArgumentException($"Invalid value for {tag} {DicomDictionary.GetKeyword(tag)} ({vr.Code()}): {problem}.", nameof(value));
    }

    /// <summary>A Code Sequence Macro item.</summary>
    public DicomDataset CodeItem(Code code) => CodeItem(code.Scheme, code.Value, code.Meaning);

    /// <summary>A Code Sequence Macro item.</summary>
    public DicomDataset CodeItem(DicomCode code) => CodeItem(code.Scheme, code.Value, code.Meaning);

    private DicomDataset CodeItem(string scheme, string value, string meaning)
    {
        var item = new DicomDataset();
        // Code Value is SH (16 characters); longer values (URNs...) go to Long Code Value.
        Set(item, value.Length > 16 ? DicomTags.LongCodeValue : DicomTags.CodeValue, value);
        Set(item, DicomTags.CodingSchemeDesignator, scheme);
        Set(item, DicomTags.CodeMeaning, meaning);
        return item;
    }
}
