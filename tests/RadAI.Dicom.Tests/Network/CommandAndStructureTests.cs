using RadAI.Dicom.IO;
using RadAI.Dicom.Network;
using Xunit;

namespace RadAI.Dicom.Tests.Network;

/// <summary>
/// The two small codecs of the hot path: DIMSE commands (group 0000, implicit VR little endian) and the structure check
/// that validates a received data set as it streams to disk.
/// </summary>
public sealed class CommandAndStructureTests
{
    [Fact]
    public async Task Command_encoding_matches_the_general_writer_and_decodes_back()
    {
        var command = DimseCommand.StoreRequest(7, DicomUids.CTImageStorage, "1.2.3.4.5", priority: 2, moveOriginatorAe: "MOVER", moveOriginatorMessageId: 9);
        var bytes = command.Encode();

        // What the general data set reader reads from it: group 0000 only, the group length right, the values.
        var dataset = await DicomFile.ReadDatasetAsync(bytes, DicomTransferSyntax.ImplicitVRLittleEndian);
        Assert.All(dataset, e => Assert.Equal(0x0000, e.Tag.Group));
        Assert.Equal((uint)(bytes.Length - 12), BitConverter.ToUInt32(bytes, 8));
        Assert.Equal("1.2.3.4.5", dataset.GetString(DicomTags.AffectedSOPInstanceUID));
        Assert.Equal(DicomUids.CTImageStorage, dataset.GetString(DicomTags.AffectedSOPClassUID));
        Assert.True(bytes.Length % 2 == 0);

        var decoded = DimseCommand.Decode(bytes);
        Assert.Equal(DimseCommandField.CStoreRequest, decoded.CommandField);
        Assert.Equal(7, decoded.MessageId);
        Assert.Equal(2, decoded.Priority);
        Assert.True(decoded.HasDataSet);
        Assert.Equal(DicomUids.CTImageStorage, decoded.AffectedSopClassUid);
        Assert.Equal("1.2.3.4.5", decoded.AffectedSopInstanceUid);
        Assert.Equal("MOVER", decoded.MoveOriginatorAeTitle);

        var response = DimseCommand.Decode(DimseCommand.ResponseTo(decoded, DimseStatus.CannotUnderstand, "bad\\value").Encode());
        Assert.Equal(DimseCommandField.CStoreResponse, response.CommandField);
        Assert.Equal(7, response.MessageIdBeingRespondedTo);
        Assert.False(response.HasDataSet);
        Assert.Equal(DimseStatus.CannotUnderstand, response.Status);
        Assert.Equal("bad/value", response.ErrorComment);
        Assert.Equal("1.2.3.4.5", response.AffectedSopInstanceUid);
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 0x00, 0x00, 0x00, 0x01, 0x02, 0x00 })]
    [InlineData(new byte[] { 0x08, 0x00, 0x16, 0x00, 0x02, 0x00, 0x00, 0x00, 0x31, 0x00 })]
    [InlineData(new byte[] { 0x00, 0x00, 0x00, 0x01, 0x10, 0x00, 0x00, 0x00, 0x31, 0x00 })]
    [InlineData(new byte[] { 0x00, 0x00, 0x00, 0x01, 0xFF, 0xFF, 0xFF, 0xFF })]
    public void Malformed_commands_are_protocol_errors(byte[] bytes) =>
        Assert.Throws<DicomProtocolException>(() => DimseCommand.Decode(bytes));

    public static TheoryData<string> Files => new() { Corpus.CtSmall, Corpus.MrSmall, Corpus.RtPlan, Corpus.MrSmallBigEndian, Corpus.JpegBaseline, Corpus.Rle };

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Structure_check_accepts_whole_data_sets_in_any_chunking_and_refuses_every_cut(string path)
    {
        var (dataset, sopClass, sopInstance, syntaxUid) = await RawDimse.DatasetOfAsync(path);
        var syntax = DicomTransferSyntax.Lookup(syntaxUid);
        foreach (var chunk in new[] { 1, 7, 997, dataset.Length })
        {
            var check = new DataSetStructureCheck(syntax);
            for (var offset = 0; offset < dataset.Length; offset += chunk)
            {
                check.Append(dataset.AsSpan(offset, Math.Min(chunk, dataset.Length - offset)));
            }

            Assert.Null(check.Complete());
            Assert.Equal(sopClass, check.SopClassUid);
            Assert.Equal(sopInstance, check.SopInstanceUid);
        }

        // Cut short: refused; and never more lenient than the general reader (the old read-back validation): a prefix the
        // check accepts (one that ends between two top-level elements) parses.
        foreach (var missing in new[] { 1, 2, 7 })
        {
            var check = new DataSetStructureCheck(syntax);
            check.Append(dataset.AsSpan(0, dataset.Length - missing));
            Assert.NotNull(check.Complete());
        }

        for (var length = 0; length < dataset.Length; length += Math.Max(1, dataset.Length / 300))
        {
            var check = new DataSetStructureCheck(syntax);
            check.Append(dataset.AsSpan(0, length));
            if (check.Complete() is null)
            {
                await DicomFile.ReadDatasetAsync(dataset.AsMemory(0, length), syntax);
            }
        }
    }

    [Fact]
    public void Structure_check_refuses_a_header_with_no_valid_vr_and_an_unclosed_sequence()
    {
        var noVr = new DataSetStructureCheck(DicomTransferSyntax.ExplicitVRLittleEndian);
        noVr.Append([0x08, 0x00, 0x16, 0x00, 0x01, 0x02, 0x02, 0x00, 0x31, 0x00]);
        Assert.NotNull(noVr.Complete());

        var open = new DataSetStructureCheck(DicomTransferSyntax.ExplicitVRLittleEndian);
        open.Append([0x08, 0x00, 0x15, 0x11, (byte)'S', (byte)'Q', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF]);
        Assert.NotNull(open.Complete());
        open.Append([0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0]);
        Assert.Null(open.Complete());
        Assert.Null(open.SopInstanceUid);
    }
}
