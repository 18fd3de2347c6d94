using System.Globalization;
using System.Text.Json;

namespace RadAI.Inference.Packages;

public static partial class MonaiBundleImporter
{
    /// <summary>
    /// Reads a MONAI config: follows <c>@id</c> references (<c>#</c> or <c>::</c> between levels), refuses
    /// <c>$</c> expressions and <c>%</c> macros where a value is needed. Reasons go to the shared list.
    /// </summary>
    private sealed class ConfigReader(JsonElement root, string file, List<string> reasons)
    {
        public JsonElement Root => root;

        public void Refuse(string path, string message) => reasons.Add($"{file} {path}: {message}");

        public static string Child(string path, string name) =>
            name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') ? $"{path}.{name}" : $"{path}['{name.Replace("'", "\\'", StringComparison.Ordinal)}']";

        /// <summary>A property, references followed; null when absent or not resolvable (then refused).</summary>
        public JsonElement? Get(JsonElement obj, string name, string path) =>
            obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var value) ? Resolve(value, path) : null;

        public JsonElement? Resolve(JsonElement value, string path)
        {
            for (var depth = 0; depth < 16; depth++)
            {
                if (value.ValueKind != JsonValueKind.String)
                {
                    return value;
                }

                var text = value.GetString()!;
                if (text.StartsWith('$'))
                {
                    Refuse(path, $"is a Python expression ({Shorten(text)}); RadAI does not run bundle code: write its value instead");
                    return null;
                }

                if (text.StartsWith('%'))
                {
                    Refuse(path, $"is a macro ({Shorten(text)}) taken from another config, which RadAI does not read: write its value instead");
                    return null;
                }

                if (!text.StartsWith('@'))
                {
                    return value;
                }

                if (!TryFollow(text[1..], out value))
                {
                    Refuse(path, $"refers to {text}, which is not in the file");
                    return null;
                }
            }

            Refuse(path, "references that loop");
            return null;
        }

        private bool TryFollow(string id, out JsonElement value)
        {
            value = root;
            foreach (var part in id.Split(["::", "#"], StringSplitOptions.None))
            {
                if (value.ValueKind == JsonValueKind.Object && value.TryGetProperty(part, out var child))
                {
                    value = child;
                }
                else if (value.ValueKind == JsonValueKind.Array && int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < value.GetArrayLength())
                {
                    value = value[index];
                }
                else
                {
                    return false;
                }
            }

            return true;
        }

        public string? Text(JsonElement obj, string name, string path) => Get(obj, name, path) switch
        {
            null => null,
            { ValueKind: JsonValueKind.String } text => text.GetString(),
            { ValueKind: JsonValueKind.Null } => null,
            { } other => Wrong<string>(path, other, "text"),
        };

        public double? Number(JsonElement obj, string name, string path) => Get(obj, name, path) switch
        {
            null => null,
            { ValueKind: JsonValueKind.Number } number => number.GetDouble(),
            { ValueKind: JsonValueKind.Null } => null,
            { } other => Wrong<double?>(path, other, "a number"),
        };

        public bool? Flag(JsonElement obj, string name, string path) => Get(obj, name, path) switch
        {
            null => null,
            { ValueKind: JsonValueKind.True } => true,
            { ValueKind: JsonValueKind.False } => false,
            { ValueKind: JsonValueKind.String } text when bool.TryParse(text.GetString(), out var parsed) => parsed,
            { ValueKind: JsonValueKind.Null } => null,
            { } other => Wrong<bool?>(path, other, "true or false"),
        };

        /// <summary><paramref name="count"/> numbers: a list, or one number for every axis.</summary>
        public double[]? Numbers(JsonElement obj, string name, string path, int count)
        {
            switch (Get(obj, name, path))
            {
                case null:
                    return null;
                case { ValueKind: JsonValueKind.Number } single:
                    return [.. Enumerable.Repeat(single.GetDouble(), count)];
                case { ValueKind: JsonValueKind.Array } list:
                    var values = new List<double>();
                    foreach (var (item, i) in list.EnumerateArray().Select((item, i) => (item, i)))
                    {
                        if (Resolve(item, $"{path}[{i}]") is not { ValueKind: JsonValueKind.Number } number)
                        {
                            Refuse($"{path}[{i}]", "not a number");
                            return null;
                        }

                        values.Add(number.GetDouble());
                    }

                    if (values.Count != count)
                    {
                        Refuse(path, $"{values.Count} values for {count} axes");
                        return null;
                    }

                    return [.. values];
                case { } other:
                    return Wrong<double[]?>(path, other, "a number or a list of numbers");
            }
        }

        /// <summary>A text parameter that may be given per key (a list in the order of <c>keys</c>).</summary>
        public string? PerKeyText(JsonElement obj, string name, string path, int keyIndex) => Get(obj, name, path) switch
        {
            null => null,
            { ValueKind: JsonValueKind.Array } list when keyIndex < list.GetArrayLength() => Resolve(list[keyIndex], $"{path}[{keyIndex}]")?.ToString(),
            { ValueKind: JsonValueKind.String or JsonValueKind.Number } value => value.ToString(),
            { } other => Wrong<string>(path, other, "text"),
        };

        /// <summary>The class name of a component (<c>_target_</c>, without its module).</summary>
        public string? Target(JsonElement component, string path) => Text(component, "_target_", $"{path}._target_")?.TrimStart('$').Split('.')[^1];

        /// <summary>The transforms of a <c>Compose</c> (or a list) at the top of the config; null when absent.</summary>
        public List<Transform>? Transforms(string section)
        {
            var path = $"$.{section}";
            var value = Get(root, section, path);
            if (value is null)
            {
                return null;
            }

            JsonElement list;
            if (value.Value.ValueKind == JsonValueKind.Array)
            {
                list = value.Value;
            }
            else if (Get(value.Value, "transforms", $"{path}.transforms") is { ValueKind: JsonValueKind.Array } transforms)
            {
                list = transforms;
                path += ".transforms";
            }
            else
            {
                Refuse(path, "not a Compose with a list of transforms");
                return [];
            }

            var result = new List<Transform>();
            foreach (var (item, i) in list.EnumerateArray().Select((item, i) => (item, i)))
            {
                var itemPath = $"{path}[{i}]";
                if (Resolve(item, itemPath) is not { ValueKind: JsonValueKind.Object } transform)
                {
                    continue; // refused by Resolve, or not a component
                }

                if (Flag(transform, "_disabled_", $"{itemPath}._disabled_") == true)
                {
                    continue;
                }

                var name = Target(transform, itemPath);
                if (name is null)
                {
                    Refuse(itemPath, "a transform without _target_");
                    continue;
                }

                result.Add(new Transform(transform, BaseName(name), itemPath));
            }

            return result;
        }

        private static readonly HashSet<string> KnownBaseNames = new(StringComparer.Ordinal)
        {
            "LoadImage", "EnsureChannelFirst", "AddChannel", "AsChannelFirst", "EnsureType", "ToTensor", "ToNumpy", "ToDevice", "Identity",
            "CopyItems", "DeleteItems", "SelectItems", "ToMetaTensor", "FromMetaTensor", "CastToType", "Orientation", "Spacing",
            "ScaleIntensityRange", "NormalizeIntensity", "Resize", "DivisiblePad", "CropForeground", "ScaleIntensity",
            "ScaleIntensityRangePercentiles", "Activations", "AsDiscrete", "KeepLargestConnectedComponent", "Invert", "SaveImage", "SqueezeDim",
        };

        /// <summary>A dictionary transform's name without its <c>d</c> (<c>Spacingd</c> → <c>Spacing</c>), when that is a known transform.</summary>
        private static string BaseName(string name) =>
            name.EndsWith('d') && KnownBaseNames.Contains(name[..^1]) ? name[..^1] : name;

        private T Wrong<T>(string path, JsonElement value, string expected)
        {
            Refuse(path, $"{Shorten(value.GetRawText())} is not {expected}");
            return default!;
        }

        private static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "...";
    }

    /// <summary>A transform of a Compose: its settings, name without module or <c>d</c>, and path.</summary>
    private readonly record struct Transform(JsonElement Settings, string Name, string Path)
    {
        /// <summary>
        /// Index of <paramref name="key"/> in the transform's <c>keys</c> (for parameters given per key), 0 for a
        /// transform without keys (it works on the image), −1 when the transform works on other data.
        /// </summary>
        public int KeyIndexOf(string key, ConfigReader config)
        {
            var keysPath = $"{Path}.keys";
            var keys = config.Get(Settings, "keys", keysPath);
            return keys switch
            {
                null => Settings.TryGetProperty("keys", out _) ? -1 : 0,
                { ValueKind: JsonValueKind.String } one => one.GetString() == key ? 0 : -1,
                { ValueKind: JsonValueKind.Array } many => many.EnumerateArray().Select(k => config.Resolve(k, keysPath)?.ToString()).ToList().IndexOf(key),
                _ => -1,
            };
        }
    }
}
