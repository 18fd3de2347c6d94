using System.Globalization;

namespace RadAI.Dicom.Generator;

/// <summary>
/// dicom_dcm_codes.tsv → DcmCodes.g.cs, sr_common_codes.tsv → SrCodes.g.cs,
/// dicom_cids.tsv and dicom_cid_members.tsv → DicomContextGroups.g.cs.
/// </summary>
internal static class CodesGenerator
{
    public static GeneratedFile DcmCodes(string tablesFolder)
    {
        var table = TsvTable.Read(Path.Combine(tablesFolder, "dicom_dcm_codes.tsv"),
            "code_value", "code_meaning", "retired", "retired_or_replaced_per_annex_d_text");
        var values = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in table.Rows)
        {
            if (row["code_value"].Length == 0 || row["code_meaning"].Length == 0)
            {
                throw row.Error("empty code value or meaning.");
            }

            if (!values.Add(row["code_value"]))
            {
                throw row.Error($"code value {row["code_value"]} appears twice.");
            }
        }

        var names = MemberNames(table.Rows, "DcmCodes", r => r["code_meaning"], r => r["code_value"]);
        var codes = new CompactText();
        var w = new SourceWriter();
        w.Line("/// <summary>");
        w.Line($"/// The {table.Rows.Count} codes of coding scheme DCM (PS3.16 Annex D), one property per code, named after its meaning;");
        w.Line("/// when two meanings give the same name, each gets its code value as a suffix (e.g. <c>Film_110010</c>).");
        w.Line("/// </summary>");
        w.Line("public static partial class DcmCodes");
        w.Line("{");
        w.Line("    // Built once, on first use of the class; each property returns its element.");
        w.Line("    private static readonly DicomCode[] GeneratedCodes =");
        w.Line("    [");
        w.Line("        .. GeneratedCodeTable.Split('\\n', StringSplitOptions.RemoveEmptyEntries)");
        w.Line("            .Select(line => line.TrimEnd('\\r').Split('|'))");
        w.Line("            .Select(f => new DicomCode(\"DCM\", f[0], f[1])),");
        w.Line("    ];");
        for (var i = 0; i < table.Rows.Count; i++)
        {
            var row = table.Rows[i];
            var summary = $"DCM {row["code_value"]} \"{row["code_meaning"]}\".";
            if (row.YesNo("retired"))
            {
                summary += " Retired.";
            }
            else if (row.YesNo("retired_or_replaced_per_annex_d_text"))
            {
                summary += " Marked retired or replaced in the text of PS3.16 Annex D.";
            }

            codes.Row(row, row["code_value"], row["code_meaning"]);
            w.Line();
            w.Line($"    /// <summary>{CSharp.XmlText(summary)}</summary>");
            w.Line($"    public static DicomCode {names[i]} => GeneratedCodes[{i.ToString(CultureInfo.InvariantCulture)}];");
        }

        w.Line();
        w.Line("    // code value|code meaning, in table order (the index of each property above).");
        codes.WriteConstant(w, "GeneratedCodeTable");
        w.Line("}");
        return new GeneratedFile("DcmCodes.g.cs", w.ToString());
    }

    public static GeneratedFile SrCodes(string tablesFolder)
    {
        var table = TsvTable.Read(Path.Combine(tablesFolder, "sr_common_codes.tsv"),
            "group", "coding_scheme_designator", "code_value", "code_meaning", "found_in", "note");
        var groups = table.Rows
            .GroupBy(r => r["group"], StringComparer.Ordinal)
            .Select(g => (Group: g.Key, ClassName: CSharp.PascalCase(g.Key), Rows: g.ToList()))
            .ToList();
        var classNames = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (group, className, rows) in groups)
        {
            if (group.Length == 0 || !CSharp.IsValidIdentifier(className) || className == "SrCodes")
            {
                throw rows[0].Error($"group '{group}' does not give a valid class name ('{className}').");
            }

            if (!classNames.TryAdd(className, group))
            {
                throw rows[0].Error($"groups '{group}' and '{classNames[className]}' both give class {className}.");
            }

            foreach (var row in rows)
            {
                if (row["coding_scheme_designator"].Length == 0 || row["code_value"].Length == 0 || row["code_meaning"].Length == 0)
                {
                    throw row.Error("empty scheme, code value or meaning.");
                }
            }
        }

        var w = new SourceWriter();
        w.Line("/// <summary>");
        w.Line("/// A curated starter set of codes for TID 1500 measurement reports (tools/dicom-generator/tables/sr_common_codes.tsv),");
        w.Line("/// one nested class per group. Each summary says where the code was found.");
        w.Line("/// </summary>");
        w.Line("public static partial class SrCodes");
        w.Line("{");
        for (var g = 0; g < groups.Count; g++)
        {
            var (group, className, rows) = groups[g];
            var names = MemberNames(rows, className, r => r["code_meaning"], r => r["code_value"]);
            if (g > 0)
            {
                w.Line();
            }

            w.Line($"    /// <summary>Group \"{CSharp.XmlText(group)}\" of the table.</summary>");
            w.Line($"    public static class {className}");
            w.Line("    {");
            for (var i = 0; i < rows.Count; i++)
            {
                var row = rows[i];
                var summary = $"{row["coding_scheme_designator"]} {row["code_value"]} \"{row["code_meaning"]}\".";
                if (row["found_in"].Length > 0)
                {
                    summary += $" Found in: {row["found_in"]}.";
                }

                if (row["note"].Length > 0)
                {
                    summary += $" Note: {row["note"]}.";
                }

                if (i > 0)
                {
                    w.Line();
                }

                w.Line($"        /// <summary>{CSharp.XmlText(summary)}</summary>");
                w.Line($"        public static DicomCode {names[i]} {{ get; }} = new({CSharp.Literal(row["coding_scheme_designator"])}, "
                    + $"{CSharp.Literal(row["code_value"])}, {CSharp.Literal(row["code_meaning"])});");
            }

            w.Line("    }");
        }

        w.Line("}");
        return new GeneratedFile("SrCodes.g.cs", w.ToString());
    }

    public static GeneratedFile ContextGroups(string tablesFolder, Action<string> warn)
    {
        var cids = TsvTable.Read(Path.Combine(tablesFolder, "dicom_cids.tsv"), "cid", "name", "context_group_uid", "version", "number_of_rows");
        var members = TsvTable.Read(Path.Combine(tablesFolder, "dicom_cid_members.tsv"),
            "cid", "row_type", "coding_scheme_designator", "code_value", "code_meaning", "included_cid");

        var groups = new Dictionary<int, (TsvRow Row, List<TsvRow> Members)>();
        var order = new List<int>();
        foreach (var row in cids.Rows)
        {
            var cid = ParseCid(row, row["cid"]);
            if (!groups.TryAdd(cid, (row, [])))
            {
                throw row.Error($"CID {cid} appears twice.");
            }

            order.Add(cid);
        }

        foreach (var row in members.Rows)
        {
            var cid = ParseCid(row, row["cid"]);
            if (!groups.TryGetValue(cid, out var group))
            {
                throw row.Error($"CID {cid} is not in {cids.FileName}.");
            }

            group.Members.Add(row);
        }

        var text = new CompactText();
        var unknownIncludes = new List<string>();
        foreach (var cid in order)
        {
            var (row, rows) = groups[cid];
            if (!int.TryParse(row["number_of_rows"], NumberStyles.None, CultureInfo.InvariantCulture, out var expected))
            {
                throw row.Error($"number_of_rows '{row["number_of_rows"]}' is not a number.");
            }

            if (expected != rows.Count)
            {
                throw row.Error($"CID {cid} has number_of_rows {expected} but {rows.Count} rows in {members.FileName}.");
            }

            // "None" is how the source tables wrote a missing version.
            var version = row["version"] == "None" ? "" : row["version"];
            text.Row(row, "#" + cid.ToString(CultureInfo.InvariantCulture), row["name"], row["context_group_uid"], version);
            foreach (var member in rows)
            {
                switch (member["row_type"])
                {
                    case "code":
                        if (member["coding_scheme_designator"].Length == 0 || member["code_value"].Length == 0
                            || member["coding_scheme_designator"][0] is '#' or '>')
                        {
                            throw member.Error("code row without scheme or value, or with a scheme starting with # or >.");
                        }

                        text.Row(member, member["coding_scheme_designator"], member["code_value"], member["code_meaning"]);
                        break;
                    case "include":
                        var included = ParseCid(member, member["included_cid"]);
                        if (!groups.ContainsKey(included))
                        {
                            unknownIncludes.Add($"CID {cid} includes CID {included}");
                            warn($"{member.Where}: CID {cid} includes CID {included}, which is not in {cids.FileName}; it will add nothing.");
                        }

                        text.Line(">" + included.ToString(CultureInfo.InvariantCulture));
                        break;
                    default:
                        throw member.Error($"row_type '{member["row_type"]}' is not code or include.");
                }
            }
        }

        var w = new SourceWriter();
        w.Line("public static partial class DicomContextGroups");
        w.Line("{");
        w.Line($"    // The {order.Count} context groups of PS3.16 and their {members.Rows.Count} member rows, read by DicomContextGroups.cs.");
        w.Line("    // A group starts with \"#cid|name|context group UID|version\"; each member row follows, in table order:");
        w.Line("    // \"scheme|value|meaning\" for a code, \">cid\" for an included group.");
        foreach (var unknown in unknownIncludes)
        {
            w.Line($"    // Note: {unknown}, which is not in the table; it adds nothing.");
        }

        text.WriteConstant(w, "GeneratedGroupTable");
        w.Line("}");
        return new GeneratedFile("DicomContextGroups.g.cs", w.ToString());
    }

    /// <summary>
    /// Member names for codes: PascalCase of the meaning; every name that two or more rows share
    /// (or that equals the enclosing class name, or starts with "Generated", the prefix of the generated
    /// private members) gets "_" and the code value appended.
    /// </summary>
    private static string[] MemberNames(IReadOnlyList<TsvRow> rows, string className, Func<TsvRow, string> meaning, Func<TsvRow, string> value)
    {
        var baseNames = rows.Select(r => CSharp.PascalCase(meaning(r))).ToArray();
        var counts = baseNames.GroupBy(n => n, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var names = new string[rows.Count];
        var seen = new Dictionary<string, TsvRow>(StringComparer.Ordinal);
        for (var i = 0; i < rows.Count; i++)
        {
            var name = baseNames[i];
            if (counts[name] > 1 || name == className || name.StartsWith("Generated", StringComparison.Ordinal))
            {
                name += "_" + CSharp.IdentifierPart(value(rows[i]));
            }

            if (!CSharp.IsValidIdentifier(name))
            {
                throw rows[i].Error($"'{meaning(rows[i])}' gives '{name}', not a valid C# member name.");
            }

            if (!seen.TryAdd(name, rows[i]))
            {
                throw rows[i].Error($"member name {name} is also given to line {seen[name].LineNumber}.");
            }

            names[i] = name;
        }

        return names;
    }

    private static int ParseCid(TsvRow row, string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var cid) && cid > 0
            ? cid
            : throw row.Error($"'{text}' is not a CID number.");
}
