#!/usr/bin/python3
"""Turns the measurements of scripts/bench/report.sh into the "Report building" section.

    report_building_report.py WORK_DIR [DOCS_FILE]

Reads from WORK_DIR: machine, bdn-job.txt, the BenchmarkDotNet reports under bdn/results and memory-N.json/.time
(each part optional). Prints the section and, with DOCS_FILE, replaces it there (appended at the end when absent).
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_report import bdn_results, bdn_tables, machine, notes, read, write_section  # noqa: E402

HEADING = "## Report building"

# BenchmarkDotNet method -> (what it measures, part of the whole step's sum)
STAGES = [
    ("LoadSourceHeaders", "source headers: `SourceStudy.LoadAsync` (one file per slice read up to Pixel Data, 4 at a time)", True),
    ("LoadLabelMaps", "label maps: both runs' `.radaimap` read and inflated (2 × slices × rows × columns bytes)", True),
    ("BuildSegmentations", "SEG: `SegmentationBuilder.Build`, both runs (frames, functional groups, bit-packing)", True),
    ("BuildMeasurementReport", "SR: narrative conclusion + `MeasurementReportBuilder.Build` (TID 1500)", True),
    ("RenderKeyImages", "key images: `KeyImageSet.RenderAsync` (decode, window, overlay, mark, PNG)", True),
    ("BuildSecondaryCaptures", "Secondary Capture objects of the key images", True),
    ("BuildPdf", "PDF: `PdfReportBuilder.Build` (PDFsharp) + encapsulated PDF", True),
    ("WriteObjects", "writing the DICOM objects (temporary file, fsync, rename)", True),
    ("WholeStep", "**whole step: `ReportGeneration.BuildAsync`** (all of the above, findings.json, SQLite history, plain PDF file)", False),
    ("EncodeKeyImagePngs", "part of key images: the PNG encoding alone (SkiaSharp `Encode(Png, 100)`, as the renderer), same images", None),
    ("EncodeKeyImagePngsZlib1", "lever: the same PNGs with `SKPngEncoderOptions` at zlib level 1", None),
    ("BuildPdfWithoutKeyImages", "part of PDF: the same PDF without its key images", None),
]


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


def ms(ns):
    return f"{ns / 1e6:,.1f}" if ns < 1e10 else f"{ns / 1e6:,.0f}"


def main(argv):
    work = argv[0]
    docs = argv[1] if len(argv) > 1 else None
    m = machine(work)
    size = m.get("size", "300x512x512")
    slices, rows, columns = (int(v) for v in size.split("x"))
    quick = m.get("quick") == "1"
    out = []
    w = out.append
    w(HEADING)
    w("")
    w("report-builder's step for one analysed CT job: the SEG of each run, the TID 1500 SR, the key images, the PDF "
      "(plain and encapsulated) and the Secondary Capture key images, written durably to the reports store — the "
      "acceptance benchmark of the report-builder issue (\"time to build SR+SEG+PDF for a 300-slice study with 10 "
      "findings\"). Produced by `scripts/bench/report.sh` (this section; `--quick` for a ≈ 1-minute smoke run on a "
      "48×256×256 job); the BenchmarkDotNet part alone: `RADAI_BENCH_REPORT_SIZE=300x512x512 dotnet run -c Release "
      "--project tests/RadAI.Benchmarks -- --filter '*ReportBuildingBenchmarks*'`; the memory part: `RadAI.Benchmarks "
      "report-prepare` then `RadAI.Benchmarks report-memory`.")
    w("")
    w(f"Measured {m.get('date', '?')} on {m.get('cpu', '?')}, {m.get('nproc', '?')} logical CPUs, {m.get('memory', '?')}, "
      f"Linux {m.get('kernel', '?')} ({m.get('filesystem', '?')} temp folder); .NET SDK {m.get('dotnet', '?')}, PDFsharp "
      f"{m.get('pdfsharp', '?')}, SkiaSharp {m.get('skiasharp', '?')}; commit {m.get('commit', '?')}. Load average "
      f"(1, 5, 15 min) before the timings {m.get('load_before', '?')}, between BenchmarkDotNet and the memory runs "
      f"{m.get('load_middle', '?')}, after them {m.get('load_after', '?')}; measuring took {m.get('measure_s', '?')} s.")
    w("")
    w(f"**Input** (`tests/RadAI.Benchmarks/Reports/ReportStudy.cs`, written once under `/tmp/radai-bench-report-{size}-seed3`): "
      f"`radai synth-ct`'s chest phantom (`SyntheticCtSeries`, seed 3) as {slices} CT files of {rows}×{columns}, 16-bit "
      "(12 stored), explicit VR little endian, in the instances store's study/series layout; a findings document of two runs as the two CT "
      "packages of `models/` emit them — `radai.ct.lung-quant` (right and left lung: volume, mean attenuation, %LAA-950, "
      "Perc15, region and key slice; both lungs together) and `radai.ct.nodule-demo` (six nodule candidates: long axis, "
      "score, region, key slice, diameter end points; one classification output): **10 findings**; and each run's label "
      f"map ({slices}×{rows}×{columns}): the phantom's lungs (ellipsoids) as segments 1–2, the nodules as spheres of 3–8 mm "
      "radius as segments 1–6. Options are the service's defaults: French, at most 4 key images, Secondary Capture key "
      "images and encapsulated PDF on, SQLite history. **Noise:** the 2 cores are shared with other engineers' builds "
      "and tests (load average above): wall times are inflated by a factor that varies during the run; CPU times are "
      "given where they were measured.")
    w("")

    # ------------------------------------------------------------ BenchmarkDotNet
    bdn = bdn_results(os.path.join(work, "bdn"))
    if bdn:
        job = read(os.path.join(work, "bdn-job.txt")).strip().lstrip("/ ").strip()
        w(f"### Stages and whole step ({size.replace('x', '×')}; BenchmarkDotNet, in process, "
          + ("quick job: 1 warm-up, 3 measured runs" if quick else "one invocation per iteration, 3 warm-up + 15 measured")
          + ")")
        w("")
        if job:
            w(f"The job as the setup saw it: {job.removeprefix('radai.report ')}.")
            w("")
        by_method = {v["method"]: v for v in bdn.values()}
        whole = by_method.get("WholeStep")
        w("| Stage | Median (ms) | Mean (ms) | Min–max (ms) | Share of the whole step (medians) | Managed allocation (MiB) |")
        w("|---|---:|---:|---:|---:|---:|")
        total = 0.0
        for method, label, summed in STAGES:
            b = by_method.get(method)
            if not b:
                continue
            if summed:
                total += b["median"]
            share = f"{100 * b['median'] / whole['median']:.0f} %" if whole and summed else ""
            alloc = f"{b['allocated'] / 2**20:,.1f}" if b["allocated"] is not None else "?"
            w(f"| {label} | {ms(b['median'])} | {ms(b['mean'])} | {ms(b['min'])}–{ms(b['max'])} | {share} | {alloc} |")
        w("")
        if whole:
            w(f"Sum of the stage medians {total / 1e6:,.0f} ms against {whole['median'] / 1e6:,.0f} ms for the whole step "
              "(the rest: reading findings.json, the SQLite history, the plain PDF file, and this machine's noise).")
            w("")
        out.extend(bdn_tables(os.path.join(work, "bdn")))

    # ------------------------------------------------------------ memory
    runs = []
    i = 1
    while os.path.exists(os.path.join(work, f"memory-{i}.json")):
        runs.append((i, load_json(os.path.join(work, f"memory-{i}.json")), time_file(os.path.join(work, f"memory-{i}.time"))))
        i += 1
    runs = [r for r in runs if r[1]]
    if runs:
        w(f"### Whole step in a fresh process: time, CPU and peak memory ({size.replace('x', '×')})")
        w("")
        w("`RadAI.Benchmarks report-memory --builds N`, one new process each: the environment (stores, SQLite database "
          "migrated), then `ReportGeneration.BuildAsync` N times on the same job (a rebuild: the same objects are "
          "written again). After each: time, CPU time (all threads), resident memory (VmRSS) and its peak so far "
          "(VmHWM: managed heap, SkiaSharp, SQLite and PDFsharp native memory together), the managed heap "
          "(`GC.GetTotalMemory`, no collection forced) and the managed bytes allocated. The first build includes JIT "
          "and first-use costs (fonts, SkiaSharp, PDFsharp), as the first job after the service starts.")
        w("")
        w("| Process | Stage | Time (s) | CPU (s) | RSS after (MiB) | Peak so far (MiB) | Managed heap (MiB) | Managed allocated (MiB) | Objects written |")
        w("|---:|---|---:|---:|---:|---:|---:|---:|---|")
        for n, data, timing in runs:
            for s in data["stages"]:
                if s["stage"] == "process":
                    continue
                w(f"| {n} | {s['stage']} | {s['seconds']:.2f} | {s['cpu_seconds']:.2f} | {s['rss_kb'] / 1024:,.0f} | "
                  f"{s['hwm_kb'] / 1024:,.0f} | {s['managed_heap_bytes'] / 2**20:,.0f} | {s['allocated_bytes'] / 2**20:,.0f} | {s.get('detail') or ''} |")
            if timing:
                w(f"| {n} | whole process (`/usr/bin/time`: wall, CPU, maximum RSS) | {timing[0]:.2f} | {timing[1]:.2f} | | {timing[2]:,.0f} | | | |")
        w("")
        firsts = [next(s for s in d["stages"] if s["stage"].startswith("build-1")) for _, d, _ in runs]
        peaks = [t[2] for _, _, t in runs if t]
        peak_text = ", ".join(f"{p:,.0f}" for p in peaks)
        first_peaks = ", ".join("{:,.0f}".format(f["hwm_kb"] / 1024) for f in firsts)
        first_times = ", ".join("{:.2f} s ({:.2f} s CPU)".format(f["seconds"], f["cpu_seconds"]) for f in firsts)
        w(f"Peak resident memory of the whole process: {peak_text} MiB ({len(peaks)} process(es), "
          f"{m.get('builds', '?')} builds each); after the first build alone: {first_peaks} MiB; first build {first_times}.")
        w("")

    text = notes("report-notes.md")
    if text:
        w(text)
        w("")
    write_section("\n".join(out), HEADING, docs, "report")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
