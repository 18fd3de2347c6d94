using System.Text;

namespace RadAI.Dicom.Generator;

/// <summary>
/// Large tables are generated as one raw string literal, one line per row and fields separated by '|',
/// parsed on first use: a string constant costs the compiler almost nothing, thousands of object creations
/// cost seconds (fast compile matters more than fast startup here).
/// </summary>
internal sealed class CompactText
{
    private readonly StringBuilder _text = new(1 << 16);

    /// <summary>Adds one line made of <paramref name="fields"/> joined by '|'.</summary>
    public CompactText Row(TsvRow source, params string[] fields)
    {
        for (var i = 0; i < fields.Length; i++)
        {
            if (i > 0)
            {
                _text.Append('|');
            }

            _text.Append(Field(source, fields[i]));
        }

        _text.Append('\n');
        return this;
    }

    /// <summary>Adds a line as it is (it must not hold a line break).</summary>
    public CompactText Line(string line)
    {
        _text.Append(line).Append('\n');
        return this;
    }

    /// <summary>Writes <c>private const string {name} = """</c>, the lines, and the closing <c>""";</c> at column 0.</summary>
    public void WriteConstant(SourceWriter w, string name)
    {
        var content = _text.ToString();
        var quotes = new string('"', Math.Max(3, LongestRun(content, '"') + 1));
        w.Line($"    private const string {name} = {quotes}");
        w.Raw(content);
        w.Line($"{quotes};");
    }

    private static string Field(TsvRow row, string value) =>
        value.AsSpan().IndexOfAny("|\r\n") >= 0 || value.Trim().Length != value.Length
            ? throw row.Error($"'{value}' holds '|', a line break or outer spaces, which a compact table cannot hold.")
            : value;

    private static int LongestRun(string text, char c)
    {
        int longest = 0, run = 0;
        foreach (var ch in text)
        {
            run = ch == c ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }

        return longest;
    }
}
