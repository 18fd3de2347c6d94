#!/usr/bin/env bash
# RadAI's test command (README, .ci/run). On a fresh Debian machine, as root:
#   1. installs what the tests need and is missing (Debian packages only),
#   2. starts PostgreSQL, RabbitMQ and Orthanc on 127.0.0.1 with private data folders and free ports,
#   3. builds the solution and runs `dotnet test` on all of it, the servers' addresses in RADAI_TEST_*,
#   4. stops every server it started (by PID), even on failure or Ctrl+C,
#   5. prints "N passed, N failed" as its last line.
# Re-runnable: servers left behind by a run that was killed are stopped at the next start.
# Extra arguments go to `dotnet test` (e.g. --filter "FullyQualifiedName~Data").
# `scripts/test.sh --servers` only starts the servers and waits (Ctrl+C stops them): source the
# printed env file in another shell to run `dotnet test` against them while developing.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS_DIR=/tmp/radai-test-runs
RUN_DIR="$RUNS_DIR/$$"
PACKAGES=(rabbitmq-server postgresql orthanc orthanc-dicomweb dcmtk dicom3tools poppler-utils python3-pydicom python3-numpy python3-scipy chromium curl docker-compose yamllint)
PG_BIN=/usr/lib/postgresql/15/bin

log() { printf '[test.sh %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

summary_and_exit() { # passed failed
  # Servers are stopped first so that the summary is the very last line.
  stop_all
  echo "$1 passed, $2 failed"
  exit $(( $2 > 0 ? 1 : 0 ))
}

# ---------------------------------------------------------------- leftovers of killed runs
stop_recorded_servers() { # run dir
  local dir=$1
  if [ -f "$dir/rabbitmq.env" ]; then
    ( set -a; . "$dir/rabbitmq.env"; set +a; timeout 30 rabbitmqctl -q shutdown >/dev/null 2>&1 ) || true
  fi
  if [ -d "$dir/pg/data" ] && [ -f "$dir/pg/data/postmaster.pid" ]; then
    su postgres -c "$PG_BIN/pg_ctl -D '$dir/pg/data' -m fast -w stop" >/dev/null 2>&1 || true
  fi
  if [ -f "$dir/pids" ]; then
    while read -r pid; do
      [ -n "$pid" ] || continue
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    done < "$dir/pids"
    sleep 1
    while read -r pid; do
      [ -n "$pid" ] || continue
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    done < "$dir/pids"
  fi
}

mkdir -p "$RUNS_DIR"
for dir in "$RUNS_DIR"/*/; do
  [ -d "$dir" ] || continue
  owner=$(basename "$dir")
  if ! kill -0 "$owner" 2>/dev/null; then
    log "stopping servers left by killed run $owner"
    stop_recorded_servers "$dir"
    rm -rf "$dir"
  fi
done
mkdir -p "$RUN_DIR"
chmod 755 "$RUNS_DIR" "$RUN_DIR"

STOPPED=
stop_all() {
  [ -z "$STOPPED" ] || return 0
  STOPPED=1
  log "stopping servers"
  stop_recorded_servers "$RUN_DIR"
  if [ -z "${RADAI_TEST_KEEP_STATE:-}" ]; then rm -rf "$RUN_DIR"; else log "state kept in $RUN_DIR"; fi
}
trap stop_all EXIT
trap 'exit 130' INT TERM

# Background servers are disowned: bash then does not report their death when we stop them.
record_pid() { echo "$1" >> "$RUN_DIR/pids"; disown "$1" 2>/dev/null || true; }

# ---------------------------------------------------------------- install what is missing
missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing: ${missing[*]}"
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}"; } > "$RUN_DIR/apt.log" 2>&1; then
    tail -20 "$RUN_DIR/apt.log" >&2
    log "package installation failed"
    summary_and_exit 0 1
  fi
fi
command -v dotnet >/dev/null || { log "dotnet is not on PATH"; summary_and_exit 0 1; }
# The gateway's build runs npm for the web dashboard (gateway/dashboard), whose tests run in Debian's Chromium.
command -v npm >/dev/null || { log "npm is not on PATH (the dashboard needs Node.js >= 20.19)"; summary_and_exit 0 1; }

# A port below the kernel's ephemeral range, reserved in $RUN_DIR/ports, as tests/RadAI.Testing/FreePort.cs chooses
# them (why: see there): an outgoing connection never takes it before the server binds it.
free_port() {
  mkdir -p "$RUN_DIR/ports"
  /usr/bin/python3 - "$RUN_DIR/ports" <<'PY'
import os, random, socket, sys
low, high = 20000, int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
for _ in range(500):
    port = random.randrange(low, high)
    try:
        with socket.socket() as s:
            s.bind(("127.0.0.1", port))
        os.close(os.open(os.path.join(sys.argv[1], str(port)), os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except OSError:
        continue
    print(port)
    sys.exit(0)
sys.exit("no free port found")
PY
}

wait_until() { # seconds description command...
  local seconds=$1 what=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then log "$what did not come up within ${seconds}s"; return 1; fi
    sleep 0.3
  done
}

# ---------------------------------------------------------------- PostgreSQL
start_postgres() {
  PG_PORT=$(free_port)
  mkdir -p "$RUN_DIR/pg"; chown postgres:postgres "$RUN_DIR/pg"
  su postgres -c "$PG_BIN/initdb -D '$RUN_DIR/pg/data' -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" > "$RUN_DIR/pg-init.log" 2>&1 || { cat "$RUN_DIR/pg-init.log" >&2; return 1; }
  su postgres -c "$PG_BIN/pg_ctl -D '$RUN_DIR/pg/data' -l '$RUN_DIR/pg/pg.log' -o '-c listen_addresses=127.0.0.1 -p $PG_PORT -k $RUN_DIR/pg -c max_connections=300 -c fsync=off' -w start" > /dev/null || { cat "$RUN_DIR/pg/pg.log" >&2; return 1; }
  record_pid "$(head -1 "$RUN_DIR/pg/data/postmaster.pid")"
  pg_isready -q -h 127.0.0.1 -p "$PG_PORT"
}

# ---------------------------------------------------------------- RabbitMQ (with the management API, for test virtual hosts)
start_rabbitmq() {
  RABBIT_PORT=$(free_port); RABBIT_MGMT_PORT=$(free_port); RABBIT_DIST_PORT=$(free_port)
  local dir="$RUN_DIR/rabbitmq"
  mkdir -p "$dir/mnesia" "$dir/log"
  cat > "$dir/rabbitmq.conf" <<CONF
listeners.tcp.1 = 127.0.0.1:$RABBIT_PORT
management.tcp.ip = 127.0.0.1
management.tcp.port = $RABBIT_MGMT_PORT
loopback_users = none
collect_statistics_interval = 500
CONF
  echo "[rabbitmq_management]." > "$dir/enabled_plugins"
  cat > "$RUN_DIR/rabbitmq.env" <<ENV
RABBITMQ_NODENAME=radai-test-$$@localhost
RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
RABBITMQ_NODE_PORT=$RABBIT_PORT
RABBITMQ_DIST_PORT=$RABBIT_DIST_PORT
ERL_EPMD_ADDRESS=127.0.0.1
RABBITMQ_MNESIA_BASE=$dir/mnesia
RABBITMQ_LOG_BASE=$dir/log
RABBITMQ_CONFIG_FILE=$dir/rabbitmq
RABBITMQ_ENABLED_PLUGINS_FILE=$dir/enabled_plugins
RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
RABBITMQ_CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
ENV
  chown -R rabbitmq:rabbitmq "$dir"
  ( set -a; . "$RUN_DIR/rabbitmq.env"; set +a; exec setsid rabbitmq-server > "$dir/stdout.log" 2>&1 ) &
  record_pid $!
  ( set -a; . "$RUN_DIR/rabbitmq.env"; set +a
    wait_until 90 "RabbitMQ" rabbitmq-diagnostics -q check_port_connectivity ) || { tail -30 "$dir/stdout.log" >&2; return 1; }
  wait_until 60 "RabbitMQ management API" curl -sf -u guest:guest "http://127.0.0.1:$RABBIT_MGMT_PORT/api/overview" || { tail -30 "$dir/stdout.log" >&2; return 1; }
}

# ---------------------------------------------------------------- Orthanc (the hospital PACS stand-in)
start_orthanc() {
  ORTHANC_HTTP_PORT=$(free_port); ORTHANC_DICOM_PORT=$(free_port)
  local dir="$RUN_DIR/orthanc"
  mkdir -p "$dir/db"
  cat > "$dir/orthanc.json" <<JSON
{ "Name": "RADAI-TEST-PACS", "StorageDirectory": "$dir/db", "IndexDirectory": "$dir/db",
  "Plugins": ["/usr/share/orthanc/plugins/libOrthancDicomWeb.so"],
  "HttpServerEnabled": true, "HttpPort": $ORTHANC_HTTP_PORT, "RemoteAccessAllowed": false, "AuthenticationEnabled": false,
  "DicomServerEnabled": true, "DicomAet": "ORTHANC", "DicomPort": $ORTHANC_DICOM_PORT, "DicomCheckCalledAet": false,
  "DicomAlwaysAllowEcho": true, "DicomAlwaysAllowStore": true, "StableAge": 2, "DicomModalities": {} }
JSON
  ( exec setsid Orthanc "$dir/orthanc.json" > "$dir/orthanc.log" 2>&1 ) &
  record_pid $!
  wait_until 30 "Orthanc" curl -sf "http://127.0.0.1:$ORTHANC_HTTP_PORT/system" || { tail -30 "$dir/orthanc.log" >&2; return 1; }
}

log "starting PostgreSQL, RabbitMQ and Orthanc in $RUN_DIR"
start_postgres || { log "PostgreSQL failed to start"; summary_and_exit 0 1; }
start_rabbitmq || { log "RabbitMQ failed to start"; summary_and_exit 0 1; }
start_orthanc || { log "Orthanc failed to start"; summary_and_exit 0 1; }

export RADAI_TEST_STATE="$RUN_DIR"
export RADAI_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=postgres"
export RADAI_TEST_RABBITMQ_HOST=127.0.0.1
export RADAI_TEST_RABBITMQ_PORT=$RABBIT_PORT
export RADAI_TEST_RABBITMQ_MANAGEMENT="http://127.0.0.1:$RABBIT_MGMT_PORT"
export RADAI_TEST_ORTHANC_HTTP="http://127.0.0.1:$ORTHANC_HTTP_PORT"
export RADAI_TEST_ORTHANC_DICOM="ORTHANC@127.0.0.1:$ORTHANC_DICOM_PORT"
log "PostgreSQL :$PG_PORT, RabbitMQ :$RABBIT_PORT (management :$RABBIT_MGMT_PORT), Orthanc http :$ORTHANC_HTTP_PORT dicom :$ORTHANC_DICOM_PORT"

if [ "${1:-}" = "--servers" ]; then
  for name in $(compgen -e | grep '^RADAI_TEST_'); do printf 'export %s=%q\n' "$name" "${!name}"; done > "$RUN_DIR/env"
  log "servers running; in another shell: source $RUN_DIR/env   (Ctrl+C here stops them)"
  # In the background and waited for: bash runs a trap only once its foreground command ends, and `wait` is
  # interrupted by the signal, so kill -TERM stops the servers at once instead of after the sleep.
  while true; do sleep 3600 & wait $!; done
fi

# ---------------------------------------------------------------- build and test
cd "$ROOT"
log "building"
if ! dotnet build RadAI.sln -nologo -v q > "$RUN_DIR/build.log" 2>&1; then
  grep -E "error" "$RUN_DIR/build.log" | sort -u | head -40 >&2
  log "build failed"
  summary_and_exit 0 1
fi

log "testing"
RESULTS="$RUN_DIR/results"
dotnet test RadAI.sln --no-build -nologo --logger "trx" --results-directory "$RESULTS" "$@" 2>&1 | tee "$RUN_DIR/test.log" >&2
test_status=${PIPESTATUS[0]}

passed=0; failed=0
shopt -s nullglob
trx_files=("$RESULTS"/*.trx)
for trx in "${trx_files[@]}"; do
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<< "$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<< "$counters")
  e=$(sed -n 's/.* error="\([0-9]*\)".*/\1/p' <<< "$counters")
  t=$(sed -n 's/.* timeout="\([0-9]*\)".*/\1/p' <<< "$counters")
  a=$(sed -n 's/.* aborted="\([0-9]*\)".*/\1/p' <<< "$counters")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0} + ${e:-0} + ${t:-0} + ${a:-0}))
done
if [ ${#trx_files[@]} -eq 0 ] || { [ "$test_status" -ne 0 ] && [ "$failed" -eq 0 ]; }; then
  # dotnet test failed without a failed test (crash, no result file): count it as a failure.
  log "dotnet test exited with $test_status and reported no failed test: counting one failure"
  failed=$((failed + 1))
fi
summary_and_exit "$passed" "$failed"
