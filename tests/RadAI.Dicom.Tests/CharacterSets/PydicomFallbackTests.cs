using System.Text;
using Xunit;

namespace RadAI.Dicom.Tests.CharacterSets;

/// <summary>
/// Values beyond the corpus, decoded by pydicom and by RadAI: random byte strings made of text, delimiters,
/// escape sequences (known, unknown, of undeclared sets), valid and invalid multi-byte characters, for
/// every kind of Specific Character Set, spelling mistakes included. They check that RadAI falls back
/// exactly as pydicom does where the bytes are not what the declared sets allow.
/// <para>
/// The generator never puts a delimiter byte ('\', '=', '^') where it could be read as part of a
/// multi-byte character (after a byte from 0x80, or inside JIS X 0208/0212): there RadAI follows PS3.5
/// §6.1.2.3 and pydicom does not (see <see cref="DicomCharacterSetTests.A_delimiter_byte_inside_a_multi_byte_character_is_not_a_delimiter"/>).
/// ISO 2022 IR 58 and ISO_IR 203, where RadAI differs on purpose, are left out.
/// </para>
/// </summary>
public sealed class PydicomFallbackTests
{
    private static readonly string[] CharacterSets =
    [
        "", "ISO_IR 6", "ISO_IR 100", "ISO_IR 101", "ISO_IR 109", "ISO_IR 110", "ISO_IR 126", "ISO_IR 127", "ISO_IR 138",
        "ISO_IR 144", "ISO_IR 148", "ISO_IR 166", "ISO_IR 13", "ISO_IR 192", "GB18030", "GBK", "ISO 2022 GBK", "ISO 2022 58",
        "\\ISO 2022 IR 87", "ISO 2022 IR 13\\ISO 2022 IR 87", "ISO 2022 IR 6\\ISO 2022 IR 87\\ISO 2022 IR 159",
        "\\ISO 2022 IR 149", "ISO 2022 IR 100\\ISO 2022 IR 144\\ISO 2022 IR 126", "ISO 2022 IR 100\\ISO 2022 IR 87",
        "ISO 2022 IR 87", "ISO 2022 IR 159", "ISO 2022 IR 149", "ISO 2022 IR 13", "ISO 2022 IR 127\\ISO 2022 IR 138",
        "ISO 2022 IR 166\\ISO 2022 IR 148\\ISO 2022 IR 101\\ISO 2022 IR 109\\ISO 2022 IR 110",
        "ISO IR 100", "ISO-IR 144", "ISO_2022-IR 87", "ISO IR 999", "latin1", "ISO_IR_6", "utf-8", "sjis", "XYZ",
        "ISO_IR 192\\ISO 2022 IR 87", "\\ISO_IR 192", "ISO 2022 IR 6\\GB18030\\ISO 2022 IR 149", "ISO_IR 100 ",
    ];

    private static readonly DicomVR[] TextVRs = [DicomVR.PN, DicomVR.LO, DicomVR.SH, DicomVR.UC, DicomVR.LT, DicomVR.ST, DicomVR.UT];

    private static readonly string[] Escapes =
    [
        "\e(B", "\e(J", "\e)I", "\e$B", "\e$(D", "\e$)C", "\e-A", "\e-B", "\e-C", "\e-D", "\e-F", "\e-G", "\e-H", "\e-L",
        "\e-M", "\e-T", "\e$@", "\e(I", "\e-Z", "\eN", "\e$)A", "\e$A", "\e$(C", "\e.A", "\e&@\e$B",
    ];

    private static readonly byte[][] Characters =
    [
        [0xC3, 0xA9], [0xE7, 0x8E, 0x8B], [0xF0, 0x9F, 0x98, 0x80], [0xC3], [0xE7, 0x8E], [0xED, 0xA0, 0x80], // UTF-8
        [0xC8, 0xAB], [0xA4, 0xD4, 0xA4, 0xA1, 0xA4, 0xBF, 0xA4, 0xD4], [0xA4, 0xD4, 0xA4, 0xA1], // KS X 1001, make-up sequence
        [0xCD, 0xF5], [0x81, 0x30, 0x81, 0x30], [0x95, 0x32, 0x82, 0x36], [0x84, 0x31, 0xA5, 0x30], [0x81, 0x30], // GB18030
        [0xB1], [0x93, 0xFA], [0x81, 0x40], [0xA0], // Shift-JIS
        [0x3B, 0x33], [0x24, 0x64], [0x30, 0x21], [0x2F, 0x7E], // JIS X 0208/0212 in G0
    ];

    [Fact]
    public void Decodes_random_text_values_like_pydicom()
    {
        var random = new Random(6_1_2_5);
        var cases = new List<PydicomCharsets.Case>();
        foreach (var characterSet in CharacterSets)
        {
            foreach (var vr in TextVRs)
            {
                for (var n = 0; n < 14; n++)
                {
                    cases.Add(new(characterSet.Length == 0 ? null : Encoding.Latin1.GetBytes(characterSet), vr, RandomValue(random)));
                }
            }
        }

        CompareWithPydicom(cases);
    }

    [Fact]
    public void Decodes_random_default_repertoire_values_like_pydicom()
    {
        var random = new Random(1234);
        var cases = new List<PydicomCharsets.Case>();
        string[] numbers = ["1", "-2.5", "+3", "1e3", "0.000", "42", "", " ", "  ", "\t7", "8\t", " 9 ", "\u00A010"];
        string[] integers = ["1", "-2", "+3", "42", "", " ", "  ", "\t7", "8\t", " 9 ", "007"];
        string[] words = ["AB", "a b", " x", "y ", "\t", "\u0085", "\u00A0", "\0", "Jérôme", "1.2.840.10008", "", " ", "ZZ\0"];
        foreach (var (vr, parts) in new[] { (DicomVR.DS, numbers), (DicomVR.IS, integers), (DicomVR.AE, words), (DicomVR.CS, words), (DicomVR.UI, words), (DicomVR.UR, words), (DicomVR.DA, words), (DicomVR.TM, words), (DicomVR.AS, words), (DicomVR.DT, words) })
        {
            for (var n = 0; n < 40; n++)
            {
                var count = random.Next(1, 5);
                var text = string.Join('\\', Enumerable.Range(0, count).Select(_ => parts[random.Next(parts.Length)]));
                if (random.Next(3) == 0)
                {
                    text += random.Next(2) == 0 ? " " : "\0";
                }

                cases.Add(new(random.Next(2) == 0 ? null : "ISO_IR 192"u8.ToArray(), vr, Encoding.Latin1.GetBytes(text)));
            }
        }

        CompareWithPydicom(cases);
    }

    [Fact]
    public void Reports_the_same_warnings_on_the_terms_as_pydicom()
    {
        var failures = new List<string>();
        var results = PydicomCharsets.Decode([.. CharacterSets.Select(c => new PydicomCharsets.Case(Encoding.Latin1.GetBytes(c), DicomVR.LO, "abc"u8.ToArray()))]);
        for (var i = 0; i < CharacterSets.Length; i++)
        {
            string[] prefixes = ["Incorrect value for Specific Character Set", "Unknown encoding", "Value '"];
            var expected = results[i].Warnings.Where(w => prefixes.Any(p => w.StartsWith(p, StringComparison.Ordinal))).Distinct().Order(StringComparer.Ordinal);
            var actual = DicomCharacterSet.FromSpecificCharacterSet(Encoding.Latin1.GetBytes(CharacterSets[i])).Warnings
                .Where(w => !w.Contains("is not a defined term", StringComparison.Ordinal)).Order(StringComparer.Ordinal);
            if (!expected.SequenceEqual(actual))
            {
                failures.Add($"'{CharacterSets[i]}': pydicom [{string.Join(" | ", expected)}], RadAI [{string.Join(" | ", actual)}]");
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    private static void CompareWithPydicom(List<PydicomCharsets.Case> cases)
    {
        var results = PydicomCharsets.Decode(cases);
        var failures = new List<string>();
        for (var i = 0; i < cases.Count; i++)
        {
            var (charset, vr, raw) = cases[i];
            var expected = results[i];
            Assert.True(expected.Error is null, $"pydicom failed on {Describe(cases[i])}: {expected.Error}");
            var characterSet = charset is null ? DicomCharacterSet.Default : DicomCharacterSet.FromSpecificCharacterSet(charset);
            var actual = characterSet.Decode(raw, vr);
            if (actual != expected.Text)
            {
                failures.Add($"  {Describe(cases[i])}: pydicom {PydicomCorpusTests.Show(expected.Text!)}, RadAI {PydicomCorpusTests.Show(actual)}");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {cases.Count} values differ:\n{string.Join('\n', failures.Take(40))}");
    }

    private static string Describe(PydicomCharsets.Case c) =>
        $"[{(c.CharacterSet is null ? "none" : Encoding.Latin1.GetString(c.CharacterSet))}] {c.VR.Code()} {Convert.ToHexString(c.Raw)}";

    private static byte[] RandomValue(Random random)
    {
        var bytes = new List<byte>();
        var doubleByteG0 = false;
        var tokens = random.Next(0, 14);
        for (var t = 0; t < tokens; t++)
        {
            switch (random.Next(10))
            {
                case 0 or 1:
                    for (var n = random.Next(1, 6); n > 0; n--)
                    {
                        bytes.Add((byte)"AbXyz0 9-."[random.Next(10)]);
                    }

                    break;
                case 2 or 3:
                    var delimiter = (byte)"\\=^\r\n\t\f \0\\"[random.Next(10)];
                    if (delimiter is (byte)'\\' or (byte)'=' or (byte)'^')
                    {
                        if (doubleByteG0)
                        {
                            bytes.AddRange("\e(B"u8);
                            doubleByteG0 = false;
                        }

                        if (bytes.Count > 0 && bytes[^1] >= 0x80)
                        {
                            bytes.Add((byte)' ');
                        }
                    }

                    bytes.Add(delimiter);
                    break;
                case 4 or 5:
                    var escape = Escapes[random.Next(Escapes.Length)];
                    bytes.AddRange(Encoding.Latin1.GetBytes(escape));
                    doubleByteG0 = escape is "\e$B" or "\e$(D" or "\e&@\e$B" or "\e$A" or "\e$(C";
                    break;
                case 6:
                    for (var n = random.Next(1, 4); n > 0; n--)
                    {
                        bytes.Add((byte)random.Next(0x80, 0x100));
                    }

                    break;
                case 7:
                    // a random pair of G0 bytes, without the delimiters
                    for (var n = 0; n < 2; n++)
                    {
                        byte b;
                        do
                        {
                            b = (byte)random.Next(0x21, 0x7F);
                        }
                        while (b is (byte)'\\' or (byte)'=' or (byte)'^');
                        bytes.Add(b);
                    }

                    break;
                default:
                    bytes.AddRange(Characters[random.Next(Characters.Length)]);
                    break;
            }
        }

        switch (random.Next(8))
        {
            case 0:
                bytes.Add(0x1B); // an escape sequence cut short by the end of the value
                break;
            case 1:
                bytes.AddRange("\e$"u8);
                break;
            case 2:
                bytes.AddRange(" \0 "u8);
                break;
        }

        return [.. bytes];
    }
}
