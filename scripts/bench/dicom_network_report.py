#!/usr/bin/python3
"""Turns the measurements of scripts/bench/dicom-network.sh into the "DICOM network (C-STORE)" section.

    dicom_network_report.py WORK_DIR [DOCS_FILE]

Reads from WORK_DIR: machine, runs, startups, datasets, results ("name dataset wall_s user_s sys_s rss_kb internal_s"
per run) and, optionally, the BenchmarkDotNet JSON/markdown reports under bdn/results. Prints the section and, with
DOCS_FILE, replaces it there (bench_report.write_section).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_report import bdn_results, bdn_tables, fmt_ratio, machine, machine_line, median, notes, ratio, read, write_section  # noqa: E402

HEADING = "## DICOM network (C-STORE)"


def main(argv):
    work = argv[0]
    docs = argv[1] if len(argv) > 1 else None
    m = machine(work)
    runs = [line.split("|", 2) for line in read(os.path.join(work, "runs")).splitlines() if line]
    startups = [line.split("|", 1) for line in read(os.path.join(work, "startups")).splitlines() if line]
    datasets = {}
    for line in read(os.path.join(work, "datasets")).splitlines():
        name, count, size, spec = line.split(" ", 3)
        _, slices, rows, seed = spec.split("|")
        datasets[name] = dict(count=int(count), bytes=int(size), rows=int(rows), seed=seed)
    results = {}
    for line in read(os.path.join(work, "results")).splitlines():
        name, dataset, wall, user, system, rss, internal = line.split()
        results.setdefault((name, dataset), []).append(dict(
            wall=float(wall), cpu=float(user) + float(system), rss=int(rss) / 1024, internal=None if internal == "-" else float(internal)))

    def med(name, dataset, field):
        return median(r[field] for r in results.get((name, dataset), []))

    out = []
    w = out.append
    w(HEADING)
    w("")
    w("C-STORE throughput of RadAI against DCMTK on 127.0.0.1, in both directions: RadAI as the sender (SCU: `radai send` "
      "against `dcmsend`, both to DCMTK `storescp`) and as the receiver (SCP: `radai listen` against `storescp`, both fed by "
      "`dcmsend`). Series made by `radai synth-ct` (CT Image Storage, explicit VR little endian): "
      + "; ".join(f"`{n}`: {d['count']} instances {d['rows']}×{d['rows']} (seed {d['seed']}), {d['bytes'] / 2**20:.1f} MiB, "
                  f"{d['bytes'] / d['count'] / 1024:.1f} KiB each" for n, d in datasets.items())
      + ". Produced by `scripts/bench/dicom-network.sh` (this section; `--quick` for a smoke run); the in-process benchmarks "
      "alone: `dotnet run -c Release --project tests/RadAI.Benchmarks -- --filter '*DicomNetworkBenchmarks*'`.")
    w("")
    w(machine_line(m, f"DCMTK {m.get('dcmtk', '?')}"))
    w("")
    w(f"**Conditions.** Each run starts a fresh receiver, sends the whole series over one association, stops the receiver "
      f"and checks that every instance arrived. Receivers write to {m.get('rx', '?')}, without fsync (radai listen without "
      "`--fsync`; storescp has no such option). The series files are in the page cache. **Noise:** the 2 cores are shared "
      "with other engineers' builds and tests; the runs are interleaved (one of each in turn, after an untimed warm-up of "
      f"each) and each figure is the median of {m.get('reps', '?')} repetitions. Wall time is the *sending process* from "
      "start to exit: association, every C-STORE answered, release — process start-up included (see the start-up line). "
      "*CPU* and *peak RSS* are those of the process being compared: the sender on the SCU side, the receiver (whole life, "
      "start-up and idle wait included) on the SCP side. "
      + ("DCMTK's tools run with `TCP_NODELAY=1` in their environment (see the Nagle check below)."
         if m.get("nodelay") == "1" else "DCMTK's tools run with Debian's defaults (no `TCP_NODELAY`: Nagle's algorithm on)."))
    w("")

    for dataset, d in datasets.items():
        w(f"### `{dataset}`: {d['count']} instances, {d['bytes'] / 2**20:.1f} MiB")
        w("")
        w("| Line | Side | What | Wall, median (s) | Wall, min–max (s) | Instances/s | MiB/s | ms per instance | CPU of the compared process, median (s) | Its peak RSS, median (MiB) |")
        w("|---|---|---|---:|---:|---:|---:|---:|---:|---:|")
        for name, side, what in runs:
            rs = results.get((name, dataset))
            if not rs:
                continue
            wall = med(name, dataset, "wall")
            walls = [r["wall"] for r in rs]
            w(f"| `{name}` | {side.upper()} | {what} | {wall:.3f} | {min(walls):.3f}–{max(walls):.3f} | {d['count'] / wall:,.0f} | "
              f"{d['bytes'] / 2**20 / wall:,.1f} | {wall * 1000 / d['count']:.2f} | {med(name, dataset, 'cpu'):.2f} | {med(name, dataset, 'rss'):.0f} |")
        w("")
        lines = []
        if (("radai-send", dataset) in results) and (("dcmsend", dataset) in results):
            internal = med("radai-send", dataset, "internal")
            lines.append(f"- SCU: `dcmsend` time / `radai send` time = **{fmt_ratio(ratio(med('dcmsend', dataset, 'wall'), med('radai-send', dataset, 'wall')))}** wall "
                         f"(above 1× RadAI is faster), {fmt_ratio(ratio(med('dcmsend', dataset, 'cpu'), med('radai-send', dataset, 'cpu')))} CPU; "
                         f"peak RSS {med('radai-send', dataset, 'rss'):.0f} MiB against {med('dcmsend', dataset, 'rss'):.0f} MiB. "
                         f"`radai send`'s own stopwatch (after start-up: headers read, association, sends, release): {internal:.3f} s = "
                         f"{d['count'] / internal:,.0f} instances/s, {d['bytes'] / 2**20 / internal:,.1f} MiB/s.")
        for other in ("storescp-B", "storescp"):
            if (("radai-listen", dataset) in results) and ((other, dataset) in results):
                lines.append(f"- SCP: wall with `{other}` / wall with `radai listen` = **{fmt_ratio(ratio(med(other, dataset, 'wall'), med('radai-listen', dataset, 'wall')))}** "
                             f"(above 1× RadAI is faster); receiver CPU {med('radai-listen', dataset, 'cpu'):.2f} s (RadAI) against {med(other, dataset, 'cpu'):.2f} s; "
                             f"receiver peak RSS {med('radai-listen', dataset, 'rss'):.0f} MiB against {med(other, dataset, 'rss'):.0f} MiB.")
        out.extend(lines)
        w("")

    nagle = {name: [r["wall"] for r in results.get((name, "small50"), [])] for name in ("nagle-default", "nagle-nodelay")}
    if all(nagle.values()):
        d, n = median(nagle["nagle-default"]), median(nagle["nagle-nodelay"])
        w(f"**Nagle check** (each repetition, 50 instances of `small2000`, `dcmsend` → `storescp +B`, DCMTK only): with Debian's "
          f"defaults {d:.3f} s ({d * 1000 / 50:.1f} ms per instance), with `TCP_NODELAY=1` for both {n:.3f} s "
          f"({n * 1000 / 50:.1f} ms per instance): **{fmt_ratio(ratio(d, n))}** slower out of the box.")
        w("")

    if startups:
        w("Start-up alone (no association), median: " + ", ".join(
            f"{what} {med(name, '-', 'wall'):.3f} s wall, {med(name, '-', 'cpu'):.2f} s CPU, {med(name, '-', 'rss'):.0f} MiB"
            for name, what in startups if (name, "-") in results) + ".")
        w("")

    bdn = bdn_results(os.path.join(work, "bdn"))
    if bdn:
        quick = m.get("quick") == "1"
        w("### In process (BenchmarkDotNet, " + ("quick job: 1 warm-up, 3 iterations" if quick else "3 warm-up and 10 measured iterations") + ")")
        w("")
        w("`DicomNetworkBenchmarks`: RadAI's `DicomClient` and `DicomServer` in one process over 127.0.0.1, one association "
          "opened in the setup, a server that reads each data set and keeps nothing — the protocol alone, without process "
          "start-up or disk writes. Allocated = managed bytes per operation, client and server together.")
        w("")
        w("| Benchmark | Median (µs) | Allocated (bytes/op) | Instances/s at that latency | MiB/s |")
        w("|---|---:|---:|---:|---:|")
        sizes = {"StoreCt512File": 514 * 1024, "StoreCt512FromMemory": 514 * 1024, "StoreCt64File": 10 * 1024}
        ct512 = next((d for d in datasets.values() if d["rows"] == 512), None)
        ct64 = next((d for d in datasets.values() if d["rows"] == 64), None)
        if ct512:
            sizes["StoreCt512File"] = sizes["StoreCt512FromMemory"] = ct512["bytes"] / ct512["count"]
        if ct64:
            sizes["StoreCt64File"] = ct64["bytes"] / ct64["count"]
        for key, b in bdn.items():
            us = b["median"] / 1000
            alloc = f"{b['allocated']:,}" if b["allocated"] is not None else "?"
            per_s = f"{1e6 / us:,.0f}" if b["method"].startswith("Store") else ""
            mib = f"{sizes[b['method']] / 2**20 / (us / 1e6):,.0f}" if b["method"] in sizes else ""
            w(f"| `{key}` | {us:,.1f} | {alloc} | {per_s} | {mib} |")
        w("")
        out.extend(bdn_tables(os.path.join(work, "bdn")))

    text = notes("dicom-network-notes.md")
    if text:
        w(text)
        w("")
    write_section("\n".join(out), HEADING, docs, "dicom-network")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
