namespace RadAI.Benchmarks.Inference;

/// <summary>
/// Copied from tests/RadAI.Inference.Tests/Models/SyntheticChest.cs (the benchmarks do not reference test projects).
/// Deterministic chest CT phantoms for the lung graph tests (a C# counterpart of models/ct-lung-quant/phantom.py,
/// coarser): air (-1000) and, outside the reconstruction circle, -2048; an elliptic body (40 HU) with a table behind
/// it; two lung ellipsoids (-850) with emphysema-like pockets (-980) and thin vessels (40); a trachea (-1000) from
/// the top slice to the lungs; integer noise of +-25 HU and a few isolated outliers. Index order [z, y, x].
/// </summary>
internal static class SyntheticChest
{
    // Benchmark copy: the two lung sides hoisted out of the voxel loop (the original allocates this array per voxel,
    // 3 GB for a 300×512×512 volume); the values generated are the same.
    private static readonly double[] Sides = [-1.0, 1.0];

    public static float[] Generate(int depth, int height, int width, int seed, double bodyScale = 0.85)
    {
        var random = new Random(seed);
        var hu = new float[depth * height * width];
        var cy = (height - 1) / 2.0;
        var cx = (width - 1) / 2.0;
        var bodyA = bodyScale * width / 2.0;
        var bodyB = bodyScale * 0.75 * height / 2.0;
        var lungA = 0.28 * bodyA;
        var lungB = 0.75 * bodyB;
        var lungC = Math.Max(0.5, 0.45 * depth);
        var lungZ = 0.45 * (depth - 1);
        var pockets = Enumerable.Range(0, 6).Select(_ => (
            Z: lungZ + ((random.NextDouble() - 0.5) * lungC),
            Y: cy + ((random.NextDouble() - 0.5) * lungB),
            X: cx + ((random.NextDouble() < 0.5 ? -1 : 1) * 0.55 * bodyA) + ((random.NextDouble() - 0.5) * lungA),
            R: 1.0 + (2.0 * random.NextDouble()))).ToArray();
        for (var z = 0; z < depth; z++)
        {
            for (var y = 0; y < height; y++)
            {
                for (var x = 0; x < width; x++)
                {
                    var dy = y - cy;
                    var dx = x - cx;
                    double value = -1000;
                    if ((dx * dx / (bodyA * bodyA)) + (dy * dy / (bodyB * bodyB)) <= 1)
                    {
                        value = 40;
                    }
                    else if (y > cy + bodyB + 2 && y <= cy + bodyB + 4)
                    {
                        value = 150;
                    }

                    foreach (var side in Sides)
                    {
                        var lx = x - (cx + (side * 0.55 * bodyA));
                        var lz = z - lungZ;
                        if ((lx * lx / (lungA * lungA)) + (dy * dy / (lungB * lungB)) + (lz * lz / (lungC * lungC)) <= 1)
                        {
                            value = (x + y + z) % 9 == 0 ? 40 : -850;
                        }
                    }

                    foreach (var p in pockets)
                    {
                        var d2 = ((z - p.Z) * (z - p.Z)) + ((y - p.Y) * (y - p.Y)) + ((x - p.X) * (x - p.X));
                        if (d2 <= p.R * p.R && value < -500)
                        {
                            value = -980;
                        }
                    }

                    if (z >= lungZ && (dx * dx) + ((dy + (0.3 * bodyB)) * (dy + (0.3 * bodyB))) <= 2.5 * 2.5)
                    {
                        value = -1000;
                    }

                    value += random.Next(-25, 26);
                    if (random.Next(200) == 0)
                    {
                        value = random.Next(-1100, 100);
                    }

                    if ((dx * dx) + (dy * dy) > (width / 2.0 * width / 2.0) + (height / 2.0 * height / 2.0) - 4)
                    {
                        value = -2048;
                    }

                    hu[(((z * height) + y) * width) + x] = (float)value;
                }
            }
        }

        return hu;
    }
}
