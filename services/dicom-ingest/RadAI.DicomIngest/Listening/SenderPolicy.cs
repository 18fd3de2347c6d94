using System.Net;
using Microsoft.Extensions.Options;
using RadAI.Dicom.Network;
using RadAI.DicomIngest.Senders;

namespace RadAI.DicomIngest.Listening;

/// <summary>
/// Who may associate: the known senders (<c>ingest_senders</c>, read at each association: AE title, optional host),
/// or anyone when the allow-list is off. A known sender that may not send (not allowed, or disabled) still associates
/// (C-ECHO always answers known senders): its C-STOREs are refused by the store handler (<see cref="SenderDirectory.ForAssociationAsync"/>).
/// </summary>
public sealed class SenderPolicy(SenderDirectory senders, IOptionsMonitor<DicomIngestOptions> options) : DicomServerPolicy
{
    public override async ValueTask<bool> AcceptCallingAeAsync(DicomAssociationPeer peer, CancellationToken cancellationToken)
    {
        var sender = await senders.FindAsync(peer.CallingAeTitle, cancellationToken).ConfigureAwait(false);
        if (sender is null)
        {
            return !options.CurrentValue.RequireKnownSenders;
        }

        return string.IsNullOrEmpty(sender.Host) || await FromHostAsync(peer, sender.Host, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<bool> FromHostAsync(DicomAssociationPeer peer, string host, CancellationToken cancellationToken)
    {
        var remote = peer.RemoteEndPoint?.Address;
        if (remote is null)
        {
            return false;
        }

        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        return addresses.Any(a => a.MapToIPv6().Equals(remote.MapToIPv6()));
    }
}
