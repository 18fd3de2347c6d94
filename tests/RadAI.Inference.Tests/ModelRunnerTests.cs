using System.Numerics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using RadAI.Inference.Packages;
using RadAI.Inference.Runtime;
using RadAI.Testing;
using Xunit;

namespace RadAI.Inference.Tests;

/// <summary>The runner's geometry (resampling, padding, windows, slices) proven with models whose answer is known.</summary>
public sealed class ModelRunnerTests : IDisposable
{
    private readonly TemporaryDirectory _packages = new();
    private readonly OnnxSessions _sessions = new(Options.Create(new InferenceOptions { UseCuda = false, WarmUp = false }), NullLogger<OnnxSessions>.Instance);

    public void Dispose()
    {
        _sessions.Dispose();
        _packages.Dispose();
    }

    private static RadAI.Inference.Volumes.Volume Smooth(int sx, int sy, int sz) =>
        TestVolumes.Make(sx, sy, sz, new Vector3(1, 1, 2), (x, y, z) => (float)((Math.Sin(x / 7.0) * 100) + (y * 3) - (z * 5)));

    private ModelPackage Package(string onnx, string mode, Func<ModelInput, ModelInput>? input = null, InferenceSettings? inference = null)
    {
        var manifest = TestPackages.Manifest($"test.{Path.GetFileNameWithoutExtension(onnx)}.{Guid.NewGuid():N}"[..40].TrimEnd('.'), onnx: onnx, mode: mode);
        manifest = manifest with
        {
            Input = input?.Invoke(manifest.Input) ?? manifest.Input,
            Inference = inference ?? new InferenceSettings(),
            Outputs = [manifest.Outputs[0] with { Name = onnx.StartsWith("mean", StringComparison.Ordinal) ? "mean" : "y", Kind = onnx.StartsWith("mean", StringComparison.Ordinal) ? "measurement" : "intermediate" }],
        };
        return ModelPackage.Load(TestPackages.Write(_packages.Path, manifest));
    }

    private static void AssertSame(float[] expected, float[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        var worst = expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second));
        Assert.True(worst <= tolerance, $"largest difference {worst}");
    }

    [Fact]
    public void A_whole_volume_comes_back_unchanged_through_padding()
    {
        var volume = Smooth(13, 11, 7);
        var package = Package("identity3d.onnx", "volume3d", i => i with { Name = "x", SizeMultiple = 8 });
        var result = new ModelRunner(_sessions).Run(package, volume, CancellationToken.None);
        Assert.Equal("CPU", result.ExecutionProvider);
        AssertSame(volume.Data, result.Outputs["y"].Data, 0);
    }

    [Theory]
    [InlineData("gaussian", 0.5)]
    [InlineData("constant", 0.25)]
    [InlineData("gaussian", 0)]
    public void A_sliding_window_blends_back_to_the_input(string blending, double overlap)
    {
        var volume = Smooth(21, 17, 9);
        var package = Package("identity3d.onnx", "volume3d", null,
            new InferenceSettings { Mode = "sliding-window", RoiSize = [4, 8, 8], Overlap = overlap, Blending = blending });
        var result = new ModelRunner(_sessions).Run(package, volume, CancellationToken.None);
        AssertSame(volume.Data, result.Outputs["y"].Data, 1e-3);
    }

    [Fact]
    public void A_window_larger_than_the_volume_is_padded_then_cropped()
    {
        var volume = Smooth(5, 6, 3);
        var package = Package("identity3d.onnx", "volume3d", null, new InferenceSettings { Mode = "sliding-window", RoiSize = [8, 8, 8] });
        AssertSame(volume.Data, new ModelRunner(_sessions).Run(package, volume, CancellationToken.None).Outputs["y"].Data, 1e-4);
    }

    [Fact]
    public void Slices_in_batches_come_back_in_place()
    {
        var volume = Smooth(10, 13, 5);
        var package = Package("identity2d.onnx", "slice2d", i => i with { SizeMultiple = 8 }, new InferenceSettings { BatchSize = 3 });
        AssertSame(volume.Data, new ModelRunner(_sessions).Run(package, volume, CancellationToken.None).Outputs["y"].Data, 0);
    }

    [Fact]
    public void A_25D_model_sees_its_neighbours_as_channels()
    {
        var volume = Smooth(6, 5, 4);
        var package = Package("middle25d.onnx", "slices25d", i => i with { ContextSlices = 1 });
        AssertSame(volume.Data, new ModelRunner(_sessions).Run(package, volume, CancellationToken.None).Outputs["y"].Data, 0);
    }

    [Fact]
    public void Resampling_to_the_model_spacing_and_back_keeps_a_smooth_image()
    {
        var volume = Smooth(40, 30, 10);
        var package = Package("identity3d.onnx", "volume3d", i => i with { SpacingMm = [1.0, 1.0, 1.0] });
        var result = new ModelRunner(_sessions).Run(package, volume, CancellationToken.None);
        // Linear interpolation there and back: within a few HU of a field varying 5 HU per slice.
        AssertSame(volume.Data, result.Outputs["y"].Data, 6);
    }

    [Fact]
    public void The_intensity_window_is_applied_before_the_model()
    {
        var volume = TestVolumes.Make(4, 4, 2, Vector3.One, (x, y, z) => (float)(-1200 + (x * 400)));
        var package = Package("identity3d.onnx", "volume3d", i => i with { Intensity = new IntensityTransform { Kind = "hu-window", Min = -1000, Max = 400 } });
        var output = new ModelRunner(_sessions).Run(package, volume, CancellationToken.None).Outputs["y"].Data;
        // -1200 → 0 (clipped), -800 → 0.142857, -400 → 0.428571, 0 → 0.714286.
        Assert.Equal([0f, 0.142857f, 0.428571f, 0.714286f], output.Take(4).Select(v => MathF.Round(v, 6)));
    }

    [Fact]
    public void A_scalar_output_is_a_vector_not_a_map()
    {
        var volume = TestVolumes.Make(8, 8, 1, Vector3.One, (x, y, _) => (float)(x + y));
        var package = Package("mean2d.onnx", "image2d");
        var output = new ModelRunner(_sessions).Run(package, volume, CancellationToken.None).Outputs["mean"];
        Assert.False(output.Spatial);
        Assert.Equal(7, output.Data.Single(), 4);
    }

    [Fact]
    public void A_broken_model_file_is_an_onnx_runtime_error()
    {
        var broken = Path.Combine(TestPackages.ModelsFolder, "broken.onnx");
        Assert.Throws<OnnxRuntimeException>(() => _sessions.Get(broken));
    }

    [Fact]
    public void Asking_for_CUDA_without_a_GPU_falls_back_to_CPU()
    {
        using var sessions = new OnnxSessions(Options.Create(new InferenceOptions { UseCuda = true }), NullLogger<OnnxSessions>.Instance);
        var model = sessions.Get(Path.Combine(TestPackages.ModelsFolder, "identity3d.onnx"));
        // On a GPU machine with CUDA 12 libraries this is "CUDA"; on CI there is none.
        Assert.Equal(Environment.GetEnvironmentVariable("RADAI_TEST_EXPECT_CUDA") == "1" ? "CUDA" : "CPU", model.ExecutionProvider);
        Assert.Same(model, sessions.Get(Path.Combine(TestPackages.ModelsFolder, "identity3d.onnx")));
    }
}
