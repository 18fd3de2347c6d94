using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace RadAI.Deployment.Tests;

/// <summary>One configuration key an options class binds: its path (<c>:</c>-separated, <c>n</c> for a list index,
/// <c>&lt;name&gt;</c> for a dictionary key) and what the code says of it.</summary>
public sealed record OptionKey(string Path, Type ValueType, PropertyInfo Property, object? Default, bool Required, string? Range);

/// <summary>The configuration keys of the options classes, as the configuration binder sees them.</summary>
public static partial class OptionsSchema
{
    private const int MaxDepth = 8;

    /// <summary>Every leaf key under <paramref name="section"/> for <paramref name="type"/>, in declaration order.</summary>
    public static IReadOnlyList<OptionKey> Keys(string section, Type type)
    {
        var keys = new List<OptionKey>();
        Collect(section, type, keys, 0);
        return keys;
    }

    private static void Collect(string prefix, Type type, List<OptionKey> keys, int depth)
    {
        if (depth > MaxDepth)
        {
            return;
        }

        var defaults = TryCreate(type);
        foreach (var property in BindableProperties(type))
        {
            var path = $"{prefix}:{property.Name}";
            var value = defaults is null ? null : property.GetValue(defaults);
            var propertyType = property.PropertyType;
            if (IsLeaf(propertyType))
            {
                keys.Add(Describe(path, property, propertyType, value));
            }
            else if (DictionaryValueType(propertyType) is { } dictionaryValue)
            {
                if (IsLeaf(dictionaryValue))
                {
                    keys.Add(Describe($"{path}:<name>", property, dictionaryValue, value));
                }
                else
                {
                    Collect($"{path}:<name>", dictionaryValue, keys, depth + 1);
                }
            }
            else if (ElementType(propertyType) is { } element)
            {
                if (IsLeaf(element))
                {
                    keys.Add(Describe($"{path}:n", property, element, value));
                }
                else
                {
                    Collect($"{path}:n", element, keys, depth + 1);
                }
            }
            else
            {
                Collect(path, propertyType, keys, depth + 1);
            }
        }
    }

    private static OptionKey Describe(string path, PropertyInfo property, Type valueType, object? value)
    {
        var required = property.GetCustomAttribute<RequiredAttribute>() is not null;
        var range = property.GetCustomAttribute<RangeAttribute>() is { } r ? $"{Bound(r.Minimum)}–{Bound(r.Maximum)}" : null;
        return new OptionKey(path, valueType, property, value, required, range);
    }

    // [Range(1, long.MaxValue)] is stored as doubles.
    private static string Bound(object bound) => bound switch
    {
        double d when d >= long.MaxValue => "max",
        double d => d.ToString("0.###", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => bound.ToString() ?? "",
    };

    /// <summary>
    /// Whether <paramref name="segments"/> (a key's path after its section) name something the binder fills in
    /// <paramref name="type"/>: a leaf property, a list element's leaf (numeric index) or a dictionary entry.
    /// </summary>
    public static bool Resolves(Type type, IReadOnlyList<string> segments)
    {
        var current = type;
        for (var i = 0; i < segments.Count; i++)
        {
            if (IsLeaf(current))
            {
                return false;
            }

            if (DictionaryValueType(current) is { } dictionaryValue)
            {
                current = dictionaryValue;
                continue;
            }

            if (ElementType(current) is { } element)
            {
                if (!int.TryParse(segments[i], NumberStyles.None, CultureInfo.InvariantCulture, out _))
                {
                    return false;
                }

                current = element;
                continue;
            }

            var property = BindableProperties(current).FirstOrDefault(p => string.Equals(p.Name, segments[i], StringComparison.OrdinalIgnoreCase));
            if (property is null)
            {
                return false;
            }

            current = property.PropertyType;
        }

        // A list or an object is never one value: the binder reads their children's keys only.
        return IsLeaf(current);
    }

    /// <summary>What the binder writes: public instance properties with a public setter, or a get-only options object or collection.</summary>
    public static IEnumerable<PropertyInfo> BindableProperties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0)
            .Where(p => p.SetMethod is { IsPublic: true } || (!IsLeaf(p.PropertyType) && IsMutableContainer(p.PropertyType)))
            .OrderBy(p => p.MetadataToken);

    private static bool IsMutableContainer(Type type) =>
        type.IsClass && type != typeof(string) && !type.IsArray
        && (type.Namespace?.StartsWith("RadAI", StringComparison.Ordinal) == true
            || (type.IsGenericType && type.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(ICollection<>))));

    public static bool IsLeaf(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal) || t == typeof(TimeSpan)
            || t == typeof(DateTime) || t == typeof(DateTimeOffset) || t == typeof(Uri) || t == typeof(Guid);
    }

    public static Type? DictionaryValueType(Type type)
    {
        var dictionary = type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IDictionary<,>)
            ? type
            : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>));
        return dictionary?.GetGenericArguments()[1];
    }

    public static Type? ElementType(Type type)
    {
        if (type == typeof(string) || DictionaryValueType(type) is not null)
        {
            return null;
        }

        if (type.IsArray)
        {
            return type.GetElementType();
        }

        var enumerable = type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IEnumerable<>)
            ? type
            : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>));
        return enumerable?.GetGenericArguments()[0];
    }

    private static object? TryCreate(Type type)
    {
        try
        {
            return type.GetConstructor(Type.EmptyTypes) is null ? null : Activator.CreateInstance(type);
        }
        catch (TargetInvocationException)
        {
            return null;
        }
    }

    /// <summary>A default value as the reference shows it.</summary>
    public static string FormatDefault(OptionKey key)
    {
        var value = key.Default;
        switch (value)
        {
            case null:
                return "unset";
            case string { Length: 0 }:
                return "empty";
            case string text:
                return $"`{text}`";
            case bool flag:
                return flag ? "`true`" : "`false`";
            case TimeSpan span:
                return $"`{span.ToString("c", CultureInfo.InvariantCulture)}`";
            case IDictionary { Count: 0 }:
                return "none";
            case IDictionary dictionary:
                return string.Join(", ", dictionary.Keys.Cast<object>().Select(k => $"`{k}`"));
            case IEnumerable items and not string:
                var list = items.Cast<object?>().Select(i => i is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : i?.ToString()).ToList();
                return list.Count == 0 ? "none" : string.Join(", ", list.Select(i => $"`{i}`"));
            case IFormattable formattable:
                return $"`{formattable.ToString(null, CultureInfo.InvariantCulture)}`";
            default:
                return value.GetType().Namespace?.StartsWith("RadAI", StringComparison.Ordinal) == true ? "—" : $"`{value}`";
        }
    }

    /// <summary>A value type as the reference shows it.</summary>
    public static string FormatType(OptionKey key)
    {
        var t = Nullable.GetUnderlyingType(key.ValueType) ?? key.ValueType;
        var name = t switch
        {
            _ when t == typeof(bool) => "bool",
            _ when t == typeof(int) => "int",
            _ when t == typeof(long) => "long",
            _ when t == typeof(ushort) => "ushort",
            _ when t == typeof(double) => "double",
            _ when t == typeof(string) => "string",
            _ when t == typeof(TimeSpan) => "duration (`d.hh:mm:ss`)",
            _ when t == typeof(Uri) => "URI",
            _ when t.IsEnum => string.Join(" \\| ", Enum.GetNames(t).Select(n => $"`{n}`")),
            _ => t.Name,
        };
        return key.Range is { } range ? $"{name}, {range}" : name;
    }
}

/// <summary>The XML documentation the build writes next to each assembly (GenerateDocumentationFile).</summary>
public sealed partial class XmlDocs
{
    private readonly Dictionary<string, string> _summaries = new(StringComparer.Ordinal);

    public XmlDocs(IEnumerable<string> files)
    {
        foreach (var file in files)
        {
            foreach (var member in XDocument.Load(file).Descendants("member"))
            {
                if (member.Attribute("name")?.Value is { } name && member.Element("summary") is { } summary)
                {
                    _summaries[name] = Flatten(summary);
                }
            }
        }
    }

    /// <summary>The summary of a property, as one line of Markdown; empty when it has none.</summary>
    public string Summary(PropertyInfo property) =>
        _summaries.GetValueOrDefault($"P:{property.DeclaringType!.FullName!.Replace('+', '.')}.{property.Name}", "");

    private static string Flatten(XElement element)
    {
        var parts = element.Nodes().Select(node => node switch
        {
            XText text => text.Value,
            XElement { Name.LocalName: "c" } code => $"`{code.Value}`",
            XElement { Name.LocalName: "see" } see when see.Attribute("cref") is { } cref => $"`{cref.Value[(cref.Value.LastIndexOf('.') + 1)..]}`",
            XElement { Name.LocalName: "see" } see when see.Attribute("langword") is { } word => $"`{word.Value}`",
            XElement { Name.LocalName: "paramref" or "typeparamref" } reference => $"`{reference.Attribute("name")?.Value}`",
            XElement other => Flatten(other),
            _ => "",
        });
        return Whitespace().Replace(string.Concat(parts), " ").Trim().Replace("|", "\\|", StringComparison.Ordinal);
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
