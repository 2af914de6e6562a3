#!/usr/bin/env bash
# The test suite while every core is kept busy: it must pass however slow the machine gets (issue 16).
#
#   scripts/test-under-load.sh            make test, 3 times in a row, beside a busy loop on every core
#   RUNS=1 scripts/test-under-load.sh     once (what CI does)
#   TEST_CMD=".venv/bin/python -m pytest tests/reliability -q" scripts/test-under-load.sh   another command
#
# The load is `stress-ng --cpu N` (Debian package stress-ng) when installed, else N Python busy loops.
# LOAD_CPUS sets N (default: every core). Exits non-zero at the first failing run.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
LOAD_CPUS=${LOAD_CPUS:-$(nproc 2>/dev/null || echo 2)}
TEST_CMD=${TEST_CMD:-make test}
PYTHON=${PYTHON:-python3}

load_pids=()
stop_load() {
  for pid in "${load_pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${load_pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
}
trap stop_load EXIT INT TERM

if command -v stress-ng >/dev/null 2>&1; then
  stress-ng --cpu "$LOAD_CPUS" --quiet &
  load_pids+=("$!")
  echo "load: stress-ng --cpu $LOAD_CPUS (pid ${load_pids[*]})"
else
  for _ in $(seq 1 "$LOAD_CPUS"); do
    "$PYTHON" -c 'while True: pass' &
    load_pids+=("$!")
  done
  echo "load: $LOAD_CPUS Python busy loops (stress-ng is not installed; pids ${load_pids[*]})"
fi

for run in $(seq 1 "$RUNS"); do
  started=$(date +%s)
  echo "== run $run of $RUNS under load: $TEST_CMD"
  if ! bash -c "$TEST_CMD"; then
    echo "== run $run of $RUNS FAILED under load after $(( $(date +%s) - started )) s"
    exit 1
  fi
  echo "== run $run of $RUNS passed under load in $(( $(date +%s) - started )) s"
done
echo "== $RUNS of $RUNS runs passed under load"
