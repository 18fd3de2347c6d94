using Microsoft.Extensions.Options;
using RadAI.Api.Apis;
using RadAI.Api.Jobs;
using RadAI.Contracts.Findings;
using RadAI.Hosting.Storage;
using RadAI.Testing;
using Xunit;

namespace RadAI.Api.Tests;

/// <summary>
/// The label map slices that the dashboard's overlay reads (<c>GET …/runs/{runId}/slices/{z}/mask</c>) through
/// <see cref="LabelMapCache"/>: the same bytes as the whole map read by <see cref="LabelMapFile"/>, inflated once per map
/// and kept within its budget; and the reader's names of findings the findings endpoint adds (the PDF's words). The
/// endpoints themselves are exercised end to end by tests/RadAI.Dashboard.Tests.
/// </summary>
public sealed class ViewerApiTests
{
    private static readonly Guid Job = Guid.NewGuid();

    [Fact]
    public async Task Each_slice_of_a_label_map_is_the_slice_of_the_whole_map()
    {
        const int columns = 7, rows = 5, slices = 4;
        var labels = MapLabels(columns, rows, slices);
        labels.AsSpan(2 * columns * rows, columns * rows).Clear(); // an empty slice, which the cache does not hold

        using var folder = new TemporaryDirectory("radai-mask-cache");
        var path = await WriteMapAsync(folder, "map.bin", columns, rows, slices, labels);
        using var cache = new LabelMapCache(Stores(folder), 1 << 20);
        for (var z = 0; z < slices; z++)
        {
            var slice = await cache.GetSliceAsync(Job, "run-1", path, z, CancellationToken.None);
            Assert.Equal((columns, rows), (slice.Columns, slice.Rows));
            Assert.Equal(labels.AsSpan(z * columns * rows, columns * rows).ToArray(), slice.Labels);
        }

        Assert.Equal(1, cache.Decodes);
    }

    [Fact]
    public async Task The_second_read_of_a_map_does_not_inflate_it_again_and_concurrent_reads_share_one_inflation()
    {
        using var folder = new TemporaryDirectory("radai-mask-cache");
        var first = await WriteMapAsync(folder, "first.bin", 16, 16, 8, MapLabels(16, 16, 8));
        var second = await WriteMapAsync(folder, "second.bin", 16, 16, 8, MapLabels(16, 16, 8));
        using var cache = new LabelMapCache(Stores(folder), 1 << 20);

        await Task.WhenAll(Enumerable.Range(0, 16).Select(i => cache.GetSliceAsync(Job, "run-1", first, i % 8, CancellationToken.None)));
        Assert.Equal(1, cache.Decodes);
        await cache.GetSliceAsync(Job, "run-1", first, 3, CancellationToken.None);
        Assert.Equal(1, cache.Decodes);

        // Another run (or job) is another map.
        await cache.GetSliceAsync(Job, "run-2", second, 3, CancellationToken.None);
        Assert.Equal(2, cache.Decodes);
        Assert.True(cache.CachedBytes > 0);

        // A caller that changes its copy does not change what the next one reads.
        var copy = await cache.GetSliceAsync(Job, "run-1", first, 1, CancellationToken.None);
        Array.Clear(copy.Labels);
        var again = await cache.GetSliceAsync(Job, "run-1", first, 1, CancellationToken.None);
        Assert.Contains(again.Labels, b => b != 0);
    }

    [Fact]
    public async Task The_least_recently_used_map_is_evicted_beyond_the_budget()
    {
        using var folder = new TemporaryDirectory("radai-mask-cache");
        var paths = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            paths.Add(await WriteMapAsync(folder, $"map{i}.bin", 32, 32, 4, MapLabels(32, 32, 4)));
        }

        // Room for two maps of 4 slices of 32×32 labels (and their slice references).
        using var cache = new LabelMapCache(Stores(folder), (2 * 4 * 32 * 32) + 256);
        await cache.GetSliceAsync(Job, "run-0", paths[0], 0, CancellationToken.None);
        await cache.GetSliceAsync(Job, "run-1", paths[1], 0, CancellationToken.None);
        await cache.GetSliceAsync(Job, "run-0", paths[0], 1, CancellationToken.None); // run-0 is now the most recent
        Assert.Equal(2, cache.Decodes);

        await cache.GetSliceAsync(Job, "run-2", paths[2], 0, CancellationToken.None); // evicts run-1
        Assert.True(cache.CachedBytes <= (2 * 4 * 32 * 32) + 256, $"{cache.CachedBytes} bytes held");
        await cache.GetSliceAsync(Job, "run-0", paths[0], 2, CancellationToken.None);
        Assert.Equal(3, cache.Decodes);
        await cache.GetSliceAsync(Job, "run-1", paths[1], 2, CancellationToken.None);
        Assert.Equal(4, cache.Decodes);

        // A budget of 0 keeps nothing: every read inflates.
        using var none = new LabelMapCache(Stores(folder), 0);
        await none.GetSliceAsync(Job, "run-0", paths[0], 0, CancellationToken.None);
        Assert.Equal(0, none.CachedBytes);
        await none.GetSliceAsync(Job, "run-0", paths[0], 0, CancellationToken.None);
        Assert.Equal(2, none.Decodes);
    }

    [Fact]
    public async Task A_slice_beyond_the_map_or_a_file_that_is_not_a_map_is_refused_and_not_kept()
    {
        using var folder = new TemporaryDirectory("radai-mask-cache");
        var map = await WriteMapAsync(folder, "map.bin", 2, 2, 1, new byte[4]);
        var other = Path.Combine(folder.Path, "other.bin");
        await File.WriteAllBytesAsync(other, new byte[64]);
        using var cache = new LabelMapCache(Stores(folder), 1 << 20);

        await Assert.ThrowsAsync<InvalidDataException>(() => cache.GetSliceAsync(Job, "run-1", map, 1, CancellationToken.None));
        await Assert.ThrowsAsync<InvalidDataException>(() => cache.GetSliceAsync(Job, "run-2", other, 0, CancellationToken.None));
        await Assert.ThrowsAsync<InvalidDataException>(() => cache.GetSliceAsync(Job, "run-2", other, 0, CancellationToken.None));
        Assert.Equal(3, cache.Decodes); // the map, the failed file, the failed file again (a failure is not kept)
    }

    [Fact]
    public void Findings_carry_the_reports_names_in_both_languages_with_the_code_meaning_for_unknown_codes()
    {
        var lung = new Code("SCT", "39607008", "Lung");
        var attenuation = new Measurement(new Code("DCM", "112031", "Attenuation Coefficient"), -860, "[hnsf'U]", "Hounsfield unit", new Code("SCT", "373098007", "Mean"));
        var odd = new Measurement(new Code("99XYZ", "ODD", "Odd measure"), 1, "{odd}", "odd unit");
        Finding[] findings =
        [
            new("lung-right", "organ", lung, lung, 1, [attenuation, odd], null, new Code("SCT", "24028007", "Right")),
            new("kidney", "organ", new Code("SCT", "64033007", "Kidney"), null, null, [], null),
        ];

        var labels = ViewerApi.LabelsOf(findings);
        Assert.Equal(["en", "fr"], labels.Keys.Order(StringComparer.Ordinal));
        var fr = labels["fr"]["lung-right"];
        Assert.Equal("Poumon droit", fr.Name);
        Assert.Equal("Poumon droit", fr.Site);
        Assert.Equal(["Atténuation moyenne", "Odd measure"], fr.Measurements);
        Assert.Equal(["UH", null], fr.Units);
        Assert.Equal("Right lung", labels["en"]["lung-right"].Name);
        Assert.Equal(["HU", null], labels["en"]["lung-right"].Units);
        Assert.Equal(("Kidney", (string?)null), (labels["fr"]["kidney"].Name, labels["fr"]["kidney"].Site));

        // The very words of the PDF report.
        Assert.Equal(FindingNames.For("fr").FindingName(findings[0]), fr.Name);
        Assert.Equal(FindingNames.For("fr").Keys().Order(StringComparer.Ordinal), FindingNames.For("en").Keys().Order(StringComparer.Ordinal));
    }

    private static byte[] MapLabels(int columns, int rows, int slices)
    {
        var labels = new byte[columns * rows * slices];
        for (var i = 0; i < labels.Length; i++)
        {
            labels[i] = (byte)(((i * 31) + (i / (columns * rows)) + 1) % 4);
        }

        return labels;
    }

    private static async Task<string> WriteMapAsync(TemporaryDirectory folder, string name, int columns, int rows, int slices, byte[] labels)
    {
        var path = Path.Combine(folder.Path, name);
        await using var file = File.Create(path);
        await LabelMapFile.WriteAsync(file, columns, rows, slices, labels);
        return path;
    }

    private static FileStores Stores(TemporaryDirectory folder) => new(Options.Create(new StorageOptions { Root = folder.Path }));
}
