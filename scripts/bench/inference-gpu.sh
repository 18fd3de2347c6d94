#!/usr/bin/env bash
# The inference service's CUDA path on a machine with an NVIDIA GPU (CUDA 13 and cuDNN 9 libraries on the loader's
# path): each CT package of models/ run on CPU and on CUDA over the same synthetic chest, the execution provider each
# session really got, run times, and how far the CUDA results are from the CPU ones; then whole studies through
# StudyAnalysis (the consumer path) on CUDA with 1, 2 and 4 at once. Fails when a session falls back to CPU.
#
#   scripts/bench/inference-gpu.sh [--size SxRxC] [--consumers "1 2 4"]
#
#   RADAI_BENCH_ARTIFACTS  build output (default <repo>/artifacts); RADAI_BENCH_BIN=<folder of a built RadAI.Benchmarks>
#                          skips the build (a machine without the SDK: run the built dll with a carried runtime,
#                          DOTNET_ROOT=<runtime> as docs/benchmarks.md "Inference (CUDA)" describes).
#   LD_LIBRARY_PATH        must reach libcudart/libcublas(Lt)/libcufft/libcurand .so.13 and libcudnn.so.9, e.g.
#                          /usr/local/cuda-13.0/targets/x86_64-linux/lib:/usr/lib/x86_64-linux-gnu
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SIZE=300x512x512
CONSUMERS="1 2 4"
while [ $# -gt 0 ]; do
  case "$1" in
    --size) SIZE=$2; shift 2 ;;
    --consumers) CONSUMERS=$2; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done

BENCH_NAME=inference-gpu
# shellcheck source=scripts/bench/common.sh
source "$ROOT/scripts/bench/common.sh"
if [ -n "${RADAI_BENCH_BIN:-}" ]; then
  BIN=$RADAI_BENCH_BIN
else
  ARTIFACTS=${RADAI_BENCH_ARTIFACTS:-$ROOT/artifacts}
  log "building RadAI.Benchmarks (Release) into $ARTIFACTS"
  dotnet build "$ROOT/tests/RadAI.Benchmarks" -c Release -nologo -v q "-p:ArtifactsPath=$ARTIFACTS" >&2
  BIN=$ARTIFACTS/bin/RadAI.Benchmarks/release
fi
DOTNET=${DOTNET_ROOT:+$DOTNET_ROOT/}dotnet
export RADAI_BENCH_MODELS=$ROOT/models

nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader >&2 || log "nvidia-smi not found"
log "CPU vs CUDA on $SIZE (1 warm-up + 3 runs each)"
"$DOTNET" "$BIN/RadAI.Benchmarks.dll" inference-devices --size "$SIZE" --runs 3 --require-cuda
for n in $CONSUMERS; do
  log "$n concurrent studies on CUDA"
  RADAI_BENCH_CUDA=1 "$DOTNET" "$BIN/RadAI.Benchmarks.dll" inference-throughput --consumers "$n" --studies "$n" --size "$SIZE"
done
