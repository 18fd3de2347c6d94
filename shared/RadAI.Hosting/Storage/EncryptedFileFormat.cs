using System.Buffers.Binary;
using System.Text;

namespace RadAI.Hosting.Storage;

/// <summary>
/// The layout of an encrypted store file. Header: magic <c>RADAIENC</c>, version (1 byte), key id length (1 byte) and
/// key id (ASCII), chunk size (4 bytes, little endian). Then chunks, each: flags (1 byte, bit 0 = final), plaintext length
/// (4 bytes), nonce (12 random bytes), ciphertext, tag (16 bytes). Every chunk is AES-256-GCM sealed with the header,
/// its index and its flags as associated data: a changed header, chunks swapped or dropped, or a file cut after any chunk
/// but the final one fail to decrypt. A file holds at least one chunk (the final one, empty for an empty file).
/// </summary>
public static class EncryptedFileFormat
{
    /// <summary>Marks an encrypted file; a plain DICOM file starts with its 128-byte preamble, a JSON or PDF file with text.</summary>
    public static ReadOnlySpan<byte> Magic => "RADAIENC"u8;

    public const byte Version = 1;
    public const int KeyBytes = 32;
    public const int NonceBytes = 12;
    public const int TagBytes = 16;
    public const int MaxKeyIdBytes = 64;

    /// <summary>Plaintext bytes per chunk: what a reader or writer holds in memory at a time.</summary>
    public const int DefaultChunkBytes = 1024 * 1024;

    /// <summary>Largest chunk a reader accepts (bounds its memory against a forged header).</summary>
    public const int MaxChunkBytes = 16 * 1024 * 1024;

    /// <summary>Flags byte + length + nonce, before each chunk's ciphertext.</summary>
    public const int ChunkPrefixBytes = 1 + 4 + NonceBytes;

    public const byte FinalFlag = 1;

    /// <summary>Fixed part of the header before the key id: magic, version, key id length.</summary>
    public static int FixedHeaderBytes => Magic.Length + 2;

    public static bool IsValidKeyId(string id) =>
        id.Length is > 0 and <= MaxKeyIdBytes && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    /// <summary>The header of a file sealed with <paramref name="keyId"/>.</summary>
    public static byte[] Header(string keyId, int chunkBytes)
    {
        var id = Encoding.ASCII.GetBytes(keyId);
        var header = new byte[FixedHeaderBytes + id.Length + 4];
        Magic.CopyTo(header);
        header[Magic.Length] = Version;
        header[Magic.Length + 1] = (byte)id.Length;
        id.CopyTo(header, FixedHeaderBytes);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(FixedHeaderBytes + id.Length), chunkBytes);
        return header;
    }

    /// <summary>The associated data of chunk <paramref name="index"/>: header, index, flags.</summary>
    public static void AssociatedData(ReadOnlySpan<byte> header, long index, byte flags, Span<byte> destination)
    {
        header.CopyTo(destination);
        BinaryPrimitives.WriteInt64LittleEndian(destination[header.Length..], index);
        destination[header.Length + 8] = flags;
    }

    public static int AssociatedDataBytes(int headerBytes) => headerBytes + 9;
}
