using System.Net;

namespace RadAI.Dicom.Network;

/// <summary>Who the peer of an association is.</summary>
/// <param name="AssociationId">RadAI's id for the association (logs, metrics).</param>
/// <param name="CallingAeTitle">The peer's AE title.</param>
/// <param name="CalledAeTitle">The AE title the peer addressed.</param>
/// <param name="RemoteEndPoint">The peer's address.</param>
/// <param name="UserIdentity">The identity the peer presented, if any.</param>
/// <param name="IsTls">True when the connection is DICOM TLS.</param>
public sealed record DicomAssociationPeer(Guid AssociationId, string CallingAeTitle, string CalledAeTitle, IPEndPoint? RemoteEndPoint, UserIdentity? UserIdentity, bool IsTls);

/// <summary>
/// Decisions an SCP delegates: which callers may associate, what a user identity is worth, what to
/// answer to extended negotiation. The default accepts everyone and answers nothing.
/// </summary>
public class DicomServerPolicy
{
    /// <summary>True when this calling AE (from this address) may associate; false: rejected "calling AE title not recognized".</summary>
    public virtual ValueTask<bool> AcceptCallingAeAsync(DicomAssociationPeer peer, CancellationToken cancellationToken) => ValueTask.FromResult(true);

    /// <summary>
    /// Validates the user identity the peer presented: null rejects the association; otherwise the
    /// server response to send when the peer asked for one (empty when there is nothing to say).
    /// </summary>
    public virtual ValueTask<byte[]?> ValidateUserIdentityAsync(DicomAssociationPeer peer, UserIdentity identity, CancellationToken cancellationToken) =>
        ValueTask.FromResult<byte[]?>([]);

    /// <summary>True when a peer that presented no user identity may associate; false rejects it (no reason given, PS3.7 D.3.3.7).</summary>
    public virtual ValueTask<bool> AcceptWithoutUserIdentityAsync(DicomAssociationPeer peer, CancellationToken cancellationToken) => ValueTask.FromResult(true);

    /// <summary>The answer to a SOP class extended negotiation item, or null to leave it unanswered.</summary>
    public virtual ExtendedNegotiation? AnswerExtendedNegotiation(DicomAssociationPeer peer, ExtendedNegotiation request) => null;
}

/// <summary>A policy from two lists: the AE titles allowed to call (with an optional host each), and users with passwords or tokens.</summary>
public sealed class AllowListServerPolicy(IReadOnlyDictionary<string, string?> allowedCallers, IReadOnlyDictionary<string, string>? users = null, IReadOnlySet<string>? tokens = null)
    : DicomServerPolicy
{
    public override ValueTask<bool> AcceptCallingAeAsync(DicomAssociationPeer peer, CancellationToken cancellationToken)
    {
        if (!allowedCallers.TryGetValue(peer.CallingAeTitle, out var host))
        {
            return ValueTask.FromResult(false);
        }

        if (string.IsNullOrEmpty(host))
        {
            return ValueTask.FromResult(true);
        }

        // The AE is bound to a host: the address must be that host's (name or literal address).
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : Dns.GetHostAddresses(host);
        var remote = peer.RemoteEndPoint?.Address;
        return ValueTask.FromResult(remote is not null && addresses.Any(a => a.Equals(remote) || a.MapToIPv6().Equals(remote.MapToIPv6())));
    }

    public override ValueTask<byte[]?> ValidateUserIdentityAsync(DicomAssociationPeer peer, UserIdentity identity, CancellationToken cancellationToken)
    {
        var valid = identity.Type switch
        {
            UserIdentityType.UsernameAndPasscode => users is not null && users.TryGetValue(identity.PrimaryText, out var password)
                && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(password), identity.SecondaryField),
            UserIdentityType.Username => users?.ContainsKey(identity.PrimaryText) ?? false,
            UserIdentityType.Jwt or UserIdentityType.Saml => tokens?.Contains(identity.PrimaryText) ?? false,
            _ => false,
        };
        return ValueTask.FromResult<byte[]?>(valid ? [] : null);
    }
}
