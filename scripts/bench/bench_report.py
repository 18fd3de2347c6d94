#!/usr/bin/python3
"""Helpers shared by the report scripts of scripts/bench (dicom_network_report.py, ingest_report.py, inference_report.py).

Each report prints one markdown section and, given a docs file, replaces that section in it (from its "## " heading
up to the next "## " heading; appended when absent; the file is created when missing).
"""
import glob
import json
import os
import re
import statistics
import sys

DOCS_HEADER = ("# Benchmarks\n\nMeasurements of RadAI's components against reference tools; each section is "
               "self-contained and says how it was produced.\n")


def read(path, default=""):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except FileNotFoundError:
        return default


def machine(work):
    return dict(line.split("=", 1) for line in read(os.path.join(work, "machine")).splitlines() if "=" in line)


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else float("nan")


def ratio(a, b):
    return a / b if b else float("nan")


def fmt_ratio(r):
    return f"{r:.1f}×" if r >= 1 else f"{r:.2f}×"


def notes(name):
    return read(os.path.join(os.path.dirname(os.path.abspath(__file__)), name)).strip()


def bdn_results(folder):
    """{Type.Method(params): (median_ns, mean_ns, allocated_bytes, n)} from BenchmarkDotNet's JSON exporter."""
    results = {}
    for path in sorted(glob.glob(os.path.join(folder, "results", "*-report-full-compressed.json")) +
                       glob.glob(os.path.join(folder, "results", "*-report-full.json"))):
        data = json.loads(read(path))
        for b in data.get("Benchmarks", []):
            params = b.get("Parameters") or ""
            key = b["Type"] + "." + b["Method"] + (f"({params})" if params else "")
            stats = b.get("Statistics") or {}
            memory = b.get("Memory") or {}
            if stats:
                results[key] = dict(median=stats["Median"], mean=stats["Mean"], min=stats["Min"], max=stats["Max"], n=stats["N"],
                                    allocated=memory.get("BytesAllocatedPerOperation"), params=params, method=b["Method"], type=b["Type"])
    return results


def bdn_tables(folder):
    """BenchmarkDotNet's own markdown tables, in a <details> block."""
    raw = sorted(glob.glob(os.path.join(folder, "results", "*-report-github.md")))
    if not raw:
        return []
    out = ["<details><summary>BenchmarkDotNet's own tables</summary>", ""]
    for path in raw:
        out.append(read(path).strip())
        out.append("")
    out.append("</details>")
    out.append("")
    return out


def write_section(section, heading, docs, tag):
    """Prints the section; with docs, replaces (or appends) the section starting with heading."""
    section = section.rstrip() + "\n"
    print(section)
    if not docs:
        return
    existing = read(docs) or DOCS_HEADER
    pattern = re.compile("^" + re.escape(heading) + r"\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(existing):
        updated = pattern.sub(lambda _: section + "\n", existing, count=1)
    else:
        updated = existing.rstrip() + "\n\n" + section
    with open(docs, "w", encoding="utf-8") as f:
        f.write(updated.rstrip() + "\n")
    print(f"[{tag}] written to {docs}", file=sys.stderr)


def machine_line(m, tools):
    return (f"Measured {m.get('date', '?')} on {m.get('cpu', '?')}, {m.get('nproc', '?')} logical CPUs, {m.get('memory', '?')}, "
            f"Linux {m.get('kernel', '?')}; .NET SDK {m.get('dotnet', '?')}, {tools}; commit {m.get('commit', '?')}. "
            f"Load average (1 min) before the timings {m.get('load_before', '?')}, after them {m.get('load_after', '?')}.")
