using System.Globalization;
using System.Text.RegularExpressions;
using RadAI.Contracts;
using RadAI.Inference.Packages;

namespace RadAI.Inference.Routing;

/// <summary>What routing knows of a series: the event's attributes and a few read from one of its instances.</summary>
public sealed record SeriesFacts(
    string SeriesInstanceUid,
    string Modality,
    string SopClassUid,
    int InstanceCount,
    string? BodyPartExamined,
    string? SeriesDescription,
    double? SliceThicknessMm,
    bool HasContrast,
    int NumberOfFrames);

/// <summary>Which packages run on which series, and why (the decisions are recorded on the job).</summary>
public static class RoutingEngine
{
    /// <summary>
    /// Evaluates every (series, package) pair; the first rule a series fails is the reason it is not selected. Each
    /// package of <paramref name="disabled"/> (the profile allows it, but it is disabled) is recorded as not selected
    /// for every series, with that reason.
    /// </summary>
    public static IReadOnlyList<RoutingDecision> Decide(IEnumerable<SeriesFacts> series, IEnumerable<ModelPackage> packages, IEnumerable<ModelPackage>? disabled = null)
    {
        var decisions = new List<RoutingDecision>();
        var candidates = packages.ToList();
        var off = disabled?.ToList() ?? [];
        foreach (var facts in series)
        {
            foreach (var package in candidates)
            {
                var failure = FirstFailure(facts, package.Manifest.Select);
                decisions.Add(new RoutingDecision(facts.SeriesInstanceUid, package.Id, failure is null, failure ?? "every selection rule matched"));
            }

            foreach (var package in off)
            {
                decisions.Add(new RoutingDecision(facts.SeriesInstanceUid, package.Id, false, DisabledReason));
            }
        }

        return decisions;
    }

    /// <summary>The reason recorded for a disabled package.</summary>
    public const string DisabledReason = "package disabled (Inference:DisabledPackages or /api/models)";

    /// <summary>The first selection rule <paramref name="facts"/> does not meet, or null when it meets them all.</summary>
    public static string? FirstFailure(SeriesFacts facts, SelectionRules rules)
    {
        if (!rules.Modalities.Contains(facts.Modality, StringComparer.OrdinalIgnoreCase))
        {
            return $"modality {facts.Modality} not in [{string.Join(", ", rules.Modalities)}]";
        }

        if (rules.SopClasses.Count > 0 && !rules.SopClasses.Contains(facts.SopClassUid))
        {
            return $"SOP class {facts.SopClassUid} not accepted";
        }

        if (rules.BodyParts.Count > 0)
        {
            if (string.IsNullOrWhiteSpace(facts.BodyPartExamined))
            {
                if (!rules.AllowMissingBodyPart)
                {
                    return "no Body Part Examined";
                }
            }
            else if (!rules.BodyParts.Contains(facts.BodyPartExamined.Trim(), StringComparer.OrdinalIgnoreCase))
            {
                return $"body part {facts.BodyPartExamined} not in [{string.Join(", ", rules.BodyParts)}]";
            }
        }

        if (rules.SeriesDescription is { } pattern && !Regex.IsMatch(facts.SeriesDescription ?? "", pattern, RegexOptions.None, TimeSpan.FromSeconds(1)))
        {
            return $"series description '{facts.SeriesDescription}' does not match {pattern}";
        }

        var slices = Math.Max(facts.InstanceCount, facts.NumberOfFrames);
        if (slices < rules.MinSlices)
        {
            return $"{slices} slices, fewer than {rules.MinSlices}";
        }

        if (rules.SliceThicknessMm is { } range && (range.Min is not null || range.Max is not null))
        {
            if (facts.SliceThicknessMm is not { } thickness)
            {
                return "no Slice Thickness";
            }

            if (!range.Contains(thickness))
            {
                return $"slice thickness {thickness.ToString("0.##", CultureInfo.InvariantCulture)} mm outside {range} mm";
            }
        }

        return rules.Contrast switch
        {
            "with" when !facts.HasContrast => "no contrast agent, the package needs one",
            "without" when facts.HasContrast => "contrast agent present, the package needs none",
            _ => null,
        };
    }
}
