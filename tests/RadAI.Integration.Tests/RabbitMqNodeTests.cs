using System.Net.Sockets;
using System.Text;
using RabbitMQ.Client;
using RadAI.Testing;
using Xunit;

namespace RadAI.Integration.Tests;

/// <summary>The private, restartable RabbitMQ node the broker-restart tests use.</summary>
public sealed class RabbitMqNodeTests
{
    [Fact]
    public async Task A_persistent_message_in_a_durable_queue_survives_a_restart_on_the_same_port_and_test_sh_cleanup_stops_the_node()
    {
        var node = await RabbitMqNode.StartNewAsync();
        var folder = node.Folder;
        await using (node)
        {
            var body = Encoding.UTF8.GetBytes($"kept-{Guid.NewGuid():N}");
            await using (var connection = await ConnectAsync(node))
            await using (var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true)))
            {
                await channel.QueueDeclareAsync("kept", durable: true, exclusive: false, autoDelete: false);
                await channel.QueueDeclareAsync("forgotten", durable: false, exclusive: false, autoDelete: false);
                await channel.BasicPublishAsync("", "kept", mandatory: true, new BasicProperties { DeliveryMode = DeliveryModes.Persistent }, body);
            }

            var pid = node.ProcessGroupId!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Assert.Contains(pid, File.ReadAllLines(PidsFile()));
            await node.StopAsync();

            Assert.DoesNotContain(pid, File.ReadAllLines(PidsFile()));
            Assert.False(node.IsRunning);
            await Assert.ThrowsAnyAsync<SocketException>(async () =>
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", node.Port);
            });

            await node.StartAsync();

            Assert.True(node.IsRunning);
            var depths = await node.QueueDepthsAsync();
            Assert.Equal(1, depths["kept"]);
            Assert.False(depths.ContainsKey("forgotten"), "a transient queue is gone after a restart: the data folder is the node's own");
            await using (var connection = await ConnectAsync(node))
            await using (var channel = await connection.CreateChannelAsync())
            {
                var message = await channel.BasicGetAsync("kept", autoAck: true);
                Assert.NotNull(message);
                Assert.Equal(body, message.Body.ToArray());
            }

            // What scripts/test.sh does to the PIDs listed when a test run was killed: the node stops.
            pid = node.ProcessGroupId!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Assert.Contains(pid, File.ReadAllLines(PidsFile()));
            (await ExternalTool.RunAsync("kill", "-TERM", "--", "-" + pid)).EnsureSuccess("kill of the node's process group");
            await Eventually.UntilAsync(() => Task.FromResult(!node.IsRunning), TimeSpan.FromSeconds(60), "the node to exit on SIGTERM to its process group");
        }

        Assert.False(Directory.Exists(folder), "dispose deletes the node's folder");
    }

    private static Task<IConnection> ConnectAsync(RabbitMqNode node) =>
        new ConnectionFactory { HostName = "127.0.0.1", Port = node.Port, UserName = "guest", Password = "guest" }.CreateConnectionAsync();

    private static string PidsFile() => Path.Combine(Environment.GetEnvironmentVariable("RADAI_TEST_STATE")!, "pids");
}
