using System.Globalization;
using System.Text;

namespace RadAI.Dicom;

/// <summary>Decoding and parsing of string values (PS3.5 §6.2), shared by every getter and writer.</summary>
internal static class DicomValueText
{
    /// <summary>Decodes a whole string value: the character set for the VRs that use it, ISO 8859-1 otherwise.</summary>
    public static string Decode(ReadOnlySpan<byte> raw, DicomVR vr, DicomCharacterSet characterSet) =>
        raw.IsEmpty ? "" : vr.UsesSpecificCharacterSet() ? characterSet.Decode(raw, vr) : Encoding.Latin1.GetString(raw);

    /// <summary>Removes the padding of a whole value: trailing spaces and NULs.</summary>
    public static string TrimPadding(string value)
    {
        var end = value.Length;
        while (end > 0 && value[end - 1] is ' ' or '\0')
        {
            end--;
        }

        return end == value.Length ? value : value[..end];
    }

    /// <summary>The span form of <see cref="TrimPadding(string)"/>.</summary>
    public static ReadOnlySpan<char> TrimPadding(ReadOnlySpan<char> value) => value.TrimEnd(" \0");

    /// <summary>The span form of <see cref="TrimValue(string, DicomVR)"/>.</summary>
    public static ReadOnlySpan<char> TrimValue(ReadOnlySpan<char> value, DicomVR vr) => vr switch
    {
        DicomVR.AE or DicomVR.AS or DicomVR.CS or DicomVR.DA or DicomVR.DS or DicomVR.IS or DicomVR.TM or DicomVR.DT
            => value.Trim(" \0"),
        _ => value.TrimEnd(" \0"),
    };

    /// <summary>
    /// Removes the non-significant spaces of one value: both sides for AE, AS, CS, DA, DS, IS, TM,
    /// DT, UI (PS3.5 table 6.2-1 says leading spaces are not significant there, or the VR has no spaces);
    /// trailing only for the text VRs, whose leading spaces are significant.
    /// </summary>
    public static string TrimValue(string value, DicomVR vr) => vr switch
    {
        DicomVR.AE or DicomVR.AS or DicomVR.CS or DicomVR.DA or DicomVR.DS or DicomVR.IS or DicomVR.TM or DicomVR.DT
            => value.Trim(' ', '\0'),
        DicomVR.UI => value.TrimEnd('\0', ' '),
        _ => value.TrimEnd(' ', '\0'),
    };

    /// <summary>The values of a string element, split at '\' where the VR allows several, each trimmed.</summary>
    public static string[] SplitValues(string decoded, DicomVR vr)
    {
        var whole = TrimPadding(decoded);
        if (whole.Length == 0)
        {
            return [];
        }

        if (!vr.IsMultiValuedString())
        {
            return [TrimValue(whole, vr)];
        }

        var parts = whole.Split('\\');
        for (var i = 0; i < parts.Length; i++)
        {
            parts[i] = TrimValue(parts[i], vr);
        }

        return parts;
    }

    public static bool TryParseDecimalString(ReadOnlySpan<char> text, out double value) =>
        double.TryParse(text.Trim(' '), NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    public static bool TryParseIntegerString(ReadOnlySpan<char> text, out long value) =>
        long.TryParse(text.Trim(' '), NumberStyles.AllowLeadingSign | NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite, CultureInfo.InvariantCulture, out value);

    /// <summary>DA: YYYYMMDD; also the ACR-NEMA form YYYY.MM.DD found in old files.</summary>
    public static bool TryParseDate(ReadOnlySpan<char> text, out DateOnly date)
    {
        date = default;
        text = text.Trim(' ');
        if (text.Length == 10 && text[4] == '.' && text[7] == '.')
        {
            Span<char> compact = stackalloc char[8];
            text[..4].CopyTo(compact);
            text[5..7].CopyTo(compact[4..]);
            text[8..10].CopyTo(compact[6..]);
            return DateOnly.TryParseExact(compact, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
        }

        return text.Length == 8 && DateOnly.TryParseExact(text, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
    }

    /// <summary>TM: HH[MM[SS[.F{1,6}]]]; also HH:MM:SS written by old equipment.</summary>
    public static bool TryParseTime(ReadOnlySpan<char> text, out TimeOnly time)
    {
        time = default;
        text = text.Trim(' ');
        // HH:MM:SS.FFFFFF at most: a longer value (a file can hold megabytes) is no time, and must not size a stack buffer.
        const int Longest = 15;
        if (text.Length > Longest)
        {
            return false;
        }

        Span<char> compact = stackalloc char[Longest];
        var n = 0;
        foreach (var c in text)
        {
            if (c != ':')
            {
                compact[n++] = c;
            }
        }

        var s = compact[..n];
        var dot = s.IndexOf('.');
        var main = dot >= 0 ? s[..dot] : s;
        if (main.Length is not (2 or 4 or 6) || !IsDigits(main))
        {
            return false;
        }

        var hour = ParseInt(main[..2]);
        var minute = main.Length >= 4 ? ParseInt(main[2..4]) : 0;
        var second = main.Length >= 6 ? ParseInt(main[4..6]) : 0;
        var ticks = 0L;
        if (dot >= 0)
        {
            var fraction = s[(dot + 1)..];
            if (fraction.Length is 0 or > 6 || !IsDigits(fraction) || main.Length != 6)
            {
                return false;
            }

            ticks = ParseInt(fraction) * (long)Math.Pow(10, 7 - fraction.Length);
        }

        // 60 is a leap second in the standard; TimeOnly has none: clamp to 59.999...
        if (hour > 23 || minute > 59 || second > 60)
        {
            return false;
        }

        time = second == 60
            ? new TimeOnly(hour, minute, 59).Add(TimeSpan.FromTicks(TimeSpan.TicksPerSecond - 1))
            : new TimeOnly(hour, minute, second).Add(TimeSpan.FromTicks(ticks));
        return true;
    }

    /// <summary>DT: YYYY[MM[DD[HH[MM[SS[.F{1,6}]]]]]][&amp;ZZXX]. The offset, when present, is returned too.</summary>
    public static bool TryParseDateTime(ReadOnlySpan<char> text, out DateTime value, out TimeSpan? offset)
    {
        value = default;
        offset = null;
        text = text.Trim(' ');
        var sign = text.IndexOfAny('+', '-');
        if (sign >= 0)
        {
            var zone = text[sign..];
            if (zone.Length != 5 || !IsDigits(zone[1..]))
            {
                return false;
            }

            if (!TryParseUtcOffset(zone, out var parsed))
            {
                return false;
            }

            offset = parsed;
            text = text[..sign];
        }

        var dot = text.IndexOf('.');
        var main = dot >= 0 ? text[..dot] : text;
        if (main.Length is < 4 or > 14 || main.Length % 2 != 0 || !IsDigits(main))
        {
            return false;
        }

        var year = ParseInt(main[..4]);
        var month = main.Length >= 6 ? ParseInt(main[4..6]) : 1;
        var day = main.Length >= 8 ? ParseInt(main[6..8]) : 1;
        var hour = main.Length >= 10 ? ParseInt(main[8..10]) : 0;
        var minute = main.Length >= 12 ? ParseInt(main[10..12]) : 0;
        var second = main.Length >= 14 ? ParseInt(main[12..14]) : 0;
        var ticks = 0L;
        if (dot >= 0)
        {
            var fraction = text[(dot + 1)..];
            if (fraction.Length is 0 or > 6 || !IsDigits(fraction) || main.Length != 14)
            {
                return false;
            }

            ticks = ParseInt(fraction) * (long)Math.Pow(10, 7 - fraction.Length);
        }

        if (month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(Math.Max(1, year), month) || hour > 23 || minute > 59 || second > 59 || year < 1)
        {
            return false;
        }

        value = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).AddTicks(ticks);
        return true;
    }

    /// <summary>
    /// A UTC offset &amp;ZZXX (DT suffix, Timezone Offset From UTC): from -12:00 to +14:00 (PS3.5 6.2), whole
    /// minutes below 60 — what <see cref="DateTimeOffset"/> accepts, so that no value makes it throw.
    /// </summary>
    public static bool TryParseUtcOffset(ReadOnlySpan<char> text, out TimeSpan offset)
    {
        offset = default;
        if (text.Length != 5 || text[0] is not ('+' or '-') || !IsDigits(text[1..]))
        {
            return false;
        }

        var hours = ParseInt(text[1..3]);
        var minutes = ParseInt(text[3..5]);
        offset = new TimeSpan(hours, minutes, 0) * (text[0] == '-' ? -1 : 1);
        return minutes < 60 && offset >= TimeSpan.FromHours(-12) && offset <= TimeSpan.FromHours(14);
    }

    /// <summary>The instant of a local date-time at an offset, when it is one <see cref="DateTimeOffset"/> can hold.</summary>
    public static bool TryMakeDateTimeOffset(DateTime local, TimeSpan offset, out DateTimeOffset value)
    {
        value = default;
        var utcTicks = local.Ticks - offset.Ticks;
        if (utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks)
        {
            return false;
        }

        value = new DateTimeOffset(local, offset);
        return true;
    }

    public static string FormatDate(DateOnly date) => date.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    public static string FormatTime(TimeOnly time) =>
        time.Ticks % TimeSpan.TicksPerSecond == 0
            ? time.ToString("HHmmss", CultureInfo.InvariantCulture)
            : time.ToString("HHmmss.ffffff", CultureInfo.InvariantCulture);

    public static string FormatDateTime(DateTime value, TimeSpan? offset)
    {
        var text = value.Ticks % TimeSpan.TicksPerSecond == 0
            ? value.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture)
            : value.ToString("yyyyMMddHHmmss.ffffff", CultureInfo.InvariantCulture);
        if (offset is { } o)
        {
            text += (o < TimeSpan.Zero ? "-" : "+") + o.Duration().ToString("hhmm", CultureInfo.InvariantCulture);
        }

        return text;
    }

    /// <summary>A DS value of at most 16 characters that round-trips as closely as 16 characters allow.</summary>
    public static string FormatDecimalString(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "A DS value must be finite.");
        }

        var text = value.ToString("R", CultureInfo.InvariantCulture);
        for (var precision = 16; text.Length > 16 && precision > 0; precision--)
        {
            text = value.ToString("G" + precision.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        }

        return text.Length <= 16 ? text : throw new ArgumentOutOfRangeException(nameof(value), value, "Cannot be written in 16 characters as DS.");
    }

    private static bool IsDigits(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return true;
    }

    private static int ParseInt(ReadOnlySpan<char> digits)
    {
        var value = 0;
        foreach (var c in digits)
        {
            value = (value * 10) + (c - '0');
        }

        return value;
    }
}
