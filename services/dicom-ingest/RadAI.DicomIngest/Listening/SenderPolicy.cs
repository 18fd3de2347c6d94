using System.Net;
using Microsoft.Extensions.Options;
using RadAI.Dicom.Network;

namespace RadAI.DicomIngest.Listening;

/// <summary>
/// Who may associate: the configured senders (AE title, optional host), or anyone when the allow-list is
/// off. A listed sender that may not send still associates (C-ECHO always answers known senders): its
/// C-STOREs are refused by the store handler.
/// </summary>
public sealed class SenderPolicy(IOptionsMonitor<DicomIngestOptions> options) : DicomServerPolicy
{
    public override async ValueTask<bool> AcceptCallingAeAsync(DicomAssociationPeer peer, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        var sender = settings.FindSender(peer.CallingAeTitle);
        if (sender is null)
        {
            return !settings.RequireKnownSenders;
        }

        if (string.IsNullOrEmpty(sender.Host))
        {
            return true;
        }

        var remote = peer.RemoteEndPoint?.Address;
        if (remote is null)
        {
            return false;
        }

        var addresses = IPAddress.TryParse(sender.Host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(sender.Host, cancellationToken).ConfigureAwait(false);
        return addresses.Any(a => a.MapToIPv6().Equals(remote.MapToIPv6()));
    }
}
