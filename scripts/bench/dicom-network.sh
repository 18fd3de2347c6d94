#!/usr/bin/env bash
# DICOM network (C-STORE): RadAI vs DCMTK on 127.0.0.1, both directions, whole processes side by side, in ONE run.
#
#   scripts/bench/dicom-network.sh [--reps N] [--quick] [--no-bdn] [--no-docs] [--disk] [--dcmtk-defaults]
#
#   --reps N   repetitions of each run (default 5); --quick: 3, the small series only, BenchmarkDotNet's short job
#   --no-bdn   whole processes only (no BenchmarkDotNet loopback benchmarks)
#   --no-docs  print the section without writing docs/benchmarks.md
#   --disk     receivers write to a folder on disk (under /tmp) instead of tmpfs (/dev/shm)
#   --dcmtk-defaults  run the DCMTK tools without TCP_NODELAY=1 (see below)
#   RADAI_BENCH_KEEP=1 keeps the raw measurements (their folder is printed).
#
#   1. builds radai and tests/RadAI.Benchmarks in Release (artifacts: $RADAI_BENCH_ARTIFACTS, default <repo>/artifacts),
#   2. generates two series with `radai synth-ct` (reused when complete): 300 CT slices 512×512 (≈ 514 KB each,
#      seed 2) and 2000 small CT instances 64×64 (≈ 10 KB each, seed 3), under /tmp (or $RADAI_BENCH_DATA),
#   3. times, N times, interleaved (one of each run in turn, after one untimed warm-up of each):
#      SCU side — the same series sent to a fresh DCMTK storescp (+B, bit-preserving, max PDU 128 KiB) by
#        `radai send` and by DCMTK `dcmsend`;
#      SCP side — the same series sent by `dcmsend` to a fresh `radai listen`, to a fresh `storescp +B --max-pdu 131072`
#        (the same job as radai listen: data set bytes written as received) and to a fresh `storescp` with DCMTK's
#        defaults (16 KB PDUs, each data set parsed and re-encoded);
#      receivers write to the same kind of folder (tmpfs by default; no fsync: radai listen without --fsync, storescp never);
#      wall time = the sending process, start to exit (association, every C-STORE answered, release) measured with
#      bash $EPOCHREALTIME; CPU time and peak RSS (/usr/bin/time) of the RadAI or DCMTK process being compared (the
#      sender on the SCU side, the receiver on the SCP side, whole life); every run checks that all files arrived,
#      DCMTK tools run with TCP_NODELAY=1 in their environment: Debian's DCMTK 3.6.7 leaves Nagle's algorithm on unless
#      told otherwise, and every C-STORE response then waits ≈ 40 ms for a delayed ACK (the "nagle" check below
#      measures it on 50 small instances each repetition: dcmsend → storescp with and without TCP_NODELAY=1),
#   4. runs the BenchmarkDotNet loopback benchmarks (RadAI client and server in one process; --quick: short job),
#   5. prints a markdown table of medians and writes it into docs/benchmarks.md under "## DICOM network (C-STORE)"
#      (only that section is replaced; --no-docs: not written), with the notes of scripts/bench/dicom-network-notes.md.
# Needs: dotnet, dcmtk (dcmsend, storescp, echoscu), time (/usr/bin/time), python3. Missing Debian packages are installed when root.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
REPS=5
QUICK=
RUN_BDN=1
WRITE_DOCS=1
ON_DISK=
ARTIFACTS=${RADAI_BENCH_ARTIFACTS:-$ROOT/artifacts}
DATA=${RADAI_BENCH_DATA:-/tmp}
NODELAY=1

while [ $# -gt 0 ]; do
  case "$1" in
    --reps) REPS=$2; shift 2 ;;
    --quick) QUICK=1; REPS=3; shift ;;
    --no-bdn) RUN_BDN=; shift ;;
    --no-docs) WRITE_DOCS=; shift ;;
    --disk) ON_DISK=1; shift ;;
    --dcmtk-defaults) NODELAY=; shift ;;
    -h|--help) sed -n '2,36p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done

log() { printf '[dicom-network %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
# DCMTK (libdcmnet) reads TCP_NODELAY; .NET ignores it.
if [ -n "$NODELAY" ]; then export TCP_NODELAY=1; else unset TCP_NODELAY; fi

# ---------------------------------------------------------------- tools
need=()
[ -x /usr/bin/time ] || need+=(time)
command -v dcmsend >/dev/null && command -v storescp >/dev/null && command -v echoscu >/dev/null || need+=(dcmtk)
command -v pgrep >/dev/null || need+=(procps)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    log "installing ${need[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "missing: ${need[*]} (apt-get install them)" >&2; exit 1
  fi
fi
PY=/usr/bin/python3

WORK=$(mktemp -d /tmp/radai-bench-dicom-network.XXXXXX)
if [ -n "$ON_DISK" ] || [ ! -d /dev/shm ]; then
  RX=$(mktemp -d /tmp/radai-bench-network-rx.XXXXXX); RX_KIND="disk ($(df --output=source "$RX" | tail -1), $(stat -f -c %T "$RX"))"
else
  RX=$(mktemp -d /dev/shm/radai-bench-network-rx.XXXXXX); RX_KIND="tmpfs (/dev/shm)"
fi
SERVER_TIME_PID=
cleanup() {
  if [ -n "$SERVER_TIME_PID" ]; then stop_server || true; fi
  rm -rf "$RX"
  if [ -z "${RADAI_BENCH_KEEP:-}" ]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT
[ -n "${RADAI_BENCH_KEEP:-}" ] && log "measurements kept in $WORK (scripts/bench/dicom_network_report.py $WORK [docs/benchmarks.md] rebuilds the section)"

# ---------------------------------------------------------------- build (Release)
log "building radai and RadAI.Benchmarks (Release) into $ARTIFACTS"
for project in tools/RadAI.Cli tests/RadAI.Benchmarks; do
  if ! dotnet build "$ROOT/$project" -c Release -nologo -v q "-p:ArtifactsPath=$ARTIFACTS" > "$WORK/build.log" 2>&1; then
    cat "$WORK/build.log" >&2; exit 1
  fi
done
RADAI=$ARTIFACTS/bin/RadAI.Cli/release/radai
BENCH=$ARTIFACTS/bin/RadAI.Benchmarks/release/RadAI.Benchmarks

# ---------------------------------------------------------------- the series
# name|slices|rows|seed
DATASETS=("ct300|300|512|2" "small2000|2000|64|3")
[ -n "$QUICK" ] && DATASETS=("small2000|2000|64|3")
declare -A SERIES COUNT BYTES
for spec in "${DATASETS[@]}"; do
  IFS='|' read -r name slices rows seed <<< "$spec"
  dir="$DATA/radai-bench-ct-${slices}x${rows}x${rows}-seed$seed"
  if [ "$(find "$dir" -maxdepth 1 -name 'CT*.dcm' 2>/dev/null | wc -l)" -ne "$slices" ]; then
    log "generating $name: $slices CT instances ${rows}x$rows in $dir"
    rm -rf "$dir"
    "$RADAI" synth-ct --out "$dir" --slices "$slices" --rows "$rows" --columns "$rows" --seed "$seed" >&2
  else
    log "reusing $name in $dir"
  fi
  cat "$dir"/CT*.dcm > /dev/null # page cache
  SERIES[$name]=$dir
  COUNT[$name]=$slices
  BYTES[$name]=$(du -cb "$dir"/CT*.dcm | tail -1 | cut -f1)
done

# The Nagle check: the first 50 small instances (symbolic links).
NAGLE_DIR=$WORK/small50
mkdir -p "$NAGLE_DIR"
mapfile -t SMALL < <(find "$DATA/radai-bench-ct-2000x64x64-seed3" -maxdepth 1 -name 'CT*.dcm' | sort)
ln -s "${SMALL[@]:0:50}" "$NAGLE_DIR/"

free_port() { $PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

# ---------------------------------------------------------------- servers (the receiving side)
# start_server KIND PORT DIR: the receiver runs under /usr/bin/time (CPU and peak RSS over its whole life) until stop_server.
start_server() {
  local kind=$1 port=$2 dir=$3 aet
  case $kind in
    radai-listen) aet=RADAI; set -- "$RADAI" listen "$port" --out "$dir" --aet RADAI ;;
    storescp-B) aet=STORESCP; set -- storescp -aet STORESCP +B --max-pdu 131072 -od "$dir" -fe .dcm "$port" ;;
    storescp) aet=STORESCP; set -- storescp -aet STORESCP -od "$dir" -fe .dcm "$port" ;;
    *) echo "no server $kind" >&2; exit 1 ;;
  esac
  SERVER_AET=$aet
  /usr/bin/time -f '%e %U %S %M' -o "$WORK/server.time" "$@" > "$WORK/server.log" 2>&1 &
  SERVER_TIME_PID=$!
  local i
  for ((i = 0; i < 300; i++)); do
    if echoscu -aet BENCH -aec "$aet" -to 2 127.0.0.1 "$port" > /dev/null 2>&1; then
      SERVER_PID=$(pgrep -P "$SERVER_TIME_PID" | head -1)
      return 0
    fi
    kill -0 "$SERVER_TIME_PID" 2>/dev/null || break
    sleep 0.05
  done
  echo "$kind did not start:" >&2; cat "$WORK/server.log" >&2; exit 1
}

stop_server() { # -> SERVER_CPU "user sys rss_kb"
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_TIME_PID" 2>/dev/null || true
  SERVER_TIME_PID=
  SERVER_CPU=$(tail -1 "$WORK/server.time" | awk '{print $2, $3, $4}')
}

received() { find "$1" -maxdepth 1 -name '*.dcm' | wc -l; }

# ---------------------------------------------------------------- the runs
# name|side|what the line measures
RUNS=(
  "radai-send|scu|\`radai send\` → storescp +B: one association, contexts from the files' headers (all headers read first), each file's data set copied from the file"
  "dcmsend|scu|\`dcmsend\` → storescp +B: one association, the files checked and sent one by one"
  "radai-listen|scp|\`dcmsend\` → \`radai listen\` (RadAI's DicomServer + DicomFileStoreHandler: data set streamed to a temporary file, meta header written, renamed; max PDU 256 KiB)"
  "storescp-B|scp|\`dcmsend\` → \`storescp +B --max-pdu 131072\` (data set bytes written as received, bit-preserving; max PDU 128 KiB)"
  "storescp|scp|\`dcmsend\` → \`storescp\` with DCMTK's defaults (each data set parsed and written again; max PDU 16 KB)"
)
STARTUPS=(
  "radai-startup|\`radai version\`: .NET start-up alone"
  "dcmsend-startup|\`dcmsend --version\`: start-up alone"
)

# run_one NAME DATASET RECORD(0/1): appends "name dataset wall user sys rss_kb internal_s" to results when recording
run_one() {
  local name=$1 dataset=$2 record=$3 port t0 t1 rx="$RX/run" sender internal=- n
  rm -rf "$rx"; mkdir -p "$rx"
  port=$(free_port)
  n=${COUNT[$dataset]}
  case $name in
    radai-send|dcmsend) start_server storescp-B "$port" "$rx" ;;
    *) start_server "$name" "$port" "$rx" ;;
  esac
  case $name in
    radai-send) sender=("$RADAI" send 127.0.0.1 "$port" "${SERIES[$dataset]}" --aec "$SERVER_AET" --aet BENCH --quiet) ;;
    *) sender=(dcmsend -aet BENCH -aec "$SERVER_AET" +sd 127.0.0.1 "$port" "${SERIES[$dataset]}") ;;
  esac
  t0=$EPOCHREALTIME
  if ! /usr/bin/time -f '%U %S %M' -o "$WORK/sender.time" "${sender[@]}" > "$WORK/sender.log" 2>&1; then
    echo "$name ($dataset): the sender failed:" >&2; tail -20 "$WORK/sender.log" >&2; exit 1
  fi
  t1=$EPOCHREALTIME
  stop_server
  local got; got=$(received "$rx")
  if [ "$got" -ne "$n" ]; then
    echo "$name ($dataset): $got of $n instances arrived" >&2; tail -20 "$WORK/server.log" >&2; exit 1
  fi
  if [ "$record" = 1 ]; then
    local measured
    case $name in
      radai-send|dcmsend) measured=$(tail -1 "$WORK/sender.time") ;;
      *) measured=$SERVER_CPU ;;
    esac
    # radai send's own stopwatch (after start-up and argument parsing): "... stored at ... in 1.23 s"
    [ "$name" = radai-send ] && internal=$(sed -n 's/.* in \([0-9.]*\) s$/\1/p' "$WORK/sender.log" | tail -1)
    echo "$name $dataset $($PY -c "print(f'{$t1 - $t0:.4f}')") $measured ${internal:--}" >> "$WORK/results"
  fi
  rm -rf "$rx"
}

run_nagle() { # NAME(nagle-default|nagle-nodelay): dcmsend → storescp +B, 50 small instances, with or without TCP_NODELAY=1 for both
  local name=$1 port t0 t1 rx="$RX/run" envs
  rm -rf "$rx"; mkdir -p "$rx"
  port=$(free_port)
  if [ "$name" = nagle-default ]; then envs=(env -u TCP_NODELAY); else envs=(env TCP_NODELAY=1); fi
  "${envs[@]}" storescp -aet STORESCP +B -od "$rx" -fe .dcm "$port" > "$WORK/nagle-server.log" 2>&1 &
  local server=$!
  local i; for ((i = 0; i < 100; i++)); do echoscu -aec STORESCP 127.0.0.1 "$port" > /dev/null 2>&1 && break; sleep 0.05; done
  t0=$EPOCHREALTIME
  /usr/bin/time -f '%U %S %M' -o "$WORK/sender.time" "${envs[@]}" dcmsend -aet BENCH -aec STORESCP +sd 127.0.0.1 "$port" "$NAGLE_DIR" > /dev/null 2>&1
  t1=$EPOCHREALTIME
  kill -TERM "$server"; wait "$server" 2>/dev/null || true
  [ "$(received "$rx")" -eq 50 ] || { echo "$name: not every instance arrived" >&2; exit 1; }
  echo "$name small50 $($PY -c "print(f'{$t1 - $t0:.4f}')") $(tail -1 "$WORK/sender.time") -" >> "$WORK/results"
  rm -rf "$rx"
}

run_startup() { # NAME
  local t0 t1
  case $1 in
    radai-startup) set -- "$1" "$RADAI" version ;;
    dcmsend-startup) set -- "$1" dcmsend --version ;;
  esac
  t0=$EPOCHREALTIME
  /usr/bin/time -f '%U %S %M' -o "$WORK/sender.time" "${@:2}" > /dev/null 2>&1
  t1=$EPOCHREALTIME
  echo "$1 - $($PY -c "print(f'{$t1 - $t0:.4f}')") $(tail -1 "$WORK/sender.time") -" >> "$WORK/results"
}

LOAD_BEFORE=$(cut -d' ' -f1 /proc/loadavg)
log "warm-up: one untimed run of each"
for spec in "${DATASETS[@]}"; do
  for run in "${RUNS[@]}"; do run_one "${run%%|*}" "${spec%%|*}" 0; done
done
log "timing: $REPS repetitions, interleaved; receivers write to $RX_KIND"
for ((rep = 1; rep <= REPS; rep++)); do
  for spec in "${DATASETS[@]}"; do
    for run in "${RUNS[@]}"; do run_one "${run%%|*}" "${spec%%|*}" 1; done
  done
  for s in "${STARTUPS[@]}"; do run_startup "${s%%|*}"; done
  run_nagle nagle-default
  run_nagle nagle-nodelay
  log "repetition $rep/$REPS done"
done
LOAD_AFTER=$(cut -d' ' -f1 /proc/loadavg)
printf '%s\n' "${RUNS[@]}" > "$WORK/runs"
printf '%s\n' "${STARTUPS[@]}" > "$WORK/startups"
for spec in "${DATASETS[@]}"; do
  name=${spec%%|*}
  echo "$name ${COUNT[$name]} ${BYTES[$name]} $spec" >> "$WORK/datasets"
done

# ---------------------------------------------------------------- BenchmarkDotNet (in-process loopback)
if [ -n "$RUN_BDN" ]; then
  log "BenchmarkDotNet DicomNetworkBenchmarks ${QUICK:+(quick) }- a few minutes"
  (cd "$WORK" && "$BENCH" --filter '*DicomNetworkBenchmarks*' ${QUICK:+--quick} --exporters json --artifacts "$WORK/bdn" > "$WORK/bdn.log" 2>&1) \
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
  echo "reps=$REPS"
  echo "quick=${QUICK:+1}"
  echo "rx=$RX_KIND"
  echo "nodelay=${NODELAY:+1}"
  echo "load_before=$LOAD_BEFORE"
  echo "load_after=$LOAD_AFTER"
  echo "commit=${RADAI_BENCH_COMMIT:-$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')}"
} > "$WORK/machine"

$PY "$ROOT/scripts/bench/dicom_network_report.py" "$WORK" ${WRITE_DOCS:+"$ROOT/docs/benchmarks.md"}
