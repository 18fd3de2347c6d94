#!/usr/bin/env bash
# report-builder's step: the time to build SEG, SR, key images and PDF for a 300-slice 512x512 chest CT job with 10
# findings, stage by stage and whole, and the peak memory of the whole step in a fresh process. Re-runnable as is
# after report-builder changes.
#
#   scripts/bench/report.sh [--quick] [--size SxRxC] [--processes N] [--builds N] [--no-bdn] [--no-memory] [--no-docs]
#
#   --quick          a smoke run in about a minute: a 48x256x256 job, BenchmarkDotNet's short job
#   --size S         the job's series (default 300x512x512: slices x rows x columns)
#   --processes N    fresh processes of the memory measurement (default 2)
#   --builds N       whole steps per memory process (default 3: the first, with JIT and first-use costs, then warm ones)
#   --no-bdn / --no-memory   skip a part
#   --no-docs        print the section without writing docs/benchmarks.md
#   RADAI_BENCH_KEEP=1 keeps the raw measurements (their folder is printed).
#
#   1. builds tests/RadAI.Benchmarks in Release (artifacts: $RADAI_BENCH_ARTIFACTS, default <repo>/artifacts),
#   2. RadAI.Benchmarks report-prepare: writes the synthetic job once under /tmp/radai-bench-report-SIZE-seed3 (radai
#      synth-ct's chest phantom as 300 CT files, findings.json of the two CT packages with 10 findings, both label maps)
#      and reuses it afterwards (untimed),
#   3. BenchmarkDotNet ReportBuildingBenchmarks (in process): each stage of ReportGeneration.BuildAsync on inputs loaded
#      once, two parts of them (PNG encoding, PDF without images), and the whole step (3 warm-up + 15 measured runs each),
#   4. RadAI.Benchmarks report-memory, N fresh processes: the whole step --builds times, resident memory and its peak
#      after each (VmRSS, VmHWM; /usr/bin/time's maximum RSS of the process too), time, CPU time, managed allocation,
#   5. prints the section and writes it into docs/benchmarks.md under "## Report building" (only that section is
#      replaced; appended at the end when absent), with the notes of scripts/bench/report-notes.md.
# Needs: dotnet, time (/usr/bin/time), python3.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
QUICK=
SIZE=300x512x512
PROCESSES=2
BUILDS=3
RUN_BDN=1
RUN_MEMORY=1
WRITE_DOCS=1
ARTIFACTS=${RADAI_BENCH_ARTIFACTS:-$ROOT/artifacts}

while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1; SIZE=48x256x256; shift ;;
    --size) SIZE=$2; shift 2 ;;
    --processes) PROCESSES=$2; shift 2 ;;
    --builds) BUILDS=$2; shift 2 ;;
    --no-bdn) RUN_BDN=; shift ;;
    --no-memory) RUN_MEMORY=; shift ;;
    --no-docs) WRITE_DOCS=; shift ;;
    -h|--help) sed -n '2,28p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done

BENCH_NAME=report
# shellcheck source=scripts/bench/common.sh
source "$ROOT/scripts/bench/common.sh"
[ -x /usr/bin/time ] || { echo "missing: /usr/bin/time (apt-get install time)" >&2; exit 1; }
bench_workdir report_building_report.py

# ---------------------------------------------------------------- build (Release) and the job's input
build_release tests/RadAI.Benchmarks
BENCH=$ARTIFACTS/bin/RadAI.Benchmarks/release/RadAI.Benchmarks
log "synthetic job $SIZE (written once, then reused)"
"$BENCH" report-prepare --size "$SIZE" > "$WORK/study" 2> "$WORK/prepare.log" || { cat "$WORK/prepare.log" >&2; exit 1; }
BUILT=$SECONDS

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
# ---------------------------------------------------------------- 1. BenchmarkDotNet: stages and whole step
if [ -n "$RUN_BDN" ]; then
  log "BenchmarkDotNet ReportBuildingBenchmarks on $SIZE ${QUICK:+(quick job) }"
  (cd "$WORK" && RADAI_BENCH_REPORT_SIZE=$SIZE "$BENCH" --filter '*ReportBuildingBenchmarks*' ${QUICK:+--quick} --exporters json --artifacts "$WORK/bdn" > "$WORK/bdn.log" 2>&1) \
    || { tail -50 "$WORK/bdn.log" >&2; exit 1; }
  grep '^// radai\.report' "$WORK/bdn.log" | head -1 > "$WORK/bdn-job.txt" || true
fi
LOAD_MIDDLE=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------- 2. peak memory, fresh processes
if [ -n "$RUN_MEMORY" ]; then
  for i in $(seq 1 "$PROCESSES"); do
    log "report-memory $i/$PROCESSES on $SIZE ($BUILDS builds, fresh process)"
    /usr/bin/time -f '%e %U %S %M' -o "$WORK/memory-$i.time" "$BENCH" report-memory --size "$SIZE" --builds "$BUILDS" \
      > "$WORK/memory-$i.json" 2> "$WORK/memory-$i.log" || { cat "$WORK/memory-$i.log" >&2; exit 1; }
  done
fi
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------- report
{
  echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "nproc=$(nproc)"
  echo "cpu=$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1)"
  echo "memory=$(free -g | awk '/^Mem:/ {print $2 " GiB"}')"
  echo "kernel=$(uname -r)"
  echo "dotnet=$(dotnet --version)"
  echo "pdfsharp=$(sed -n 's/.*Include="PDFsharp" Version="\([^"]*\)".*/\1/p' "$ROOT/Directory.Packages.props" | head -1)"
  echo "skiasharp=$(sed -n 's/.*Include="SkiaSharp" Version="\([^"]*\)".*/\1/p' "$ROOT/Directory.Packages.props" | head -1)"
  echo "filesystem=$(df -T "$(cat "$WORK/study")" | awk 'NR==2 {print $2}')"
  echo "size=$SIZE"
  echo "processes=$PROCESSES"
  echo "builds=$BUILDS"
  echo "quick=${QUICK:+1}"
  echo "load_before=$LOAD_BEFORE"
  echo "load_middle=$LOAD_MIDDLE"
  echo "load_after=$LOAD_AFTER"
  echo "build_s=$((BUILT - STARTED))"
  echo "measure_s=$((SECONDS - BUILT))"
  echo "commit=${RADAI_BENCH_COMMIT:-$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')}"
} > "$WORK/machine"
log "measured in $((SECONDS - BUILT)) s (build and job $((BUILT - STARTED)) s)"

$PY "$ROOT/scripts/bench/report_building_report.py" "$WORK" ${WRITE_DOCS:+"$ROOT/docs/benchmarks.md"}
