#!/usr/bin/env bash
# Ingest: a 1,000-instance 512×512 CT study received durably by dicom-ingest, against plain receivers and the disk,
# in ONE run (the acceptance benchmark of the dicom-ingest issue).
#
#   scripts/bench/ingest.sh [--reps N] [--quick] [--instances N] [--grace S] [--poll S] [--no-orthanc] [--no-postgres]
#                           [--no-docs] [--dcmtk-defaults] [--baseline PATH [--baseline-label TEXT]]
#
#   --reps N       repetitions of each row (default 3); --quick: 1 repetition of a 200-instance study
#   --instances N  study size (default 1000; 512×512, 16-bit, ≈ 514 KB an instance)
#   --grace S      DicomIngest:ReleaseGracePeriod, the quiet period after the association's release before the study
#                  is complete (default 5, the product's default); --poll S: DicomIngest:CompletionPollInterval
#                  (default 1, the product's default). Both are stated in the report with the latency they give.
#   --no-orthanc   skip the Orthanc row; --no-postgres: skip the PostgreSQL + RabbitMQ row (it runs only when
#                  RADAI_BENCH_POSTGRES / RADAI_TEST_POSTGRES and RADAI_TEST_RABBITMQ_* name the servers, see below)
#   --no-docs      print the section without writing docs/benchmarks.md
#   --dcmtk-defaults  run dcmsend, storescp and Orthanc without TCP_NODELAY=1 (Debian's DCMTK 3.6.7 then leaves Nagle's
#                  algorithm on, and each C-STORE response can wait ≈ 40 ms for a delayed ACK; see
#                  scripts/bench/dicom-network.sh); by default they run with TCP_NODELAY=1
#   --baseline PATH  also time an earlier build of RadAI.Standalone (PATH: its executable, e.g. built from an older
#                  commit with `git archive <commit> | tar -x -C DIR` and `dotnet build DIR/deploy/standalone/RadAI.Standalone
#                  -c Release -p:ArtifactsPath=...`) as the row `ingest-before`, interleaved with the others: a
#                  before/after comparison within one run; --baseline-label: how the report names it (e.g. the commit)
#   RADAI_BENCH_KEEP=1 keeps the raw measurements and logs (their folder is printed).
#   RADAI_BENCH_DATA: folder of the generated study and of the receivers' data (default /tmp: a disk, fsync means
#                  something there); the disk limit is measured on the same file system.
#
#   1. publishes radai, deploy/standalone/RadAI.Standalone and services/dicom-ingest/RadAI.DicomIngest.Host in Release,
#      ReadyToRun, as the container images ship them (artifacts: $RADAI_BENCH_ARTIFACTS, default <repo>/artifacts),
#   2. generates the study once with `radai synth-ct --slices 1000 --seed 3` (reused when complete),
#   3. rows, each a FRESH receiver with an empty data folder, sent a 200-instance study of its own first (untimed: the
#      timed study meets the code a running node has, its hot methods already recompiled at tier 1 — a fresh process's
#      first study costs more, see scripts/bench/ingest-notes.md), then the study over one association:
#      ingest       `radai send` → RadAI.Standalone (the product's standalone default: dicom-ingest with its embedded
#                   store and SQLite index, DicomIngest:Fsync true; no model package, so no analysis competes),
#      ingest-pg    `radai send` → RadAI.DicomIngest.Host on PostgreSQL + RabbitMQ (a database and a virtual host of
#                   its own, dropped after), Fsync true,
#      listen       `radai send` → `radai listen` (plain files: no fsync, no index),
#      listen-fsync `radai send` → `radai listen --fsync` (each file fsynced, no index),
#      storescp     `dcmsend` → DCMTK `storescp +B` (plain files, bit-preserving, no fsync),
#      orthanc      `radai send` → Orthanc (SyncStorageArea true, its default: each file fsynced; SQLite index),
#      dd           `dd if=/dev/zero bs=1M count=512 conv=fsync` on the same file system: the disk limit;
#      measured (scripts/bench/ingest_run.py): wall time to the sender's exit and to its last C-STORE response,
#      receiver CPU, RSS after a quarter of the instances and at the end, peak RSS (VmHWM); for ingest rows the time
#      from the last C-STORE response to the StudyReceived event being published (log events 4201 and 4301),
#   4. rows are interleaved (one of each in turn) after one untimed warm-up of each, N repetitions,
#   5. prints a markdown section and writes it into docs/benchmarks.md under "## Ingest (durable C-STORE...)" (only
#      that section is replaced; the notes come from scripts/bench/ingest-notes.md).
# Needs: dotnet, dcmtk (dcmsend, storescp, echoscu, dcmdump), orthanc (optional), curl, psql (for ingest-pg), python3.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
REPS=3
INSTANCES=1000
SEED=3
GRACE=5
POLL=1
WITH_ORTHANC=1
WITH_POSTGRES=1
WRITE_DOCS=1
ARTIFACTS=${RADAI_BENCH_ARTIFACTS:-$ROOT/artifacts}
DATA=${RADAI_BENCH_DATA:-/tmp}
NODELAY=1
BASELINE=
BASELINE_LABEL=

while [ $# -gt 0 ]; do
  case "$1" in
    --reps) REPS=$2; shift 2 ;;
    --quick) REPS=1; INSTANCES=200; SEED=6; shift ;;
    --instances) INSTANCES=$2; shift 2 ;;
    --grace) GRACE=$2; shift 2 ;;
    --poll) POLL=$2; shift 2 ;;
    --no-orthanc) WITH_ORTHANC=; shift ;;
    --no-postgres) WITH_POSTGRES=; shift ;;
    --no-docs) WRITE_DOCS=; shift ;;
    --dcmtk-defaults) NODELAY=; shift ;;
    --baseline) BASELINE=$(realpath "$2"); shift 2 ;;
    --baseline-label) BASELINE_LABEL=$2; shift 2 ;;
    -h|--help) sed -n '2,50p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done

BENCH_NAME=ingest
# shellcheck source=scripts/bench/common.sh
source "$ROOT/scripts/bench/common.sh"
# DCMTK's libdcmnet (dcmsend, storescp, echoscu, Orthanc's DICOM server) reads TCP_NODELAY; .NET ignores it.
if [ -n "$NODELAY" ]; then export TCP_NODELAY=1; else unset TCP_NODELAY; fi
timespan() { $PY -c 'import sys; s = float(sys.argv[1]); print(f"{int(s // 3600):02d}:{int(s % 3600 // 60):02d}:{s % 60:06.3f}")' "$1"; }

# ---------------------------------------------------------------- tools
need=()
command -v dcmsend >/dev/null && command -v storescp >/dev/null && command -v echoscu >/dev/null || need+=(dcmtk)
command -v curl >/dev/null || need+=(curl)
install_missing "${need[@]}"
if [ -n "$WITH_ORTHANC" ] && ! command -v Orthanc >/dev/null; then log "Orthanc not installed: no orthanc row"; WITH_ORTHANC=; fi

# The PostgreSQL + RabbitMQ row: the servers of scripts/test.sh (RADAI_TEST_*) or RADAI_BENCH_POSTGRES (an Npgsql
# connection string of a user that may create databases) with RADAI_TEST_RABBITMQ_{HOST,PORT,MANAGEMENT} (guest/guest).
PG=${RADAI_BENCH_POSTGRES:-${RADAI_TEST_POSTGRES:-}}
if [ -n "$WITH_POSTGRES" ] && { [ -z "$PG" ] || [ -z "${RADAI_TEST_RABBITMQ_MANAGEMENT:-}" ] || ! command -v psql >/dev/null; }; then
  log "no PostgreSQL/RabbitMQ named (RADAI_TEST_POSTGRES, RADAI_TEST_RABBITMQ_*) or no psql: no ingest-pg row"
  WITH_POSTGRES=
fi
pg_field() { tr ';' '\n' <<< "$PG" | sed -n "s/^$1=//Ip" | head -1; }

WORK=$(mktemp -d "$DATA/radai-bench-ingest.XXXXXX")
RECEIVER_PID=
PG_DB=
VHOST=
cleanup() {
  stop_receiver || true
  if [ -n "$PG_DB" ]; then psql_admin -c "DROP DATABASE IF EXISTS \"$PG_DB\" WITH (FORCE)" > /dev/null 2>&1 || true; fi
  if [ -n "$VHOST" ]; then curl -sf -u guest:guest -X DELETE "$RADAI_TEST_RABBITMQ_MANAGEMENT/api/vhosts/$VHOST" > /dev/null || true; fi
  if [ -n "${RADAI_BENCH_KEEP:-}" ]; then rm -rf "$WORK/run"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
[ -n "${RADAI_BENCH_KEEP:-}" ] && log "measurements kept in $WORK (scripts/bench/ingest_report.py $WORK [docs/benchmarks.md] rebuilds the section)"

# ---------------------------------------------------------------- build (Release, published as shipped)
# The receivers and radai run as the container images ship them (deploy/docker/*.Dockerfile): published ReadyToRun
# (precompiled), so the timed study does not measure the JIT compiling the first methods of a fresh process.
log "publishing radai, RadAI.Standalone and RadAI.DicomIngest.Host (Release, ReadyToRun) into $ARTIFACTS/publish"
for project in tools/RadAI.Cli deploy/standalone/RadAI.Standalone services/dicom-ingest/RadAI.DicomIngest.Host; do
  if ! dotnet publish "$ROOT/$project" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
      -p:RadAIDashboard=false -nologo -v q "-p:ArtifactsPath=$ARTIFACTS" -o "$ARTIFACTS/publish/bench-$(basename "$project")" \
      > "$WORK/build.log" 2>&1; then
    cat "$WORK/build.log" >&2; exit 1
  fi
done
RADAI=$ARTIFACTS/publish/bench-RadAI.Cli/radai
STANDALONE=$ARTIFACTS/publish/bench-RadAI.Standalone/RadAI.Standalone
INGEST_HOST=$ARTIFACTS/publish/bench-RadAI.DicomIngest.Host/RadAI.DicomIngest.Host

# ---------------------------------------------------------------- the study
STUDY=$DATA/radai-bench-ct-${INSTANCES}x512x512-seed$SEED
if [ "$(find "$STUDY" -maxdepth 1 -name 'CT*.dcm' 2>/dev/null | wc -l)" -ne "$INSTANCES" ]; then
  log "generating the $INSTANCES-instance 512x512 CT study in $STUDY"
  rm -rf "$STUDY"
  "$RADAI" synth-ct --out "$STUDY" --slices "$INSTANCES" --rows 512 --columns 512 --seed "$SEED" >&2
else
  log "reusing the study in $STUDY"
fi
WARMUP_INSTANCES=200
WARMUP_STUDY=$DATA/radai-bench-ct-${WARMUP_INSTANCES}x512x512-seed5
if [ "$(find "$WARMUP_STUDY" -maxdepth 1 -name 'CT*.dcm' 2>/dev/null | wc -l)" -ne "$WARMUP_INSTANCES" ]; then
  rm -rf "$WARMUP_STUDY"
  "$RADAI" synth-ct --out "$WARMUP_STUDY" --slices "$WARMUP_INSTANCES" --rows 512 --columns 512 --seed 5 > /dev/null
fi
cat "$STUDY"/CT*.dcm "$WARMUP_STUDY"/CT*.dcm > /dev/null # page cache: the senders read from memory
STUDY_BYTES=$(du -cb "$STUDY"/CT*.dcm | tail -1 | cut -f1)
study_uid() { dcmdump -q +P 0020,000d "$1/CT0001.dcm" | sed -n 's/.*\[\(.*\)\].*/\1/p'; }
STUDY_UID=$(study_uid "$STUDY")
WARMUP_UID=$(study_uid "$WARMUP_STUDY")

wait_until() { # SECONDS COMMAND...
  local deadline=$((SECONDS + $1)); shift
  until "$@" > /dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.05
  done
}
# RadAI.DicomIngest.Host logs JSON lines (the service defaults): event 4101 says where the SCP listens.
scp_listening() { grep -q '"EventId":4101,' "$1"; }
psql_admin() {
  PGPASSWORD=$(pg_field password) psql -X -q -v ON_ERROR_STOP=1 -h "$(pg_field host)" -p "$(pg_field port)" -U "$(pg_field username)" -d "$(pg_field database)" "$@"
}

# ---------------------------------------------------------------- receivers
# start_receiver ROW DIR -> RECEIVER_PID, DICOM_PORT, CALLED_AE, COUNT_DIR (where its *.dcm files land), INGEST_LOG
start_receiver() {
  local row=$1 dir=$2
  mkdir -p "$dir"
  INGEST_LOG=
  local quiet=(DicomIngest__BindAddress=127.0.0.1 DicomIngest__Fsync=true
    DicomIngest__ReleaseGracePeriod="$(timespan "$GRACE")" DicomIngest__CompletionPollInterval="$(timespan "$POLL")"
    Logging__Console__FormatterOptions__TimestampFormat="yyyy-MM-ddTHH:mm:ss.fffzzz " Logging__Console__FormatterOptions__UseUtcTimestamp=true)
  case $row in
    ingest|ingest-before)
      mkdir -p "$dir/no-models"
      local standalone=$STANDALONE; [ "$row" = ingest ] || standalone=$BASELINE
      env "${quiet[@]}" Inference__PackagePaths__0="$dir/no-models" \
        "$standalone" --dicom-port 0 --http-port 0 --data "$dir/data" > "$dir/receiver.log" 2>&1 &
      RECEIVER_PID=$!
      wait_until 120 grep -q 'RadAI DICOM: AE title' "$dir/receiver.log" || { echo "RadAI.Standalone did not start:" >&2; tail -30 "$dir/receiver.log" >&2; exit 1; }
      DICOM_PORT=$(sed -n 's/.*RadAI DICOM: AE title \S* on port \([0-9]*\).*/\1/p' "$dir/receiver.log")
      CALLED_AE=RADAI; COUNT_DIR=$dir/data/instances; INGEST_LOG=$dir/receiver.log
      ;;
    ingest-pg)
      PG_DB=radai_bench_$(date +%s)_$$
      VHOST=$PG_DB
      psql_admin -c "CREATE DATABASE \"$PG_DB\"" > /dev/null
      curl -sf -u guest:guest -X PUT "$RADAI_TEST_RABBITMQ_MANAGEMENT/api/vhosts/$VHOST" > /dev/null
      curl -sf -u guest:guest -X PUT -H 'content-type: application/json' -d '{"configure":".*","write":".*","read":".*"}' \
        "$RADAI_TEST_RABBITMQ_MANAGEMENT/api/permissions/$VHOST/guest" > /dev/null
      env "${quiet[@]}" Urls=http://127.0.0.1:0 DicomIngest__Port=0 Storage__Root="$dir/data" \
        Database__Provider=Postgres Database__ConnectionString="$(sed "s/Database=[^;]*/Database=$PG_DB/I" <<< "$PG")" \
        Messaging__Transport=RabbitMq Messaging__RabbitMq__Host="$RADAI_TEST_RABBITMQ_HOST" Messaging__RabbitMq__Port="$RADAI_TEST_RABBITMQ_PORT" \
        Messaging__RabbitMq__VirtualHost="$VHOST" Messaging__RabbitMq__Username=guest Messaging__RabbitMq__Password=guest \
        "$INGEST_HOST" > "$dir/receiver.log" 2>&1 &
      RECEIVER_PID=$!
      wait_until 120 scp_listening "$dir/receiver.log" || { echo "RadAI.DicomIngest.Host did not start:" >&2; tail -30 "$dir/receiver.log" >&2; exit 1; }
      DICOM_PORT=$(grep '"EventId":4101,' "$dir/receiver.log" | sed -n 's/.*listening on [0-9.]*:\([0-9]*\)".*/\1/p' | head -1)
      CALLED_AE=RADAI; COUNT_DIR=$dir/data/instances; INGEST_LOG=$dir/receiver.log
      ;;
    listen|listen-fsync)
      local extra=(); [ "$row" = listen ] || extra=(--fsync)
      "$RADAI" listen 0 --out "$dir/out" --any-called-ae "${extra[@]}" > "$dir/receiver.log" 2>&1 &
      RECEIVER_PID=$!
      wait_until 60 grep -q 'on port' "$dir/receiver.log" || { echo "radai listen did not start:" >&2; cat "$dir/receiver.log" >&2; exit 1; }
      DICOM_PORT=$(sed -n 's/.*on port \([0-9]*\).*/\1/p' "$dir/receiver.log")
      CALLED_AE=RADAI; COUNT_DIR=$dir/out
      ;;
    storescp)
      DICOM_PORT=$(free_port); mkdir -p "$dir/out"
      storescp -aet STORESCP +B --max-pdu 131072 -od "$dir/out" -fe .dcm "$DICOM_PORT" > "$dir/receiver.log" 2>&1 &
      RECEIVER_PID=$!
      CALLED_AE=STORESCP; COUNT_DIR=$dir/out
      ;;
    orthanc)
      local http; http=$(free_port); DICOM_PORT=$(free_port)
      mkdir -p "$dir/db"
      cat > "$dir/orthanc.json" <<JSON
{ "Name": "RADAI-BENCH", "StorageDirectory": "$dir/db/storage", "IndexDirectory": "$dir/db", "Plugins": [],
  "HttpServerEnabled": true, "HttpPort": $http, "RemoteAccessAllowed": false, "AuthenticationEnabled": false,
  "DicomServerEnabled": true, "DicomAet": "ORTHANC", "DicomPort": $DICOM_PORT, "DicomCheckCalledAet": false,
  "DicomAlwaysAllowEcho": true, "DicomAlwaysAllowStore": true, "SyncStorageArea": true, "DicomModalities": {} }
JSON
      Orthanc "$dir/orthanc.json" > "$dir/receiver.log" 2>&1 &
      RECEIVER_PID=$!
      # Orthanc names its files by UUID without an extension: every file of its storage folder is counted.
      CALLED_AE=ORTHANC; COUNT_DIR=$dir/db/storage
      wait_until 60 curl -sf "http://127.0.0.1:$http/system" || { echo "Orthanc did not start:" >&2; tail -30 "$dir/receiver.log" >&2; exit 1; }
      ;;
  esac
  wait_until 60 echoscu -aet BENCH -aec "$CALLED_AE" -to 5 127.0.0.1 "$DICOM_PORT" || { echo "$row does not answer C-ECHO" >&2; tail -20 "$dir/receiver.log" >&2; exit 1; }
}

stop_receiver() {
  [ -n "$RECEIVER_PID" ] || return 0
  kill -TERM "$RECEIVER_PID" 2>/dev/null || true
  wait "$RECEIVER_PID" 2>/dev/null || true
  RECEIVER_PID=
  if [ -n "$PG_DB" ]; then psql_admin -c "DROP DATABASE IF EXISTS \"$PG_DB\" WITH (FORCE)" > /dev/null 2>&1 || true; PG_DB=; fi
  if [ -n "$VHOST" ]; then curl -sf -u guest:guest -X DELETE "$RADAI_TEST_RABBITMQ_MANAGEMENT/api/vhosts/$VHOST" > /dev/null || true; VHOST=; fi
}

sender() { # ROW FOLDER -> the sender's command line
  case $1 in
    storescp) echo dcmsend -aet BENCH -aec "$CALLED_AE" +sd 127.0.0.1 "$DICOM_PORT" "$2" ;;
    *) echo "$RADAI" send 127.0.0.1 "$DICOM_PORT" "$2" --aec "$CALLED_AE" --aet BENCH ;;
  esac
}

# run_dd RECORD(0/1): the disk limit, 512 MiB written then fsynced, on the receivers' file system
run_dd() {
  local out
  out=$(LC_ALL=C dd if=/dev/zero of="$WORK/dd.bin" bs=1M count=512 conv=fsync 2>&1 | tail -1)
  rm -f "$WORK/dd.bin"
  [ "$1" = 1 ] || return 0
  $PY -c 'import json, re, sys; m = re.search(r"^(\d+) bytes.*copied, ([\d.]+) s", sys.argv[1]); print(json.dumps(dict(name="dd", bytes=int(m.group(1)), wall=float(m.group(2)))))' "$out" >> "$WORK/results"
}

# run_one ROW RECORD(0/1): one fresh receiver, one study; appends a JSON line to results when recording
run_one() {
  local row=$1 record=$2 dir="$WORK/run"
  if [ "$row" = dd ]; then run_dd "$record"; return; fi
  rm -rf "$dir"
  start_receiver "$row" "$dir"
  # shellcheck disable=SC2046
  $(sender "$row" "$WARMUP_STUDY") > "$dir/warmup.log" 2>&1 || { echo "$row: the warm-up study failed:" >&2; tail -20 "$dir/warmup.log" "$dir/receiver.log" >&2; exit 1; }
  local ingest_args=()
  if [ -n "$INGEST_LOG" ]; then
    wait_until 120 grep -q "$WARMUP_UID" "$INGEST_LOG" || { echo "$row: the warm-up study never completed" >&2; tail -30 "$INGEST_LOG" >&2; exit 1; }
    ingest_args=(--log "$INGEST_LOG" --study "$STUDY_UID")
  fi
  sleep 0.5
  local line
  # shellcheck disable=SC2046
  line=$($PY "$ROOT/scripts/bench/ingest_run.py" --name "$row" --pid "$RECEIVER_PID" --count-dir "$COUNT_DIR" --instances "$INSTANCES" \
    --sender-log "$dir/sender.log" ${ingest_args[@]+"${ingest_args[@]}"} $([ "$row" != orthanc ] || echo --any-file) -- $(sender "$row" "$STUDY")) \
    || { echo "$row: the timed send failed:" >&2; tail -5 "$dir/sender.log" >&2; tail -30 "$dir/receiver.log" >&2; exit 1; }
  stop_receiver
  if [ "$record" = 1 ]; then echo "$line" >> "$WORK/results"; fi
  if [ -n "${RADAI_BENCH_KEEP:-}" ]; then cp "$dir/receiver.log" "$WORK/receiver-$row.log"; fi
  rm -rf "$dir"
}

ROWS=(ingest)
[ -z "$BASELINE" ] || ROWS+=(ingest-before)
[ -z "$WITH_POSTGRES" ] || ROWS+=(ingest-pg)
ROWS+=(listen listen-fsync storescp)
[ -z "$WITH_ORTHANC" ] || ROWS+=(orthanc)
ROWS+=(dd)

LOAD_BEFORE=$(cut -d' ' -f1 /proc/loadavg)
UPTIME_BEFORE=$(uptime)
log "warm-up: one untimed run of each (${ROWS[*]})"
for row in "${ROWS[@]}"; do run_one "$row" 0; done
log "timing: $REPS repetitions, interleaved; data on $(df --output=source "$WORK" | tail -1) ($(stat -f -c %T "$WORK")); $(uptime)"
for ((rep = 1; rep <= REPS; rep++)); do
  for row in "${ROWS[@]}"; do run_one "$row" 1; done
  log "repetition $rep/$REPS done; $(uptime)"
done
LOAD_AFTER=$(cut -d' ' -f1 /proc/loadavg)
UPTIME_AFTER=$(uptime)

# ---------------------------------------------------------------- report
{
  echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "nproc=$(nproc)"
  echo "cpu=$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1)"
  echo "memory=$(free -g | awk '/^Mem:/ {print $2 " GiB"}')"
  echo "kernel=$(uname -r)"
  echo "dotnet=$(dotnet --version)"
  echo "dcmtk=$(dcmsend --version 2>&1 | sed -n 's/.*\(dcmsend v[0-9.]*\).*/\1/p' | head -1)"
  echo "orthanc=$(command -v Orthanc > /dev/null && Orthanc --version 2>&1 | head -1)"
  echo "postgres=$([ -n "$WITH_POSTGRES" ] && psql_admin -At -c 'SHOW server_version' 2>/dev/null | head -1)"
  echo "reps=$REPS"
  echo "instances=$INSTANCES"
  echo "seed=$SEED"
  echo "study_bytes=$STUDY_BYTES"
  echo "grace=$GRACE"
  echo "poll=$POLL"
  echo "nodelay=${NODELAY:+1}"
  echo "disk=$(df --output=source "$WORK" | tail -1) ($(stat -f -c %T "$WORK"), $(findmnt -n -o FSTYPE --target "$WORK" 2>/dev/null))"
  echo "load_before=$LOAD_BEFORE"
  echo "load_after=$LOAD_AFTER"
  echo "uptime_before=$UPTIME_BEFORE"
  echo "uptime_after=$UPTIME_AFTER"
  echo "baseline_label=${BASELINE:+${BASELINE_LABEL:-$BASELINE}}"
  echo "commit=${RADAI_BENCH_COMMIT:-$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')}"
} > "$WORK/machine"

$PY "$ROOT/scripts/bench/ingest_report.py" "$WORK" ${WRITE_DOCS:+"$ROOT/docs/benchmarks.md"}
