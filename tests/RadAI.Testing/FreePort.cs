using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace RadAI.Testing;

/// <summary>
/// A TCP port on the loopback for a server a test starts (Orthanc, a RabbitMQ node, storescp, a RadAI host): free when
/// chosen, and handed out once per test run.
/// </summary>
/// <remarks>
/// Chosen below the kernel's ephemeral range (<c>ip_local_port_range</c>, 32768–60999 by default). A port the kernel
/// hands out for <c>bind(0)</c> is free only until an outgoing connection (a database or HTTP client of a test running
/// alongside) takes it as its local port before the server binds it, which CI saw as a RabbitMQ node failing with
/// <c>eaddrinuse</c>; below that range a port is only ever bound on purpose. Test processes run side by side: each port
/// handed out is reserved by creating <c>$RADAI_TEST_STATE/ports/PORT</c> exclusively, so no two of them get the same.
/// </remarks>
public static class FreePort
{
    private const int LowestPort = 20000;
    private const int Attempts = 500;
    private static readonly HashSet<int> HandedOut = [];

    public static int Next()
    {
        var (low, high) = (LowestPort, EphemeralRangeStart());
        if (high - low < 1000)
        {
            throw new InvalidOperationException($"The kernel's ephemeral port range starts at {high}: too low to choose server ports below it (from {low}).");
        }

        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var port = Random.Shared.Next(low, high);
            if (IsBindable(port) && Reserve(port))
            {
                return port;
            }
        }

        throw new InvalidOperationException($"No free port found between {low} and {high} in {Attempts} attempts.");
    }

    private static int EphemeralRangeStart()
    {
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            return int.Parse(range[0], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 32768;
        }
    }

    private static bool IsBindable(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static bool Reserve(int port)
    {
        lock (HandedOut)
        {
            if (!HandedOut.Add(port))
            {
                return false;
            }
        }

        if (Environment.GetEnvironmentVariable("RADAI_TEST_STATE") is not { Length: > 0 } state)
        {
            return true;
        }

        var folder = Path.Combine(state, "ports");
        Directory.CreateDirectory(folder);
        try
        {
            // CreateNew is O_CREAT|O_EXCL: of two processes choosing the same port, one gets it.
            using var _ = new FileStream(Path.Combine(folder, port.ToString(CultureInfo.InvariantCulture)), FileMode.CreateNew, FileAccess.Write);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
