using RadAI.Dicom.Text;
using Xunit;

namespace RadAI.Dicom.Tests.Text;

/// <summary>
/// The listing, character for character, for every kind of line (expected texts produced by the first
/// implementation, which wrote each line in pieces): a faster writer must not change a byte of it.
/// </summary>
public sealed class DicomDumpWriterTests
{
    [Fact]
    public async Task Lists_every_kind_of_value_as_before()
    {
        var file = await DumpSamples.ReadValuesSampleAsync();
        var output = new StringWriter { NewLine = "\n" };

        DicomDumpWriter.WriteDataset(output, file.Dataset, 0);

        Assert.Equal(ValuesListing, output.ToString());
    }

    [Fact]
    public async Task Lists_a_file_with_encapsulated_pixel_data_and_a_warning_as_before()
    {
        var file = await DumpSamples.ReadEncapsulatedSampleAsync();
        var output = new StringWriter { NewLine = "\n" };

        DicomDumpWriter.WriteFile(output, file);

        // The group length and the implementation's UID and version change with RadAI's version.
        var lines = output.ToString().Split('\n').Where(l => !l.StartsWith("(0002,0000)", StringComparison.Ordinal)
            && !l.StartsWith("(0002,0012)", StringComparison.Ordinal) && !l.StartsWith("(0002,0013)", StringComparison.Ordinal));
        Assert.Equal(EncapsulatedListing, string.Join('\n', lines));
    }

    [Fact]
    public async Task Writes_the_listing_in_a_few_large_writes()
    {
        var file = await DumpSamples.ReadValuesSampleAsync();
        var output = new CountingWriter();

        DicomDumpWriter.WriteFile(output, file);

        Assert.True(output.Text.Split('\n').Length > 70, "the listing has its lines");
        Assert.Equal(1, output.Writes);
    }

    /// <summary>Counts the calls that reach the writer (each is a system call on an unbuffered console).</summary>
    private sealed class CountingWriter : StringWriter
    {
        public int Writes { get; private set; }

        public string Text => ToString();

        public override void Write(char value)
        {
            Writes++;
            base.Write(value);
        }

        public override void Write(char[] buffer, int index, int count)
        {
            Writes++;
            base.Write(buffer, index, count);
        }

        public override void Write(ReadOnlySpan<char> buffer)
        {
            Writes++;
            base.Write(buffer);
        }

        public override void Write(string? value)
        {
            Writes++;
            base.Write(value);
        }
    }

    private const string ValuesListing = """
        (0008,0005) CS [ISO_IR 100]                             #  10, 1 SpecificCharacterSet
        (0008,0008) CS [ORIGINAL\PRIMARY\AXIAL]                 #  24, 3 ImageType
        (0008,0016) UI =CTImageStorage                          #  26, 1 SOPClassUID
        (0008,0018) UI [1.2.826.0.1.3680043.2.1125.1]           #  28, 1 SOPInstanceUID
        (0008,001a) UI =CTImageStorage\[1.2.3.4]                #  34, 2 RelatedGeneralSOPClassUID
        (0008,0050) SH []                                       #   4, 0 AccessionNumber
        (0008,0090) PN (no value available)                     #   0, 0 ReferringPhysicianName
        (0008,1032) SQ (Sequence with undefined length #=2)     # u/l, 2 ProcedureCodeSequence
          (fffe,e000) na (Item with undefined length #=3)       #    , 1 Item
            (0008,0100) SH [113100]                             #   6, 1 CodeValue
            (0008,0102) SH [DCM]                                #   4, 1 CodingSchemeDesignator
            (0008,0104) LO [Basic Application Confidentiality Profile] #  42, 1 CodeMeaning
          (fffe,e00d) na (ItemDelimitationItem)                 #   0, 0 ItemDelimitationItem
          (fffe,e000) na (Item with undefined length #=0)       #    , 1 Item
          (fffe,e00d) na (ItemDelimitationItem)                 #   0, 0 ItemDelimitationItem
        (fffe,e0dd) na (SequenceDelimitationItem)               #   0, 0 SequenceDelimitationItem
        (0008,103e) LO [short]                                  #   6, 1 SeriesDescription
        (0008,1110) SQ (Sequence with undefined length #=0)     # u/l, 0 ReferencedStudySequence
        (fffe,e0dd) na (SequenceDelimitationItem)               #   0, 0 SequenceDelimitationItem
        (0008,9092) SQ (Sequence with undefined length #=1)     # u/l, 1 ReferencedImageEvidenceSequence
          (fffe,e000) na (Item with undefined length #=1)       #    , 1 Item
            (0008,1115) SQ (Sequence with undefined length #=1) # u/l, 1 ReferencedSeriesSequence
              (fffe,e000) na (Item with undefined length #=1)   #    , 1 Item
                (0008,114a) SQ (Sequence with undefined length #=1) # u/l, 1 ReferencedInstanceSequence
                  (fffe,e000) na (Item with undefined length #=2) #    , 1 Item
                    (0008,1150) UI =CTImageStorage              #  26, 1 ReferencedSOPClassUID
                    (0008,1155) UI [1.2.826.0.1.3680043.2.1125.99] #  30, 1 ReferencedSOPInstanceUID
                  (fffe,e00d) na (ItemDelimitationItem)         #   0, 0 ItemDelimitationItem
                (fffe,e0dd) na (SequenceDelimitationItem)       #   0, 0 SequenceDelimitationItem
              (fffe,e00d) na (ItemDelimitationItem)             #   0, 0 ItemDelimitationItem
            (fffe,e0dd) na (SequenceDelimitationItem)           #   0, 0 SequenceDelimitationItem
          (fffe,e00d) na (ItemDelimitationItem)                 #   0, 0 ItemDelimitationItem
        (fffe,e0dd) na (SequenceDelimitationItem)               #   0, 0 SequenceDelimitationItem
        (0009,0010) LO [RADAI DUMP TEST]                        #  16, 1 PrivateCreator
        (0009,1001) FD 3.14159\-1E-07\1.23457E+07\0.333333\2.5E+300\42\-0\7.25 #  64, 8 PrivateTag
        (0009,1002) FL 0.1                                      #   4, 1 PrivateTag
        (0009,1003) OB 1\2\3\255                                #   4, 4 PrivateTag
        (0009,1004) OW 4660\65535                               #   4, 2 PrivateTag
        (0009,1005) UN 222\173                                  #   2, 2 PrivateTag
        (0009,1006) OF bfc00000\40000000                        #   8, 1 PrivateTag
        (0009,1007) SL -70000\5                                 #   8, 2 PrivateTag
        (0009,1008) UL 4000000000                               #   4, 1 PrivateTag
        (0009,1009) UV 18446744073709551615\1                   #  16, 2 PrivateTag
        (0009,100a) OD 0                                        #   8, 1 PrivateTag
        (0009,100b) OB 0\1\2\3\4\5\6\7\8\9\10\11\12\13\14\15\16\17\18\19\20\21\22\23... # 100, 100 PrivateTag
        (0009,100c) AT (0010,0010)\(0010,0011)\(0010,0012)\(0010,0013)\(0010,0014)\(... #  48, 12 PrivateTag
        (0009,100d) SV -9223372036854775808                     #   8, 1 PrivateTag
        (0010,0010) PN [Müller^Jürgen]                          #  14, 1 PatientName
        (0010,1000) LO [A\B\C\D\E\F\G\H\I\J\K\L\M\N\O\P\Q\R\S\T\U\V\W\X\Y\Z\AA\BB\CC... #  72, 33 OtherPatientIDs
        (0010,4000) LT [  leading spaces stay, trailing ones go] #  42, 1 PatientComments
        (0018,fff2) LO [not in the dictionary]                  #  22, 1 Unknown Tag & Data
        (0020,0013) IS [7]                                      #   2, 1 InstanceNumber
        (0020,4000) LT [xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx and a tail that run... #  88, 1 ImageComments
        (0028,0009) AT (0018,1063)\(0020,1041)                  #   8, 2 FrameIncrementPointer
        (0028,0010) US 16                                       #   2, 1 Rows
        (0028,0011) US 16                                       #   2, 1 Columns
        (0028,0030) DS [0.5\-2.25]                              #  12, 2 PixelSpacing
        (0028,0106) SS -5                                       #   2, 1 SmallestImagePixelValue
        (7fe0,0010) OW (not loaded: 600 bytes)                  # 600, 1 PixelData

        """;

    private const string EncapsulatedListing = """

        # Dicom-File-Format

        # Dicom-Meta-Information-Header
        # Used TransferSyntax: Little Endian Explicit
        (0002,0001) OB 0\1                                      #   2, 2 FileMetaInformationVersion
        (0002,0002) UI =SecondaryCaptureImageStorage            #  26, 1 MediaStorageSOPClassUID
        (0002,0003) UI [1.2.826.0.1.3680043.2.1125.2]           #  28, 1 MediaStorageSOPInstanceUID
        (0002,0010) UI =JPEGBaseline8Bit                        #  22, 1 TransferSyntaxUID

        # Dicom-Data-Set
        # Used TransferSyntax: JPEG Baseline (Process 1)
        (0008,0016) UI =SecondaryCaptureImageStorage            #  26, 1 SOPClassUID
        (0008,0018) UI [1.2.826.0.1.3680043.2.1125.2]           #  28, 1 SOPInstanceUID
        (7fe0,0010) OB (PixelSequence #=10)                     # u/l, 1 PixelData
          (fffe,e000) pi 00000000\00000012\00000024\00000036\00000048\0000005a\0000006c\0000007e #  36, 1 Item
          (fffe,e000) pi (fragment)                             #  10, 1 Item
          (fffe,e000) pi (fragment)                             #  10, 1 Item
          (fffe,e000) pi (fragment)                             #  10, 1 Item
          (fffe,e000) pi (fragment)                             #  10, 1 Item
          (fffe,e000) pi (fragment)                             #  10, 1 Item
          (fffe,e000) pi (fragment)                             #  10, 1 Item
          (fffe,e000) pi (fragment)                             #  10, 1 Item
          (fffe,e000) pi (fragment)                             #  10, 1 Item
          (fffe,e000) pi (fragment)                             #  10, 1 Item
        (fffe,e0dd) na (SequenceDelimitationItem)               #   0, 0 SequenceDelimitationItem
        # Warning: No preamble: the file starts with the meta group.

        """;
}
