namespace RadAI.Dicom;

/// <summary>
/// The writing rules of PS3.5 table 6.2-1 for string values: length per value, allowed characters,
/// format. RadAI is strict when it writes: a value that breaks them is refused with a message that
/// names the tag, the VR and the rule.
/// </summary>
public static class DicomValueValidator
{
    /// <summary>Null when <paramref name="value"/> (one or several values joined by '\') is valid for <paramref name="vr"/>, else why not.</summary>
    public static string? Check(DicomVR vr, string value)
    {
        if (!vr.IsString())
        {
            return null;
        }

        var values = vr.IsMultiValuedString() ? value.Split('\\') : [value];
        foreach (var v in values)
        {
            var problem = CheckOne(vr, v);
            if (problem is not null)
            {
                return values.Length > 1 ? $"value '{v}': {problem}" : problem;
            }
        }

        return null;
    }

    private static string? CheckOne(DicomVR vr, string v)
    {
        var max = vr.MaxValueLength();
        // PN: 64 characters per component group; others: the VR's maximum in characters.
        if (vr == DicomVR.PN)
        {
            if (v.Split('=').Length > 3)
            {
                return "more than three component groups";
            }

            if (v.Split('=').Any(g => g.Length > 64))
            {
                return "a component group is longer than 64 characters";
            }

            if (v.Split('=').Any(g => g.Split('^').Length > 5))
            {
                return "more than five components in a group";
            }
        }
        else if (max > 0 && v.Length > max)
        {
            return $"longer than {max} characters";
        }

        switch (vr)
        {
            case DicomVR.AE:
                return v.Any(c => c < 0x20 || c == '\\' || c > 0x7E) ? "AE allows printable ASCII only" : null;
            case DicomVR.AS:
                return v.Length == 0 || (v.Length == 4 && char.IsAsciiDigit(v[0]) && char.IsAsciiDigit(v[1]) && char.IsAsciiDigit(v[2]) && v[3] is 'D' or 'W' or 'M' or 'Y')
                    ? null : "AS is nnnD, nnnW, nnnM or nnnY";
            case DicomVR.CS:
                return v.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c is ' ' or '_') ? null : "CS allows A-Z, 0-9, space and underscore";
            case DicomVR.DA:
                return v.Length == 0 || DicomValueText.TryParseDate(v, out _) && v.Length == 8 ? null : "DA is YYYYMMDD";
            case DicomVR.TM:
                return v.Length == 0 || (DicomValueText.TryParseTime(v, out _) && !v.Contains(':')) ? null : "TM is HH[MM[SS[.FFFFFF]]]";
            case DicomVR.DT:
                return v.Length == 0 || DicomValueText.TryParseDateTime(v, out _, out _) ? null : "DT is YYYY[MM[DD[HH[MM[SS[.FFFFFF]]]]]][&ZZXX]";
            case DicomVR.DS:
                return v.Trim().Length == 0 || (DicomValueText.TryParseDecimalString(v, out var d) && double.IsFinite(d) && v.All(c => char.IsAsciiDigit(c) || c is '+' or '-' or '.' or 'e' or 'E' or ' '))
                    ? null : "DS is a decimal number";
            case DicomVR.IS:
                return v.Trim().Length == 0 || (DicomValueText.TryParseIntegerString(v, out var i) && i is >= int.MinValue and <= int.MaxValue)
                    ? null : "IS is an integer from -2^31 to 2^31-1";
            case DicomVR.UI:
                return v.Length == 0 || IsValidUid(v) ? null : "UI is digits and dots, no leading zero in a component, at most 64 characters";
            case DicomVR.LO or DicomVR.SH or DicomVR.PN or DicomVR.UC:
                return v.Any(c => c is '\r' or '\n' or '\f' or '\\' || (c < 0x20 && c != 0x1B)) ? $"{vr.Code()} allows no control characters and no backslash" : null;
            default:
                return null;
        }
    }

    /// <summary>True for a UID made of numeric components without leading zeros, 1 to 64 characters.</summary>
    public static bool IsValidUid(string uid)
    {
        if (uid.Length is 0 or > 64)
        {
            return false;
        }

        foreach (var component in uid.Split('.'))
        {
            if (component.Length == 0 || !component.All(char.IsAsciiDigit) || (component.Length > 1 && component[0] == '0'))
            {
                return false;
            }
        }

        return true;
    }
}
