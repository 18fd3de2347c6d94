using System.Text;
using Xunit;

namespace RadAI.Dicom.Tests.CharacterSets;

public sealed class DicomCharacterSetTests
{
    private static DicomCharacterSet Of(string specificCharacterSet) =>
        DicomCharacterSet.FromSpecificCharacterSet(Encoding.Latin1.GetBytes(specificCharacterSet));

    /// <summary>Bytes written with \e for ESC, as in the examples of PS3.5 annexes H, I and J.</summary>
    private static byte[] Bytes(string latin1) => Encoding.Latin1.GetBytes(latin1);

    public static TheoryData<string, DicomVR, string> RoundTrips() => new()
    {
        { "ISO_IR 100", DicomVR.PN, "Buc^Jérôme" },
        { "ISO_IR 100", DicomVR.LO, "Français: é à ç è ù â ï\\Deutsch: Äneas Rüdiger Straße" },
        { "ISO_IR 203", DicomVR.LO, "cœur Œuvre 12 € Ÿ é à ç" },
        { "ISO_IR 101", DicomVR.PN, "Dvořák^Łódź Őrs" },
        { "ISO_IR 109", DicomVR.LO, "Ħal Għargħur ĉu ġ ż" },
        { "ISO_IR 110", DicomVR.LO, "Ādaži ēka ķ ŗ ų" },
        { "ISO_IR 144", DicomVR.PN, "Иванов^Пётр Ёж" },
        { "ISO_IR 127", DicomVR.PN, "قباني^لنزار" },
        { "ISO_IR 126", DicomVR.PN, "Διονύσιος^Ωμέγα" },
        { "ISO_IR 138", DicomVR.PN, "שרון^דבורה" },
        { "ISO_IR 148", DicomVR.LO, "Ğüneş İstanbul ıı Çağ" },
        { "ISO_IR 166", DicomVR.LO, "สวัสดี กรุงเทพ" },
        { "ISO_IR 13", DicomVR.PN, "ﾔﾏﾀﾞ^ﾀﾛｳ" },
        { "ISO_IR 192", DicomVR.PN, "Wang^XiaoDong=王^小東" },
        { "ISO_IR 192", DicomVR.LT, "Jérôme 山田 Ωμέγα Иван 홍길동 😀 𠀀\r\nsecond line" },
        { "GB18030", DicomVR.PN, "Wang^XiaoDong=王^小东" },
        { "GB18030", DicomVR.LO, "中文 醫學影像 😀 𠀀 é" },
        { "GBK", DicomVR.LO, "王小东 醫學" },
        { "\\ISO 2022 IR 87", DicomVR.PN, "Yamada^Tarou=山田^太郎=やまだ^たろう" },
        { "\\ISO 2022 IR 87", DicomVR.LO, "表\\ボ\\十\\能 構 申" }, // JIS bytes with '=' and '\' in them
        { "\\ISO 2022 IR 87", DicomVR.LT, "胸部 レントゲン\r\n所見なし\tOK" },
        { "ISO 2022 IR 13\\ISO 2022 IR 87", DicomVR.PN, "ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう" },
        { "ISO 2022 IR 6\\ISO 2022 IR 87\\ISO 2022 IR 159", DicomVR.PN, "山田丂^太郎=やまだ^たろう" },
        { "\\ISO 2022 IR 149", DicomVR.PN, "Hong^Gildong=洪^吉洞=홍^길동" },
        { "\\ISO 2022 IR 149", DicomVR.LO, "홍길동\\서울 병원" },
        { "ISO 2022 IR 100\\ISO 2022 IR 144\\ISO 2022 IR 126", DicomVR.LT, "Jérôme\r\nИван Δ é\tΩ" },
        { "\\ISO 2022 IR 58", DicomVR.PN, "Wang^XiaoDong=王^小东" },
    };

    [Theory]
    [MemberData(nameof(RoundTrips))]
    public void Encodes_and_decodes_back(string specificCharacterSet, DicomVR vr, string text)
    {
        var characterSet = Of(specificCharacterSet);
        Assert.Empty(characterSet.Warnings);
        var encoded = characterSet.Encode(text, vr);
        Assert.Equal(text, characterSet.Decode(encoded, vr));
    }

    [Fact]
    public void Encodes_the_Japanese_examples_of_PS3_5_annex_H_byte_for_byte()
    {
        Assert.Equal(
            Bytes("Yamada^Tarou=\e$B;3ED\e(B^\e$BB@O:\e(B=\e$B$d$^$@\e(B^\e$B$?$m$&\e(B"),
            Of("\\ISO 2022 IR 87").Encode("Yamada^Tarou=山田^太郎=やまだ^たろう", DicomVR.PN));
        Assert.Equal(
            Bytes("\u00D4\u00CF\u00C0\u00DE^\u00C0\u00DB\u00B3=\e$B;3ED\e(J^\e$BB@O:\e(J=\e$B$d$^$@\e(J^\e$B$?$m$&\e(J"),
            Of("ISO 2022 IR 13\\ISO 2022 IR 87").Encode("ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう", DicomVR.PN));
    }

    [Fact]
    public void Encodes_the_Korean_example_of_PS3_5_annex_I_byte_for_byte()
    {
        Assert.Equal(
            Bytes("Hong^Gildong=\e$)C\u00FB\u00F3^\e$)C\u00D1\u00CE\u00D4\u00D7=\e$)C\u00C8\u00AB^\e$)C\u00B1\u00E6\u00B5\u00BF"),
            Of("\\ISO 2022 IR 149").Encode("Hong^Gildong=洪^吉洞=홍^길동", DicomVR.PN));
    }

    [Fact]
    public void Encodes_the_Chinese_examples_of_PS3_5_annex_J_byte_for_byte()
    {
        Assert.Equal(Bytes("Wang^XiaoDong=\u00E7\u008E\u008B^\u00E5\u00B0\u008F\u00E6\u009D\u00B1"), Of("ISO_IR 192").Encode("Wang^XiaoDong=王^小東", DicomVR.PN));
        Assert.Equal(Bytes("Wang^XiaoDong=\u00CD\u00F5^\u00D0\u00A1\u00B6\u00AB"), Of("GB18030").Encode("Wang^XiaoDong=王^小东", DicomVR.PN));
    }

    [Fact]
    public void Returns_to_the_initial_designation_before_delimiters_and_at_the_end()
    {
        var characterSet = Of("ISO 2022 IR 100\\ISO 2022 IR 144");
        Assert.Equal(Bytes("J\u00E9r\u00F4me\\\e-L\u00B8\u00D2\u00D0\u00DD\e-A\\x"), characterSet.Encode("Jérôme\\Иван\\x", DicomVR.LO));
        Assert.Equal(Bytes("\e-L\u00B8\e-A\r\n\e-L\u00B8\e-A"), characterSet.Encode("И\r\nИ", DicomVR.LT));
        Assert.Equal(Bytes("\e$B;3\e(B "), Of("\\ISO 2022 IR 87").Encode("山 ", DicomVR.LO));
    }

    [Fact]
    public void Decodes_the_examples_of_PS3_5()
    {
        Assert.Equal("Yamada^Tarou=山田^太郎=やまだ^たろう", Of("\\ISO 2022 IR 87").Decode(Bytes("Yamada^Tarou=\e$B;3ED\e(B^\e$BB@O:\e(B=\e$B$d$^$@\e(B^\e$B$?$m$&\e(B "), DicomVR.PN));
        Assert.Equal("Hong^Gildong=洪^吉洞=홍^길동", Of("\\ISO 2022 IR 149").Decode(Bytes("Hong^Gildong=\e$)C\u00FB\u00F3^\e$)C\u00D1\u00CE\u00D4\u00D7=\e$)C\u00C8\u00AB^\e$)C\u00B1\u00E6\u00B5\u00BF"), DicomVR.PN));
        Assert.Equal("Wang^XiaoDong=王^小东", Of("GB18030").Decode(Bytes("Wang^XiaoDong=\u00CD\u00F5^\u00D0\u00A1\u00B6\u00AB="), DicomVR.PN));
    }

    [Fact]
    public void A_delimiter_byte_inside_a_multi_byte_character_is_not_a_delimiter()
    {
        // PS3.5 §6.1.2.3: only a single byte 05/12 is a value delimiter. pydicom splits the raw bytes first.
        Assert.Equal("Yamada=表", Of("\\ISO 2022 IR 87").Decode(Bytes("Yamada=\e$BI=\e(B"), DicomVR.PN));
        Assert.Equal("ボ\\x", Of("\\ISO 2022 IR 87").Decode(Bytes("\e$B%\\\e(B\\x"), DicomVR.LO));
        Assert.Equal("乗\\A", Of("GB18030").Decode(Bytes("\u0081\\\\A"), DicomVR.LO));
        Assert.Equal("乗=A", Of("GBK").Decode(Bytes("\u0081\\=A"), DicomVR.PN));
    }

    [Fact]
    public void Decodes_bytes_invalid_in_the_declared_set_as_pydicom_does()
    {
        // unassigned byte: U+FFFD
        Assert.Equal("Α\uFFFDΩ", Of("ISO_IR 126").Decode([0xC1, 0xAE, 0xD9], DicomVR.LO));
        // invalid UTF-8: one U+FFFD per maximal invalid subsequence
        Assert.Equal("a\uFFFD\uFFFD\uFFFDb\uFFFD", Of("ISO_IR 192").Decode([(byte)'a', 0xF0, 0x80, 0x80, (byte)'b', 0xE2, 0x82], DicomVR.LT));
        // a JIS X 0208 fragment that does not decode: the whole fragment, escape sequence included, as ISO 8859-1
        Assert.Equal("\u001b$B;", Of("\\ISO 2022 IR 87").Decode(Bytes("\e$B;\e(B"), DicomVR.LO));
        // an escape sequence of a set not declared: the same
        Assert.Equal("a\u001b-L\u00B8", Of("ISO_IR 100").Decode(Bytes("a\e-L\u00B8"), DicomVR.LO));
    }

    [Fact]
    public void Default_repertoire_VRs_are_ISO_8859_1_and_trimmed_as_pydicom_does()
    {
        var characterSet = Of("\\ISO 2022 IR 87");
        Assert.Equal("ORIGINAL\\PRIMARY", characterSet.Decode(Bytes("ORIGINAL\\PRIMARY "), DicomVR.CS));
        Assert.Equal("1.5\\-2\\", characterSet.Decode(Bytes("  1.5 \\-2\\ "), DicomVR.DS));
        Assert.Equal("1\\ \\2", characterSet.Decode(Bytes("1\\ \\2"), DicomVR.DS)); // a value of spaces only is kept
        Assert.Equal("12\\3", characterSet.Decode(Bytes(" 12 \\3\0"), DicomVR.IS));
        Assert.Equal("STORESCU\\X", characterSet.Decode(Bytes(" STORESCU \\X"), DicomVR.AE));
        Assert.Equal("1.2.840", characterSet.Decode(Bytes("1.2.840\0"), DicomVR.UI));
        Assert.Equal("http://x/", characterSet.Decode(Bytes("http://x/ \t"), DicomVR.UR));
        Assert.Equal("Jérôme", characterSet.Decode(Bytes("J\u00E9r\u00F4me"), DicomVR.CS));
    }

    [Fact]
    public void Text_VRs_lose_their_padding_as_in_pydicom()
    {
        var characterSet = Of("ISO_IR 100");
        Assert.Equal("a\\ b", characterSet.Decode(Bytes("a \0\\ b "), DicomVR.LO));
        Assert.Equal(" a \\ b", characterSet.Decode(Bytes(" a \\ b \0"), DicomVR.LT));
        Assert.Equal("A^B\\=C", characterSet.Decode(Bytes("A^B==\\=C=  "), DicomVR.PN));
        Assert.Equal("", characterSet.Decode(Bytes("==  "), DicomVR.PN));
        Assert.Equal("", characterSet.Decode([], DicomVR.SH));
    }

    [Theory]
    [InlineData("ISO IR 100", "ISO_IR 100")]
    [InlineData("ISO-IR 100", "ISO_IR 100")]
    [InlineData("ISO/IR 100", "ISO_IR 100")]
    public void Misspelled_terms_are_corrected_with_a_warning(string written, string assumed)
    {
        var characterSet = Of(written);
        Assert.Equal("Jérôme", characterSet.Decode(Bytes("J\u00E9r\u00F4me"), DicomVR.LO));
        Assert.Equal($"Incorrect value for Specific Character Set '{written}' - assuming '{assumed}'", Assert.Single(characterSet.Warnings));
    }

    [Fact]
    public void Misspelled_code_extension_terms_are_corrected_with_a_warning()
    {
        var japanese = Of("\\ISO_2022_IR_87");
        Assert.Equal("山", japanese.Decode(Bytes("\e$B;3\e(B"), DicomVR.LO));
        Assert.Equal("Incorrect value for Specific Character Set 'ISO_2022_IR_87' - assuming 'ISO 2022 IR 87'", Assert.Single(japanese.Warnings));
    }

    [Theory]
    [InlineData("latin1")]
    [InlineData("ISO_IR_100")]
    [InlineData("iso-8859-1")]
    public void Python_codec_names_are_accepted_as_pydicom_does(string written)
    {
        var characterSet = Of(written);
        Assert.Equal("Jérôme", characterSet.Decode(Bytes("J\u00E9r\u00F4me"), DicomVR.LO));
        Assert.Contains("not a defined term", Assert.Single(characterSet.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_term_falls_back_to_the_default_repertoire_with_a_warning()
    {
        var characterSet = Of("ISO_IR 999");
        Assert.True(characterSet.IsDefault);
        Assert.Contains("Unknown encoding 'ISO_IR 999'", Assert.Single(characterSet.Warnings), StringComparison.Ordinal);
        Assert.Equal("Jérôme", characterSet.Decode(Bytes("J\u00E9r\u00F4me"), DicomVR.PN));
        Assert.Equal("ISO_IR 999", characterSet.ToString());
        Assert.Equal(["ISO_IR 999"], characterSet.Terms);
    }

    [Fact]
    public void Stand_alone_sets_refuse_code_extensions_with_a_warning()
    {
        var utf8First = Of("ISO_IR 192\\ISO 2022 IR 87");
        Assert.True(utf8First.IsUtf8);
        Assert.Contains("does not allow code extensions", Assert.Single(utf8First.Warnings), StringComparison.Ordinal);
        Assert.Equal("王", utf8First.Decode("王"u8, DicomVR.LO));

        var utf8Later = Of("ISO 2022 IR 100\\ISO_IR 192");
        Assert.False(utf8Later.IsUtf8);
        Assert.Contains("cannot be used as code extension", Assert.Single(utf8Later.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void Reads_the_raw_value_of_Specific_Character_Set()
    {
        Assert.Same(DicomCharacterSet.Default, DicomCharacterSet.FromSpecificCharacterSet([]));
        Assert.Same(DicomCharacterSet.Default, DicomCharacterSet.FromSpecificCharacterSet("  "u8));
        Assert.True(DicomCharacterSet.Default.IsDefault);
        Assert.Empty(DicomCharacterSet.Default.Terms);
        Assert.Equal("ISO_IR 6", DicomCharacterSet.Default.ToString());
        Assert.Equal(["", "ISO 2022 IR 87"], DicomCharacterSet.FromSpecificCharacterSet("\\ISO 2022 IR 87 "u8).Terms);
        Assert.Equal(["ISO 2022 IR 6", "ISO 2022 IR 87"], DicomCharacterSet.FromSpecificCharacterSet(" ISO 2022 IR 6 \\ ISO 2022 IR 87\0"u8).Terms);
        Assert.Same(DicomCharacterSet.FromSpecificCharacterSet("ISO_IR 100"u8), DicomCharacterSet.FromSpecificCharacterSet("ISO_IR 100 "u8));
        Assert.True(DicomCharacterSet.FromSpecificCharacterSet("ISO_IR 192"u8).IsUtf8);
        Assert.True(DicomCharacterSet.FromTerms(["ISO 2022 IR 6"]).IsDefault);
        Assert.False(DicomCharacterSet.FromTerms(["ISO_IR 100"]).IsDefault);
    }

    public static TheoryData<string, DicomVR, string> Unencodable() => new()
    {
        { "ISO_IR 100", DicomVR.PN, "Иван" },
        { "ISO_IR 100", DicomVR.LO, "12 €" },
        { "ISO_IR 100", DicomVR.LO, "cœur" },
        { "ISO_IR 6", DicomVR.PN, "Jérôme" },
        { "ISO_IR 144", DicomVR.PN, "Jérôme" },
        { "\\ISO 2022 IR 87", DicomVR.PN, "홍길동" },
        { "\\ISO 2022 IR 87", DicomVR.PN, "Jérôme" },
        { "ISO_IR 13", DicomVR.PN, "山田" },
        { "\\ISO 2022 IR 149", DicomVR.LO, "ภาษาไทย" },
        { "GBK", DicomVR.LO, "😀" },
        { "ISO_IR 100", DicomVR.CS, "É" },
        { "ISO_IR 100", DicomVR.LO, "a\u001B-Lb" },
    };

    [Theory]
    [MemberData(nameof(Unencodable))]
    public void A_character_outside_the_declared_sets_throws(string specificCharacterSet, DicomVR vr, string text)
    {
        var characterSet = Of(specificCharacterSet);
        var error = Assert.Throws<ArgumentException>(() => characterSet.Encode(text, vr));
        Assert.Contains("cannot be encoded", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_lone_surrogate_throws_even_in_the_Unicode_sets()
    {
        // (not theory data: xunit would replace the lone surrogates when it serializes the cases)
        Assert.Throws<ArgumentException>(() => Of("ISO_IR 192").Encode("a\uD800", DicomVR.LO));
        Assert.Throws<ArgumentException>(() => Of("GB18030").Encode("\uDC00x", DicomVR.LO));
        Assert.Throws<ArgumentException>(() => Of("ISO_IR 100").Encode("\uD83D", DicomVR.LO));
    }

    [Fact]
    public void Non_string_VRs_are_refused()
    {
        Assert.Throws<ArgumentException>(() => DicomCharacterSet.Default.Decode([1, 2], DicomVR.US));
        Assert.Throws<ArgumentException>(() => DicomCharacterSet.Default.Encode("1", DicomVR.SQ));
    }

    [Fact]
    public void Tables_build_once_under_concurrent_first_use()
    {
        var characterSet = Of("\\ISO 2022 IR 149\\ISO 2022 IR 87\\ISO 2022 IR 159\\ISO 2022 IR 58");
        var texts = new[] { "홍길동", "山田", "丂", "王" };
        Parallel.For(0, 64, i =>
        {
            var text = texts[i % texts.Length];
            Assert.Equal(text, characterSet.Decode(characterSet.Encode(text, DicomVR.LO), DicomVR.LO));
        });
    }

    [Fact]
    public void Decodes_long_values()
    {
        var text = string.Concat(Enumerable.Repeat("Jérôme 山田 ", 500));
        var characterSet = Of("ISO_IR 192");
        Assert.Equal(text.TrimEnd(), characterSet.Decode(characterSet.Encode(text, DicomVR.UT), DicomVR.UT));
        var japanese = Of("ISO 2022 IR 100\\ISO 2022 IR 87");
        Assert.Equal(text.TrimEnd(), japanese.Decode(japanese.Encode(text, DicomVR.UT), DicomVR.UT));
    }
}
