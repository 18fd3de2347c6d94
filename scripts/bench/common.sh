# Shared by the benchmark scripts of this folder, sourced once they have parsed their arguments, with BENCH_NAME (the
# script's name in its log lines and its work folder) and ROOT (the repository) set. Defines log, PY, STARTED,
# free_port, install_missing, bench_workdir and build_release.

log() { printf '[%s %(%H:%M:%S)T] %s\n' "$BENCH_NAME" -1 "$*" >&2; }
PY=/usr/bin/python3
STARTED=$SECONDS

# A loopback TCP port that was free a moment ago (a benchmark runs alone on the machine).
free_port() { $PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

# install_missing PACKAGE...: installs the Debian packages as root, or stops naming them.
install_missing() {
  [ $# -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ]; then
    log "installing $*"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    echo "missing: $* (apt-get install them)" >&2; exit 1
  fi
}

# bench_workdir REPORT: WORK, a new folder for the raw measurements, deleted at exit unless RADAI_BENCH_KEEP is set
# (its path is then logged, with the REPORT script of this folder that rebuilds the docs section from it).
bench_workdir() {
  WORK=$(mktemp -d "/tmp/radai-bench-$BENCH_NAME.XXXXXX")
  if [ -n "${RADAI_BENCH_KEEP:-}" ]; then
    log "measurements kept in $WORK (scripts/bench/$1 $WORK [docs/benchmarks.md] rebuilds the section)"
  else
    trap 'rm -rf "$WORK"' EXIT
  fi
}

# build_release PROJECT...: `dotnet build -c Release` of each (paths below ROOT) into ARTIFACTS; its log shown on failure.
build_release() {
  local project
  for project in "$@"; do
    log "building $project (Release) into $ARTIFACTS"
    if ! dotnet build "$ROOT/$project" -c Release -nologo -v q "-p:ArtifactsPath=$ARTIFACTS" > "$WORK/build.log" 2>&1; then
      cat "$WORK/build.log" >&2; exit 1
    fi
  done
}
