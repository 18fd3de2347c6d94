#!/usr/bin/env bash
# DICOM header parsing: RadAI vs DCMTK's dcmdump vs pydicom, whole processes side by side, in ONE run.
#
#   scripts/bench/dicom-parse.sh [--reps N] [--quick] [--no-bdn] [--no-docs] [--series DIR]
#
#   --reps N   repetitions of each whole-process command (default 5); --quick: 3, and BenchmarkDotNet's short job
#   --no-bdn   whole processes only (no BenchmarkDotNet, no allocation or in-process pydicom measurements)
#   --no-docs  print the section without writing docs/benchmarks.md
#   RADAI_BENCH_AOT_REUSE=1 times the native radai already in <artifacts>/publish/radai-aot (e.g. scripts/cli-aot.sh's)
#              instead of publishing it again (minutes)
#   RADAI_BENCH_KEEP=1 keeps the raw measurements (their folder is printed).
#
#   1. builds radai and tests/RadAI.Benchmarks in Release (artifacts: $RADAI_BENCH_ARTIFACTS, default <repo>/artifacts)
#      and publishes radai as it is shipped, Native AOT, into <artifacts>/publish/radai-aot, and for comparison
#      ReadyToRun (linux-x64, framework-dependent) into <artifacts>/publish/radai-r2r,
#   2. generates the 500-file 512×512 synthetic CT series with `radai synth-ct --seed 1` (reused when the
#      folder already holds its 500 files; default /tmp/radai-bench-ct-500x512x512-seed1, or --series DIR,
#      or $RADAI_BENCH_SERIES),
#   3. reads every file once (page cache warm: all timings are from memory, not disk), then times each
#      command below N times (default 5, interleaved so that noise spreads evenly), after one untimed warm-up:
#      wall time (bash $EPOCHREALTIME around the process), CPU time (user + system, all threads) and peak RSS
#      (/usr/bin/time -f '%U %S %M'),
#   4. runs the allocation-per-element measurement (RadAI.Benchmarks alloc), pydicom in process over the same
#      files (scripts/bench/pydicom_inprocess.py) and the BenchmarkDotNet benchmarks (in-process; --quick: short job),
#   5. prints a markdown table of medians and writes it, with the machine and the BenchmarkDotNet results,
#      into docs/benchmarks.md under "## DICOM header parsing" (only that section is replaced; --no-docs: not written).
#
# Every command gets the 500 paths on its command line and runs as ONE process; all output goes to /dev/null.
# Needs: dotnet, dcmtk (dcmdump), python3-pydicom, time (/usr/bin/time). Debian packages missing are installed when root.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
REPS=5
QUICK=
RUN_BDN=1
WRITE_DOCS=1
SERIES=${RADAI_BENCH_SERIES:-/tmp/radai-bench-ct-500x512x512-seed1}
ARTIFACTS=${RADAI_BENCH_ARTIFACTS:-$ROOT/artifacts}
SLICES=500

while [ $# -gt 0 ]; do
  case "$1" in
    --reps) REPS=$2; shift 2 ;;
    --quick) QUICK=1; REPS=3; shift ;;
    --no-bdn) RUN_BDN=; shift ;;
    --no-docs) WRITE_DOCS=; shift ;;
    --series) SERIES=$2; shift 2 ;;
    -h|--help) sed -n '2,31p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done

BENCH_NAME=dicom-parse
# shellcheck source=scripts/bench/common.sh
source "$ROOT/scripts/bench/common.sh"

# ---------------------------------------------------------------- tools
need=()
[ -x /usr/bin/time ] || need+=(time)
command -v dcmdump >/dev/null || need+=(dcmtk)
/usr/bin/python3 -c 'import pydicom' 2>/dev/null || need+=(python3-pydicom)
install_missing "${need[@]}"
bench_workdir dicom_parse_report.py

# ---------------------------------------------------------------- build (Release)
build_release tools/RadAI.Cli tests/RadAI.Benchmarks
# radai published ReadyToRun (precompiled, but the .NET runtime still starts) and the plain build (JIT only): the
# other ways to run it, timed for comparison (radai-dump-r2r, radai-dump-jit).
if ! dotnet publish "$ROOT/tools/RadAI.Cli" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -nologo -v q \
    "-p:ArtifactsPath=$ARTIFACTS" -o "$ARTIFACTS/publish/radai-r2r" > "$WORK/build.log" 2>&1; then
  cat "$WORK/build.log" >&2; exit 1
fi
# radai as shipped (README): Native AOT, no runtime start-up, no JIT. scripts/cli-aot.sh checks every command of it.
if [ -n "${RADAI_BENCH_AOT_REUSE:-}" ] && [ -x "$ARTIFACTS/publish/radai-aot/radai" ]; then
  log "reusing the Native AOT radai in $ARTIFACTS/publish/radai-aot (RADAI_BENCH_AOT_REUSE)"
else
  log "publishing radai as Native AOT into $ARTIFACTS/publish/radai-aot (several minutes)"
  if ! dotnet publish "$ROOT/tools/RadAI.Cli" -c Release -r linux-x64 -p:RadaiNativeAot=true -nologo -v q \
      "-p:ArtifactsPath=$ARTIFACTS" -o "$ARTIFACTS/publish/radai-aot" > "$WORK/build.log" 2>&1; then
    cat "$WORK/build.log" >&2; exit 1
  fi
fi
RADAI=$ARTIFACTS/publish/radai-aot/radai
RADAI_R2R=$ARTIFACTS/publish/radai-r2r/radai
RADAI_JIT=$ARTIFACTS/bin/RadAI.Cli/release/radai
BENCH=$ARTIFACTS/bin/RadAI.Benchmarks/release/RadAI.Benchmarks

# ---------------------------------------------------------------- the series
count_files() { find "$SERIES" -maxdepth 1 -name 'CT*.dcm' 2>/dev/null | wc -l; }
if [ "$(count_files)" -ne "$SLICES" ]; then
  log "generating the $SLICES-file 512x512 CT series in $SERIES"
  rm -rf "$SERIES"
  "$RADAI" synth-ct --out "$SERIES" --slices "$SLICES" --rows 512 --columns 512 --seed 1 >&2
else
  log "reusing the series in $SERIES"
fi
mapfile -t FILES < <(find "$SERIES" -maxdepth 1 -name 'CT*.dcm' | sort)
[ "${#FILES[@]}" -eq "$SLICES" ] || { echo "$SERIES holds ${#FILES[@]} files, not $SLICES" >&2; exit 1; }
cat "${FILES[@]}" > /dev/null # page cache
SERIES_BYTES=$(du -cb "${FILES[@]}" | tail -1 | cut -f1)

# ---------------------------------------------------------------- the commands
PYSCRIPT=$ROOT/scripts/bench/pydicom_headers.py
# name|kind|what the line measures (kind: dump = parse and print a listing; parse = parse, print a summary; startup = no
# file). radai-* without a suffix: radai as shipped (Native AOT); -r2r and -jit: the other builds, for comparison.
COMMANDS=(
  "radai-dump|dump|\`radai dump --header-only\` (Native AOT, as shipped): parse each header (stop before Pixel Data) and print a dcmdump-like listing"
  "dcmdump-sb|dump|\`dcmdump -q +sb 7fe0,0010\`: parse each file up to Pixel Data (stop before it) and print the listing"
  "dcmdump-M|dump|\`dcmdump -q -M\`: parse the whole file, long values (Pixel Data) not loaded, and print the listing"
  "pydicom-print|dump|pydicom \`dcmread(stop_before_pixels=True)\`, then print \`str(file_meta)\` + \`str(ds)\` (every value decoded)"
  "radai-scan|parse|\`radai scan\` (Native AOT): parse each header (stop before Pixel Data), group the files by study and series, print one line per series"
  "pydicom-scan|parse|pydicom, the same: \`dcmread(stop_before_pixels=True)\`, group by study and series, print one line per series"
  "pydicom-parse|parse|pydicom parse only: \`dcmread(stop_before_pixels=True)\`, values left raw, one summary line"
  "radai-parse-jit|parse|RadAI parse only, on the JIT (\`RadAI.Benchmarks parse\`): \`DicomFile.OpenAsync\` with \`StopBeforeTag = PixelData\`, one summary line"
  "radai-dump-r2r|dump|the same \`radai dump --header-only\` published ReadyToRun (precompiled; the .NET runtime starts, the JIT compiles what was not)"
  "radai-dump-jit|dump|the same \`radai dump --header-only\` from the plain Release build (every method compiled by the JIT at first call)"
  "radai-startup|startup|\`radai version\` (Native AOT, as shipped): start-up alone, no file"
  "radai-startup-r2r|startup|\`radai version\` published ReadyToRun: .NET process start-up alone, no file"
  "pydicom-startup|startup|\`python3 -c 'import pydicom'\`: interpreter start-up and pydicom import alone, no file"
  "dcmdump-startup|startup|\`dcmdump --version\`: start-up alone, no file"
)

command_argv() { # name -> ARGV
  case $1 in
    radai-dump) ARGV=("$RADAI" dump --header-only "${FILES[@]}") ;;
    dcmdump-sb) ARGV=(dcmdump -q +sb 7fe0,0010 "${FILES[@]}") ;;
    dcmdump-M) ARGV=(dcmdump -q -M "${FILES[@]}") ;;
    pydicom-print) ARGV=("$PY" "$PYSCRIPT" --print "${FILES[@]}") ;;
    radai-scan) ARGV=("$RADAI" scan "${FILES[@]}") ;;
    pydicom-scan) ARGV=("$PY" "$PYSCRIPT" --scan "${FILES[@]}") ;;
    pydicom-parse) ARGV=("$PY" "$PYSCRIPT" "${FILES[@]}") ;;
    radai-parse-jit) ARGV=("$BENCH" parse "${FILES[@]}") ;;
    radai-dump-r2r) ARGV=("$RADAI_R2R" dump --header-only "${FILES[@]}") ;;
    radai-dump-jit) ARGV=("$RADAI_JIT" dump --header-only "${FILES[@]}") ;;
    radai-startup) ARGV=("$RADAI" version) ;;
    radai-startup-r2r) ARGV=("$RADAI_R2R" version) ;;
    pydicom-startup) ARGV=("$PY" -c 'import pydicom') ;;
    dcmdump-startup) ARGV=(dcmdump --version) ;;
    *) echo "no command $1" >&2; exit 1 ;;
  esac
}

run_command() { # name record(0/1): one process; appends "name start end user_s sys_s rss_kb" to results when recording
  local name=$1 record=$2 t0 t1
  command_argv "$name"
  if [ "$record" = 0 ]; then
    "${ARGV[@]}" > /dev/null 2> "$WORK/stderr" || { echo "$name failed:" >&2; cat "$WORK/stderr" >&2; exit 1; }
    return
  fi
  t0=$EPOCHREALTIME
  /usr/bin/time -f '%U %S %M' -o "$WORK/rss" "${ARGV[@]}" > /dev/null 2> "$WORK/stderr" \
    || { echo "$name failed:" >&2; cat "$WORK/stderr" >&2; exit 1; }
  t1=$EPOCHREALTIME
  echo "$name $t0 $t1 $(tail -1 "$WORK/rss")" >> "$WORK/results"
}

LOAD_BEFORE=$(cut -d' ' -f1 /proc/loadavg)
log "warm-up run of each command"
for spec in "${COMMANDS[@]}"; do run_command "${spec%%|*}" 0; done
# The two scans do the same work: their outputs must be the same text.
"$RADAI" scan "${FILES[@]}" > "$WORK/radai.scan"
"$PY" "$PYSCRIPT" --scan "${FILES[@]}" > "$WORK/pydicom.scan"
cmp -s "$WORK/radai.scan" "$WORK/pydicom.scan" || { diff "$WORK/pydicom.scan" "$WORK/radai.scan" >&2; echo "radai scan and pydicom_headers.py --scan differ" >&2; exit 1; }
log "timing: $REPS repetitions of ${#COMMANDS[@]} commands, interleaved"
for ((rep = 1; rep <= REPS; rep++)); do
  for spec in "${COMMANDS[@]}"; do run_command "${spec%%|*}" 1; done
  log "repetition $rep/$REPS done"
done
LOAD_AFTER=$(cut -d' ' -f1 /proc/loadavg)
printf '%s\n' "${COMMANDS[@]}" > "$WORK/commands"
"$BENCH" parse "${FILES[@]}" 2> "$WORK/radai-parse-summary.txt"

# ---------------------------------------------------------------- BenchmarkDotNet and allocation per element
if [ -n "$RUN_BDN" ]; then
  log "RadAI.Benchmarks alloc (allocated bytes per header parse vs element count)"
  "$BENCH" alloc > "$WORK/alloc.md"
  log "pydicom in process (warm) over the same files"
  "$PY" "$ROOT/scripts/bench/pydicom_inprocess.py" "$REPS" "${FILES[@]}" > "$WORK/pydicom-inprocess.json"
  log "BenchmarkDotNet ${QUICK:+(quick) }- several minutes"
  export RADAI_BENCH_SERIES=$SERIES
  # The parsing classes only (the project also holds the network and inference benchmarks, timed by their own scripts).
  (cd "$WORK" && "$BENCH" --filter '*SingleCtFileBenchmarks*' '*CtSeriesBenchmarks*' '*ElementCountBenchmarks*' ${QUICK:+--quick} --exporters json --artifacts "$WORK/bdn" > "$WORK/bdn.log" 2>&1) \
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
  echo "dcmtk=$(dcmdump --version 2>&1 | sed -n 's/.*\(dcmdump v[0-9.]*\).*/\1/p' | head -1)"
  echo "pydicom=$($PY -c 'import pydicom, sys; print(pydicom.__version__, "on Python", sys.version.split()[0])')"
  echo "reps=$REPS"
  echo "load_before=$LOAD_BEFORE"
  echo "load_after=$LOAD_AFTER"
  echo "bdn_quick=${QUICK:+1}"
  echo "files=${#FILES[@]}"
  echo "series=$SERIES"
  echo "series_bytes=$SERIES_BYTES"
  echo "commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
} > "$WORK/machine"

$PY "$ROOT/scripts/bench/dicom_parse_report.py" "$WORK" ${WRITE_DOCS:+"$ROOT/docs/benchmarks.md"}
