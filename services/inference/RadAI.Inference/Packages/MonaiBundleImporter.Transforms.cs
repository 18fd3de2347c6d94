using System.Text.Json;

namespace RadAI.Inference.Packages;

public static partial class MonaiBundleImporter
{
    /// <summary>The preprocessing, inferer and post-processing of configs/inference.json, and the axes they imply.</summary>
    private sealed partial class BundleAnalysis
    {
        private sealed class Preprocessing
        {
            public string? Axcodes { get; set; }

            public double[]? Pixdim { get; set; }

            public IntensityTransform? Intensity { get; set; }

            /// <summary>An intensity transform was there but is refused (its reason says why).</summary>
            public bool IntensityRefused { get; set; }

            public int[]? ResizeTo { get; set; }

            public int SizeMultiple { get; set; } = 1;
        }

        private Preprocessing ReadPreprocessing(ConfigReader config, string inputKey, int dims)
        {
            var result = new Preprocessing();
            var transforms = config.Transforms("preprocessing");
            if (transforms is null)
            {
                config.Refuse("$.preprocessing", "missing: how the bundle prepares its input is unknown");
                return result;
            }

            var spacingPath = (string?)null;
            foreach (var (transform, name, path) in transforms)
            {
                var keyIndex = new Transform(transform, name, path).KeyIndexOf(inputKey, config);
                if (keyIndex < 0)
                {
                    continue; // works on other data (labels, ...)
                }

                switch (name)
                {
                    case "LoadImage":
                        if (config.Flag(transform, "reverse_indexing", $"{path}.reverse_indexing") == false)
                        {
                            config.Refuse($"{path}.reverse_indexing", "false: the network was trained on arrays in another axis order than MONAI's usual one");
                        }

                        break;
                    case "EnsureChannelFirst" or "AddChannel" or "AsChannelFirst" or "EnsureType" or "ToTensor" or "ToNumpy" or "ToDevice" or "Identity"
                        or "CopyItems" or "DeleteItems" or "SelectItems" or "ToMetaTensor" or "FromMetaTensor":
                        break; // containers, devices and metadata: nothing done to the values
                    case "CastToType":
                        var dtype = transform.TryGetProperty("dtype", out var raw) && raw.ValueKind == JsonValueKind.String ? raw.GetString()! : "float32";
                        if (!dtype.TrimStart('$').Split('.')[^1].Equals("float32", StringComparison.Ordinal))
                        {
                            config.Refuse($"{path}.dtype", $"'{dtype}': RadAI feeds float32");
                        }

                        break;
                    case "Orientation":
                        if (transform.TryGetProperty("labels", out _))
                        {
                            config.Refuse($"{path}.labels", "custom axis labels: RadAI knows the usual L/R, P/A, I/S only");
                        }

                        result.Axcodes = config.Flag(transform, "as_closest_canonical", $"{path}.as_closest_canonical") == true
                            ? "RAS"
                            : config.Text(transform, "axcodes", $"{path}.axcodes")?.ToUpperInvariant();
                        if (result.Axcodes is null)
                        {
                            config.Refuse($"{path}.axcodes", "missing");
                        }
                        else if (dims == 2)
                        {
                            config.Refuse(path, "Orientationd on a 2D image: RadAI cannot reorient a projection image");
                        }
                        else if (result.Pixdim is { } earlier && earlier.Distinct().Count() > 1)
                        {
                            config.Refuse(spacingPath!, $"Spacingd {Bracketed(earlier)} comes before Orientationd: its axes are those of the training files, which RadAI does not know");
                        }

                        break;
                    case "Spacing":
                        spacingPath = path;
                        var pixdim = config.Numbers(transform, "pixdim", $"{path}.pixdim", dims);
                        if (pixdim is not null && pixdim.Any(p => p <= 0))
                        {
                            config.Refuse($"{path}.pixdim", $"{Bracketed(pixdim)}: a size of 0 or less keeps the files' own spacing on that axis, which RadAI cannot do axis by axis");
                        }
                        else if (pixdim is not null)
                        {
                            result.Pixdim = pixdim;
                        }

                        var spacingMode = config.PerKeyText(transform, "mode", $"{path}.mode", keyIndex) ?? "bilinear";
                        if (spacingMode is not ("bilinear" or "linear" or "trilinear" or "1"))
                        {
                            config.Refuse($"{path}.mode", $"'{spacingMode}': RadAI resamples images linearly (bilinear)");
                        }

                        break;
                    case "ScaleIntensityRange":
                        SetIntensity(config, result, path, ScaleIntensityRange(config, transform, path));
                        break;
                    case "NormalizeIntensity":
                        SetIntensity(config, result, path, NormalizeIntensity(config, transform, path));
                        break;
                    case "Resize":
                        var sizes = config.Numbers(transform, "spatial_size", $"{path}.spatial_size", dims);
                        if (config.Text(transform, "size_mode", $"{path}.size_mode") is { } sizeMode && sizeMode != "all")
                        {
                            config.Refuse($"{path}.size_mode", $"'{sizeMode}': RadAI resizes every axis to a given size");
                        }
                        else if (sizes is not null && sizes.Any(s => s < 1 || s != Math.Floor(s)))
                        {
                            config.Refuse($"{path}.spatial_size", $"{Bracketed(sizes)}: RadAI resizes to whole positive sizes on every axis");
                        }
                        else if (sizes is not null)
                        {
                            result.ResizeTo = [.. sizes.Select(s => (int)s)];
                        }

                        var resizeMode = config.PerKeyText(transform, "mode", $"{path}.mode", keyIndex) ?? "area";
                        if (resizeMode == "area")
                        {
                            _limitations.Add("The bundle resizes with area interpolation; RadAI resamples linearly");
                        }
                        else if (resizeMode is not ("bilinear" or "trilinear" or "linear"))
                        {
                            config.Refuse($"{path}.mode", $"'{resizeMode}': RadAI resamples images linearly");
                        }

                        break;
                    case "DivisiblePad":
                        var k = config.Numbers(transform, "k", $"{path}.k", dims);
                        if (k is not null && k.All(v => v >= 1 && v == Math.Floor(v)))
                        {
                            result.SizeMultiple = k.Aggregate(result.SizeMultiple, (m, v) => Lcm(m, (int)v));
                        }
                        else if (k is not null)
                        {
                            config.Refuse($"{path}.k", $"{Bracketed(k)}: not whole positive sizes");
                        }

                        break;
                    case "CropForeground":
                        config.Refuse(path, "CropForegroundd: RadAI runs the network on the whole image, not on a crop of its foreground");
                        break;
                    case "ScaleIntensity" or "ScaleIntensityRangePercentiles":
                        config.Refuse(path, $"{name}d scales each image by its own minimum and maximum (or percentiles): RadAI's intensity transforms are a fixed window (hu-window, clip) or a z-score");
                        break;
                    default:
                        config.Refuse(path, $"{name}: RadAI has no equivalent of this transform, so it cannot prepare the input as the network expects");
                        break;
                }
            }

            return result;
        }

        private void SetIntensity(ConfigReader config, Preprocessing result, string path, IntensityTransform? intensity)
        {
            if (intensity is null)
            {
                result.IntensityRefused = true;
                return;
            }

            if (result.Intensity is not null)
            {
                config.Refuse(path, "a second intensity transform: RadAI applies one");
                return;
            }

            result.Intensity = intensity;
        }

        private IntensityTransform? ScaleIntensityRange(ConfigReader config, JsonElement transform, string path)
        {
            var aMin = config.Number(transform, "a_min", $"{path}.a_min");
            var aMax = config.Number(transform, "a_max", $"{path}.a_max");
            var bMin = config.Number(transform, "b_min", $"{path}.b_min");
            var bMax = config.Number(transform, "b_max", $"{path}.b_max");
            var clip = config.Flag(transform, "clip", $"{path}.clip") ?? false;
            if (aMin is null || aMax is null || aMin >= aMax)
            {
                config.Refuse(path, "ScaleIntensityRanged needs a_min < a_max");
                return null;
            }

            if (bMin != 0 || bMax != 1)
            {
                config.Refuse(path, $"ScaleIntensityRanged to [{F(bMin ?? double.NaN)}, {F(bMax ?? double.NaN)}]: RadAI's window scales to [0, 1]");
                return null;
            }

            if (!clip)
            {
                config.Refuse($"{path}.clip", "false: RadAI's window clips values outside [a_min, a_max]");
                return null;
            }

            _mapping.Add($"ScaleIntensityRanged [{F(aMin.Value)}, {F(aMax.Value)}] → [0, 1], clipped → input.intensity hu-window min {F(aMin.Value)} max {F(aMax.Value)}");
            return new IntensityTransform { Kind = "hu-window", Min = aMin, Max = aMax };
        }

        private IntensityTransform? NormalizeIntensity(ConfigReader config, JsonElement transform, string path)
        {
            foreach (var fixedValue in new[] { "subtrahend", "divisor" })
            {
                if (transform.TryGetProperty(fixedValue, out var value) && value.ValueKind != JsonValueKind.Null)
                {
                    config.Refuse($"{path}.{fixedValue}", "a fixed mean or deviation: RadAI's z-score uses each image's own");
                    return null;
                }
            }

            if (config.Flag(transform, "nonzero", $"{path}.nonzero") == true)
            {
                config.Refuse($"{path}.nonzero", "true: MONAI then normalises the non-zero voxels only and leaves zeros at 0; RadAI's z-score changes every voxel");
                return null;
            }

            _mapping.Add("NormalizeIntensityd → input.intensity zscore (over every voxel)");
            return new IntensityTransform { Kind = "zscore" };
        }

        private readonly record struct InfererSettings(string Mode, int[]? Roi, double Overlap, string Blending, int BatchSize);

        private InfererSettings ReadInferer(ConfigReader config, int dims)
        {
            var whole = new InfererSettings("whole", null, 0.25, "constant", 1);
            var inferer = config.Get(config.Root, "inferer", "$.inferer");
            if (inferer is null)
            {
                _mapping.Add("No inferer: the network runs on the whole image (MONAI's SimpleInferer)");
                return whole;
            }

            var name = config.Target(inferer.Value, "$.inferer");
            switch (name)
            {
                case "SimpleInferer":
                    _mapping.Add("SimpleInferer → inference.mode whole");
                    return whole;
                case "SlidingWindowInferer" or "SlidingWindowInfererAdapt":
                    break;
                default:
                    config.Refuse("$.inferer", $"{name ?? "no _target_"}: RadAI runs a network on the whole image or by sliding window (SimpleInferer, SlidingWindowInferer)");
                    return whole;
            }

            var settings = inferer.Value;
            var roi = config.Numbers(settings, "roi_size", "$.inferer.roi_size", dims);
            if (roi is null || roi.Any(r => r < 1 || r != Math.Floor(r)))
            {
                config.Refuse("$.inferer.roi_size", roi is null ? "missing" : $"{Bracketed(roi)}: RadAI needs a whole positive size on every axis");
                roi = null;
            }

            var overlaps = config.Numbers(settings, "overlap", "$.inferer.overlap", dims) ?? [0.25];
            if (overlaps.Distinct().Count() > 1 || overlaps[0] is < 0 or >= 1)
            {
                config.Refuse("$.inferer.overlap", $"{Bracketed(overlaps)}: RadAI uses one overlap in [0, 1) on every axis");
            }

            var blending = config.Text(settings, "mode", "$.inferer.mode") ?? "constant";
            if (blending is not ("constant" or "gaussian"))
            {
                config.Refuse("$.inferer.mode", $"'{blending}': RadAI blends windows with constant or gaussian weights");
            }

            if (config.Numbers(settings, "sigma_scale", "$.inferer.sigma_scale", dims) is { } sigma && sigma.Any(s => Math.Abs(s - 0.125) > 1e-9))
            {
                config.Refuse("$.inferer.sigma_scale", $"{Bracketed(sigma)}: RadAI's gaussian weights use MONAI's default σ = 0.125 × window");
            }

            if (config.Text(settings, "padding_mode", "$.inferer.padding_mode") is { } padding && padding != "constant")
            {
                _limitations.Add($"The bundle pads windows at the image border with '{padding}'; RadAI pads with the lowest value of the intensity window (0 after hu-window scaling)");
            }

            var batch = (int)(config.Number(settings, "sw_batch_size", "$.inferer.sw_batch_size") ?? 1);
            return new InfererSettings("sliding-window", roi?.Select(r => (int)r).ToArray(), overlaps[0], blending, Math.Max(1, batch));
        }

        private Dictionary<string, OutputPostprocessing> ReadPostprocessing(ConfigReader config, List<string> outputKeys)
        {
            var result = outputKeys.ToDictionary(k => k, _ => new OutputPostprocessing(), StringComparer.Ordinal);
            var transforms = config.Transforms("postprocessing");
            if (transforms is null)
            {
                return result;
            }

            foreach (var key in outputKeys)
            {
                var post = result[key];
                foreach (var (transform, name, path) in transforms.Where(t => t.KeyIndexOf(key, config) >= 0))
                {
                    switch (name)
                    {
                        case "Activations":
                            if (transform.TryGetProperty("other", out _))
                            {
                                config.Refuse($"{path}.other", "a custom activation: RadAI applies softmax or sigmoid only");
                            }

                            post.Activation = config.Flag(transform, "softmax", $"{path}.softmax") == true ? OutputActivation.Softmax
                                : config.Flag(transform, "sigmoid", $"{path}.sigmoid") == true ? OutputActivation.Sigmoid
                                : post.Activation;
                            break;
                        case "AsDiscrete":
                            if (config.Flag(transform, "argmax", $"{path}.argmax") == true)
                            {
                                post.Argmax = true;
                            }

                            post.Threshold = config.Number(transform, "threshold", $"{path}.threshold") is { } threshold ? threshold
                                : config.Flag(transform, "threshold_values", $"{path}.threshold_values") == true ? config.Number(transform, "logit_thresh", $"{path}.logit_thresh") ?? 0.5
                                : post.Threshold;
                            break;
                        case "KeepLargestConnectedComponent":
                            post.KeepsLargestComponent = true;
                            break;
                        case "Invert" or "SaveImage" or "EnsureType" or "ToTensor" or "ToNumpy" or "ToDevice" or "Identity" or "CopyItems" or "DeleteItems"
                            or "SelectItems" or "FromMetaTensor" or "ToMetaTensor" or "CastToType" or "SqueezeDim":
                            break; // RadAI brings outputs back to the series' grid itself, and writes its own results
                        default:
                            config.Refuse(path, $"{name} on output '{key}': RadAI cannot reproduce this post-processing");
                            break;
                    }
                }
            }

            return result;
        }

        /// <summary>RadAI axis of each network axis, and the network axes reversed, from the bundle's Orientationd.</summary>
        private (int[] Permutation, IReadOnlyList<int> Flips) Axes(int dims, string? axcodes, ConfigReader? config)
        {
            if (dims == 2)
            {
                return ([0, 1, 3, 2], []);
            }

            var permutation = new[] { 0, 1, 4, 3, 2 };
            if (axcodes is null)
            {
                if (config is not null)
                {
                    config.Refuse("$.preprocessing", "no Orientationd: the orientation the 3D network was trained in is unknown, so RadAI cannot present volumes the same way");
                }

                return (permutation, []);
            }

            // RadAI's volume as stored, for an axial series: z (axis 2) runs to S, y (3) to P, x (4) to L.
            var flips = new List<int>();
            var seen = new HashSet<int>();
            for (var k = 0; k < axcodes.Length && k < 3; k++)
            {
                var (axis, flip) = axcodes[k] switch
                {
                    'L' => (4, false),
                    'R' => (4, true),
                    'P' => (3, false),
                    'A' => (3, true),
                    'S' => (2, false),
                    'I' => (2, true),
                    _ => (-1, false),
                };
                permutation[2 + k] = axis;
                seen.Add(axis);
                if (flip)
                {
                    flips.Add(2 + k);
                }
            }

            if (axcodes.Length != 3 || !seen.SetEquals([2, 3, 4]))
            {
                config!.Refuse("$.preprocessing", $"Orientationd axcodes '{axcodes}': not three of L/R, P/A, S/I, one per axis");
                return ([0, 1, 4, 3, 2], []);
            }

            return (permutation, flips);
        }
    }
}
