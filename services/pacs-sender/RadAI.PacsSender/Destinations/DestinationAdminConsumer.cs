using MassTransit;
using Microsoft.Extensions.Logging;
using RadAI.Contracts.Destinations;

namespace RadAI.PacsSender.Destinations;

/// <summary>
/// Answers the api's destination requests (list, upsert, disable, C-ECHO). Changes go straight to <c>pacs_destinations</c>,
/// which every delivery attempt reads: they take effect with the next attempt, without restart.
/// </summary>
public sealed partial class DestinationAdminConsumer(DestinationRepository destinations, DestinationConnector connector, ILogger<DestinationAdminConsumer> logger) :
    IConsumer<ListDestinations>,
    IConsumer<UpsertDestination>,
    IConsumer<DisableDestination>,
    IConsumer<EchoDestination>
{
    public async Task Consume(ConsumeContext<ListDestinations> context)
    {
        var all = await destinations.ListAsync(context.CancellationToken).ConfigureAwait(false);
        await context.RespondAsync(new DestinationList([.. all.Select(ToInfo)])).ConfigureAwait(false);
    }

    public async Task Consume(ConsumeContext<UpsertDestination> context)
    {
        var request = context.Message;
        var options = new DestinationOptions
        {
            AeTitle = request.AeTitle ?? "",
            Host = request.Host ?? "",
            Port = request.Port,
            Tls = request.Tls,
            Kinds = [.. request.Kinds ?? []],
            AllReports = request.AllReports,
            Enabled = request.Enabled,
        };
        if (Validate(options) is { } invalid)
        {
            await context.RespondAsync(new DestinationRejected(options.AeTitle, DestinationRejected.Invalid, invalid)).ConfigureAwait(false);
            return;
        }

        var (before, after, readOnly) = await destinations.UpsertFromApiAsync(
            new Destination
            {
                AeTitle = options.AeTitle,
                Host = options.Host,
                Port = options.Port,
                Tls = options.Tls,
                Kinds = string.Join(',', options.EffectiveKinds),
                AllReports = options.AllReports,
                Enabled = options.Enabled,
            },
            context.CancellationToken).ConfigureAwait(false);
        if (readOnly || after is null)
        {
            await context.RespondAsync(ReadOnly(options.AeTitle)).ConfigureAwait(false);
            return;
        }

        LogChanged(after.AeTitle, before is null ? "created" : "updated", after.Enabled, request.RequestedBy ?? "unknown");
        await context.RespondAsync(new DestinationChanged(before is null ? null : ToInfo(before), ToInfo(after))).ConfigureAwait(false);
    }

    public async Task Consume(ConsumeContext<DisableDestination> context)
    {
        var aeTitle = context.Message.AeTitle;
        var (before, after, readOnly) = await destinations.DisableFromApiAsync(aeTitle, context.CancellationToken).ConfigureAwait(false);
        if (before is null)
        {
            await context.RespondAsync(NotFound(aeTitle)).ConfigureAwait(false);
        }
        else if (readOnly || after is null)
        {
            await context.RespondAsync(ReadOnly(aeTitle)).ConfigureAwait(false);
        }
        else
        {
            LogChanged(aeTitle, "disabled", false, context.Message.RequestedBy ?? "unknown");
            await context.RespondAsync(new DestinationChanged(ToInfo(before), ToInfo(after))).ConfigureAwait(false);
        }
    }

    public async Task Consume(ConsumeContext<EchoDestination> context)
    {
        var destination = await destinations.FindAsync(context.Message.AeTitle, context.CancellationToken).ConfigureAwait(false);
        if (destination is null)
        {
            await context.RespondAsync(NotFound(context.Message.AeTitle)).ConfigureAwait(false);
            return;
        }

        var (status, error) = await connector.EchoAsync(destination, context.CancellationToken).ConfigureAwait(false);
        var recorded = await destinations.FindAsync(destination.AeTitle, context.CancellationToken).ConfigureAwait(false);
        await context.RespondAsync(new DestinationEchoed(destination.AeTitle, recorded?.LastEchoAt ?? DateTimeOffset.UtcNow, status, error)).ConfigureAwait(false);
    }

    /// <summary>The contract's view of a row.</summary>
    public static DestinationInfo ToInfo(Destination d) => new(
        d.AeTitle, d.Host, checked((int)d.Port), d.Tls, d.Kinds.Split(',', StringSplitOptions.RemoveEmptyEntries), d.AllReports, d.Enabled, d.Source,
        d.UpdatedAt, d.LastEchoAt, d.LastEchoStatus is { } s ? checked((int)s) : null, d.LastEchoError);

    /// <summary>The same rules as a configured destination (attributes and <see cref="DestinationOptions.Validate"/>); null when valid.</summary>
    private static string? Validate(DestinationOptions options)
    {
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        return System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new System.ComponentModel.DataAnnotations.ValidationContext(options), results, validateAllProperties: true)
            ? null
            : string.Join(" ", results.Select(r => r.ErrorMessage));
    }

    private static DestinationRejected NotFound(string aeTitle) => new(aeTitle, DestinationRejected.NotFound, $"No destination {aeTitle}.");

    private static DestinationRejected ReadOnly(string aeTitle) =>
        new(aeTitle, DestinationRejected.ReadOnly, $"Destination {aeTitle} comes from pacs-sender's configuration (PacsSender:Destinations); change it there.");

    [LoggerMessage(EventId = 7405, Level = LogLevel.Information, Message = "Destination {AeTitle} {Change} through the api (enabled {Enabled}) by {RequestedBy}")]
    private partial void LogChanged(string aeTitle, string change, bool enabled, string requestedBy);
}

/// <summary>Endpoint settings of the destination requests, beside their consumer.</summary>
public sealed class DestinationAdminConsumerDefinition : ConsumerDefinition<DestinationAdminConsumer>
{
    public DestinationAdminConsumerDefinition()
    {
        EndpointName = "pacs-destinations";
    }
}
