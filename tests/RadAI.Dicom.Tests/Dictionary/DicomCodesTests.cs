using System.Reflection;
using Xunit;

namespace RadAI.Dicom.Tests.Dictionary;

/// <summary>The generated codes: DCM (dicom_dcm_codes.tsv), context groups (dicom_cids.tsv, dicom_cid_members.tsv), SR starter set.</summary>
public sealed class DicomCodesTests
{
    [Fact]
    public void Dcm_codes_are_named_after_their_meaning()
    {
        Assert.Equal(new DicomCode("DCM", "126000", "Imaging Measurement Report"), DcmCodes.ImagingMeasurementReport);
        Assert.Equal(new DicomCode("DCM", "109001", "Digital timecode (NOS)"), DcmCodes.DigitalTimecodeNOS);
        Assert.Equal(new DicomCode("DCM", "121071", "Finding"), DcmCodes.Finding);
        Assert.Equal(new DicomCode("DCM", "CT", "Computed Tomography"), DcmCodes.ComputedTomography);
    }

    [Fact]
    public void Dcm_code_names_starting_with_a_digit_get_a_Code_prefix()
    {
        Assert.Equal(new DicomCode("DCM", "109014", "35% of thermal/dye dilution CO"), DcmCodes.Code35OfThermalDyeDilutionCO);
    }

    [Fact]
    public void Colliding_dcm_code_names_all_get_their_code_value_as_suffix()
    {
        Assert.Equal(new DicomCode("DCM", "110010", "Film"), DcmCodes.Film_110010);
        Assert.Equal(new DicomCode("DCM", "113951", "Film"), DcmCodes.Film_113951);
        Assert.Equal(new DicomCode("DCM", "112300", "AP+45"), DcmCodes.AP45_112300);
        Assert.Equal(new DicomCode("DCM", "112301", "AP-45"), DcmCodes.AP45_112301);
        Assert.Null(typeof(DcmCodes).GetProperty("Film"));
    }

    [Fact]
    public void Every_dcm_code_of_the_table_has_a_property()
    {
        var rows = Tables.Read("dicom_dcm_codes.tsv");
        var codes = typeof(DcmCodes).GetProperties(BindingFlags.Public | BindingFlags.Static)
            .Select(p => (DicomCode)p.GetValue(null)!)
            .ToDictionary(c => c.Value, StringComparer.Ordinal);

        Assert.Equal(5146, rows.Count);
        Assert.Equal(rows.Count, codes.Count);
        Assert.All(rows, row => Assert.Equal(new DicomCode("DCM", row["code_value"], row["code_meaning"]), codes[row["code_value"]]));
    }

    [Fact]
    public void Laterality_CID_244_expands_its_include_of_CID_247_in_place()
    {
        // CID 244 = include CID 247 (Right, Left), then Bilateral, Unilateral.
        var group = DicomContextGroups.Get(244);

        Assert.Equal(("Laterality", "1.2.840.10008.6.1.37", "20030108"), (group.Name, group.Uid, group.Version));
        Assert.Equal(
            [
                new DicomCode("SCT", "24028007", "Right"),
                new DicomCode("SCT", "7771000", "Left"),
                new DicomCode("SCT", "51440002", "Bilateral"),
                new DicomCode("SCT", "66459002", "Unilateral"),
            ],
            group.Codes);
        Assert.True(group.Contains(new DicomCode("SCT", "7771000", "another meaning")));
        Assert.False(group.Contains(new DicomCode("DCM", "7771000", "Left")));
    }

    [Fact]
    public void Nested_includes_are_expanded_recursively_without_duplicates()
    {
        // CID 211 = include 245 (= include 244 (= include 247), Median), include 212 (which has Median again).
        var group = DicomContextGroups.Get(211);

        Assert.Equal(
            [
                "Right", "Left", "Bilateral", "Unilateral", "Median", "Anterior", "Central", "Distal", "Inferior",
                "Lateral", "Middle", "Mid-longitudinal", "Posterior", "Proximal", "Superior",
            ],
            group.Codes.Select(c => c.Meaning));
        Assert.Single(group.Codes, c => c.Value == "130290");

        // CID 9269 includes 9552, 9557 and 9559, which all hold {MU}.
        Assert.Equal(["{MU}", "s"], DicomContextGroups.Get(9269).Codes.Select(c => c.Value));
    }

    [Fact]
    public void An_include_of_a_CID_missing_from_the_table_adds_nothing()
    {
        // CID 7192 includes CID 7163, which dicom_cids.tsv does not have.
        Assert.False(DicomContextGroups.TryGet(7163, out _));
        var group = DicomContextGroups.Get(7192);
        Assert.Equal("Anatomical Structure Segmentation Property Type", group.Name);
        Assert.NotEmpty(group.Codes);
    }

    [Fact]
    public void A_missing_version_is_empty()
    {
        // dicom_cids.tsv writes "None" for CID 7477's missing UID and version.
        var group = DicomContextGroups.Get(7477);
        Assert.Equal(("Global Shape Descriptor", "", ""), (group.Name, group.Uid, group.Version));
    }

    [Fact]
    public void Unknown_CIDs_are_not_found()
    {
        Assert.False(DicomContextGroups.TryGet(999999, out var group));
        Assert.Null(group);
        Assert.Throws<KeyNotFoundException>(() => DicomContextGroups.Get(1));
    }

    [Fact]
    public void Every_CID_of_the_table_is_listed_in_table_order()
    {
        var rows = Tables.Read("dicom_cids.tsv");

        Assert.Equal(1434, rows.Count);
        Assert.Equal(rows.Select(r => int.Parse(r["cid"], System.Globalization.CultureInfo.InvariantCulture)), DicomContextGroups.Cids);
        foreach (var row in rows)
        {
            var group = DicomContextGroups.Get(int.Parse(row["cid"], System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(row["name"], group.Name);
            Assert.Equal(row["context_group_uid"], group.Uid);
        }
    }

    [Fact]
    public void Groups_without_includes_hold_exactly_their_rows()
    {
        var members = Tables.Read("dicom_cid_members.tsv").GroupBy(r => r["cid"], StringComparer.Ordinal);
        var checkedGroups = 0;
        foreach (var rows in members.Where(g => g.All(r => r["row_type"] == "code")))
        {
            var group = DicomContextGroups.Get(int.Parse(rows.Key, System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(
                rows.Select(r => new DicomCode(r["coding_scheme_designator"], r["code_value"], r["code_meaning"])),
                group.Codes);
            checkedGroups++;
        }

        Assert.True(checkedGroups > 1000, $"only {checkedGroups} groups checked");
    }

    [Fact]
    public void Sr_codes_are_grouped_in_nested_classes()
    {
        Assert.Equal(new DicomCode("DCM", "126000", "Imaging Measurement Report"), SrCodes.Report.ImagingMeasurementReport);
        Assert.Equal(new DicomCode("UMLS", "C0034375", "Qualitative Evaluations"), SrCodes.Report.QualitativeEvaluations);
        Assert.Equal(new DicomCode("SCT", "363698007", "Finding Site"), SrCodes.Group.FindingSite);
        Assert.Equal(new DicomCode("SCT", "410668003", "Length"), SrCodes.Measurement.Length);
        Assert.Equal(new DicomCode("UCUM", "mm", "mm"), SrCodes.Unit.Mm);
        Assert.Equal(new DicomCode("UCUM", "[hnsf'U]", "Hounsfield unit"), SrCodes.Unit.HounsfieldUnit);
        Assert.Equal(new DicomCode("UCUM", "1", "no units"), SrCodes.Unit.NoUnits);
        Assert.Equal(new DicomCode("SCT", "7771000", "Left"), SrCodes.Value.Left);
        Assert.Equal(new DicomCode("SCT", "39607008", "Lung"), SrCodes.Anatomy.Lung);
        Assert.Equal(new DicomCode("SCT", "27925004", "Nodule"), SrCodes.Finding.Nodule);
        Assert.Equal(new DicomCode("LN", "18748-4", "Diagnostic Imaging Report"), SrCodes.Title.DiagnosticImagingReport);
        Assert.Equal(new DicomCode("LN", "25045-6", "CT unspecified body region"), SrCodes.Procedure.CTUnspecifiedBodyRegion);
        Assert.Equal(SrCodes.Report.ImagingMeasurementReport, DcmCodes.ImagingMeasurementReport);
    }

    [Fact]
    public void Every_sr_code_of_the_table_has_a_property()
    {
        var rows = Tables.Read("sr_common_codes.tsv");
        var codes = typeof(SrCodes).GetNestedTypes()
            .SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Static))
            .Select(p => (DicomCode)p.GetValue(null)!)
            .ToList();

        Assert.Equal(100, rows.Count);
        Assert.Equal(
            rows.Select(r => new DicomCode(r["coding_scheme_designator"], r["code_value"], r["code_meaning"])).OrderBy(c => c.ToString(), StringComparer.Ordinal),
            codes.OrderBy(c => c.ToString(), StringComparer.Ordinal));
    }
}
