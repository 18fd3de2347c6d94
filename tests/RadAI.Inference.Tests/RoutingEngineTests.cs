using RadAI.Inference.Packages;
using RadAI.Inference.Routing;
using Xunit;

namespace RadAI.Inference.Tests;

public sealed class RoutingEngineTests
{
    private static readonly SeriesFacts ChestCt = new("1.2.3", "CT", "1.2.840.10008.5.1.4.1.1.2", 120, "CHEST", "Thorax 1.25mm", 1.25, false, 1);

    private static readonly SelectionRules Rules = new()
    {
        Modalities = ["CT"],
        BodyParts = ["CHEST", "LUNG"],
        AllowMissingBodyPart = false,
        SopClasses = ["1.2.840.10008.5.1.4.1.1.2"],
        SeriesDescription = "(?i)^(?!.*scout)",
        MinSlices = 40,
        SliceThicknessMm = new NumberRange(0.5, 3),
        Contrast = "without",
    };

    [Fact]
    public void A_series_meeting_every_rule_is_selected() => Assert.Null(RoutingEngine.FirstFailure(ChestCt, Rules));

    public static TheoryData<SeriesFacts, string> Failures => new()
    {
        { ChestCt with { Modality = "MR" }, "modality MR not in [CT]" },
        { ChestCt with { SopClassUid = "1.2.840.10008.5.1.4.1.1.7" }, "SOP class 1.2.840.10008.5.1.4.1.1.7 not accepted" },
        { ChestCt with { BodyPartExamined = "ABDOMEN" }, "body part ABDOMEN not in [CHEST, LUNG]" },
        { ChestCt with { BodyPartExamined = null }, "no Body Part Examined" },
        { ChestCt with { SeriesDescription = "Scout" }, "series description 'Scout' does not match (?i)^(?!.*scout)" },
        { ChestCt with { InstanceCount = 12 }, "12 slices, fewer than 40" },
        { ChestCt with { SliceThicknessMm = 5 }, "slice thickness 5 mm outside [0.5, 3] mm" },
        { ChestCt with { SliceThicknessMm = null }, "no Slice Thickness" },
        { ChestCt with { HasContrast = true }, "contrast agent present, the package needs none" },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void The_first_rule_a_series_fails_is_its_reason(SeriesFacts facts, string reason) =>
        Assert.Equal(reason, RoutingEngine.FirstFailure(facts, Rules));

    [Fact]
    public void An_open_slice_thickness_range_accepts_images_without_slice_thickness()
    {
        // DX and MG images have no Slice Thickness; a manifest range with neither bound must not require one.
        var radiograph = new SeriesFacts("1.2.5", "DX", "1.2.840.10008.5.1.4.1.1.1.1", 1, "CHEST", "PA", null, false, 1);
        var rules = new SelectionRules { Modalities = ["DX"], SliceThicknessMm = new NumberRange(null, null) };
        Assert.Null(RoutingEngine.FirstFailure(radiograph, rules));
        Assert.Equal("no Slice Thickness", RoutingEngine.FirstFailure(radiograph, rules with { SliceThicknessMm = new NumberRange(null, 3) }));
    }

    [Fact]
    public void A_multi_frame_instance_counts_its_frames_as_slices() =>
        Assert.Null(RoutingEngine.FirstFailure(ChestCt with { InstanceCount = 1, NumberOfFrames = 200 }, Rules));

    [Fact]
    public void Every_series_and_package_pair_gets_a_decision()
    {
        var manifest = TestPackages.Manifest("test.a") with { Select = Rules };
        var other = TestPackages.Manifest("test.b") with { Select = new SelectionRules { Modalities = ["MR"] } };
        var decisions = RoutingEngine.Decide([ChestCt, ChestCt with { SeriesInstanceUid = "1.2.4", InstanceCount = 3 }],
            [new ModelPackage(manifest, "/x"), new ModelPackage(other, "/y")]);
        Assert.Equal(4, decisions.Count);
        Assert.Single(decisions, d => d.Selected);
        Assert.Equal(("1.2.3", "test.a"), decisions.Single(d => d.Selected) is var d1 ? (d1.SeriesInstanceUid, d1.ModelId) : default);
    }

    [Fact]
    public void A_disabled_package_is_recorded_for_every_series_as_not_selected_with_the_reason_even_where_its_rules_match()
    {
        var enabled = new ModelPackage(TestPackages.Manifest("test.a") with { Select = new SelectionRules { Modalities = ["MR"] } }, "/x");
        var disabled = new ModelPackage(TestPackages.Manifest("test.off") with { Select = Rules }, "/y");
        var decisions = RoutingEngine.Decide([ChestCt, ChestCt with { SeriesInstanceUid = "1.2.4" }], [enabled], [disabled]);
        Assert.Equal(
            [("1.2.3", "test.a", false, "modality CT not in [MR]"), ("1.2.3", "test.off", false, RoutingEngine.DisabledReason),
             ("1.2.4", "test.a", false, "modality CT not in [MR]"), ("1.2.4", "test.off", false, RoutingEngine.DisabledReason)],
            decisions.Select(d => (d.SeriesInstanceUid, d.ModelId, d.Selected, d.Reason)));
    }
}
