using System.Buffers.Binary;
using System.Text;

namespace RadAI.Dicom.Network;

/// <summary>
/// Follows the element structure of a data set as its bytes stream through (chunk by chunk, constant memory): element
/// headers are read, values skipped, undefined-length sequences, items and encapsulated pixel data followed to their
/// delimiters. At the end it says whether the data set ended exactly on an element boundary, outside every sequence —
/// a data set cut short (inside a value or a header) does not — and gives the top-level SOP Class and SOP Instance UIDs.
/// What <see cref="DicomFileStoreHandler"/> used to learn by reading each stored file back, without the second read.
/// Not for deflated syntaxes (their structure is inside the deflate stream): <see cref="Supports"/>.
/// </summary>
internal sealed class DataSetStructureCheck
{
    private const uint Undefined = 0xFFFFFFFF;
    private const int MaxDepth = 64;
    private const int MaxCapturedUid = 64;
    private const uint SopClassUidTag = 0x00080016;
    private const uint SopInstanceUidTag = 0x00080018;

    private readonly bool _explicitVR;
    private readonly bool _littleEndian;
    private readonly byte[] _header = new byte[12];
    private int _headerUsed;
    private long _skip;

    // Open undefined-length sequences and items: whether their content is implicit VR (UN of undefined length, PS3.5 6.2.2).
    private readonly Stack<(bool IsItem, bool Implicit)> _open = new();
    private byte[]? _capture;
    private int _captureUsed;
    private uint _captureTag;

    public DataSetStructureCheck(DicomTransferSyntax syntax)
    {
        _explicitVR = syntax.IsExplicitVR;
        _littleEndian = syntax.IsLittleEndian;
    }

    public static bool Supports(DicomTransferSyntax syntax) => !syntax.IsDeflated;

    /// <summary>Why the structure is wrong, once it is (then the rest is not looked at).</summary>
    public string? Problem { get; private set; }

    public string? SopClassUid { get; private set; }

    public string? SopInstanceUid { get; private set; }

    public void Append(ReadOnlySpan<byte> chunk)
    {
        while (!chunk.IsEmpty && Problem is null)
        {
            if (_skip > 0)
            {
                var n = (int)Math.Min(_skip, chunk.Length);
                if (_capture is not null)
                {
                    chunk[..n].CopyTo(_capture.AsSpan(_captureUsed));
                    _captureUsed += n;
                }

                _skip -= n;
                chunk = chunk[n..];
                if (_skip == 0 && _capture is not null)
                {
                    var value = Encoding.ASCII.GetString(_capture.AsSpan(0, _captureUsed).TrimEnd("\0 "u8));
                    if (_captureTag == SopClassUidTag)
                    {
                        SopClassUid = value;
                    }
                    else
                    {
                        SopInstanceUid = value;
                    }

                    _capture = null;
                }

                continue;
            }

            // An element header: 8 bytes, or 12 for explicit VR with a 4-byte length.
            var needed = HeaderLength();
            var take = Math.Min(needed - _headerUsed, chunk.Length);
            chunk[..take].CopyTo(_header.AsSpan(_headerUsed));
            _headerUsed += take;
            chunk = chunk[take..];
            if (_headerUsed < 8 || _headerUsed < HeaderLength())
            {
                continue;
            }

            _headerUsed = 0;
            OnHeader();
        }
    }

    /// <summary>Null when the data set is whole; otherwise why not.</summary>
    public string? Complete()
    {
        if (Problem is not null)
        {
            return Problem;
        }

        if (_skip > 0 || _headerUsed > 0)
        {
            return _skip > 0 ? $"the data set ends {_skip} bytes before the end of a value" : "the data set ends inside an element header";
        }

        return _open.Count > 0 ? "the data set ends inside a sequence (no delimiter)" : null;
    }

    private bool Implicit => _open.Count > 0 ? _open.Peek().Implicit : !_explicitVR;

    private int HeaderLength()
    {
        if (_headerUsed < 8)
        {
            return 8;
        }

        var group = ReadUInt16(_header);
        if (group == 0xFFFE || Implicit)
        {
            return 8;
        }

        return HasLongLength(_header[4], _header[5]) ? 12 : 8;
    }

    private void OnHeader()
    {
        var group = ReadUInt16(_header);
        var element = ReadUInt16(_header.AsSpan(2));
        var tag = ((uint)group << 16) | element;
        if (group == 0xFFFE)
        {
            var itemLength = ReadUInt32(_header.AsSpan(4));
            switch (element)
            {
                case 0xE000 when _open.Count > 0 && !_open.Peek().IsItem:
                    if (itemLength == Undefined)
                    {
                        Push(isItem: true, Implicit);
                    }
                    else
                    {
                        _skip = itemLength;
                    }

                    return;
                case 0xE00D when _open.Count > 0 && _open.Peek().IsItem:
                    _open.Pop();
                    return;
                case 0xE0DD when _open.Count > 0 && !_open.Peek().IsItem:
                    _open.Pop();
                    return;
                default:
                    Problem = $"item tag (FFFE,{element:X4}) out of place";
                    return;
            }
        }

        if (_open.Count > 0 && _open.Peek().IsItem is false)
        {
            Problem = $"element ({group:X4},{element:X4}) directly in a sequence (outside an item)";
            return;
        }

        uint length;
        bool undefinedIsImplicit;
        if (Implicit)
        {
            length = ReadUInt32(_header.AsSpan(4));
            undefinedIsImplicit = true;
        }
        else
        {
            var (a, b) = (_header[4], _header[5]);
            if (a is < (byte)'A' or > (byte)'Z' || b is < (byte)'A' or > (byte)'Z')
            {
                Problem = $"element ({group:X4},{element:X4}) has no valid VR";
                return;
            }

            length = HasLongLength(a, b) ? ReadUInt32(_header.AsSpan(8)) : ReadUInt16(_header.AsSpan(6));
            if (length == Undefined && !(a == 'S' && b == 'Q' || a == 'U' && b == 'N' || a == 'O' && b is (byte)'B' or (byte)'W'))
            {
                Problem = $"element ({group:X4},{element:X4}) {(char)a}{(char)b} of undefined length";
                return;
            }

            undefinedIsImplicit = a == 'U' && b == 'N';
        }

        if (length == Undefined)
        {
            Push(isItem: false, undefinedIsImplicit);
            return;
        }

        _skip = length;
        if (_open.Count == 0 && tag is SopClassUidTag or SopInstanceUidTag && length is > 0 and <= MaxCapturedUid)
        {
            _capture = new byte[length];
            _captureUsed = 0;
            _captureTag = tag;
        }
        else if (_open.Count == 0 && tag is SopClassUidTag or SopInstanceUidTag)
        {
            // Empty, or too long to be a UID: compared as such.
            var value = length == 0 ? "" : "(longer than a UID)";
            if (tag == SopClassUidTag)
            {
                SopClassUid = value;
            }
            else
            {
                SopInstanceUid = value;
            }
        }
    }

    private void Push(bool isItem, bool isImplicit)
    {
        if (_open.Count >= MaxDepth)
        {
            Problem = $"sequences nested deeper than {MaxDepth}";
            return;
        }

        _open.Push((isItem, isImplicit));
    }

    private static bool HasLongLength(byte a, byte b) => (a, b) switch
    {
        ((byte)'O', (byte)'B' or (byte)'D' or (byte)'F' or (byte)'L' or (byte)'V' or (byte)'W') => true,
        ((byte)'S', (byte)'Q' or (byte)'V') => true,
        ((byte)'U', (byte)'C' or (byte)'N' or (byte)'R' or (byte)'T' or (byte)'V') => true,
        _ => false,
    };

    private ushort ReadUInt16(ReadOnlySpan<byte> bytes) => _littleEndian ? BinaryPrimitives.ReadUInt16LittleEndian(bytes) : BinaryPrimitives.ReadUInt16BigEndian(bytes);

    private uint ReadUInt32(ReadOnlySpan<byte> bytes) => _littleEndian ? BinaryPrimitives.ReadUInt32LittleEndian(bytes) : BinaryPrimitives.ReadUInt32BigEndian(bytes);
}
