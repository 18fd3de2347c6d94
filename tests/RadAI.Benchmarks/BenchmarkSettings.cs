using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace RadAI.Benchmarks;

/// <summary>What Program.cs read from the command line, for the job attributes below (same process: in-process toolchain).</summary>
internal static class BenchmarkSettings
{
    /// <summary><c>--quick</c>: short jobs, and the smaller inference volume (<see cref="Inference.InferenceEnvironment.Size"/>).</summary>
    public static bool Quick { get; set; }

    /// <summary><c>--out-of-process</c>: BenchmarkDotNet's default toolchain instead of the in-process one.</summary>
    public static bool OutOfProcess { get; set; }
}

/// <summary>
/// For operations that take seconds to minutes (a 300-slice CT through a model): no pilot stage, one invocation per
/// iteration (<see cref="RunStrategy.Monitoring"/>), <c>warmups</c> warm-up iterations (default one: the first run of
/// a model grows ONNX Runtime's memory arena and is several times slower), then <c>iterations</c> measured ones. With
/// --quick, BenchmarkDotNet applies the quick job's counts (1 warm-up, 3 iterations) over these.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
internal sealed class LongRunJobAttribute : Attribute, IConfigSource
{
    public LongRunJobAttribute(int iterations = 3, int warmups = 1)
    {
        var job = new Job(BenchmarkSettings.Quick ? "LongRunQuick" : "LongRun")
            .WithStrategy(RunStrategy.Monitoring)
            .WithLaunchCount(1)
            .WithWarmupCount(warmups)
            .WithIterationCount(iterations)
            .WithInvocationCount(1)
            .WithUnrollFactor(1);
        if (!BenchmarkSettings.OutOfProcess)
        {
            job = job.WithToolchain(InProcessEmitToolchain.Instance);
        }

        Config = ManualConfig.CreateEmpty().AddJob(job);
    }

    public IConfig Config { get; }
}

/// <summary>
/// For the network loopback benchmarks (hundreds of µs to a few ms per operation, noisy on a shared machine): the
/// in-process toolchain, 3 warm-up and 10 measured iterations instead of BenchmarkDotNet's default job (which may run
/// up to 100 iterations per benchmark). With --quick, the quick job's counts apply over these.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
internal sealed class MediumRunJobAttribute : Attribute, IConfigSource
{
    public MediumRunJobAttribute()
    {
        var job = new Job(BenchmarkSettings.Quick ? "MediumRunQuick" : "MediumRun")
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(10);
        if (!BenchmarkSettings.OutOfProcess)
        {
            job = job.WithToolchain(InProcessEmitToolchain.Instance);
        }

        Config = ManualConfig.CreateEmpty().AddJob(job);
    }

    public IConfig Config { get; }
}
