using RadAI.Dicom;
using RadAI.Dicom.IO;

namespace RadAI.Dicom.Tests.Text;

/// <summary>Two files whose listings exercise every kind of value line of the dump.</summary>
internal static class DumpSamples
{
    /// <summary>Strings (padding, several values, long, Latin-1), numbers of every binary VR, tags, bytes, sequences, a lazy value.</summary>
    public static async Task<DicomFile> ReadValuesSampleAsync()
    {
        var creator = new DicomTag(0x0009, 0x0010);
        DicomTag Private(ushort element) => new(0x0009, (ushort)(0x1000 + element));
        var code = new DicomDataset()
            .AddOrUpdate(DicomTags.CodeValue, "113100")
            .AddOrUpdate(DicomTags.CodingSchemeDesignator, "DCM")
            .AddOrUpdate(DicomTags.CodeMeaning, "Basic Application Confidentiality Profile");
        var nested = new DicomDataset()
            .AddOrUpdate(DicomTags.ReferencedSOPClassUID, DicomUids.CTImageStorage)
            .AddOrUpdate(DicomTags.ReferencedSOPInstanceUID, "1.2.826.0.1.3680043.2.1125.99");
        var withNested = new DicomDataset()
            .AddOrUpdate(DicomTags.ReferencedSeriesSequence, new DicomDataset().AddOrUpdate(DicomTags.ReferencedInstanceSequence, nested));
        var dataset = new DicomDataset()
            .AddOrUpdate(DicomTags.SpecificCharacterSet, "ISO_IR 100")
            .AddOrUpdate(DicomTags.ImageType, "ORIGINAL", "PRIMARY", "AXIAL ")
            .AddOrUpdate(DicomTags.SOPClassUID, DicomUids.CTImageStorage)
            .AddOrUpdate(DicomTags.SOPInstanceUID, "1.2.826.0.1.3680043.2.1125.1")
            .AddOrUpdate(DicomTags.RelatedGeneralSOPClassUID, DicomVR.UI, DicomUids.CTImageStorage + "\\1.2.3.4")
            .AddOrUpdate(DicomTags.ImageComments, new string('x', 40) + " and a tail that runs past sixty-four characters")
            .AddOrUpdate(DicomTags.SeriesDescription, "short")
            .AddOrUpdate(DicomTags.AccessionNumber, DicomVR.SH, "    ")
            .AddOrUpdate(DicomTags.ReferringPhysicianName, DicomVR.PN, "")
            .AddOrUpdate(DicomTags.PatientName, "Müller^Jürgen")
            .AddOrUpdate(DicomTags.PatientComments, "  leading spaces stay, trailing ones go   ")
            .AddOrUpdate(DicomTags.OtherPatientIDs, DicomVR.LO, "A\\B\\C\\D\\E\\F\\G\\H\\I\\J\\K\\L\\M\\N\\O\\P\\Q\\R\\S\\T\\U\\V\\W\\X\\Y\\Z\\AA\\BB\\CC\\DD\\EE\\FF\\GG")
            .AddOrUpdate(DicomTags.ProcedureCodeSequence, code, new DicomDataset())
            .AddOrUpdate(DicomTags.ReferencedStudySequence, new DicomSequence())
            .AddOrUpdate(DicomTags.ReferencedImageEvidenceSequence, withNested)
            .AddOrUpdate(DicomTags.PixelSpacing, DicomVR.DS, " 0.5\\-2.25 ")
            .AddOrUpdate(DicomTags.InstanceNumber, DicomVR.IS, "7")
            .AddOrUpdate(DicomTags.FrameIncrementPointer, DicomTags.FrameTime, DicomTags.SliceLocation)
            .AddOrUpdate(DicomTags.Rows, DicomVR.US, (ushort)16)
            .AddOrUpdate(DicomTags.Columns, DicomVR.US, (ushort)16)
            .AddOrUpdate(DicomTags.SmallestImagePixelValue, DicomVR.SS, (short)-5)
            .AddOrUpdate(creator, DicomVR.LO, "RADAI DUMP TEST")
            .AddOrUpdate(Private(0x01), DicomVR.FD, 3.14159265358979, -1e-7, 12345678.9, 1.0 / 3, 2.5e300, 42, -0.0, 7.25)
            .AddOrUpdate(Private(0x02), DicomVR.FL, 0.1f)
            .AddOrUpdateBytes(Private(0x03), DicomVR.OB, [1, 2, 3, 255])
            .AddOrUpdate(Private(0x04), DicomVR.OW, (ushort)0x1234, (ushort)0xFFFF)
            .AddOrUpdateBytes(Private(0x05), DicomVR.UN, [0xDE, 0xAD])
            .AddOrUpdate(Private(0x06), DicomVR.OF, -1.5f, 2f)
            .AddOrUpdate(Private(0x07), DicomVR.SL, -70000, 5)
            .AddOrUpdate(Private(0x08), DicomVR.UL, 4_000_000_000u)
            .AddOrUpdate(Private(0x09), DicomVR.UV, ulong.MaxValue, 1ul)
            .AddOrUpdate(Private(0x0A), DicomVR.OD, 0.5)
            .AddOrUpdateBytes(Private(0x0B), DicomVR.OB, Enumerable.Range(0, 100).Select(i => (byte)i).ToArray())
            .AddOrUpdate(Private(0x0C), Enumerable.Range(0, 12).Select(i => new DicomTag(0x0010, (ushort)(0x10 + i))).ToArray())
            .AddOrUpdate(Private(0x0D), DicomVR.SV, long.MinValue)
            .AddOrUpdate(new DicomTag(0x0018, 0xFFF2), DicomVR.LO, "not in the dictionary")
            .AddOrUpdate(DicomTags.PixelData, DicomVR.OW, Enumerable.Range(0, 300).Select(i => (ushort)i).ToArray());
        using var stream = new MemoryStream();
        await new DicomFile(dataset).SaveAsync(stream);
        return await DicomFile.ReadAsync(stream.ToArray(), DicomReadOptions.Default with { LargeValueThreshold = 512 });
    }

    /// <summary>Encapsulated pixel data (offset table, fragments), and a file without preamble (a warning line).</summary>
    public static async Task<DicomFile> ReadEncapsulatedSampleAsync()
    {
        var dataset = new DicomDataset()
            .AddOrUpdate(DicomTags.SOPClassUID, DicomUids.SecondaryCaptureImageStorage)
            .AddOrUpdate(DicomTags.SOPInstanceUID, "1.2.826.0.1.3680043.2.1125.2")
            .AddOrUpdate(DicomTags.PixelData, new DicomFragments(
                [0u, 18u, 36u, 54u, 72u, 90u, 108u, 126u, 144u],
                Enumerable.Range(0, 9).Select(i => (DicomBulkValue)new DicomMemoryBulkValue(new byte[10 - (i % 2)]))));
        using var stream = new MemoryStream();
        await new DicomFile(dataset, DicomTransferSyntax.JPEGBaseline8Bit).SaveAsync(stream);
        return await DicomFile.ReadAsync(stream.ToArray().AsMemory(132));
    }
}
