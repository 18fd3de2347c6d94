using System.Threading.Channels;

namespace RadAI.PacsSender.Delivery;

/// <summary>Wakes a loop of the delivery scheduler when it has work (a report accepted, a resend; outcomes recorded): it need not wait for its poll.</summary>
public sealed class DeliverySignal
{
    private readonly Channel<bool> _channel = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Asks the scheduler to look at the database now.</summary>
    public void Wake() => _channel.Writer.TryWrite(true);

    /// <summary>Completes when <see cref="Wake"/> was called since the last wait.</summary>
    public async Task WaitAsync(CancellationToken cancellationToken) => await _channel.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
}
