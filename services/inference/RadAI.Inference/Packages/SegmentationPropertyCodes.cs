using RadAI.Dicom;

namespace RadAI.Inference.Packages;

/// <summary>
/// Segment category and type codes from the DICOM context groups (PS3.16, generated from <c>shared/dicom/</c>):
/// CID 7150 "Segmentation Property Category" and, for each category, its CID 7191–7198 "... Segmentation Property
/// Type" group. A label name is mapped only when it is exactly the meaning of one type code (letters compared
/// without case, <c>_</c> and <c>-</c> read as spaces): "spleen" is SCT 78961009 "Spleen", an Anatomical Structure.
/// </summary>
public static class SegmentationPropertyCodes
{
    /// <summary>Each type group and the CID 7150 category value its codes belong to (PS3.3 C.8.20.2, Segment Description).</summary>
    private static readonly (int TypeCid, string CategoryValue)[] TypeGroups =
    [
        (7191, "85756007"), // Tissue
        (7192, "91723000"), // Anatomical Structure
        (7193, "260787004"), // Physical object
        (7194, "49755003"), // Morphologically Abnormal Structure
        (7195, "246464006"), // Function
        (7196, "309825002"), // Spatial and Relational Concept
        (7197, "91720002"), // Body Substance
        (7198, "105590001"), // Substance
    ];

    private static readonly Lazy<List<(CodeRef Category, CodeRef Type)>> Entries = new(Load);

    /// <summary>The category and type of a label name, when exactly one type code has that meaning.</summary>
    public static bool TryFind(string labelName, out CodeRef category, out CodeRef type)
    {
        var key = Normalize(labelName);
        var matches = Entries.Value.Where(e => Normalize(e.Type.Meaning) == key).DistinctBy(e => (e.Category.Value, e.Type.Scheme, e.Type.Value)).ToList();
        (category, type) = matches.Count == 1 ? matches[0] : (null!, null!);
        return matches.Count == 1;
    }

    /// <summary>The categories whose type groups hold this code (scheme and value), with the meaning the table gives it.</summary>
    public static IReadOnlyList<(CodeRef Category, CodeRef Type)> Find(string scheme, string value) =>
        [.. Entries.Value.Where(e => e.Type.Scheme == scheme && e.Type.Value == value).DistinctBy(e => e.Category.Value)];

    /// <summary>A label name as compared: lowercase, words separated by single spaces.</summary>
    public static string Normalize(string name) =>
        string.Join(' ', name.ToLowerInvariant().Split([' ', '_', '-', '\t'], StringSplitOptions.RemoveEmptyEntries));

    private static List<(CodeRef, CodeRef)> Load()
    {
        var categories = DicomContextGroups.Get(7150).Codes;
        var entries = new List<(CodeRef, CodeRef)>();
        foreach (var (typeCid, categoryValue) in TypeGroups)
        {
            var category = categories.Single(c => c.Scheme == "SCT" && c.Value == categoryValue);
            foreach (var type in DicomContextGroups.Get(typeCid).Codes)
            {
                entries.Add((new CodeRef(category.Scheme, category.Value, category.Meaning), new CodeRef(type.Scheme, type.Value, type.Meaning)));
            }
        }

        return entries;
    }
}
