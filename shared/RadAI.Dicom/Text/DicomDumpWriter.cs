using System.Buffers;
using System.Globalization;
using System.Numerics;
using System.Text;
using RadAI.Dicom.IO;

namespace RadAI.Dicom.Text;

/// <summary>
/// A human-readable listing of a file or dataset, laid out like DCMTK's dcmdump. Lines are formatted as
/// UTF-8 into a pooled byte buffer (tags, lengths and numbers formatted in place, string values decoded
/// into a pooled scratch buffer: no object per element) and handed to the output several kilobytes at a
/// time: on an unbuffered output (the console) each write is a system call. To a <see cref="Stream"/> the
/// bytes go as they are; to a <see cref="TextWriter"/> they are decoded back into characters first.
/// </summary>
public static class DicomDumpWriter
{
    private const int ValueColumn = 56;
    private const int MaxValueText = 64;

    /// <summary>The listing of a whole file: meta group, then dataset.</summary>
    public static void WriteFile(TextWriter output, DicomFile file)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(file);
        using var lines = new LineBuffer(output, null);
        WriteFile(lines, file);
    }

    /// <summary>The listing of a whole file as UTF-8 (lines ended by <see cref="Environment.NewLine"/>).</summary>
    public static void WriteFile(Stream output, DicomFile file)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(file);
        using var lines = new LineBuffer(null, output);
        WriteFile(lines, file);
    }

    /// <summary>The listing of a dataset, nested items indented.</summary>
    public static void WriteDataset(TextWriter output, DicomDataset dataset, int depth)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(dataset);
        using var lines = new LineBuffer(output, null);
        WriteDataset(lines, dataset, depth);
    }

    private static void WriteFile(LineBuffer lines, DicomFile file)
    {
        lines.EndLine();
        lines.Append("# Dicom-File-Format"u8);
        lines.EndLine();
        lines.EndLine();
        lines.Append("# Dicom-Meta-Information-Header"u8);
        lines.EndLine();
        lines.Append("# Used TransferSyntax: Little Endian Explicit"u8);
        lines.EndLine();
        WriteDataset(lines, file.FileMetaInformation, 0);
        lines.EndLine();
        lines.Append("# Dicom-Data-Set"u8);
        lines.EndLine();
        lines.Append("# Used TransferSyntax: "u8);
        lines.Append(file.TransferSyntax.Name);
        lines.EndLine();
        WriteDataset(lines, file.Dataset, 0);
        foreach (var warning in file.Warnings)
        {
            lines.Append("# Warning: "u8);
            lines.Append(warning);
            lines.EndLine();
        }
    }

    private static void WriteDataset(LineBuffer lines, DicomDataset dataset, int depth)
    {
        foreach (var element in dataset.Elements)
        {
            WriteElement(lines, element, depth);
        }
    }

    private static void WriteElement(LineBuffer lines, DicomElement element, int depth)
    {
        var indent = depth * 2;
        var tag = element.Tag;
        var keyword = DicomDictionary.GetKeyword(tag) ?? (tag.IsPrivate ? "PrivateTag" : "Unknown Tag & Data");
        if (element.Sequence is { } sequence)
        {
            var start = lines.StartLine(indent, tag, DicomVR.SQ);
            lines.Append("(Sequence with "u8);
            lines.Append(sequence.UndefinedLength ? "undefined"u8 : "explicit"u8);
            lines.Append(" length #="u8);
            lines.AppendFormatted(sequence.Count);
            lines.Append((byte)')');
            lines.EndLine(start, sequence.UndefinedLength ? "u/l"u8 : ""u8, sequence.Count, keyword);
            for (var i = 0; i < sequence.Count; i++)
            {
                var item = sequence[i];
                var undefinedLength = sequence.IsItemUndefinedLength(i);
                start = lines.StartLine(indent + 2, "(fffe,e000)"u8, "na"u8);
                lines.Append("(Item with "u8);
                lines.Append(undefinedLength ? "undefined"u8 : "explicit"u8);
                lines.Append(" length #="u8);
                lines.AppendFormatted(item.Count);
                lines.Append((byte)')');
                lines.EndLine(start, ""u8, 1, "Item");
                WriteDataset(lines, item, depth + 2);
                if (undefinedLength)
                {
                    start = lines.StartLine(indent + 2, "(fffe,e00d)"u8, "na"u8);
                    lines.Append("(ItemDelimitationItem)"u8);
                    lines.EndLine(start, "0"u8, 0, "ItemDelimitationItem");
                }
            }

            if (sequence.UndefinedLength)
            {
                SequenceDelimitation(lines, indent);
            }

            return;
        }

        if (element.Fragments is { } fragments)
        {
            var start = lines.StartLine(indent, tag, element.VR);
            lines.Append("(PixelSequence #="u8);
            lines.AppendFormatted(fragments.Fragments.Count + 1);
            lines.Append((byte)')');
            lines.EndLine(start, "u/l"u8, 1, keyword);

            var offsets = fragments.BasicOffsetTable;
            start = lines.StartLine(indent + 2, "(fffe,e000)"u8, "pi"u8);
            if (offsets.Count == 0)
            {
                lines.Append("(no value available)"u8);
            }
            else
            {
                for (var i = 0; i < Math.Min(8, offsets.Count); i++)
                {
                    if (i > 0)
                    {
                        lines.Append((byte)'\\');
                    }

                    lines.AppendHex(offsets[i], 8);
                }
            }

            lines.EndLine(start, offsets.Count * 4L, 1, "Item");
            foreach (var fragment in fragments.Fragments)
            {
                start = lines.StartLine(indent + 2, "(fffe,e000)"u8, "pi"u8);
                lines.Append("(fragment)"u8);
                lines.EndLine(start, fragment.Length, 1, "Item");
            }

            SequenceDelimitation(lines, indent);
            return;
        }

        var valueStart = lines.StartLine(indent, tag, element.VR);
        var count = AppendValue(lines, element);
        lines.EndLine(valueStart, element.Length, count, keyword);
    }

    private static void SequenceDelimitation(LineBuffer lines, int indent)
    {
        var start = lines.StartLine(indent, "(fffe,e0dd)"u8, "na"u8);
        lines.Append("(SequenceDelimitationItem)"u8);
        lines.EndLine(start, "0"u8, 0, "SequenceDelimitationItem");
    }

    /// <summary>Appends the value's text (long ones cut to <see cref="MaxValueText"/> characters); returns the value count shown.</summary>
    private static int AppendValue(LineBuffer lines, DicomElement element)
    {
        if (element.Bulk is { } bulk)
        {
            lines.Append("(not loaded: "u8);
            lines.AppendFormatted(bulk.Length);
            lines.Append(" bytes)"u8);
            return 1;
        }

        if (element.IsEmpty)
        {
            lines.Append("(no value available)"u8);
            return 0;
        }

        var vr = element.VR;
        if (vr == DicomVR.UI)
        {
            return AppendUids(lines, element);
        }

        if (vr.IsString())
        {
            return AppendStrings(lines, element);
        }

        // Everything below is ASCII: a byte is a character, and the cut counts bytes.
        var start = lines.Length;
        if (vr == DicomVR.AT)
        {
            var count = 0;
            for (; element.TryGetAttributeTag(count, out var value); count++)
            {
                if (lines.Length - start <= MaxValueText)
                {
                    if (count > 0)
                    {
                        lines.Append((byte)'\\');
                    }

                    lines.AppendTag(value);
                }
            }

            lines.CutLongValue(start, MaxValueText);
            return count;
        }

        // The first of these that reads every value gives the text (as DicomElement.TryGetValues would).
        int numbers;
        if ((vr is DicomVR.FL or DicomVR.FD && TryAppendNumbers<double>(lines, element, "G6", out numbers))
            || (vr.IsBinaryNumber() && TryAppendNumbers<long>(lines, element, default, out numbers))
            || TryAppendNumbers<ulong>(lines, element, default, out numbers))
        {
            lines.CutLongValue(start, MaxValueText);
            return numbers;
        }

        // OB, OW, UN...: hexadecimal words.
        var raw = element.RawValue.Span;
        var size = Math.Max(1, vr.ValueSize());
        for (var offset = 0; offset + size <= raw.Length && lines.Length - start <= MaxValueText; offset += size)
        {
            if (lines.Length > start)
            {
                lines.Append((byte)'\\');
            }

            for (var b = size - 1; b >= 0; b--)
            {
                lines.AppendHex(raw[offset + b], 2);
            }
        }

        lines.CutLongValue(start, MaxValueText);
        return 1;
    }

    /// <summary>
    /// UI values (as <see cref="DicomElement.GetStrings"/> splits and trims them) joined by '\': "=Keyword" for a
    /// registered UID, "[uid]" otherwise, never cut; returns their count.
    /// </summary>
    private static int AppendUids(LineBuffer lines, DicomElement element)
    {
        var whole = DicomValueText.TrimPadding(lines.Decode(element));
        if (whole.Length == 0)
        {
            return 0;
        }

        if (!DicomVR.UI.IsMultiValuedString())
        {
            AppendUid(lines, DicomValueText.TrimValue(whole, DicomVR.UI));
            return 1;
        }

        var count = 0;
        foreach (var range in whole.Split('\\'))
        {
            if (count > 0)
            {
                lines.Append((byte)'\\');
            }

            AppendUid(lines, DicomValueText.TrimValue(whole[range], DicomVR.UI));
            count++;
        }

        return count;
    }

    private static void AppendUid(LineBuffer lines, ReadOnlySpan<char> uid)
    {
        if (DicomUids.TryGetInfo(uid, out var info) && info.Keyword.Length > 0)
        {
            lines.Append((byte)'=');
            lines.Append(info.Keyword);
        }
        else
        {
            lines.Append((byte)'[');
            lines.Append(uid);
            lines.Append((byte)']');
        }
    }

    /// <summary>
    /// "[" + the values joined by '\' + "]" (as <see cref="DicomElement.GetStrings"/> splits and trims them), cut to
    /// <see cref="MaxValueText"/> characters; returns their count. Only what can be shown is kept; the values are still counted.
    /// </summary>
    private static int AppendStrings(LineBuffer lines, DicomElement element)
    {
        var vr = element.VR;
        var whole = DicomValueText.TrimPadding(lines.Decode(element));
        var text = new CappedText(stackalloc char[MaxValueText]);
        text.Append('[');
        var count = 0;
        if (whole.Length > 0)
        {
            if (!vr.IsMultiValuedString())
            {
                text.Append(DicomValueText.TrimValue(whole, vr));
                count = 1;
            }
            else
            {
                foreach (var range in whole.Split('\\'))
                {
                    // The text after '[' is extended while it is no longer than can be shown (then cut).
                    if (text.Length - 1 <= MaxValueText)
                    {
                        if (count > 0)
                        {
                            text.Append('\\');
                        }

                        text.Append(DicomValueText.TrimValue(whole[range], vr));
                    }

                    count++;
                }
            }
        }

        text.Append(']');
        if (text.Length > MaxValueText)
        {
            lines.Append(text.Kept[..(MaxValueText - 3)]);
            lines.Append("..."u8);
        }
        else
        {
            lines.Append(text.Kept);
        }

        return count;
    }

    /// <summary>Appends every value as <typeparamref name="T"/>, or nothing and false when one does not read as one.</summary>
    private static bool TryAppendNumbers<T>(LineBuffer lines, DicomElement element, ReadOnlySpan<char> format, out int count)
        where T : struct, INumber<T>
    {
        count = element.NumberValueCount;
        var start = lines.Length;
        for (var i = 0; i < count; i++)
        {
            if (!element.TryGetValue<T>(i, out var value))
            {
                lines.Length = start;
                return false;
            }

            // Past what can be shown, the values are only checked.
            if (lines.Length - start <= MaxValueText)
            {
                if (i > 0)
                {
                    lines.Append((byte)'\\');
                }

                lines.AppendFormatted(value, format);
            }
        }

        return true;
    }

    /// <summary>The first characters of a text (as many as fit) and the length of the whole text.</summary>
    private ref struct CappedText(Span<char> kept)
    {
        private readonly Span<char> _kept = kept;

        /// <summary>Characters appended, kept or not.</summary>
        public int Length { get; private set; }

        public readonly ReadOnlySpan<char> Kept => _kept[..Math.Min(Length, _kept.Length)];

        public void Append(char c)
        {
            if (Length < _kept.Length)
            {
                _kept[Length] = c;
            }

            Length++;
        }

        public void Append(ReadOnlySpan<char> text)
        {
            if (Length < _kept.Length)
            {
                text[..Math.Min(text.Length, _kept.Length - Length)].CopyTo(_kept[Length..]);
            }

            Length += text.Length;
        }
    }

    /// <summary>
    /// The lines of one listing as UTF-8, in a pooled buffer written to the output a few kilobytes at a time
    /// (and at the end). A line being built when formatting fails is dropped, as if never begun.
    /// </summary>
    private sealed class LineBuffer : IDisposable
    {
        private const int WriteAt = 8 * 1024;
        private static ReadOnlySpan<byte> HexDigits => "0123456789abcdef"u8;

        private readonly TextWriter? _writer;
        private readonly Stream? _stream;
        private readonly byte[] _newLine;
        private byte[] _bytes = ArrayPool<byte>.Shared.Rent(16 * 1024);
        private char[] _chars = [];
        private int _length;
        private int _completeLines;

        /// <summary>Bytes of the current line beyond one per character (its non-ASCII characters), for the column.</summary>
        private int _lineExtraBytes;

        public LineBuffer(TextWriter? writer, Stream? stream)
        {
            _writer = writer;
            _stream = stream;
            _newLine = Encoding.UTF8.GetBytes(writer?.NewLine ?? Environment.NewLine);
        }

        /// <summary>Bytes in the buffer; lowering it drops what was appended since (ASCII only).</summary>
        public int Length
        {
            get => _length;
            set => _length = value;
        }

        /// <summary>
        /// The text of a string element's whole value, as <see cref="DicomValueText.Decode"/> gives it: in the scratch
        /// buffer when it is one character per byte (no character set, ISO 8859-1, or ASCII without escapes), which
        /// covers nearly every value; otherwise decoded into a new string.
        /// </summary>
        public ReadOnlySpan<char> Decode(DicomElement element)
        {
            var raw = element.RawValue.Span;
            var vr = element.VR;
            ReadOnlySpan<byte> oneBytePerChar;
            if (!vr.UsesSpecificCharacterSet())
            {
                oneBytePerChar = raw;
            }
            else if (!element.Owner.CharacterSet.TryGetOneBytePerCharacterText(raw, vr, out oneBytePerChar, out _))
            {
                return DicomValueText.Decode(raw, vr, element.Owner.CharacterSet);
            }

            if (_chars.Length < oneBytePerChar.Length)
            {
                ReturnChars();
                _chars = ArrayPool<char>.Shared.Rent(Math.Max(256, oneBytePerChar.Length));
            }

            var written = Encoding.Latin1.GetChars(oneBytePerChar, _chars);
            return _chars.AsSpan(0, written);
        }

        /// <summary>Indentation, tag and VR of an element line; returns where the line starts (for <see cref="EndLine(int, ReadOnlySpan{byte}, int, string)"/>).</summary>
        public int StartLine(int indent, DicomTag tag, DicomVR vr)
        {
            var start = _length;
            _lineExtraBytes = 0;
            Reserve(indent + 16);
            _bytes.AsSpan(_length, indent).Fill((byte)' ');
            _length += indent;
            AppendTag(tag);
            _bytes[_length++] = (byte)' ';
            if (vr == DicomVR.None)
            {
                _bytes[_length++] = (byte)'-';
                _bytes[_length++] = (byte)'-';
            }
            else
            {
                _bytes[_length++] = (byte)((ushort)vr >> 8);
                _bytes[_length++] = (byte)((ushort)vr & 0xFF);
            }

            _bytes[_length++] = (byte)' ';
            return start;
        }

        /// <summary>Indentation, item tag and pseudo-VR of a delimiter line.</summary>
        public int StartLine(int indent, ReadOnlySpan<byte> tag, ReadOnlySpan<byte> vr)
        {
            var start = _length;
            _lineExtraBytes = 0;
            Append((byte)' ', indent);
            Append(tag);
            Append((byte)' ');
            Append(vr);
            Append((byte)' ');
            return start;
        }

        /// <summary>Pads the line to the comment column and ends it with "# length, count keyword".</summary>
        public void EndLine(int lineStart, ReadOnlySpan<byte> length, int count, string keyword)
        {
            Append((byte)' ', Math.Max(1, ValueColumn - (_length - lineStart - _lineExtraBytes)));
            Append("# "u8);
            Append((byte)' ', 3 - length.Length);
            Append(length);
            Append(", "u8);
            AppendFormatted(count);
            Append((byte)' ');
            Append(keyword);
            EndLine();
        }

        public void EndLine(int lineStart, long length, int count, string keyword)
        {
            Span<byte> digits = stackalloc byte[20];
            length.TryFormat(digits, out var written, default, CultureInfo.InvariantCulture);
            EndLine(lineStart, digits[..written], count, keyword);
        }

        /// <summary>Ends the line; writes the buffer out once it holds a few kilobytes.</summary>
        public void EndLine()
        {
            Append(_newLine);
            _completeLines = _length;
            if (_length >= WriteAt)
            {
                // Emptied first: should the write fail, Dispose must not write the same lines again.
                var length = _length;
                _length = _completeLines = 0;
                Write(length);
            }
        }

        /// <summary>Cuts the ASCII text from <paramref name="start"/> to <paramref name="max"/> - 3 bytes and "..." when longer than <paramref name="max"/>.</summary>
        public void CutLongValue(int start, int max)
        {
            if (_length - start > max)
            {
                _length = start + max - 3;
                Append("..."u8);
            }
        }

        public void AppendTag(DicomTag tag)
        {
            Reserve(11);
            _bytes[_length++] = (byte)'(';
            WriteHex(tag.Group, 4);
            _bytes[_length++] = (byte)',';
            WriteHex(tag.Element, 4);
            _bytes[_length++] = (byte)')';
        }

        /// <summary>Lowercase hexadecimal, <paramref name="digits"/> digits (leading zeros).</summary>
        public void AppendHex(uint value, int digits)
        {
            Reserve(digits);
            WriteHex(value, digits);
        }

        public void Append(byte ascii)
        {
            if (_length == _bytes.Length)
            {
                Grow(1);
            }

            _bytes[_length++] = ascii;
        }

        public void Append(byte ascii, int repeat)
        {
            if (repeat <= 0)
            {
                return;
            }

            Reserve(repeat);
            _bytes.AsSpan(_length, repeat).Fill(ascii);
            _length += repeat;
        }

        public void Append(ReadOnlySpan<byte> utf8)
        {
            Reserve(utf8.Length);
            utf8.CopyTo(_bytes.AsSpan(_length));
            _length += utf8.Length;
        }

        /// <summary>Appends text as UTF-8 (ASCII, nearly always: one byte per character).</summary>
        public void Append(ReadOnlySpan<char> text)
        {
            Reserve(text.Length * 3);
            var destination = _bytes.AsSpan(_length);
            if (Ascii.FromUtf16(text, destination, out var written) != OperationStatus.Done)
            {
                written = Encoding.UTF8.GetBytes(text, destination);
                _lineExtraBytes += written - text.Length;
            }

            _length += written;
        }

        public void AppendFormatted<T>(T value, ReadOnlySpan<char> format = default)
            where T : IUtf8SpanFormattable
        {
            int written;
            while (!value.TryFormat(_bytes.AsSpan(_length), out written, format, CultureInfo.InvariantCulture))
            {
                Grow(64);
            }

            _length += written;
        }

        /// <summary>Writes out the complete lines and gives the buffers back.</summary>
        public void Dispose()
        {
            var complete = _completeLines;
            _length = _completeLines = 0;
            try
            {
                if (complete > 0)
                {
                    Write(complete);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(_bytes);
                _bytes = [];
                ReturnChars();
            }
        }

        private void Write(int length)
        {
            if (_stream is not null)
            {
                _stream.Write(_bytes, 0, length);
                return;
            }

            // The buffer holds whole lines only: no character is split between two writes.
            var needed = Encoding.UTF8.GetMaxCharCount(length);
            if (_chars.Length < needed)
            {
                ReturnChars();
                _chars = ArrayPool<char>.Shared.Rent(needed);
            }

            var chars = Encoding.UTF8.GetChars(_bytes, 0, length, _chars, 0);
            _writer!.Write(_chars, 0, chars);
        }

        private void WriteHex(uint value, int digits)
        {
            for (var i = digits - 1; i >= 0; i--)
            {
                _bytes[_length + i] = HexDigits[(int)(value & 0xF)];
                value >>= 4;
            }

            _length += digits;
        }

        private void Reserve(int needed)
        {
            if (_bytes.Length - _length < needed)
            {
                Grow(needed);
            }
        }

        private void ReturnChars()
        {
            if (_chars.Length > 0)
            {
                ArrayPool<char>.Shared.Return(_chars);
                _chars = [];
            }
        }

        private void Grow(int needed)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_bytes.Length * 2, _length + needed));
            _bytes.AsSpan(0, _length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_bytes);
            _bytes = larger;
        }
    }
}
