using System.Text.Json;
using Xunit;

namespace RadAI.Dicom.Tests.CharacterSets;

/// <summary>
/// RadAI's codecs (tables built from .NET's code pages, corrected) decode every byte of the single-byte
/// sets and every byte pair of the multi-byte sets exactly as Python's codecs, which pydicom uses, do:
/// same characters, same bytes rejected.
/// </summary>
public sealed class CodecTablesTests
{
    public static TheoryData<string> Codecs() =>
    [
        "ascii", "latin_1", "iso8859_2", "iso8859_3", "iso8859_4", "iso8859_5", "iso8859_6", "iso8859_7", "iso8859_8",
        "iso8859_9", "iso8859_15", "tis_620", "shift_jis", "euc_kr", "gb2312", "gbk", "gb18030", "iso2022_jp",
        "iso2022_jp_2", "iso2022_jp_2 KS X 1001", "iso2022_jp_2 GB 2312",
    ];

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Decodes_every_byte_and_pair_as_Python(string table)
    {
        var reference = PydicomCharsets.Tables.GetProperty(table);
        var codec = CharacterSetTerms.CodecOf(table.Split(' ')[0]);
        Assert.NotNull(codec);
        var prefix = Convert.FromHexString(reference.GetProperty("prefix").GetString()!);
        var first = Range(reference.GetProperty("first"));
        (int Low, int High)? second = reference.GetProperty("second").ValueKind == JsonValueKind.Null ? null : Range(reference.GetProperty("second"));
        var cells = reference.GetProperty("cells");
        var failures = new List<string>();
        var index = 0;
        for (var lead = first.Low; lead <= first.High; lead++)
        {
            for (var trail = second?.Low ?? -1; trail <= (second?.High ?? -1); trail++)
            {
                byte[] bytes = trail < 0 ? [.. prefix, (byte)lead] : [.. prefix, (byte)lead, (byte)trail];
                Compare(codec, bytes, cells[index++].GetString(), failures);
            }
        }

        Assert.Equal(cells.GetArrayLength(), index);
        Assert.True(failures.Count == 0, $"{failures.Count} cells differ from Python's {table}:\n{string.Join('\n', failures.Take(40))}");
    }

    [Fact]
    public void Decodes_the_four_byte_sequences_of_GB18030_as_Python()
    {
        var codec = CharacterSetTerms.CodecOf("gb18030")!;
        var failures = new List<string>();
        foreach (var cell in PydicomCharsets.Tables.GetProperty("gb18030 four-byte").GetProperty("cells").EnumerateArray())
        {
            Compare(codec, Convert.FromHexString(cell[0].GetString()!), cell[1].GetString(), failures);
        }

        Assert.True(failures.Count == 0, $"{failures.Count} sequences differ:\n{string.Join('\n', failures.Take(40))}");
    }

    private static void Compare(Codec codec, byte[] bytes, string? expected, List<string> failures)
    {
        var buffer = new char[bytes.Length];
        var count = codec.Decode(bytes, buffer, replace: false);
        var actual = count < 0 ? null : new string(buffer, 0, count);
        if (actual != expected)
        {
            failures.Add($"  {Convert.ToHexString(bytes)}: Python {Show(expected)}, RadAI {Show(actual)}");
        }
    }

    private static string Show(string? text) => text is null ? "error" : string.Join(' ', text.Select(c => $"U+{(int)c:X4}"));

    private static (int Low, int High) Range(JsonElement pair) => (pair[0].GetInt32(), pair[1].GetInt32());
}
