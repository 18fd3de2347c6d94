using Xunit;

namespace RadAI.Deployment.Tests;

/// <summary>docs/configuration.md is what the options classes say today.</summary>
public sealed class ConfigurationReferenceTests
{
    [Fact]
    public async Task The_configuration_reference_is_generated_from_the_options_classes()
    {
        var expected = ConfigurationReference.Generate([.. ServiceHosts.All.Select(HostRegistrationReader.Read)]);
        if (Environment.GetEnvironmentVariable(ConfigurationReference.UpdateVariable) == "1")
        {
            await File.WriteAllTextAsync(ConfigurationReference.CheckedInPath, expected);
        }

        var actual = File.Exists(ConfigurationReference.CheckedInPath) ? await File.ReadAllTextAsync(ConfigurationReference.CheckedInPath) : "";
        Assert.True(
            expected == actual,
            $"{ConfigurationReference.RelativePath} differs from the options classes: regenerate it with "
            + $"{ConfigurationReference.UpdateVariable}=1 dotnet test tests/RadAI.Deployment.Tests --filter ConfigurationReference. First difference:\n"
            + FirstDifference(expected, actual));
    }

    [Fact]
    public void The_reference_lists_every_key_of_every_registered_options_class()
    {
        // Guards the generator itself: a key the binder fills must have its row.
        var hosts = ServiceHosts.All.Select(HostRegistrationReader.Read).ToList();
        var reference = ConfigurationReference.Generate(hosts);

        foreach (var options in hosts.SelectMany(h => h.Options))
        {
            var keys = OptionsSchema.Keys(options.Section, options.Type);
            Assert.NotEmpty(keys);
            Assert.All(keys, key => Assert.Contains($"| `{key.Path}` |", reference, StringComparison.Ordinal));
        }

        Assert.Contains("| `Database:ConnectionString` | string | empty | *required*.", reference, StringComparison.Ordinal);
        Assert.Contains("| `PacsSender:Destinations:n:Port` | int, 1–65535 | `104` |", reference, StringComparison.Ordinal);
    }

    private static string FirstDifference(string expected, string actual)
    {
        var expectedLines = expected.Split('\n');
        var actualLines = actual.Split('\n');
        for (var i = 0; i < Math.Max(expectedLines.Length, actualLines.Length); i++)
        {
            var e = i < expectedLines.Length ? expectedLines[i] : "(end of file)";
            var a = i < actualLines.Length ? actualLines[i] : "(end of file)";
            if (e != a)
            {
                return $"line {i + 1}\n  expected: {e}\n  actual:   {a}";
            }
        }

        return "(none)";
    }
}
