using System.Globalization;

namespace RadAI.Inference.Analysis;

/// <summary>Numbers (DS, IS, US) of the header attributes a volume carries (<c>Volume.Attributes</c>, multiple values separated by <c>\</c>).</summary>
public static class HeaderNumbers
{
    /// <summary>The first value of an attribute; null when it is absent or not a number.</summary>
    public static double? Number(IReadOnlyDictionary<string, string> attributes, string keyword) =>
        Numbers(attributes, keyword, 1) is { } values ? values[0] : null;

    /// <summary>The first <paramref name="count"/> values of an attribute; null when it is absent, shorter or not numbers.</summary>
    public static double[]? Numbers(IReadOnlyDictionary<string, string> attributes, string keyword, int count)
    {
        if (!attributes.TryGetValue(keyword, out var text))
        {
            return null;
        }

        var parts = text.Split('\\');
        if (parts.Length < count)
        {
            return null;
        }

        var values = new double[count];
        for (var i = 0; i < count; i++)
        {
            if (!double.TryParse(parts[i].Trim(' ', '\0'), NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !double.IsFinite(values[i]))
            {
                return null;
            }
        }

        return values;
    }

    /// <summary>A text attribute without its padding; null when absent or empty.</summary>
    public static string? Text(IReadOnlyDictionary<string, string> attributes, string keyword) =>
        attributes.TryGetValue(keyword, out var text) && text.Trim(' ', '\0') is { Length: > 0 } trimmed ? trimmed : null;
}
