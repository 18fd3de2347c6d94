#!/usr/bin/python3
"""The runs of scripts/bench/pipeline.sh: Orthanc pushes the study to RadAI, the SR comes back into Orthanc.

    pipeline_run.py --orthanc URL --radai-web URL --radai-dicom-port N --study DIR --spans FILE --out DIR --runs N

Uploads the study's files to Orthanc once and declares RadAI one of its modalities; then, for each run: Orthanc pushes
the study (POST /modalities/radai/store, synchronous: it answers once the last instance was acknowledged), Orthanc is
polled every 100 ms until a new SR instance is in the study, the job's end is read from RadAI's API and its spans from
the collector's file (each wait with a deadline), with the RadAI process's CPU time (all threads) and the load
average from the push's return to the SR seen; the run is written to OUT/run-N.json, and the report objects are
deleted from Orthanc so that the next push sends the CT alone. Times: Unix nanoseconds of this machine's clock, the
clock the spans use.
"""
import argparse
import glob
import json
import os
import sys
import time
import urllib.error
import urllib.request

POLL_S = 0.1
JOB_DEADLINE_S = 1800
SPANS_DEADLINE_S = 60


def log(message):
    print(f"[pipeline {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def http(method, url, body=None, content_type="application/json", timeout=60, bearer=None):
    data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
    headers = {"Content-Type": content_type} if data is not None else {}
    if bearer:
        headers["Authorization"] = f"Bearer {bearer}"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=timeout) as response:
        raw = response.read()
    return json.loads(raw) if raw and raw[:1] in (b"{", b"[") else raw.decode(errors="replace")


class RadaiApi:
    """The standalone's api as its administrator (the gateway refuses anonymous calls); signs in again when the token expired."""

    def __init__(self, web, password_file):
        self.web = web.rstrip("/")
        with open(password_file, encoding="utf-8") as f:
            self.password = f.readline().rstrip("\n")
        self.token = None

    def get(self, path):
        for attempt in (1, 2):
            if self.token is None:
                self.token = http("POST", f"{self.web}/api/auth/login", {"username": "admin", "password": self.password})["accessToken"]
            try:
                return http("GET", f"{self.web}{path}", bearer=self.token)
            except urllib.error.HTTPError as e:
                if e.code != 401 or attempt == 2:
                    raise
                self.token = None


def wait_for(probe, deadline_s, what):
    """Polls probe() every POLL_S until it returns something truthy; fails after deadline_s."""
    deadline = time.monotonic() + deadline_s
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise TimeoutError(f"timed out after {deadline_s} s waiting for {what}")
        time.sleep(POLL_S)


def read_spans(path):
    """The collected spans, each once: the standalone host exports every span twice (see pipeline_report.py)."""
    spans = {}
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    span = json.loads(line)
                    spans.setdefault((span["trace"], span["span"]), span)
    except FileNotFoundError:
        pass
    return list(spans.values())


def cpu_seconds(pid):
    """User + system CPU time of a process, all threads (/proc/PID/stat fields 14 and 15)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields_after_name = f.read().rsplit(")", 1)[1].split()
    return (int(fields_after_name[11]) + int(fields_after_name[12])) / os.sysconf("SC_CLK_TCK")


def load_average():
    with open("/proc/loadavg", encoding="ascii") as f:
        return float(f.read().split()[0])


def upload(orthanc, study_dir):
    files = sorted(p for p in glob.glob(os.path.join(study_dir, "**", "*.dcm"), recursive=True))
    if not files:
        raise SystemExit(f"no .dcm file under {study_dir}")
    study = None
    for path in files:
        with open(path, "rb") as f:
            stored = http("POST", f"{orthanc}/instances", f.read(), "application/dicom")
        study = study or stored["ParentStudy"]
    return study, len(files)


def series_of(orthanc, study):
    return [(s["MainDicomTags"].get("Modality", ""), s["ID"], s["Instances"]) for s in http("GET", f"{orthanc}/studies/{study}/series")]


def run_once(args, orthanc_study, number, instances):
    before = {i for _, _, ids in series_of(args.orthanc, orthanc_study) for i in ids}
    if len(before) != instances:
        raise SystemExit(f"Orthanc's study holds {len(before)} instances before run {number}, not the {instances} CT instances")
    log(f"run {number}: Orthanc pushes the study ({instances} instances) to RadAI")
    push_start = time.time_ns()
    push = http("POST", f"{args.orthanc}/modalities/radai/store", {"Resources": [orthanc_study], "Synchronous": True}, timeout=1800)
    push_end = time.time_ns()
    cpu_at_push_end, load_at_push_end = cpu_seconds(args.radai_pid), load_average()

    def new_sr():
        for modality, _, ids in series_of(args.orthanc, orthanc_study):
            fresh = [i for i in ids if i not in before]
            if modality == "SR" and fresh:
                return fresh[0]
        return None

    sr = wait_for(new_sr, JOB_DEADLINE_S, "the SR in Orthanc")
    sr_seen = time.time_ns()
    cpu_at_sr, load_at_sr = cpu_seconds(args.radai_pid), load_average()
    sr_reception = http("GET", f"{args.orthanc}/instances/{sr}/metadata/ReceptionDate")
    log(f"run {number}: SR in Orthanc {(sr_seen - push_end) / 1e9:.1f} s after the push returned")

    def study_complete():
        found = [s for s in read_spans(args.spans) if s.get("name") == "study.complete" and s["start"] >= push_start]
        return found[-1] if found else None

    complete = wait_for(study_complete, SPANS_DEADLINE_S, "the study.complete span of this run")
    job = complete["attributes"]["radai.job.id"]

    def ended():
        detail = args.api.get(f"/api/jobs/{job}")
        status = detail["job"]["status"]
        return detail if status not in ("received", "analysed", "report-ready") else None

    detail = wait_for(ended, JOB_DEADLINE_S, f"job {job} to end")
    status = detail["job"]["status"]
    attempt = None
    for entry in detail.get("timeline", []):
        if entry.get("eventType") == "ReportDelivered":
            payload = json.loads(entry.get("payload") or "{}")
            attempt = payload.get("attempt", payload.get("Attempt"))
    if status != "delivered" or attempt is None:
        raise SystemExit(f"job {job} ended '{status}' (delivered attempt {attempt}); last event: {json.dumps(detail.get('timeline', [])[-1:])}")

    def spans_complete():
        spans = read_spans(args.spans)
        deliveries = [s for s in spans if s.get("name") == "pacs.delivery" and s["attributes"].get("radai.job.id") == job]
        reports = [s for s in spans if s.get("name") == "report.build" and s["attributes"].get("radai.job.id") == job]
        runs = [s for s in spans if s.get("name") == "inference.run" and s["trace"] == complete["trace"]]
        return bool(reports and runs and any(d["attributes"].get("radai.delivery.attempt") == attempt for d in deliveries))

    wait_for(spans_complete, SPANS_DEADLINE_S, f"the spans of job {job} (inference.run, report.build, pacs.delivery attempt {attempt})")

    added = []
    for modality, series, ids in series_of(args.orthanc, orthanc_study):
        fresh = [i for i in ids if i not in before]
        if fresh:
            added.append({"modality": modality, "instances": len(fresh)})
            http("DELETE", f"{args.orthanc}/series/{series}")
    record = {
        "run": number, "job": job, "trace": complete["trace"], "status": status, "delivered_attempt": attempt,
        "push_start": push_start, "push_end": push_end, "push": push if isinstance(push, dict) else str(push),
        "sr_seen": sr_seen, "sr_reception_date": sr_reception, "added_to_orthanc": added,
        "radai_cpu_s": cpu_at_sr - cpu_at_push_end, "load_at_push_end": load_at_push_end, "load_at_sr": load_at_sr,
    }
    with open(os.path.join(args.out, f"run-{number}.json"), "w", encoding="utf-8") as f:
        json.dump(record, f, indent=1)
    return record


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--orthanc", required=True)
    parser.add_argument("--radai-web", required=True)
    parser.add_argument("--radai-password-file", required=True, help="the administrator's password (the standalone's InitialAdminPasswordFile)")
    parser.add_argument("--radai-dicom-port", required=True, type=int)
    parser.add_argument("--radai-pid", required=True, type=int, help="the standalone host's process: its CPU time per run")
    parser.add_argument("--study", required=True)
    parser.add_argument("--spans", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--runs", required=True, type=int)
    args = parser.parse_args()
    args.api = RadaiApi(args.radai_web, args.radai_password_file)

    log(f"uploading {args.study} to Orthanc")
    orthanc_study, instances = upload(args.orthanc, args.study)
    http("PUT", f"{args.orthanc}/modalities/radai", {"AET": "RADAI", "Host": "127.0.0.1", "Port": args.radai_dicom_port})
    for number in range(1, args.runs + 1):
        run_once(args, orthanc_study, number, instances)


if __name__ == "__main__":
    main()
