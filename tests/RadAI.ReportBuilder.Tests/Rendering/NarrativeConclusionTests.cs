using RadAI.Contracts.Findings;
using RadAI.ReportBuilder.Rendering;
using RadAI.Testing;
using Xunit;

namespace RadAI.ReportBuilder.Tests.Rendering;

public sealed class NarrativeConclusionTests : IAsyncLifetime, IDisposable
{
    private readonly TemporaryDirectory _folder = new("radai-narrative");
    private AnalysisResults _results = null!;

    public async Task InitializeAsync() => _results = (await SyntheticChestCt.WriteAsync(_folder.Path)).Results;

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void The_French_conclusion_gives_the_findings_with_French_numbers_and_the_warnings()
    {
        var text = NarrativeConclusion.Write(_results, "fr");
        var lines = text.Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("CT lung quantification (modèle ct-lung-quant, version 1.2.0, statut\u00a0: démonstration).", lines[0]);
        Assert.Contains("Poumon droit\u00a0: volume 2,6\u00a0L, atténuation moyenne -862\u00a0UH, %LAA-950 (voxels < -950 UH) 12,4\u00a0%, perc15 (15e percentile de densité) -915\u00a0UH.", lines[0]);
        Assert.Contains("Poumon gauche\u00a0: volume 2,2\u00a0L", lines[0]);
        Assert.Contains("Deux poumons\u00a0: volume 4,8\u00a0L", lines[0]);
        Assert.Contains("Nodule 3\u00a0: diamètre 8,3\u00a0mm, probabilité moyenne du modèle 0,873.", lines[0]);
        Assert.Contains("Remarque\u00a0: La région atteint la première ou la dernière coupe", lines[0]);
        Assert.DoesNotContain("Trachée", lines[0]);
        Assert.Equal("Résultat non validé, produit par un algorithme d'IA\u00a0: il doit être interprété par un radiologue.", lines[1]);
    }

    [Fact]
    public void The_English_conclusion_uses_English_words_and_numbers()
    {
        var text = NarrativeConclusion.Write(_results, "en");
        Assert.Contains("Right lung: volume 2.6\u00a0L, mean attenuation -862\u00a0HU", text);
        Assert.Contains("Both lungs: volume 4.8\u00a0L", text);
        Assert.Contains("Remark: A lung reaches the first or last slice", text);
        Assert.Contains("status: demonstration", text);
        Assert.DoesNotContain("Poumon", text);
    }

    [Fact]
    public void Many_lesions_are_counted_rather_than_listed_and_no_run_is_said()
    {
        var run = _results.Runs[0];
        var nodule = run.Findings[3];
        var many = Enumerable.Range(1, NarrativeConclusion.LesionsPerRun + 3).Select(n => nodule with { Id = $"candidate-{n}", SegmentNumber = n });
        var text = NarrativeConclusion.Write(_results with { Runs = [run with { Findings = [.. many] }] }, "fr");
        Assert.Contains($"Nodule {NarrativeConclusion.LesionsPerRun}\u00a0:", text);
        Assert.DoesNotContain($"Nodule {NarrativeConclusion.LesionsPerRun + 1}\u00a0:", text);
        Assert.Contains("3 autre(s) élément(s) figurent dans le tableau des résultats.", text);

        var none = NarrativeConclusion.Write(_results with { Runs = [] }, "fr");
        Assert.StartsWith("Aucune analyse par IA n'a abouti", none);
    }
}
