namespace RadAI.Dicom;

/// <summary>
/// A Person Name (PN) value: up to three component groups (alphabetic, ideographic, phonetic)
/// separated by '=', each with five components (family, given, middle, prefix, suffix) separated by '^'.
/// </summary>
public sealed record DicomPersonName(DicomPersonNameGroup Alphabetic, DicomPersonNameGroup? Ideographic = null, DicomPersonNameGroup? Phonetic = null)
{
    /// <summary>The encoded form, e.g. <c>Yamada^Tarou=山田^太郎=やまだ^たろう</c>, without trailing empty groups.</summary>
    public override string ToString()
    {
        var groups = new[] { Alphabetic.ToString(), Ideographic?.ToString() ?? "", Phonetic?.ToString() ?? "" };
        var last = groups.Length - 1;
        while (last > 0 && groups[last].Length == 0)
        {
            last--;
        }

        return string.Join('=', groups, 0, last + 1);
    }

    /// <summary>Parses one PN value (no backslash).</summary>
    public static DicomPersonName Parse(string value)
    {
        var groups = value.Split('=');
        return new DicomPersonName(
            DicomPersonNameGroup.Parse(groups[0]),
            groups.Length > 1 ? DicomPersonNameGroup.Parse(groups[1]) : null,
            groups.Length > 2 ? DicomPersonNameGroup.Parse(groups[2]) : null);
    }

    /// <summary>The component groups as written, trailing empty groups dropped (what DICOM JSON carries).</summary>
    public static string[] SplitGroups(string value)
    {
        var groups = value.Split('=');
        var count = groups.Length;
        while (count > 1 && groups[count - 1].Length == 0)
        {
            count--;
        }

        return count == groups.Length ? groups : groups[..count];
    }
}

/// <summary>One component group of a person name.</summary>
public sealed record DicomPersonNameGroup(string Family, string Given = "", string Middle = "", string Prefix = "", string Suffix = "")
{
    /// <summary>The encoded form, trailing empty components dropped.</summary>
    public override string ToString()
    {
        var parts = new[] { Family, Given, Middle, Prefix, Suffix };
        var last = parts.Length - 1;
        while (last > 0 && parts[last].Length == 0)
        {
            last--;
        }

        return string.Join('^', parts, 0, last + 1);
    }

    /// <summary>Parses <c>Family^Given^Middle^Prefix^Suffix</c>.</summary>
    public static DicomPersonNameGroup Parse(string group)
    {
        var parts = group.Split('^');
        string At(int i) => i < parts.Length ? parts[i] : "";
        return new DicomPersonNameGroup(At(0), At(1), At(2), At(3), At(4));
    }
}
