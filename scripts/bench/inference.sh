#!/usr/bin/env bash
# Inference on CPU: each CT model package of models/ (ct-lung-quant, ct-nodule-demo) on a synthetic chest CT through
# RadAI's ModelRunner and the package's analyzer, peak memory, and studies per minute with 1, 2 and 4 concurrent
# analyses. Re-runnable as is after the analyzers or models change.
#
#   scripts/bench/inference.sh [--quick] [--size SxRxC] [--throughput-size SxRxC] [--consumers "1 2 4"]
#                              [--no-bdn] [--no-memory] [--no-throughput] [--no-docs]
#
#   --quick              a smoke run in about 2 minutes: 48x256x256 volumes everywhere, BenchmarkDotNet's short job,
#                        1 and 2 consumers
#   --size S             volume of the BenchmarkDotNet and memory measurements (default 300x512x512)
#   --throughput-size S  study of the throughput measurement (default 100x512x512: four 300-slice analyses at once
#                        need ≈ 4 GB each and take tens of minutes on 2 cores; pass 300x512x512 to measure them anyway)
#   --consumers LIST     concurrent analyses (default "1 2 4"); N studies are analysed N at once
#   --no-bdn / --no-memory / --no-throughput   skip a part
#   --no-docs            print the section without writing docs/benchmarks.md
#   RADAI_BENCH_KEEP=1 keeps the raw measurements (their folder is printed).
#
#   1. builds tests/RadAI.Benchmarks in Release (artifacts: $RADAI_BENCH_ARTIFACTS, default <repo>/artifacts); the
#      packages are read from this checkout's models/ (RADAI_BENCH_MODELS),
#   2. BenchmarkDotNet InferenceBenchmarks (in process): ModelRunner.Run and the analyzer, separately, per package, on
#      the synthetic chest of --size (SyntheticChest, seed 7; 0.68 mm pixels, 1 mm slices); 1 warm-up + 3 measured runs,
#   3. RadAI.Benchmarks inference-memory PACKAGE, one fresh process per package: resident memory after each stage
#      (session, volume, model run, analyzer) and its peak (VmHWM; /usr/bin/time's maximum RSS of the process too),
#   4. RadAI.Benchmarks inference-throughput --consumers N --studies N for each N: N different synthetic studies
#      (radai synth-ct's phantom, DICOM files laid out as dicom-ingest stores them, written once under
#      /tmp/radai-bench-inference-studies-SIZE and reused) analysed at once by StudyAnalysis — the inference service's
#      consumer path with Inference:ConcurrentJobs = N — on the two CT packages (routing selects them); studies/min,
#   5. prints the section and writes it into docs/benchmarks.md under "## Inference (CPU)" (only that section is
#      replaced), with the notes of scripts/bench/inference-notes.md.
# Needs: dotnet, time (/usr/bin/time), python3.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
QUICK=
SIZE=300x512x512
TP_SIZE=100x512x512
CONSUMERS="1 2 4"
RUN_BDN=1
RUN_MEMORY=1
RUN_THROUGHPUT=1
WRITE_DOCS=1
ARTIFACTS=${RADAI_BENCH_ARTIFACTS:-$ROOT/artifacts}
PACKAGES=(ct-lung-quant ct-nodule-demo)

while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1; SIZE=48x256x256; TP_SIZE=48x256x256; CONSUMERS="1 2"; shift ;;
    --size) SIZE=$2; shift 2 ;;
    --throughput-size) TP_SIZE=$2; shift 2 ;;
    --consumers) CONSUMERS=$2; shift 2 ;;
    --no-bdn) RUN_BDN=; shift ;;
    --no-memory) RUN_MEMORY=; shift ;;
    --no-throughput) RUN_THROUGHPUT=; shift ;;
    --no-docs) WRITE_DOCS=; shift ;;
    -h|--help) sed -n '2,35p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done

BENCH_NAME=inference
# shellcheck source=scripts/bench/common.sh
source "$ROOT/scripts/bench/common.sh"
[ -x /usr/bin/time ] || { echo "missing: /usr/bin/time (apt-get install time)" >&2; exit 1; }
bench_workdir inference_report.py

# ---------------------------------------------------------------- build (Release)
build_release tests/RadAI.Benchmarks
BENCH=$ARTIFACTS/bin/RadAI.Benchmarks/release/RadAI.Benchmarks
export RADAI_BENCH_MODELS=$ROOT/models
BUILT=$SECONDS

LOAD_BEFORE=$(cut -d' ' -f1 /proc/loadavg)
# ---------------------------------------------------------------- 1. BenchmarkDotNet: model run and analyzer, per package
if [ -n "$RUN_BDN" ]; then
  log "BenchmarkDotNet InferenceBenchmarks on $SIZE ${QUICK:+(quick job) }- the longest part"
  (cd "$WORK" && RADAI_BENCH_INFERENCE_SIZE=$SIZE "$BENCH" --filter '*InferenceBenchmarks*' ${QUICK:+--quick} --exporters json --artifacts "$WORK/bdn" > "$WORK/bdn.log" 2>&1) \
    || { tail -50 "$WORK/bdn.log" >&2; exit 1; }
  grep '^// radai\.' "$WORK/bdn.log" > "$WORK/bdn-findings.txt" || true
fi

# ---------------------------------------------------------------- 2. peak memory, one process per package
if [ -n "$RUN_MEMORY" ]; then
  for package in "${PACKAGES[@]}"; do
    log "inference-memory $package on $SIZE (fresh process)"
    /usr/bin/time -f '%e %U %S %M' -o "$WORK/memory-$package.time" "$BENCH" inference-memory "$package" --size "$SIZE" \
      > "$WORK/memory-$package.json" 2> "$WORK/memory-$package.log" || { cat "$WORK/memory-$package.log" >&2; exit 1; }
  done
fi

# ---------------------------------------------------------------- 3. throughput: N studies, N at once
if [ -n "$RUN_THROUGHPUT" ]; then
  STORE=/tmp/radai-bench-inference-studies-$TP_SIZE
  for n in $CONSUMERS; do
    log "inference-throughput: $n studies of $TP_SIZE, $n at once (studies written once to $STORE)"
    /usr/bin/time -f '%e %U %S %M' -o "$WORK/throughput-$n.time" "$BENCH" inference-throughput --consumers "$n" --studies "$n" --size "$TP_SIZE" --store "$STORE" \
      > "$WORK/throughput-$n.json" 2> "$WORK/throughput-$n.log" || { cat "$WORK/throughput-$n.log" >&2; exit 1; }
  done
fi
LOAD_AFTER=$(cut -d' ' -f1 /proc/loadavg)

# ---------------------------------------------------------------- report
{
  echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "nproc=$(nproc)"
  echo "cpu=$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1)"
  echo "memory=$(free -g | awk '/^Mem:/ {print $2 " GiB"}')"
  echo "kernel=$(uname -r)"
  echo "dotnet=$(dotnet --version)"
  echo "onnxruntime=$(sed -n 's/.*Include="Microsoft.ML.OnnxRuntime[^"]*" Version="\([^"]*\)".*/\1/p' "$ROOT/Directory.Packages.props" | head -1)"
  echo "size=$SIZE"
  echo "throughput_size=$TP_SIZE"
  echo "consumers=$CONSUMERS"
  echo "quick=${QUICK:+1}"
  echo "load_before=$LOAD_BEFORE"
  echo "load_after=$LOAD_AFTER"
  echo "build_s=$((BUILT - STARTED))"
  echo "measure_s=$((SECONDS - BUILT))"
  echo "commit=${RADAI_BENCH_COMMIT:-$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')}"
} > "$WORK/machine"
printf '%s\n' "${PACKAGES[@]}" > "$WORK/packages"
log "measured in $((SECONDS - BUILT)) s (build $((BUILT - STARTED)) s)"

$PY "$ROOT/scripts/bench/inference_report.py" "$WORK" ${WRITE_DOCS:+"$ROOT/docs/benchmarks.md"}
