using System.Text;
using System.Text.Json;
using Xunit;

namespace RadAI.Dicom.Tests.CharacterSets;

/// <summary>Runs pydicom on the corpus once for the class (the reference is shared by the whole test run).</summary>
public sealed class PydicomCorpusFixture
{
    public PydicomCorpusFixture() => Files = PydicomCharsets.Corpus;

    public IReadOnlyDictionary<string, JsonElement> Files { get; }
}

/// <summary>
/// Every string element of every file of pydicom's character set corpus (charset_files/, and the files of
/// test_files/ that have a Specific Character Set), sequence items included: RadAI decodes the raw value
/// with the Specific Character Set in force to exactly pydicom's text, and encodes that text back to bytes
/// that decode to it again.
/// </summary>
public sealed class PydicomCorpusTests(PydicomCorpusFixture reference) : IClassFixture<PydicomCorpusFixture>
{
    private const string CharsetFiles = "/usr/lib/python3/dist-packages/pydicom/data/charset_files";

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var file in PydicomCharsets.Corpus.Keys.Order(StringComparer.Ordinal))
        {
            data.Add(file);
        }

        return data;
    }

    [Fact]
    public void The_reference_covers_every_file_of_charset_files_and_the_test_files_with_a_character_set()
    {
        var expected = Directory.EnumerateFiles(CharsetFiles, "*.dcm").Select(p => "charset_files/" + Path.GetFileName(p));
        Assert.All(expected, file => Assert.Contains(file, reference.Files.Keys));
        Assert.Contains("test_files/SC_rgb_rle.dcm", reference.Files.Keys); // ISO_IR 192
        Assert.Contains("test_files/J2K_pixelrep_mismatch.dcm", reference.Files.Keys); // ISO 2022 IR 13\ISO 2022 IR 87
        Assert.Contains("test_files/empty_charset_LEI.dcm", reference.Files.Keys); // empty value
        Assert.True(reference.Files.Count >= 60, $"only {reference.Files.Count} files");
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Decodes_every_string_element_like_pydicom(string file)
    {
        var elements = reference.Files[file].GetProperty("elements");
        Assert.True(elements.GetArrayLength() > 0, $"{file}: pydicom found no string element.");
        var failures = new List<string>();
        foreach (var element in elements.EnumerateArray())
        {
            var (characterSet, vr, raw, expected) = Read(element);
            Assert.NotNull(expected);
            var actual = characterSet.Decode(raw, vr);
            if (actual != expected)
            {
                failures.Add(Describe(element, raw, expected, actual));
            }
        }

        Assert.True(failures.Count == 0, $"{file}: {failures.Count} of {elements.GetArrayLength()} elements differ from pydicom:\n{string.Join('\n', failures)}");
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Encodes_every_text_back_to_bytes_that_decode_to_it(string file)
    {
        var failures = new List<string>();
        foreach (var element in reference.Files[file].GetProperty("elements").EnumerateArray())
        {
            var (characterSet, vr, raw, text) = Read(element);
            if (!vr.UsesSpecificCharacterSet() || text is null)
            {
                continue;
            }

            try
            {
                var encoded = characterSet.Encode(text, vr);
                var decoded = characterSet.Decode(encoded, vr);
                if (decoded != text)
                {
                    failures.Add($"{element.GetProperty("path")}: {Show(text)} -> {Convert.ToHexString(encoded)} -> {Show(decoded)}");
                }
            }
            catch (ArgumentException e)
            {
                failures.Add($"{element.GetProperty("path")}: {Show(text)}: {e.Message}");
            }
        }

        Assert.True(failures.Count == 0, $"{file}:\n{string.Join('\n', failures)}");
    }

    private static (DicomCharacterSet CharacterSet, DicomVR VR, byte[] Raw, string? Text) Read(JsonElement element)
    {
        var charset = element.GetProperty("charset");
        var characterSet = charset.ValueKind == JsonValueKind.Null
            ? DicomCharacterSet.Default
            : DicomCharacterSet.FromSpecificCharacterSet(Convert.FromBase64String(charset.GetString()!));
        Assert.True(DicomVRInfo.TryParse(element.GetProperty("vr").GetString(), out var vr));
        return (characterSet, vr, Convert.FromBase64String(element.GetProperty("raw").GetString()!), element.GetProperty("text").GetString());
    }

    private static string Describe(JsonElement element, byte[] raw, string expected, string actual) =>
        $"  {element.GetProperty("path")} {element.GetProperty("vr")} raw={Encoding.Latin1.GetString(raw).Replace("\u001b", "ESC", StringComparison.Ordinal)}"
        + $" pydicom={Show(expected)} RadAI={Show(actual)}";

    internal static string Show(string text) => JsonSerializer.Serialize(text);
}
