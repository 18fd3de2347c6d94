#!/usr/bin/python3
"""Turns the measurements of scripts/bench/ingest.sh into the "Ingest (C-STORE into RadAI vs Orthanc)" section.

    ingest_report.py WORK_DIR [DOCS_FILE]

Reads from WORK_DIR: machine, results ("name wall_s listed_s cpu_s cpu_listed_s idle_rss_kb peak_rss_kb" per run) and
the optional strace-NAME.txt fsync counts. Prints the section and, with DOCS_FILE, replaces it there.
"""
import glob
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_report import fmt_ratio, machine, machine_line, median, notes, ratio, read, write_section  # noqa: E402

HEADING = "## Ingest (C-STORE into RadAI vs Orthanc)"

WHAT = {
    "radai": "RadAI.Standalone (dicom-ingest, SQLite, in-memory bus), `DicomIngest:Fsync` true (default): each instance and its folder fsynced before the response",
    "orthanc": "Orthanc 1.10, `SyncStorageArea` true (its default since 1.7.4): each file fsynced; SQLite index",
    "radai-nofsync": "the same RadAI node with `DicomIngest:Fsync` false",
    "orthanc-nosync": "the same Orthanc with `SyncStorageArea` false",
}


def fsync_counts(work):
    counts = {}
    for path in glob.glob(os.path.join(work, "strace-*.txt")):
        name = os.path.basename(path)[len("strace-"):-len(".txt")]
        calls = {}
        for line in read(path).splitlines():
            cells = line.split()
            if len(cells) >= 5 and cells[-1] in ("fsync", "fdatasync", "sync_file_range", "msync") and re.match(r"^\d", cells[0]):
                calls[cells[-1]] = int(cells[3])
        counts[name] = calls
    return counts


def main(argv):
    work = argv[0]
    docs = argv[1] if len(argv) > 1 else None
    m = machine(work)
    results = {}
    for line in read(os.path.join(work, "results")).splitlines():
        cells = line.split()
        name, wall, listed, cpu, cpu_listed, idle, peak = cells[:7]
        complete, published = (cells[7:9] + ["-", "-"])[:2]
        opt = lambda v: None if v == "-" else float(v)  # noqa: E731
        results.setdefault(name, []).append(dict(
            wall=float(wall), listed=opt(listed), cpu=float(cpu), cpu_listed=opt(cpu_listed), idle=int(idle) / 1024, peak=int(peak) / 1024,
            complete=opt(complete), published=opt(published)))
    slices = int(m.get("slices", "300"))
    size = int(m.get("study_bytes", "0"))

    def med(name, field):
        return median(r[field] for r in results.get(name, []))

    out = []
    w = out.append
    w(HEADING)
    w("")
    w(f"A {slices}-slice 512×512 CT study ({size / 2**20:.1f} MiB, "
      + ("`radai synth-ct --seed 2`, the `ct300` series of the network benchmark" if slices == 300 else "`radai synth-ct --seed 4`")
      + ") sent by DCMTK `dcmsend` over one association into RadAI's dicom-ingest — the standalone host "
      "(`deploy/standalone/RadAI.Standalone`: the five modules and the gateway in one process, SQLite, in-memory bus) — and "
      "into Orthanc. Produced by `scripts/bench/ingest.sh` (this section; `--quick` for a 60-slice smoke run).")
    w("")
    w(machine_line(m, f"DCMTK {m.get('dcmtk', '?')}, {m.get('orthanc', 'Orthanc ?')}"))
    w("")
    w(f"**Conditions.** Each run starts a fresh receiver with an empty data folder on disk ({m.get('disk', '?')}), waits until it "
      "answers C-ECHO, sends it a 5-slice study of its own (untimed; RadAI: until that job is listed — the timed study then meets "
      "warm code, not a cold start), sends the study, checks that every instance is stored, and stops the receiver. RadAI runs with no model "
      "package (the study is announced then skipped: no analysis competes for the 2 cores), `DicomIngest:ReleaseGracePeriod` "
      "0 s and `CompletionPollInterval` 0.1 s (defaults 5 s and 1 s: with them a study is complete about 5–6 s later than "
      "below). Orthanc runs a minimal configuration (no plugin, defaults otherwise: 4 DICOM threads, `StableAge` 60 s). "
      + ("`dcmsend` and Orthanc run with `TCP_NODELAY=1` in their environment (Debian's DCMTK, which Orthanc links, leaves Nagle's "
         "algorithm on otherwise: +≈ 40 ms per C-STORE, see the network section). " if m.get("nodelay") == "1" else
         "`dcmsend` and Orthanc run with Debian's DCMTK defaults (Nagle's algorithm on). ")
      + f"**Noise:** the 2 cores are shared with other engineers' builds and tests; the runs are interleaved (one of each in "
      f"turn, after an untimed warm-up of each) and each figure is the median of {m.get('reps', '?')} repetitions.")
    w("")
    w("| Line | Receiver | Last C-STORE response, median (s) | min–max (s) | Instances/s | MiB/s | Study complete (job in `/api/jobs`), median (s) | Receiver CPU during reception, median (s) | RSS before the study (MiB) | Peak RSS (MiB) |")
    w("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name in ("radai", "orthanc", "radai-nofsync", "orthanc-nosync"):
        rs = results.get(name)
        if not rs:
            continue
        wall = med(name, "wall")
        walls = [r["wall"] for r in rs]
        listed = med(name, "listed")
        listed_text = f"{listed:.3f}" if listed == listed else "— (stored and indexed at each response)"
        w(f"| `{name}` | {WHAT[name]} | {wall:.3f} | {min(walls):.3f}–{max(walls):.3f} | {slices / wall:,.0f} | {size / 2**20 / wall:,.1f} | "
          f"{listed_text} | {med(name, 'cpu'):.2f} | {med(name, 'idle'):.0f} | {med(name, 'peak'):.0f} |")
    w("")
    lines = []
    if "radai" in results and "orthanc" in results:
        lines.append(f"- fsync on (both defaults): Orthanc time / RadAI time to the last response = **{fmt_ratio(ratio(med('orthanc', 'wall'), med('radai', 'wall')))}** "
                     f"(above 1× RadAI is faster); receiver CPU {med('radai', 'cpu'):.2f} s (RadAI) against {med('orthanc', 'cpu'):.2f} s (Orthanc); "
                     f"peak RSS {med('radai', 'peak'):.0f} MiB against {med('orthanc', 'peak'):.0f} MiB.")
        lines.append(f"- RadAI, after the last response (medians, from the start of the send): study found complete (log event 4201) at "
                     f"{med('radai', 'complete'):.3f} s, StudyReceived published (4301) at {med('radai', 'published'):.3f} s, job listed by "
                     f"`/api/jobs` at {med('radai', 'listed'):.3f} s, against {med('radai', 'wall'):.3f} s for the last response: "
                     f"{med('radai', 'listed') - med('radai', 'wall'):.3f} s from last response to job (completion poll, SQLite transaction and "
                     "outbox, in-memory bus, the API's consumer recording the job, our 50 ms polling of `/api/jobs`).")
    if "radai-nofsync" in results and "orthanc-nosync" in results:
        lines.append(f"- fsync off: Orthanc / RadAI = **{fmt_ratio(ratio(med('orthanc-nosync', 'wall'), med('radai-nofsync', 'wall')))}**; "
                     f"what fsync costs: RadAI {med('radai', 'wall') - med('radai-nofsync', 'wall'):+.3f} s, Orthanc {med('orthanc', 'wall') - med('orthanc-nosync', 'wall'):+.3f} s "
                     f"({(med('radai', 'wall') - med('radai-nofsync', 'wall')) * 1000 / slices:+.1f} and {(med('orthanc', 'wall') - med('orthanc-nosync', 'wall')) * 1000 / slices:+.1f} ms per instance).")
    counts = fsync_counts(work)
    if counts:
        lines.append("- fsync-family calls during one reception (`strace -f -c`, untimed run): " + "; ".join(
            f"`{name}`: " + (", ".join(f"{n} {call}" for call, n in sorted(c.items())) or "none") + (f" ({sum(c.values()) / slices:.1f} per instance)" if c else "")
            for name, c in sorted(counts.items())) + ".")
    out.extend(lines)
    w("")
    text = notes("ingest-notes.md")
    if text:
        w(text)
        w("")
    write_section("\n".join(out), HEADING, docs, "ingest")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
