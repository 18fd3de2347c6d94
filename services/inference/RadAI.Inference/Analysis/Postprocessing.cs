using RadAI.Inference.Packages;
using RadAI.Inference.Runtime;

namespace RadAI.Inference.Analysis;

/// <summary>A model's segmentation output made into labels, as its manifest's post-processing says.</summary>
public static class Postprocessing
{
    /// <summary>
    /// The label map of a segmentation output (one byte per voxel, the manifest's label values):
    /// <list type="bullet">
    /// <item>argmax over channels (channel c is label value c, channel 0 background);</item>
    /// <item>else with a threshold: channel c above it is the c-th label (later channels win);</item>
    /// <item>else the output already holds label values (rounded).</item>
    /// </list>
    /// Then, when asked, components smaller than <c>minComponentMm3</c> are removed.
    /// </summary>
    public static byte[] ToLabels(OutputMap output, ModelOutput spec, int sx, int sy, int sz, double voxelVolumeMm3)
    {
        var length = (long)sx * sy * sz;
        if (output.Data.LongLength != output.Channels * length)
        {
            throw new InvalidOperationException($"Output {output.Name} has {output.Data.LongLength} values for {output.Channels} channel(s) of {length} voxels.");
        }

        var known = spec.Labels.Select(l => l.Value).ToHashSet();
        var labels = new byte[length];
        var data = output.Data;
        var post = spec.Postprocess;
        if (post.Argmax && output.Channels > 1)
        {
            for (long i = 0; i < length; i++)
            {
                var best = 0;
                var bestValue = data[i];
                for (var c = 1; c < output.Channels; c++)
                {
                    var value = data[(c * length) + i];
                    if (value > bestValue)
                    {
                        (best, bestValue) = (c, value);
                    }
                }

                labels[i] = known.Contains(best) ? (byte)best : (byte)0;
            }
        }
        else if (post.Threshold is { } threshold)
        {
            var channels = Math.Min(output.Channels, spec.Labels.Count);
            for (var c = 0; c < channels; c++)
            {
                var value = (byte)spec.Labels[c].Value;
                var offset = c * length;
                for (long i = 0; i < length; i++)
                {
                    if (data[offset + i] > threshold)
                    {
                        labels[i] = value;
                    }
                }
            }
        }
        else
        {
            for (long i = 0; i < length; i++)
            {
                var value = (int)Math.Round(data[i]);
                labels[i] = known.Contains(value) ? (byte)value : (byte)0;
            }
        }

        if (post.ConnectedComponents && post.MinComponentMm3 > 0)
        {
            RemoveSmallComponents(labels, sx, sy, sz, post.MinComponentMm3 / voxelVolumeMm3);
        }

        return labels;
    }

    /// <summary>Clears, label by label, the 3D components with fewer than <paramref name="minVoxels"/> voxels.</summary>
    public static void RemoveSmallComponents(byte[] labels, int sx, int sy, int sz, double minVoxels)
    {
        foreach (var value in PresentLabels(labels))
        {
            var mask = Mask(labels, value);
            foreach (var component in ConnectedComponents.Find3D(mask, sx, sy, sz).Where(c => c.Length < minVoxels))
            {
                foreach (var index in component)
                {
                    labels[index] = 0;
                }
            }
        }
    }

    /// <summary>The non-zero values present in a label map, ascending.</summary>
    public static IReadOnlyList<byte> PresentLabels(ReadOnlySpan<byte> labels)
    {
        Span<bool> seen = stackalloc bool[256];
        foreach (var value in labels)
        {
            seen[value] = true;
        }

        var present = new List<byte>();
        for (var value = 1; value < 256; value++)
        {
            if (seen[value])
            {
                present.Add((byte)value);
            }
        }

        return present;
    }

    /// <summary>1 where <paramref name="labels"/> equals <paramref name="value"/>.</summary>
    public static byte[] Mask(ReadOnlySpan<byte> labels, byte value)
    {
        var mask = new byte[labels.Length];
        for (var i = 0; i < labels.Length; i++)
        {
            mask[i] = labels[i] == value ? (byte)1 : (byte)0;
        }

        return mask;
    }
}
