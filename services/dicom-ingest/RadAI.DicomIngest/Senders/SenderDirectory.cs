using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using RadAI.Dicom.Network;

namespace RadAI.DicomIngest.Senders;

/// <summary>
/// The settings of a calling AE title, read from <c>ingest_senders</c> when an association is negotiated (policy) and
/// at its first C-STORE, then kept for its other C-STOREs until it ends: a change made through the api applies to the next association, on every
/// replica, without restart. The defaults (<c>DicomIngest:DefaultRoutingProfile</c>, <c>StableTimeout</c>,
/// <c>RequireKnownSenders</c>) stay configuration.
/// </summary>
public sealed class SenderDirectory(SenderRepository senders, IOptionsMonitor<DicomIngestOptions> options)
{
    private readonly ConcurrentDictionary<Guid, SenderOptions> _associations = new();

    /// <summary>The stored settings of a calling AE title (allowed only when allowed and enabled); null for an unknown sender.</summary>
    public async Task<SenderOptions?> FindAsync(string callingAeTitle, CancellationToken cancellationToken)
    {
        var sender = await senders.FindAsync(callingAeTitle, cancellationToken).ConfigureAwait(false);
        return sender is null
            ? null
            : new SenderOptions
            {
                AeTitle = sender.AeTitle,
                Host = sender.Host,
                Allowed = sender.MaySend,
                RoutingProfile = sender.RoutingProfile,
                StableTimeout = sender.StableTimeout,
            };
    }

    /// <summary>
    /// The settings that apply to an association's instances: the sender's (read at its first C-STORE, kept until
    /// <see cref="Forget"/>), else the defaults of an unknown sender (allowed unless <c>RequireKnownSenders</c>).
    /// </summary>
    public async ValueTask<SenderOptions> ForAssociationAsync(DicomAssociationPeer peer, CancellationToken cancellationToken)
    {
        if (_associations.TryGetValue(peer.AssociationId, out var known))
        {
            return known;
        }

        var settings = await FindAsync(peer.CallingAeTitle, cancellationToken).ConfigureAwait(false)
            ?? new SenderOptions { AeTitle = peer.CallingAeTitle, Allowed = !options.CurrentValue.RequireKnownSenders };
        return _associations.GetOrAdd(peer.AssociationId, settings);
    }

    /// <summary>Forgets an association that ended.</summary>
    public void Forget(Guid associationId) => _associations.TryRemove(associationId, out _);
}
