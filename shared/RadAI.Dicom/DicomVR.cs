namespace RadAI.Dicom;

/// <summary>
/// Value Representation. Each value is the two ASCII characters of the VR as they appear in an
/// explicit VR stream (first character in the high byte), so parsing a VR is a 16-bit read.
/// </summary>
public enum DicomVR : ushort
{
    /// <summary>No VR: items and delimiters of group FFFE, or not known.</summary>
    None = 0,
    AE = ('A' << 8) | 'E',
    AS = ('A' << 8) | 'S',
    AT = ('A' << 8) | 'T',
    CS = ('C' << 8) | 'S',
    DA = ('D' << 8) | 'A',
    DS = ('D' << 8) | 'S',
    DT = ('D' << 8) | 'T',
    FD = ('F' << 8) | 'D',
    FL = ('F' << 8) | 'L',
    IS = ('I' << 8) | 'S',
    LO = ('L' << 8) | 'O',
    LT = ('L' << 8) | 'T',
    OB = ('O' << 8) | 'B',
    OD = ('O' << 8) | 'D',
    OF = ('O' << 8) | 'F',
    OL = ('O' << 8) | 'L',
    OV = ('O' << 8) | 'V',
    OW = ('O' << 8) | 'W',
    PN = ('P' << 8) | 'N',
    SH = ('S' << 8) | 'H',
    SL = ('S' << 8) | 'L',
    SQ = ('S' << 8) | 'Q',
    SS = ('S' << 8) | 'S',
    ST = ('S' << 8) | 'T',
    SV = ('S' << 8) | 'V',
    TM = ('T' << 8) | 'M',
    UC = ('U' << 8) | 'C',
    UI = ('U' << 8) | 'I',
    UL = ('U' << 8) | 'L',
    UN = ('U' << 8) | 'N',
    UR = ('U' << 8) | 'R',
    US = ('U' << 8) | 'S',
    UT = ('U' << 8) | 'T',
    UV = ('U' << 8) | 'V',
}

/// <summary>What the encoding rules of PS3.5 say about each VR.</summary>
public static class DicomVRInfo
{
    /// <summary>All VRs but <see cref="DicomVR.None"/>.</summary>
    public static IReadOnlyList<DicomVR> All { get; } =
        [.. Enum.GetValues<DicomVR>().Where(v => v != DicomVR.None)];

    /// <summary>The two-letter code, e.g. "PN".</summary>
    public static string Code(this DicomVR vr) => vr switch
    {
        DicomVR.None => "--",
        _ => string.Create(2, vr, static (span, v) =>
        {
            span[0] = (char)((ushort)v >> 8);
            span[1] = (char)((ushort)v & 0xFF);
        }),
    };

    /// <summary>Parses a two-letter code; false when it is not a VR.</summary>
    public static bool TryParse(ReadOnlySpan<char> code, out DicomVR vr)
    {
        vr = DicomVR.None;
        if (code.Length != 2)
        {
            return false;
        }

        return IsKnown((ushort)((code[0] << 8) | code[1]), out vr);
    }

    /// <summary>True when the two bytes read from an explicit VR stream name a VR.</summary>
    public static bool IsKnown(ushort twoCharacters, out DicomVR vr)
    {
        vr = (DicomVR)twoCharacters;
        switch (vr)
        {
            case DicomVR.AE or DicomVR.AS or DicomVR.AT or DicomVR.CS or DicomVR.DA or DicomVR.DS or DicomVR.DT
                or DicomVR.FD or DicomVR.FL or DicomVR.IS or DicomVR.LO or DicomVR.LT or DicomVR.OB or DicomVR.OD
                or DicomVR.OF or DicomVR.OL or DicomVR.OV or DicomVR.OW or DicomVR.PN or DicomVR.SH or DicomVR.SL
                or DicomVR.SQ or DicomVR.SS or DicomVR.ST or DicomVR.SV or DicomVR.TM or DicomVR.UC or DicomVR.UI
                or DicomVR.UL or DicomVR.UN or DicomVR.UR or DicomVR.US or DicomVR.UT or DicomVR.UV:
                return true;
            default:
                vr = DicomVR.None;
                return false;
        }
    }

    /// <summary>
    /// True when, in explicit VR, the VR is followed by 2 reserved bytes and a 32-bit length
    /// (OB, OD, OF, OL, OV, OW, SQ, SV, UC, UN, UR, UT, UV); otherwise the length is 16-bit.
    /// </summary>
    public static bool HasLongLength(this DicomVR vr) => vr is DicomVR.OB or DicomVR.OD or DicomVR.OF or DicomVR.OL
        or DicomVR.OV or DicomVR.OW or DicomVR.SQ or DicomVR.SV or DicomVR.UC or DicomVR.UN or DicomVR.UR
        or DicomVR.UT or DicomVR.UV;

    /// <summary>True for the character string VRs (values are text, padded to even length).</summary>
    public static bool IsString(this DicomVR vr) => vr is DicomVR.AE or DicomVR.AS or DicomVR.CS or DicomVR.DA
        or DicomVR.DS or DicomVR.DT or DicomVR.IS or DicomVR.LO or DicomVR.LT or DicomVR.PN or DicomVR.SH
        or DicomVR.ST or DicomVR.TM or DicomVR.UC or DicomVR.UI or DicomVR.UR or DicomVR.UT;

    /// <summary>
    /// True for the string VRs whose characters depend on Specific Character Set (0008,0005);
    /// the others use the default repertoire (ASCII) only.
    /// </summary>
    public static bool UsesSpecificCharacterSet(this DicomVR vr) => vr is DicomVR.LO or DicomVR.LT or DicomVR.PN
        or DicomVR.SH or DicomVR.ST or DicomVR.UC or DicomVR.UT;

    /// <summary>True for string VRs whose value may hold several values separated by '\' (not LT, ST, UT, UR).</summary>
    public static bool IsMultiValuedString(this DicomVR vr) => vr.IsString() && vr is not (DicomVR.LT or DicomVR.ST or DicomVR.UT or DicomVR.UR);

    /// <summary>
    /// Size in bytes of one value for the fixed-size binary VRs (AT 4, FL 4, FD 8, SL 4, SS 2, SV 8,
    /// UL 4, US 2, UV 8) and the word size of the "other" VRs (OB 1, OW 2, OF 4, OL 4, OD 8, OV 8, UN 1);
    /// 0 for strings and SQ. This is also the unit that is byte-swapped in big endian.
    /// </summary>
    public static int ValueSize(this DicomVR vr) => vr switch
    {
        DicomVR.SS or DicomVR.US or DicomVR.OW => 2,
        DicomVR.AT => 2, // two 16-bit halves, each swapped on its own
        DicomVR.FL or DicomVR.SL or DicomVR.UL or DicomVR.OF or DicomVR.OL => 4,
        DicomVR.FD or DicomVR.SV or DicomVR.UV or DicomVR.OD or DicomVR.OV => 8,
        DicomVR.OB or DicomVR.UN => 1,
        _ => 0,
    };

    /// <summary>Size of one value of the fixed-size binary VRs; AT is 4 here (a whole tag).</summary>
    public static int ElementSize(this DicomVR vr) => vr == DicomVR.AT ? 4 : vr.ValueSize();

    /// <summary>True for the binary VRs made of one fixed-size number per value (AT, FD, FL, SL, SS, SV, UL, US, UV).</summary>
    public static bool IsBinaryNumber(this DicomVR vr) => vr is DicomVR.AT or DicomVR.FD or DicomVR.FL or DicomVR.SL
        or DicomVR.SS or DicomVR.SV or DicomVR.UL or DicomVR.US or DicomVR.UV;

    /// <summary>True for the "other" byte-stream VRs (OB, OD, OF, OL, OV, OW, UN).</summary>
    public static bool IsBulk(this DicomVR vr) => vr is DicomVR.OB or DicomVR.OD or DicomVR.OF or DicomVR.OL
        or DicomVR.OV or DicomVR.OW or DicomVR.UN;

    /// <summary>The byte a value is padded with to even length: NUL for UI and the byte VRs, space for text.</summary>
    public static byte PaddingByte(this DicomVR vr) => vr.IsString() && vr != DicomVR.UI ? (byte)' ' : (byte)0;

    /// <summary>Largest value length the VR allows in bytes (PS3.5 table 6.2-1) for one value; 0 when unbounded by the VR.</summary>
    public static int MaxValueLength(this DicomVR vr) => vr switch
    {
        DicomVR.AE => 16,
        DicomVR.AS => 4,
        DicomVR.CS => 16,
        DicomVR.DA => 8,
        DicomVR.DS => 16,
        DicomVR.DT => 26,
        DicomVR.IS => 12,
        DicomVR.LO => 64,
        DicomVR.LT => 10240,
        DicomVR.PN => 64 * 3 + 2,
        DicomVR.SH => 16,
        DicomVR.ST => 1024,
        DicomVR.TM => 14,
        DicomVR.UI => 64,
        _ => 0,
    };
}
