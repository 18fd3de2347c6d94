using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;

namespace RadAI.Inference.Packages;

public static partial class MonaiBundleImporter
{
    /// <summary>
    /// One import: reads the bundle, collects every reason it cannot be mapped, and plans the package. Paths in
    /// reasons are JSONPath into the file named before them.
    /// </summary>
    private sealed partial class BundleAnalysis(string folder, MonaiImportOptions options)
    {
        private readonly List<string> _reasons = [];
        private readonly List<string> _mapping = [];
        private readonly List<string> _limitations = [];
        private string _bundleName = Path.GetFileName(folder.TrimEnd(Path.DirectorySeparatorChar));

        public ImportPlan Plan()
        {
            var metadataDocument = ReadJson(MetadataFile) ?? throw Refused();
            using var metadataScope = metadataDocument;
            var inferenceDocument = File.Exists(Path.Combine(folder, InferenceFile)) ? ReadJson(InferenceFile) : null;
            using var inferenceScope = inferenceDocument;
            if (inferenceDocument is null)
            {
                foreach (var yaml in new[] { "configs/inference.yaml", "configs/inference.yml" }.Where(f => File.Exists(Path.Combine(folder, f))))
                {
                    _reasons.Add($"{yaml}: YAML configs are not read; convert it to {InferenceFile} (the same content as JSON) and import again");
                }
            }

            var meta = new ConfigReader(metadataDocument.RootElement, MetadataFile, _reasons);
            var config = inferenceDocument is null ? null : new ConfigReader(inferenceDocument.RootElement, InferenceFile, _reasons);
            var root = meta.Root;
            _bundleName = meta.Text(root, "name", "$.name") ?? _bundleName;
            var version = meta.Text(root, "version", "$.version");
            if (version is null)
            {
                meta.Refuse("$.version", "missing: a bundle states its version");
            }

            var format = meta.Get(root, "network_data_format", "$.network_data_format");
            if (format is not { ValueKind: JsonValueKind.Object } networkFormat)
            {
                meta.Refuse("$.network_data_format", "missing: the bundle does not describe the network's inputs and outputs");
                throw Refused();
            }

            var inputs = Entries(meta, networkFormat, "inputs", "$.network_data_format.inputs");
            var outputs = Entries(meta, networkFormat, "outputs", "$.network_data_format.outputs");
            if (inputs.Count != 1)
            {
                meta.Refuse("$.network_data_format.inputs", $"{inputs.Count} inputs ({string.Join(", ", inputs.Select(i => i.Key))}): RadAI feeds a network one series as its single input");
            }

            if (outputs.Count == 0)
            {
                meta.Refuse("$.network_data_format.outputs", "no output");
            }

            if (inputs.Count != 1 || outputs.Count == 0)
            {
                throw Refused();
            }

            var (inputKey, inputSpec, inputPath) = inputs[0];
            var input = ReadInput(meta, inputSpec, inputPath);
            if (input is null)
            {
                throw Refused();
            }

            var dims = input.Value.Shape.Count;
            var pre = config is null ? null : ReadPreprocessing(config, inputKey, dims);
            if (config is null)
            {
                _limitations.Add($"The bundle has no {InferenceFile}: RadAI feeds the network the series' own values at its own spacing, as the metadata alone allows");
                if (dims == 3)
                {
                    meta.Refuse(inputPath, $"a 3D network, and without {InferenceFile} (its Orientationd) the orientation it was trained in is unknown");
                }
            }

            // Values the network expects but no known transform produces; raw Hounsfield units are what a CT series holds.
            var range = input.Value.ValueRange;
            var rawHounsfield = input.Value.Format == "hounsfield" && range.Count == 2 && range[0] <= -1000 && range[1] >= 1000;
            if (pre?.Intensity is null && pre?.IntensityRefused != true && range.Count > 0 && !rawHounsfield)
            {
                meta.Refuse($"{inputPath}.value_range", $"the network expects values in {Bracketed(range)}, but {(config is null ? $"without {InferenceFile} the transform that brings images there is unknown" : $"the preprocessing of {InferenceFile} has no intensity transform that brings images there")}");
            }

            var inferer = config is null ? new InfererSettings("whole", null, 0.25, "constant", 1) : ReadInferer(config, dims);
            var post = config is null ? null : ReadPostprocessing(config, outputs.Select(o => o.Key).ToList());

            var (permutation, flips) = Axes(dims, pre?.Axcodes, config);
            var (onnxPath, onnx, graph) = ReadNetwork();
            var onnxName = onnxPath is null ? "ONNX" : $"ONNX {Path.GetFileName(onnxPath)}";
            var networkInput = graph is null ? null : CheckOnnxInput(graph, onnxName, dims);
            var sizeMultiple = CheckSizes(meta, config, input.Value, inputPath, pre, inferer, networkInput, onnxName);
            var mode = dims == 3 ? "volume3d" : "image2d";

            // Outputs.
            var adaptedNames = new HashSet<string>(StringComparer.Ordinal);
            string Unused(string wanted)
            {
                var name = wanted;
                while ((graph?.TensorNames.Contains(name) ?? false) || !adaptedNames.Add(name))
                {
                    name += "_radai";
                }

                return name;
            }

            var adaptedInput = Unused(inputKey);
            var modelOutputs = new List<ModelOutput>();
            var adaptedOutputs = new List<OnnxAdaptedOutput>();
            var unmapped = new List<string>();
            var usedLabelOptions = new HashSet<string>(StringComparer.Ordinal);
            var allOutputsMapped = true;
            foreach (var (key, spec, path) in outputs)
            {
                var onnxOutput = graph is null ? null : MatchOutput(graph, key, outputs.Count, onnxName);
                var mapped = MapOutput(meta, key, spec, path, onnxOutput, networkInput?.Rank ?? (dims + 2), post?.GetValueOrDefault(key), config is not null, unmapped, usedLabelOptions, onnxName);
                if (mapped is null)
                {
                    allOutputsMapped = false;
                }
                else if (onnxOutput is not null)
                {
                    var name = Unused(key);
                    modelOutputs.Add(mapped.Value.Output with { Name = name });
                    adaptedOutputs.Add(new OnnxAdaptedOutput(onnxOutput.Name, name, mapped.Value.Activation, mapped.Value.Spatial));
                }
            }

            if (unmapped.Count > 0)
            {
                _reasons.Add($"labels without a SEG code: {string.Join(", ", unmapped.Select(u => $"'{u}'"))}: no DICOM segmentation type (CID 7191–7198) has that meaning; give each one as --label \"NAME=SCHEME:VALUE:Meaning\" (e.g. --label \"{unmapped[0]}=SCT:<code>:<meaning>\")");
            }

            foreach (var name in options.Labels.Keys.Concat(options.LabelCategories.Keys).Select(SegmentationPropertyCodes.Normalize).Distinct()
                .Where(n => allOutputsMapped && !usedLabelOptions.Contains(n)))
            {
                _reasons.Add($"--label {name}: no segmentation output channel has that name");
            }

            if (_reasons.Count > 0 || onnx is null || networkInput is null)
            {
                throw Refused(); // a missing network or input always has its reason listed
            }

            // The adapter around the network, checked by loading it in ONNX Runtime.
            var adapterPlan = new OnnxAdapterPlan
            {
                NetworkInput = networkInput.Name,
                AdaptedInput = adaptedInput,
                Permutation = permutation,
                FlippedAxes = flips,
                Outputs = adaptedOutputs,
            };
            byte[] adapted;
            try
            {
                adapted = OnnxModelAdapter.Wrap(onnx, adapterPlan);
                using var session = new InferenceSession(adapted);
            }
            catch (Exception e) when (e is InvalidOperationException or OnnxRuntimeException or InvalidDataException)
            {
                _reasons.Add($"{onnxName}: {e.Message.Split('\n')[0]}");
                throw Refused();
            }

            var spacing = pre?.Pixdim is { } pixdim ? ToRadai(pixdim, permutation) : null;
            var fixedSize = pre?.ResizeTo is { } resizeTo ? ToRadai(resizeTo, permutation) : null;
            var roiSize = inferer.Roi is { } networkRoi && dims == 3 ? ToRadai(networkRoi, permutation) : null;
            DescribeGeometry(dims, pre, flips, inferer, input.Value.Shape, sizeMultiple, spacing, fixedSize, roiSize);

            var manifest = new ModelManifest
            {
                Id = options.Id ?? $"monai.{Slug(_bundleName)}",
                Version = version!,
                Name = $"{meta.Text(root, "name", "$.name") ?? meta.Text(root, "task", "$.task") ?? _bundleName} (MONAI bundle)",
                Status = options.Status,
                IntendedUse = meta.Text(root, "intended_use", "$.intended_use") is { Length: > 0 } intended
                    ? intended
                    : $"{meta.Text(root, "task", "$.task") ?? _bundleName}. The bundle states no intended use: research use only.",
                Limitations = Limitations(meta, version!, dims),
                Select = new SelectionRules
                {
                    Modalities = input.Value.Modalities,
                    AllowMissingBodyPart = true,
                    SeriesDescription = dims == 3 ? NotLocalizersOrReformats : null,
                    MinSlices = dims == 3 ? MinSlices3D : 1,
                },
                Input = new ModelInput
                {
                    Onnx = "model.onnx",
                    Name = adaptedInput,
                    Mode = mode,
                    Layout = dims == 3 ? "NCDHW" : "NCHW",
                    SpacingMm = spacing,
                    Size = fixedSize,
                    SizeMultiple = sizeMultiple,
                    Photometric = mode == "image2d" ? "MONOCHROME2" : null,
                    Intensity = pre?.Intensity ?? new IntensityTransform(),
                },
                Inference = new InferenceSettings
                {
                    Mode = inferer.Mode,
                    RoiSize = roiSize,
                    Overlap = inferer.Overlap,
                    Blending = inferer.Blending,
                    BatchSize = networkInput.Dims?[0] == 1 ? 1 : inferer.BatchSize,
                },
                Outputs = modelOutputs,
            };

            var provenance = new[] { MetadataFile, InferenceFile, "LICENSE", "docs/README.md", "docs/license.txt", "docs/data_license.txt" }
                .Where(f => File.Exists(Path.Combine(folder, f)))
                .Select(f => (Path.Combine(folder, f), f))
                .ToList();
            var readme = Readme(meta, manifest, onnxPath!, provenance.Select(p => p.Item2).ToList());
            return new ImportPlan(_bundleName, manifest, adapted, readme, _mapping, provenance);
        }

        private MonaiImportException Refused() => new(_bundleName, [.. _reasons.Distinct()]);

        /// <summary>Values given in the network's axis order, in RadAI's (network axis k is RadAI axis permutation[2 + k]).</summary>
        private static T[] ToRadai<T>(IReadOnlyList<T> networkOrder, int[] permutation)
        {
            var result = new T[networkOrder.Count];
            for (var k = 0; k < networkOrder.Count; k++)
            {
                result[permutation[2 + k] - 2] = networkOrder[k];
            }

            return result;
        }

        /// <summary>The ONNX file (given, or the only one in models/), its bytes and interface; nulls when refused.</summary>
        private (string? Path, byte[]? Onnx, OnnxGraphInfo? Graph) ReadNetwork()
        {
            var path = options.Onnx ?? FindOnnx();
            if (path is null)
            {
                return (null, null, null);
            }

            var onnx = File.ReadAllBytes(path);
            try
            {
                return (path, onnx, OnnxModelAdapter.Inspect(onnx));
            }
            catch (InvalidDataException e)
            {
                _reasons.Add($"ONNX {Path.GetFileName(path)}: {e.Message}");
                return (path, null, null);
            }
        }

        /// <summary>
        /// Checks the sizes the network will be fed (the sliding window's ROI, or whole images, resized or not) against
        /// <c>spatial_shape</c> and the ONNX input; returns the multiple whole-image sizes are padded to.
        /// </summary>
        private int CheckSizes(ConfigReader meta, ConfigReader? config, InputSpec input, string inputPath, Preprocessing? pre, InfererSettings inferer, OnnxTensorInfo? networkInput, string onnxName)
        {
            var shape = input.Shape;
            var dims = shape.Count;
            if (inferer.Mode == "sliding-window")
            {
                if (dims != 3)
                {
                    config!.Refuse("$.inferer", "a sliding window over a 2D image: RadAI runs 2D networks on whole images");
                }
                else if (inferer.Roi is { } roi)
                {
                    if (Enumerable.Range(0, dims).Any(k => !shape[k].Accepts(roi[k])))
                    {
                        config!.Refuse("$.inferer.roi_size", $"ROI {Bracketed(roi)} does not fit the network's spatial_shape {Bracketed(shape)}");
                    }

                    if (networkInput?.Dims is { } fixedDims && Enumerable.Range(0, dims).Any(k => fixedDims[2 + k] is { } d && d != roi[k]))
                    {
                        _reasons.Add($"{onnxName}: the network was exported for a fixed input {Bracketed(fixedDims.Skip(2).Select(d => d?.ToString(CultureInfo.InvariantCulture) ?? "?"))}, not the ROI {Bracketed(roi)} of {InferenceFile} $.inferer.roi_size: export it again with that size or dynamic axes");
                    }
                }

                return 1;
            }

            if (input.IsPatch)
            {
                meta.Refuse($"{inputPath}.is_patch_data", $"the network works on patches, and {(config is null ? $"there is no {InferenceFile}" : $"{InferenceFile} has no SlidingWindowInferer")} to give their size (roi_size)");
            }

            var resize = pre?.ResizeTo;
            if (Enumerable.Range(0, dims).Any(k => shape[k].Fixed is { } size && resize?[k] != size))
            {
                meta.Refuse($"{inputPath}.spatial_shape", $"the network takes a fixed size {Bracketed(shape)} and the preprocessing does not resize images to it (Resized)");
            }

            if (networkInput?.Dims is { } inputDims && Enumerable.Range(0, dims).Any(k => inputDims[2 + k] is { } d && d != resize?[k]))
            {
                _reasons.Add($"{onnxName}: the network was exported for a fixed input size, and RadAI would feed it whole images of any size: export it with dynamic spatial axes");
            }

            return shape.Aggregate(pre?.SizeMultiple ?? 1, (m, r) => r.Fixed is null ? Lcm(m, r.Multiple) : m);
        }

        /// <summary>The mapping lines of the geometry: axes first, then spacing, size, window and size multiple.</summary>
        private void DescribeGeometry(int dims, Preprocessing? pre, IReadOnlyList<int> flips, InfererSettings inferer, IReadOnlyList<AxisRequirement> shape, int sizeMultiple,
            double[]? spacing, int[]? fixedSize, int[]? roiSize)
        {
            var networkAxes = dims == 3 ? "x, y, z" : "x, y";
            var radaiAxes = dims == 3 ? "z, y, x" : "rows, columns";
            var geometry = new List<string>
            {
                dims == 3
                    ? $"Orientationd {pre!.Axcodes}: the adapter transposes RadAI's [z, y, x] (the series as stored) to the network's [x, y, z]{(flips.Count > 0 ? $" and reverses {string.Join(" and ", flips.Select(a => "xyz"[a - 2]))}" : "")}; outputs go back the same way"
                    : "Axes: the adapter transposes RadAI's [rows, columns] to MONAI's [x, y]; outputs go back the same way",
            };
            if (spacing is not null)
            {
                geometry.Add($"Spacingd pixdim {Bracketed(pre!.Pixdim!)} mm ({networkAxes}) → input.spacingMm {Bracketed(spacing)} ({radaiAxes})");
            }

            if (fixedSize is not null)
            {
                geometry.Add($"Resized spatial_size {Bracketed(pre!.ResizeTo!)} ({networkAxes}) → input.size {Bracketed(fixedSize)} ({radaiAxes})");
            }

            if (roiSize is not null)
            {
                geometry.Add($"SlidingWindowInferer roi_size {Bracketed(inferer.Roi!)} ({networkAxes}), overlap {F(inferer.Overlap)}, {inferer.Blending} blending → inference.mode sliding-window, roiSize {Bracketed(roiSize)} ({radaiAxes})");
            }

            if (sizeMultiple > 1)
            {
                geometry.Add($"spatial_shape {Bracketed(shape)}{(pre?.SizeMultiple > 1 ? " and DivisiblePadd" : "")} → input.sizeMultipleOf {sizeMultiple}");
            }

            _mapping.InsertRange(0, geometry);
        }

        private JsonDocument? ReadJson(string relative)
        {
            var path = Path.Combine(folder, relative);
            if (!File.Exists(path))
            {
                _reasons.Add($"{relative}: missing");
                return null;
            }

            try
            {
                return JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            }
            catch (JsonException e)
            {
                _reasons.Add($"{relative}: not valid JSON ({e.Message})");
                return null;
            }
        }

        private string? FindOnnx()
        {
            var models = Path.Combine(folder, "models");
            var found = Directory.Exists(models) ? Directory.GetFiles(models, "*.onnx", SearchOption.AllDirectories) : [];
            if (found.Length == 1)
            {
                return found[0];
            }

            if (found.Length > 1)
            {
                _reasons.Add($"models/: {found.Length} ONNX files ({string.Join(", ", found.Select(Path.GetFileName))}): name the network with --onnx");
                return null;
            }

            var others = Directory.Exists(models) ? Directory.GetFiles(models).Select(Path.GetFileName).ToList() : [];
            _reasons.Add($"models/: no ONNX file{(others.Count > 0 ? $" (only {string.Join(", ", others)})" : "")}: RadAI runs ONNX; export the network (e.g. python -m monai.bundle onnx_export network_def --filepath models/model.onnx --ckpt_file models/model.pt --meta_file {MetadataFile} --config_file {InferenceFile}) and give it with --onnx");
            return null;
        }

        private static List<(string Key, JsonElement Spec, string Path)> Entries(ConfigReader meta, JsonElement format, string name, string path)
        {
            var entries = meta.Get(format, name, path);
            if (entries is not { ValueKind: JsonValueKind.Object } map)
            {
                meta.Refuse(path, "missing, or not an object of named tensors");
                return [];
            }

            return [.. map.EnumerateObject().Select(p => (p.Name, p.Value, ConfigReader.Child(path, p.Name)))];
        }

        private readonly record struct InputSpec(string? Format, IReadOnlyList<string> Modalities, IReadOnlyList<AxisRequirement> Shape, IReadOnlyList<double> ValueRange, bool IsPatch);

        /// <summary>The input's description; null when its dimensionality or modality is refused (nothing else can be read then).</summary>
        private InputSpec? ReadInput(ConfigReader meta, JsonElement spec, string path)
        {
            var ok = true;
            if (meta.Text(spec, "type", $"{path}.type") is { } type && type != "image")
            {
                meta.Refuse($"{path}.type", $"'{type}': RadAI feeds networks images");
            }

            var format = meta.Text(spec, "format", $"{path}.format");
            if (format is not ("hounsfield" or "magnitude"))
            {
                meta.Refuse($"{path}.format", $"{(format is null ? "missing" : $"'{format}'")}: RadAI feeds reconstructed images, 'hounsfield' (CT) or 'magnitude'");
            }

            var channels = meta.Number(spec, "num_channels", $"{path}.num_channels");
            if (channels != 1)
            {
                var names = meta.Get(spec, "channel_def", $"{path}.channel_def") is { ValueKind: JsonValueKind.Object } def
                    ? $" ({string.Join(", ", def.EnumerateObject().Select(p => p.Value.ToString()))})"
                    : "";
                meta.Refuse($"{path}.num_channels", $"{(channels is null ? "missing" : $"{F(channels.Value)} channels{names}")}: RadAI feeds a network one series, one channel");
            }

            var dtype = meta.Text(spec, "dtype", $"{path}.dtype");
            if (dtype is not ("float32" or "float"))
            {
                meta.Refuse($"{path}.dtype", $"{(dtype is null ? "missing" : $"'{dtype}'")}: RadAI feeds float32");
            }

            var shape = new List<AxisRequirement>();
            if (meta.Get(spec, "spatial_shape", $"{path}.spatial_shape") is { ValueKind: JsonValueKind.Array } spatial && spatial.GetArrayLength() is 2 or 3)
            {
                foreach (var (axis, k) in spatial.EnumerateArray().Select((a, k) => (a, k)))
                {
                    if (ParseAxis(axis) is { } requirement)
                    {
                        shape.Add(requirement);
                    }
                    else
                    {
                        meta.Refuse($"{path}.spatial_shape[{k}]", $"'{axis}': RadAI can honour a fixed size, \"*\" or \"k*n\" (a multiple of k), not this");
                        ok = false;
                    }
                }
            }
            else
            {
                meta.Refuse($"{path}.spatial_shape", "missing, or not 2 or 3 sizes: RadAI runs 2D images and 3D volumes");
                ok = false;
            }

            var modality = meta.Text(spec, "modality", $"{path}.modality");
            var modalities = MapModality(modality);
            if (modalities is null)
            {
                meta.Refuse($"{path}.modality", $"{(modality is null ? "missing" : $"'{modality}'")}: not a modality RadAI selects series by (CT, MR, PT; CR, DX, XR; MG)");
                ok = false;
            }
            else if (shape.Count == 3 && modalities.Value.Projection)
            {
                meta.Refuse($"{path}.spatial_shape", $"3D, but {modality} images are projections");
                ok = false;
            }
            else if (shape.Count == 2 && !modalities.Value.Projection)
            {
                meta.Refuse($"{path}.spatial_shape", $"a 2D network on {modality} slices: RadAI imports 2D networks for projection images (CR, DX, MG) only, as the slice orientation a 2D network was trained in is not stated");
                ok = false;
            }

            if (format == "hounsfield" && modalities?.Names.SequenceEqual(["CT"]) != true)
            {
                meta.Refuse($"{path}.format", $"'hounsfield' values, but modality {modality ?? "missing"}");
            }

            var range = new List<double>();
            if (meta.Get(spec, "value_range", $"{path}.value_range") is { ValueKind: JsonValueKind.Array } values)
            {
                range.AddRange(values.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.Number).Select(v => v.GetDouble()));
            }

            var patch = meta.Flag(spec, "is_patch_data", $"{path}.is_patch_data") ?? false;
            return ok ? new InputSpec(format, modalities!.Value.Names, shape, range, patch) : null;
        }

        private static AxisRequirement? ParseAxis(JsonElement axis)
        {
            if (axis.ValueKind == JsonValueKind.Number && axis.TryGetInt32(out var size) && size > 0)
            {
                return new AxisRequirement(size, 1);
            }

            if (axis.ValueKind != JsonValueKind.String)
            {
                return null;
            }

            var text = axis.GetString()!.Trim();
            if (text == "*" || (text.Length == 1 && char.IsAsciiLetterLower(text[0])))
            {
                return new AxisRequirement(null, 1);
            }

            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var fixedSize) && fixedSize > 0)
            {
                return new AxisRequirement(fixedSize, 1);
            }

            var match = MultipleExpression().Match(text);
            return match.Success && int.Parse(match.Groups[1].Success ? match.Groups[1].Value : match.Groups[2].Value, CultureInfo.InvariantCulture) is var k and > 0
                ? new AxisRequirement(null, k)
                : null;
        }

        private static (IReadOnlyList<string> Names, bool Projection)? MapModality(string? modality) => modality?.Trim().ToUpperInvariant() switch
        {
            "CT" => (["CT"], false),
            "MR" or "MRI" => (["MR"], false),
            "PT" or "PET" => (["PT"], false),
            "CR" or "DX" or "XR" or "X-RAY" or "XRAY" or "CXR" => (["CR", "DX"], true),
            "MG" or "MAMMOGRAM" or "MAMMOGRAPHY" => (["MG"], true),
            _ => null,
        };


        private OnnxTensorInfo? CheckOnnxInput(OnnxGraphInfo graph, string onnxName, int dims)
        {
            if (graph.Inputs.Count != 1)
            {
                _reasons.Add($"{onnxName}: {graph.Inputs.Count} inputs ({string.Join(", ", graph.Inputs.Select(i => i.Name))}): RadAI feeds a network one input");
                return null;
            }

            var input = graph.Inputs[0];
            if (input.ElementType != OnnxTensorInfo.Float)
            {
                _reasons.Add($"{onnxName}: input '{input.Name}' is not float32 (ONNX type {input.ElementType})");
                return null;
            }

            if (input.Rank != dims + 2)
            {
                _reasons.Add($"{onnxName}: input '{input.Name}' has {input.Rank?.ToString(CultureInfo.InvariantCulture) ?? "an unknown number of"} dimensions; the metadata describes [N, C] and {dims} spatial axes");
                return null;
            }

            if (input.Dims![1] is { } channels && channels != 1)
            {
                _reasons.Add($"{onnxName}: input '{input.Name}' has {channels} channels; RadAI feeds one");
                return null;
            }

            if (input.Dims[0] is { } batch && batch != 1)
            {
                _reasons.Add($"{onnxName}: input '{input.Name}' has a fixed batch of {batch}; RadAI feeds one image at a time");
                return null;
            }

            return input;
        }

        private OnnxTensorInfo? MatchOutput(OnnxGraphInfo graph, string key, int metadataOutputs, string onnxName)
        {
            if (graph.Outputs.FirstOrDefault(o => o.Name == key) is { } byName)
            {
                return byName;
            }

            if (metadataOutputs == 1 && graph.Outputs.Count == 1)
            {
                return graph.Outputs[0];
            }

            _reasons.Add($"{onnxName}: no output named '{key}' among {string.Join(", ", graph.Outputs.Select(o => $"'{o.Name}'"))}, and with several outputs which one it is cannot be told");
            return null;
        }


        private List<string> Limitations(ConfigReader meta, string version, int dims)
        {
            var list = new List<string>
            {
                $"Imported from the MONAI bundle {_bundleName} {version} and not validated on this site's data: its results are unknown here until a local validation",
            };
            if (meta.Text(meta.Root, "data_source", "$.data_source") is { Length: > 0 } source)
            {
                list.Add($"Trained on: {source}; images unlike them (scanners, protocols, populations) may give worse results");
            }

            if (dims == 3)
            {
                list.Add("RadAI does not reorient series: the network sees the volume as stored, taken to be axial with rows running posterior and columns to the patient's left (Image Orientation 1\\0\\0\\0\\1\\0); other orientations give wrong results, and series named as reformats (coronal, sagittal, MPR, MIP) are not selected");
            }
            else
            {
                list.Add("Projection images are fed with larger values brighter (MONOCHROME2), as images exported for training usually are");
            }

            list.AddRange(_limitations);
            return list;
        }

        private string Readme(ConfigReader meta, ModelManifest manifest, string onnxPath, IReadOnlyList<string> provenance)
        {
            var root = meta.Root;
            var text = new StringBuilder();
            text.AppendLine(CultureInfo.InvariantCulture, $"# {manifest.Name}");
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"Imported from the MONAI bundle **{_bundleName}** version {manifest.Version} by `radai model import-monai` (network: `{Path.GetFileName(onnxPath)}`). Status: **{manifest.Status}**.");
            text.AppendLine();
            Section("Description", meta.Text(root, "description", "$.description"));
            Section("Task", meta.Text(root, "task", "$.task"));
            Section("Intended use", manifest.IntendedUse);
            Section("Authors", meta.Get(root, "authors", "$.authors") is { } authors ? Plain(authors) : meta.Text(root, "authorship", "$.authorship"));
            Section("Copyright", meta.Text(root, "copyright", "$.copyright"));
            Section("Training data", meta.Text(root, "data_source", "$.data_source"));
            if (meta.Get(root, "eval_metrics", "$.eval_metrics") is { ValueKind: JsonValueKind.Object } metrics)
            {
                text.AppendLine("## Validation");
                text.AppendLine();
                text.AppendLine("Reported by the bundle's authors, on their data (not measured by RadAI):");
                text.AppendLine();
                foreach (var metric in metrics.EnumerateObject())
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"- {metric.Name}: {Plain(metric.Value)}");
                }

                text.AppendLine();
                text.AppendLine("No validation on this site's data yet.");
                text.AppendLine();
            }

            if (meta.Get(root, "references", "$.references") is { ValueKind: JsonValueKind.Array } references)
            {
                text.AppendLine("## References");
                text.AppendLine();
                foreach (var reference in references.EnumerateArray())
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"- {Plain(reference)}");
                }

                text.AppendLine();
            }

            text.AppendLine("## How the bundle was mapped");
            text.AppendLine();
            foreach (var line in _mapping)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"- {line}");
            }

            text.AppendLine();
            text.AppendLine("`model.onnx` is the bundle's network wrapped by RadAI's adapter: a Transpose (and Slice nodes reversing axes) before the network and, after it, the bundle's activation and the inverse transpose.");
            text.AppendLine();
            text.AppendLine("## Limitations");
            text.AppendLine();
            foreach (var limitation in manifest.Limitations)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"- {limitation}");
            }

            text.AppendLine();
            if (provenance.Count > 0)
            {
                text.AppendLine("## From the bundle");
                text.AppendLine();
                text.AppendLine(CultureInfo.InvariantCulture, $"Copied unchanged into `{ProvenanceFolder}/`: {string.Join(", ", provenance.Select(p => $"`{p}`"))}. The bundle's licence terms apply to its network.");
            }

            return text.ToString();

            void Section(string title, string? body)
            {
                if (body is { Length: > 0 })
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"## {title}");
                    text.AppendLine();
                    text.AppendLine(body);
                    text.AppendLine();
                }
            }

            static string Plain(JsonElement value) => value.ValueKind switch
            {
                JsonValueKind.String => value.GetString()!,
                JsonValueKind.Array => string.Join(", ", value.EnumerateArray().Select(Plain)),
                _ => value.GetRawText(),
            };
        }
    }
}
