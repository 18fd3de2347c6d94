using System.Net;
using Microsoft.Extensions.Options;
using RadAI.Dicom.Network;

namespace RadAI.DicomIngest.Listening;

/// <summary>Who may associate: the configured senders (AE title, optional host), or anyone when the allow-list is off.</summary>
public sealed class SenderPolicy(IOptionsMonitor<DicomIngestOptions> options) : DicomServerPolicy
{
    public override async ValueTask<bool> AcceptCallingAeAsync(DicomAssociationPeer peer, CancellationToken cancellationToken)
    {
        var sender = options.CurrentValue.SenderFor(peer.CallingAeTitle);
        if (!sender.Allowed)
        {
            return false;
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
