#!/usr/bin/env bash
# Time and peak memory of `qda query` with a five-term expression over the
# synthetic benchmark corpus (not a test: nothing fails on a slow run): the
# matching excerpts as CSV, and `--count` (and `--level case`).
#
# Builds `qda` and `qda-corpus` in release, generates BENCH_MB megabytes of
# transcripts with BENCH_CODES codes (200 and 120, as scripts/bench.sh) into
# $BENCH_OUT (default /tmp/qda-query-bench), runs each query once under GNU
# time (/usr/bin/time; `apt-get install -y time`), and deletes the corpus
# afterwards unless BENCH_KEEP=1.
#
# BENCH_QUERY replaces the expression; extra arguments go to every run.
set -euo pipefail
cd "$(dirname "$0")/.."

mb="${BENCH_MB:-200}"
codes="${BENCH_CODES:-120}"
seed="${BENCH_SEED:-42}"
out="${BENCH_OUT:-/tmp/qda-query-bench}"
# Five terms: two parent codes (each with every code below it), a negated
# code, and two texts with the rule term semantics, one within two segments
# of the other.
query="${BENCH_QUERY:-(motive OR theme01) AND NOT c003_factory AND \"broker*\" NEAR/2 \"market\"}"
qda="$PWD/target/release/qda"

echo "== build (release)"
cargo build --release --quiet -p qda-cli -p qda-bench

echo "== corpus: $out (megabytes=$mb codes=$codes seed=$seed)"
target/release/qda-corpus --megabytes "$mb" --codes "$codes" --seed "$seed" --out "$out" --force
if [ "${BENCH_KEEP:-0}" != 1 ]; then
  trap 'rm -rf "$out"' EXIT
fi
corpus_bytes=$(find "$out/transcripts" -name '*.txt' -printf '%s\n' | awk '{s += $1} END {print s}')
echo "corpus: $(find "$out/transcripts" -name '*.txt' | wc -l) transcripts, $((corpus_bytes / 1000000)) MB"
echo "query: $query"

run() {
  local name="$1"
  shift
  echo "== qda query $name"
  status=0
  /usr/bin/time -f "%e s wall, %U s user, %S s system, %M KB max RSS" \
    "$qda" query "$query" "$out/codebook.toml" "$out/transcripts" "$@" || status=$?
  [ "$status" -eq 0 ] || echo "(exit $status)"
}

run "-o query.csv" -o "$out/query.csv" "$@"
[ -f "$out/query.csv" ] && echo "size: $(du -h "$out/query.csv" | cut -f1), $(($(wc -l < "$out/query.csv") - 1)) lines after the header" && rm -f "$out/query.csv"
run "--count" --count "$@"
run "--count --level case" --count --level case "$@"
