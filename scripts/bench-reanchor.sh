#!/usr/bin/env bash
# Timing of `qda reanchor` on a study whose transcripts were edited after
# they were coded (not a test: nothing fails on a slow run).
#
# Builds `qda` and `qda-reanchor-corpus` in release and writes a corpus
# into $BENCH_OUT (default /tmp/qda-reanchor-bench): BENCH_TRANSCRIPTS
# transcripts (1000) of BENCH_KB kilobytes (40) with BENCH_CODINGS codings
# each (100), the transcripts as coded (old/) and edited (new/: a typo, an
# inserted and a deleted sentence, a split and a merged turn, white space
# and a deleted turn in each). The codings are first given their quotes
# (carried over to the unchanged transcripts), then carried over to the
# edited ones, which is what is timed; then once more without quotes, from
# the old transcripts (--old-transcripts).
#
# Uses hyperfine when it is installed, else GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."

out="${BENCH_OUT:-/tmp/qda-reanchor-bench}"
qda="$PWD/target/release/qda"

echo "== build (release)"
cargo build --release --quiet -p qda-cli -p qda-bench

echo "== corpus: $out"
rm -rf "$out"
target/release/qda-reanchor-corpus --out "$out" \
  --transcripts "${BENCH_TRANSCRIPTS:-1000}" --codings "${BENCH_CODINGS:-100}" --kb "${BENCH_KB:-40}"
cd "$out"
"$qda" reanchor codebook.toml old --codings codings.json -o quoted.json >/dev/null

with_quotes="$qda reanchor codebook.toml new --codings quoted.json -o reanchored.json"
from_old="$qda reanchor codebook.toml new --codings codings.json --old-transcripts old -o from-old.json"
# Exit 1 is expected: the deleted turns lose their codings.
if command -v hyperfine >/dev/null 2>&1; then
  hyperfine --runs "${BENCH_RUNS:-5}" -i "$with_quotes" "$from_old"
else
  for command in "$with_quotes" "$from_old"; do
    echo "== $command"
    for _ in $(seq "${BENCH_RUNS:-3}"); do
      /usr/bin/time -f "%e s wall, %U s user, %M KB max RSS" $command >/dev/null || true
    done
  done
fi
"$qda" reanchor codebook.toml new --codings quoted.json | head -1 || true
