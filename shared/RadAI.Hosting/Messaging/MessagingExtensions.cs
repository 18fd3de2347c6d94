using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RadAI.Contracts;
using RadAI.Hosting.Options;

namespace RadAI.Hosting.Messaging;

/// <summary>MassTransit 8 wiring shared by every service.</summary>
public static class MessagingExtensions
{
    /// <summary>
    /// Adds the bus: RabbitMQ (or the in-memory transport for the standalone host, per
    /// <c>Messaging:Transport</c>), kebab-case endpoint names, immediate retries then delayed
    /// redelivery on every endpoint, failed messages in each endpoint's <c>_error</c> queue.
    /// <paramref name="configureConsumers"/> registers the service's consumers.
    /// </summary>
    public static IHostApplicationBuilder AddRadAIMessaging(this IHostApplicationBuilder builder, Action<IBusRegistrationConfigurator>? configureConsumers = null)
    {
        builder.Services.AddValidatedOptions<MessagingOptions>(MessagingOptions.SectionName);
        // The transport decides which services are registered, so it is read now.
        var transport = builder.Configuration.GetSection(MessagingOptions.SectionName).GetValue(nameof(MessagingOptions.Transport), MessagingTransport.RabbitMq);

        builder.Services.AddOptions<MassTransitHostOptions>().Configure(o =>
        {
            o.WaitUntilStarted = true;
            o.StartTimeout = TimeSpan.FromSeconds(60);
            // Shutdown lets in-flight messages finish before the process exits.
            o.StopTimeout = TimeSpan.FromSeconds(30);
            o.ConsumerStopTimeout = TimeSpan.FromSeconds(20);
        });

        if (transport == MessagingTransport.RabbitMq)
        {
            builder.Services.AddSingleton<RabbitMqConnectionProvider>();
            builder.Services.AddSingleton<RabbitMqWaitingQueues>();
            builder.Services.AddHealthChecks().AddCheck<BrokerHealthCheck>("broker", tags: [HealthTags.Ready]);
        }

        builder.Services.AddMassTransit(bus =>
        {
            bus.SetKebabCaseEndpointNameFormatter();
            configureConsumers?.Invoke(bus);

            bus.AddConfigureEndpointsCallback((context, _, endpoint) =>
            {
                var options = context.GetRequiredService<IOptions<MessagingOptions>>().Value;
                if (transport == MessagingTransport.RabbitMq)
                {
                    // Outside the retry filter (configured first): it sees what the retries gave up on.
                    endpoint.UseFilter(new BrokerQueueRedeliveryFilter(
                        options.EffectiveRedeliveryIntervals,
                        context.GetRequiredService<RabbitMqWaitingQueues>(),
                        context.GetRequiredService<ILoggerFactory>().CreateLogger<BrokerQueueRedeliveryFilter>()));
                }
                else
                {
                    endpoint.UseDelayedRedelivery(r => r.Intervals([.. options.EffectiveRedeliveryIntervals]));
                }

                // Immediate retries wrap each consumer, inside the endpoint's redelivery.
                endpoint.ConnectConsumerConfigurationObserver(new ConsumerRetryObserver(options.Retry));
                if (options.ConcurrentMessageLimit is { } limit)
                {
                    endpoint.ConcurrentMessageLimit = limit;
                }
            });

            if (transport == MessagingTransport.InMemory)
            {
                bus.UsingInMemory((context, cfg) =>
                {
                    // The in-memory transport delays natively; this backs UseDelayedRedelivery.
                    cfg.UseDelayedMessageScheduler();
                    ConfigureCommon(cfg);
                    cfg.ConfigureEndpoints(context);
                });
            }
            else
            {
                bus.UsingRabbitMq((context, cfg) =>
                {
                    var options = context.GetRequiredService<IOptions<MessagingOptions>>().Value;
                    var service = context.GetRequiredService<ServiceIdentity>();
                    var rabbit = options.RabbitMq;
                    cfg.Host(rabbit.Host, (ushort)rabbit.Port, rabbit.VirtualHost, service.Name, h =>
                    {
                        h.Username(rabbit.Username);
                        h.Password(rabbit.Password);
                        if (rabbit.UseTls)
                        {
                            h.UseSsl(s => s.ServerName = rabbit.Host);
                        }
                    });
                    cfg.PrefetchCount = options.PrefetchCount;
                    ConfigureCommon(cfg);
                    cfg.ConfigureEndpoints(context);
                });
            }
        });

        return builder;
    }

    private static void ConfigureCommon(IBusFactoryConfigurator cfg)
    {
        // IJobEvent is a C# convenience for consumers that handle every event, not a routing key.
        cfg.Publish<IJobEvent>(p => p.Exclude = true);
    }
}
