#!/usr/bin/env bash
# Runs CI as it runs for a submission, N times (default 3), on a busy machine: each run is a
# fresh `git clone` of this checkout's commit, `CI=true bash .ci/run`, while two busy loops load
# both cores. Prints each run's closing line (and failing tests), then `P passed, F failed` runs.
# Usage: scripts/ci-stress.sh [N]
set -uo pipefail

runs="${1:-3}"
case "$runs" in '' | *[!0-9]* | 0) echo "usage: $0 [N>0]" >&2; exit 2 ;; esac
repo="$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)"
commit="$(git -C "$repo" rev-parse HEAD)"
work="$(mktemp -d "${TMPDIR:-/tmp}/ci-stress.XXXXXX")"
logs="$work/logs"
mkdir -p "$logs"
busy=()

stop_load() {
  for pid in "${busy[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${busy[@]}"; do wait "$pid" 2>/dev/null; done
  busy=()
}
cleanup() {
  stop_load
  # Clones are large; the logs stay for a failed run to be read.
  rm -rf "$work"/run-*
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ -z "$(git -C "$repo" status --porcelain)" ] || echo "note: uncommitted changes are not part of the clone; testing $commit" >&2

passed=0
failed=0
for run in $(seq 1 "$runs"); do
  dir="$work/run-$run"
  log="$logs/run-$run.log"
  git clone --quiet "$repo" "$dir" && git -C "$dir" checkout --quiet --detach "$commit" || { echo "run $run: clone failed" >&2; exit 1; }
  for _ in 1 2; do
    ( while :; do :; done ) &
    busy+=("$!")
  done
  started=$SECONDS
  (cd "$dir" && CI=true bash .ci/run </dev/null >"$log" 2>&1)
  rc=$?
  stop_load
  closing="$(tail -n 1 "$log")"
  if [ "$rc" -eq 0 ]; then
    passed=$((passed + 1))
    echo "run $run: green in $((SECONDS - started)) s ($closing)"
  else
    failed=$((failed + 1))
    echo "run $run: FAILED (exit $rc) in $((SECONDS - started)) s ($closing); log: $log"
    grep -E '^  FAIL |^Failed: ' "$log" | sed 's/^/    /'
  fi
  rm -rf "$dir"
done

[ "$failed" -eq 0 ] && rm -rf "$work"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
