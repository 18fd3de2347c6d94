using System.Text.RegularExpressions;

namespace RadAI.ReportBuilder.Tests.Dicom;

/// <summary>One content item of an SR tree as DCMTK's dsrdump prints it: <c>&lt;relationship VALUETYPE:(code,scheme,"meaning")=value&gt;</c>.</summary>
public sealed partial record DsrNode(int Depth, string Relationship, string ValueType, string? Concept, string Value)
{
    public List<DsrNode> Children { get; } = [];

    /// <summary>The structure of the item: relationship, value type and concept name (scheme + code), without the value.</summary>
    public string Shape => $"{Relationship} {ValueType}{(Concept is null ? "" : ":" + Concept)}";

    /// <summary>The tree of a dsrdump output (the document header lines are skipped).</summary>
    public static DsrNode Parse(string dsrdumpOutput)
    {
        var stack = new Stack<DsrNode>();
        DsrNode? root = null;
        foreach (var line in dsrdumpOutput.Split('\n'))
        {
            var match = ItemLine().Match(line.TrimEnd());
            if (!match.Success)
            {
                continue;
            }

            var depth = match.Groups["indent"].Length / 2;
            var concept = match.Groups["code"].Success ? $"{match.Groups["scheme"].Value}/{match.Groups["code"].Value}" : null;
            var node = new DsrNode(depth, match.Groups["rel"].Value, match.Groups["type"].Value, concept, match.Groups["value"].Value);
            while (stack.Count > 0 && stack.Peek().Depth >= depth)
            {
                stack.Pop();
            }

            if (stack.Count == 0)
            {
                root = node;
            }
            else
            {
                stack.Peek().Children.Add(node);
            }

            stack.Push(node);
        }

        return root ?? throw new FormatException($"No SR tree in the dsrdump output ({dsrdumpOutput.Length} characters).");
    }

    public IEnumerable<DsrNode> Descendants() => Children.SelectMany(c => c.Descendants().Prepend(c));

    [GeneratedRegex("""^(?<indent> *)<(?:(?<rel>[a-z][a-z ]*[a-z]) )?(?<type>[A-Z0-9]+):(?:\((?<code>[^,]*),(?<scheme>[^,]*),"[^"]*"\))?(?<value>.*)>$""")]
    private static partial Regex ItemLine();
}
