using RadAI.Testing;
using Xunit;

namespace RadAI.Dashboard.Tests;

/// <summary>
/// The dashboard's unit tests (Vitest: api client, live feed parser, job list updates, timeline, window/level and
/// contour of the overlay, charts, roles, translations) run as part of the .NET test run; their output is the message
/// of a failure.
/// </summary>
public sealed class VitestTests
{
    [Fact]
    public async Task The_dashboard_unit_tests_pass()
    {
        var run = await DashboardProject.NpmAsync("test", TimeSpan.FromMinutes(5));
        var output = run.Output + "\n" + run.Error;
        Assert.True(run.ExitCode == 0, $"npm test exited with {run.ExitCode}:\n{output}");
        // A run that found no test file also exits 0 with some settings: the summary must name passed tests.
        Assert.Matches(@"Tests\s+.*\d+ passed", Strip(output));
        Assert.DoesNotMatch(@"Tests\s+.*\d+ failed", Strip(output));
    }

    private static string Strip(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\x1B\[[0-9;]*m", "");
}
