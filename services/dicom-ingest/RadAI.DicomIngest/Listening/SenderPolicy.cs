using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RadAI.Dicom.Network;
using RadAI.DicomIngest.Senders;

namespace RadAI.DicomIngest.Listening;

/// <summary>
/// Who may associate: the known senders (<c>ingest_senders</c>, read at each association: AE title, optional host),
/// or anyone when the allow-list is off. A known sender that may not send (not allowed, or disabled) still associates
/// (C-ECHO always answers known senders): its C-STOREs are refused by the store handler (<see cref="SenderDirectory.ForAssociationAsync"/>).
/// The user identity a sender presents is checked against <see cref="DicomAccounts"/>.
/// </summary>
public sealed partial class SenderPolicy(SenderDirectory senders, IOptionsMonitor<DicomIngestOptions> options, DicomAccounts accounts, ILogger<SenderPolicy> logger) : DicomServerPolicy
{
    public override ValueTask<byte[]?> ValidateUserIdentityAsync(DicomAssociationPeer peer, UserIdentity identity, CancellationToken cancellationToken)
    {
        if (accounts.Refusal(identity) is { } reason)
        {
            LogIdentityRefused(peer.AssociationId, peer.CallingAeTitle, identity.Type.ToString(), reason);
            return ValueTask.FromResult<byte[]?>(null);
        }

        // Accepted; a positive response, when asked for, carries an empty server response (user name types).
        return ValueTask.FromResult<byte[]?>([]);
    }

    public override ValueTask<bool> AcceptWithoutUserIdentityAsync(DicomAssociationPeer peer, CancellationToken cancellationToken)
    {
        if (accounts.Required)
        {
            LogIdentityMissing(peer.AssociationId, peer.CallingAeTitle);
            return ValueTask.FromResult(false);
        }

        return ValueTask.FromResult(true);
    }

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

    [LoggerMessage(EventId = 4106, Level = LogLevel.Warning, Message = "Association {AssociationId} from {CallingAe} rejected: its user identity ({IdentityType}) was refused: {Reason}")]
    private partial void LogIdentityRefused(Guid associationId, string callingAe, string identityType, string reason);

    [LoggerMessage(EventId = 4107, Level = LogLevel.Warning, Message = "Association {AssociationId} from {CallingAe} rejected: it presented no user identity, and DicomIngest:UserIdentity:Required is on")]
    private partial void LogIdentityMissing(Guid associationId, string callingAe);
}
