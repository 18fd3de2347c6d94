using System.IO.Compression;
using System.Numerics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using RadAI.Inference.Analysis;
using RadAI.Inference.Packages;
using RadAI.Inference.Runtime;
using RadAI.Testing;
using Xunit;

namespace RadAI.Inference.Tests.Packages;

/// <summary>
/// Import of MONAI bundles: the spleen CT fixture maps onto a package the catalog loads and that segments; the
/// adapter presents volumes in the bundle's orientation; what does not map is refused with its file and JSON path.
/// </summary>
public sealed class MonaiImportTests : IDisposable
{
    private readonly TemporaryDirectory _work = new();

    public void Dispose() => _work.Dispose();

    private string Output => Path.Combine(_work.Path, "packages", "imported");

    private MonaiImportResult Import(string bundle, IReadOnlyDictionary<string, CodeRef>? labels = null, IReadOnlyDictionary<string, CodeRef>? categories = null) =>
        MonaiBundleImporter.Import(new MonaiImportOptions
        {
            Bundle = bundle,
            Output = Output,
            Labels = labels ?? new Dictionary<string, CodeRef>(),
            LabelCategories = categories ?? new Dictionary<string, CodeRef>(),
        });

    private IReadOnlyList<string> Refusal(string bundle, IReadOnlyDictionary<string, CodeRef>? labels = null, IReadOnlyDictionary<string, CodeRef>? categories = null)
    {
        var refused = Assert.Throws<MonaiImportException>(() => Import(bundle, labels, categories));
        Assert.False(Directory.Exists(Output), "a refused import writes nothing");
        Assert.Empty(Directory.Exists(Path.GetDirectoryName(Output)) ? Directory.GetFileSystemEntries(Path.GetDirectoryName(Output)!) : []);
        return refused.Reasons;
    }

    [Fact]
    public void The_spleen_bundle_becomes_a_package_the_catalog_loads()
    {
        var result = Import(MonaiBundles.WriteSpleen(_work.Path));

        var catalog = new ModelCatalog(new FixedOptions(new InferenceOptions { PackagePaths = [Path.GetDirectoryName(Output)!] }), NullLogger<ModelCatalog>.Instance);
        var package = Assert.Single(catalog.All);
        Assert.Equal(result.Package.Id, package.Id);
        var manifest = package.Manifest;
        Assert.Equal("monai.spleen-ct-segmentation", manifest.Id);
        Assert.Equal("0.5.9", manifest.Version);
        Assert.Equal("Spleen CT segmentation (MONAI bundle)", manifest.Name);
        Assert.Equal(ModelStatus.RESEARCH, manifest.Status);
        Assert.Equal("This is an example, not to be used for diagnostic purposes", manifest.IntendedUse);
        Assert.Contains(manifest.Limitations, l => l.Contains("not validated on this site's data", StringComparison.Ordinal));
        Assert.Contains(manifest.Limitations, l => l.Contains("does not reorient series", StringComparison.Ordinal));

        Assert.Equal(["CT"], manifest.Select.Modalities);
        Assert.Equal(MonaiBundleImporter.MinSlices3D, manifest.Select.MinSlices);
        Assert.Matches(manifest.Select.SeriesDescription!, "ABDOMEN 3mm");
        Assert.DoesNotMatch(manifest.Select.SeriesDescription!, "ABDOMEN COR 3mm");
        Assert.DoesNotMatch(manifest.Select.SeriesDescription!, "Sagittal MPR");
        Assert.DoesNotMatch(manifest.Select.SeriesDescription!, "Topogram 0.6 T20f");

        var input = manifest.Input;
        Assert.Equal(("model.onnx", "image", "volume3d", "NCDHW"), (input.Onnx, input.Name, input.Mode, input.Layout));
        Assert.Equal([2.0, 1.5, 1.5], input.SpacingMm);
        Assert.Null(input.Size);
        Assert.Equal(("hu-window", -57.0, 164.0), (input.Intensity.Kind, input.Intensity.Min, input.Intensity.Max));

        var inference = manifest.Inference;
        Assert.Equal(("sliding-window", 0.5, "constant", 4), (inference.Mode, inference.Overlap, inference.Blending, inference.BatchSize));
        Assert.Equal([96, 96, 96], inference.RoiSize);

        var output = Assert.Single(manifest.Outputs);
        Assert.Equal(("pred", "segmentation", true, (double?)null), (output.Name, output.Kind, output.Postprocess.Argmax, output.Postprocess.Threshold));
        var label = Assert.Single(output.Labels);
        Assert.Equal(new SegmentLabel(1, "Spleen", new CodeRef("SCT", "91723000", "Anatomical Structure"), new CodeRef("SCT", "78961009", "Spleen")), label);
        Assert.Null(manifest.Analyzer);

        Assert.Equal("Orientationd RAS: the adapter transposes RadAI's [z, y, x] (the series as stored) to the network's [x, y, z] and reverses x and y; outputs go back the same way", result.Mapping[0]);
        Assert.Equal("Spacingd pixdim [1.5, 1.5, 2] mm (x, y, z) → input.spacingMm [2, 1.5, 1.5] (z, y, x)", result.Mapping[1]);
        var readme = File.ReadAllText(Path.Combine(Output, "README.md"));
        Assert.Contains("Imported from the MONAI bundle **Spleen CT segmentation** version 0.5.9", readme, StringComparison.Ordinal);
        Assert.Contains("MONAI team", readme, StringComparison.Ordinal);
        Assert.Contains("Copyright (c) MONAI Consortium", readme, StringComparison.Ordinal);
        Assert.Contains("mean_dice: 0.961", readme, StringComparison.Ordinal);
        Assert.Contains("arXiv:1811.12506", readme, StringComparison.Ordinal);
        Assert.Contains("ScaleIntensityRanged [-57, 164]", readme, StringComparison.Ordinal);
        foreach (var copied in new[] { "configs/metadata.json", "configs/inference.json", "docs/README.md" })
        {
            Assert.True(File.Exists(Path.Combine(Output, MonaiBundleImporter.ProvenanceFolder, copied)), copied);
        }
    }

    [Fact]
    public void The_imported_network_segments_a_synthetic_spleen_through_the_runner()
    {
        var package = Import(MonaiBundles.WriteSpleen(_work.Path)).Package;
        // At the bundle's spacing (no resampling): air, and a 12 mm ball of soft tissue (100 HU, inside the −57..164 window).
        var volume = TestVolumes.Make(30, 28, 20, new Vector3(1.5f, 1.5f, 2f), (x, y, z) =>
            Math.Pow(x - 22, 2) + Math.Pow(y - 21, 2) + Math.Pow(z - 20, 2) <= 144 ? 100f : -1000f);
        using var sessions = new OnnxSessions(Options.Create(new InferenceOptions { UseCuda = false, WarmUp = false }), NullLogger<OnnxSessions>.Instance);

        var run = new ModelRunner(sessions).Run(package, volume, CancellationToken.None);

        var map = run.Outputs["pred"];
        Assert.Equal(2, map.Channels);
        for (var i = 0; i < volume.VoxelCount; i++)
        {
            Assert.Equal(1f, map.Data[i] + map.Data[volume.VoxelCount + i], 4);
        }

        var labels = Postprocessing.ToLabels(map, package.Manifest.Outputs[0], volume.SizeX, volume.SizeY, volume.SizeZ, volume.VoxelVolumeMm3);
        var expected = volume.Data.Select(v => v > 0 ? (byte)1 : (byte)0).ToArray();
        Assert.Equal(expected, labels);
        Assert.Contains((byte)1, labels);
    }

    [Theory]
    [InlineData("RAS", new[] { 32, 64, 96 }, new[] { 3.0, 0.8, 0.7 }, "-x", "-y", "+z")]
    [InlineData("LPS", new[] { 32, 64, 96 }, new[] { 3.0, 0.8, 0.7 }, "+x", "+y", "+z")]
    [InlineData("PLI", new[] { 32, 96, 64 }, new[] { 3.0, 0.7, 0.8 }, "+y", "+x", "-z")]
    public void The_adapter_presents_volumes_in_the_bundle_orientation(string axcodes, int[] roiZyx, double[] spacingZyx, string axis0, string axis1, string axis2)
    {
        // The probe network returns, per channel k, the running sum of its input along its spatial axis k:
        // for an input of ones, each voxel's 1-based index along the network's x, y and z.
        var bundle = MonaiBundles.WriteSpleen(_work.Path,
            metadata =>
            {
                MonaiBundles.Input(metadata)["spatial_shape"] = new JsonArray(96, 64, 32);
                var output = MonaiBundles.Output(metadata);
                output["num_channels"] = 3;
                output["channel_def"] = new JsonObject { ["0"] = "spleen", ["1"] = "liver", ["2"] = "kidney" };
            },
            inference =>
            {
                MonaiBundles.Transform(inference, "Orientationd")["axcodes"] = axcodes;
                MonaiBundles.Transform(inference, "Spacingd")["pixdim"] = new JsonArray(0.7, 0.8, 3.0);
                inference["inferer"]!["roi_size"] = new JsonArray(96, 64, 32);
                inference["postprocessing"]!["transforms"] = new JsonArray(JsonNode.Parse("""{ "_target_": "AsDiscreted", "keys": "pred", "threshold": 0.5 }"""));
            },
            onnx: "monai_axes3d.onnx");

        var manifest = Import(bundle).Package.Manifest;

        Assert.Equal(roiZyx, manifest.Inference.RoiSize);
        Assert.Equal(spacingZyx, manifest.Input.SpacingMm);
        Assert.Equal([1, 2, 3], manifest.Outputs[0].Labels.Select(l => l.Value));
        const int D = 4, H = 3, W = 5;
        using var session = new InferenceSession(Path.Combine(Output, "model.onnx"));
        var ones = new DenseTensor<float>(Enumerable.Repeat(1f, D * H * W).ToArray(), [1, 1, D, H, W]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(manifest.Input.Name, ones)]);
        var output = results.Single(r => r.Name == manifest.Outputs[0].Name).AsTensor<float>();
        Assert.Equal([1, 3, D, H, W], output.Dimensions.ToArray());
        string[] expectations = [axis0, axis1, axis2];
        for (var channel = 0; channel < 3; channel++)
        {
            for (var z = 0; z < D; z++)
            {
                for (var y = 0; y < H; y++)
                {
                    for (var x = 0; x < W; x++)
                    {
                        var (index, size) = expectations[channel][1] switch { 'x' => (x, W), 'y' => (y, H), _ => (z, D) };
                        var expected = expectations[channel][0] == '+' ? index + 1 : size - index;
                        Assert.Equal(expected, output[0, channel, z, y, x]);
                    }
                }
            }
        }
    }

    [Fact]
    public void A_network_exported_with_a_fixed_size_gets_its_input_declared_in_RadAI_order()
    {
        // monai_seg3d_static takes [1, 1, 32, 24, 16] (x, y, z).
        var bundle = MonaiBundles.WriteSpleen(_work.Path,
            metadata => MonaiBundles.Input(metadata)["spatial_shape"] = new JsonArray(32, 24, 16),
            inference => inference["inferer"]!["roi_size"] = new JsonArray(32, 24, 16),
            onnx: "monai_seg3d_static.onnx");

        var manifest = Import(bundle).Package.Manifest;

        Assert.Equal([16, 24, 32], manifest.Inference.RoiSize);
        Assert.Equal(1, manifest.Inference.BatchSize);
        using var session = new InferenceSession(Path.Combine(Output, "model.onnx"));
        Assert.Equal([1, 1, 16, 24, 32], session.InputMetadata[manifest.Input.Name].Dimensions);
        Assert.Equal([1, 2, 16, 24, 32], session.OutputMetadata["pred"].Dimensions);
    }

    [Fact]
    public void A_2D_classifier_becomes_an_image2d_package_with_probabilities()
    {
        var package = Import(MonaiBundles.WriteClassifier2D(_work.Path)).Package;
        var manifest = package.Manifest;
        Assert.Equal("monai.cxr-classification", manifest.Id);
        Assert.Equal(["CR", "DX"], manifest.Select.Modalities);
        Assert.Equal(("image2d", "NCHW", "MONOCHROME2", "zscore"), (manifest.Input.Mode, manifest.Input.Layout, manifest.Input.Photometric, manifest.Input.Intensity.Kind));
        Assert.Equal("whole", manifest.Inference.Mode);
        var output = Assert.Single(manifest.Outputs);
        Assert.Equal("classification", output.Kind);
        Assert.Equal(["normal", "abnormal"], output.Classes);
        Assert.Contains("The bundle states no intended use: research use only.", manifest.IntendedUse, StringComparison.Ordinal);

        var image = TestVolumes.Make(20, 16, 1, Vector3.One, (x, y, _) => (float)(x + y), modality: "DX");
        using var sessions = new OnnxSessions(Options.Create(new InferenceOptions { UseCuda = false, WarmUp = false }), NullLogger<OnnxSessions>.Instance);
        var scores = new ModelRunner(sessions).Run(package, image, CancellationToken.None).Outputs["pred"];
        Assert.False(scores.Spatial);
        Assert.Equal(2, scores.Data.Length);
        Assert.Equal(1f, scores.Data.Sum(), 5);
        Assert.Equal(0.5f, scores.Data[0], 5); // z-scored image: mean 0, so both logits are 0
    }

    [Fact]
    public void A_zipped_bundle_is_imported_like_its_folder()
    {
        var folder = MonaiBundles.WriteSpleen(Path.Combine(_work.Path, "bundle"));
        var zip = Path.Combine(_work.Path, "spleen_ct_segmentation.zip");
        ZipFile.CreateFromDirectory(folder, zip, CompressionLevel.Fastest, includeBaseDirectory: true);

        Assert.Equal("monai.spleen-ct-segmentation", Import(zip).Package.Id);
    }

    [Fact]
    public void A_label_given_on_the_command_line_maps_a_channel_the_tables_do_not_name()
    {
        var bundle = MonaiBundles.WriteSpleen(_work.Path, metadata => MonaiBundles.Output(metadata)["channel_def"]!["1"] = "spleen_tip");

        Assert.Contains("labels without a SEG code: 'spleen_tip'", Assert.Single(Refusal(bundle)), StringComparison.Ordinal);

        var label = Import(bundle, new Dictionary<string, CodeRef> { ["spleen_tip"] = new("SCT", "78961009", "spleen") }).Package.Manifest.Outputs[0].Labels[0];
        Assert.Equal(new SegmentLabel(1, "Spleen tip", new CodeRef("SCT", "91723000", "Anatomical Structure"), new CodeRef("SCT", "78961009", "Spleen")), label);
    }

    [Fact]
    public void A_label_code_outside_the_tables_needs_its_category()
    {
        var bundle = MonaiBundles.WriteSpleen(_work.Path);
        var labels = new Dictionary<string, CodeRef> { ["spleen"] = new("SCT", "1234567", "Splenic remnant") };

        Assert.Contains("--label spleen: SCT 1234567 is in no DICOM segmentation type group", Assert.Single(Refusal(bundle, labels)), StringComparison.Ordinal);

        var categories = new Dictionary<string, CodeRef> { ["spleen"] = new("SCT", "91723000", "Anatomical Structure") };
        var label = Import(bundle, labels, categories).Package.Manifest.Outputs[0].Labels[0];
        Assert.Equal(new CodeRef("SCT", "1234567", "Splenic remnant"), label.Type);
        Assert.Equal("91723000", label.Category.Value);
    }

    [Fact]
    public void A_label_whose_meaning_contradicts_the_tables_or_names_no_channel_is_refused()
    {
        var bundle = MonaiBundles.WriteSpleen(_work.Path);

        var reasons = Refusal(bundle, new Dictionary<string, CodeRef> { ["spleen"] = new("SCT", "78961009", "Liver"), ["livr"] = new("SCT", "10200004", "Liver") });

        Assert.Contains("--label spleen: SCT 78961009 is \"Spleen\" in the DICOM tables, not \"Liver\"", reasons);
        Assert.Contains("--label livr: no segmentation output channel has that name", reasons);
    }

    public static TheoryData<string> RefusedCases => [.. Cases.Keys];

    /// <summary>Bundles that do not map: what is changed in the spleen fixture, and the reason expected (file, JSON path, why).</summary>
    private static readonly Dictionary<string, (Action<JsonObject>? Metadata, Action<JsonObject>? Inference, string Onnx, string Reason)> Cases = new()
    {
        ["two inputs"] = (m => m["network_data_format"]!["inputs"]!["label"] = MonaiBundles.Input(m).DeepClone(), null, "monai_seg3d.onnx",
            "configs/metadata.json $.network_data_format.inputs: 2 inputs (image, label): RadAI feeds a network one series as its single input"),
        ["four channels"] = (m =>
        {
            MonaiBundles.Input(m)["num_channels"] = 4;
            MonaiBundles.Input(m)["channel_def"] = new JsonObject { ["0"] = "T1c", ["1"] = "T1", ["2"] = "T2", ["3"] = "FLAIR" };
        }, null, "monai_seg3d.onnx", "configs/metadata.json $.network_data_format.inputs.image.num_channels: 4 channels (T1c, T1, T2, FLAIR): RadAI feeds a network one series, one channel"),
        ["k-space input"] = (m => MonaiBundles.Input(m)["format"] = "kspace", null, "monai_seg3d.onnx",
            "configs/metadata.json $.network_data_format.inputs.image.format: 'kspace': RadAI feeds reconstructed images"),
        ["float16 input"] = (m => MonaiBundles.Input(m)["dtype"] = "float16", null, "monai_seg3d.onnx",
            "configs/metadata.json $.network_data_format.inputs.image.dtype: 'float16': RadAI feeds float32"),
        ["power-of-two shape"] = (m => MonaiBundles.Input(m)["spatial_shape"] = new JsonArray("2**n", "2**n", "2**n"), null, "monai_seg3d.onnx",
            "configs/metadata.json $.network_data_format.inputs.image.spatial_shape[0]: '2**n': RadAI can honour a fixed size"),
        ["2D network on CT"] = (m => MonaiBundles.Input(m)["spatial_shape"] = new JsonArray("*", "*"), i => i.Remove("inferer"), "monai_seg3d.onnx",
            "configs/metadata.json $.network_data_format.inputs.image.spatial_shape: a 2D network on CT slices"),
        ["patches without a window"] = (null, i => i.Remove("inferer"), "monai_seg3d.onnx",
            "configs/metadata.json $.network_data_format.inputs.image.is_patch_data: the network works on patches, and configs/inference.json has no SlidingWindowInferer"),
        ["image output"] = (m => MonaiBundles.Output(m)["format"] = "magnitude", null, "monai_seg3d.onnx",
            "configs/metadata.json $.network_data_format.outputs.pred.format: 'magnitude': RadAI reads spatial outputs as segmentations"),
        ["argmax without background"] = (m => MonaiBundles.Output(m)["channel_def"] = new JsonObject { ["0"] = "spleen", ["1"] = "liver" }, null, "monai_seg3d.onnx",
            "configs/metadata.json $.network_data_format.outputs.pred.channel_def: the argmax is taken over channels and channel 0 is 'spleen'"),
        ["output without channel names"] = (m => MonaiBundles.Output(m).Remove("channel_def"), null, "monai_seg3d.onnx",
            "configs/metadata.json $.network_data_format.outputs.pred.channel_def: missing: what each channel means is unknown"),
        ["window without clipping"] = (null, i => MonaiBundles.Transform(i, "ScaleIntensityRanged")["clip"] = false, "monai_seg3d.onnx",
            "configs/inference.json $.preprocessing.transforms[4].clip: false: RadAI's window clips"),
        ["window to another range"] = (null, i => MonaiBundles.Transform(i, "ScaleIntensityRanged")["b_min"] = -1, "monai_seg3d.onnx",
            "configs/inference.json $.preprocessing.transforms[4]: ScaleIntensityRanged to [-1, 1]: RadAI's window scales to [0, 1]"),
        ["no intensity transform"] = (null, i => MonaiBundles.Transforms(i).RemoveAt(4), "monai_seg3d.onnx",
            "configs/metadata.json $.network_data_format.inputs.image.value_range: the network expects values in [0, 1], but the preprocessing of configs/inference.json has no intensity transform"),
        ["non-zero normalisation"] = (null, i => MonaiBundles.Transforms(i)[4] = JsonNode.Parse("""{ "_target_": "NormalizeIntensityd", "keys": "image", "nonzero": true }"""), "monai_seg3d.onnx",
            "configs/inference.json $.preprocessing.transforms[4].nonzero: true"),
        ["foreground crop"] = (null, i => MonaiBundles.Transforms(i).Add(JsonNode.Parse("""{ "_target_": "CropForegroundd", "keys": ["image"], "source_key": "image" }""")), "monai_seg3d.onnx",
            "configs/inference.json $.preprocessing.transforms[6]: CropForegroundd: RadAI runs the network on the whole image"),
        ["unknown transform"] = (null, i => MonaiBundles.Transforms(i).Add(JsonNode.Parse("""{ "_target_": "monai.transforms.Lambdad", "keys": "image", "func": "$lambda x: x * 2" }""")), "monai_seg3d.onnx",
            "configs/inference.json $.preprocessing.transforms[6]: Lambdad: RadAI has no equivalent of this transform"),
        ["expression"] = (null, i => MonaiBundles.Transform(i, "Spacingd")["pixdim"] = "$[1.5, 1.5, 2.0] if True else [3.0, 3.0, 3.0]", "monai_seg3d.onnx",
            "configs/inference.json $.preprocessing.transforms[3].pixdim: is a Python expression ($[1.5, 1.5, 2.0] if True else [3.0, 3.0, 3.0]); RadAI does not run bundle code"),
        ["no orientation"] = (null, i => MonaiBundles.Transforms(i).RemoveAt(2), "monai_seg3d.onnx",
            "configs/inference.json $.preprocessing: no Orientationd: the orientation the 3D network was trained in is unknown"),
        ["nearest resampling"] = (null, i => MonaiBundles.Transform(i, "Spacingd")["mode"] = "nearest", "monai_seg3d.onnx",
            "configs/inference.json $.preprocessing.transforms[3].mode: 'nearest': RadAI resamples images linearly"),
        ["slice inferer"] = (null, i => i["inferer"] = JsonNode.Parse("""{ "_target_": "SliceInferer", "roi_size": [96, 96] }"""), "monai_seg3d.onnx",
            "configs/inference.json $.inferer: SliceInferer: RadAI runs a network on the whole image or by sliding window"),
        ["other gaussian sigma"] = (null, i => i["inferer"]!["sigma_scale"] = 0.25, "monai_seg3d.onnx",
            "configs/inference.json $.inferer.sigma_scale: [0.25, 0.25, 0.25]"),
        ["label remapping"] = (null, i => MonaiBundles.Transforms(i, "postprocessing").Add(JsonNode.Parse("""{ "_target_": "MapLabelValued", "keys": "pred", "orig_labels": [1], "target_labels": [6] }""")), "monai_seg3d.onnx",
            "configs/inference.json $.postprocessing.transforms[4]: MapLabelValued on output 'pred': RadAI cannot reproduce this post-processing"),
        ["opset 11 softmax"] = (null, null, "monai_seg3d_opset11.onnx",
            "ONNX model.onnx: opset 11: the softmax of the bundle's post-processing, over the channels of a map, needs opset 13 or later"),
        ["fixed size other than the window"] = (null, null, "monai_seg3d_static.onnx",
            "ONNX model.onnx: the network was exported for a fixed input [32, 24, 16], not the ROI [96, 96, 96]"),
        ["not an ONNX file"] = (null, null, "broken.onnx", "ONNX "),
    };

    [Theory]
    [MemberData(nameof(RefusedCases))]
    public void What_does_not_map_is_refused_with_its_file_and_path(string name)
    {
        var (metadata, inference, onnx, reason) = Cases[name];
        var bundle = MonaiBundles.WriteSpleen(_work.Path, metadata, inference, onnx);

        var reasons = Refusal(bundle);

        Assert.True(reasons.Any(r => r.StartsWith(reason, StringComparison.Ordinal)), $"expected a reason starting with\n  {reason}\ngot\n  {string.Join("\n  ", reasons)}");
    }

    [Fact]
    public void Every_reason_is_listed_at_once()
    {
        var bundle = MonaiBundles.WriteSpleen(_work.Path,
            m => MonaiBundles.Input(m)["dtype"] = "int16",
            i => MonaiBundles.Transform(i, "ScaleIntensityRanged")["clip"] = false);

        var reasons = Refusal(bundle);

        Assert.Equal(2, reasons.Count);
        Assert.Contains(reasons, r => r.StartsWith("configs/metadata.json $.network_data_format.inputs.image.dtype", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.StartsWith("configs/inference.json $.preprocessing.transforms[4].clip", StringComparison.Ordinal));
    }

    [Fact]
    public void A_bundle_without_an_exported_network_is_refused_with_how_to_export_it()
    {
        var bundle = MonaiBundles.WriteSpleen(_work.Path, onnx: null);
        Directory.CreateDirectory(Path.Combine(bundle, "models"));
        File.WriteAllText(Path.Combine(bundle, "models", "model.pt"), "weights");

        var reason = Assert.Single(Refusal(bundle));

        Assert.StartsWith("models/: no ONNX file (only model.pt): RadAI runs ONNX; export the network (e.g. python -m monai.bundle onnx_export", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_YAML_config_is_refused_and_the_import_says_what_it_cannot_know_without_it()
    {
        var bundle = MonaiBundles.WriteSpleen(_work.Path);
        File.Move(Path.Combine(bundle, "configs", "inference.json"), Path.Combine(bundle, "configs", "inference.yaml"));

        var reasons = Refusal(bundle);

        Assert.Contains("configs/inference.yaml: YAML configs are not read; convert it to configs/inference.json (the same content as JSON) and import again", reasons);
        Assert.Contains(reasons, r => r.StartsWith("configs/metadata.json $.network_data_format.inputs.image.value_range: the network expects values in [0, 1]", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.StartsWith("configs/metadata.json $.network_data_format.inputs.image: a 3D network, and without configs/inference.json", StringComparison.Ordinal));
    }

    [Fact]
    public void An_import_is_never_clinical_and_never_overwrites_a_folder()
    {
        var bundle = MonaiBundles.WriteSpleen(_work.Path);
        Assert.Throws<ArgumentException>(() => MonaiBundleImporter.Import(new MonaiImportOptions { Bundle = bundle, Output = Output, Status = ModelStatus.CLINICAL }));

        Directory.CreateDirectory(Output);
        File.WriteAllText(Path.Combine(Output, "notes.txt"), "mine");
        Assert.Throws<IOException>(() => Import(bundle));
        Assert.Equal(["notes.txt"], Directory.GetFileSystemEntries(Output).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("spleen", "SCT", "78961009", "91723000")]
    [InlineData("Adrenal_gland", "SCT", "23451007", "91723000")]
    [InlineData("lesion", "SCT", "52988006", "49755003")]
    public void Label_names_map_to_the_DICOM_segmentation_types_of_the_same_meaning(string name, string scheme, string value, string category)
    {
        Assert.True(SegmentationPropertyCodes.TryFind(name, out var foundCategory, out var type));
        Assert.Equal((scheme, value, category), (type.Scheme, type.Value, foundCategory.Value));
    }

    [Theory]
    [InlineData("kidney_left")]
    [InlineData("tumor core")]
    [InlineData("background")]
    public void Label_names_without_exactly_one_DICOM_meaning_are_not_mapped(string name) =>
        Assert.False(SegmentationPropertyCodes.TryFind(name, out _, out _));

    private sealed class FixedOptions(InferenceOptions value) : IOptionsMonitor<InferenceOptions>
    {
        public InferenceOptions CurrentValue => value;

        public InferenceOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<InferenceOptions, string?> listener) => null;
    }
}
