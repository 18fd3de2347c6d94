using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using RadAI.Benchmarks;

// Modes (docs/benchmarks.md, "DICOM header parsing"):
//   dotnet run -c Release --project tests/RadAI.Benchmarks -- --filter '*'          BenchmarkDotNet, full runs
//   dotnet run -c Release --project tests/RadAI.Benchmarks -- --filter '*' --quick  short runs (CI smoke: 1 warm-up, 3 iterations)
//   ... -- --filter '*' --out-of-process      BenchmarkDotNet's default toolchain (a generated project per run) instead of in-process
//   RadAI.Benchmarks parse [--full | --sync-io] [--dump] FILE...
//                                             parse (and list) files in one process (scripts/bench/dicom-parse.sh times it next to radai dump)
//   RadAI.Benchmarks alloc                    allocated bytes per header parse for 0...10000 extra elements, and the types allocated
// Any other BenchmarkDotNet argument (--list flat, --exporters json, --artifacts DIR...) is passed through.
switch (args.FirstOrDefault())
{
    case "parse":
        return await ParseMode.RunAsync(args[1..]);
    case "alloc":
        return await AllocationMode.RunAsync(args[1..]);
}

var quick = args.Contains("--quick");
var outOfProcess = args.Contains("--out-of-process");
var passed = args.Where(a => a is not "--quick" and not "--out-of-process").ToArray();

// In-process by default: the solution's Directory.Build.props (warnings as errors, artifacts output) would
// also apply to the project BenchmarkDotNet generates for an out-of-process run.
var job = quick
    ? Job.ShortRun.WithWarmupCount(1).WithIterationCount(3).WithId("Quick")
    : Job.Default.WithId("Default");
if (!outOfProcess)
{
    job = job.WithToolchain(InProcessEmitToolchain.Instance);
}

var config = DefaultConfig.Instance
    .AddJob(job.AsDefault())
    .WithOptions(ConfigOptions.DisableLogFile);
var summaries = BenchmarkSwitcher.FromAssembly(typeof(SingleCtFileBenchmarks).Assembly).Run(passed, config);
return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
