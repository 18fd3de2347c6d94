#!/usr/bin/env bash
# Regenerates docs/samples/: what RadAI makes of synthetic studies (no real patient), one folder per study.
#
#   scripts/make-samples.sh [--seed N] [--only ct,mr,mg,dx] [--until report-ready|analysed] [--timeout SECONDS]
#                           [--no-build] [--keep]
#
#   1. writes the synthetic studies with models/tools/sample_studies.py (ct, mr, mg, dx; --seed, default 1, makes
#      UIDs, dates and noise reproducible, so that a rerun gives the same files);
#   2. builds (unless --no-build) and starts the standalone host (deploy/standalone, CPU only) on free ports in a
#      temporary data folder;
#   3. sends each study with `radai send` and waits, with a deadline (--timeout, default 600 s for all), until its
#      job (GET /api/jobs) reaches report-ready or a later status; a job that ends skipped or analysis-failed, or
#      is not there in time, fails the run with the job's status and the end of the host's log;
#   4. replaces docs/samples/<study>/ with the files of the job's reports/<jobId:N>/ folder and renders the first
#      page of each PDF with `pdftoppm -png -r 60 -singlefile` (<name>.png beside it);
#   5. fails if a synthetic patient name or id appears in the host's log.
#   --only regenerates only some of the studies (the other folders of docs/samples/ stay as they are).
#   --until analysed stops after step 3 once every job is analysed (no report builder needed; nothing copied).
#   --keep leaves the temporary folder (studies, data folder, host.log) and prints where it is.
#
# Needs: dotnet (global.json's SDK), /usr/bin/python3 with numpy, scipy and pydicom, curl, jq, pdftoppm
# (poppler-utils). Environment: ARTIFACTS (build output, default <repo>/artifacts), CONFIGURATION (default debug).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ARTIFACTS=${ARTIFACTS:-$ROOT/artifacts}
CONFIGURATION=${CONFIGURATION:-debug}
PYTHON=/usr/bin/python3
SEED=1
ONLY=ct,mr,mg,dx
UNTIL=report-ready
TIMEOUT=600
BUILD=1
KEEP=0

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
log() { printf '[make-samples %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --seed) SEED=${2:?--seed needs a number}; shift 2 ;;
    --only) ONLY=${2:?--only needs a list of studies}; shift 2 ;;
    --until) UNTIL=${2:?--until needs report-ready or analysed}; shift 2 ;;
    --timeout) TIMEOUT=${2:?--timeout needs seconds}; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --keep) KEEP=1; shift ;;
    -h|--help) usage 0 ;;
    *) log "unknown argument $1"; usage 2 ;;
  esac
done
case "$UNTIL" in
  report-ready) WANTED='["report-ready","delivered","delivery-failed"]' ;;
  analysed) WANTED='["analysed","report-ready","delivered","delivery-failed"]' ;;
  *) die "--until must be report-ready or analysed, not '$UNTIL'" ;;
esac
[[ "$SEED" =~ ^[0-9]+$ && "$TIMEOUT" =~ ^[0-9]+$ ]] || die "--seed and --timeout must be whole numbers"
for tool in dotnet curl jq pdftoppm "$PYTHON"; do
  command -v "$tool" > /dev/null || die "$tool is not installed"
done

WORK=$(mktemp -d /tmp/radai-make-samples.XXXXXX)
HOST_PID=
cleanup() {
  if [[ -n "$HOST_PID" ]] && kill -0 "$HOST_PID" 2> /dev/null; then
    kill -TERM "$HOST_PID" 2> /dev/null || true
    for _ in $(seq 100); do kill -0 "$HOST_PID" 2> /dev/null || break; sleep 0.1; done
    kill -KILL "$HOST_PID" 2> /dev/null || true
  fi
  if [[ $KEEP == 1 ]]; then log "kept $WORK (studies/, data/, host.log)"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# ---------------------------------------------------------------- 1. studies
log "writing the synthetic studies (seed $SEED) to $WORK/studies"
"$PYTHON" "$ROOT/models/tools/sample_studies.py" --out "$WORK/studies" --seed "$SEED" --only "$ONLY" >&2
mapfile -t STUDIES < <(jq -r '.[] | "\(.key) \(.studyInstanceUid) \(.folder)"' "$WORK/studies/studies.json")
mapfile -t SECRETS < <(jq -r '.[] | (.patientName | split("^")[]), .patientName, .patientId' "$WORK/studies/studies.json")

# ---------------------------------------------------------------- 2. standalone host
if [[ $BUILD == 1 ]]; then
  for project in deploy/standalone/RadAI.Standalone tools/RadAI.Cli; do
    log "building $project"
    dotnet build "$ROOT/$project" -c "$CONFIGURATION" -p:ArtifactsPath="$ARTIFACTS" -nologo -v quiet > "$WORK/build.log" 2>&1 \
      || { tail -30 "$WORK/build.log" >&2; die "dotnet build $project"; }
  done
fi
STANDALONE=$ARTIFACTS/bin/RadAI.Standalone/$CONFIGURATION/RadAI.Standalone.dll
RADAI=$ARTIFACTS/bin/RadAI.Cli/$CONFIGURATION/radai.dll
[[ -f "$STANDALONE" && -f "$RADAI" ]] || die "$STANDALONE or $RADAI is not built (run without --no-build)"

log "starting the standalone host (data folder $WORK/data)"
DicomIngest__ReleaseGracePeriod=00:00:00.500 DicomIngest__CompletionPollInterval=00:00:00.200 Inference__UseCuda=false \
  DOTNET_ENVIRONMENT=Production ASPNETCORE_ENVIRONMENT=Production \
  dotnet "$STANDALONE" --dicom-port 0 --http-port 0 --data "$WORK/data" > "$WORK/host.log" 2>&1 &
HOST_PID=$!

DEADLINE=$((SECONDS + TIMEOUT))
host_failed() { tail -40 "$WORK/host.log" >&2; die "$*"; }
WEB= PORT=
while [[ -z "$WEB" || -z "$PORT" ]]; do
  kill -0 "$HOST_PID" 2> /dev/null || host_failed "the standalone host exited while starting"
  (( SECONDS < DEADLINE )) || host_failed "the standalone host did not say where it listens within ${TIMEOUT} s"
  WEB=$(sed -n 's/^RadAI standalone listening on \(http:\/\/[^ ]*\).*/\1/p' "$WORK/host.log" | head -1)
  PORT=$(sed -n 's/^RadAI DICOM: AE title [^ ]* on port \([0-9]*\).*/\1/p' "$WORK/host.log" | head -1)
  [[ -n "$WEB" && -n "$PORT" ]] || sleep 0.5
done
WEB=${WEB%/}
log "host listening on $WEB, DICOM port $PORT"

# ---------------------------------------------------------------- 3. send and wait
for entry in "${STUDIES[@]}"; do
  read -r key uid folder <<< "$entry"
  log "sending $key (study $uid)"
  dotnet "$RADAI" send 127.0.0.1 "$PORT" "$folder" --aec RADAI --aet MAKE-SAMPLES --quiet >&2 || host_failed "radai send $key"
done

declare -A JOB_OF=()
while (( ${#JOB_OF[@]} < ${#STUDIES[@]} )); do
  kill -0 "$HOST_PID" 2> /dev/null || host_failed "the standalone host exited"
  JOBS=$(curl -sf "$WEB/api/jobs?limit=500") || JOBS='[]'
  for entry in "${STUDIES[@]}"; do
    read -r key uid _ <<< "$entry"
    [[ -n "${JOB_OF[$key]:-}" ]] && continue
    read -r job status < <(jq -r --arg uid "$uid" 'map(select(.studyInstanceUid == $uid)) | first // {} | "\(.jobId // "-") \(.status // "not-received")"' <<< "$JOBS")
    case "$status" in
      skipped|analysis-failed)
        curl -sf "$WEB/api/jobs/$job" | jq '.timeline[-1].payload | fromjson? // .' >&2 || true
        host_failed "$key: job $job ended $status" ;;
    esac
    if jq -e --arg s "$status" 'index($s) != null' <<< "$WANTED" > /dev/null; then
      JOB_OF[$key]=$job
      log "$key: job $job is $status"
    fi
  done
  if (( ${#JOB_OF[@]} < ${#STUDIES[@]} )); then
    if (( SECONDS >= DEADLINE )); then
      summary=$(jq -r 'map("\(.studyInstanceUid): \(.status)") | join(", ")' <<< "$JOBS")
      host_failed "not every job reached $UNTIL within ${TIMEOUT} s (jobs: ${summary:-none})"
    fi
    sleep 1
  fi
done

# ---------------------------------------------------------------- 4. copy the reports
if [[ "$UNTIL" == report-ready ]]; then
  for entry in "${STUDIES[@]}"; do
    read -r key _ _ <<< "$entry"
    job=${JOB_OF[$key]}
    source_dir="$WORK/data/reports/${job//-/}"
    [[ -d "$source_dir" ]] && [[ -n "$(ls -A "$source_dir")" ]] || die "$key: job $job is reported but $source_dir is empty or missing"
    target="$ROOT/docs/samples/$key"
    rm -rf "$target"
    mkdir -p "$target"
    cp -R "$source_dir/." "$target/"
    while IFS= read -r -d '' pdf; do
      pdftoppm -png -r 60 -singlefile -f 1 -l 1 "$pdf" "${pdf%.pdf}" || die "pdftoppm $pdf"
    done < <(find "$target" -name '*.pdf' -print0)
    log "$key: $(find "$target" -type f | wc -l) file(s) in docs/samples/$key"
  done
fi

# ---------------------------------------------------------------- 5. no patient in the log
for secret in "${SECRETS[@]}"; do
  if grep -qF -- "$secret" "$WORK/host.log"; then
    die "the host's log names the synthetic patient ('$secret'): patient data must never be logged"
  fi
done
log "done: ${#STUDIES[@]} studies $UNTIL$([[ "$UNTIL" == report-ready ]] && echo ", docs/samples/ updated")"
