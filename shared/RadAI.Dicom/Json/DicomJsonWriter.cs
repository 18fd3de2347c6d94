using System.Buffers.Binary;
using System.Text.Json;

namespace RadAI.Dicom.Json;

/// <summary>
/// The DICOM JSON model (PS3.18 F.2): an object keyed by "GGGGEEEE" with "vr" and "Value",
/// "InlineBinary" or "BulkDataURI" per element. Numbers (IS, DS and the binary numeric VRs) are JSON
/// numbers, PN values are objects of component groups, AT values "GGGGEEEE" strings.
/// The conventions where PS3.18 leaves room follow pydicom (see docs/dicom-json.md).
/// </summary>
public static class DicomJsonWriter
{
    /// <summary>The dataset as a JSON string.</summary>
    public static string Serialize(DicomDataset dataset, DicomJsonOptions? options = null)
    {
        options ??= DicomJsonOptions.Default;
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = options.WriteIndented, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            WriteDataset(writer, dataset, options);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Writes the dataset as a JSON object.</summary>
    public static void WriteDataset(Utf8JsonWriter writer, DicomDataset dataset, DicomJsonOptions options)
    {
        writer.WriteStartObject();
        Span<char> key = stackalloc char[8];
        foreach (var element in dataset.Elements)
        {
            if (element.Tag.IsGroupLength && !options.IncludeGroupLengths)
            {
                continue;
            }

            element.Tag.Value.TryFormat(key, out _, "X8", System.Globalization.CultureInfo.InvariantCulture);
            writer.WritePropertyName(key);
            WriteElement(writer, element, options);
        }

        writer.WriteEndObject();
    }

    private static void WriteElement(Utf8JsonWriter writer, DicomElement element, DicomJsonOptions options)
    {
        writer.WriteStartObject();
        var vr = element.VR == DicomVR.None ? DicomVR.UN : element.VR;
        writer.WriteString("vr"u8, vr.Code());

        if (element.Sequence is { } sequence)
        {
            writer.WriteStartArray("Value"u8);
            foreach (var item in sequence)
            {
                WriteDataset(writer, item, options);
            }

            writer.WriteEndArray();
        }
        else if (vr.IsBulk() || element.Fragments is not null || element.Bulk is not null)
        {
            WriteBinary(writer, element, options);
        }
        else if (!element.IsEmpty)
        {
            WriteValues(writer, element, vr);
        }

        writer.WriteEndObject();
    }

    private static void WriteBinary(Utf8JsonWriter writer, DicomElement element, DicomJsonOptions options)
    {
        if (element.IsEmpty)
        {
            return;
        }

        if (options.BulkDataUri is { } uri && element.Length > options.BulkDataThreshold)
        {
            writer.WriteString("BulkDataURI"u8, uri(element));
            return;
        }

        writer.WriteBase64String("InlineBinary"u8, BinaryBytes(element));
    }

    /// <summary>
    /// The bytes of a binary value as they are encoded in a stream (little endian); encapsulated pixel
    /// data as its items (offset table and fragments, without the sequence delimiter).
    /// </summary>
    internal static byte[] BinaryBytes(DicomElement element)
    {
        if (element.Fragments is { } fragments)
        {
            using var stream = new MemoryStream();
            Span<byte> header = stackalloc byte[8];
            void Item(Span<byte> h, long length)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(h, 0xFFFE);
                BinaryPrimitives.WriteUInt16LittleEndian(h[2..], 0xE000);
                BinaryPrimitives.WriteUInt32LittleEndian(h[4..], (uint)length);
                stream.Write(h);
            }

            Item(header, fragments.BasicOffsetTable.Count * 4);
            foreach (var offset in fragments.BasicOffsetTable)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(header, offset);
                stream.Write(header[..4]);
            }

            foreach (var fragment in fragments.Fragments)
            {
                Item(header, fragment.Length);
                using var source = fragment.OpenRead();
                source.CopyTo(stream);
            }

            return stream.ToArray();
        }

        if (element.Bulk is { } bulk)
        {
            using var source = bulk.OpenRead();
            using var copy = new MemoryStream();
            source.CopyTo(copy);
            return copy.ToArray();
        }

        return element.RawValue.ToArray();
    }

    private static void WriteValues(Utf8JsonWriter writer, DicomElement element, DicomVR vr)
    {
        writer.WriteStartArray("Value"u8);
        switch (vr)
        {
            case DicomVR.PN:
                foreach (var value in element.GetStrings())
                {
                    var groups = DicomPersonName.SplitGroups(value);
                    writer.WriteStartObject();
                    writer.WriteString("Alphabetic"u8, groups[0]);
                    if (groups.Length > 1)
                    {
                        writer.WriteString("Ideographic"u8, groups[1]);
                    }

                    if (groups.Length > 2)
                    {
                        writer.WriteString("Phonetic"u8, groups[2]);
                    }

                    writer.WriteEndObject();
                }

                break;

            case DicomVR.AT:
                for (var i = 0; element.TryGetAttributeTag(i, out var tag); i++)
                {
                    writer.WriteStringValue(tag.Value.ToString("X8", System.Globalization.CultureInfo.InvariantCulture));
                }

                break;

            case DicomVR.IS:
                foreach (var value in element.GetStrings())
                {
                    if (DicomValueText.TryParseIntegerString(value, out var integer))
                    {
                        writer.WriteNumberValue(integer);
                    }
                    else if (value.Trim().Length == 0)
                    {
                        writer.WriteNullValue();
                    }
                    else if (DicomValueText.TryParseDecimalString(value, out var number) && number == Math.Floor(number)
                        && number >= long.MinValue && number < -(double)long.MinValue)
                    {
                        // "12.0" in an IS: an integer written with a decimal part, read as the integer (within
                        // 64 bits: "1e300" would be cast to a wrong number without a word).
                        writer.WriteNumberValue((long)number);
                    }
                    else
                    {
                        throw new FormatException($"Element {element.Tag} (IS) holds '{value}', not an integer.");
                    }
                }

                break;

            case DicomVR.DS:
                foreach (var value in element.GetStrings())
                {
                    if (DicomValueText.TryParseDecimalString(value, out var number) && double.IsFinite(number))
                    {
                        writer.WriteNumberValue(number);
                    }
                    else if (value.Trim().Length == 0)
                    {
                        writer.WriteNullValue();
                    }
                    else
                    {
                        throw new FormatException($"Element {element.Tag} (DS) holds '{value}', not a decimal number.");
                    }
                }

                break;

            case DicomVR.FL or DicomVR.FD:
                var floats = element.GetValues<double>();
                foreach (var f in floats)
                {
                    if (double.IsFinite(f))
                    {
                        writer.WriteNumberValue(vr == DicomVR.FL ? (double)(float)f : f);
                    }
                    else
                    {
                        // JSON has no NaN or infinity.
                        writer.WriteNullValue();
                    }
                }

                break;

            case DicomVR.US or DicomVR.UL or DicomVR.UV:
                foreach (var value in element.GetValues<ulong>())
                {
                    writer.WriteNumberValue(value);
                }

                break;

            case DicomVR.SS or DicomVR.SL or DicomVR.SV:
                foreach (var value in element.GetValues<long>())
                {
                    writer.WriteNumberValue(value);
                }

                break;

            default:
                foreach (var value in element.GetStrings())
                {
                    writer.WriteStringValue(value);
                }

                break;
        }

        writer.WriteEndArray();
    }
}
