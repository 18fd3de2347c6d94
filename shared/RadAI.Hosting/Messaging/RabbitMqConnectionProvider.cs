using System.Security.Authentication;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;

namespace RadAI.Hosting.Messaging;

/// <summary>
/// One AMQP connection of our own, beside MassTransit's, for what MassTransit does not do:
/// declaring the redelivery waiting queues and answering the readiness probe.
/// </summary>
public sealed class RabbitMqConnectionProvider(IOptions<MessagingOptions> options, ServiceIdentity service) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IConnection? _connection;

    /// <summary>The open connection, created or re-created on demand.</summary>
    public async Task<IConnection> GetConnectionAsync(CancellationToken cancellationToken)
    {
        if (_connection is { IsOpen: true } open)
        {
            return open;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_connection is { IsOpen: true } raced)
            {
                return raced;
            }

            if (_connection is not null)
            {
                await _connection.DisposeAsync().ConfigureAwait(false);
            }

            var rabbit = options.Value.RabbitMq;
            var factory = new ConnectionFactory
            {
                HostName = rabbit.Host,
                Port = rabbit.Port,
                VirtualHost = rabbit.VirtualHost,
                UserName = rabbit.Username,
                Password = rabbit.Password,
                ClientProvidedName = $"{service.Name}-control",
                RequestedConnectionTimeout = TimeSpan.FromSeconds(5),
                AutomaticRecoveryEnabled = false,
            };
            if (rabbit.UseTls)
            {
                factory.Ssl = new SslOption { Enabled = true, ServerName = rabbit.Host, Version = SslProtocols.Tls12 | SslProtocols.Tls13 };
            }

            _connection = await factory.CreateConnectionAsync(cancellationToken).ConfigureAwait(false);
            return _connection;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
        }

        _gate.Dispose();
    }
}
