#!/usr/bin/python3
"""Turns the measurements of scripts/bench/inference.sh into the "Inference (CPU)" section.

    inference_report.py WORK_DIR [DOCS_FILE]

Reads from WORK_DIR: machine, packages, the BenchmarkDotNet reports under bdn/results, bdn-findings.txt,
memory-PACKAGE.json/.time and throughput-N.json/.time (each part optional). Prints the section and, with DOCS_FILE,
replaces it there.
"""
import json
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_report import bdn_results, bdn_tables, machine, machine_line, notes, read, write_section  # noqa: E402

HEADING = "## Inference (CPU)"


def slices_of(size):
    return int(size.split("x")[0])


def load_json(path):
    text = read(path).strip()
    return json.loads(text.splitlines()[-1]) if text else None


def time_file(path):
    """/usr/bin/time -f '%e %U %S %M' -> (wall, cpu, rss_mib)."""
    text = read(path).strip()
    if not text:
        return None
    wall, user, system, rss = text.splitlines()[-1].split()
    return float(wall), float(user) + float(system), int(rss) / 1024


def main(argv):
    work = argv[0]
    docs = argv[1] if len(argv) > 1 else None
    m = machine(work)
    packages = [p for p in read(os.path.join(work, "packages")).splitlines() if p]
    size = m.get("size", "300x512x512")
    tp_size = m.get("throughput_size", size)
    quick = m.get("quick") == "1"
    out = []
    w = out.append
    w(HEADING)
    w("")
    w("The CT model packages of `models/` (" + ", ".join(f"`{p}`" for p in packages) + ") on CPU through RadAI's own code: "
      "`ModelRunner.Run` (services/inference/RadAI.Inference/Runtime: resampling to the package's spacing, intensity "
      "transform, ONNX Runtime, outputs back on the volume's grid) and the package's analyzer (`IAnalyzer.Analyze`: "
      "post-processing, components, measurements, findings), timed separately; peak memory; then whole studies through "
      "`StudyAnalysis` (the inference service's consumer path) with 1, 2 and 4 at once. Produced by "
      "`scripts/bench/inference.sh` (this section; `--quick` for a ≈ 3-minute smoke run on 48×256×256 volumes); the "
      "BenchmarkDotNet part alone: `RADAI_BENCH_INFERENCE_SIZE=300x512x512 dotnet run -c Release --project "
      "tests/RadAI.Benchmarks -- --filter '*InferenceBenchmarks*'`.")
    w("")
    w(machine_line(m, f"ONNX Runtime {m.get('onnxruntime', '?')} (the Gpu.Linux package, CPU execution provider: `Inference:UseCuda` false)"
                   + f"; measuring took {m.get('measure_s', '?')} s after a {m.get('build_s', '?')} s build"))
    w("")
    w(f"**Input.** BenchmarkDotNet and memory: the synthetic chest of the lung graph tests (`SyntheticChest`, seed 7, copied into "
      f"the benchmark project) as a {size.replace('x', '×')} volume (slices × rows × columns; 0.68 mm pixels, 1 mm slices, "
      f"{slices_of(size) * int(size.split('x')[1]) * int(size.split('x')[2]) * 4 / 2**20:.0f} MiB of float voxels). Throughput: "
      f"`radai synth-ct`'s chest phantom as DICOM files ({tp_size.replace('x', '×')} per study), read from disk by each analysis. "
      "ONNX Runtime with its default threads (`Inference:IntraOpThreads` 0: one per core). **Noise:** the 2 cores are shared "
      "with other engineers' builds and tests, which slows every figure here by an unknown, varying factor; CPU time is "
      "given where it was measured. The analyzers are being rewritten: these are the analyzers of the commit above.")
    w("")

    # ------------------------------------------------------------ BenchmarkDotNet
    bdn = bdn_results(os.path.join(work, "bdn"))
    if bdn:
        n_slices = slices_of(size)
        w(f"### Per volume and per slice ({size.replace('x', '×')}; BenchmarkDotNet, in process, "
          + ("quick job: 1 warm-up, 3 measured runs" if quick else "1 warm-up + 3 measured runs") + ")")
        w("")
        w("| Package | Stage | Per volume, median (s) | min–max (s) | Per slice (ms) | Managed allocation per volume (MiB) |")
        w("|---|---|---:|---:|---:|---:|")
        for package in packages:
            for method, stage in (("ModelRun", "model (`ModelRunner.Run`)"), ("Analyzer", "analyzer")):
                b = next((v for v in bdn.values() if v["method"] == method and f"Package={package}" in v["params"]), None)
                if not b:
                    continue
                alloc = f"{b['allocated'] / 2**20:,.0f}" if b["allocated"] is not None else "?"
                w(f"| `{package}` | {stage} | {b['median'] / 1e9:.2f} | {b['min'] / 1e9:.2f}–{b['max'] / 1e9:.2f} | "
                  f"{b['median'] / 1e6 / n_slices:.1f} | {alloc} |")
        w("")
        findings = read(os.path.join(work, "bdn-findings.txt")).strip()
        if findings:
            w("What the analyzers found on the phantom (a check that they ran on a meaningful output): "
              + "; ".join(line.lstrip("/ ").strip() for line in findings.splitlines()) + ".")
            w("")
        out.extend(bdn_tables(os.path.join(work, "bdn")))

    # ------------------------------------------------------------ memory
    memory = {p: load_json(os.path.join(work, f"memory-{p}.json")) for p in packages}
    if any(memory.values()):
        w(f"### Memory: one package, fresh process ({size.replace('x', '×')})")
        w("")
        w("`RadAI.Benchmarks inference-memory PACKAGE`: the stages in turn in a new process; after each, the resident memory "
          "(VmRSS) and its peak so far (VmHWM: managed heap and ONNX Runtime's native memory together), the stage's time and "
          "CPU time (all threads; first run in the process: JIT and ONNX Runtime's arena growth included) and the managed "
          "bytes it allocated. CPU time is the steadier figure on this shared machine.")
        w("")
        w("| Package | Stage | Time (s) | CPU (s) | RSS after (MiB) | Peak so far (MiB) | Managed allocated (MiB) | Detail |")
        w("|---|---|---:|---:|---:|---:|---:|---|")
        for package, data in memory.items():
            if not data:
                continue
            for s in data["stages"]:
                cpu = s.get("cpu_seconds")
                w(f"| `{package}` | {s['stage']} | {s['seconds']:.2f} | {cpu if cpu is not None else '?'} | {s['rss_kb'] / 1024:,.0f} | {s['hwm_kb'] / 1024:,.0f} | "
                  f"{s['allocated_bytes'] / 2**20:,.0f} | {s.get('detail') or ''} |")
            timing = time_file(os.path.join(work, f"memory-{package}.time"))
            if timing:
                w(f"| `{package}` | whole process (`/usr/bin/time`) | {timing[0]:.2f} | {timing[1]:.1f} | | {timing[2]:,.0f} | | |")
        w("")

    # ------------------------------------------------------------ throughput
    runs = []
    for n in m.get("consumers", "").split():
        data = load_json(os.path.join(work, f"throughput-{n}.json"))
        if data:
            runs.append((data, time_file(os.path.join(work, f"throughput-{n}.time"))))
    if runs:
        w(f"### Throughput: N studies analysed at once ({tp_size.replace('x', '×')} each)")
        w("")
        w("`RadAI.Benchmarks inference-throughput --consumers N --studies N`: N different studies (written once as DICOM files "
          "in an instances store laid out as dicom-ingest does) analysed by `StudyAnalysis.AnalyzeAsync`, at most N at once "
          "(`Parallel.ForEachAsync`, as MassTransit runs the consumer with `ConcurrentMessageLimit` = `Inference:ConcurrentJobs` = N), "
          "one process per N, ONNX sessions loaded and warmed and one small study analysed first (untimed). Each analysis "
          "reads the series (`SeriesVolumeLoader`), routes it, runs both CT packages and writes its findings and masks.")
        w("")
        nproc = int(m.get("nproc", "2"))
        w(f"| Concurrent analyses (N) | Studies | Wall for the N studies (s) | Studies/min | Each study (s) | Model run + analyzer per study, median (s) | CPU per study (s) | Studies/min if the {nproc} cores were ours (CPU-bound estimate) | Peak RSS (MiB) |")
        w("|---:|---:|---:|---:|---|---|---:|---:|---:|")
        for data, _ in runs:
            per_model = ", ".join(f"{k.split('.')[-1]} {statistics.median(v) / 1000:.1f}" for k, v in (data.get("model_runs_ms") or {}).items())
            outcomes = ", ".join(f"{k} {v}" for k, v in data["outcomes"].items())
            per_study = data.get("cpu_s_per_study")
            capacity = f"{nproc * 60 / per_study:.2f}" if per_study else "?"
            w(f"| {data['consumers']} | {data['studies']} ({outcomes}) | {data['wall_s']:.1f} | **{data['studies_per_min']:.2f}** | "
              f"{', '.join(f'{s:.1f}' for s in data['study_s'])} | {per_model} | {per_study if per_study is not None else '?'} | {capacity} | "
              f"{data['peak_rss_kb'] / 1024:,.0f} |")
        w("")
        w("*CPU per study*: the process's CPU time (all threads) during the N analyses, divided by N; the estimate divides the "
          "cores' 60 s per minute by it, as if nothing else ran — wall-clock figures here are slowed by other engineers' work, "
          "by a factor that changed during the run.")
        w("")
        base = runs[0][0]
        if base["consumers"] == 1:
            w("Relative to one at a time: " + ", ".join(
                f"N = {d['consumers']}: {d['studies_per_min'] / base['studies_per_min']:.2f}× the studies per minute, "
                f"{d['peak_rss_kb'] / base['peak_rss_kb']:.1f}× the peak memory" for d, _ in runs[1:]) + ".")
            w("")

    text = notes("inference-notes.md")
    if text:
        w(text)
        w("")
    write_section("\n".join(out), HEADING, docs, "inference")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
