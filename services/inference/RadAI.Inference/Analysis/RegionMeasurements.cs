using System.Numerics;
using RadAI.Inference.Volumes;

namespace RadAI.Inference.Analysis;

/// <summary>Measurements of one region (a set of voxels) of a volume, in physical units.</summary>
/// <param name="VoxelCount">Voxels in the region.</param>
/// <param name="VolumeMm3">Volume in mm³ (voxels × voxel volume).</param>
/// <param name="Mean">Mean of the volume's values over the region (HU for CT).</param>
/// <param name="StandardDeviation">Population standard deviation of those values.</param>
/// <param name="Minimum">Smallest value.</param>
/// <param name="Maximum">Largest value.</param>
/// <param name="Centroid">Centre of mass in patient coordinates (mm).</param>
/// <param name="BoxMin">Smallest voxel indices (x, y, z).</param>
/// <param name="BoxMax">Largest voxel indices (x, y, z).</param>
/// <param name="KeySlice">Slice with the largest area of the region.</param>
/// <param name="Diameter">Longest 3D diameter (mm) and its ends, when asked for.</param>
public sealed record RegionMeasurements(
    long VoxelCount,
    double VolumeMm3,
    double Mean,
    double StandardDeviation,
    double Minimum,
    double Maximum,
    Vector3 Centroid,
    (int X, int Y, int Z) BoxMin,
    (int X, int Y, int Z) BoxMax,
    int KeySlice,
    MaxDiameter? Diameter)
{
    public double VolumeMl => VolumeMm3 / 1000.0;

    /// <summary>
    /// Measures the voxels of <paramref name="region"/> (indices into the volume). The diameter is
    /// measured between the outer faces of the region's boundary voxels (the surface a marching-cubes
    /// mesh would follow), so a sphere of diameter D measures D within one voxel.
    /// </summary>
    public static RegionMeasurements Compute(Volume volume, ReadOnlySpan<int> region, bool measureDiameter)
    {
        if (region.IsEmpty)
        {
            throw new ArgumentException("An empty region has no measurements.", nameof(region));
        }

        var (sx, sy) = (volume.SizeX, volume.SizeY);
        var slice = sx * sy;
        double sum = 0, sumSquares = 0, cx = 0, cy = 0, cz = 0;
        var min = double.MaxValue;
        var max = double.MinValue;
        int x0 = int.MaxValue, y0 = int.MaxValue, z0 = int.MaxValue, x1 = -1, y1 = -1, z1 = -1;
        var perSlice = new int[volume.SizeZ];
        foreach (var index in region)
        {
            var z = index / slice;
            var rest = index - (z * slice);
            var y = rest / sx;
            var x = rest - (y * sx);
            double value = volume.Data[index];
            sum += value;
            sumSquares += value * value;
            min = Math.Min(min, value);
            max = Math.Max(max, value);
            cx += x;
            cy += y;
            cz += z;
            x0 = Math.Min(x0, x);
            y0 = Math.Min(y0, y);
            z0 = Math.Min(z0, z);
            x1 = Math.Max(x1, x);
            y1 = Math.Max(y1, y);
            z1 = Math.Max(z1, z);
            perSlice[z]++;
        }

        var n = region.Length;
        var mean = sum / n;
        var variance = Math.Max(0, (sumSquares / n) - (mean * mean));
        var keySlice = Array.IndexOf(perSlice, perSlice.Max());
        var diameter = measureDiameter ? MaxDiameter.Measure(volume, region) : null;
        return new RegionMeasurements(
            n, n * volume.VoxelVolumeMm3, mean, Math.Sqrt(variance), min, max,
            volume.ToPatient(cx / n, cy / n, cz / n), (x0, y0, z0), (x1, y1, z1), keySlice, diameter);
    }
}

/// <summary>The longest distance across a region and where it lies.</summary>
/// <param name="LengthMm">Length in mm.</param>
/// <param name="Start">One end (patient mm).</param>
/// <param name="End">The other end.</param>
public sealed record MaxDiameter(double LengthMm, Vector3 Start, Vector3 End)
{
    /// <summary>Below this many surface points every pair is compared.</summary>
    private const int ExactLimit = 3000;

    /// <summary>
    /// The region's longest diameter between the centres of its exposed voxel faces. Small regions:
    /// every pair. Large ones: the widest of 600 directions spread over the sphere picks candidate
    /// points at both ends, then every candidate pair is compared — exact in practice, since the true
    /// diameter's ends are extreme along a direction within 4° of one sampled.
    /// </summary>
    public static MaxDiameter Measure(Volume volume, ReadOnlySpan<int> region)
    {
        var points = SurfacePoints(volume, region);
        if (points.Count <= ExactLimit)
        {
            return Farthest(points, points);
        }

        var directions = SphereDirections(600);
        var widths = new (double Width, int Direction)[directions.Length];
        for (var d = 0; d < directions.Length; d++)
        {
            var (low, high) = Extent(points, directions[d]);
            widths[d] = (high - low, d);
        }

        Array.Sort(widths, (a, b) => b.Width.CompareTo(a.Width));
        var lows = new HashSet<int>();
        var highs = new HashSet<int>();
        var tolerance = Math.Max(volume.Spacing.X, Math.Max(volume.Spacing.Y, volume.Spacing.Z));
        foreach (var (_, d) in widths.Take(12))
        {
            var direction = directions[d];
            var (low, high) = Extent(points, direction);
            for (var i = 0; i < points.Count; i++)
            {
                var p = Vector3.Dot(points[i], direction);
                if (p <= low + tolerance && lows.Count < 4000)
                {
                    lows.Add(i);
                }
                else if (p >= high - tolerance && highs.Count < 4000)
                {
                    highs.Add(i);
                }
            }
        }

        return Farthest([.. lows.Select(i => points[i])], [.. highs.Select(i => points[i])]);
    }

    /// <summary>
    /// The region's longest in-plane diameter: in each slice, the longest distance between the centres of the exposed
    /// edges of its pixels (their 2D outline), the largest over the slices. The pairs are taken on the convex hull of
    /// each slice's outline, so large regions cost little. A disc of diameter D measures D within one pixel.
    /// </summary>
    public static MaxDiameter MeasureInPlane(Volume volume, ReadOnlySpan<int> region)
    {
        if (region.IsEmpty)
        {
            throw new ArgumentException("An empty region has no diameter.", nameof(region));
        }

        var (sx, sy) = (volume.SizeX, volume.SizeY);
        var slice = sx * sy;
        var sorted = region.ToArray();
        Array.Sort(sorted);
        var inside = new HashSet<int>(sorted);
        var points = new List<(double X, double Y)>();
        var best = (Length: -1.0, Z: 0, From: (X: 0.0, Y: 0.0), To: (X: 0.0, Y: 0.0));
        ReadOnlySpan<(int Dx, int Dy)> edges = [(-1, 0), (1, 0), (0, -1), (0, 1)];
        for (var start = 0; start < sorted.Length;)
        {
            var z = sorted[start] / slice;
            var end = start;
            points.Clear();
            while (end < sorted.Length && sorted[end] / slice == z)
            {
                var rest = sorted[end] - (z * slice);
                var y = rest / sx;
                var x = rest - (y * sx);
                foreach (var (dx, dy) in edges)
                {
                    int nx = x + dx, ny = y + dy;
                    if ((uint)nx >= (uint)sx || (uint)ny >= (uint)sy || !inside.Contains((z * slice) + (ny * sx) + nx))
                    {
                        // In mm along the row and column directions, so that distances are physical.
                        points.Add(((x + (dx * 0.5)) * volume.Spacing.X, (y + (dy * 0.5)) * volume.Spacing.Y));
                    }
                }

                end++;
            }

            var hull = ConvexHull(points);
            for (var i = 0; i < hull.Count; i++)
            {
                for (var j = i + 1; j < hull.Count; j++)
                {
                    var length = Math.Sqrt(Math.Pow(hull[i].X - hull[j].X, 2) + Math.Pow(hull[i].Y - hull[j].Y, 2));
                    if (length > best.Length)
                    {
                        best = (length, z, hull[i], hull[j]);
                    }
                }
            }

            start = end;
        }

        return new MaxDiameter(
            best.Length,
            volume.ToPatient(best.From.X / volume.Spacing.X, best.From.Y / volume.Spacing.Y, best.Z),
            volume.ToPatient(best.To.X / volume.Spacing.X, best.To.Y / volume.Spacing.Y, best.Z));
    }

    /// <summary>Convex hull (Andrew's monotone chain), counter-clockwise, without collinear points.</summary>
    private static List<(double X, double Y)> ConvexHull(List<(double X, double Y)> points)
    {
        var sorted = points.Distinct().OrderBy(p => p.X).ThenBy(p => p.Y).ToList();
        if (sorted.Count < 3)
        {
            return sorted;
        }

        static double Cross((double X, double Y) o, (double X, double Y) a, (double X, double Y) b) =>
            ((a.X - o.X) * (b.Y - o.Y)) - ((a.Y - o.Y) * (b.X - o.X));

        var hull = new List<(double X, double Y)>(sorted.Count * 2);
        foreach (var pass in new[] { sorted, Enumerable.Reverse(sorted).ToList() })
        {
            var floor = hull.Count;
            foreach (var p in pass)
            {
                while (hull.Count >= floor + 2 && Cross(hull[^2], hull[^1], p) <= 0)
                {
                    hull.RemoveAt(hull.Count - 1);
                }

                hull.Add(p);
            }

            hull.RemoveAt(hull.Count - 1);
        }

        return hull;
    }

    private static (float Low, float High) Extent(List<Vector3> points, Vector3 direction)
    {
        float low = float.MaxValue, high = float.MinValue;
        foreach (var point in points)
        {
            var p = Vector3.Dot(point, direction);
            low = Math.Min(low, p);
            high = Math.Max(high, p);
        }

        return (low, high);
    }

    private static MaxDiameter Farthest(List<Vector3> a, List<Vector3> b)
    {
        var best = -1f;
        var (start, end) = (a[0], b[0]);
        foreach (var p in a)
        {
            foreach (var q in b)
            {
                var d = Vector3.DistanceSquared(p, q);
                if (d > best)
                {
                    (best, start, end) = (d, p, q);
                }
            }
        }

        return new MaxDiameter(Math.Sqrt(best), start, end);
    }

    /// <summary>Patient positions of the centres of the region's faces that touch the outside.</summary>
    private static List<Vector3> SurfacePoints(Volume volume, ReadOnlySpan<int> region)
    {
        var (sx, sy, sz) = (volume.SizeX, volume.SizeY, volume.SizeZ);
        var slice = sx * sy;
        var inside = new HashSet<int>(region.Length);
        foreach (var index in region)
        {
            inside.Add(index);
        }

        var points = new List<Vector3>();
        ReadOnlySpan<(int Dx, int Dy, int Dz)> faces = [(-1, 0, 0), (1, 0, 0), (0, -1, 0), (0, 1, 0), (0, 0, -1), (0, 0, 1)];
        foreach (var index in region)
        {
            var z = index / slice;
            var rest = index - (z * slice);
            var y = rest / sx;
            var x = rest - (y * sx);
            foreach (var (dx, dy, dz) in faces)
            {
                int nx = x + dx, ny = y + dy, nz = z + dz;
                var outside = (uint)nx >= (uint)sx || (uint)ny >= (uint)sy || (uint)nz >= (uint)sz || !inside.Contains((nz * slice) + (ny * sx) + nx);
                if (outside)
                {
                    points.Add(volume.ToPatient(x + (dx * 0.5), y + (dy * 0.5), z + (dz * 0.5)));
                }
            }
        }

        return points;
    }

    /// <summary>Directions spread evenly over a hemisphere (a diameter has no sign).</summary>
    private static Vector3[] SphereDirections(int count)
    {
        var directions = new Vector3[count];
        var golden = Math.PI * (3 - Math.Sqrt(5));
        for (var i = 0; i < count; i++)
        {
            var z = 1 - ((i + 0.5) / count);
            var radius = Math.Sqrt(1 - (z * z));
            var angle = golden * i;
            directions[i] = new Vector3((float)(radius * Math.Cos(angle)), (float)(radius * Math.Sin(angle)), (float)z);
        }

        return directions;
    }
}
