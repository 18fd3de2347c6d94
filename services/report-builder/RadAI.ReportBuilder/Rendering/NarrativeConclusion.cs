using System.Text;
using RadAI.Contracts.Findings;

namespace RadAI.ReportBuilder.Rendering;

/// <summary>
/// The short conclusion of a report, written from the findings by the templates of the report language: per run, one
/// sentence naming the algorithm and its status, one sentence per finding with its main measurements rounded for reading
/// (<c>Poumon droit : volume 2,6 L, atténuation moyenne -862 UH</c>), the warnings of the run, and the reminder that the
/// result is not validated. The same text goes into the PDF and, as a string, into the SR (TID 1500 conclusion).
/// </summary>
public static class NarrativeConclusion
{
    /// <summary>Measurements of a finding given in its sentence (the table lists them all).</summary>
    public const int MeasurementsPerFinding = 4;

    /// <summary>Lesions given a sentence of their own per run (the others are counted).</summary>
    public const int LesionsPerRun = 5;

    /// <summary>The conclusion in <paramref name="language"/> (<c>fr</c> or <c>en</c>): paragraphs separated by a line feed.</summary>
    public static string Write(AnalysisResults results, string language) => Write(results, ReportStrings.For(language));

    /// <summary>The conclusion with <paramref name="strings"/>: one paragraph per run, then the reminder; separated by a line feed.</summary>
    public static string Write(AnalysisResults results, ReportStrings strings)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(strings);
        return string.Join('\n', Paragraphs(results, strings));
    }

    /// <summary>The paragraphs of the conclusion.</summary>
    public static IReadOnlyList<string> Paragraphs(AnalysisResults results, ReportStrings strings)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(strings);
        var paragraphs = new List<string>();
        if (results.Runs.Count == 0)
        {
            paragraphs.Add(strings.Narrative("noRuns"));
        }

        foreach (var run in results.Runs)
        {
            paragraphs.Add(RunParagraph(run, strings));
        }

        paragraphs.Add(strings.Narrative("status"));
        return paragraphs;
    }

    private static string RunParagraph(RunResults run, ReportStrings strings)
    {
        var text = new StringBuilder();
        text.Append(strings.Narrative("run", run.Model.Name, run.Model.Id, run.Model.Version, strings.StatusShort(run.Model.Status)));
        var measured = run.Findings.Where(f => f.Measurements.Count > 0).ToList();
        if (measured.Count == 0)
        {
            text.Append(' ').Append(strings.Narrative("noFindings"));
        }

        var lesions = 0;
        var lesionsLeft = 0;
        foreach (var finding in measured)
        {
            if (finding.Kind == "lesion" && ++lesions > LesionsPerRun)
            {
                lesionsLeft++;
                continue;
            }

            var measures = finding.Measurements
                .Take(MeasurementsPerFinding)
                .Select(m => strings.Narrative("measurement", LowerFirst(strings.Measurement(m)), strings.Quantity(m.Value, m.Unit)));
            text.Append(' ').Append(strings.Narrative("finding", strings.FindingName(finding), string.Join(strings.Narrative("separator"), measures)));
        }

        if (lesionsLeft > 0)
        {
            text.Append(' ').Append(strings.Narrative("moreLesions", lesionsLeft));
        }

        foreach (var note in run.Notes.Where(n => n.Severity == "warning"))
        {
            text.Append(' ').Append(strings.Narrative("note", strings.Note(note)));
        }

        return text.ToString();
    }

    /// <summary><c>Volume</c> → <c>volume</c> inside a sentence; acronyms (<c>DI</c>, <c>%LAA</c>) stay as they are.</summary>
    private static string LowerFirst(string text) =>
        text.Length >= 2 && char.IsUpper(text[0]) && !char.IsUpper(text[1])
            ? char.ToLowerInvariant(text[0]) + text[1..]
            : text;
}
