#!/usr/bin/python3
"""Turns the measurements of scripts/bench/ingest.sh into the "Ingest (durable C-STORE ...)" section of docs/benchmarks.md.

    ingest_report.py WORK_DIR [DOCS_FILE]

Reads from WORK_DIR: machine (key=value) and results (one JSON object a run, from ingest_run.py, and the dd runs).
Prints the section and, with DOCS_FILE, replaces it there (and removes the section of the former 300-slice RadAI vs
Orthanc benchmark, which this one replaces).
"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_report import DOCS_HEADER, machine, machine_line, median, notes, read, write_section  # noqa: E402

HEADING = "## Ingest (durable C-STORE into dicom-ingest vs plain receivers and the disk)"
FORMER_HEADING = "## Ingest (C-STORE into RadAI vs Orthanc)"
MB = 1e6
MIB = 2**20

WHAT = {
    "ingest": "`radai send` → RadAI.Standalone: dicom-ingest as the product runs by default (embedded store, SQLite index, "
              "`DicomIngest:Fsync` true): each instance's file and its folder fsynced and its index row committed before the response "
              "(the row's flush rides on the next flushed commit; completion re-indexes from the files what a crash lost)",
    "ingest-before": "as `ingest`, with RadAI.Standalone built from {baseline}, the code before this change (file, folder and index row "
                     "each flushed before the response), interleaved with the other rows",
    "ingest-pg": "`radai send` → RadAI.DicomIngest.Host on PostgreSQL + RabbitMQ, `Fsync` true (file and folder fsynced, "
                 "index row committed before the response)",
    "listen": "`radai send` → `radai listen`: plain files (data set streamed to a file, renamed), no fsync, no index",
    "listen-fsync": "`radai send` → `radai listen --fsync`: each file fsynced before the response, no index",
    "storescp": "DCMTK `dcmsend` → `storescp +B --max-pdu 131072`: plain files, bit-preserving, no fsync",
    "orthanc": "`radai send` → Orthanc, `SyncStorageArea` true (its default): each file fsynced, SQLite index",
}
ORDER = ["ingest", "ingest-before", "ingest-pg", "listen", "listen-fsync", "storescp", "orthanc"]


def mib(kb):
    return kb / 1024 if kb is not None else None


def main(argv):
    work = argv[0]
    docs = argv[1] if len(argv) > 1 else None
    m = machine(work)
    runs = {}
    for line in read(os.path.join(work, "results")).splitlines():
        if line.strip():
            r = json.loads(line)
            runs.setdefault(r["name"], []).append(r)
    n = int(m.get("instances", "1000"))
    size = int(m.get("study_bytes", "0"))
    grace, poll = float(m.get("grace", "5")), float(m.get("poll", "1"))

    def med(name, key):
        return median(r.get(key) for r in runs.get(name, []))

    dd = [r["bytes"] / r["wall"] for r in runs.get("dd", [])]
    disk = median(dd)  # bytes/s
    disk_limit_s = size / disk if dd else float("nan")
    listen_t = med("listen", "last_ack")

    out = []
    w = out.append
    w(HEADING)
    w("")
    w(f"The acceptance benchmark of dicom-ingest: a {n:,}-instance 512×512 16-bit CT study ({size / MB:,.1f} MB, one series, "
      f"`radai synth-ct --slices {n} --seed {m.get('seed', '3')}`) sent over one association into dicom-ingest with its "
      "durable defaults, against plain receivers and the disk's own fsynced write speed, in one run. Produced by "
      "`scripts/bench/ingest.sh` (this section; `--quick` for a 200-instance smoke run, `--grace`/`--poll` for the quiet "
      "period, `--no-orthanc`, `--no-postgres`).")
    w("")
    tools = f"DCMTK {m.get('dcmtk', '?')}"
    if m.get("orthanc"):
        tools += f", {m['orthanc']}"
    if m.get("postgres"):
        tools += f", PostgreSQL {m['postgres']}"
    w(machine_line(m, tools))
    w(f"`uptime` before: `{m.get('uptime_before', '?').strip()}`; after: `{m.get('uptime_after', '?').strip()}`.")
    w("")
    w(f"**Method.** Each row starts a fresh receiver with an empty data folder on {m.get('disk', '?')} (the file system of the "
      "`dd` row), waits until it answers C-ECHO, sends it a 200-instance study of its own (untimed: the timed study meets the code a running node has, its hot methods recompiled at tier 1), "
      "then sends the study from the page cache and checks that every instance is stored; the rows run interleaved (one of each "
      f"in turn) after an untimed warm-up of each, {m.get('reps', '?')} repetitions, medians shown. *Time*: from the sender's start "
      "to its last C-STORE response (`radai send` prints each response as it arrives; `dcmsend`: its exit, release included). "
      "*Disk limit*: `dd if=/dev/zero bs=1M count=512 conv=fsync` on the same file system, the study's bytes at that speed. "
      "*Memory*: the receiver's resident set (VmRSS) when a quarter of the instances are on disk and at the end, and its peak "
      "(VmHWM, /usr/bin/time's \"maximum resident set size\"), sampled every 0.1 s. *StudyReceived*: dicom-ingest declares a "
      f"study complete a quiet period after the association carrying it is released (`DicomIngest:ReleaseGracePeriod`, {grace:g} s "
      f"here), checked every `CompletionPollInterval` ({poll:g} s here); completion and the StudyReceived outbox row are one "
      "transaction, then the outbox publisher publishes it (log events 4201 and 4301, UTC with ms, same clock as the sender). "
      "The receivers other than dicom-ingest have no such event. "
      + ("DCMTK tools and Orthanc run with `TCP_NODELAY=1` in their environment (Debian's DCMTK 3.6.7 leaves Nagle's algorithm on "
         "otherwise: ≈ 40 ms per C-STORE, see the network section). " if m.get("nodelay") == "1" else
         "DCMTK tools and Orthanc run with Debian's DCMTK defaults (Nagle's algorithm on: expect ≈ 40 ms stalls per C-STORE). ")
      + "**Noise:** the machine's cores and disk are shared with other engineers' builds and tests; compare rows within this run.")
    w("")
    w("| Row | Receiver | Time to last response, median (s) | min–max (s) | Instances/s | MB/s | % of disk limit | vs `listen` (speed) | "
      "Receiver CPU (s) | RSS at ¼ → end (MiB) | Peak RSS (MiB) | Last response → StudyReceived published (s) |")
    w("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name in ORDER:
        rs = runs.get(name)
        if not rs:
            continue
        t = med(name, "last_ack")
        ts = [r["last_ack"] for r in rs]
        lat = median((r["published"] - r["last_ack"]) if r.get("published") is not None else None for r in rs)
        w(f"| `{name}` | {WHAT[name].format(baseline=m.get('baseline_label') or 'an earlier commit')} | {t:.2f} | {min(ts):.2f}–{max(ts):.2f} | {n / t:,.0f} | {size / MB / t:,.1f} | "
          f"{size / t / disk * 100:.0f} % | {listen_t / t:.2f}× | {med(name, 'cpu'):.2f} | "
          f"{mib(med(name, 'rss_quarter')):,.0f} → {mib(med(name, 'rss_end')):,.0f} | {mib(med(name, 'hwm')):,.0f} | "
          + (f"{lat:.2f}" if lat == lat else "—") + " |")
    if dd:
        w(f"| `dd` | the disk: `dd bs=1M count=512 conv=fsync` ({len(dd)} runs, {min(dd) / MB:,.0f}–{max(dd) / MB:,.0f} MB/s) | "
          f"{disk_limit_s:.2f} (the study's bytes) | | {n / disk_limit_s:,.0f} | {disk / MB:,.1f} | 100 % | {listen_t / disk_limit_s:.2f}× | | | | |")
    w("")

    lines = []
    for name in ("ingest", "ingest-before", "ingest-pg"):
        rs = runs.get(name)
        if not rs:
            continue
        lat = [r["published"] - r["last_ack"] for r in rs if r.get("published") is not None]
        decided = [r["complete"] - r["last_ack"] for r in rs if r.get("complete") is not None]
        lines.append(
            f"- `{name}`, last C-STORE response → StudyReceived published: median {median(lat):.2f} s (runs: "
            + ", ".join(f"{x:.2f}" for x in lat) + f"); study found complete (4201) {median(decided):.2f} s after the last response. "
            f"Of this, {grace:g} s is the configured quiet period after the release and up to {poll:g} s the completion poll; "
            f"the rest ({median(lat) - grace:.2f} s) is the release, the poll's wait, the completion transaction and the publication.")
    if "ingest" in runs and "listen" in runs:
        ratio = med("listen", "last_ack") / med("ingest", "last_ack")
        lines.append(f"- Durable ingest / plain listener (instances per second): **{ratio:.2f}×**; "
                     f"durable ingest / disk limit: **{size / med('ingest', 'last_ack') / disk * 100:.0f} %**"
                     + (f"; `listen --fsync` (file fsync only, no index) / plain listener: {med('listen', 'last_ack') / med('listen-fsync', 'last_ack'):.2f}×"
                        if "listen-fsync" in runs else "") + ".")
    if "ingest" in runs and "ingest-before" in runs:
        before, after = med("ingest-before", "last_ack"), med("ingest", "last_ack")
        lines.append(f"- Before/after in this run: `ingest-before` {before / n * 1000:.2f} ms per instance "
                     f"({med('ingest-before', 'cpu') / n * 1000:.2f} ms receiver CPU), `ingest` {after / n * 1000:.2f} ms "
                     f"({med('ingest', 'cpu') / n * 1000:.2f} ms CPU): **{before / after:.2f}×** the speed.")
    out.extend(lines)
    w("")

    # Targets of the dicom-ingest issue.
    w("### Targets")
    w("")
    w("| Target | Measured | Met |")
    w("|---|---|---|")
    if "ingest" in runs and "listen" in runs:
        r = med("listen", "last_ack") / med("ingest", "last_ack")
        w(f"| durable ingest ≥ 0.7× the plain listener | {r:.2f}× | {'yes' if r >= 0.7 else '**no**'} |")
    if "ingest" in runs and dd:
        p = size / med("ingest", "last_ack") / disk
        w(f"| durable ingest ≥ 30 % of the disk limit | {p * 100:.0f} % ({size / MB / med('ingest', 'last_ack'):,.1f} of {disk / MB:,.1f} MB/s) | "
          f"{'yes' if p >= 0.3 else '**no**'} |")
    if "ingest" in runs:
        q, e = mib(med("ingest", "rss_quarter")), mib(med("ingest", "rss_end"))
        flat = q is not None and e is not None and e - q <= max(16, 0.1 * q)
        w(f"| memory flat | RSS {q:,.0f} MiB after ¼ of the study, {e:,.0f} MiB at the end, peak {mib(med('ingest', 'hwm')):,.0f} MiB "
          f"({size / MIB:,.0f} MiB received) | {'yes' if flat else '**no**'} (flat: end − ¼ ≤ max(16 MiB, 10 %)) |")
        lat = median(r["published"] - r["last_ack"] for r in runs["ingest"] if r.get("published") is not None)
        w(f"| report the time from the last instance to StudyReceived | {lat:.2f} s with a {grace:g} s quiet period, {poll:g} s poll | reported |")
    w("")
    text = notes("ingest-notes.md")
    if text:
        w(text)
        w("")
    section = "\n".join(out)
    if docs:
        existing = read(docs) or DOCS_HEADER
        former = re.compile("^" + re.escape(FORMER_HEADING) + r"\n.*?(?=^## |\Z)", re.S | re.M)
        if former.search(existing) and HEADING not in existing:
            # Put the new section where the former one was.
            existing = former.sub(lambda _: HEADING + "\n\n", existing, count=1)
        elif former.search(existing):
            existing = former.sub("", existing, count=1)
        with open(docs, "w", encoding="utf-8") as f:
            f.write(existing)
    write_section(section, HEADING, docs, "ingest")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
