namespace RadAI.Dicom.Network;

/// <summary>PDU types of PS3.8 9.3.</summary>
public enum PduType : byte
{
    AssociateRequest = 0x01,
    AssociateAccept = 0x02,
    AssociateReject = 0x03,
    DataTransfer = 0x04,
    ReleaseRequest = 0x05,
    ReleaseResponse = 0x06,
    Abort = 0x07,
}

/// <summary>A presentation context as proposed by the requestor.</summary>
/// <param name="Id">Odd number 1–255.</param>
/// <param name="AbstractSyntax">SOP class UID.</param>
/// <param name="TransferSyntaxes">Transfer syntaxes proposed, in preference order.</param>
public sealed record PresentationContextProposal(byte Id, string AbstractSyntax, IReadOnlyList<string> TransferSyntaxes);

/// <summary>Result of one presentation context (PS3.8 table 9-18).</summary>
public enum PresentationContextResult : byte
{
    Acceptance = 0,
    UserRejection = 1,
    NoReason = 2,
    AbstractSyntaxNotSupported = 3,
    TransferSyntaxesNotSupported = 4,
}

/// <summary>A presentation context as answered by the acceptor.</summary>
/// <param name="Id">The proposal's id.</param>
/// <param name="Result">Accepted, or why not.</param>
/// <param name="TransferSyntax">The one transfer syntax chosen (when accepted).</param>
public sealed record PresentationContextAnswer(byte Id, PresentationContextResult Result, string TransferSyntax);

/// <summary>SCP/SCU Role Selection sub-item (PS3.7 D.3.3.4).</summary>
public sealed record RoleSelection(string SopClassUid, bool ScuRole, bool ScpRole);

/// <summary>SOP Class Extended Negotiation sub-item (PS3.7 D.3.3.5): passed through as bytes.</summary>
public sealed record ExtendedNegotiation(string SopClassUid, byte[] ApplicationInformation);

/// <summary>User Identity types (PS3.7 D.3.3.7).</summary>
public enum UserIdentityType : byte
{
    Username = 1,
    UsernameAndPasscode = 2,
    Kerberos = 3,
    Saml = 4,
    Jwt = 5,
}

/// <summary>User Identity Negotiation request sub-item.</summary>
public sealed record UserIdentity(UserIdentityType Type, bool PositiveResponseRequested, byte[] PrimaryField, byte[] SecondaryField)
{
    public static UserIdentity UsernamePassword(string user, string password, bool positiveResponseRequested = true) =>
        new(UserIdentityType.UsernameAndPasscode, positiveResponseRequested, System.Text.Encoding.UTF8.GetBytes(user), System.Text.Encoding.UTF8.GetBytes(password));

    public static UserIdentity Token(string jwt, bool positiveResponseRequested = true) =>
        new(UserIdentityType.Jwt, positiveResponseRequested, System.Text.Encoding.UTF8.GetBytes(jwt), []);

    public string PrimaryText => System.Text.Encoding.UTF8.GetString(PrimaryField);

    public string SecondaryText => System.Text.Encoding.UTF8.GetString(SecondaryField);

    public override string ToString() => $"{Type} '{(Type == UserIdentityType.Username || Type == UserIdentityType.UsernameAndPasscode ? PrimaryText : "***")}'";
}

/// <summary>User Information item of an A-ASSOCIATE-RQ or -AC.</summary>
public sealed record UserInformation
{
    /// <summary>Largest P-DATA-TF PDU the sender accepts (0: unlimited).</summary>
    public uint MaxPduLength { get; init; } = 16384;

    public string ImplementationClassUid { get; init; } = DicomUidGenerator.ImplementationClassUid;

    public string? ImplementationVersionName { get; init; } = DicomUidGenerator.ImplementationVersionName;

    /// <summary>Asynchronous Operations Window (invoked, performed); null when not negotiated (synchronous).</summary>
    public (ushort Invoked, ushort Performed)? AsyncOperations { get; init; }

    public IReadOnlyList<RoleSelection> RoleSelections { get; init; } = [];

    public IReadOnlyList<ExtendedNegotiation> ExtendedNegotiations { get; init; } = [];

    /// <summary>In a request: the identity; null when none.</summary>
    public UserIdentity? UserIdentity { get; init; }

    /// <summary>In an accept: the server response to a user identity request that asked for one.</summary>
    public byte[]? UserIdentityServerResponse { get; init; }
}

/// <summary>A-ASSOCIATE-RQ.</summary>
public sealed record AssociateRequest(
    string CalledAeTitle,
    string CallingAeTitle,
    IReadOnlyList<PresentationContextProposal> PresentationContexts,
    UserInformation UserInformation)
{
    /// <summary>The DICOM application context (PS3.7 A.2.1).</summary>
    public const string DicomApplicationContext = "1.2.840.10008.3.1.1.1";

    public string ApplicationContext { get; init; } = DicomApplicationContext;

    public ushort ProtocolVersion { get; init; } = 1;
}

/// <summary>A-ASSOCIATE-AC.</summary>
public sealed record AssociateAccept(
    string CalledAeTitle,
    string CallingAeTitle,
    IReadOnlyList<PresentationContextAnswer> PresentationContexts,
    UserInformation UserInformation)
{
    public string ApplicationContext { get; init; } = AssociateRequest.DicomApplicationContext;

    public ushort ProtocolVersion { get; init; } = 1;
}

/// <summary>Result of an A-ASSOCIATE-RJ (PS3.8 table 9-21).</summary>
public enum RejectResult : byte
{
    Permanent = 1,
    Transient = 2,
}

/// <summary>Source of an A-ASSOCIATE-RJ.</summary>
public enum RejectSource : byte
{
    ServiceUser = 1,
    ServiceProviderAcse = 2,
    ServiceProviderPresentation = 3,
}

/// <summary>A-ASSOCIATE-RJ with its result, source and reason (reason meanings depend on the source).</summary>
public sealed record AssociateReject(RejectResult Result, RejectSource Source, byte Reason)
{
    /// <summary>Service user: no reason given.</summary>
    public static AssociateReject NoReasonGiven { get; } = new(RejectResult.Permanent, RejectSource.ServiceUser, 1);

    /// <summary>Service user: application context name not supported.</summary>
    public static AssociateReject ApplicationContextNotSupported { get; } = new(RejectResult.Permanent, RejectSource.ServiceUser, 2);

    /// <summary>Service user: calling AE title not recognized.</summary>
    public static AssociateReject CallingAeNotRecognized { get; } = new(RejectResult.Permanent, RejectSource.ServiceUser, 3);

    /// <summary>Service user: called AE title not recognized.</summary>
    public static AssociateReject CalledAeNotRecognized { get; } = new(RejectResult.Permanent, RejectSource.ServiceUser, 7);

    /// <summary>ACSE: protocol version not supported.</summary>
    public static AssociateReject ProtocolVersionNotSupported { get; } = new(RejectResult.Permanent, RejectSource.ServiceProviderAcse, 2);

    /// <summary>Presentation: temporary congestion.</summary>
    public static AssociateReject TemporaryCongestion { get; } = new(RejectResult.Transient, RejectSource.ServiceProviderPresentation, 1);

    /// <summary>Presentation: local limit exceeded (too many associations).</summary>
    public static AssociateReject LocalLimitExceeded { get; } = new(RejectResult.Transient, RejectSource.ServiceProviderPresentation, 2);

    public override string ToString()
    {
        var reason = (Source, Reason) switch
        {
            (RejectSource.ServiceUser, 1) => "no reason given",
            (RejectSource.ServiceUser, 2) => "application context name not supported",
            (RejectSource.ServiceUser, 3) => "calling AE title not recognized",
            (RejectSource.ServiceUser, 7) => "called AE title not recognized",
            (RejectSource.ServiceProviderAcse, 1) => "no reason given",
            (RejectSource.ServiceProviderAcse, 2) => "protocol version not supported",
            (RejectSource.ServiceProviderPresentation, 1) => "temporary congestion",
            (RejectSource.ServiceProviderPresentation, 2) => "local limit exceeded",
            _ => $"reason {Reason}",
        };
        return $"{Result.ToString().ToLowerInvariant()}, {Source}, {reason}";
    }
}

/// <summary>Source of an A-ABORT (PS3.8 table 9-26).</summary>
public enum AbortSource : byte
{
    ServiceUser = 0,
    ServiceProvider = 2,
}

/// <summary>Reasons of a service-provider A-ABORT.</summary>
public static class AbortReason
{
    public const byte NotSpecified = 0;
    public const byte UnrecognizedPdu = 1;
    public const byte UnexpectedPdu = 2;
    public const byte UnrecognizedPduParameter = 4;
    public const byte UnexpectedPduParameter = 5;
    public const byte InvalidPduParameterValue = 6;
}
