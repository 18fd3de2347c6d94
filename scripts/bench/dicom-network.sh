#!/usr/bin/env bash
# DICOM network (C-STORE): the networking issue's acceptance matrix, whole processes side by side, in ONE run.
#
#   scripts/bench/dicom-network.sh [--count N] [--reps N] [--quick] [--no-docs] [--bdn] [--rx DIR]
#
#   --count N  instances in the series (default 1000, 512×512 16-bit CT, ≈ 514 KB each); --quick: 100, 1 repetition
#   --reps N   repetitions of the matrix (default 1: "one run side by side"; with more, medians are reported)
#   --no-docs  print the section without writing docs/benchmarks.md
#   --bdn      also run the BenchmarkDotNet loopback benchmarks (DicomNetworkBenchmarks: protocol alone, allocations)
#   --rx DIR   where receivers write and dd measures (default: a folder under /tmp — on disk, the same file system)
#   --radai PATH  use this radai executable instead of building one (e.g. an earlier build, for a before/after run)
#   RADAI_BENCH_KEEP=1 keeps the raw measurements (their folder is printed).
#
#   1. builds radai (and, with --bdn, tests/RadAI.Benchmarks) in Release (artifacts: $RADAI_BENCH_ARTIFACTS, default
#      <repo>/artifacts),
#   2. generates the series once with `radai synth-ct` (reused when complete): N CT slices 512×512, 16-bit, explicit VR
#      little endian, seed 7, under $RADAI_BENCH_DATA (default /tmp),
#   3. measures the disk: `dd if=/dev/zero of=RX/dd.bin bs=1M count=512 conv=fsync` (fsync'd sequential write: the
#      physical limit for a receiver that keeps what it receives),
#   4. runs the matrix, every tool as packaged (DCMTK and Orthanc without TCP_NODELAY in their environment):
#        (a) dcmsend → storescp        (b) dcmsend → radai listen        (c) radai send → storescp
#        (d) radai send → radai listen (e) radai send → Orthanc (a private instance, started and deleted by the script)
#      plus (d+fsync) radai send → radai listen --fsync (durable before each answer: the line to hold against dd),
#      each run: a fresh receiver writing to RX, the whole series over one association, the receiver stopped, every
#      instance checked to have arrived (files, or Orthanc's statistics), what was stored deleted;
#      wall time = the sending process from start to exit (bash $EPOCHREALTIME); CPU time and peak RSS (/usr/bin/time,
#      whole life) of the sender and of the receiver,
#   5. memory flatness of RadAI's SCP: peak RSS of `radai listen` receiving 25% of the series, then all of it,
#   6. the Nagle/delayed-ACK check, 50 instances each: dcmsend → storescp with TCP_NODELAY=1 set for neither, the
#      sender only, the receiver only, both (which side stalls), RadAI against the packaged DCMTK either way, and
#      radai send → Orthanc without and with TCP_NODELAY=1 for Orthanc,
#   7. prints a markdown section and writes it into docs/benchmarks.md under "## DICOM network (C-STORE)" (only that
#      section is replaced; --no-docs: not written), with the notes of scripts/bench/dicom-network-notes.md.
# Needs: dotnet, dcmtk (dcmsend, storescp, echoscu), Orthanc, curl, time (/usr/bin/time), python3. Missing Debian
# packages are installed when root.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
COUNT=1000
REPS=1
WRITE_DOCS=1
RUN_BDN=
ARTIFACTS=${RADAI_BENCH_ARTIFACTS:-$ROOT/artifacts}
DATA=${RADAI_BENCH_DATA:-/tmp}
RX_BASE=/tmp
RADAI=
NAGLE_N=50
ROWS=512
SEED=7

while [ $# -gt 0 ]; do
  case "$1" in
    --count) COUNT=$2; shift 2 ;;
    --reps) REPS=$2; shift 2 ;;
    --quick) COUNT=100; REPS=1; NAGLE_N=20; shift ;;
    --no-docs) WRITE_DOCS=; shift ;;
    --bdn) RUN_BDN=1; shift ;;
    --rx) RX_BASE=$2; shift 2 ;;
    --radai) RADAI=$(realpath "$2"); shift 2 ;;
    -h|--help) sed -n '2,39p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done

BENCH_NAME=dicom-network
# shellcheck source=scripts/bench/common.sh
source "$ROOT/scripts/bench/common.sh"
# As packaged: DCMTK (libdcmnet, also inside Orthanc) turns Nagle's algorithm off only when TCP_NODELAY is set.
unset TCP_NODELAY

# ---------------------------------------------------------------- tools
need=()
[ -x /usr/bin/time ] || need+=(time)
command -v dcmsend >/dev/null && command -v storescp >/dev/null && command -v echoscu >/dev/null || need+=(dcmtk)
command -v Orthanc >/dev/null || need+=(orthanc)
command -v curl >/dev/null || need+=(curl)
command -v pgrep >/dev/null || need+=(procps)
install_missing "${need[@]}"

WORK=$(mktemp -d /tmp/radai-bench-dicom-network.XXXXXX)
mkdir -p "$RX_BASE"
RX=$(mktemp -d "$RX_BASE/radai-bench-network-rx.XXXXXX")
RX_KIND="disk: $(df --output=source "$RX" | tail -1) ($(stat -f -c %T "$RX")), page cache (no fsync) unless said"
SERVER_TIME_PID=
cleanup() {
  if [ -n "$SERVER_TIME_PID" ]; then stop_server || true; fi
  rm -rf "$RX"
  if [ -z "${RADAI_BENCH_KEEP:-}" ]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT
[ -n "${RADAI_BENCH_KEEP:-}" ] && log "measurements kept in $WORK (scripts/bench/dicom_network_report.py $WORK [docs/benchmarks.md] rebuilds the section)"

# ---------------------------------------------------------------- build (Release)
projects=()
[ -z "$RADAI" ] && projects+=(tools/RadAI.Cli)
[ -n "$RUN_BDN" ] && projects+=(tests/RadAI.Benchmarks)
build_release "${projects[@]}"
RADAI=${RADAI:-$ARTIFACTS/bin/RadAI.Cli/release/radai}
BENCH=$ARTIFACTS/bin/RadAI.Benchmarks/release/RadAI.Benchmarks

# ---------------------------------------------------------------- the series (generated once, reused)
SERIES=$DATA/radai-bench-ct-${COUNT}x${ROWS}x${ROWS}-seed$SEED
if [ "$(find "$SERIES" -maxdepth 1 -name 'CT*.dcm' 2>/dev/null | wc -l)" -ne "$COUNT" ]; then
  log "generating $COUNT CT instances ${ROWS}x$ROWS in $SERIES"
  rm -rf "$SERIES"
  "$RADAI" synth-ct --out "$SERIES" --slices "$COUNT" --rows "$ROWS" --columns "$ROWS" --seed "$SEED" >&2
else
  log "reusing $SERIES"
fi
BYTES=$(du -cb "$SERIES"/CT*.dcm | tail -1 | cut -f1)
mapfile -t FILES < <(find "$SERIES" -maxdepth 1 -name 'CT*.dcm' | sort)
# Subsets as folders of symbolic links: a quarter of the series (memory flatness) and the Nagle check's instances.
QUARTER=$(( COUNT / 4 ))
SUBSET_Q=$WORK/quarter; mkdir -p "$SUBSET_Q"; ln -s "${FILES[@]:0:$QUARTER}" "$SUBSET_Q/"
SUBSET_N=$WORK/nagle; mkdir -p "$SUBSET_N"; ln -s "${FILES[@]:0:$NAGLE_N}" "$SUBSET_N/"
cat "$SERIES"/CT*.dcm > /dev/null # page cache

secs() { $PY -c "print(f'{$2 - $1:.4f}')"; }

# ---------------------------------------------------------------- the disk limit
disk_limit() {
  local t0 t1
  sync
  t0=$EPOCHREALTIME
  dd if=/dev/zero of="$RX/dd.bin" bs=1M count=512 conv=fsync 2> "$WORK/dd.log"
  t1=$EPOCHREALTIME
  rm -f "$RX/dd.bin"
  echo "dd $(secs "$t0" "$t1") $((512 * 1024 * 1024)) $(tail -1 "$WORK/dd.log" | tr ' ' '_')" >> "$WORK/disk"
}

# ---------------------------------------------------------------- receivers
# start_server KIND PORT DIR [ENV...]: the receiver runs under /usr/bin/time (CPU, peak RSS over its whole life).
start_server() {
  local kind=$1 port=$2 dir=$3 aet envs=(env -u TCP_NODELAY)
  [ "${4:-}" = nodelay ] && envs=(env TCP_NODELAY=1)
  case $kind in
    radai-listen) aet=RADAI; set -- "$RADAI" listen "$port" --out "$dir" --aet RADAI ;;
    radai-listen-fsync) aet=RADAI; set -- "$RADAI" listen "$port" --out "$dir" --aet RADAI --fsync ;;
    storescp) aet=STORESCP; set -- storescp -aet STORESCP -od "$dir" -fe .dcm "$port" ;;
    orthanc)
      aet=ORTHANC
      ORTHANC_HTTP=$(free_port)
      mkdir -p "$dir/db"
      cat > "$dir/orthanc.json" <<JSON
{ "Name": "RADAI-BENCH", "StorageDirectory": "$dir/db", "IndexDirectory": "$dir/db",
  "HttpServerEnabled": true, "HttpPort": $ORTHANC_HTTP, "RemoteAccessAllowed": false, "AuthenticationEnabled": false,
  "DicomServerEnabled": true, "DicomAet": "ORTHANC", "DicomPort": $port, "DicomCheckCalledAet": false,
  "DicomAlwaysAllowEcho": true, "DicomAlwaysAllowStore": true, "StableAge": 3600, "DicomModalities": {}, "Plugins": [] }
JSON
      set -- Orthanc "$dir/orthanc.json" ;;
    *) echo "no server $kind" >&2; exit 1 ;;
  esac
  SERVER_AET=$aet
  "${envs[@]}" /usr/bin/time -f '%e %U %S %M' -o "$WORK/server.time" "$@" > "$WORK/server.log" 2>&1 &
  SERVER_TIME_PID=$!
  local i
  for ((i = 0; i < 600; i++)); do
    if echoscu -aet BENCH -aec "$aet" -to 2 127.0.0.1 "$port" > /dev/null 2>&1; then
      SERVER_PID=$(pgrep -P "$SERVER_TIME_PID" | head -1)
      return 0
    fi
    kill -0 "$SERVER_TIME_PID" 2>/dev/null || break
    sleep 0.05
  done
  echo "$kind did not start:" >&2; cat "$WORK/server.log" >&2; exit 1
}

stop_server() { # -> SERVER_MEASURE "user sys rss_kb"
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_TIME_PID" 2>/dev/null || true
  SERVER_TIME_PID=
  SERVER_MEASURE=$(tail -1 "$WORK/server.time" | awk '{print $2, $3, $4}')
}

received() { # KIND DIR
  if [ "$1" = orthanc ]; then
    curl -sf "http://127.0.0.1:$ORTHANC_HTTP/statistics" | $PY -c 'import json, sys; print(json.load(sys.stdin)["CountInstances"])'
  else
    find "$2" -maxdepth 1 -name '*.dcm' | wc -l
  fi
}

# ---------------------------------------------------------------- one run
# run_one LINE SENDER RECEIVER SOURCE N [SENDER_ENV RECEIVER_ENV]: appends to results
#   "line wall sender_user sender_sys sender_rss_kb receiver_user receiver_sys receiver_rss_kb internal_s"
run_one() {
  local line=$1 sender_kind=$2 receiver=$3 source=$4 n=$5 senv=${6:-} renv=${7:-} port t0 t1 rx="$RX/run" sender internal=-
  rm -rf "$rx"; mkdir -p "$rx"
  port=$(free_port)
  start_server "$receiver" "$port" "$rx" "$renv"
  case $sender_kind in
    radai) sender=("$RADAI" send 127.0.0.1 "$port" "$source" --aec "$SERVER_AET" --aet BENCH --quiet) ;;
    dcmsend) sender=(dcmsend -aet BENCH -aec "$SERVER_AET" +sd 127.0.0.1 "$port" "$source") ;;
  esac
  local envs=(env -u TCP_NODELAY)
  [ "$senv" = nodelay ] && envs=(env TCP_NODELAY=1)
  t0=$EPOCHREALTIME
  if ! "${envs[@]}" /usr/bin/time -f '%U %S %M' -o "$WORK/sender.time" "${sender[@]}" > "$WORK/sender.log" 2>&1; then
    echo "$line: the sender failed:" >&2; tail -20 "$WORK/sender.log" >&2; exit 1
  fi
  t1=$EPOCHREALTIME
  local got; got=$(received "$receiver" "$rx")
  stop_server
  if [ "$got" -ne "$n" ]; then
    echo "$line: $got of $n instances arrived" >&2; tail -20 "$WORK/server.log" >&2; exit 1
  fi
  # radai send's own stopwatch (after start-up): "... stored at ... in 1.23 s"
  [ "$sender_kind" = radai ] && internal=$(sed -n 's/.* in \([0-9.]*\) s$/\1/p' "$WORK/sender.log" | tail -1)
  echo "$line $(secs "$t0" "$t1") $(tail -1 "$WORK/sender.time") $SERVER_MEASURE ${internal:--}" >> "$WORK/results"
  rm -rf "$rx" # what was stored (files, Orthanc's storage and index) is deleted
}

run_startup() { # NAME COMMAND...
  local t0 t1 name=$1; shift
  t0=$EPOCHREALTIME
  /usr/bin/time -f '%U %S %M' -o "$WORK/sender.time" "$@" > /dev/null 2>&1
  t1=$EPOCHREALTIME
  echo "$name $(secs "$t0" "$t1") $(tail -1 "$WORK/sender.time") - - - -" >> "$WORK/results"
}

# line|sender|receiver|source|count|sender env|receiver env|what
MATRIX=(
  "a|dcmsend|storescp|$SERIES|$COUNT|||\`dcmsend\` → \`storescp\`"
  "b|dcmsend|radai-listen|$SERIES|$COUNT|||\`dcmsend\` → \`radai listen\`"
  "c|radai|storescp|$SERIES|$COUNT|||\`radai send\` → \`storescp\`"
  "d|radai|radai-listen|$SERIES|$COUNT|||\`radai send\` → \`radai listen\`"
  "e|radai|orthanc|$SERIES|$COUNT|||\`radai send\` → Orthanc"
  "d-fsync|radai|radai-listen-fsync|$SERIES|$COUNT|||\`radai send\` → \`radai listen --fsync\` (each instance fsync'd before its answer)"
  "mem-quarter|radai|radai-listen|$SUBSET_Q|$QUARTER|||\`radai send\` → \`radai listen\`, $QUARTER instances (memory flatness)"
)
NAGLE=(
  "nagle-none|dcmsend|storescp|$SUBSET_N|$NAGLE_N|||\`dcmsend\` → \`storescp\`, TCP_NODELAY for neither (as packaged)"
  "nagle-scu|dcmsend|storescp|$SUBSET_N|$NAGLE_N|nodelay||\`dcmsend\` → \`storescp\`, TCP_NODELAY=1 for the sender only"
  "nagle-scp|dcmsend|storescp|$SUBSET_N|$NAGLE_N||nodelay|\`dcmsend\` → \`storescp\`, TCP_NODELAY=1 for the receiver only"
  "nagle-both|dcmsend|storescp|$SUBSET_N|$NAGLE_N|nodelay|nodelay|\`dcmsend\` → \`storescp\`, TCP_NODELAY=1 for both"
  "nagle-radai-scu|radai|storescp|$SUBSET_N|$NAGLE_N|||\`radai send\` → \`storescp\` as packaged"
  "nagle-radai-scp|dcmsend|radai-listen|$SUBSET_N|$NAGLE_N|||\`dcmsend\` as packaged → \`radai listen\`"
  "nagle-radai-orthanc|radai|orthanc|$SUBSET_N|$NAGLE_N|||\`radai send\` → Orthanc as packaged"
  "nagle-radai-orthanc-nodelay|radai|orthanc|$SUBSET_N|$NAGLE_N||nodelay|\`radai send\` → Orthanc with TCP_NODELAY=1 (Orthanc's own time per instance)"
)

run_spec() {
  local line sender receiver source n senv renv
  IFS='|' read -r line sender receiver source n senv renv _ <<< "$1"
  run_one "$line" "$sender" "$receiver" "$source" "$n" "$senv" "$renv"
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
UPTIME_BEFORE=$(uptime)
log "warm-up: one untimed send of $NAGLE_N instances each way"
run_one warmup radai radai-listen "$SUBSET_N" "$NAGLE_N"; run_one warmup dcmsend storescp "$SUBSET_N" "$NAGLE_N" "" nodelay
: > "$WORK/results"
for ((rep = 1; rep <= REPS; rep++)); do
  log "repetition $rep/$REPS: dd limit"
  disk_limit
  for spec in "${MATRIX[@]}" "${NAGLE[@]}"; do
    log "repetition $rep/$REPS: ${spec%%|*}"
    run_spec "$spec"
  done
  run_startup radai-startup "$RADAI" version
  run_startup dcmsend-startup dcmsend --version
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
UPTIME_AFTER=$(uptime)
{
  for spec in "${MATRIX[@]}" "${NAGLE[@]}"; do
    IFS='|' read -r line sender receiver _ n senv renv what <<< "$spec"
    echo "$line|$sender|$receiver|$n|$what"
  done
  echo "radai-startup|radai|-|0|\`radai version\`: .NET start-up alone"
  echo "dcmsend-startup|dcmsend|-|0|\`dcmsend --version\`: start-up alone"
} > "$WORK/runs"

# ---------------------------------------------------------------- BenchmarkDotNet (in-process loopback), optional
if [ -n "$RUN_BDN" ]; then
  log "BenchmarkDotNet DicomNetworkBenchmarks - a few minutes"
  (cd "$WORK" && "$BENCH" --filter '*DicomNetworkBenchmarks*' --exporters json --artifacts "$WORK/bdn" > "$WORK/bdn.log" 2>&1) \
    || { tail -50 "$WORK/bdn.log" >&2; exit 1; }
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
  echo "orthanc=$(Orthanc --version 2>&1 | sed -n 's/.*Orthanc \([0-9.]*\).*/\1/p' | head -1)"
  echo "reps=$REPS"
  echo "count=$COUNT"
  echo "bytes=$BYTES"
  echo "rows=$ROWS"
  echo "seed=$SEED"
  echo "series=$SERIES"
  echo "rx=$RX_KIND"
  echo "load_before=$LOAD_BEFORE"
  echo "load_after=$LOAD_AFTER"
  echo "uptime_before=$UPTIME_BEFORE"
  echo "uptime_after=$UPTIME_AFTER"
  echo "radai=$("$RADAI" version 2>&1 | head -1)"
  echo "commit=${RADAI_BENCH_COMMIT:-$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')}"
} > "$WORK/machine"

$PY "$ROOT/scripts/bench/dicom_network_report.py" "$WORK" ${WRITE_DOCS:+"$ROOT/docs/benchmarks.md"}
