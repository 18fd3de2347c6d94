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
        var table = new CompactText();
        foreach (var e in elements)
        {
            table.Row(e.Row, e.TagText, e.Keyword, e.Name, string.Join('/', e.VRs), e.VM, e.IsRetired ? "Y" : "N");
        }

        var w = new SourceWriter("System.Globalization");
        w.Line("public static partial class DicomDictionary");
        w.Line("{");
        w.Line("    private static partial DicomDictionaryEntry[] CreateEntries()");
        w.Line("    {");
        w.Line("        var lines = GeneratedEntryTable.Split('\\n', StringSplitOptions.RemoveEmptyEntries);");
        w.Line("        var entries = new DicomDictionaryEntry[lines.Length];");
        w.Line("        for (var i = 0; i < lines.Length; i++)");
        w.Line("        {");
        w.Line("            // (gggg,eeee)|keyword|name|VR[/VR[/VR]]|VM|retired; x in the tag: a repeating group digit.");
        w.Line("            var fields = lines[i].TrimEnd('\\r').Split('|');");
        w.Line("            var digits = string.Concat(fields[0].AsSpan(1, 4), fields[0].AsSpan(6, 4));");
        w.Line("            var value = uint.Parse(digits.Replace('x', '0'), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);");
        w.Line("            var mask = 0u;");
        w.Line("            foreach (var digit in digits)");
        w.Line("            {");
        w.Line("                mask = (mask << 4) | (digit == 'x' ? 0u : 0xFu);");
        w.Line("            }");
        w.Line();
        w.Line("            var vrs = fields[3].Split('/');");
        w.Line("            entries[i] = new DicomDictionaryEntry(value, mask, fields[1], fields[2],");
        w.Line("                GeneratedVR(vrs, 0), GeneratedVR(vrs, 1), GeneratedVR(vrs, 2), fields[4], fields[5] == \"Y\");");
        w.Line("        }");
        w.Line();
        w.Line("        return entries;");
        w.Line("    }");
        w.Line();
        w.Line("    private static DicomVR GeneratedVR(string[] codes, int index) =>");
        w.Line("        index >= codes.Length || codes[index].Length == 0 ? DicomVR.None");
        w.Line("        : DicomVRInfo.TryParse(codes[index], out var vr) ? vr");
        w.Line("        : throw new InvalidOperationException($\"Generated dictionary: '{codes[index]}' is not a VR.\");");
        w.Line();
        w.Line($"    // The {elements.Count} entries of PS3.6 and of the PS3.7 command group (0000,eeee), in tag order:");
        w.Line("    // (gggg,eeee)|keyword|name|VR, or VRs separated by '/', or nothing for the FFFE items and delimiters|VM|retired Y or N.");
        table.WriteConstant(w, "GeneratedEntryTable");
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
