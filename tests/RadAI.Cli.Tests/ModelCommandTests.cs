using System.Text.Json.Nodes;
using RadAI.Testing;
using Xunit;

namespace RadAI.Cli.Tests;

/// <summary>
/// The built radai program, run as a process: <c>model import-monai</c> on the MONAI spleen fixture of the inference
/// tests, then <c>model check</c>; output, reasons and exit codes.
/// </summary>
public sealed class ModelCommandTests : IDisposable
{
    private static readonly string InferenceTests = Path.Combine(RepositoryPaths.Root, "tests", "RadAI.Inference.Tests");

    private readonly TemporaryDirectory _work = new();

    public void Dispose() => _work.Dispose();

    private string Package => Path.Combine(_work.Path, "package");

    /// <summary>A copy of the spleen bundle fixture, its metadata changed, with the exported network in models/ (or not).</summary>
    private string Bundle(Action<JsonObject>? metadata = null, bool withOnnx = true)
    {
        var source = Path.Combine(InferenceTests, "MonaiBundles", "spleen_ct_segmentation");
        var folder = Path.Combine(_work.Path, "spleen_ct_segmentation");
        Directory.CreateDirectory(Path.Combine(folder, "configs"));
        File.Copy(Path.Combine(source, "configs", "inference.json"), Path.Combine(folder, "configs", "inference.json"));
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(source, "configs", "metadata.json")))!.AsObject();
        metadata?.Invoke(json);
        File.WriteAllText(Path.Combine(folder, "configs", "metadata.json"), json.ToJsonString());
        if (withOnnx)
        {
            Directory.CreateDirectory(Path.Combine(folder, "models"));
            File.Copy(Network, Path.Combine(folder, "models", "model.onnx"));
        }

        return folder;
    }

    private static string Network => Path.Combine(InferenceTests, "TestModels", "monai_seg3d.onnx");

    private static JsonObject Output(JsonObject metadata) => metadata["network_data_format"]!["outputs"]!["pred"]!.AsObject();

    [Fact]
    public async Task Import_monai_writes_a_package_that_check_accepts()
    {
        var imported = (await Radai.RunAsync("model", "import-monai", Bundle(), "--out", Package)).EnsureSuccess("radai model import-monai");

        Assert.Contains($"Imported Spleen CT segmentation (MONAI bundle) as monai.spleen-ct-segmentation 0.5.9 (RESEARCH) into {Package}.", imported.Output, StringComparison.Ordinal);
        Assert.Contains("  - Output 'pred' channel 1 'spleen' → label 1 Spleen: SCT 78961009 \"Spleen\" (Anatomical Structure)", imported.Output, StringComparison.Ordinal);
        Assert.Contains($"Check it with: radai model check {Package}", imported.Output, StringComparison.Ordinal);
        Assert.Empty(imported.Error);

        var checkedPackage = await Radai.RunAsync("model", "check", Package);

        Assert.Equal(ExitCodes.Success, checkedPackage.ExitCode);
        Assert.Contains("monai.spleen-ct-segmentation 0.5.9: Spleen CT segmentation (MONAI bundle)", checkedPackage.Output, StringComparison.Ordinal);
        Assert.Contains("Input: model.onnx 'image', volume3d NCDHW, spacing [2, 1.5, 1.5] mm, size native, intensity hu-window [-57, 164]", checkedPackage.Output, StringComparison.Ordinal);
        Assert.Contains("Inference: sliding window [96, 96, 96], overlap 0.5, constant blending", checkedPackage.Output, StringComparison.Ordinal);
        Assert.Contains("Output 'pred': segmentation, argmax; labels 1 Spleen (SCT 78961009)", checkedPackage.Output, StringComparison.Ordinal);
        Assert.Contains("OK: the inference service loads this package.", checkedPackage.Output, StringComparison.Ordinal);
        Assert.Empty(checkedPackage.Error);
    }

    [Fact]
    public async Task Import_monai_takes_the_network_id_status_and_labels_given()
    {
        var bundle = Bundle(m => Output(m)["channel_def"]!["1"] = "spleen_tip", withOnnx: false);

        var result = (await Radai.RunAsync("model", "import-monai", bundle, "--onnx", Network, "--out", Package, "--id", "site.spleen",
            "--status", "DEMO", "--label", "spleen_tip=SCT:78961009:Spleen")).EnsureSuccess("radai model import-monai");

        Assert.Contains("as site.spleen 0.5.9 (DEMO)", result.Output, StringComparison.Ordinal);
        Assert.Contains("channel 1 'spleen_tip' → label 1 Spleen tip: SCT 78961009", result.Output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Success, (await Radai.RunAsync("model", "check", Package)).ExitCode);
    }

    [Fact]
    public async Task Import_monai_of_a_bundle_that_does_not_map_lists_the_reasons_and_exits_3()
    {
        var bundle = Bundle(m =>
        {
            var image = m["network_data_format"]!["inputs"]!["image"]!;
            image["num_channels"] = 4;
            image["channel_def"] = new JsonObject { ["0"] = "T1c", ["1"] = "T1", ["2"] = "T2", ["3"] = "FLAIR" };
            Output(m)["channel_def"]!["1"] = "enhancing tumour";
        });

        var result = await Radai.RunAsync("model", "import-monai", bundle, "--out", Package);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains($"radai model import-monai: {bundle} cannot be imported:", result.Error, StringComparison.Ordinal);
        Assert.Contains("  - configs/metadata.json $.network_data_format.inputs.image.num_channels: 4 channels (T1c, T1, T2, FLAIR): RadAI feeds a network one series, one channel", result.Error, StringComparison.Ordinal);
        Assert.Contains("  - labels without a SEG code: 'enhancing tumour'", result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Package));
    }

    [Theory]
    [InlineData("--label", "spleen")]
    [InlineData("--label", "spleen=SCT:78961009")]
    [InlineData("--label-category", "=SCT:91723000:Anatomical Structure")]
    [InlineData("--status", "CLINICAL")]
    public async Task Import_monai_rejects_a_wrong_option_with_the_usage_exit_code(string option, string value)
    {
        var result = await Radai.RunAsync("model", "import-monai", Bundle(), "--out", Package, option, value);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.StartsWith($"radai model import-monai: {option}", result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Package));
    }

    [Fact]
    public async Task Check_lists_why_the_service_would_refuse_a_package_and_exits_3()
    {
        Directory.CreateDirectory(Package);
        File.WriteAllText(Path.Combine(Package, "radai-model.json"), """
            {
              "id": "Site Model", "version": "1.0.0", "name": "broken", "status": "RESEARCH", "intendedUse": "tests",
              "select": { "modalities": [] },
              "input": { "name": "x", "mode": "volume4d" },
              "outputs": [ { "name": "y", "kind": "segmentation" } ]
            }
            """);

        var result = await Radai.RunAsync("model", "check", Package);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains($"radai model check: {Package} is refused:", result.Error, StringComparison.Ordinal);
        Assert.Contains("id 'Site Model' must be lowercase letters, digits, dots and dashes", result.Error, StringComparison.Ordinal);
        Assert.Contains("  - select.modalities is empty", result.Error, StringComparison.Ordinal);
        Assert.Contains("  - input.mode 'volume4d' is not volume3d, slice2d, slices25d or image2d", result.Error, StringComparison.Ordinal);
        Assert.Contains("  - model.onnx is missing", result.Error, StringComparison.Ordinal);
        Assert.Empty(result.Output);
    }

    [Fact]
    public async Task Check_refuses_a_manifest_that_names_what_its_ONNX_file_lacks()
    {
        (await Radai.RunAsync("model", "import-monai", Bundle(), "--out", Package)).EnsureSuccess("radai model import-monai");
        var manifestPath = Path.Combine(Package, "radai-model.json");
        var manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!;
        manifest["input"]!["name"] = "volume";
        File.WriteAllText(manifestPath, manifest.ToJsonString());

        var result = await Radai.RunAsync("model", "check", Package);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains("its ONNX file does not match its manifest:", result.Error, StringComparison.Ordinal);
        Assert.Contains("  - input.name 'volume' is not an input of model.onnx (image)", result.Error, StringComparison.Ordinal);
    }
}
