using System.Text.RegularExpressions;
using RadAI.Testing;
using Xunit;

namespace RadAI.Integration.Tests;

/// <summary>README's two set-up commands are the ones this repository really runs.</summary>
public sealed partial class ReadmeTests
{
    [Fact]
    public void The_first_two_commands_run_the_standalone_host_and_the_test_script()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "README.md"));
        var commands = CodeBlock().Matches(readme).Select(m => m.Groups["body"].Value.Trim()).Take(2).ToList();

        Assert.Equal(2, commands.Count);
        Assert.Contains("deploy/standalone/RadAI.Standalone", commands[0], StringComparison.Ordinal);
        Assert.Equal("scripts/test.sh", commands[1]);
        Assert.Contains("scripts/test.sh", File.ReadAllText(Path.Combine(RepositoryPaths.Root, ".ci", "run")), StringComparison.Ordinal);
    }

    [GeneratedRegex("```(?:sh|bash)\\n(?<body>.*?)```", RegexOptions.Singleline)]
    private static partial Regex CodeBlock();
}
