#!/usr/bin/env bash
# Ingest: a 300-slice CT study sent by DCMTK dcmsend into RadAI's dicom-ingest (the standalone host: SQLite, in-memory
# bus) and into Orthanc, side by side, in ONE run.
#
#   scripts/bench/ingest.sh [--reps N] [--quick] [--fsync-only] [--no-strace] [--no-docs] [--dcmtk-defaults]
#
#   --reps N       repetitions of each run (default 5); --quick: 2 repetitions of a 60-slice study
#   --fsync-only   only the durable runs (RadAI Fsync=true, Orthanc SyncStorageArea=true: both defaults); by default
#                  the same two without fsync are timed too, to show what durability costs
#   --no-strace    skip the (untimed) pass that counts each receiver's fsync calls with strace
#   --no-docs      print the section without writing docs/benchmarks.md
#   --dcmtk-defaults  run dcmsend and Orthanc without TCP_NODELAY=1: Debian's DCMTK 3.6.7 (which Orthanc uses too)
#                  leaves Nagle's algorithm on, and each C-STORE response then waits ≈ 40 ms for a delayed ACK
#                  (scripts/bench/dicom-network.sh measures it); by default both run with TCP_NODELAY=1
#   RADAI_BENCH_KEEP=1 keeps the raw measurements and logs (their folder is printed).
#
#   1. builds radai and deploy/standalone/RadAI.Standalone in Release (artifacts: $RADAI_BENCH_ARTIFACTS, default
#      <repo>/artifacts),
#   2. generates the study with `radai synth-ct --slices 300 --seed 2` (512×512, reused when complete; the same series
#      as scripts/bench/dicom-network.sh),
#   3. per run, a FRESH receiver with an empty data folder on disk (under /tmp: fsync means something there), sent a
#      5-slice study of its own first (untimed: the timed study meets warm code, not a cold start):
#      radai    RadAI.Standalone --dicom-port 0 --http-port 0 --data DIR, no model package (Inference:PackagePaths set to
#               an empty folder: the study is announced, then skipped, no analysis competes for the CPU),
#               DicomIngest:ReleaseGracePeriod 0 s and CompletionPollInterval 0.1 s (defaults: 5 s and 1 s);
#      orthanc  Orthanc 1.10 with a minimal configuration (no plugin), its storage and SQLite index in DIR;
#      then `dcmsend` of the study over one association; measured: wall time to the last C-STORE response (dcmsend's
#      exit), for RadAI also until the job is listed by GET /api/jobs (study complete: StudyReceived published and
#      recorded), CPU time of the receiver during the reception (/proc/PID/stat), its resident memory before the
#      study and its peak (VmHWM, what /usr/bin/time -v calls "Maximum resident set size"); every instance is checked,
#   4. runs are interleaved (one of each in turn) after one untimed warm-up of each, N repetitions,
#   5. optionally (default on) one more untimed run of each under `strace -f -c` to count fsync/fdatasync calls,
#   6. prints a markdown table of medians and writes it into docs/benchmarks.md under "## Ingest (C-STORE into RadAI
#      vs Orthanc)" (only that section is replaced), with the notes of scripts/bench/ingest-notes.md.
# Needs: dotnet, dcmtk (dcmsend, echoscu), orthanc, curl, strace (optional), python3. Missing Debian packages are installed when root.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
REPS=5
QUICK=
FSYNC_ONLY=
RUN_STRACE=1
WRITE_DOCS=1
ARTIFACTS=${RADAI_BENCH_ARTIFACTS:-$ROOT/artifacts}
DATA=${RADAI_BENCH_DATA:-/tmp}
SLICES=300
SEED=2
NODELAY=1

while [ $# -gt 0 ]; do
  case "$1" in
    --reps) REPS=$2; shift 2 ;;
    --quick) QUICK=1; REPS=2; SLICES=60; SEED=4; shift ;;
    --fsync-only) FSYNC_ONLY=1; shift ;;
    --no-strace) RUN_STRACE=; shift ;;
    --no-docs) WRITE_DOCS=; shift ;;
    --dcmtk-defaults) NODELAY=; shift ;;
    -h|--help) sed -n '2,38p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done

log() { printf '[ingest %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
# DCMTK's libdcmnet (dcmsend, echoscu, Orthanc's DICOM server) reads TCP_NODELAY; .NET ignores it.
if [ -n "$NODELAY" ]; then export TCP_NODELAY=1; else unset TCP_NODELAY; fi

# ---------------------------------------------------------------- tools
need=()
command -v dcmsend >/dev/null && command -v echoscu >/dev/null || need+=(dcmtk)
command -v Orthanc >/dev/null || need+=(orthanc)
command -v curl >/dev/null || need+=(curl)
[ -z "$RUN_STRACE" ] || command -v strace >/dev/null || need+=(strace)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    log "installing ${need[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "missing: ${need[*]} (apt-get install them)" >&2; exit 1
  fi
fi
PY=/usr/bin/python3

WORK=$(mktemp -d /tmp/radai-bench-ingest.XXXXXX)
RECEIVER_PID=
cleanup() {
  stop_receiver || true
  if [ -n "${RADAI_BENCH_KEEP:-}" ]; then
    rm -rf "$WORK/run"
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
[ -n "${RADAI_BENCH_KEEP:-}" ] && log "measurements kept in $WORK (scripts/bench/ingest_report.py $WORK [docs/benchmarks.md] rebuilds the section)"

# ---------------------------------------------------------------- build (Release)
log "building radai and RadAI.Standalone (Release) into $ARTIFACTS"
for project in tools/RadAI.Cli deploy/standalone/RadAI.Standalone; do
  if ! dotnet build "$ROOT/$project" -c Release -nologo -v q "-p:ArtifactsPath=$ARTIFACTS" > "$WORK/build.log" 2>&1; then
    cat "$WORK/build.log" >&2; exit 1
  fi
done
RADAI=$ARTIFACTS/bin/RadAI.Cli/release/radai
STANDALONE=$ARTIFACTS/bin/RadAI.Standalone/release/RadAI.Standalone

# ---------------------------------------------------------------- the study
STUDY=$DATA/radai-bench-ct-${SLICES}x512x512-seed$SEED
if [ "$(find "$STUDY" -maxdepth 1 -name 'CT*.dcm' 2>/dev/null | wc -l)" -ne "$SLICES" ]; then
  log "generating the $SLICES-slice 512x512 CT study in $STUDY"
  rm -rf "$STUDY"
  "$RADAI" synth-ct --out "$STUDY" --slices "$SLICES" --rows 512 --columns 512 --seed "$SEED" >&2
else
  log "reusing the study in $STUDY"
fi
# A 5-slice study of its own, sent to each fresh receiver before the timed one: the timed study meets warm code
# (JIT for RadAI), not a cold start.
WARMUP_STUDY=$DATA/radai-bench-ct-5x512x512-seed5
if [ "$(find "$WARMUP_STUDY" -maxdepth 1 -name 'CT*.dcm' 2>/dev/null | wc -l)" -ne 5 ]; then
  rm -rf "$WARMUP_STUDY"
  "$RADAI" synth-ct --out "$WARMUP_STUDY" --slices 5 --rows 512 --columns 512 --seed 5 > /dev/null
fi
cat "$STUDY"/CT*.dcm "$WARMUP_STUDY"/CT*.dcm > /dev/null # page cache
STUDY_BYTES=$(du -cb "$STUDY"/CT*.dcm | tail -1 | cut -f1)
study_uid() { dcmdump -q +P 0020,000d "$1/CT0001.dcm" | sed -n 's/.*\[\(.*\)\].*/\1/p'; }
STUDY_UID=$(study_uid "$STUDY")
WARMUP_UID=$(study_uid "$WARMUP_STUDY")

free_port() { $PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
wait_until() { # SECONDS COMMAND...
  local deadline=$((SECONDS + $1)); shift
  until "$@" > /dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.05
  done
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
status_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }

# ---------------------------------------------------------------- receivers
# start_receiver KIND FSYNC(true/false) DIR -> RECEIVER_PID, DICOM_PORT, CALLED_AE, WEB
start_receiver() {
  local kind=$1 fsync=$2 dir=$3
  mkdir -p "$dir"
  case $kind in
    radai)
      mkdir -p "$dir/no-models"
      ( export DicomIngest__BindAddress=127.0.0.1 DicomIngest__Fsync=$fsync \
          DicomIngest__ReleaseGracePeriod=00:00:00 DicomIngest__CompletionPollInterval=00:00:00.100 \
          Inference__PackagePaths__0="$dir/no-models" \
          Logging__Console__FormatterOptions__TimestampFormat="yyyy-MM-ddTHH:mm:ss.fffzzz " Logging__Console__FormatterOptions__UseUtcTimestamp=true
        exec "$STANDALONE" --dicom-port 0 --http-port 0 --data "$dir/data" ) > "$dir/receiver.log" 2>&1 &
      RECEIVER_PID=$!
      wait_until 120 grep -q 'RadAI DICOM: AE title' "$dir/receiver.log" || { echo "RadAI.Standalone did not start:" >&2; tail -30 "$dir/receiver.log" >&2; exit 1; }
      DICOM_PORT=$(sed -n 's/.*RadAI DICOM: AE title \S* on port \([0-9]*\).*/\1/p' "$dir/receiver.log")
      CALLED_AE=RADAI
      WEB=$(sed -n 's/.*RadAI standalone listening on \(http:[^ ]*\) .*/\1/p' "$dir/receiver.log")
      WEB=${WEB%/}
      wait_until 120 curl -sf "$WEB/health/ready" || { echo "RadAI.Standalone not ready:" >&2; tail -30 "$dir/receiver.log" >&2; exit 1; }
      ;;
    orthanc)
      local http; http=$(free_port); DICOM_PORT=$(free_port)
      mkdir -p "$dir/db"
      cat > "$dir/orthanc.json" <<JSON
{ "Name": "RADAI-BENCH", "StorageDirectory": "$dir/db", "IndexDirectory": "$dir/db", "Plugins": [],
  "HttpServerEnabled": true, "HttpPort": $http, "RemoteAccessAllowed": false, "AuthenticationEnabled": false,
  "DicomServerEnabled": true, "DicomAet": "ORTHANC", "DicomPort": $DICOM_PORT, "DicomCheckCalledAet": false,
  "DicomAlwaysAllowEcho": true, "DicomAlwaysAllowStore": true, "SyncStorageArea": $fsync, "DicomModalities": {} }
JSON
      Orthanc "$dir/orthanc.json" > "$dir/receiver.log" 2>&1 &
      RECEIVER_PID=$!
      CALLED_AE=ORTHANC
      WEB=http://127.0.0.1:$http
      wait_until 60 curl -sf "$WEB/system" || { echo "Orthanc did not start:" >&2; tail -30 "$dir/receiver.log" >&2; exit 1; }
      ;;
  esac
  wait_until 30 echoscu -aet BENCH -aec "$CALLED_AE" -to 5 127.0.0.1 "$DICOM_PORT" || { echo "$kind does not answer C-ECHO" >&2; exit 1; }
}

stop_receiver() {
  [ -n "$RECEIVER_PID" ] || return 0
  kill -TERM "$RECEIVER_PID" 2>/dev/null || true
  wait "$RECEIVER_PID" 2>/dev/null || true
  RECEIVER_PID=
}

job_listed() { curl -sf "$WEB/api/jobs" | grep -q "\"studyInstanceUid\":\"${1:-$STUDY_UID}\""; }

# run_one NAME RECORD(0/1|strace): one fresh receiver, one study; appends a line to results when recording
run_one() {
  local name=$1 record=$2 kind fsync dir="$WORK/run" t0 t1 t2=- cpu0 cpu1 cpu2=- idle tracer=
  case $name in
    radai) kind=radai; fsync=true ;;
    radai-nofsync) kind=radai; fsync=false ;;
    orthanc) kind=orthanc; fsync=true ;;
    orthanc-nosync) kind=orthanc; fsync=false ;;
  esac
  rm -rf "$dir"
  start_receiver "$kind" "$fsync" "$dir"
  dcmsend -aet BENCH -aec "$CALLED_AE" +sd 127.0.0.1 "$DICOM_PORT" "$WARMUP_STUDY" > "$dir/warmup.log" 2>&1 \
    || { echo "$name: the warm-up study failed:" >&2; tail -20 "$dir/warmup.log" "$dir/receiver.log" >&2; exit 1; }
  if [ "$kind" = radai ]; then
    wait_until 120 job_listed "$WARMUP_UID" || { echo "$name: the warm-up job never appeared" >&2; exit 1; }
  fi
  sleep 0.5
  idle=$(status_kb "$RECEIVER_PID" VmRSS)
  if [ "$record" = strace ]; then
    strace -f -c -e trace=fsync,fdatasync,sync_file_range,msync -o "$WORK/strace-$name.txt" -p "$RECEIVER_PID" 2> /dev/null &
    tracer=$!
    sleep 1
  fi
  cpu0=$(cpu_ticks "$RECEIVER_PID")
  t0=$EPOCHREALTIME
  dcmsend -aet BENCH -aec "$CALLED_AE" +sd 127.0.0.1 "$DICOM_PORT" "$STUDY" > "$dir/dcmsend.log" 2>&1 \
    || { echo "$name: dcmsend failed:" >&2; tail -20 "$dir/dcmsend.log" "$dir/receiver.log" >&2; exit 1; }
  t1=$EPOCHREALTIME
  cpu1=$(cpu_ticks "$RECEIVER_PID")
  local stored
  if [ "$kind" = radai ]; then
    wait_until 120 job_listed || { echo "$name: the job never appeared in /api/jobs" >&2; tail -30 "$dir/receiver.log" >&2; exit 1; }
    t2=$EPOCHREALTIME
    cpu2=$(cpu_ticks "$RECEIVER_PID")
    stored=$(find "$dir/data/instances/$STUDY_UID" -name '*.dcm' | wc -l)
  else
    stored=$(( $(curl -sf "$WEB/statistics" | $PY -c 'import json, sys; print(json.load(sys.stdin)["CountInstances"])') - 5 )) # minus the warm-up study
  fi
  [ "$stored" -eq "$SLICES" ] || { echo "$name: $stored of $SLICES instances stored" >&2; exit 1; }
  local peak; peak=$(status_kb "$RECEIVER_PID" VmHWM)
  if [ -n "$tracer" ]; then
    sleep 0.5
    kill -INT "$tracer" 2>/dev/null || true
    wait "$tracer" 2>/dev/null || true
  fi
  stop_receiver
  if [ "$record" = 1 ]; then
    local tick; tick=$(getconf CLK_TCK)
    # RadAI's log (UTC timestamps): when the study was found complete (event 4201) and StudyReceived published (4301).
    $PY - "$name" "$t0" "$t1" "$t2" "$cpu0" "$cpu1" "$cpu2" "$tick" "$idle" "$peak" "$dir/receiver.log" "$STUDY_UID" >> "$WORK/results" <<'PYEOF'
import datetime, re, sys
name, t0, t1, t2, c0, c1, c2, tick, idle, peak, log, study = sys.argv[1:]
t0, t1 = float(t0), float(t1)
listed = f"{float(t2) - t0:.4f}" if t2 != "-" else "-"
cpu_listed = f"{(int(c2) - int(c0)) / int(tick):.2f}" if c2 != "-" else "-"
events = {}
try:
    lines = open(log, encoding="utf-8", errors="replace").read().splitlines()
except FileNotFoundError:
    lines = []
for i, line in enumerate(lines):
    m = re.match(r"^(\S+) \w+: \S+\[(4201|4301)\]", line)
    if m and i + 1 < len(lines) and (m.group(2) == "4201" or study in lines[i + 1]):
        at = datetime.datetime.fromisoformat(m.group(1)).timestamp()
        if at >= t0:
            events.setdefault(m.group(2), at - t0)
fmt = lambda key: f"{events[key]:.4f}" if key in events else "-"
print(name, f"{t1 - t0:.4f}", listed, f"{(int(c1) - int(c0)) / int(tick):.2f}", cpu_listed, idle, peak, fmt("4201"), fmt("4301"))
PYEOF
  fi
  rm -rf "$dir"
}

RUNS=(radai orthanc)
[ -n "$FSYNC_ONLY" ] || RUNS+=(radai-nofsync orthanc-nosync)

LOAD_BEFORE=$(cut -d' ' -f1 /proc/loadavg)
log "warm-up: one untimed run of each (${RUNS[*]})"
for run in "${RUNS[@]}"; do run_one "$run" 0; done
log "timing: $REPS repetitions, interleaved; receivers' data on $(df --output=source "$WORK" | tail -1) ($(stat -f -c %T "$WORK"))"
for ((rep = 1; rep <= REPS; rep++)); do
  for run in "${RUNS[@]}"; do run_one "$run" 1; done
  log "repetition $rep/$REPS done"
done
LOAD_AFTER=$(cut -d' ' -f1 /proc/loadavg)
if [ -n "$RUN_STRACE" ]; then
  log "counting fsync calls (strace -f -c, untimed)"
  for run in "${RUNS[@]}"; do run_one "$run" strace || log "strace pass of $run failed (ptrace not allowed?)"; done
fi

# ---------------------------------------------------------------- report
{
  echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "nproc=$(nproc)"
  echo "cpu=$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1)"
  echo "memory=$(free -g | awk '/^Mem:/ {print $2 " GiB"}')"
  echo "kernel=$(uname -r)"
  echo "dotnet=$(dotnet --version)"
  echo "dcmtk=$(dcmsend --version 2>&1 | sed -n 's/.*\(dcmsend v[0-9.]*\).*/\1/p' | head -1)"
  echo "orthanc=$(Orthanc --version 2>&1 | head -1)"
  echo "reps=$REPS"
  echo "slices=$SLICES"
  echo "study_bytes=$STUDY_BYTES"
  echo "nodelay=${NODELAY:+1}"
  echo "disk=$(df --output=source "$WORK" | tail -1) ($(stat -f -c %T "$WORK"))"
  echo "load_before=$LOAD_BEFORE"
  echo "load_after=$LOAD_AFTER"
  echo "commit=${RADAI_BENCH_COMMIT:-$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')}"
} > "$WORK/machine"

$PY "$ROOT/scripts/bench/ingest_report.py" "$WORK" ${WRITE_DOCS:+"$ROOT/docs/benchmarks.md"}
