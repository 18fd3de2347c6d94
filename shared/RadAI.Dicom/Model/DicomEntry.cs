using System.Buffers;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace RadAI.Dicom;

/// <summary>How an element was found in its stream; the writer keeps the same form by default.</summary>
[Flags]
internal enum DicomEntryFlags : byte
{
    None = 0,

    /// <summary>The sequence (or item) was written with undefined length and delimiters.</summary>
    UndefinedLength = 1,

    /// <summary>The value had an odd length in the source (a vendor defect; padded when written).</summary>
    OddLength = 2,

    /// <summary>The source said UN and the dictionary's VR was used instead.</summary>
    ReadAsUN = 4,
}

/// <summary>
/// One element as a dataset stores it: a struct in the dataset's array, whose value is a slice of
/// the dataset tree's arena or of the caller's memory (little endian) or, for sequences, fragments
/// and large values, a payload.
/// </summary>
/// <remarks>
/// An element has a value or a payload, never both, so both share one reference: the array (or
/// memory manager) under the value, or the payload object. That makes an entry 24 bytes instead of
/// 32 (a <see cref="ReadOnlyMemory{T}"/> and a separate payload): a dataset's storage is its entries.
/// </remarks>
internal struct DicomEntry
{
    public DicomTag Tag;
    public DicomVR VR;
    public DicomEntryFlags Flags;

    // byte[] or MemoryManager<byte> under the value (with _offset and _length), a payload, or null.
    private object? _storage;
    private int _offset;
    private int _length;

    /// <summary>The encoded value, little endian; empty for sequences, fragments and bulk values.</summary>
    public ReadOnlyMemory<byte> Value
    {
        readonly get => _storage switch
        {
            byte[] array => new ReadOnlyMemory<byte>(array, _offset, _length),
            MemoryManager<byte> manager => manager.Memory.Slice(_offset, _length),
            _ => ReadOnlyMemory<byte>.Empty,
        };
        set
        {
            Debug.Assert(_storage is null or byte[] or MemoryManager<byte>, "An element with a payload has no value.");
            if (value.IsEmpty)
            {
                (_storage, _offset, _length) = (null, 0, 0);
            }
            else if (MemoryMarshal.TryGetArray(value, out var segment))
            {
                (_storage, _offset, _length) = (segment.Array, segment.Offset, segment.Count);
            }
            else if (MemoryMarshal.TryGetMemoryManager<byte, MemoryManager<byte>>(value, out var manager, out var start, out var length))
            {
                (_storage, _offset, _length) = (manager, start, length);
            }
            else
            {
                // Unreachable: a ReadOnlyMemory<byte> is over an array or a memory manager.
                (_storage, _offset, _length) = (value.ToArray(), 0, value.Length);
            }
        }
    }

    /// <summary><see cref="DicomSequence"/>, <see cref="DicomFragments"/>, <see cref="DicomBulkValue"/> or null.</summary>
    public object? Payload
    {
        readonly get => _storage is byte[] or MemoryManager<byte> ? null : _storage;
        set
        {
            Debug.Assert(_storage is null || Payload is not null, "An element with a value has no payload.");
            (_storage, _offset, _length) = (value, 0, 0);
        }
    }
}
