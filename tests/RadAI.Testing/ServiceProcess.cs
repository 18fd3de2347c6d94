using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace RadAI.Testing;

/// <summary>
/// A RadAI program run as a real process (<c>dotnet X.dll</c>), its output captured line by line,
/// stopped gracefully (SIGTERM) or brutally (SIGKILL) on demand and always on dispose.
/// </summary>
public sealed partial class ServiceProcess : IAsyncDisposable
{
    private const int SigTerm = 15;
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly SemaphoreSlim _lineArrived = new(0);

    private ServiceProcess(Process process, string name)
    {
        _process = process;
        Name = name;
    }

    /// <summary>The assembly name, for messages.</summary>
    public string Name { get; }

    /// <summary>Everything the process printed so far (stdout and stderr).</summary>
    public string Output => string.Join('\n', _lines);

    /// <summary>Whether the process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Exit code, once exited.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Starts <c>dotnet artifacts/bin/{assemblyName}/.../{assemblyName}.dll</c> (the artifacts folder of the checkout).</summary>
    public static ServiceProcess Start(string assemblyName, IReadOnlyDictionary<string, string?> environment, params string[] arguments) =>
        StartDotnet(RepositoryPaths.BuiltAssembly(assemblyName), assemblyName, environment, arguments);

    /// <summary>
    /// Starts a built RadAI program in <paramref name="workingDirectory"/>: for settings whose default is relative to the
    /// current directory (the standalone host's <c>./radai-data</c>).
    /// </summary>
    public static ServiceProcess StartIn(string workingDirectory, string assemblyName, IReadOnlyDictionary<string, string?> environment, params string[] arguments) =>
        StartCore("dotnet", [RepositoryPaths.BuiltAssembly(assemblyName), .. arguments], workingDirectory, assemblyName, environment);

    /// <summary>Starts a program that is not .NET (e.g. DCMTK's storescp), in <paramref name="workingDirectory"/>.</summary>
    public static ServiceProcess StartProgram(string program, string workingDirectory, params string[] arguments) =>
        StartCore(program, arguments, workingDirectory, Path.GetFileName(program), new Dictionary<string, string?>());

    /// <summary>
    /// Starts <c>dotnet <paramref name="dll"/></c>, e.g. a program built into the same artifacts folder as the running tests
    /// (<see cref="RepositoryPaths.SiblingBuiltAssembly(string, string)"/>: works with any <c>ArtifactsPath</c>).
    /// </summary>
    public static ServiceProcess StartDll(string dll, IReadOnlyDictionary<string, string?> environment, params string[] arguments) =>
        StartDotnet(dll, Path.GetFileNameWithoutExtension(dll), environment, arguments);

    private static ServiceProcess StartDotnet(string dll, string name, IReadOnlyDictionary<string, string?> environment, string[] arguments) =>
        StartCore("dotnet", [dll, .. arguments], Path.GetDirectoryName(dll)!, name, environment);

    private static ServiceProcess StartCore(string program, IEnumerable<string> arguments, string workingDirectory, string name, IReadOnlyDictionary<string, string?> environment)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // The child sees only what the test gives it of RadAI's settings.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("RADAI_TEST_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(key);
        }

        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var service = new ServiceProcess(process, name);
        process.OutputDataReceived += (_, e) => service.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => service.OnLine(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return service;
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        _lines.Enqueue(line);
        _lineArrived.Release();
    }

    /// <summary>Waits for an output line matching <paramref name="match"/>; fails if the process exits first.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var found = _lines.FirstOrDefault(match);
            if (found is not null)
            {
                return found;
            }

            if (_process.HasExited)
            {
                // Drain what the exit flushed.
                await _process.WaitForExitAsync();
                found = _lines.FirstOrDefault(match);
                return found ?? throw new InvalidOperationException($"{Name} exited with {_process.ExitCode} before {what}. Output:\n{Output}");
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"{Name}: no output line for {what} within {timeout.TotalSeconds:0} s. Output:\n{Output}");
            }

            await _lineArrived.WaitAsync(left < TimeSpan.FromMilliseconds(500) ? left : TimeSpan.FromMilliseconds(500));
        }
    }

    /// <summary>SIGTERM, then wait for a graceful exit (SIGKILL after <paramref name="grace"/>).</summary>
    public async Task StopAsync(TimeSpan? grace = null)
    {
        if (_process.HasExited)
        {
            return;
        }

        _ = Kill(_process.Id, SigTerm);
        using var timeout = new CancellationTokenSource(grace ?? TimeSpan.FromSeconds(20));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    /// <summary>SIGKILL now: a crash, nothing flushed, no shutdown code runs.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(10));
        _process.Dispose();
        _lineArrived.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
