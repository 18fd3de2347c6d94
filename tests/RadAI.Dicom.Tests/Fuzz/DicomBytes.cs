using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace RadAI.Dicom.Tests.Fuzz;

/// <summary>
/// Writes DICOM bytes by hand, headers included, so that the fuzz inputs can say anything (lengths that
/// lie, nesting without end) — which the library's writer would never produce.
/// </summary>
internal sealed class DicomBytes(bool explicitVR = true, bool bigEndian = false)
{
    public const string ExplicitLittle = "1.2.840.10008.1.2.1";
    public const string ImplicitLittle = "1.2.840.10008.1.2";
    public const string ExplicitBig = "1.2.840.10008.1.2.2";
    public const string Deflated = "1.2.840.10008.1.2.1.99";

    private readonly ArrayBufferWriter<byte> _bytes = new();

    public long Length => _bytes.WrittenCount;

    /// <summary>A preamble, "DICM" and a meta group holding only the Transfer Syntax UID.</summary>
    public static DicomBytes Part10(string transferSyntax)
    {
        var syntax = transferSyntax == ImplicitLittle ? new DicomBytes(false, false)
            : transferSyntax == ExplicitBig ? new DicomBytes(true, true)
            : new DicomBytes(true, false);
        syntax._bytes.Write(new byte[128].AsSpan());
        syntax._bytes.Write("DICM"u8);
        var uid = Encoding.ASCII.GetBytes(transferSyntax.Length % 2 == 0 ? transferSyntax : transferSyntax + "\0");
        var meta = new DicomBytes();
        meta.Element(0x0002, 0x0010, "UI", uid);
        syntax._bytes.Write(meta.ToArray().AsSpan());
        return syntax;
    }

    /// <summary>An element header with any length, which need not match the value that follows.</summary>
    public DicomBytes Header(ushort group, ushort element, string vr, uint length)
    {
        Tag(group, element);
        if (!explicitVR)
        {
            UInt32(length);
            return this;
        }

        _bytes.Write(Encoding.ASCII.GetBytes(vr).AsSpan());
        if (vr is "OB" or "OD" or "OF" or "OL" or "OV" or "OW" or "SQ" or "SV" or "UC" or "UN" or "UR" or "UT" or "UV")
        {
            _bytes.Write(stackalloc byte[2]);
            UInt32(length);
        }
        else
        {
            UInt16((ushort)length);
        }

        return this;
    }

    /// <summary>A whole element whose length says the truth.</summary>
    public DicomBytes Element(ushort group, ushort element, string vr, ReadOnlySpan<byte> value)
    {
        Header(group, element, vr, (uint)value.Length);
        _bytes.Write(value);
        return this;
    }

    public DicomBytes Element(ushort group, ushort element, string vr, string value) =>
        Element(group, element, vr, Encoding.Latin1.GetBytes(value.Length % 2 == 0 ? value : value + " "));

    public DicomBytes Item(uint length)
    {
        Tag(0xFFFE, 0xE000);
        UInt32(length);
        return this;
    }

    public DicomBytes ItemDelimiter()
    {
        Tag(0xFFFE, 0xE00D);
        UInt32(0);
        return this;
    }

    public DicomBytes SequenceDelimiter()
    {
        Tag(0xFFFE, 0xE0DD);
        UInt32(0);
        return this;
    }

    public DicomBytes Raw(ReadOnlySpan<byte> bytes)
    {
        _bytes.Write(bytes);
        return this;
    }

    public byte[] ToArray() => _bytes.WrittenSpan.ToArray();

    private void Tag(ushort group, ushort element)
    {
        UInt16(group);
        UInt16(element);
    }

    private void UInt16(ushort value)
    {
        Span<byte> span = stackalloc byte[2];
        if (bigEndian)
        {
            BinaryPrimitives.WriteUInt16BigEndian(span, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(span, value);
        }

        _bytes.Write(span);
    }

    private void UInt32(uint value)
    {
        Span<byte> span = stackalloc byte[4];
        if (bigEndian)
        {
            BinaryPrimitives.WriteUInt32BigEndian(span, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(span, value);
        }

        _bytes.Write(span);
    }
}
