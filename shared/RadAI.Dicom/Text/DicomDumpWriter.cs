using System.Globalization;
using System.Text;
using RadAI.Dicom.IO;

namespace RadAI.Dicom.Text;

/// <summary>A human-readable listing of a file or dataset, laid out like DCMTK's dcmdump.</summary>
public static class DicomDumpWriter
{
    private const int ValueColumn = 56;
    private const int MaxValueText = 64;

    /// <summary>The listing of a whole file: meta group, then dataset.</summary>
    public static void WriteFile(TextWriter output, DicomFile file)
    {
        output.WriteLine();
        output.WriteLine("# Dicom-File-Format");
        output.WriteLine();
        output.WriteLine("# Dicom-Meta-Information-Header");
        output.WriteLine("# Used TransferSyntax: Little Endian Explicit");
        WriteDataset(output, file.FileMetaInformation, 0);
        output.WriteLine();
        output.WriteLine("# Dicom-Data-Set");
        output.WriteLine($"# Used TransferSyntax: {file.TransferSyntax.Name}");
        WriteDataset(output, file.Dataset, 0);
        foreach (var warning in file.Warnings)
        {
            output.WriteLine($"# Warning: {warning}");
        }
    }

    /// <summary>The listing of a dataset, nested items indented.</summary>
    public static void WriteDataset(TextWriter output, DicomDataset dataset, int depth)
    {
        foreach (var element in dataset.Elements)
        {
            WriteElement(output, element, depth);
        }
    }

    private static void WriteElement(TextWriter output, DicomElement element, int depth)
    {
        var indent = new string(' ', depth * 2);
        var keyword = DicomDictionary.GetKeyword(element.Tag) ?? (element.Tag.IsPrivate ? "PrivateTag" : "Unknown Tag & Data");
        var tag = $"({element.Tag.Group:x4},{element.Tag.Element:x4})";
        if (element.Sequence is { } sequence)
        {
            var form = sequence.UndefinedLength ? "undefined" : "explicit";
            Line(output, indent, tag, "SQ", $"(Sequence with {form} length #={sequence.Count})", sequence.UndefinedLength ? "u/l" : "", sequence.Count, keyword);
            for (var i = 0; i < sequence.Count; i++)
            {
                var item = sequence[i];
                var itemForm = sequence.IsItemUndefinedLength(i) ? "undefined" : "explicit";
                Line(output, indent + "  ", "(fffe,e000)", "na", $"(Item with {itemForm} length #={item.Count})", "", 1, "Item");
                WriteDataset(output, item, depth + 2);
                if (sequence.IsItemUndefinedLength(i))
                {
                    Line(output, indent + "  ", "(fffe,e00d)", "na", "(ItemDelimitationItem)", "0", 0, "ItemDelimitationItem");
                }
            }

            if (sequence.UndefinedLength)
            {
                Line(output, indent, "(fffe,e0dd)", "na", "(SequenceDelimitationItem)", "0", 0, "SequenceDelimitationItem");
            }

            return;
        }

        if (element.Fragments is { } fragments)
        {
            Line(output, indent, tag, element.VR.Code(), $"(PixelSequence #={fragments.Fragments.Count + 1})", "u/l", 1, keyword);
            Line(output, indent + "  ", "(fffe,e000)", "pi", fragments.BasicOffsetTable.Count == 0 ? "(no value available)" : string.Join('\\', fragments.BasicOffsetTable.Take(8).Select(o => o.ToString("x8", CultureInfo.InvariantCulture))), (fragments.BasicOffsetTable.Count * 4).ToString(CultureInfo.InvariantCulture), 1, "Item");
            foreach (var fragment in fragments.Fragments)
            {
                Line(output, indent + "  ", "(fffe,e000)", "pi", "(fragment)", fragment.Length.ToString(CultureInfo.InvariantCulture), 1, "Item");
            }

            Line(output, indent, "(fffe,e0dd)", "na", "(SequenceDelimitationItem)", "0", 0, "SequenceDelimitationItem");
            return;
        }

        var text = ValueText(element, out var count);
        Line(output, indent, tag, element.VR.Code(), text, element.Length.ToString(CultureInfo.InvariantCulture), count, keyword);
    }

    private static string ValueText(DicomElement element, out int count)
    {
        count = 1;
        if (element.Bulk is { } bulk)
        {
            return $"(not loaded: {bulk.Length} bytes)";
        }

        if (element.IsEmpty)
        {
            count = 0;
            return "(no value available)";
        }

        var vr = element.VR;
        if (vr == DicomVR.UI && element.TryGetStrings(out var uids))
        {
            count = uids.Length;
            return string.Join('\\', uids.Select(u => DicomUids.TryGetInfo(u, out var info) && info.Keyword.Length > 0 ? "=" + info.Keyword : "[" + u + "]"));
        }

        if (vr.IsString() && element.TryGetStrings(out var strings))
        {
            count = strings.Length;
            return Truncate("[" + string.Join('\\', strings) + "]");
        }

        if (vr == DicomVR.AT)
        {
            var tags = new List<string>();
            for (var i = 0; element.TryGetAttributeTag(i, out var t); i++)
            {
                tags.Add($"({t.Group:x4},{t.Element:x4})");
            }

            count = tags.Count;
            return Truncate(string.Join('\\', tags));
        }

        if (vr is DicomVR.FL or DicomVR.FD && element.TryGetValues<double>(out var doubles))
        {
            count = doubles.Length;
            return Truncate(string.Join('\\', doubles.Select(d => d.ToString("G6", CultureInfo.InvariantCulture))));
        }

        if (vr.IsBinaryNumber() && element.TryGetValues<long>(out var numbers))
        {
            count = numbers.Length;
            return Truncate(string.Join('\\', numbers.Select(n => n.ToString(CultureInfo.InvariantCulture))));
        }

        if (element.TryGetValues<ulong>(out var unsigned))
        {
            count = unsigned.Length;
            return Truncate(string.Join('\\', unsigned.Select(n => n.ToString(CultureInfo.InvariantCulture))));
        }

        // OB, OW, UN...: hexadecimal words.
        var raw = element.RawValue.Span;
        var size = Math.Max(1, vr.ValueSize());
        var words = new StringBuilder();
        for (var offset = 0; offset + size <= raw.Length && words.Length <= MaxValueText; offset += size)
        {
            if (words.Length > 0)
            {
                words.Append('\\');
            }

            for (var b = size - 1; b >= 0; b--)
            {
                words.Append(raw[offset + b].ToString("x2", CultureInfo.InvariantCulture));
            }
        }

        return Truncate(words.ToString());
    }

    private static string Truncate(string text) => text.Length > MaxValueText ? text[..(MaxValueText - 3)] + "..." : text;

    private static void Line(TextWriter output, string indent, string tag, string vr, string value, string length, int count, string keyword)
    {
        var left = $"{indent}{tag} {vr} {value}";
        var padding = Math.Max(1, ValueColumn - left.Length);
        output.Write(left);
        output.Write(new string(' ', padding));
        output.WriteLine($"# {length,3}, {count} {keyword}");
    }
}
