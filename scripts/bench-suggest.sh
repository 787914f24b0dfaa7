#!/usr/bin/env bash
# Time and peak memory of `qda suggest` for one code over the synthetic
# benchmark corpus (not a test: nothing fails on a slow run).
#
# Builds `qda` and `qda-corpus` (BENCH_PROFILE, release by default;
# `profiling` builds much faster), generates BENCH_MB megabytes of
# transcripts with BENCH_CODES codes (200 and 120, as scripts/bench.sh) into
# $BENCH_OUT (default /tmp/qda-suggest-bench), runs `qda suggest` for
# BENCH_CODE (default the corpus's first code, c001_...) once under GNU time (/usr/bin/time;
# `apt-get install -y time`), and deletes the corpus afterwards unless
# BENCH_KEEP=1. Extra arguments go to `qda suggest`.
set -euo pipefail
cd "$(dirname "$0")/.."

mb="${BENCH_MB:-200}"
codes="${BENCH_CODES:-120}"
seed="${BENCH_SEED:-42}"
profile="${BENCH_PROFILE:-release}"
out="${BENCH_OUT:-/tmp/qda-suggest-bench}"
qda="$PWD/target/$profile/qda"

echo "== build ($profile)"
cargo build --profile "$profile" --quiet -p qda-cli -p qda-bench

echo "== corpus: $out (megabytes=$mb codes=$codes seed=$seed)"
"target/$profile/qda-corpus" --megabytes "$mb" --codes "$codes" --seed "$seed" --out "$out" --force
if [ "${BENCH_KEEP:-0}" != 1 ]; then
  trap 'rm -rf "$out"' EXIT
fi
corpus_bytes=$(find "$out/transcripts" -name '*.txt' -printf '%s\n' | awk '{s += $1} END {print s}')
echo "corpus: $(find "$out/transcripts" -name '*.txt' | wc -l) transcripts, $((corpus_bytes / 1000000)) MB"

code="${BENCH_CODE:-$(sed -n 's/^id = "\(c001[^"]*\)"$/\1/p' "$out/codebook.toml" | head -1)}"
echo "== qda suggest $code --top 20 $*"
/usr/bin/time -f "%e s wall, %U s user, %S s system, %M KB max RSS" \
  "$qda" suggest "$out/codebook.toml" "$code" "$out/transcripts" --top 20 "$@" -o "$out/suggest.txt"
head -8 "$out/suggest.txt"
