namespace RadAI.Inference.Tests.Models;

/// <summary>
/// Deterministic chest CT phantoms for the lung graph tests (a C# counterpart of models/ct-lung-quant/phantom.py,
/// coarser): air (-1000) and, outside the reconstruction circle, -2048; an elliptic body (40 HU) with a table behind
/// it; two lung ellipsoids (-850) with emphysema-like pockets (-980) and thin vessels (40); a trachea (-1000) from
/// the top slice to the lungs; integer noise of +-25 HU and a few isolated outliers. Index order [z, y, x].
/// Also compiled into tests/RadAI.Benchmarks (linked: the benchmarks do not reference test projects).
/// </summary>
internal static class SyntheticChest
{
    // The two lung sides, not an array per voxel (3 GB of garbage for a 300×512×512 volume).
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

    /// <summary>
    /// A chest phantom with known right and left lungs, after models/ct-lung-quant/phantom.py (same anatomy in mm,
    /// no blur): body, spine and table; two lung ellipsoids with a gravity gradient, vessels and emphysema-like
    /// pockets; trachea and main bronchi at -1000 HU; Gaussian noise (rounded to integers unless asked otherwise); -2048 outside the
    /// reconstruction circle. Index order [z, y, x] with z towards the head and x towards the patient's left (LPS).
    /// Truth: 0 background, 1 right lung, 2 left lung (whole ellipsoids), 3 airway outside the lungs.
    /// </summary>
    public static ChestPhantom Anatomical(ChestPhantomOptions options)
    {
        var (d, h, w) = (options.Depth, options.Height, options.Width);
        var (sz, sp) = (options.SliceMm, options.PixelMm);
        var random = new Random(options.Seed);
        double Jitter(double s) => ((random.NextDouble() * 2) - 1) * s;
        double Z(int k) => (k - ((d - 1) / 2.0)) * sz;
        double Y(int k) => (k - ((h - 1) / 2.0)) * sp;
        double X(int k) => (k - ((w - 1) / 2.0)) * sp;

        var (bodyA, bodyB) = (160 + Jitter(8), 110 + Jitter(6));
        // The left lung is a little narrower, so that the two sides differ measurably.
        var lungs = new (double[] Centre, double[] Axes)[]
        {
            ([-70 + Jitter(3), Jitter(3), -10 + Jitter(4)], [52 + Jitter(3), 78 + Jitter(4), 100 + Jitter(6)]),
            ([70 + Jitter(3), Jitter(3), -10 + Jitter(4)], [46 + Jitter(3), 74 + Jitter(4), 96 + Jitter(6)]),
        };
        if (options.LungGapMm is { } gap)
        {
            lungs[0].Centre[0] = -(lungs[0].Axes[0] + (gap / 2));
            lungs[1].Centre[0] = lungs[1].Axes[0] + (gap / 2);
        }

        var top = Z(d - 1);
        double[] carina = [0, -30, 60 + Jitter(4)];
        double[][] hila = [[-45, -10, 30], [45, -10, 30]];
        var vessels = new List<(double[] From, double[] To, double Radius, int Side)>();
        var pockets = new List<(double[] Centre, double Radius, int Side)>();
        for (var side = 0; side < 2; side++)
        {
            for (var v = 0; v < options.VesselsPerLung; v++)
            {
                double[] direction = [Math.Abs(Jitter(1)) * (side == 0 ? -1 : 1), Jitter(1), Jitter(1)];
                var norm = Math.Sqrt((direction[0] * direction[0]) + (direction[1] * direction[1]) + (direction[2] * direction[2]));
                var length = 60 + (random.NextDouble() * 50);
                vessels.Add((hila[side], [.. hila[side].Select((c, i) => c + (direction[i] / norm * length))], 2 + (random.NextDouble() * 2.5), side));
            }

            for (var p = 0; p < options.PocketsPerLung; p++)
            {
                var (centre, axes) = lungs[side];
                var radius = 5 + (random.NextDouble() * 6);
                // Well inside the lung (a pocket never touches the airway: it is not part of the truth's airway).
                pockets.Add(([.. centre.Select((c, i) => c + (Jitter(0.5) * axes[i]))], radius, side));
            }
        }

        var hu = new float[d * h * w];
        var truth = new byte[d * h * w];
        var fovRadius = Math.Min(h, w) * sp / 2;
        for (var z = 0; z < d; z++)
        {
            for (var y = 0; y < h; y++)
            {
                for (var x = 0; x < w; x++)
                {
                    double[] p = [X(x), Y(y), Z(z)];
                    var value = -1000.0;
                    byte label = 0;
                    if (!options.WithoutBody && Square(p[0] / bodyA) + Square(p[1] / bodyB) <= 1)
                    {
                        value = Square(p[0]) + Square(p[1] - 80) <= 18 * 18 ? 400 : 40;
                    }
                    else if (p[1] >= bodyB + 15 && p[1] <= bodyB + 25 && Math.Abs(p[0]) <= 180)
                    {
                        value = 150;
                    }

                    for (var side = 0; side < 2 && options.Lungs; side++)
                    {
                        var (c, a) = lungs[side];
                        var inside = Square((p[0] - c[0]) / a[0]) + Square((p[1] - c[1]) / a[1]) + Square((p[2] - c[2]) / a[2]) <= 1;
                        // Overlapping lungs (a negative gap) meet at the midline, as at an anterior junction.
                        inside &= options.LungGapMm is not < 0 || (side == 0 ? p[0] < 0 : p[0] >= 0);
                        if (inside)
                        {
                            value = options.LungHu + (options.GradientHu * p[1] / a[1]);
                            label = (byte)(side + 1);
                            if (vessels.Any(v => v.Side == side && SegmentDistance(p, v.From, v.To) <= v.Radius))
                            {
                                value = 40;
                            }
                            else if (pockets.Any(q => q.Side == side && Distance(p, q.Centre) <= q.Radius))
                            {
                                value = -980;
                            }
                        }
                    }

                    if (options.Airway && options.Lungs
                        && (SegmentDistance(p, [0, -30, top + 10], carina) <= options.TracheaRadiusMm || hila.Any(hilum => SegmentDistance(p, carina, hilum) <= options.BronchusRadiusMm)))
                    {
                        value = -1000;
                        label = label == 0 ? (byte)3 : label;
                    }

                    value += options.NoiseHu * Gaussian(random);
                    value = options.IntegerHu ? Math.Round(value) : value;
                    if (options.FovPadding && Square(p[0]) + Square(p[1]) > fovRadius * fovRadius)
                    {
                        value = -2048;
                    }

                    var index = (((z * h) + y) * w) + x;
                    hu[index] = (float)value;
                    truth[index] = label;
                }
            }
        }

        return new ChestPhantom(hu, truth, d, h, w, sz, sp);
    }

    private static double Square(double v) => v * v;

    private static double Distance(double[] p, double[] q) => Math.Sqrt(Square(p[0] - q[0]) + Square(p[1] - q[1]) + Square(p[2] - q[2]));

    /// <summary>Distance from p to the segment a-b (mm).</summary>
    private static double SegmentDistance(double[] p, double[] a, double[] b)
    {
        double[] ab = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
        var t = Math.Clamp((((p[0] - a[0]) * ab[0]) + ((p[1] - a[1]) * ab[1]) + ((p[2] - a[2]) * ab[2])) / ((ab[0] * ab[0]) + (ab[1] * ab[1]) + (ab[2] * ab[2])), 0, 1);
        return Distance(p, [a[0] + (t * ab[0]), a[1] + (t * ab[1]), a[2] + (t * ab[2])]);
    }

    /// <summary>A standard normal draw (Box-Muller).</summary>
    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}

/// <summary>What <see cref="SyntheticChest.Anatomical"/> makes (defaults: a normal chest at 5 × 4.5 × 4.5 mm).</summary>
internal sealed record ChestPhantomOptions
{
    public int Depth { get; init; } = 48;

    public int Height { get; init; } = 72;

    public int Width { get; init; } = 80;

    public double SliceMm { get; init; } = 5;

    public double PixelMm { get; init; } = 4.5;

    public int Seed { get; init; } = 1;

    /// <summary>Distance between the lungs' medial surfaces (mm); null: the usual anatomy (about 40 mm); negative: they touch.</summary>
    public double? LungGapMm { get; init; }

    public bool Lungs { get; init; } = true;

    /// <summary>Trachea and main bronchi.</summary>
    public bool Airway { get; init; } = true;

    public double TracheaRadiusMm { get; init; } = 11;

    /// <summary>Radius of the main bronchi: wide enough to survive the graph's 3×3×3 opening at 4.5 mm voxels.</summary>
    public double BronchusRadiusMm { get; init; } = 10;

    public bool WithoutBody { get; init; }

    public double LungHu { get; init; } = -850;

    /// <summary>Rise of the lung density towards the back (at the lung's posterior edge).</summary>
    public double GradientHu { get; init; } = 30;

    public double NoiseHu { get; init; } = 15;

    public int VesselsPerLung { get; init; } = 6;

    public int PocketsPerLung { get; init; } = 4;

    public bool FovPadding { get; init; } = true;

    /// <summary>Rounds the values to integers, as scanners store them; false keeps the noise's fractions.</summary>
    public bool IntegerHu { get; init; } = true;
}

/// <summary>A phantom's HU values and truth labels ([z, y, x], z towards the head, x towards the patient's left).</summary>
internal sealed record ChestPhantom(float[] Hu, byte[] Truth, int Depth, int Height, int Width, double SliceMm, double PixelMm)
{
    public const byte RightLung = 1;

    public const byte LeftLung = 2;

    public const byte Airway = 3;
}
