namespace RadAI.Inference.Analysis;

/// <summary>
/// Connected components of a binary mask. Components are returned as lists of voxel indices, so
/// memory follows the foreground, not the grid (a 512×512×300 grid would need 300 MB of int labels).
/// </summary>
public static class ConnectedComponents
{
    /// <summary>
    /// The 3D components of the voxels where <paramref name="mask"/> is non-zero, largest first.
    /// <paramref name="fullConnectivity"/>: 26-connected (true) or 6-connected (false).
    /// </summary>
    public static List<int[]> Find3D(ReadOnlySpan<byte> mask, int sx, int sy, int sz, bool fullConnectivity = true)
    {
        var visited = new bool[mask.Length];
        var components = new List<int[]>();
        var queue = new Queue<int>();
        var members = new List<int>();
        var offsets = Neighbourhood(fullConnectivity);
        var slice = sx * sy;
        for (var start = 0; start < mask.Length; start++)
        {
            if (mask[start] == 0 || visited[start])
            {
                continue;
            }

            members.Clear();
            visited[start] = true;
            queue.Enqueue(start);
            while (queue.Count > 0)
            {
                var index = queue.Dequeue();
                members.Add(index);
                var z = index / slice;
                var rest = index - (z * slice);
                var y = rest / sx;
                var x = rest - (y * sx);
                foreach (var (dx, dy, dz) in offsets)
                {
                    int nx = x + dx, ny = y + dy, nz = z + dz;
                    if ((uint)nx >= (uint)sx || (uint)ny >= (uint)sy || (uint)nz >= (uint)sz)
                    {
                        continue;
                    }

                    var neighbour = (nz * slice) + (ny * sx) + nx;
                    if (mask[neighbour] != 0 && !visited[neighbour])
                    {
                        visited[neighbour] = true;
                        queue.Enqueue(neighbour);
                    }
                }
            }

            components.Add([.. members]);
        }

        components.Sort((a, b) => b.Length.CompareTo(a.Length));
        return components;
    }

    /// <summary>The 2D components of one slice (indices within the slice), largest first; 8-connected.</summary>
    public static List<int[]> Find2D(ReadOnlySpan<byte> sliceMask, int sx, int sy) => Find3D(sliceMask, sx, sy, 1);

    private static (int, int, int)[] Neighbourhood(bool full)
    {
        if (!full)
        {
            return [(-1, 0, 0), (1, 0, 0), (0, -1, 0), (0, 1, 0), (0, 0, -1), (0, 0, 1)];
        }

        var offsets = new List<(int, int, int)>(26);
        for (var dz = -1; dz <= 1; dz++)
        {
            for (var dy = -1; dy <= 1; dy++)
            {
                for (var dx = -1; dx <= 1; dx++)
                {
                    if ((dx, dy, dz) != (0, 0, 0))
                    {
                        offsets.Add((dx, dy, dz));
                    }
                }
            }
        }

        return [.. offsets];
    }
}
