using System.Diagnostics;

namespace RadAI.Testing;

/// <summary>Runs a real peer program (dcmdump, dciodvfy, storescp, python...) and captures what it says.</summary>
public static class ExternalTool
{
    /// <summary>The result of a run.</summary>
    public sealed record Result(int ExitCode, string Output, string Error)
    {
        /// <summary>Throws with the program's own words when it failed.</summary>
        public Result EnsureSuccess(string what) =>
            ExitCode == 0 ? this : throw new InvalidOperationException($"{what} exited with {ExitCode}:\n{Error}\n{Output}");
    }

    /// <summary>Runs <paramref name="program"/> to completion (bounded by <paramref name="timeout"/>, default 2 minutes).</summary>
    public static async Task<Result> RunAsync(string program, IEnumerable<string> arguments, TimeSpan? timeout = null, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Cannot start {program}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish within {(timeout ?? TimeSpan.FromMinutes(2)).TotalSeconds} s.");
        }

        return new Result(process.ExitCode, await output, await error);
    }

    /// <summary>Runs with the arguments given inline.</summary>
    public static Task<Result> RunAsync(string program, params string[] arguments) => RunAsync(program, (IEnumerable<string>)arguments);
}
