#!/usr/bin/env bash
# radai as Native AOT: publishes it ONCE and runs every command from the native binary. Not part of the normal test
# command (the AOT compilation takes minutes); run it after changing the CLI or what it references.
#
#   scripts/cli-aot.sh [--tests] [--keep]
#
#   --tests  also run tests/RadAI.Cli.Tests against the native binary (RADAI_CLI=<binary>, see tests/RadAI.Cli.Tests/Radai.cs)
#   --keep   keep the work folder (its path is printed)
#   RADAI_AOT_ARTIFACTS: artifacts folder (default <repo>/artifacts); the binary is <artifacts>/publish/radai-aot/radai
#   RADAI_AOT_SKIP_PUBLISH=1: reuse the binary already published there
#
#   1. dotnet publish tools/RadAI.Cli -c Release -r linux-x64 -p:RadaiNativeAot=true: fails on any trimming or AOT
#      warning (IL2xxx, IL3xxx), which the build also treats as errors;
#   2. builds the plain (JIT) radai, the reference for the outputs compared below;
#   3. runs from the native binary: version; synth-ct; dump, dump --header-only, dump --json and scan of the series and of
#      pydicom's test files (byte for byte the JIT build's output and exit code); listen + echo + send against each
#      other (every file received, the received files dump as the sent ones); audit verify of a SQLite audit log
#      written here, its hashes computed independently in Python (intact: 0, --expect-head, altered row: 5, deleted
#      tail with --expect-head: 5); model import-monai of the MONAI spleen fixture, then model check of that package
#      and of a package of models/ (0), and of a broken one (3);
#   4. with --tests, tests/RadAI.Cli.Tests with RADAI_CLI set to the native binary.
# Prints one line per check and "cli-aot: all N checks passed", or stops at the first failure (exit 1).
# Needs: dotnet, gcc (or clang), /usr/bin/python3 with sqlite3.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ARTIFACTS=${RADAI_AOT_ARTIFACTS:-$ROOT/artifacts}
RUN_TESTS=
KEEP=
while [ $# -gt 0 ]; do
  case "$1" in
    --tests) RUN_TESTS=1; shift ;;
    --keep) KEEP=1; shift ;;
    -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done

log() { printf '[cli-aot %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
CHECKS=0
pass() { CHECKS=$((CHECKS + 1)); printf 'ok   %s\n' "$*"; }
fail() { printf 'FAIL %s\n' "$*"; exit 1; }

WORK=$(mktemp -d /tmp/radai-cli-aot.XXXXXX)
LISTENER=
cleanup() {
  if [ -n "$LISTENER" ]; then kill -TERM "$LISTENER" 2>/dev/null || true; fi
  if [ -z "$KEEP" ]; then rm -rf "$WORK"; else log "work folder kept: $WORK"; fi
}
trap cleanup EXIT

# ---------------------------------------------------------------- 1. publish (once) and 2. the JIT reference
AOT_DIR=$ARTIFACTS/publish/radai-aot
AOT=$AOT_DIR/radai
if [ -z "${RADAI_AOT_SKIP_PUBLISH:-}" ]; then
  log "publishing radai as Native AOT into $AOT_DIR (several minutes)"
  if ! dotnet publish "$ROOT/tools/RadAI.Cli" -c Release -r linux-x64 -p:RadaiNativeAot=true -nologo \
      "-p:ArtifactsPath=$ARTIFACTS" -o "$AOT_DIR" > "$WORK/publish.log" 2>&1; then
    cat "$WORK/publish.log" >&2; fail "dotnet publish -p:RadaiNativeAot=true"
  fi
  if grep -E 'warning (IL[23][0-9]{3})' "$WORK/publish.log" | sort -u | grep .; then
    fail "the AOT publication gives trimming/AOT warnings (above)"
  fi
  pass "published as Native AOT, no IL2xxx/IL3xxx warning"
fi
[ -x "$AOT" ] || fail "no native binary at $AOT"
file -b "$AOT" 2>/dev/null | grep -q ELF || fail "$AOT is not a native executable"

log "building the plain (JIT) radai, the reference"
dotnet build "$ROOT/tools/RadAI.Cli" -c Release -nologo -v q "-p:ArtifactsPath=$ARTIFACTS" > "$WORK/build.log" 2>&1 \
  || { cat "$WORK/build.log" >&2; fail "dotnet build tools/RadAI.Cli"; }
JIT=(dotnet "$ARTIFACTS/bin/RadAI.Cli/release/radai.dll")

# Runs the native binary and the JIT build with the same arguments: same stdout, stderr and exit code.
same_as_jit() { # label args...
  local label=$1; shift
  local aot_rc=0 jit_rc=0
  "$AOT" "$@" > "$WORK/aot.out" 2> "$WORK/aot.err" || aot_rc=$?
  "${JIT[@]}" "$@" > "$WORK/jit.out" 2> "$WORK/jit.err" || jit_rc=$?
  [ "$aot_rc" = "$jit_rc" ] || fail "$label: exit code $aot_rc (AOT) vs $jit_rc (JIT)"
  cmp -s "$WORK/aot.out" "$WORK/jit.out" || { diff "$WORK/jit.out" "$WORK/aot.out" | head -20; fail "$label: standard output differs from the JIT build's"; }
  cmp -s "$WORK/aot.err" "$WORK/jit.err" || { diff "$WORK/jit.err" "$WORK/aot.err" | head -20; fail "$label: standard error differs from the JIT build's"; }
  pass "$label: exit $aot_rc, output identical to the JIT build's ($(wc -c < "$WORK/aot.out") bytes)"
}

# ---------------------------------------------------------------- 3. the commands
"$AOT" version > "$WORK/version" || fail "radai version"
grep -q '^radai ' "$WORK/version" || fail "radai version printed $(cat "$WORK/version")"
pass "version: $(cat "$WORK/version")"

SERIES=$WORK/series
"$AOT" synth-ct --out "$SERIES" --slices 6 --rows 64 --columns 64 --seed 7 > /dev/null || fail "synth-ct"
mapfile -t CT < <(find "$SERIES" -name '*.dcm' | sort)
[ "${#CT[@]}" = 6 ] || fail "synth-ct wrote ${#CT[@]} files, not 6"
"${JIT[@]}" synth-ct --out "$WORK/series-jit" --slices 6 --rows 64 --columns 64 --seed 7 > /dev/null || fail "synth-ct (JIT)"
for f in "${CT[@]}"; do cmp -s "$f" "$WORK/series-jit/$(basename "$f")" || fail "synth-ct: $(basename "$f") differs from the JIT build's"; done
pass "synth-ct: 6 files, byte for byte the JIT build's"

mapfile -t PYDICOM < <(find "$(/usr/bin/python3 -c 'import os, pydicom; print(os.path.dirname(pydicom.__file__))')/data" \
  -type f ! -name '*.py' ! -name '*.pyc' ! -name '*.json' ! -name '*.txt' 2>/dev/null | sort)
same_as_jit "dump (synthetic series)" dump "${CT[@]}"
same_as_jit "dump --header-only (synthetic series)" dump --header-only "${CT[@]}"
same_as_jit "dump --json (synthetic series)" dump --json "${CT[@]}"
/usr/bin/python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert len(d) == 6, len(d)' "$WORK/aot.out" || fail "dump --json: not a JSON object of 6 files"
same_as_jit "dump --json (one file)" dump --json "${CT[0]}"
if [ "${#PYDICOM[@]}" -gt 0 ]; then
  same_as_jit "dump (pydicom's ${#PYDICOM[@]} test files, valid and invalid)" dump "${PYDICOM[@]}"
  same_as_jit "dump --json (pydicom's test files)" dump --json "${PYDICOM[@]}"
  same_as_jit "scan (pydicom's test files)" scan "${PYDICOM[@]}"
fi
same_as_jit "scan (synthetic series folder)" scan "$SERIES"
grep -q '^6 of 6 files read: 1 study, 1 series, 0 duplicate instances, 0 unreadable$' "$WORK/aot.out" || fail "scan: $(tail -1 "$WORK/aot.out")"

# listen + echo + send, all three native
RECEIVED=$WORK/received
"$AOT" listen 0 --out "$RECEIVED" --aet AOTSCP > "$WORK/listen.out" 2> "$WORK/listen.err" &
LISTENER=$!
PORT=
for _ in $(seq 1 100); do
  PORT=$(grep -oE 'port [0-9]+' "$WORK/listen.out" | head -1 | cut -d' ' -f2 || true)
  [ -n "$PORT" ] && break
  kill -0 "$LISTENER" 2>/dev/null || { cat "$WORK/listen.err" >&2; fail "listen exited"; }
  sleep 0.1
done
[ -n "$PORT" ] || { cat "$WORK/listen.out" "$WORK/listen.err" >&2; fail "listen printed no port"; }
"$AOT" echo 127.0.0.1 "$PORT" --aec AOTSCP > "$WORK/echo.out" 2>&1 || { cat "$WORK/echo.out"; fail "echo to the native listener"; }
pass "echo -> listen (port $PORT): $(head -1 "$WORK/echo.out")"
"$AOT" send 127.0.0.1 "$PORT" "$SERIES" --aec AOTSCP > "$WORK/send.out" 2>&1 || { cat "$WORK/send.out"; fail "send to the native listener"; }
[ "$(find "$RECEIVED" -name '*.dcm' | wc -l)" = 6 ] || fail "listen received $(find "$RECEIVED" -name '*.dcm' | wc -l) files, not 6"
# The data sets, not the meta groups (the listener writes its own) nor the comment lines.
"$AOT" dump "${CT[@]}" | grep -vE '^(# |\(0002,)' | sort > "$WORK/sent.dump"
mapfile -t GOT < <(find "$RECEIVED" -name '*.dcm')
"$AOT" dump "${GOT[@]}" | grep -vE '^(# |\(0002,)' | sort > "$WORK/received.dump"
cmp -s "$WORK/sent.dump" "$WORK/received.dump" || { diff "$WORK/sent.dump" "$WORK/received.dump" | head; fail "the received files do not dump as the sent ones"; }
pass "send -> listen: 6 files received, listed as the sent ones: $(tail -1 "$WORK/send.out")"
"$AOT" echo 127.0.0.1 "$PORT" --aec WRONG > "$WORK/echo.out" 2>&1 && fail "echo with a wrong called AE title succeeded"
pass "echo with a wrong called AE title: refused (exit $("$AOT" echo 127.0.0.1 "$PORT" --aec WRONG > /dev/null 2>&1; echo $?))"
kill -TERM "$LISTENER"
LISTEN_RC=0
wait "$LISTENER" || LISTEN_RC=$?
LISTENER=
[ "$LISTEN_RC" = 0 ] || { cat "$WORK/listen.err" >&2; fail "listen exited $LISTEN_RC on SIGTERM"; }
pass "listen: stopped by SIGTERM, exit 0"

# audit verify: a SQLite audit log whose hashes are computed here, independently of RadAI's code
mkdir -p "$WORK/node"
/usr/bin/python3 - "$WORK/node/radai.db" <<'PY'
import hashlib, sqlite3, struct, sys
db = sqlite3.connect(sys.argv[1])
db.execute("""CREATE TABLE audit_log (sequence INTEGER PRIMARY KEY, occurred_at TEXT NOT NULL, actor TEXT NOT NULL,
  source TEXT NULL, action TEXT NOT NULL, resource TEXT NULL, outcome TEXT NOT NULL, details TEXT NULL,
  previous_hash TEXT NOT NULL, entry_hash TEXT NOT NULL)""")
def field(h, value):
    if value is None:
        h.update(b"\0")
    else:
        data = value.encode()
        h.update(b"\1" + struct.pack(">i", len(data)) + data)
previous = "0" * 64
for seq in range(1, 6):
    when = f"2026-11-26T10:0{seq}:00.123456"
    row = [str(seq), when + "Z", "user:admin", "192.0.2.1" if seq % 2 else None, "user.create", f"user:{seq}", "success", None if seq < 4 else "détails é", previous]
    h = hashlib.sha256(b"radai-audit-v1")
    for value in row:
        field(h, value)
    entry = h.hexdigest()
    db.execute("INSERT INTO audit_log VALUES (?,?,?,?,?,?,?,?,?,?)", (seq, when + "0Z", *row[2:], entry))
    previous = entry
db.commit()
PY
audit() { "$AOT" audit verify --data "$WORK/node" "$@" > "$WORK/audit.out" 2> "$WORK/audit.err"; }
audit || { cat "$WORK/audit.err"; fail "audit verify of an intact log"; }
grep -q 'Audit log intact: 5 entries' "$WORK/audit.out" || fail "audit verify: $(cat "$WORK/audit.out")"
HEAD=$(grep -oE 'Head 5:[0-9a-f]{64}' "$WORK/audit.out" | cut -d' ' -f2)
pass "audit verify (SQLite, hashes computed in Python): intact, 5 entries, head $HEAD"
audit --expect-head "$HEAD" || fail "audit verify --expect-head $HEAD"
pass "audit verify --expect-head: 0"
cp "$WORK/node/radai.db" "$WORK/intact.db"
/usr/bin/python3 -c 'import sqlite3, sys; d = sqlite3.connect(sys.argv[1]); d.execute("UPDATE audit_log SET actor = ? WHERE sequence = 3", ("user:someone-else",)); d.commit()' "$WORK/node/radai.db"
RC=0; audit || RC=$?
[ "$RC" = 5 ] && grep -q 'BROKEN at entry 3' "$WORK/audit.err" || { cat "$WORK/audit.out" "$WORK/audit.err"; fail "audit verify of an altered row: exit $RC"; }
pass "audit verify of an altered row: exit 5, $(cut -c1-60 "$WORK/audit.err")..."
cp "$WORK/intact.db" "$WORK/node/radai.db"
/usr/bin/python3 -c 'import sqlite3, sys; d = sqlite3.connect(sys.argv[1]); d.execute("DELETE FROM audit_log WHERE sequence = 5"); d.commit()' "$WORK/node/radai.db"
RC=0; audit --expect-head "$HEAD" || RC=$?
[ "$RC" = 5 ] && grep -q 'BROKEN at entry 5: it is missing' "$WORK/audit.err" || { cat "$WORK/audit.out" "$WORK/audit.err"; fail "audit verify of a deleted tail: exit $RC"; }
pass "audit verify --expect-head of a deleted tail: exit 5"

# model import-monai and model check (ONNX Runtime's native library next to the binary)
FIXTURES=$ROOT/tests/RadAI.Inference.Tests
BUNDLE=$WORK/spleen_ct_segmentation
mkdir -p "$BUNDLE/configs" "$BUNDLE/models"
cp "$FIXTURES/MonaiBundles/spleen_ct_segmentation/configs/"{inference,metadata}.json "$BUNDLE/configs/"
cp "$FIXTURES/TestModels/monai_seg3d.onnx" "$BUNDLE/models/model.onnx"
"$AOT" model import-monai "$BUNDLE" --out "$WORK/package" > "$WORK/import.out" 2>&1 || { cat "$WORK/import.out"; fail "model import-monai"; }
grep -q 'Imported Spleen CT segmentation (MONAI bundle) as monai.spleen-ct-segmentation' "$WORK/import.out" || { cat "$WORK/import.out"; fail "model import-monai printed no import"; }
pass "model import-monai: $(head -1 "$WORK/import.out")"
same_as_jit "model check (imported package)" model check "$WORK/package"
grep -q 'OK: the inference service loads this package.' "$WORK/aot.out" || fail "model check of the imported package"
PACKAGE=$(find "$ROOT/models" -mindepth 2 -maxdepth 2 -name radai-model.json | sort | head -1)
same_as_jit "model check ($(basename "$(dirname "$PACKAGE")"))" model check "$(dirname "$PACKAGE")"
cp -r "$WORK/package" "$WORK/broken"
/usr/bin/python3 -c 'import json, sys; p = sys.argv[1]; m = json.load(open(p)); m["input"]["name"] = "no-such-input"; json.dump(m, open(p, "w"))' "$WORK/broken/radai-model.json"
same_as_jit "model check (manifest naming an input the ONNX file lacks)" model check "$WORK/broken"
grep -q 'is refused' "$WORK/aot.err" || fail "model check of a broken package did not refuse it"

# ---------------------------------------------------------------- 4. the CLI's tests against the native binary
if [ -n "$RUN_TESTS" ]; then
  log "tests/RadAI.Cli.Tests with RADAI_CLI=$AOT"
  RADAI_CLI=$AOT dotnet test "$ROOT/tests/RadAI.Cli.Tests" -c Release -nologo "-p:ArtifactsPath=$ARTIFACTS" > "$WORK/tests.log" 2>&1 \
    || { tail -40 "$WORK/tests.log"; fail "tests/RadAI.Cli.Tests against the native binary"; }
  pass "tests/RadAI.Cli.Tests against the native binary: $(grep -E 'Passed!|Failed!' "$WORK/tests.log" | tail -1)"
fi

echo "cli-aot: all $CHECKS checks passed ($(du -h "$AOT" | cut -f1) native binary, $AOT)"
