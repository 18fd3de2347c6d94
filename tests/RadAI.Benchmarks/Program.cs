using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using RadAI.Benchmarks;
using RadAI.Benchmarks.Inference;
using RadAI.Benchmarks.Reports;

// Modes (docs/benchmarks.md, sections "DICOM header parsing", "DICOM network", "Inference", "Report building"):
//   dotnet run -c Release --project tests/RadAI.Benchmarks -- --filter '*'          BenchmarkDotNet, full runs (every class: the
//                                             inference ones take many minutes; select with e.g. --filter '*SingleCtFile*' '*CtSeries*')
//   dotnet run -c Release --project tests/RadAI.Benchmarks -- --filter '*' --quick  short runs (CI smoke: 1 warm-up, 3 iterations;
//                                             InferenceBenchmarks on a 48x256x256 volume instead of 300x512x512)
//   ... -- --filter '*' --out-of-process      BenchmarkDotNet's default toolchain (a generated project per run) instead of in-process
//   RadAI.Benchmarks parse [--full | --sync-io] [--dump] FILE...
//                                             parse (and list) files in one process (scripts/bench/dicom-parse.sh times it next to radai dump)
//   RadAI.Benchmarks alloc                    allocated bytes per header parse for 0...10000 extra elements, and the types allocated
//   RadAI.Benchmarks inference-memory PACKAGE [--size SxRxC]
//                                             peak memory and time of each stage of one model package's run, fresh process (scripts/bench/inference.sh)
//   RadAI.Benchmarks inference-throughput --consumers N [--studies M] [--size SxRxC] [--store DIR] [--intra-op T]
//                                             M studies through StudyAnalysis, N at once: studies per minute (scripts/bench/inference.sh)
//   RadAI.Benchmarks inference-devices [--size SxRxC] [--runs N] [--require-cuda] [PACKAGE...]
//                                             the CT packages on CPU and on CUDA: execution provider, run time, result differences
//                                             (scripts/bench/inference-gpu.sh)
//   RadAI.Benchmarks report-prepare [--size SxRxC]
//                                             writes the synthetic report-builder job once (300-slice CT, findings, label maps; scripts/bench/report.sh)
//   RadAI.Benchmarks report-memory [--size SxRxC] [--builds N] [--keep-reports DIR]
//                                             peak memory and time of report-builder's whole step, fresh process (scripts/bench/report.sh)
// RADAI_BENCH_REPORT_SIZE=SxRxC sets the report-builder job's size (ReportBuildingBenchmarks), RADAI_BENCH_REPORT_STUDY its folder.
// RADAI_BENCH_INFERENCE_SIZE=SxRxC sets the inference volume; RADAI_BENCH_MODELS the models folder (default: the checkout's models/).
// Any other BenchmarkDotNet argument (--list flat, --exporters json, --artifacts DIR...) is passed through.
switch (args.FirstOrDefault())
{
    case "parse":
        return await ParseMode.RunAsync(args[1..]);
    case "alloc":
        return await AllocationMode.RunAsync(args[1..]);
    case "inference-memory":
        return InferenceMemoryMode.Run(args[1..]);
    case "inference-throughput":
        return await InferenceThroughputMode.RunAsync(args[1..]);
    case "inference-devices":
        return InferenceDevicesMode.Run(args[1..]);
    case "report-prepare":
        return ReportMemoryMode.Prepare(args[1..]);
    case "report-memory":
        return await ReportMemoryMode.RunAsync(args[1..]);
}

var quick = args.Contains("--quick");
var outOfProcess = args.Contains("--out-of-process");
var passed = args.Where(a => a is not "--quick" and not "--out-of-process").ToArray();
// Read by the job attributes of the long benchmarks (LongRunJobAttribute) and the inference volume size.
BenchmarkSettings.Quick = quick;
BenchmarkSettings.OutOfProcess = outOfProcess;

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
