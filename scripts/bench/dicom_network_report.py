#!/usr/bin/python3
"""Turns the measurements of scripts/bench/dicom-network.sh into the "DICOM network (C-STORE)" section.

    dicom_network_report.py WORK_DIR [DOCS_FILE]

Reads from WORK_DIR: machine (key=value), runs ("line|sender|receiver|count|what"), disk ("dd seconds bytes dd's
line"), results ("line wall_s sender_user sender_sys sender_rss_kb receiver_user receiver_sys receiver_rss_kb
internal_s" per run, "-" where not measured) and, optionally, the BenchmarkDotNet reports under bdn/results. Prints
the section and, with DOCS_FILE, replaces it there (bench_report.write_section).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_report import bdn_results, bdn_tables, machine, machine_line, median, notes, read, write_section  # noqa: E402

HEADING = "## DICOM network (C-STORE)"
MB = 1e6


def num(text):
    return None if text == "-" else float(text)


def main(argv):
    work = argv[0]
    docs = argv[1] if len(argv) > 1 else None
    m = machine(work)
    count = int(m.get("count", "0"))
    size = int(m.get("bytes", "0"))
    runs = []
    for line in read(os.path.join(work, "runs")).splitlines():
        if line:
            name, sender, receiver, n, what = line.split("|", 4)
            runs.append(dict(name=name, sender=sender, receiver=receiver, n=int(n), what=what))
    results = {}
    for line in read(os.path.join(work, "results")).splitlines():
        f = line.split()
        if len(f) < 9:
            continue
        results.setdefault(f[0], []).append(dict(
            wall=float(f[1]),
            s_cpu=None if f[2] == "-" else num(f[2]) + num(f[3]), s_rss=None if f[4] == "-" else int(f[4]) / 1024,
            r_cpu=None if f[5] == "-" else num(f[5]) + num(f[6]), r_rss=None if f[7] == "-" else int(f[7]) / 1024,
            internal=num(f[8])))
    disk = [line.split() for line in read(os.path.join(work, "disk")).splitlines() if line]
    dd_mbs = median(int(d[2]) / float(d[1]) / MB for d in disk) if disk else None

    def med(name, field):
        values = [r[field] for r in results.get(name, []) if r[field] is not None]
        return median(values) if values else None

    def rate(name, n):
        wall = med(name, "wall")
        return (n / wall, n * size / max(count, 1) / MB / wall) if wall else (None, None)

    def f(value, fmt):
        return "" if value is None else format(value, fmt)

    out = []
    w = out.append
    w(HEADING)
    w("")
    w(f"The networking issue's benchmark: {count} synthetic CT instances 512×512, 16-bit (`radai synth-ct`, seed "
      f"{m.get('seed', '?')}, explicit VR little endian), {size / MB:.1f} MB in all, {size / max(count, 1) / 1024:.1f} KiB "
      "each, sent over 127.0.0.1 by each sender to each receiver, every tool as packaged (DCMTK and Orthanc without "
      "`TCP_NODELAY` in their environment), against the disk's fsync'd sequential write speed as the physical limit. "
      "Produced by `scripts/bench/dicom-network.sh` (this section; `--quick` for a smoke run of 100 instances).")
    w("")
    w(machine_line(m, f"DCMTK {m.get('dcmtk', '?')}, Orthanc {m.get('orthanc', '?')}"))
    w(f"`uptime` before: `{m.get('uptime_before', '?').strip()}`; after: `{m.get('uptime_after', '?').strip()}`.")
    w("")
    w("**Method.** Each line starts a fresh receiver writing to "
      f"{m.get('rx', '?')}, sends the whole series over one association, checks that every instance arrived (files, or "
      "Orthanc's statistics), stops the receiver and deletes what it stored. *Wall* is the sending process from start to "
      "exit (association, every C-STORE answered, release; process start-up included, see the start-up line); MB/s = "
      "10⁶ bytes of the Part 10 files per second. *CPU* (user + system) and *peak RSS* (`/usr/bin/time`, maximum "
      "resident set) are each process's whole life; a receiver's include its start-up and idle wait. "
      f"{'Medians of ' + m['reps'] + ' repetitions.' if m.get('reps', '1') != '1' else 'One repetition: the lines ran one after the other in a single run.'} "
      "**Noise:** the 2 cores are shared with other engineers' builds and tests (see the load): compare lines within this "
      "run, not with other runs.")
    w("")
    if dd_mbs:
        w(f"**Disk limit:** `dd if=/dev/zero of=RX/dd.bin bs=1M count=512 conv=fsync`: **{dd_mbs:.0f} MB/s** "
          f"(dd's own line: `{disk[-1][3].replace('_', ' ')}`).")
        w("")
    w("| Line | Sender → receiver | Wall (s) | Instances/s | MB/s | Share of the disk limit | Sender CPU (s) | Sender peak RSS (MiB) | Receiver CPU (s) | Receiver peak RSS (MiB) |")
    w("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in runs:
        if r["n"] == 0 or r["name"].startswith("nagle") or r["name"] not in results:
            continue
        ips, mbs = rate(r["name"], r["n"])
        share = f"{mbs / dd_mbs:.0%}" if dd_mbs and mbs else ""
        w(f"| ({r['name']}) | {r['what']} | {f(med(r['name'], 'wall'), '.2f')} | {f(ips, '.0f')} | {f(mbs, '.1f')} | {share} | "
          f"{f(med(r['name'], 's_cpu'), '.2f')} | {f(med(r['name'], 's_rss'), '.0f')} | {f(med(r['name'], 'r_cpu'), '.2f')} | {f(med(r['name'], 'r_rss'), '.0f')} |")
    w("")
    for name in ("c", "d", "e"):
        internal = med(name, "internal")
        if internal:
            w(f"- ({name}) `radai send`'s own stopwatch (after process start-up): {internal:.2f} s = {count / internal:.0f} instances/s.")
    w("")

    # Targets.
    ips = {r["name"]: rate(r["name"], r["n"])[0] for r in runs if r["n"] and r["name"] in results}
    mbs = {r["name"]: rate(r["name"], r["n"])[1] for r in runs if r["n"] and r["name"] in results}
    checks = []

    def check(label, ok, detail):
        if ok is not None:
            checks.append(f"- {'**holds**' if ok else '**does not hold**'}: {label} — {detail}")

    if dd_mbs and mbs.get("d"):
        check("(d) ≥ 50% of the disk limit", mbs["d"] >= 0.5 * dd_mbs, f"{mbs['d']:.1f} MB/s = {mbs['d'] / dd_mbs:.0%} of {dd_mbs:.0f} MB/s"
              + (f"; durable, (d-fsync): {mbs['d-fsync']:.1f} MB/s = {mbs['d-fsync'] / dd_mbs:.0%}" if mbs.get("d-fsync") else ""))
    if ips.get("d") and ips.get("a"):
        check("(d) ≥ 10× (a)", ips["d"] >= 10 * ips["a"], f"{ips['d']:.0f} against {ips['a']:.0f} instances/s = {ips['d'] / ips['a']:.1f}×")
    if ips.get("b") and ips.get("a"):
        check("RadAI as SCP never slower than storescp, sender `dcmsend`: (b) ≥ (a)", ips["b"] >= ips["a"], f"{ips['b']:.0f} against {ips['a']:.0f} instances/s")
    if ips.get("d") and ips.get("c"):
        check("RadAI as SCP never slower than storescp, sender `radai send`: (d) ≥ (c)", ips["d"] >= ips["c"], f"{ips['d']:.0f} against {ips['c']:.0f} instances/s")
    quarter = next((r for r in runs if r["name"] == "mem-quarter"), None)
    if quarter and med("mem-quarter", "r_rss") and med("d", "r_rss"):
        small, large = med("mem-quarter", "r_rss"), med("d", "r_rss")
        check(f"SCP memory flat as the instance count grows (peak RSS of `radai listen`, {quarter['n']} vs {count} instances, within 10%)",
              large <= small * 1.10, f"{small:.0f} MiB vs {large:.0f} MiB")
    if checks:
        w("**Targets** (from the issue):")
        w("")
        out.extend(checks)
        w("")

    # Nagle / delayed ACK.
    nagle = [r for r in runs if r["name"].startswith("nagle") and r["name"] in results]
    if nagle:
        n = nagle[0]["n"]
        w(f"**Which side stalls (Nagle's algorithm and delayed ACKs)**, {n} instances of the series each:")
        w("")
        w("| Line | Sender → receiver | Wall (s) | ms per instance | Instances/s | ms per instance, `radai send`'s own stopwatch (no start-up) |")
        w("|---|---|---:|---:|---:|---:|")
        for r in nagle:
            wall = med(r["name"], "wall")
            internal = med(r["name"], "internal")
            own = f"{internal / r['n'] * 1000:.1f}" if internal else ""
            w(f"| {r['name']} | {r['what']} | {wall:.2f} | {wall / r['n'] * 1000:.1f} | {r['n'] / wall:.0f} | {own} |")
        w("")

    startups = [r for r in runs if r["n"] == 0 and r["name"] in results]
    if startups:
        w("Start-up alone (no association): " + ", ".join(
            f"{r['what']} {med(r['name'], 'wall'):.3f} s wall, {f(med(r['name'], 's_cpu'), '.2f')} s CPU, {f(med(r['name'], 's_rss'), '.0f')} MiB"
            for r in startups) + ".")
        w("")

    bdn = bdn_results(os.path.join(work, "bdn"))
    if bdn:
        w("### In process (BenchmarkDotNet)")
        w("")
        w("`DicomNetworkBenchmarks`: RadAI's `DicomClient` and `DicomServer` in one process over 127.0.0.1 — the protocol "
          "alone. Allocated = managed bytes per operation, client and server together.")
        w("")
        w("| Benchmark | Median (µs) | Allocated (bytes/op) |")
        w("|---|---:|---:|")
        for key, b in sorted(bdn.items()):
            allocated = "" if b["allocated"] is None else f"{b['allocated']:,.0f}"
            w(f"| `{key}` | {b['median'] / 1000:.1f} | {allocated} |")
        w("")
        w(bdn_tables(os.path.join(work, "bdn")))
        w("")

    text = notes("dicom-network-notes.md")
    if text:
        w(text)
    write_section("\n".join(out), HEADING, docs, "dicom-network")


if __name__ == "__main__":
    main(sys.argv[1:])
