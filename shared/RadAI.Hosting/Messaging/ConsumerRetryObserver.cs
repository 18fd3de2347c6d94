using MassTransit;

namespace RadAI.Hosting.Messaging;

/// <summary>
/// Gives every consumer of an endpoint RadAI's immediate retry policy (exponential), at the consumer
/// level: inside the endpoint-level redelivery, which takes over when these retries are exhausted.
/// </summary>
internal sealed class ConsumerRetryObserver(RetryOptions retry) : IConsumerConfigurationObserver
{
    public void ConsumerConfigured<TConsumer>(IConsumerConfigurator<TConsumer> configurator)
        where TConsumer : class =>
        configurator.UseMessageRetry(r => r.Exponential(
            retry.Limit, retry.MinInterval, retry.MaxInterval, TimeSpan.FromTicks(Math.Max(1, retry.MinInterval.Ticks))));

    public void ConsumerMessageConfigured<TConsumer, TMessage>(IConsumerMessageConfigurator<TConsumer, TMessage> configurator)
        where TConsumer : class
        where TMessage : class
    {
    }
}
