namespace RadAI.Inference.Analysis;

/// <summary>Binary morphology and histogram thresholds on masks (1 = in, 0 = out).</summary>
public static class Morphology
{
    /// <summary>One 6-neighbour erosion step in 3D (a voxel stays when its six neighbours are in; the grid's edge counts as out).</summary>
    public static byte[] Erode3D(ReadOnlySpan<byte> mask, int sx, int sy, int sz)
    {
        var result = new byte[mask.Length];
        var slice = sx * sy;
        for (var z = 0; z < sz; z++)
        {
            for (var y = 0; y < sy; y++)
            {
                for (var x = 0; x < sx; x++)
                {
                    var i = (z * slice) + (y * sx) + x;
                    if (mask[i] == 0 || x == 0 || y == 0 || x == sx - 1 || y == sy - 1)
                    {
                        continue;
                    }

                    // Along z, a single-slice volume (or an end slice) keeps its in-plane erosion only.
                    var zIn = (z == 0 || mask[i - slice] != 0) && (z == sz - 1 || mask[i + slice] != 0);
                    if (zIn && mask[i - 1] != 0 && mask[i + 1] != 0 && mask[i - sx] != 0 && mask[i + sx] != 0)
                    {
                        result[i] = 1;
                    }
                }
            }
        }

        return result;
    }

    /// <summary>Fills, slice by slice, the holes of a mask: background regions that do not reach the slice's edge.</summary>
    public static void FillHoles2D(byte[] mask, int sx, int sy, int sz)
    {
        var slice = sx * sy;
        for (var z = 0; z < sz; z++)
        {
            var background = new byte[slice];
            for (var i = 0; i < slice; i++)
            {
                background[i] = mask[(z * slice) + i] == 0 ? (byte)1 : (byte)0;
            }

            foreach (var region in ConnectedComponents.Find3D(background, sx, sy, 1, fullConnectivity: false))
            {
                if (!region.Any(i => i % sx == 0 || i % sx == sx - 1 || i / sx == 0 || i / sx == sy - 1))
                {
                    foreach (var i in region)
                    {
                        mask[(z * slice) + i] = 1;
                    }
                }
            }
        }
    }

    /// <summary>
    /// Assigns every voxel of <paramref name="region"/> to the nearest seed (geodesic distance inside
    /// the region, breadth first from every seed at once); voxels no seed reaches stay 0.
    /// </summary>
    public static byte[] GrowSeeds(ReadOnlySpan<byte> region, IReadOnlyList<int[]> seeds, int sx, int sy, int sz)
    {
        var owner = new byte[region.Length];
        var queue = new Queue<int>();
        for (var s = 0; s < seeds.Count; s++)
        {
            foreach (var index in seeds[s])
            {
                owner[index] = (byte)(s + 1);
                queue.Enqueue(index);
            }
        }

        var slice = sx * sy;
        while (queue.Count > 0)
        {
            var index = queue.Dequeue();
            var z = index / slice;
            var y = (index - (z * slice)) / sx;
            var x = index - (z * slice) - (y * sx);
            Span<(bool Inside, int Index)> neighbours =
            [
                (x > 0, index - 1), (x < sx - 1, index + 1), (y > 0, index - sx),
                (y < sy - 1, index + sx), (z > 0, index - slice), (z < sz - 1, index + slice),
            ];
            foreach (var (inside, neighbour) in neighbours)
            {
                if (inside && owner[neighbour] == 0 && region[neighbour] != 0)
                {
                    owner[neighbour] = owner[index];
                    queue.Enqueue(neighbour);
                }
            }
        }

        return owner;
    }

    /// <summary>Otsu's threshold of values (the split maximising between-class variance), over a 256-bin histogram.</summary>
    public static double Otsu(IReadOnlyList<float> values)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        float min = float.MaxValue, max = float.MinValue;
        foreach (var v in values)
        {
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }

        if (max <= min)
        {
            return min;
        }

        const int bins = 256;
        var histogram = new long[bins];
        var width = (max - min) / bins;
        foreach (var v in values)
        {
            histogram[Math.Min(bins - 1, (int)((v - min) / width))]++;
        }

        double total = values.Count, sumAll = 0;
        for (var b = 0; b < bins; b++)
        {
            sumAll += b * (double)histogram[b];
        }

        double weightBelow = 0, sumBelow = 0, best = -1;
        var bestBin = 0;
        for (var b = 0; b < bins; b++)
        {
            weightBelow += histogram[b];
            if (weightBelow == 0 || weightBelow == total)
            {
                continue;
            }

            sumBelow += b * (double)histogram[b];
            var meanBelow = sumBelow / weightBelow;
            var meanAbove = (sumAll - sumBelow) / (total - weightBelow);
            var between = weightBelow * (total - weightBelow) * (meanBelow - meanAbove) * (meanBelow - meanAbove);
            if (between > best)
            {
                (best, bestBin) = (between, b);
            }
        }

        return min + ((bestBin + 1) * width);
    }
}
