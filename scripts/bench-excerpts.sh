#!/usr/bin/env bash
# Time, peak memory and file size of `qda excerpts -o x.xlsx`, `-o x.docx`,
# `-o x.csv` and `-o x.html`, and of `qda report -o report.html`, over the
# synthetic benchmark corpus (not a test: nothing fails on a slow run).
# Run it with BENCH_MB=100 and BENCH_MB=200 to see whether peak memory grows
# with the corpus.
#
# Builds `qda` and `qda-corpus` in release, generates BENCH_MB megabytes of
# transcripts with BENCH_CODES codes (200 and 120, as scripts/bench.sh) into
# $BENCH_OUT (default /tmp/qda-excerpts-bench), runs each output once under
# GNU time (/usr/bin/time; `apt-get install -y time`), and deletes the corpus
# afterwards unless BENCH_KEEP=1 (it is as large as BENCH_MB, the outputs
# larger).
#
# Extra arguments go to every `qda excerpts` run, for example
# `scripts/bench-excerpts.sh --code c001` to time one code's excerpts.
set -euo pipefail
cd "$(dirname "$0")/.."

mb="${BENCH_MB:-200}"
codes="${BENCH_CODES:-120}"
seed="${BENCH_SEED:-42}"
out="${BENCH_OUT:-/tmp/qda-excerpts-bench}"
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

for extension in csv xlsx docx html; do
  file="$out/excerpts.$extension"
  echo "== qda excerpts $* -o excerpts.$extension"
  status=0
  /usr/bin/time -f "%e s wall, %U s user, %S s system, %M KB max RSS" \
    "$qda" excerpts "$out/codebook.toml" "$out/transcripts" "$@" -o "$file" || status=$?
  if [ "$status" -eq 0 ]; then
    echo "size: $(du -h "$file" | cut -f1) ($(stat -c %s "$file") bytes)"
    rm -f "$file"
  else
    echo "(exit $status)"
  fi
done

echo "== qda report -o report.html"
file="$out/report.html"
status=0
/usr/bin/time -f "%e s wall, %U s user, %S s system, %M KB max RSS" \
  "$qda" report "$out/codebook.toml" "$out/transcripts" -o "$file" || status=$?
if [ "$status" -eq 0 ]; then
  echo "size: $(du -h "$file" | cut -f1) ($(stat -c %s "$file") bytes)"
  rm -f "$file"
else
  echo "(exit $status)"
fi
