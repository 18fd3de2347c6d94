using System.Text.RegularExpressions;
using MassTransit;
using Microsoft.Extensions.Logging;
using RadAI.Contracts.Models;
using RadAI.Inference.Packages;

namespace RadAI.Inference.Administration;

/// <summary>
/// Answers the api's model package and routing profile requests. Changes go straight to the database, which routing
/// reads for every study: the replica that answers and every other one use them from their next study, without restart.
/// </summary>
public sealed partial class ModelAdminConsumer(PackageSettings packages, PackageSettingsRepository settings, ILogger<ModelAdminConsumer> logger) :
    IConsumer<ListModelPackages>,
    IConsumer<SetModelPackageEnabled>,
    IConsumer<ListRoutingProfiles>,
    IConsumer<UpsertRoutingProfile>
{
    public async Task Consume(ConsumeContext<ListModelPackages> context)
    {
        await context.RespondAsync(new ModelPackageList(await packages.ListAsync(context.CancellationToken).ConfigureAwait(false))).ConfigureAwait(false);
    }

    public async Task Consume(ConsumeContext<SetModelPackageEnabled> context)
    {
        var request = context.Message;
        var before = await packages.FindAsync(request.Id ?? "", context.CancellationToken).ConfigureAwait(false);
        if (before is null)
        {
            await context.RespondAsync(new ModelAdminRejected(request.Id ?? "", ModelAdminRejected.NotFound, $"No model package {request.Id} is loaded.")).ConfigureAwait(false);
            return;
        }

        var (_, _, readOnly) = await settings.SetEnabledFromApiAsync(before.Id, request.Enabled, context.CancellationToken).ConfigureAwait(false);
        if (readOnly)
        {
            await context.RespondAsync(new ModelAdminRejected(before.Id, ModelAdminRejected.ReadOnly,
                $"Model package {before.Id} is disabled by inference's configuration (Inference:DisabledPackages); change it there.")).ConfigureAwait(false);
            return;
        }

        var after = (await packages.FindAsync(before.Id, context.CancellationToken).ConfigureAwait(false))!;
        LogPackageChanged(after.Id, after.Enabled, request.RequestedBy ?? "unknown");
        await context.RespondAsync(new ModelPackageChanged(before, after)).ConfigureAwait(false);
    }

    public async Task Consume(ConsumeContext<ListRoutingProfiles> context)
    {
        var profiles = await settings.ListProfilesAsync(context.CancellationToken).ConfigureAwait(false);
        await context.RespondAsync(new RoutingProfileList([.. profiles.Select(ToInfo)])).ConfigureAwait(false);
    }

    public async Task Consume(ConsumeContext<UpsertRoutingProfile> context)
    {
        var request = context.Message;
        var name = request.Name ?? "";
        var ids = (request.Packages ?? []).Select(p => p?.Trim() ?? "").ToList();
        string? invalid = null;
        if (!ProfileName().IsMatch(name))
        {
            invalid = $"'{name}' is not a profile name: 1 to 64 letters, digits, dots, dashes or underscores.";
        }
        else if (ids.Where(id => !packages.IsLoaded(id)).ToList() is { Count: > 0 } unknown)
        {
            invalid = $"Unknown model package(s): {string.Join(", ", unknown.Select(u => $"'{u}'"))}.";
        }

        if (invalid is not null)
        {
            await context.RespondAsync(new ModelAdminRejected(name, ModelAdminRejected.Invalid, invalid)).ConfigureAwait(false);
            return;
        }

        var (before, after, readOnly) = await settings.UpsertProfileFromApiAsync(name, [.. ids.Distinct(StringComparer.Ordinal)], context.CancellationToken).ConfigureAwait(false);
        if (readOnly || after is null)
        {
            await context.RespondAsync(new ModelAdminRejected(name, ModelAdminRejected.ReadOnly,
                $"Routing profile {name} comes from inference's configuration (Inference:Profiles); change it there.")).ConfigureAwait(false);
            return;
        }

        LogProfileChanged(name, before is null ? "created" : "updated", after.Packages, request.RequestedBy ?? "unknown");
        await context.RespondAsync(new RoutingProfileChanged(before is null ? null : ToInfo(before), ToInfo(after))).ConfigureAwait(false);
    }

    /// <summary>The contract's view of a profile row.</summary>
    public static RoutingProfileInfo ToInfo(RoutingProfile profile) => new(profile.Name, profile.PackageIds, profile.Source);

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex ProfileName();

    [LoggerMessage(EventId = 6502, Level = LogLevel.Information, Message = "Model package {Id} set enabled {Enabled} through the api by {RequestedBy}")]
    private partial void LogPackageChanged(string id, bool enabled, string requestedBy);

    [LoggerMessage(EventId = 6503, Level = LogLevel.Information, Message = "Routing profile {Name} {Change} through the api (packages: {Packages}) by {RequestedBy}")]
    private partial void LogProfileChanged(string name, string change, string packages, string requestedBy);
}

/// <summary>Endpoint settings of the model administration requests, beside their consumer.</summary>
public sealed class ModelAdminConsumerDefinition : ConsumerDefinition<ModelAdminConsumer>
{
    public ModelAdminConsumerDefinition()
    {
        EndpointName = "inference-models";
    }
}
