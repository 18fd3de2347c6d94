using System.Globalization;
using System.Text.RegularExpressions;

namespace RadAI.Dicom.Generator;

/// <summary>dicom_elements.tsv → DicomDictionary.g.cs (every row) and DicomTags.g.cs (one property per keyword).</summary>
internal static partial class ElementsGenerator
{
    /// <summary>The VR codes of PS3.5 (the generator does not reference RadAI.Dicom, which needs its output to build).</summary>
    private static readonly HashSet<string> KnownVRs = new(StringComparer.Ordinal)
    {
        "AE", "AS", "AT", "CS", "DA", "DS", "DT", "FD", "FL", "IS", "LO", "LT", "OB", "OD", "OF", "OL", "OV", "OW",
        "PN", "SH", "SL", "SQ", "SS", "ST", "SV", "TM", "UC", "UI", "UL", "UN", "UR", "US", "UT", "UV",
    };

    public static IReadOnlyList<Element> Read(string tablesFolder)
    {
        var table = TsvTable.Read(Path.Combine(tablesFolder, "dicom_elements.tsv"), "tag", "keyword", "name", "vr", "vm", "retired");
        var elements = new List<Element>(table.Rows.Count);
        foreach (var row in table.Rows)
        {
            var tagText = row["tag"];
            var match = TagPattern().Match(tagText);
            if (!match.Success)
            {
                throw row.Error($"tag '{tagText}' is not (gggg,eeee) with hexadecimal digits or lowercase x.");
            }

            var digits = match.Groups[1].Value + match.Groups[2].Value;
            uint value = 0;
            uint mask = 0;
            foreach (var c in digits)
            {
                value <<= 4;
                mask <<= 4;
                if (c != 'x')
                {
                    value |= uint.Parse(c.ToString(), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
                    mask |= 0xF;
                }
            }

            var vrText = row["vr"];
            var vrs = vrText.Length == 0 ? [] : vrText.Split(" or ");
            if (vrs.Length > 3)
            {
                throw row.Error($"VR '{vrText}' names more than three VRs.");
            }

            foreach (var vr in vrs)
            {
                if (!KnownVRs.Contains(vr))
                {
                    throw row.Error($"VR '{vrText}': '{vr}' is not a VR.");
                }
            }

            if (row["name"].Length == 0)
            {
                throw row.Error("empty name.");
            }

            if (row["vm"].Length == 0)
            {
                throw row.Error("empty VM.");
            }

            elements.Add(new Element(row, tagText, value, mask, row["keyword"], row["name"], vrText, vrs, row["vm"], row.YesNo("retired")));
        }

        // Tag order: by value, an exact tag before a repeating group with the same value
        // ((0028,0400) TransformLabel before (0028,04x0) RowsForNthOrderCoefficients).
        var sorted = elements
            .OrderBy(e => e.Value)
            .ThenByDescending(e => e.Mask)
            .ThenBy(e => e.TagText, StringComparer.Ordinal)
            .ToList();

        Check(sorted);
        return sorted;
    }

    private static void Check(List<Element> elements)
    {
        var byTag = new Dictionary<(uint, uint), Element>();
        var byKeyword = new Dictionary<string, Element>(StringComparer.Ordinal);
        foreach (var element in elements)
        {
            if (!byTag.TryAdd((element.Value, element.Mask), element))
            {
                throw element.Row.Error($"tag {element.TagText} is also on line {byTag[(element.Value, element.Mask)].Row.LineNumber}.");
            }

            if (element.Keyword.Length == 0)
            {
                continue;
            }

            if (!CSharp.IsValidIdentifier(element.Keyword) || element.Keyword == "DicomTags")
            {
                throw element.Row.Error($"keyword '{element.Keyword}' is not a valid C# member name.");
            }

            if (!byKeyword.TryAdd(element.Keyword, element))
            {
                throw element.Row.Error($"keyword '{element.Keyword}' is also on line {byKeyword[element.Keyword].Row.LineNumber}.");
            }
        }
    }

    public static GeneratedFile Dictionary(IReadOnlyList<Element> elements)
    {
        var w = new SourceWriter();
        w.Line("public static partial class DicomDictionary");
        w.Line("{");
        w.Line($"    // {elements.Count} entries in tag order: PS3.6 and the PS3.7 command group (group 0000).");
        w.Line("    private static partial DicomDictionaryEntry[] CreateEntries() =>");
        w.Line("    [");
        foreach (var e in elements)
        {
            w.Line($"        new({CSharp.Hex(e.Value)}, {CSharp.Hex(e.Mask)}, {CSharp.Literal(e.Keyword)}, {CSharp.Literal(e.Name)}, "
                + $"{Vr(e, 0)}, {Vr(e, 1)}, {Vr(e, 2)}, {CSharp.Literal(e.VM)}, {CSharp.Bool(e.IsRetired)}),");
        }

        w.Line("    ];");
        w.Line("}");
        return new GeneratedFile("DicomDictionary.g.cs", w.ToString());
    }

    public static GeneratedFile Tags(IReadOnlyList<Element> elements)
    {
        var exact = elements.Where(e => !e.IsRepeating).ToDictionary(e => e.Value);
        var w = new SourceWriter();
        w.Line("/// <summary>");
        w.Line("/// One property per keyword of the data dictionary, e.g. <c>DicomTags.PatientName</c> is (0010,0010).");
        w.Line("/// A repeating group keyword such as <c>OverlayData</c> (60xx,3000) gives the group's first tag, (6000,3000).");
        w.Line("/// </summary>");
        w.Line("public static partial class DicomTags");
        w.Line("{");
        var first = true;
        foreach (var e in elements.Where(e => e.Keyword.Length > 0))
        {
            if (!first)
            {
                w.Line();
            }

            first = false;
            var summary = $"{e.TagText} {e.Name} — {(e.VRText.Length == 0 ? "no VR" : "VR " + e.VRText)}, VM {e.VM}.";
            if (e.IsRetired)
            {
                summary += " Retired.";
            }

            if (e.IsRepeating)
            {
                var baseTag = TagText(e.Value);
                summary += $" Repeating group: the property is the first tag {baseTag}.";
                if (exact.TryGetValue(e.Value, out var clash))
                {
                    summary += $" Beware: {baseTag} is also {clash.Keyword}, which the dictionary returns for it.";
                }
                else if ((e.Value & 0xFFFF) == 0)
                {
                    summary += $" Beware: {baseTag} is a group length tag.";
                }
            }

            w.Line($"    /// <summary>{CSharp.XmlText(summary)}</summary>");
            w.Line($"    public static DicomTag {e.Keyword} => new({CSharp.Hex(e.Value)});");
        }

        w.Line("}");
        return new GeneratedFile("DicomTags.g.cs", w.ToString());
    }

    private static string Vr(Element e, int index) => index < e.VRs.Length ? "DicomVR." + e.VRs[index] : "DicomVR.None";

    private static string TagText(uint value) =>
        string.Create(CultureInfo.InvariantCulture, $"({value >> 16:X4},{value & 0xFFFF:X4})");

    [GeneratedRegex("^\\(([0-9A-Fx]{4}),([0-9A-Fx]{4})\\)$", RegexOptions.CultureInvariant)]
    private static partial Regex TagPattern();

    internal sealed record Element(
        TsvRow Row,
        string TagText,
        uint Value,
        uint Mask,
        string Keyword,
        string Name,
        string VRText,
        string[] VRs,
        string VM,
        bool IsRetired)
    {
        public bool IsRepeating => Mask != 0xFFFFFFFFu;
    }
}
