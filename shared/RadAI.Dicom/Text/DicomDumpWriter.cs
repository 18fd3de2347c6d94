using System.Buffers;
using System.Globalization;
using System.Numerics;
using RadAI.Dicom.IO;

namespace RadAI.Dicom.Text;

/// <summary>
/// A human-readable listing of a file or dataset, laid out like DCMTK's dcmdump. Lines are formatted
/// into a pooled buffer and handed to the writer several kilobytes at a time: on an unbuffered writer
/// (an auto-flushed console) each call is a system call.
/// </summary>
public static class DicomDumpWriter
{
    private const int ValueColumn = 56;
    private const int MaxValueText = 64;

    /// <summary>The listing of a whole file: meta group, then dataset.</summary>
    public static void WriteFile(TextWriter output, DicomFile file)
    {
        using var lines = new LineBuffer(output);
        lines.EndLine();
        lines.Append("# Dicom-File-Format");
        lines.EndLine();
        lines.EndLine();
        lines.Append("# Dicom-Meta-Information-Header");
        lines.EndLine();
        lines.Append("# Used TransferSyntax: Little Endian Explicit");
        lines.EndLine();
        WriteDataset(lines, file.FileMetaInformation, 0);
        lines.EndLine();
        lines.Append("# Dicom-Data-Set");
        lines.EndLine();
        lines.Append("# Used TransferSyntax: ");
        lines.Append(file.TransferSyntax.Name);
        lines.EndLine();
        WriteDataset(lines, file.Dataset, 0);
        foreach (var warning in file.Warnings)
        {
            lines.Append("# Warning: ");
            lines.Append(warning);
            lines.EndLine();
        }
    }

    /// <summary>The listing of a dataset, nested items indented.</summary>
    public static void WriteDataset(TextWriter output, DicomDataset dataset, int depth)
    {
        using var lines = new LineBuffer(output);
        WriteDataset(lines, dataset, depth);
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
            lines.Append("(Sequence with ");
            lines.Append(sequence.UndefinedLength ? "undefined" : "explicit");
            lines.Append(" length #=");
            lines.AppendFormatted(sequence.Count);
            lines.Append(')');
            lines.EndLine(start, sequence.UndefinedLength ? "u/l" : "", sequence.Count, keyword);
            for (var i = 0; i < sequence.Count; i++)
            {
                var item = sequence[i];
                var undefinedLength = sequence.IsItemUndefinedLength(i);
                start = lines.StartLine(indent + 2, "(fffe,e000)", "na");
                lines.Append("(Item with ");
                lines.Append(undefinedLength ? "undefined" : "explicit");
                lines.Append(" length #=");
                lines.AppendFormatted(item.Count);
                lines.Append(')');
                lines.EndLine(start, "", 1, "Item");
                WriteDataset(lines, item, depth + 2);
                if (undefinedLength)
                {
                    start = lines.StartLine(indent + 2, "(fffe,e00d)", "na");
                    lines.Append("(ItemDelimitationItem)");
                    lines.EndLine(start, "0", 0, "ItemDelimitationItem");
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
            lines.Append("(PixelSequence #=");
            lines.AppendFormatted(fragments.Fragments.Count + 1);
            lines.Append(')');
            lines.EndLine(start, "u/l", 1, keyword);

            var offsets = fragments.BasicOffsetTable;
            start = lines.StartLine(indent + 2, "(fffe,e000)", "pi");
            if (offsets.Count == 0)
            {
                lines.Append("(no value available)");
            }
            else
            {
                for (var i = 0; i < Math.Min(8, offsets.Count); i++)
                {
                    if (i > 0)
                    {
                        lines.Append('\\');
                    }

                    lines.AppendFormatted(offsets[i], "x8");
                }
            }

            lines.EndLine(start, offsets.Count * 4L, 1, "Item");
            foreach (var fragment in fragments.Fragments)
            {
                start = lines.StartLine(indent + 2, "(fffe,e000)", "pi");
                lines.Append("(fragment)");
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
        var start = lines.StartLine(indent, "(fffe,e0dd)", "na");
        lines.Append("(SequenceDelimitationItem)");
        lines.EndLine(start, "0", 0, "SequenceDelimitationItem");
    }

    /// <summary>Appends the value's text (long ones cut to <see cref="MaxValueText"/> characters); returns the value count shown.</summary>
    private static int AppendValue(LineBuffer lines, DicomElement element)
    {
        if (element.Bulk is { } bulk)
        {
            lines.Append("(not loaded: ");
            lines.AppendFormatted(bulk.Length);
            lines.Append(" bytes)");
            return 1;
        }

        if (element.IsEmpty)
        {
            lines.Append("(no value available)");
            return 0;
        }

        var vr = element.VR;
        if (vr == DicomVR.UI && element.TryGetStrings(out var uids))
        {
            for (var i = 0; i < uids.Length; i++)
            {
                if (i > 0)
                {
                    lines.Append('\\');
                }

                if (DicomUids.TryGetInfo(uids[i], out var info) && info.Keyword.Length > 0)
                {
                    lines.Append('=');
                    lines.Append(info.Keyword);
                }
                else
                {
                    lines.Append('[');
                    lines.Append(uids[i]);
                    lines.Append(']');
                }
            }

            return uids.Length;
        }

        var start = lines.Length;
        if (vr.IsString())
        {
            var count = AppendStrings(lines, element);
            lines.CutLongValue(start, MaxValueText);
            return count;
        }

        if (vr == DicomVR.AT)
        {
            var count = 0;
            for (; element.TryGetAttributeTag(count, out var value); count++)
            {
                if (lines.Length - start <= MaxValueText)
                {
                    if (count > 0)
                    {
                        lines.Append('\\');
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
                lines.Append('\\');
            }

            for (var b = size - 1; b >= 0; b--)
            {
                lines.AppendFormatted(raw[offset + b], "x2");
            }
        }

        lines.CutLongValue(start, MaxValueText);
        return 1;
    }

    /// <summary>"[" + the values joined by '\' + "]" (as <see cref="DicomElement.GetStrings"/> splits and trims them); returns their count.</summary>
    private static int AppendStrings(LineBuffer lines, DicomElement element)
    {
        var vr = element.VR;
        var decoded = DicomValueText.Decode(element.RawValue.Span, vr, element.Owner.CharacterSet);
        var whole = DicomValueText.TrimPadding(decoded.AsSpan());
        lines.Append('[');
        var start = lines.Length;
        var count = 0;
        if (whole.Length > 0)
        {
            if (!vr.IsMultiValuedString())
            {
                lines.Append(DicomValueText.TrimValue(whole, vr));
                count = 1;
            }
            else
            {
                foreach (var range in whole.Split('\\'))
                {
                    // Only what can be shown is copied; the values are still counted.
                    if (lines.Length - start <= MaxValueText)
                    {
                        if (count > 0)
                        {
                            lines.Append('\\');
                        }

                        lines.Append(DicomValueText.TrimValue(whole[range], vr));
                    }

                    count++;
                }
            }
        }

        lines.Append(']');
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
                    lines.Append('\\');
                }

                lines.AppendFormatted(value, format);
            }
        }

        return true;
    }

    /// <summary>
    /// The lines of one listing, in a pooled buffer written to the output a few kilobytes at a time
    /// (and at the end). A line being built when formatting fails is dropped, as if never begun.
    /// </summary>
    private sealed class LineBuffer(TextWriter output) : IDisposable
    {
        private const int WriteAt = 8 * 1024;
        private readonly string _newLine = output.NewLine;
        private char[] _chars = ArrayPool<char>.Shared.Rent(16 * 1024);
        private int _length;
        private int _completeLines;

        /// <summary>Characters in the buffer; lowering it drops what was appended since.</summary>
        public int Length
        {
            get => _length;
            set => _length = value;
        }

        /// <summary>Indentation, tag and VR of an element line; returns where the line starts (for <see cref="EndLine(int, ReadOnlySpan{char}, int, string)"/>).</summary>
        public int StartLine(int indent, DicomTag tag, DicomVR vr)
        {
            var start = _length;
            Append(' ', indent);
            AppendTag(tag);
            Append(' ');
            if (vr == DicomVR.None)
            {
                Append("--");
            }
            else
            {
                Append((char)((ushort)vr >> 8));
                Append((char)((ushort)vr & 0xFF));
            }

            Append(' ');
            return start;
        }

        /// <summary>Indentation, item tag and pseudo-VR of a delimiter line.</summary>
        public int StartLine(int indent, string tag, string vr)
        {
            var start = _length;
            Append(' ', indent);
            Append(tag);
            Append(' ');
            Append(vr);
            Append(' ');
            return start;
        }

        /// <summary>Pads the line to the comment column and ends it with "# length, count keyword".</summary>
        public void EndLine(int lineStart, ReadOnlySpan<char> length, int count, string keyword)
        {
            Append(' ', Math.Max(1, ValueColumn - (_length - lineStart)));
            Append("# ");
            Append(' ', 3 - length.Length);
            Append(length);
            Append(", ");
            AppendFormatted(count);
            Append(' ');
            Append(keyword);
            EndLine();
        }

        public void EndLine(int lineStart, long length, int count, string keyword)
        {
            Span<char> digits = stackalloc char[20];
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
                output.Write(_chars, 0, length);
            }
        }

        /// <summary>Cuts the text from <paramref name="start"/> to <paramref name="max"/> - 3 characters and "..." when longer than <paramref name="max"/>.</summary>
        public void CutLongValue(int start, int max)
        {
            if (_length - start > max)
            {
                _length = start + max - 3;
                Append("...");
            }
        }

        public void AppendTag(DicomTag tag)
        {
            Append('(');
            AppendFormatted(tag.Group, "x4");
            Append(',');
            AppendFormatted(tag.Element, "x4");
            Append(')');
        }

        public void Append(char c)
        {
            if (_length == _chars.Length)
            {
                Grow(1);
            }

            _chars[_length++] = c;
        }

        public void Append(char c, int repeat)
        {
            if (repeat <= 0)
            {
                return;
            }

            if (_chars.Length - _length < repeat)
            {
                Grow(repeat);
            }

            _chars.AsSpan(_length, repeat).Fill(c);
            _length += repeat;
        }

        public void Append(ReadOnlySpan<char> text)
        {
            if (_chars.Length - _length < text.Length)
            {
                Grow(text.Length);
            }

            text.CopyTo(_chars.AsSpan(_length));
            _length += text.Length;
        }

        public void AppendFormatted<T>(T value, ReadOnlySpan<char> format = default)
            where T : ISpanFormattable
        {
            int written;
            while (!value.TryFormat(_chars.AsSpan(_length), out written, format, CultureInfo.InvariantCulture))
            {
                Grow(64);
            }

            _length += written;
        }

        /// <summary>Writes out the complete lines and gives the buffer back.</summary>
        public void Dispose()
        {
            var complete = _completeLines;
            _length = _completeLines = 0;
            if (complete > 0)
            {
                output.Write(_chars, 0, complete);
            }

            ArrayPool<char>.Shared.Return(_chars);
            _chars = [];
        }

        private void Grow(int needed)
        {
            var larger = ArrayPool<char>.Shared.Rent(Math.Max(_chars.Length * 2, _length + needed));
            _chars.AsSpan(0, _length).CopyTo(larger);
            ArrayPool<char>.Shared.Return(_chars);
            _chars = larger;
        }
    }
}
