#!/usr/bin/python3
"""Turns the spans and runs of scripts/bench/pipeline.sh into the "Pipeline latency (Step 7)" section.

    pipeline_report.py WORK_DIR [DOCS_FILE]

Reads from WORK_DIR: machine, spans.jsonl (otlp_collector.py), runs/run-N.json (pipeline_run.py). Prints the section
and, with DOCS_FILE, replaces it there (appended at the end when absent), with scripts/bench/pipeline-notes.md.

Per run, from the job's spans (all in one process, one clock):
  stable wait  study.complete (dicom-ingest): last instance received -> StudyReceived published
  inference    the consumer span of StudyReceived (MassTransit, parent of inference.run): volume loading, model runs,
               findings written; inference.run (model + analyzer + mask) shown inside it
  report       report.build (report-builder)
  delivery     the pacs.delivery attempt that delivered (pacs-sender)
  queueing     the gaps between one stage's end and the next one's start
  total        study.complete's start -> the delivering pacs.delivery's end
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_report import machine, median, notes, read, write_section  # noqa: E402

HEADING = "## Pipeline latency (Step 7)"


def load_spans(work):
    """The spans, each once, and how many copies of a span came at most. The standalone host runs two web applications
    (services and gateway), each with its own TracerProvider; ActivitySource listeners are process-wide, so both
    export every RadAI span (as service radai-standalone and as gateway): same trace and span id, same times."""
    spans, copies = {}, {}
    for line in read(os.path.join(work, "spans.jsonl")).splitlines():
        if line.strip():
            span = json.loads(line)
            key = (span["trace"], span["span"])
            spans.setdefault(key, span)
            copies.setdefault(key, set()).add(span.get("service"))
    return list(spans.values()), max((len(c) for c in copies.values()), default=0), sorted({s for c in copies.values() for s in c if s})


def load_runs(work):
    folder = os.path.join(work, "runs")
    runs = []
    for name in sorted(os.listdir(folder), key=lambda n: int(n.split("-")[1].split(".")[0])) if os.path.isdir(folder) else []:
        runs.append(json.loads(read(os.path.join(folder, name))))
    return runs


def s(ns):
    return ns / 1e9


def stages(run, spans):
    """The stages of one run, in seconds: {key: value}."""
    by_id = {x["span"]: x for x in spans}
    job, trace = run["job"], run["trace"]
    complete = next(x for x in spans if x["name"] == "study.complete" and x["attributes"].get("radai.job.id") == job)
    runs = sorted((x for x in spans if x["name"] == "inference.run" and x["trace"] == trace), key=lambda x: x["start"])
    consumer = by_id.get(runs[0]["parent"]) if runs else None
    report = next(x for x in spans if x["name"] == "report.build" and x["attributes"].get("radai.job.id") == job)
    report_consumer = by_id.get(report["parent"])
    attempts = sorted((x for x in spans if x["name"] == "pacs.delivery" and x["attributes"].get("radai.job.id") == job),
                      key=lambda x: x["attributes"].get("radai.delivery.attempt", 0))
    delivery = next(x for x in attempts if x["attributes"].get("radai.delivery.attempt") == run["delivered_attempt"])
    completed_event = next((e["time"] for e in complete["events"] if e.get("name") == "study.completed"), None)

    inference_start = consumer["start"] if consumer else runs[0]["start"]
    inference_end = consumer["end"] if consumer else runs[-1]["end"]
    result = {
        "stable_wait": s(complete["end"] - complete["start"]),
        "stable_wait_until_complete": s(completed_event - complete["start"]) if completed_event else None,
        "stable_wait_publish": s(complete["end"] - completed_event) if completed_event else None,
        "queue_inference": s(inference_start - complete["end"]),
        "inference": s(inference_end - inference_start),
        "inference_runs": s(sum(x["end"] - x["start"] for x in runs)),
        "inference_outside_runs": s(inference_end - inference_start - sum(x["end"] - x["start"] for x in runs)),
        "queue_report": s(report["start"] - inference_end),
        "report": s(report["end"] - report["start"]),
        "report_consumer": s(report_consumer["end"] - report_consumer["start"]) if report_consumer else None,
        "queue_delivery": s(delivery["start"] - report["end"]),
        "delivery": s(delivery["end"] - delivery["start"]),
        "total": s(delivery["end"] - complete["start"]),
        # Cross-checks with Orthanc and the script's own clock (same machine clock).
        "push_returned_after_last_instance": s(run["push_end"] - complete["start"]),
        "sr_seen_after_delivery_end": s(run["sr_seen"] - delivery["end"]),
        "orthanc_view": s(run["sr_seen"] - run["push_end"]),
        "sr_seen_after_delivery_start": s(run["sr_seen"] - delivery["start"]),
        "push": s(run["push_end"] - run["push_start"]),
        "radai_cpu": run.get("radai_cpu_s"),
        "cpu_share": run["radai_cpu_s"] / s(run["sr_seen"] - run["push_end"]) / 2 if run.get("radai_cpu_s") is not None else None,
        "load": max(run.get("load_at_push_end", 0), run.get("load_at_sr", 0)) if "load_at_sr" in run else None,
        "attempts": len(attempts),
        "models": ", ".join(sorted({str(x["attributes"].get("radai.model.id")) for x in runs})),
        "provider": ", ".join(sorted({str(x["attributes"].get("radai.execution_provider")) for x in runs})),
        "instances": complete["attributes"].get("radai.study.instances"),
        "consumer_name": consumer["name"] if consumer else None,
        "sr_reception_date": run.get("sr_reception_date"),
        "delivery_end_utc": delivery["end"],
        "added": run.get("added_to_orthanc", []),
    }
    gaps = result["queue_inference"] + result["queue_report"] + result["queue_delivery"]
    result["queueing"] = gaps
    result["sum"] = result["stable_wait"] + result["inference"] + result["report"] + result["delivery"] + gaps
    return result


ROWS = [
    ("stable_wait", "**1. stable wait** — `study.complete` (dicom-ingest): last instance received → StudyReceived published"),
    ("stable_wait_until_complete", "  of which: until the study was declared complete (event `study.completed`)"),
    ("stable_wait_publish", "  of which: completion → published (outbox, in-memory bus)"),
    ("queue_inference", "queueing: StudyReceived published → inference consumer starts (negative: the consumer started before `Publish` returned)"),
    ("inference", "**2. inference** — consumer of StudyReceived (volume loading, model runs, findings written)"),
    ("inference_runs", "  of which: `inference.run` (lung model + analyzer + mask written)"),
    ("inference_outside_runs", "  of which: outside `inference.run` (reading the series' files into a volume, routing, results)"),
    ("queue_report", "queueing: inference ended → `report.build` starts"),
    ("report", "**3. report** — `report.build` (SR, SEG, key images, PDF written)"),
    ("queue_delivery", "queueing: `report.build` ended → `pacs.delivery` starts (ReportReady, scheduling)"),
    ("delivery", "**4. delivery** — `pacs.delivery`, the delivering attempt (C-STORE of the objects to Orthanc)"),
    ("queueing", "queueing, all three gaps"),
    ("total", "**total: last instance received → SR stored** (end of the delivering `pacs.delivery`)"),
]

CHECKS = [
    ("push_returned_after_last_instance", "Orthanc's push returned, after the last instance was received by RadAI (association release + HTTP answer)"),
    ("sr_seen_after_delivery_end", "SR seen in Orthanc (100 ms polling) − end of the delivering `pacs.delivery` (negative: the SR was stored before the attempt ended: other objects, bookkeeping)"),
    ("sr_seen_after_delivery_start", "SR seen in Orthanc − start of the delivering `pacs.delivery` (where in the attempt the SR lands)"),
    ("orthanc_view", "Orthanc's view: push returned → SR seen in Orthanc"),
    ("push", "Orthanc's C-STORE push of the study (for scale; before the measured interval)"),
    ("radai_cpu", "RadAI process CPU time, all threads, push returned → SR seen (CPU s; steadier than wall time here)"),
    ("cpu_share", "  as a share of the 2 cores over that interval (1.00: both cores were RadAI's the whole time)"),
    ("load", "load average (1 min), the higher of push returned and SR seen"),
]


def fmt(v):
    return "—" if v is None else f"{v:,.2f}"


def main(argv):
    work = argv[0]
    docs = argv[1] if len(argv) > 1 else None
    m = machine(work)
    spans, copies, services = load_spans(work)
    runs = load_runs(work)
    results = [stages(r, spans) for r in runs]
    size = m.get("size", "300x512x512")
    slices, rows, columns = size.split("x")
    first, measured = (results[0], results[1:]) if results else (None, [])

    out = []
    w = out.append
    w(HEADING)
    w("")
    w("The time from the last instance of a CT study received by RadAI to its structured report (SR) stored in the "
      "hospital's PACS, split by stage with RadAI's own OpenTelemetry spans — the acceptance measurement of Step 7. "
      "Produced by `scripts/bench/pipeline.sh` (this section; `--quick` for a smoke run on 48×256×256; "
      "`RADAI_BENCH_KEEP=1` keeps the spans and the runs).")
    w("")
    w(f"Measured {m.get('date', '?')} on {m.get('cpu', '?')}, {m.get('nproc', '?')} logical CPUs, {m.get('memory', '?')}, "
      f"Linux {m.get('kernel', '?')} ({m.get('filesystem', '?')} temp folder); .NET SDK {m.get('dotnet', '?')} (Release build), "
      f"ONNX Runtime {m.get('onnxruntime', '?')} on CPU, Orthanc {m.get('orthanc', '?')}; commit {m.get('commit', '?')}. "
      f"Load average (1, 5, 15 min) before the runs {m.get('load_before', '?')}, after them {m.get('load_after', '?')}: "
      "the 2 cores are shared with other engineers' builds and tests, which slow every CPU-bound figure here by an "
      f"unknown, varying factor. Measuring took {m.get('measure_s', '?')} s.")
    w("")
    w(f"**Set-up.** The **standalone host** (`deploy/standalone/RadAI.Standalone`: the five services in one process, "
      "in-memory bus, SQLite), default settings except: `Inference:UseCuda` false (CPU), the nodule package disabled "
      "(`Inference:DisabledPackages` = `radai.ct.nodule-demo`, so the **lung package `radai.ct.lung-quant` alone** runs), "
      "`--pacs ORTHANC@…` (Orthanc is the sender and where reports go) and the OTLP exporter "
      "(`OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf`, `OTEL_BSP_SCHEDULE_DELAY=1000`). "
      "So dicom-ingest declares the study complete "
      "`DicomIngest:ReleaseGracePeriod` (5 s) after Orthanc releases its association (polled each "
      "`CompletionPollInterval`, 1 s), well before `StableTimeout` (30 s). A private Orthanc (own folder and ports) holds "
      f"`radai synth-ct`'s chest phantom: {slices} slices of {rows}×{columns}, 16-bit, explicit VR little endian "
      f"({m.get('study_mib', '?')} MiB), seed 1. Each run: Orthanc pushes the study to RadAI "
      "(`POST /modalities/radai/store`, one association), the script polls Orthanc until the SR is in the study, then "
      "deletes the report objects (the next push sends the CT alone). One RadAI process for all runs: run 1 is the "
      f"first study after start; the median is over runs 2–{len(results)} (warm).")
    w("")
    w("**Spans.** Collected by `scripts/bench/otlp_collector.py`, a 170-line OTLP/HTTP receiver that decodes the "
      "protobuf wire format by hand (no package: python3-protobuf is not installed here and there is no PyPI); it "
      "writes one JSON line per span. Nothing in RadAI changes for the benchmark but its standard "
      "`OTEL_EXPORTER_OTLP_*` variables. `study.complete` (RadAI.DicomIngest) starts at the last instance's arrival "
      "(the reception's `last_instance_at`) and ends once StudyReceived is published; it is current while publishing, "
      "so inference's and report-builder's spans share its trace; `pacs.delivery` (own trace: it is scheduled from the "
      "database) is found by its `radai.job.id` tag.")
    w("")
    if not results:
        w("_No run completed._")
    else:
        header = "| Stage (s) | run 1 (first after start) | " + " | ".join(f"run {i + 2}" for i in range(len(measured))) + \
                 (" | **median of runs 2–" + str(len(results)) + "** |" if measured else " |")
        w(header)
        w("|---|" + "---:|" * (1 + len(measured) + (1 if measured else 0)))
        for key, label in ROWS:
            cells = [fmt(first[key])] + [fmt(r[key]) for r in measured]
            if measured:
                cells.append("**" + fmt(median([r[key] for r in measured])) + "**")
            w(f"| {label} | " + " | ".join(cells) + " |")
        w("")
        w("Cross-checks (s; the script's clock and the spans' are the same machine clock):")
        w("")
        w("| Check | run 1 | " + " | ".join(f"run {i + 2}" for i in range(len(measured))) + " |")
        w("|---|" + "---:|" * (1 + len(measured)))
        for key, label in CHECKS:
            w(f"| {label} | " + " | ".join(fmt(r[key]) for r in results) + " |")
        w("")
        w(f"Each run: {results[0]['instances']} instances received; models {results[0]['models']} on "
          f"{results[0]['provider']}; delivery attempts per job: {', '.join(str(r['attempts']) for r in results)}; "
          "objects added to Orthanc per run: "
          + "; ".join(", ".join(f"{a['modality']} {a['instances']}" for a in r["added"]) for r in results[:1])
          + f". The inference consumer span is MassTransit's `{results[0]['consumer_name']}`. Orthanc's own "
          f"`ReceptionDate` of the SR (1 s resolution): {', '.join(str(r['sr_reception_date']) for r in results)}.")
        w("")
        w(f"Every span reached the collector {copies} times, once per service name ({', '.join(services)}): the "
          "standalone host runs two web applications (services and gateway), each with its own TracerProvider, and "
          "ActivitySource listeners are process-wide, so both export every span. The copies share trace and span ids "
          "and times; the report counts each span once. (A deployment runs each service in its own process: one copy.)")
        w("")
        w("Stages + queueing add up to the total in every run (a check of the split): "
          + ", ".join(f"{r['sum']:.2f} vs {r['total']:.2f}" for r in results) + ".")
    w("")
    w("### Findings")
    w("")
    text = notes("pipeline-notes.md")
    w(text if text else "_(scripts/bench/pipeline-notes.md holds the analysis.)_")
    write_section("\n".join(out), HEADING, docs, "pipeline")


if __name__ == "__main__":
    main(sys.argv[1:])
