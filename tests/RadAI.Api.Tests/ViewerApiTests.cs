using RadAI.Api.Apis;
using RadAI.Contracts.Findings;
using Xunit;

namespace RadAI.Api.Tests;

/// <summary>
/// The label map slice that the dashboard's overlay reads (<c>GET …/runs/{runId}/slices/{z}/mask</c>): the same bytes as
/// the whole map read by <see cref="LabelMapFile"/>, inflated only up to the slice asked for. The endpoints themselves
/// are exercised end to end by tests/RadAI.Dashboard.Tests.
/// </summary>
public sealed class ViewerApiTests
{
    [Fact]
    public async Task Each_slice_of_a_label_map_is_the_slice_of_the_whole_map()
    {
        const int columns = 7, rows = 5, slices = 4;
        var labels = new byte[columns * rows * slices];
        for (var i = 0; i < labels.Length; i++)
        {
            labels[i] = (byte)((i * 31 + i / (columns * rows)) % 4);
        }

        using var file = new MemoryStream();
        await LabelMapFile.WriteAsync(file, columns, rows, slices, labels);
        for (var z = 0; z < slices; z++)
        {
            file.Position = 0;
            var slice = await ViewerApi.ReadLabelSliceAsync(file, z, CancellationToken.None);
            Assert.Equal((columns, rows), (slice.Columns, slice.Rows));
            Assert.Equal(labels.AsSpan(z * columns * rows, columns * rows).ToArray(), slice.Labels);
        }
    }

    [Fact]
    public async Task A_slice_beyond_the_map_or_a_file_that_is_not_a_map_is_refused()
    {
        using var file = new MemoryStream();
        await LabelMapFile.WriteAsync(file, 2, 2, 1, new byte[4]);
        file.Position = 0;
        await Assert.ThrowsAsync<InvalidDataException>(() => ViewerApi.ReadLabelSliceAsync(file, 1, CancellationToken.None));

        using var other = new MemoryStream(new byte[64]);
        await Assert.ThrowsAsync<InvalidDataException>(() => ViewerApi.ReadLabelSliceAsync(other, 0, CancellationToken.None));
    }
}
