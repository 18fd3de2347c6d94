using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace RadAI.Dicom.Network;

/// <summary>A PDU the peer sent that breaks PS3.8: answered with an A-ABORT of the given reason.</summary>
public sealed class DicomProtocolException(string message, byte abortReason = AbortReason.InvalidPduParameterValue) : DicomNetworkException(message)
{
    public byte AbortReason { get; } = abortReason;
}

/// <summary>Encoding and decoding of the association PDUs (PS3.8 9.3), big endian as the standard says.</summary>
public static class PduCodec
{
    private const byte ApplicationContextItem = 0x10;
    private const byte PresentationContextRequestItem = 0x20;
    private const byte PresentationContextAcceptItem = 0x21;
    private const byte AbstractSyntaxItem = 0x30;
    private const byte TransferSyntaxItem = 0x40;
    private const byte UserInformationItem = 0x50;
    private const byte MaxLengthItem = 0x51;
    private const byte ImplementationClassItem = 0x52;
    private const byte AsyncOperationsItem = 0x53;
    private const byte RoleSelectionItem = 0x54;
    private const byte ImplementationVersionItem = 0x55;
    private const byte ExtendedNegotiationItem = 0x56;
    private const byte UserIdentityRequestItem = 0x58;
    private const byte UserIdentityAcceptItem = 0x59;

    // ---------------------------------------------------------------- encoding

    public static byte[] EncodeAssociateRequest(AssociateRequest request)
    {
        var body = new ByteWriter();
        WriteAssociateHeader(body, request.ProtocolVersion, request.CalledAeTitle, request.CallingAeTitle);
        WriteUidItem(body, ApplicationContextItem, request.ApplicationContext);
        foreach (var context in request.PresentationContexts)
        {
            var item = new ByteWriter();
            item.Byte(context.Id).Byte(0).Byte(0).Byte(0);
            WriteUidItem(item, AbstractSyntaxItem, context.AbstractSyntax);
            foreach (var syntax in context.TransferSyntaxes)
            {
                WriteUidItem(item, TransferSyntaxItem, syntax);
            }

            body.Item16(PresentationContextRequestItem, item.ToArray());
        }

        body.Item16(UserInformationItem, EncodeUserInformation(request.UserInformation, isRequest: true));
        return Pdu(PduType.AssociateRequest, body.ToArray());
    }

    public static byte[] EncodeAssociateAccept(AssociateAccept accept)
    {
        var body = new ByteWriter();
        // PS3.8 9.3.3.2: the AE title fields of the AC repeat the RQ's and are not tested: a hostile or sloppy
        // requestor's values (blank, control characters) are echoed, never refused by an exception.
        body.UInt16(accept.ProtocolVersion).UInt16(0);
        body.Bytes(EchoedAeTitleBytes(accept.CalledAeTitle)).Bytes(EchoedAeTitleBytes(accept.CallingAeTitle));
        body.Bytes(new byte[32]);
        WriteUidItem(body, ApplicationContextItem, accept.ApplicationContext);
        foreach (var context in accept.PresentationContexts)
        {
            var item = new ByteWriter();
            item.Byte(context.Id).Byte(0).Byte((byte)context.Result).Byte(0);
            // The transfer syntax sub-item is always present; its value is significant only when accepted.
            WriteUidItem(item, TransferSyntaxItem, context.Result == PresentationContextResult.Acceptance ? context.TransferSyntax : DicomUids.ImplicitVRLittleEndian);
            body.Item16(PresentationContextAcceptItem, item.ToArray());
        }

        body.Item16(UserInformationItem, EncodeUserInformation(accept.UserInformation, isRequest: false));
        return Pdu(PduType.AssociateAccept, body.ToArray());
    }

    public static byte[] EncodeAssociateReject(AssociateReject reject) =>
        Pdu(PduType.AssociateReject, [0, (byte)reject.Result, (byte)reject.Source, reject.Reason]);

    public static byte[] EncodeReleaseRequest() => Pdu(PduType.ReleaseRequest, [0, 0, 0, 0]);

    public static byte[] EncodeReleaseResponse() => Pdu(PduType.ReleaseResponse, [0, 0, 0, 0]);

    public static byte[] EncodeAbort(AbortSource source, byte reason) => Pdu(PduType.Abort, [0, 0, (byte)source, source == AbortSource.ServiceUser ? (byte)0 : reason]);

    private static byte[] EncodeUserInformation(UserInformation info, bool isRequest)
    {
        var w = new ByteWriter();
        var maxLength = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(maxLength, info.MaxPduLength);
        w.Item16(MaxLengthItem, maxLength);
        w.Item16(ImplementationClassItem, Encoding.ASCII.GetBytes(info.ImplementationClassUid));
        if (info.AsyncOperations is { } window)
        {
            var value = new byte[4];
            BinaryPrimitives.WriteUInt16BigEndian(value, window.Invoked);
            BinaryPrimitives.WriteUInt16BigEndian(value.AsSpan(2), window.Performed);
            w.Item16(AsyncOperationsItem, value);
        }

        foreach (var role in info.RoleSelections)
        {
            var item = new ByteWriter();
            var uid = Encoding.ASCII.GetBytes(role.SopClassUid);
            item.UInt16((ushort)uid.Length).Bytes(uid).Byte(role.ScuRole ? (byte)1 : (byte)0).Byte(role.ScpRole ? (byte)1 : (byte)0);
            w.Item16(RoleSelectionItem, item.ToArray());
        }

        if (info.ImplementationVersionName is { Length: > 0 } version)
        {
            w.Item16(ImplementationVersionItem, Encoding.ASCII.GetBytes(version));
        }

        foreach (var extended in info.ExtendedNegotiations)
        {
            var item = new ByteWriter();
            var uid = Encoding.ASCII.GetBytes(extended.SopClassUid);
            item.UInt16((ushort)uid.Length).Bytes(uid).Bytes(extended.ApplicationInformation);
            w.Item16(ExtendedNegotiationItem, item.ToArray());
        }

        if (isRequest && info.UserIdentity is { } identity)
        {
            var item = new ByteWriter();
            item.Byte((byte)identity.Type).Byte(identity.PositiveResponseRequested ? (byte)1 : (byte)0)
                .UInt16((ushort)identity.PrimaryField.Length).Bytes(identity.PrimaryField)
                .UInt16((ushort)identity.SecondaryField.Length).Bytes(identity.SecondaryField);
            w.Item16(UserIdentityRequestItem, item.ToArray());
        }

        if (!isRequest && info.UserIdentityServerResponse is { } response)
        {
            var item = new ByteWriter();
            item.UInt16((ushort)response.Length).Bytes(response);
            w.Item16(UserIdentityAcceptItem, item.ToArray());
        }

        return w.ToArray();
    }

    private static void WriteAssociateHeader(ByteWriter body, ushort protocolVersion, string called, string calling)
    {
        body.UInt16(protocolVersion).UInt16(0);
        body.Bytes(AeTitleBytes(called)).Bytes(AeTitleBytes(calling));
        body.Bytes(new byte[32]);
    }

    private static byte[] AeTitleBytes(string aeTitle)
    {
        if (aeTitle.Length is 0 or > 16 || aeTitle.Any(c => c < 0x20 || c > 0x7E || c == '\\'))
        {
            throw new ArgumentException($"'{aeTitle}' is not a valid AE title (1–16 printable ASCII characters, no backslash).", nameof(aeTitle));
        }

        return Encoding.ASCII.GetBytes(aeTitle.PadRight(16));
    }

    /// <summary>An AE title field as received, whatever it holds: 16 bytes, space padded, truncated if longer.</summary>
    private static byte[] EchoedAeTitleBytes(string aeTitle)
    {
        var bytes = new byte[16];
        bytes.AsSpan().Fill((byte)' ');
        for (var i = 0; i < Math.Min(16, aeTitle.Length); i++)
        {
            bytes[i] = aeTitle[i] < 0x80 ? (byte)aeTitle[i] : (byte)'?';
        }

        return bytes;
    }

    private static void WriteUidItem(ByteWriter writer, byte type, string uid) => writer.Item16(type, Encoding.ASCII.GetBytes(uid));

    private static byte[] Pdu(PduType type, byte[] body)
    {
        var pdu = new byte[6 + body.Length];
        pdu[0] = (byte)type;
        BinaryPrimitives.WriteUInt32BigEndian(pdu.AsSpan(2), (uint)body.Length);
        body.CopyTo(pdu, 6);
        return pdu;
    }

    // ---------------------------------------------------------------- decoding (body = bytes after the 6-byte header)

    public static AssociateRequest DecodeAssociateRequest(ReadOnlySpan<byte> body)
    {
        var (version, called, calling) = ReadAssociateHeader(body);
        string? applicationContext = null;
        var contexts = new List<PresentationContextProposal>();
        UserInformation? user = null;
        foreach (var (type, value) in Items16(body[68..], "A-ASSOCIATE-RQ"))
        {
            switch (type)
            {
                case ApplicationContextItem:
                    applicationContext = Uid(value);
                    break;
                case PresentationContextRequestItem:
                    contexts.Add(DecodeProposal(value));
                    break;
                case UserInformationItem:
                    user = DecodeUserInformation(value);
                    break;
                default:
                    // PS3.8 9.3.2: unknown items are ignored.
                    break;
            }
        }

        if (applicationContext is null)
        {
            throw new DicomProtocolException("A-ASSOCIATE-RQ without Application Context item.", AbortReason.InvalidPduParameterValue);
        }

        return new AssociateRequest(called, calling, contexts, user ?? new UserInformation { MaxPduLength = 0 })
        {
            ApplicationContext = applicationContext,
            ProtocolVersion = version,
        };
    }

    public static AssociateAccept DecodeAssociateAccept(ReadOnlySpan<byte> body)
    {
        var (version, called, calling) = ReadAssociateHeader(body);
        string? applicationContext = null;
        var contexts = new List<PresentationContextAnswer>();
        UserInformation? user = null;
        foreach (var (type, value) in Items16(body[68..], "A-ASSOCIATE-AC"))
        {
            switch (type)
            {
                case ApplicationContextItem:
                    applicationContext = Uid(value);
                    break;
                case PresentationContextAcceptItem:
                    contexts.Add(DecodeAnswer(value));
                    break;
                case UserInformationItem:
                    user = DecodeUserInformation(value);
                    break;
            }
        }

        return new AssociateAccept(called, calling, contexts, user ?? new UserInformation { MaxPduLength = 0 })
        {
            ApplicationContext = applicationContext ?? AssociateRequest.DicomApplicationContext,
            ProtocolVersion = version,
        };
    }

    public static AssociateReject DecodeAssociateReject(ReadOnlySpan<byte> body) =>
        body.Length < 4
            ? throw new DicomProtocolException("A-ASSOCIATE-RJ shorter than 4 bytes.")
            : new AssociateReject((RejectResult)body[1], (RejectSource)body[2], body[3]);

    public static (AbortSource Source, byte Reason) DecodeAbort(ReadOnlySpan<byte> body) =>
        body.Length < 4 ? (AbortSource.ServiceProvider, AbortReason.NotSpecified) : ((AbortSource)body[2], body[3]);

    private static (ushort Version, string Called, string Calling) ReadAssociateHeader(ReadOnlySpan<byte> body)
    {
        if (body.Length < 68)
        {
            throw new DicomProtocolException($"A-ASSOCIATE PDU of {body.Length} bytes: the fixed fields need 68.", AbortReason.InvalidPduParameterValue);
        }

        return (BinaryPrimitives.ReadUInt16BigEndian(body), AeTitle(body.Slice(4, 16)), AeTitle(body.Slice(20, 16)));
    }

    private static string AeTitle(ReadOnlySpan<byte> bytes) => Encoding.ASCII.GetString(bytes).Trim(' ', '\0');

    private static string Uid(ReadOnlySpan<byte> bytes) => Encoding.ASCII.GetString(bytes).TrimEnd('\0', ' ');

    private static PresentationContextProposal DecodeProposal(ReadOnlySpan<byte> value)
    {
        if (value.Length < 4)
        {
            throw new DicomProtocolException("Presentation context item shorter than 4 bytes.");
        }

        string? abstractSyntax = null;
        var syntaxes = new List<string>();
        foreach (var (type, sub) in Items16(value[4..], "presentation context"))
        {
            if (type == AbstractSyntaxItem)
            {
                abstractSyntax = Uid(sub);
            }
            else if (type == TransferSyntaxItem)
            {
                syntaxes.Add(Uid(sub));
            }
        }

        return new PresentationContextProposal(value[0], abstractSyntax ?? "", syntaxes);
    }

    private static PresentationContextAnswer DecodeAnswer(ReadOnlySpan<byte> value)
    {
        if (value.Length < 4)
        {
            throw new DicomProtocolException("Presentation context item shorter than 4 bytes.");
        }

        var syntax = "";
        foreach (var (type, sub) in Items16(value[4..], "presentation context"))
        {
            if (type == TransferSyntaxItem)
            {
                syntax = Uid(sub);
            }
        }

        return new PresentationContextAnswer(value[0], (PresentationContextResult)value[2], syntax);
    }

    private static UserInformation DecodeUserInformation(ReadOnlySpan<byte> value)
    {
        uint maxLength = 0;
        var implementationClass = "";
        string? implementationVersion = null;
        (ushort, ushort)? window = null;
        var roles = new List<RoleSelection>();
        var extended = new List<ExtendedNegotiation>();
        UserIdentity? identity = null;
        byte[]? identityResponse = null;
        foreach (var (type, subItem) in Items16(value, "user information"))
        {
            ReadOnlySpan<byte> sub = subItem;
            switch (type)
            {
                case MaxLengthItem when sub.Length == 4:
                    maxLength = BinaryPrimitives.ReadUInt32BigEndian(sub);
                    break;
                case ImplementationClassItem:
                    implementationClass = Uid(sub);
                    break;
                case ImplementationVersionItem:
                    implementationVersion = Encoding.ASCII.GetString(sub).TrimEnd('\0', ' ');
                    break;
                case AsyncOperationsItem when sub.Length == 4:
                    window = (BinaryPrimitives.ReadUInt16BigEndian(sub), BinaryPrimitives.ReadUInt16BigEndian(sub[2..]));
                    break;
                case RoleSelectionItem:
                {
                    var uidLength = sub.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(sub) : ushort.MaxValue;
                    if (2 + uidLength + 2 > sub.Length)
                    {
                        throw new DicomProtocolException("Role selection sub-item with a wrong UID length.");
                    }

                    roles.Add(new RoleSelection(Uid(sub.Slice(2, uidLength)), sub[2 + uidLength] == 1, sub[3 + uidLength] == 1));
                    break;
                }

                case ExtendedNegotiationItem:
                {
                    var uidLength = sub.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(sub) : ushort.MaxValue;
                    if (2 + uidLength > sub.Length)
                    {
                        throw new DicomProtocolException("Extended negotiation sub-item with a wrong UID length.");
                    }

                    extended.Add(new ExtendedNegotiation(Uid(sub.Slice(2, uidLength)), sub[(2 + uidLength)..].ToArray()));
                    break;
                }

                case UserIdentityRequestItem:
                {
                    if (sub.Length < 6)
                    {
                        throw new DicomProtocolException("User identity sub-item shorter than 6 bytes.");
                    }

                    var primaryLength = BinaryPrimitives.ReadUInt16BigEndian(sub[2..]);
                    if (4 + primaryLength + 2 > sub.Length)
                    {
                        throw new DicomProtocolException("User identity sub-item with a wrong primary field length.");
                    }

                    var secondaryLength = BinaryPrimitives.ReadUInt16BigEndian(sub[(4 + primaryLength)..]);
                    if (6 + primaryLength + secondaryLength > sub.Length)
                    {
                        throw new DicomProtocolException("User identity sub-item with a wrong secondary field length.");
                    }

                    identity = new UserIdentity((UserIdentityType)sub[0], sub[1] == 1, sub.Slice(4, primaryLength).ToArray(), sub.Slice(6 + primaryLength, secondaryLength).ToArray());
                    break;
                }

                case UserIdentityAcceptItem:
                {
                    var length = sub.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(sub) : 0;
                    identityResponse = sub.Length >= 2 + length ? sub.Slice(2, length).ToArray() : [];
                    break;
                }
            }
        }

        return new UserInformation
        {
            MaxPduLength = maxLength,
            ImplementationClassUid = implementationClass,
            ImplementationVersionName = implementationVersion,
            AsyncOperations = window,
            RoleSelections = roles,
            ExtendedNegotiations = extended,
            UserIdentity = identity,
            UserIdentityServerResponse = identityResponse,
        };
    }

    /// <summary>Items with a 1-byte type, 1 reserved byte and a 16-bit big endian length.</summary>
    private static List<(byte Type, byte[] Value)> Items16(ReadOnlySpan<byte> data, string where)
    {
        var items = new List<(byte, byte[])>();
        while (data.Length > 0)
        {
            if (data.Length < 4)
            {
                throw new DicomProtocolException($"Truncated item header in {where}.");
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
            if (4 + length > data.Length)
            {
                throw new DicomProtocolException($"Item of type {data[0]:X2} in {where} claims {length} bytes, {data.Length - 4} are left.");
            }

            items.Add((data[0], data.Slice(4, length).ToArray()));
            data = data[(4 + length)..];
        }

        return items;
    }

    /// <summary>A growable big endian byte writer for the (small) association PDUs.</summary>
    private sealed class ByteWriter
    {
        private readonly ArrayBufferWriter<byte> _buffer = new(256);

        public ByteWriter Byte(byte value)
        {
            _buffer.Write([value]);
            return this;
        }

        public ByteWriter UInt16(ushort value)
        {
            Span<byte> b = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16BigEndian(b, value);
            _buffer.Write(b);
            return this;
        }

        public ByteWriter Bytes(ReadOnlySpan<byte> value)
        {
            _buffer.Write(value);
            return this;
        }

        public ByteWriter Item16(byte type, byte[] value)
        {
            if (value.Length > ushort.MaxValue)
            {
                throw new ArgumentException($"Item {type:X2} of {value.Length} bytes is longer than 65535.");
            }

            return Byte(type).Byte(0).UInt16((ushort)value.Length).Bytes(value);
        }

        public byte[] ToArray() => _buffer.WrittenSpan.ToArray();
    }
}
