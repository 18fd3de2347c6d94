using System.Net;

namespace RadAI.Dicom.Network;

/// <summary>How a DICOM SCP listens and negotiates.</summary>
public sealed record DicomServerOptions
{
    /// <summary>Our AE title.</summary>
    public string AeTitle { get; init; } = "RADAI";

    /// <summary>TCP port (0: any free port, see <see cref="DicomServer.LocalEndPoint"/>).</summary>
    public int Port { get; init; } = 11112;

    public IPAddress BindAddress { get; init; } = IPAddress.Any;

    /// <summary>Reject associations whose called AE title is not ours (reason: called AE title not recognized).</summary>
    public bool CheckCalledAeTitle { get; init; } = true;

    /// <summary>Associations served at once; more are rejected (transient, local limit exceeded).</summary>
    public int MaxAssociations { get; init; } = 64;

    /// <summary>Max Length announced: the largest P-DATA-TF PDU we accept.</summary>
    public uint MaxPduLength { get; init; } = 256 * 1024;

    /// <summary>ARTIM: how long a new connection may take to send its A-ASSOCIATE-RQ.</summary>
    public TimeSpan ArtimTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an association may stay silent between PDUs before it is aborted.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Largest number of operations a peer may have outstanding (Asynchronous Operations Window).</summary>
    public ushort MaxAsyncOperations { get; init; } = 1;

    /// <summary>DICOM TLS; null: plain TCP.</summary>
    public DicomServerTlsOptions? Tls { get; init; }

    /// <summary>
    /// Transfer syntaxes accepted, in our order of preference; null: the ones RadAI can decode
    /// (<see cref="DecodableTransferSyntaxes"/>). The first of these that the peer proposes wins.
    /// </summary>
    public IReadOnlyList<string>? TransferSyntaxes { get; init; }

    /// <summary>Abstract syntaxes accepted; null: Verification and every storage SOP class of the registry.</summary>
    public IReadOnlySet<string>? SopClasses { get; init; }

    /// <summary>What RadAI can decode, preferred first: explicit/implicit VR little endian, deflate, big endian, RLE, encapsulated uncompressed.</summary>
    public static IReadOnlyList<string> DecodableTransferSyntaxes { get; } =
    [
        DicomUids.ExplicitVRLittleEndian,
        DicomUids.ImplicitVRLittleEndian,
        DicomUids.DeflatedExplicitVRLittleEndian,
        DicomUids.ExplicitVRBigEndian,
        DicomUids.RLELossless,
        DicomUids.EncapsulatedUncompressedExplicitVRLittleEndian,
    ];

    /// <summary>
    /// Every transfer syntax of the registry that carries pixel data and is not retired (what <c>storescp +xa</c> accepts):
    /// <see cref="DecodableTransferSyntaxes"/> first, then the others by UID (component by component), so that the choice
    /// among several of them proposed in one context does not depend on the order of a dictionary.
    /// </summary>
    public static IReadOnlyList<string> AllTransferSyntaxes { get; } =
        [.. DecodableTransferSyntaxes, .. DicomTransferSyntax.All
            .Where(t => !t.IsRetired && t.HasPixelData && !DecodableTransferSyntaxes.Contains(t.Uid))
            .Select(t => t.Uid)
            .Order(UidOrder.Instance)];

    /// <summary>Verification and every storage SOP class of the UID registry.</summary>
    public static IReadOnlySet<string> VerificationAndStorage { get; } = new HashSet<string>(
        DicomUids.All.Where(u => u.IsSopClass && (u.Keyword.EndsWith("Storage", StringComparison.Ordinal) || u.Uid == DicomUids.Verification)).Select(u => u.Uid),
        StringComparer.Ordinal);

    internal IReadOnlyList<string> EffectiveTransferSyntaxes => TransferSyntaxes ?? DecodableTransferSyntaxes;

    internal IReadOnlySet<string> EffectiveSopClasses => SopClasses ?? VerificationAndStorage;
}

/// <summary>UIDs in numeric order, component by component (1.2.10 after 1.2.9).</summary>
internal sealed class UidOrder : IComparer<string>
{
    public static UidOrder Instance { get; } = new();

    public int Compare(string? x, string? y)
    {
        var left = (x ?? "").Split('.');
        var right = (y ?? "").Split('.');
        for (var i = 0; i < Math.Min(left.Length, right.Length); i++)
        {
            var byNumber = left[i].Length != right[i].Length ? left[i].Length.CompareTo(right[i].Length) : string.CompareOrdinal(left[i], right[i]);
            if (byNumber != 0)
            {
                return byNumber;
            }
        }

        return left.Length.CompareTo(right.Length);
    }
}
