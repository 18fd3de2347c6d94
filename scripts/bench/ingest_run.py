#!/usr/bin/python3
"""One timed send for scripts/bench/ingest.sh: runs the sender, watches the receiver, prints one JSON line.

    ingest_run.py --name NAME --pid RECEIVER_PID --count-dir DIR --instances N [--log RECEIVER_LOG --study UID]
                  -- SENDER COMMAND...

- t0 just before the sender starts; `wall`: the sender's exit (its last C-STORE response, then the release);
  `last_ack`: when the sender printed its last per-instance result line (`radai send` prints one line per response,
  as it arrives: "PATH: 0000 Success"), else the exit;
- every 0.1 s: the receiver's VmRSS and VmHWM (/proc/PID/status) and how many *.dcm files (--any-file: files) are
  below DIR (the receiver's data folder), less those there at the start (the warm-up study's): `rss_quarter` is the first sample with at least N/4 files, `rss_end` the RSS once the
  sender exited and every file is there, `hwm` the peak (VmHWM) at the end;
- the receiver's CPU time (user + system, /proc/PID/stat) from t0 to the sender's exit;
- with --log and --study (dicom-ingest): waits (≤ 180 s) for the log lines of event 4201 (the study found complete)
  and 4301 (StudyReceived published for that study UID), whose UTC timestamps (ms) give `complete` and `published`
  on the same clock as the sender's times.
"""
import argparse
import datetime
import json
import os
import re
import subprocess
import sys
import threading
import time

TICK = os.sysconf("SC_CLK_TCK")


def status_kb(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except FileNotFoundError:
        pass
    return None


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        cells = f.read().rsplit(")", 1)[1].split()
    return (int(cells[11]) + int(cells[12])) / TICK


ANY_FILE = False


def count_files(folder):
    """*.dcm files below folder (with --any-file: every file), hidden folders (.incoming) left out."""
    n = 0
    stack = [folder]
    while stack:
        try:
            with os.scandir(stack.pop()) as it:
                for e in it:
                    if e.is_dir(follow_symlinks=False):
                        if not e.name.startswith("."):
                            stack.append(e.path)
                    elif ANY_FILE or e.name.endswith(".dcm"):
                        n += 1
        except FileNotFoundError:
            pass
    return n


def log_events(path, study, since):
    """{event: epoch} of the first 4201/4301 lines at or after since (4301: for this study)."""
    events = {}
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except FileNotFoundError:
        return events
    for i, line in enumerate(lines):
        if line.startswith("{"):
            # JSON console log (RadAI.DicomIngest.Host): {"Timestamp":"...Z","EventId":4301,...,"Message":"..."}
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            event, stamp, text = str(entry.get("EventId")), entry.get("Timestamp", "").strip(), entry.get("Message", "")
        else:
            # simple console log (RadAI.Standalone): "TIMESTAMP info: Category[4301]" then the message on the next line
            m = re.match(r"^(\S+) \w+: \S+\[(\d+)\]", line)
            if not m:
                continue
            event, stamp, text = m.group(2), m.group(1), line + (lines[i + 1] if i + 1 < len(lines) else "")
        if event not in ("4201", "4301") or (event == "4301" and study not in text):
            continue
        at = datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
        if at >= since - 0.01:
            events.setdefault(event, at)
    return events


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--name", required=True)
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--count-dir", required=True)
    p.add_argument("--instances", type=int, required=True)
    p.add_argument("--log")
    p.add_argument("--study")
    p.add_argument("--sender-log", required=True)
    p.add_argument("--any-file", action="store_true", help="count every file, not only *.dcm (Orthanc's storage)")
    p.add_argument("command", nargs=argparse.REMAINDER)
    a = p.parse_args()
    command = a.command[1:] if a.command and a.command[0] == "--" else a.command
    global ANY_FILE
    ANY_FILE = a.any_file
    baseline = count_files(a.count_dir)  # the warm-up study's files

    samples = []  # (t, files, rss_kb, hwm_kb)
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            samples.append((time.time(), count_files(a.count_dir) - baseline, status_kb(a.pid, "VmRSS"), status_kb(a.pid, "VmHWM")))
            stop.wait(0.1)

    rss_before = status_kb(a.pid, "VmRSS")
    cpu0 = cpu_seconds(a.pid)
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t0 = time.time()
    last_line = None
    lines = 0
    with open(a.sender_log, "w") as out, subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1) as proc:
        for line in proc.stdout:
            out.write(line)
            if line.rstrip().endswith(" Success"):
                last_line = time.time()
                lines += 1
        rc = proc.wait()
    t1 = time.time()
    cpu1 = cpu_seconds(a.pid)
    if rc != 0:
        print(f"{a.name}: the sender failed (exit {rc}); see {a.sender_log}", file=sys.stderr)
        return 1
    deadline = time.time() + 60
    while count_files(a.count_dir) - baseline < a.instances and time.time() < deadline:
        time.sleep(0.1)
    stop.set()
    sampler.join()
    files = count_files(a.count_dir) - baseline
    rss_end = status_kb(a.pid, "VmRSS")
    hwm = status_kb(a.pid, "VmHWM")
    quarter = next((s for s in samples if s[1] >= a.instances // 4), None)

    events = {}
    if a.log and a.study:
        deadline = time.time() + 180
        while "4301" not in events and time.time() < deadline:
            events = log_events(a.log, a.study, t0)
            if "4301" not in events:
                time.sleep(0.05)

    last_ack = last_line if last_line is not None and lines == a.instances else t1
    result = dict(
        name=a.name, files=files, wall=t1 - t0, last_ack=last_ack - t0, acked_lines=lines,
        cpu=cpu1 - cpu0, rss_before=rss_before, rss_quarter=quarter[2] if quarter else None,
        rss_end=rss_end, hwm=hwm, max_sampled_rss=max((s[2] for s in samples if s[2]), default=None),
        complete=events["4201"] - t0 if "4201" in events else None,
        published=events["4301"] - t0 if "4301" in events else None)
    print(json.dumps(result))
    if files != a.instances:
        print(f"{a.name}: {files} of {a.instances} instances stored", file=sys.stderr)
        return 1
    if a.log and a.study and "4301" not in events:
        print(f"{a.name}: no StudyReceived (event 4301) in {a.log} within 180 s", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
