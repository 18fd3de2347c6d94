using System.Reflection;
using Xunit;

namespace RadAI.Dicom.Tests.Dictionary;

/// <summary>The generated UID registry (dicom_uids.tsv).</summary>
public sealed class DicomUidsTests
{
    [Fact]
    public void CT_image_storage_is_a_SOP_class()
    {
        Assert.Equal("1.2.840.10008.5.1.4.1.1.2", DicomUids.CTImageStorage);

        Assert.True(DicomUids.TryGetInfo(DicomUids.CTImageStorage, out var info));
        Assert.Equal("CTImageStorage", info.Keyword);
        Assert.Equal("CT Image Storage", info.Name);
        Assert.Equal("SOP Class", info.Type);
        Assert.Equal("CT Image", info.IodOrCid);
        Assert.True(info.IsSopClass);
        Assert.False(info.IsTransferSyntax);
        Assert.False(info.IsRetired);
        Assert.Equal("CT Image Storage", DicomUids.NameOf("1.2.840.10008.5.1.4.1.1.2"));
    }

    [Fact]
    public void Retired_flags_come_from_the_table()
    {
        Assert.Equal("1.2.840.10008.1.2.2", DicomUids.ExplicitVRBigEndian);
        Assert.True(DicomUids.TryGetInfo(DicomUids.ExplicitVRBigEndian, out var bigEndian));
        Assert.True(bigEndian.IsRetired);
        Assert.True(bigEndian.IsTransferSyntax);

        Assert.True(DicomUids.TryGetInfo("1.2.840.10008.5.1.4.1.1.6", out var ultrasound));
        Assert.Equal(("UltrasoundImageStorageRetired", true), (ultrasound.Keyword, ultrasound.IsRetired));

        Assert.True(DicomUids.TryGetInfo(DicomUids.ExplicitVRLittleEndian, out var littleEndian));
        Assert.False(littleEndian.IsRetired);
        Assert.Equal(94, DicomUids.All.Count(u => u.IsRetired));
    }

    [Fact]
    public void Context_group_UIDs_name_their_CID_and_have_no_constant()
    {
        Assert.True(DicomUids.TryGetInfo("1.2.840.10008.6.1.37", out var laterality));
        Assert.Equal(("", "Laterality", "Context Group UID", "CID 244"), (laterality.Keyword, laterality.Name, laterality.Type, laterality.IodOrCid));
    }

    [Fact]
    public void Unknown_UIDs_are_not_found()
    {
        Assert.False(DicomUids.TryGetInfo("1.2.3.4", out var info));
        Assert.Null(info);
        Assert.Equal("1.2.3.4", DicomUids.NameOf("1.2.3.4"));
    }

    [Fact]
    public void The_registry_holds_every_row_of_the_table()
    {
        var rows = Tables.Read("dicom_uids.tsv");
        Assert.Equal(1986, rows.Count);
        Assert.Equal(1986, DicomUids.All.Count());
        foreach (var row in rows)
        {
            Assert.True(DicomUids.TryGetInfo(row["uid"], out var info), row["uid"]);
            Assert.Equal(
                (row["keyword"], row["name"], row["type"], row["info"], row["retired"] == "Y", row["iod_or_cid"]),
                (info.Keyword, info.Name, info.Type, info.Info, info.IsRetired, info.IodOrCid));
        }
    }

    [Fact]
    public void There_is_one_constant_per_keyword_of_the_table()
    {
        var constants = typeof(DicomUids).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral)
            .ToDictionary(f => f.Name, f => (string)f.GetRawConstantValue()!, StringComparer.Ordinal);
        var rows = Tables.Read("dicom_uids.tsv").Where(r => r["keyword"].Length > 0).ToList();

        Assert.Equal(515, rows.Count);
        Assert.Equal(rows.Count, constants.Count);
        Assert.All(rows, row => Assert.Equal(row["uid"], constants[row["keyword"]]));
    }
}
