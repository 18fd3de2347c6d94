namespace RadAI.PacsSender;

/// <summary>
/// The standalone host's repeatable <c>--pacs AET@HOST:PORT</c> switch (a switch mapping of <c>AddCommandLine</c> keeps
/// only the last value of a repeated switch): each value becomes a destination (<c>PacsSender:Destinations</c>) and a known
/// sender (<c>DicomIngest:Senders</c>), so that the PACS that sends a study gets its report back.
/// </summary>
public static class PacsSwitch
{
    public const string Name = "--pacs";

    /// <summary>The arguments with every <c>--pacs VALUE</c> or <c>--pacs=VALUE</c> rewritten as configuration arguments; the others unchanged.</summary>
    /// <exception cref="FormatException">A value is not <c>AET@HOST:PORT</c>, or the switch has no value.</exception>
    public static string[] Expand(IReadOnlyList<string> args)
    {
        var result = new List<string>();
        var index = 0;
        for (var i = 0; i < args.Count; i++)
        {
            string value;
            if (args[i] == Name)
            {
                value = i + 1 < args.Count ? args[++i] : throw new FormatException($"{Name} needs a value: AET@HOST:PORT.");
            }
            else if (args[i].StartsWith(Name + "=", StringComparison.Ordinal))
            {
                value = args[i][(Name.Length + 1)..];
            }
            else
            {
                result.Add(args[i]);
                continue;
            }

            var destination = DestinationOptions.Parse(value);
            // Keys that cannot clash with indexed entries from appsettings.json (list binding ignores the key names).
            var key = $"pacs-{index++}";
            result.Add($"--{PacsSenderOptions.SectionName}:Destinations:{key}:AeTitle={destination.AeTitle}");
            result.Add($"--{PacsSenderOptions.SectionName}:Destinations:{key}:Host={destination.Host}");
            result.Add($"--{PacsSenderOptions.SectionName}:Destinations:{key}:Port={destination.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
            result.Add($"--DicomIngest:Senders:{key}:AeTitle={destination.AeTitle}");
        }

        return [.. result];
    }
}
