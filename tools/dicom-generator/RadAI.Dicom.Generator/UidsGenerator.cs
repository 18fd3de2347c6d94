using System.Text.RegularExpressions;

namespace RadAI.Dicom.Generator;

/// <summary>dicom_uids.tsv → DicomUids.g.cs; dicom_transfer_syntaxes.tsv → DicomTransferSyntaxes.g.cs.</summary>
internal static partial class UidsGenerator
{
    /// <summary>Members of the hand-written DicomUids that a keyword must not hide.</summary>
    private static readonly HashSet<string> DicomUidsMembers = new(StringComparer.Ordinal)
    {
        "DicomUids", "All", "TryGetInfo", "NameOf", "Registry", "CreateRegistry", "GeneratedRegistryTable",
    };

    /// <summary>Members of the hand-written DicomTransferSyntax that a keyword must not hide.</summary>
    private static readonly HashSet<string> TransferSyntaxMembers = new(StringComparer.Ordinal)
    {
        "DicomTransferSyntax", "Known", "Uid", "Keyword", "Name", "IsExplicitVR", "IsLittleEndian", "IsEncapsulated",
        "IsDeflated", "HasPixelData", "Compression", "IsRetired", "IsKnown", "All", "Lookup", "TryLookup", "Equals",
        "GetHashCode", "ToString", "CreateAll", "GetType", "ReferenceEquals", "MemberwiseClone", "Finalize",
    };

    public static GeneratedFile Uids(string tablesFolder)
    {
        var table = TsvTable.Read(Path.Combine(tablesFolder, "dicom_uids.tsv"), "uid", "keyword", "name", "type", "info", "retired", "iod_or_cid");
        var uids = new HashSet<string>(StringComparer.Ordinal);
        var keywords = new Dictionary<string, TsvRow>(StringComparer.Ordinal);
        foreach (var row in table.Rows)
        {
            CheckUid(row, row["uid"]);
            if (!uids.Add(row["uid"]))
            {
                throw row.Error($"UID {row["uid"]} appears twice.");
            }

            var keyword = row["keyword"];
            if (keyword.Length == 0)
            {
                continue;
            }

            if (!CSharp.IsValidIdentifier(keyword) || DicomUidsMembers.Contains(keyword))
            {
                throw row.Error($"keyword '{keyword}' is not a valid C# member name for DicomUids.");
            }

            if (!keywords.TryAdd(keyword, row))
            {
                throw row.Error($"keyword '{keyword}' is also on line {keywords[keyword].LineNumber}.");
            }
        }

        var w = new SourceWriter();
        w.Line("public static partial class DicomUids");
        w.Line("{");
        foreach (var row in table.Rows.Where(r => r["keyword"].Length > 0))
        {
            var summary = $"{row["name"]} ({row["type"]}).";
            if (row["info"].Length > 0)
            {
                summary += " " + CSharp.Sentence(row["info"]);
            }

            if (row.YesNo("retired"))
            {
                summary += " Retired.";
            }

            w.Line($"    /// <summary>{CSharp.XmlText(summary)}</summary>");
            w.Line($"    public const string {row["keyword"]} = {CSharp.Literal(row["uid"])};");
            w.Line();
        }

        var registry = new CompactText();
        foreach (var row in table.Rows)
        {
            registry.Row(row, row["uid"], row["keyword"], row["name"], row["type"], row["info"], row.YesNo("retired") ? "Y" : "N", row["iod_or_cid"]);
        }

        w.Line("    private static partial DicomUidInfo[] CreateRegistry() =>");
        w.Line("    [");
        w.Line("        .. GeneratedRegistryTable.Split('\\n', StringSplitOptions.RemoveEmptyEntries)");
        w.Line("            .Select(line => line.TrimEnd('\\r').Split('|'))");
        w.Line("            .Select(f => new DicomUidInfo(f[0], f[1], f[2], f[3], f[4], f[5] == \"Y\", f[6])),");
        w.Line("    ];");
        w.Line();
        w.Line($"    // All {table.Rows.Count} UIDs of PS3.6 Annex A, in table order: uid|keyword|name|type|info|retired Y or N|IOD or CID.");
        registry.WriteConstant(w, "GeneratedRegistryTable");
        w.Line("}");
        return new GeneratedFile("DicomUids.g.cs", w.ToString());
    }

    public static GeneratedFile TransferSyntaxes(string tablesFolder)
    {
        var table = TsvTable.Read(Path.Combine(tablesFolder, "dicom_transfer_syntaxes.tsv"),
            "uid", "keyword", "name", "vr_encoding", "byte_order", "pixel_data_encapsulated", "dataset_deflated", "compression", "retired", "note");
        var uids = new HashSet<string>(StringComparer.Ordinal);
        var keywords = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in table.Rows)
        {
            CheckUid(row, row["uid"]);
            if (!uids.Add(row["uid"]))
            {
                throw row.Error($"UID {row["uid"]} appears twice.");
            }

            var keyword = row["keyword"];
            if (!CSharp.IsValidIdentifier(keyword) || TransferSyntaxMembers.Contains(keyword))
            {
                throw row.Error($"keyword '{keyword}' is not a valid C# member name for DicomTransferSyntax.");
            }

            if (!keywords.Add(keyword))
            {
                throw row.Error($"keyword '{keyword}' appears twice.");
            }
        }

        var w = new SourceWriter();
        w.Line("public sealed partial class DicomTransferSyntax");
        w.Line("{");
        foreach (var row in table.Rows)
        {
            var (isExplicitVR, vrNotApplicable) = row["vr_encoding"] switch
            {
                "explicit" => (true, false),
                "implicit" => (false, false),
                "n/a" => (true, true),
                var other => throw row.Error($"vr_encoding '{other}' is not explicit, implicit or n/a."),
            };
            var (isLittleEndian, byteOrderNotApplicable) = row["byte_order"] switch
            {
                "little" => (true, false),
                "big" => (false, false),
                "n/a" => (true, true),
                var other => throw row.Error($"byte_order '{other}' is not little, big or n/a."),
            };
            var (isEncapsulated, hasPixelData) = row["pixel_data_encapsulated"] switch
            {
                "Y" => (true, true),
                "N" => (false, true),
                "no-pixel-data" or "n/a" => (false, false),
                var other => throw row.Error($"pixel_data_encapsulated '{other}' is not Y, N, no-pixel-data or n/a."),
            };
            if (row["compression"].Length == 0)
            {
                throw row.Error("empty compression.");
            }

            var summary = $"{row["name"]} ({row["uid"]}).";
            if (row["note"].Length > 0)
            {
                summary += " " + CSharp.Sentence(row["note"]);
            }

            if (row.YesNo("retired") && !row["note"].StartsWith("retired", StringComparison.OrdinalIgnoreCase))
            {
                summary += " Retired.";
            }

            if (vrNotApplicable || byteOrderNotApplicable)
            {
                w.Line("    // Not a data set encoding (the table says n/a): described as explicit VR little endian.");
            }

            w.Line($"    /// <summary>{CSharp.XmlText(summary)}</summary>");

            w.Line($"    public static DicomTransferSyntax {row["keyword"]} {{ get; }} = new(");
            w.Line($"        {CSharp.Literal(row["uid"])}, {CSharp.Literal(row["keyword"])}, {CSharp.Literal(row["name"])},");
            w.Line($"        isExplicitVR: {CSharp.Bool(isExplicitVR)}, isLittleEndian: {CSharp.Bool(isLittleEndian)}, "
                + $"isEncapsulated: {CSharp.Bool(isEncapsulated)}, isDeflated: {CSharp.Bool(row.YesNo("dataset_deflated"))},");
            w.Line($"        hasPixelData: {CSharp.Bool(hasPixelData)}, compression: {CSharp.Literal(row["compression"])}, "
                + $"isRetired: {CSharp.Bool(row.YesNo("retired"))});");
            w.Line();
        }

        w.Line($"    // The {table.Rows.Count} transfer syntaxes of the table, in table order.");
        w.Line("    private static partial DicomTransferSyntax[] CreateAll() =>");
        w.Line("    [");
        foreach (var row in table.Rows)
        {
            w.Line($"        {row["keyword"]},");
        }

        w.Line("    ];");
        w.Line("}");
        return new GeneratedFile("DicomTransferSyntaxes.g.cs", w.ToString());
    }

    private static void CheckUid(TsvRow row, string uid)
    {
        if (uid.Length is 0 or > 64 || !UidPattern().IsMatch(uid))
        {
            throw row.Error($"'{uid}' is not a UID.");
        }
    }

    [GeneratedRegex("^(0|[1-9][0-9]*)(\\.(0|[1-9][0-9]*))*$", RegexOptions.CultureInvariant)]
    private static partial Regex UidPattern();
}
