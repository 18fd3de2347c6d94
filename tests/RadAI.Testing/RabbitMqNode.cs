using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace RadAI.Testing;

/// <summary>
/// A RabbitMQ node of the test's own (unique node name, free ports, own data folder), which the test may
/// stop and start again: the shared test broker must never be restarted, other tests use it. A restart keeps
/// the node name, ports and data folder, so durable queues and persistent messages survive it, as on a
/// real server. Configured as <c>scripts/test.sh</c> configures its broker; its folder lies under
/// <c>RADAI_TEST_STATE</c> and its process group is listed in <c>$RADAI_TEST_STATE/pids</c> while it runs,
/// so that the script's cleanup stops it when a test run is killed. Disposing stops it and deletes its folder.
/// </summary>
public sealed partial class RabbitMqNode : IAsyncDisposable
{
    private const int SigTerm = 15;
    private const int SigKill = 9;
    private static readonly byte[] AmqpProtocolHeader = "AMQP\0\0\u0009\u0001"u8.ToArray();
    private static readonly SemaphoreSlim PidsFileGate = new(1, 1);

    private readonly TimeSpan _startTimeout;
    private Process? _process;

    private RabbitMqNode(string folder, string nodeName, int port, int distributionPort, TimeSpan startTimeout)
    {
        Folder = folder;
        NodeName = nodeName;
        Port = port;
        DistributionPort = distributionPort;
        _startTimeout = startTimeout;
    }

    /// <summary>The Erlang node name (<c>radai-node-…@localhost</c>).</summary>
    public string NodeName { get; }

    /// <summary>AMQP port on 127.0.0.1; the same after a restart.</summary>
    public int Port { get; }

    /// <summary>Erlang distribution port (what <c>rabbitmqctl</c> talks to).</summary>
    public int DistributionPort { get; }

    /// <summary>The node's folder: configuration, data (mnesia), logs.</summary>
    public string Folder { get; }

    /// <summary>The PID of the node's process group leader (listed in test.sh's pids file while it runs); null before the first start.</summary>
    public int? ProcessGroupId => _process?.Id;

    /// <summary>Whether the node's process is running.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Settings a RadAI host needs to use this node (environment variable form, as <see cref="RabbitMqTestVirtualHost.Settings"/>).</summary>
    public IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Messaging__Transport"] = "RabbitMq",
        ["Messaging__RabbitMq__Host"] = "127.0.0.1",
        ["Messaging__RabbitMq__Port"] = Port.ToString(CultureInfo.InvariantCulture),
        ["Messaging__RabbitMq__VirtualHost"] = "/",
        ["Messaging__RabbitMq__Username"] = "guest",
        ["Messaging__RabbitMq__Password"] = "guest",
    };

    private string StdoutLog => Path.Combine(Folder, "stdout.log");

    private string LogFile => Path.Combine(Folder, "log", NodeName + ".log");

    /// <summary>
    /// Creates a node and starts it. <paramref name="startTimeout"/> bounds each start (default 90 s: an Erlang VM
    /// boots in ~5 s on an idle machine, and several times that on a machine busy with builds).
    /// </summary>
    public static async Task<RabbitMqNode> StartNewAsync(TimeSpan? startTimeout = null)
    {
        var state = Environment.GetEnvironmentVariable("RADAI_TEST_STATE") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                "RADAI_TEST_STATE is not set. This test starts its own RabbitMQ node in the run folder of scripts/test.sh: run the tests with scripts/test.sh.");
        var id = Guid.NewGuid().ToString("N")[..12];
        var folder = Path.Combine(state, "rabbitmq-nodes", id);
        var node = new RabbitMqNode(folder, $"radai-node-{id}@localhost", FreePort.Next(), FreePort.Next(), startTimeout ?? TimeSpan.FromSeconds(90));
        try
        {
            await node.WriteConfigurationAsync();
            await node.StartAsync();
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the node (again) on the same ports and data, and waits until it answers AMQP.</summary>
    public async Task StartAsync()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException($"RabbitMQ node {NodeName} is already running.");
        }

        _process?.Dispose();
        // setsid: the node is one process group whose id is this PID, which test.sh signals (SIGTERM stops RabbitMQ
        // gracefully). setpriv, not Debian's rabbitmq-server wrapper: the wrapper's `su -c` puts the Erlang VM in a
        // session of its own, out of reach of that signal.
        var info = new ProcessStartInfo("sh") { UseShellExecute = false, WorkingDirectory = Folder };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("exec setsid setpriv --reuid=rabbitmq --regid=rabbitmq --init-groups /usr/lib/rabbitmq/bin/rabbitmq-server >>\"$0\" 2>&1");
        info.ArgumentList.Add(StdoutLog);
        foreach (var (key, value) in NodeEnvironment())
        {
            info.Environment[key] = value;
        }

        // The Erlang cookie of the rabbitmq user, which rabbitmqctl (through the wrapper) uses too.
        info.Environment["HOME"] = "/var/lib/rabbitmq";

        var process = Process.Start(info) ?? throw new InvalidOperationException("Cannot start rabbitmq-server.");
        _process = process;
        await RecordPidAsync(process.Id);
        try
        {
            await Eventually.UntilAsync(async () => process.HasExited || await AnswersAmqpAsync(), _startTimeout, $"RabbitMQ node {NodeName} to answer AMQP on port {Port}");
            if (process.HasExited)
            {
                throw new InvalidOperationException($"rabbitmq-server exited with {process.ExitCode}.");
            }
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            var tail = await TailAsync();
            await KillAsync();
            throw new InvalidOperationException($"RabbitMQ node {NodeName} did not start: {e.Message}\n{tail}", e);
        }
    }

    /// <summary>
    /// Graceful shutdown (<c>rabbitmqctl shutdown</c>: queues and messages are written to disk), then waits
    /// until the process has exited and the AMQP port refuses connections.
    /// </summary>
    public async Task StopAsync()
    {
        if (_process is not { } process)
        {
            return;
        }

        if (!process.HasExited)
        {
            var shutdown = await CtlAsync("shutdown");
            if (shutdown.ExitCode != 0 && !process.HasExited)
            {
                await KillAsync();
                throw new InvalidOperationException($"rabbitmqctl shutdown of {NodeName} exited with {shutdown.ExitCode}; the node was killed.\n{shutdown.Error}\n{shutdown.Output}");
            }

            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                await KillAsync();
                throw new InvalidOperationException($"RabbitMQ node {NodeName} was still running 30 s after rabbitmqctl shutdown; it was killed.");
            }
        }

        await Eventually.UntilAsync(async () => !await AcceptsConnectionsAsync(), TimeSpan.FromSeconds(30), $"port {Port} of {NodeName} to close");
        await ForgetPidAsync(process.Id);
    }

    /// <summary>Runs <c>rabbitmqctl</c> against this node (e.g. <c>list_queues name messages</c>).</summary>
    public Task<ExternalTool.Result> CtlAsync(params string[] arguments) =>
        ExternalTool.RunAsync("env", [.. NodeEnvironment().Select(e => $"{e.Key}={e.Value}"), "rabbitmqctl", "-q", .. arguments], TimeSpan.FromSeconds(90), Folder);

    /// <summary>The messages in each queue of the node's default virtual host.</summary>
    public async Task<IReadOnlyDictionary<string, int>> QueueDepthsAsync()
    {
        var listed = (await CtlAsync("list_queues", "--no-table-headers", "name", "messages")).EnsureSuccess("rabbitmqctl list_queues");
        return listed.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split('\t'))
            .Where(fields => fields.Length == 2 && int.TryParse(fields[1], CultureInfo.InvariantCulture, out _))
            .ToDictionary(fields => fields[0], fields => int.Parse(fields[1], CultureInfo.InvariantCulture), StringComparer.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or IOException)
        {
            // A node that would not stop gracefully is killed: dispose must never leave it running.
            await KillAsync();
        }

        _process?.Dispose();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private async Task WriteConfigurationAsync()
    {
        Directory.CreateDirectory(Path.Combine(Folder, "mnesia"));
        Directory.CreateDirectory(Path.Combine(Folder, "log"));
        await File.WriteAllTextAsync(Path.Combine(Folder, "rabbitmq.conf"), $"""
            listeners.tcp.1 = 127.0.0.1:{Port}
            loopback_users = none

            """);
        // No plugin: the management API is the shared broker's; this node starts faster without it.
        await File.WriteAllTextAsync(Path.Combine(Folder, "enabled_plugins"), "[].\n");
        // The node runs as the rabbitmq user: it must own its folder.
        (await ExternalTool.RunAsync("chown", "-R", "rabbitmq:rabbitmq", Folder)).EnsureSuccess("chown of the RabbitMQ node folder");
    }

    private Dictionary<string, string> NodeEnvironment() => new(StringComparer.Ordinal)
    {
        ["RABBITMQ_NODENAME"] = NodeName,
        ["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1",
        ["RABBITMQ_NODE_PORT"] = Port.ToString(CultureInfo.InvariantCulture),
        ["RABBITMQ_DIST_PORT"] = DistributionPort.ToString(CultureInfo.InvariantCulture),
        ["ERL_EPMD_ADDRESS"] = "127.0.0.1",
        ["RABBITMQ_MNESIA_BASE"] = Path.Combine(Folder, "mnesia"),
        ["RABBITMQ_LOG_BASE"] = Path.Combine(Folder, "log"),
        ["RABBITMQ_CONFIG_FILE"] = Path.Combine(Folder, "rabbitmq"),
        ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(Folder, "enabled_plugins"),
        ["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1}",
        ["RABBITMQ_CTL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1}",
    };

    /// <summary>Whether the node answers the AMQP protocol header with a frame (its Connection.Start): listeners start last in its boot.</summary>
    private async Task<bool> AnswersAmqpAsync()
    {
        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, Port, timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync(AmqpProtocolHeader, timeout.Token);
            var frameType = new byte[1];
            // 1: a method frame, the broker's Connection.Start.
            return await stream.ReadAsync(frameType, timeout.Token) == 1 && frameType[0] == 1;
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    private async Task<bool> AcceptsConnectionsAsync()
    {
        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, Port, timeout.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>SIGTERM then SIGKILL to the node's whole process group; for failures only.</summary>
    private async Task KillAsync()
    {
        if (_process is not { } process)
        {
            return;
        }

        if (!process.HasExited)
        {
            _ = Kill(-process.Id, SigTerm);
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                _ = Kill(-process.Id, SigKill);
                await process.WaitForExitAsync();
            }
        }

        // The Erlang VM is a child of the group leader: it may outlive it by a moment.
        _ = Kill(-process.Id, SigKill);
        await ForgetPidAsync(process.Id);
    }

    private async Task<string> TailAsync()
    {
        var text = new StringBuilder();
        foreach (var file in new[] { StdoutLog, LogFile }.Where(File.Exists))
        {
            var lines = await File.ReadAllLinesAsync(file);
            text.AppendLine(CultureInfo.InvariantCulture, $"--- {file} (last lines)").AppendJoin('\n', lines.TakeLast(30)).AppendLine();
        }

        return text.ToString();
    }

    private static string? PidsFile =>
        Environment.GetEnvironmentVariable("RADAI_TEST_STATE") is { Length: > 0 } state ? Path.Combine(state, "pids") : null;

    /// <summary>Lists the process group in test.sh's pids file: a killed test run leaves no node behind.</summary>
    private static Task RecordPidAsync(int pid) =>
        EditPidsFileAsync(lines => [.. lines, pid.ToString(CultureInfo.InvariantCulture)]);

    /// <summary>Takes a stopped node's PID out again: test.sh must not signal a PID the system gave to another process since.</summary>
    private static Task ForgetPidAsync(int pid) =>
        EditPidsFileAsync(lines => [.. lines.Where(l => l.Trim() != pid.ToString(CultureInfo.InvariantCulture))]);

    private static async Task EditPidsFileAsync(Func<IReadOnlyList<string>, IReadOnlyList<string>> edit)
    {
        if (PidsFile is not { } path)
        {
            return;
        }

        await PidsFileGate.WaitAsync();
        try
        {
            FileStream? file = null;
            // Exclusive (flock) against nodes of other test processes editing it at the same time.
            await Eventually.UntilAsync(() =>
            {
                try
                {
                    file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                    return Task.FromResult(true);
                }
                catch (IOException)
                {
                    return Task.FromResult(false);
                }
            }, TimeSpan.FromSeconds(10), $"exclusive access to {path}");
            await using (file!)
            {
                using var reader = new StreamReader(file!, leaveOpen: true);
                var lines = (await reader.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
                var edited = edit(lines);
                file!.SetLength(0);
                await file.WriteAsync(Encoding.ASCII.GetBytes(string.Concat(edited.Select(l => l + "\n"))));
            }
        }
        finally
        {
            PidsFileGate.Release();
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
