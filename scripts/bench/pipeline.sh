#!/usr/bin/env bash
# The whole path of one CT study, measured from RadAI's own OpenTelemetry spans: from the last instance received to
# the SR stored in the PACS (Orthanc), split by stage (stable wait, inference, report, delivery) and the queueing
# between them. Re-runnable as is.
#
#   scripts/bench/pipeline.sh [--quick] [--slices N] [--size RxC] [--runs N] [--no-docs]
#
#   --quick        a smoke run: 48 slices of 256x256, one measured run
#   --slices N     slices of the synthetic CT (default 300)
#   --size RxC     rows x columns of each slice (default 512x512)
#   --runs N       measured runs after the first (default 3); the first study after start is reported apart
#   --no-docs      print the section without writing docs/benchmarks.md
#   RADAI_BENCH_KEEP=1 keeps the work folder (spans.jsonl, runs/, logs; its path is printed).
#
#   1. builds the standalone host (deploy/standalone) and the radai CLI in Release (artifacts: $RADAI_BENCH_ARTIFACTS,
#      default <repo>/artifacts) and writes the synthetic chest CT once (radai synth-ct, seed 1),
#   2. starts, all private to this run on free loopback ports: the span collector (otlp_collector.py, OTLP/HTTP
#      protobuf decoded by hand), an Orthanc of its own (the PACS), and the standalone host (CPU, the lung package
#      only, --pacs ORTHANC@...; OTEL_EXPORTER_OTLP_ENDPOINT pointing at the collector; otherwise default settings),
#   3. uploads the CT to Orthanc, then for each run: Orthanc pushes the study to RadAI (C-STORE), the script waits
#      until the SR is in Orthanc, waits for the job's spans, records Orthanc's view, and removes the report objects
#      from Orthanc (so the next push sends the CT alone),
#   4. pipeline_report.py: per-stage durations from the spans, the median of the measured runs, cross-checked with
#      Orthanc; writes "## Pipeline latency (Step 7)" in docs/benchmarks.md with scripts/bench/pipeline-notes.md.
# Needs: dotnet, Orthanc, curl, /usr/bin/python3. Never touches other Orthanc or RadAI instances.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SLICES=300
SIZE=512x512
RUNS=3
QUICK=
WRITE_DOCS=1
ARTIFACTS=${RADAI_BENCH_ARTIFACTS:-$ROOT/artifacts}

while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1; SLICES=48; SIZE=256x256; RUNS=1; shift ;;
    --slices) SLICES=$2; shift 2 ;;
    --size) SIZE=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --no-docs) WRITE_DOCS=; shift ;;
    -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
ROWS=${SIZE%x*}
COLUMNS=${SIZE#*x}

BENCH_NAME=pipeline
# shellcheck source=scripts/bench/common.sh
source "$ROOT/scripts/bench/common.sh"

WORK=$(mktemp -d /tmp/radai-bench-pipeline.XXXXXX)
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do timeout 30 tail --pid="$pid" -f /dev/null 2>/dev/null || kill -9 "$pid" 2>/dev/null || true; done
  if [ -n "${RADAI_BENCH_KEEP:-}" ]; then
    log "work folder kept: $WORK (scripts/bench/pipeline_report.py $WORK [docs/benchmarks.md] rebuilds the section)"
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT

# ---------------------------------------------------------------- build (Release) and the study
log "building the standalone host and radai (Release) into $ARTIFACTS"
for project in deploy/standalone/RadAI.Standalone tools/RadAI.Cli; do
  if ! timeout 1200 dotnet build "$ROOT/$project" -c Release -nologo -v q "-p:ArtifactsPath=$ARTIFACTS" >> "$WORK/build.log" 2>&1; then
    cat "$WORK/build.log" >&2; exit 1
  fi
done
STANDALONE=$ARTIFACTS/bin/RadAI.Standalone/release/RadAI.Standalone.dll
RADAI=$ARTIFACTS/bin/RadAI.Cli/release/radai.dll
STUDY=/tmp/radai-bench-pipeline-ct-${SLICES}x${ROWS}x${COLUMNS}-seed1
if [ ! -f "$STUDY/.complete" ]; then
  log "synthetic CT ${SLICES}x${ROWS}x${COLUMNS} into $STUDY (written once, then reused)"
  rm -rf "$STUDY"
  timeout 600 dotnet "$RADAI" synth-ct --out "$STUDY" --slices "$SLICES" --rows "$ROWS" --columns "$COLUMNS" --seed 1 > "$WORK/synth.log" 2>&1 \
    || { cat "$WORK/synth.log" >&2; exit 1; }
  touch "$STUDY/.complete"
fi
BUILT=$SECONDS

# ---------------------------------------------------------------- collector, Orthanc, RadAI (all private)
OTLP_PORT=$(free_port)
( exec $PY "$ROOT/scripts/bench/otlp_collector.py" "$OTLP_PORT" "$WORK/spans.jsonl" > "$WORK/collector.log" 2>&1 ) &
PIDS+=($!)

ORTHANC_HTTP_PORT=$(free_port); ORTHANC_DICOM_PORT=$(free_port)
mkdir -p "$WORK/orthanc/db"
cat > "$WORK/orthanc/orthanc.json" <<JSON
{ "Name": "RADAI-BENCH-PACS", "StorageDirectory": "$WORK/orthanc/db", "IndexDirectory": "$WORK/orthanc/db",
  "HttpServerEnabled": true, "HttpPort": $ORTHANC_HTTP_PORT, "RemoteAccessAllowed": false, "AuthenticationEnabled": false,
  "DicomServerEnabled": true, "DicomAet": "ORTHANC", "DicomPort": $ORTHANC_DICOM_PORT, "DicomCheckCalledAet": false,
  "DicomAlwaysAllowEcho": true, "DicomAlwaysAllowStore": true, "StableAge": 60, "DicomModalities": {} }
JSON
( exec Orthanc "$WORK/orthanc/orthanc.json" > "$WORK/orthanc/orthanc.log" 2>&1 ) &
PIDS+=($!)
ORTHANC=http://127.0.0.1:$ORTHANC_HTTP_PORT
for _ in $(seq 1 100); do curl -sf "$ORTHANC/system" > /dev/null 2>&1 && break; sleep 0.3; done
curl -sf "$ORTHANC/system" > /dev/null || { tail -30 "$WORK/orthanc/orthanc.log" >&2; exit 1; }
log "Orthanc (private) http :$ORTHANC_HTTP_PORT dicom :$ORTHANC_DICOM_PORT; span collector :$OTLP_PORT"

mkdir -p "$WORK/radai"
# The gateway refuses anonymous api calls: a first administrator, whose password the run script signs in with.
$PY -c 'import secrets; print(secrets.token_urlsafe(24))' > "$WORK/radai/admin-password"
# Default settings but three: CPU (the accelerator is not part of this measurement), the lung package alone, and the
# OTLP exporter towards the collector (spans exported each second rather than 5 s: only when they reach us).
( export OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$OTLP_PORT OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf \
    OTEL_BSP_SCHEDULE_DELAY=1000 Inference__UseCuda=false Inference__DisabledPackages__0=radai.ct.nodule-demo
  exec dotnet "$STANDALONE" --dicom-port 0 --http-port 0 --data "$WORK/radai/data" \
    --pacs "ORTHANC@127.0.0.1:$ORTHANC_DICOM_PORT" "--Api:Security:InitialAdminPasswordFile=$WORK/radai/admin-password" \
    > "$WORK/radai/standalone.log" 2>&1 ) &
RADAI_PID=$!
PIDS+=($RADAI_PID)
for _ in $(seq 1 400); do grep -q 'RadAI DICOM: AE title' "$WORK/radai/standalone.log" 2>/dev/null && break
  kill -0 $RADAI_PID 2>/dev/null || break; sleep 0.3; done
WEB=$(sed -n 's/^RadAI standalone listening on \([^ ]*\) .*/\1/p' "$WORK/radai/standalone.log" | head -1)
RADAI_DICOM_PORT=$(sed -n 's/^RadAI DICOM: AE title .* on port \([0-9]*\) .*/\1/p' "$WORK/radai/standalone.log" | head -1)
[ -n "$WEB" ] && [ -n "$RADAI_DICOM_PORT" ] || { log "the standalone host did not start"; tail -40 "$WORK/radai/standalone.log" >&2; exit 1; }
log "RadAI standalone (pid $RADAI_PID) web $WEB, DICOM RADAI :$RADAI_DICOM_PORT"

# ---------------------------------------------------------------- runs
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
mkdir -p "$WORK/runs"
$PY "$ROOT/scripts/bench/pipeline_run.py" --orthanc "$ORTHANC" --radai-web "$WEB" --radai-password-file "$WORK/radai/admin-password" \
  --radai-dicom-port "$RADAI_DICOM_PORT" --radai-pid "$RADAI_PID" \
  --study "$STUDY" --spans "$WORK/spans.jsonl" --out "$WORK/runs" --runs $((RUNS + 1))
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------- report
{
  echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "nproc=$(nproc)"
  echo "cpu=$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1)"
  echo "memory=$(free -g | awk '/^Mem:/ {print $2 " GiB"}')"
  echo "kernel=$(uname -r)"
  echo "dotnet=$(dotnet --version)"
  echo "orthanc=$(curl -sf "$ORTHANC/system" | $PY -c 'import json,sys; print(json.load(sys.stdin)["Version"])')"
  echo "onnxruntime=$(sed -n 's/.*Include="Microsoft.ML.OnnxRuntime[^"]*" Version="\([^"]*\)".*/\1/p' "$ROOT/Directory.Packages.props" | head -1)"
  echo "filesystem=$(df -T "$WORK" | awk 'NR==2 {print $2}')"
  echo "size=${SLICES}x${ROWS}x${COLUMNS}"
  echo "study_mib=$(du -sm --exclude=.complete "$STUDY" | cut -f1)"
  echo "runs=$RUNS"
  echo "quick=${QUICK:+1}"
  echo "load_before=$LOAD_BEFORE"
  echo "load_after=$LOAD_AFTER"
  echo "build_s=$((BUILT - STARTED))"
  echo "measure_s=$((SECONDS - BUILT))"
  echo "commit=${RADAI_BENCH_COMMIT:-$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')}"
} > "$WORK/machine"
cp "$WORK/radai/standalone.log" "$WORK/standalone.log"
log "measured in $((SECONDS - BUILT)) s (build and study $((BUILT - STARTED)) s)"

$PY "$ROOT/scripts/bench/pipeline_report.py" "$WORK" ${WRITE_DOCS:+"$ROOT/docs/benchmarks.md"}
