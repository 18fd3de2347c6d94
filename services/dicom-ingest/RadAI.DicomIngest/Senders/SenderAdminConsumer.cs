using MassTransit;
using Microsoft.Extensions.Logging;
using RadAI.Contracts.Senders;

namespace RadAI.DicomIngest.Senders;

/// <summary>
/// Answers the api's sender requests (list, upsert, disable). Changes go straight to <c>ingest_senders</c>, which every
/// association reads: they take effect with the next association, on every replica, without restart.
/// </summary>
public sealed partial class SenderAdminConsumer(SenderRepository senders, ILogger<SenderAdminConsumer> logger) :
    IConsumer<ListSenders>,
    IConsumer<UpsertSender>,
    IConsumer<DisableSender>
{
    public async Task Consume(ConsumeContext<ListSenders> context)
    {
        var all = await senders.ListAsync(context.CancellationToken).ConfigureAwait(false);
        await context.RespondAsync(new SenderList([.. all.Select(ToInfo)])).ConfigureAwait(false);
    }

    public async Task Consume(ConsumeContext<UpsertSender> context)
    {
        var request = context.Message;
        var options = new SenderOptions
        {
            AeTitle = request.AeTitle ?? "",
            Host = string.IsNullOrWhiteSpace(request.Host) ? null : request.Host.Trim(),
            Allowed = request.Allowed,
            RoutingProfile = string.IsNullOrWhiteSpace(request.RoutingProfile) ? null : request.RoutingProfile.Trim(),
            StableTimeout = request.StableTimeout,
        };
        if (Validate(options) is { } invalid)
        {
            await context.RespondAsync(new SenderRejected(options.AeTitle, SenderRejected.Invalid, invalid)).ConfigureAwait(false);
            return;
        }

        var (before, after, readOnly) = await senders.UpsertFromApiAsync(
            new Sender
            {
                AeTitle = options.AeTitle,
                Host = options.Host,
                Allowed = options.Allowed,
                RoutingProfile = options.RoutingProfile,
                StableTimeoutMs = SenderRepository.Milliseconds(options.StableTimeout),
                Enabled = request.Enabled,
            },
            context.CancellationToken).ConfigureAwait(false);
        if (readOnly || after is null)
        {
            await context.RespondAsync(ReadOnly(options.AeTitle)).ConfigureAwait(false);
            return;
        }

        LogChanged(after.AeTitle, before is null ? "created" : "updated", after.Allowed, after.Enabled, request.RequestedBy ?? "unknown");
        await context.RespondAsync(new SenderChanged(before is null ? null : ToInfo(before), ToInfo(after))).ConfigureAwait(false);
    }

    public async Task Consume(ConsumeContext<DisableSender> context)
    {
        var aeTitle = context.Message.AeTitle;
        var (before, after, readOnly) = await senders.DisableFromApiAsync(aeTitle, context.CancellationToken).ConfigureAwait(false);
        if (before is null)
        {
            await context.RespondAsync(new SenderRejected(aeTitle, SenderRejected.NotFound, $"No sender {aeTitle}.")).ConfigureAwait(false);
        }
        else if (readOnly || after is null)
        {
            await context.RespondAsync(ReadOnly(aeTitle)).ConfigureAwait(false);
        }
        else
        {
            LogChanged(aeTitle, "disabled", after.Allowed, false, context.Message.RequestedBy ?? "unknown");
            await context.RespondAsync(new SenderChanged(ToInfo(before), ToInfo(after))).ConfigureAwait(false);
        }
    }

    /// <summary>The contract's view of a row.</summary>
    public static SenderInfo ToInfo(Sender s) => new(s.AeTitle, s.Host, s.Allowed, s.RoutingProfile, s.StableTimeout, s.Source, s.Enabled, s.UpdatedAt);

    /// <summary>The same rules as a configured sender (attributes and <see cref="SenderOptions.Problems"/>); null when valid.</summary>
    private static string? Validate(SenderOptions options)
    {
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new System.ComponentModel.DataAnnotations.ValidationContext(options), results, validateAllProperties: true);
        var problems = results.Select(r => r.ErrorMessage ?? "").Concat(options.Problems()).ToList();
        return problems.Count == 0 ? null : string.Join(" ", problems);
    }

    private static SenderRejected ReadOnly(string aeTitle) =>
        new(aeTitle, SenderRejected.ReadOnly, $"Sender {aeTitle} comes from dicom-ingest's configuration (DicomIngest:Senders); change it there.");

    [LoggerMessage(EventId = 4402, Level = LogLevel.Information, Message = "Sender {AeTitle} {Change} through the api (allowed {Allowed}, enabled {Enabled}) by {RequestedBy}")]
    private partial void LogChanged(string aeTitle, string change, bool allowed, bool enabled, string requestedBy);
}

/// <summary>Endpoint settings of the sender requests, beside their consumer.</summary>
public sealed class SenderAdminConsumerDefinition : ConsumerDefinition<SenderAdminConsumer>
{
    public SenderAdminConsumerDefinition()
    {
        EndpointName = "ingest-senders";
    }
}
