#!/usr/bin/env bash
# End-to-end timings of the `qda` binary.
#
# Builds `qda` and `qda-corpus` in release, generates a synthetic corpus
# (BENCH_MB megabytes of transcripts, BENCH_CODES codes; 200 and 120 by
# default) into ./bench-corpus unless one with the same parameters is there,
# then times `qda tally`, `qda code`, `qda report` and `qda merge-codings`
# over it and `qda tally` over the bundled study. Prints corpus size, wall
# time, MB/s (10^6 bytes per second) and peak memory (max RSS).
#
# Needs GNU time (/usr/bin/time; `apt-get install -y time`) for peak memory;
# uses hyperfine (`apt-get install -y hyperfine`, or `cargo install hyperfine`)
# for repeated runs when it is installed, else a loop of runs.
#
# Micro-benchmarks of the rule engine: cargo bench -p qda-coding --bench rules
#
# Environment: BENCH_MB (200), BENCH_CODES (120), BENCH_SEED (42),
# BENCH_RUNS (runs per command for hyperfine or the loop; 3 for the corpus,
# 20 for the bundled study unless set), BENCH_AGREE_UNITS (units of the
# generated ratings table for `qda agree --ratings`, 1000000; 0 skips it),
# BENCH_PYTHON (a Python with `pip install krippendorff numpy pandas`, to
# time the `krippendorff` package on the same table; skipped when unset),
# BENCH_SCALING (1: also threads, more codes and `qda cooccur`).
#
# With ripgrep installed (`apt-get install -y ripgrep`), `qda tally` is timed
# against `rg -c -i -F -f LITERALS` in one hyperfine run, LITERALS being the
# rules' literals (scripts/rule_literals.py).
set -euo pipefail
cd "$(dirname "$0")/.."

mb="${BENCH_MB:-200}"
codes="${BENCH_CODES:-120}"
seed="${BENCH_SEED:-42}"
corpus="bench-corpus"
qda="target/release/qda"

have() { command -v "$1" >/dev/null 2>&1; }

echo "== build (release)"
cargo build --release --quiet -p qda-cli -p qda-bench

params="megabytes=$mb codes=$codes seed=$seed"
if [ -f "$corpus/codebook.toml" ] && [ -d "$corpus/transcripts" ] &&
  [ "$(cat "$corpus/.params" 2>/dev/null || true)" = "$params" ]; then
  echo "== corpus: reusing $corpus ($params)"
else
  echo "== corpus: generating $corpus ($params)"
  rm -f "$corpus/.params"
  target/release/qda-corpus --megabytes "$mb" --codes "$codes" --seed "$seed" \
    --out "$corpus" --force
  echo "$params" >"$corpus/.params"
fi

corpus_bytes=$(find "$corpus/transcripts" -name '*.txt' -printf '%s\n' | awk '{s += $1} END {print s}')
corpus_files=$(find "$corpus/transcripts" -name '*.txt' | wc -l)
corpus_mb=$(awk -v b="$corpus_bytes" 'BEGIN {printf "%.1f", b / 1e6}')
echo "corpus: $corpus_files transcripts, $corpus_mb MB, $codes codes"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

gnu_time=""
if [ -x /usr/bin/time ] && /usr/bin/time -v true >/dev/null 2>&1; then
  gnu_time=/usr/bin/time
else
  echo "note: GNU time not found, so no peak memory; install it with: apt-get install -y time" >&2
fi

# Runs a command once, reporting wall time, MB/s over $2 bytes, and max RSS.
# Sets $last_wall (seconds) and $last_rss (MB, or "n/a").
measure() {
  local name="$1" bytes="$2"
  shift 2
  local log="$tmp/time.log" start end status=0
  start=$(date +%s.%N)
  if [ -n "$gnu_time" ]; then
    "$gnu_time" -v -o "$log" "$@" >"$tmp/stdout" 2>"$tmp/stderr" || status=$?
  else
    "$@" >"$tmp/stdout" 2>"$tmp/stderr" || status=$?
  fi
  end=$(date +%s.%N)
  if [ "$status" -ne 0 ]; then
    echo "error: \`$*\` failed with exit code $status:" >&2
    cat "$tmp/stderr" >&2
    exit "$status"
  fi
  last_wall=$(awk -v s="$start" -v e="$end" 'BEGIN {printf "%.3f", e - s}')
  last_rss="n/a"
  if [ -n "$gnu_time" ]; then
    last_rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$log")
  fi
  local rate
  rate=$(awk -v b="$bytes" -v t="$last_wall" 'BEGIN {printf "%.1f", b / 1e6 / t}')
  printf '%-34s wall %8.3f s  %7s MB/s  max RSS %s MB\n' "$name" "$last_wall" "$rate" "$last_rss"
}

# Repeats a command: hyperfine when installed (mean ± sd), else a timed loop.
# Sets $last_mean (seconds).
repeat() {
  local name="$1" runs="$2" warmup="$3"
  shift 3
  if have hyperfine; then
    hyperfine --style basic --warmup "$warmup" --runs "$runs" \
      --export-json "$tmp/hyperfine.json" --command-name "$name" "$*"
    last_mean=$(sed -n 's/^ *"mean": *\([0-9.eE+-]*\),*$/\1/p' "$tmp/hyperfine.json" | head -1)
  else
    echo "note: hyperfine not found; timing a loop of $runs runs (apt-get install -y hyperfine)" >&2
    local i start end
    for ((i = 0; i < warmup; i++)); do "$@" >/dev/null 2>&1; done
    start=$(date +%s.%N)
    for ((i = 0; i < runs; i++)); do "$@" >/dev/null; done
    end=$(date +%s.%N)
    last_mean=$(awk -v s="$start" -v e="$end" -v n="$runs" 'BEGIN {printf "%.4f", (e - s) / n}')
    printf '%-34s mean %8.4f s over %d runs\n' "$name" "$last_mean" "$runs"
  fi
}

cb="$corpus/codebook.toml"
tr="$corpus/transcripts"
runs="${BENCH_RUNS:-3}"

echo
echo "== $corpus: one run each under GNU time (peak memory)"
measure "qda tally" "$corpus_bytes" "$qda" tally "$cb" "$tr" -o "$tmp/tally.txt"
tally_wall=$last_wall tally_rss=$last_rss
measure "qda code" "$corpus_bytes" "$qda" code "$cb" "$tr" -o "$tmp/codings.json"
code_wall=$last_wall code_rss=$last_rss
codings_mb=$(awk -v b="$(stat -c %s "$tmp/codings.json")" 'BEGIN {printf "%.1f", b / 1e6}')
echo "(codings file: $codings_mb MB)"
# Both were once quadratic in the number of cases (`qda report` took 128 s
# for 5,149 cases, `qda merge-codings` 3.4 s for 400): a return shows here.
measure "qda report" "$corpus_bytes" "$qda" report "$cb" "$tr" -o "$tmp/report.html"
measure "qda merge-codings (3 x codings)" "$(stat -c %s "$tmp/codings.json")" \
  "$qda" merge-codings "$tmp/codings.json" "$tmp/codings.json" "$tmp/codings.json" \
  -o "$tmp/merged.json"

echo
echo "== $corpus: repeated runs"
repeat "qda tally (corpus)" "$runs" 1 "$qda" tally "$cb" "$tr" -o "$tmp/tally.txt"
tally_mean=$last_mean
repeat "qda code (corpus)" "$runs" 1 "$qda" code "$cb" "$tr" -o "$tmp/codings.json"
code_mean=$last_mean

# ripgrep with the rules' literals (scan only, ASCII case-insensitive), in
# the same hyperfine run as `qda tally`: the reference for the engine's speed.
if have rg && have hyperfine; then
  echo
  echo "== $corpus: qda tally vs ripgrep with the rules' literals"
  python3 scripts/rule_literals.py "$cb" >"$tmp/literals.txt"
  echo "($(wc -l <"$tmp/literals.txt") literals)"
  hyperfine --style basic --warmup 1 --runs "$runs" -N \
    --command-name "qda tally --format json" "$qda tally $cb $tr --format json -o $tmp/tally.json" \
    --command-name "rg -c -i -F -f LITERALS" "rg -c -i -F -f $tmp/literals.txt $tr"
else
  echo "note: ripgrep or hyperfine not found, so no comparison with rg (apt-get install -y ripgrep hyperfine)" >&2
fi

# BENCH_SCALING=1: MB/s with 1 and 2 threads, `qda cooccur` (time and
# peak memory), and `qda tally` over corpora of the same
# size with 500 and 2,000 codes (generated into bench-corpus-CODES).
if [ "${BENCH_SCALING:-0}" = 1 ]; then
  echo
  echo "== $corpus: threads and cooccur"
  for threads in 1 2; do
    RAYON_NUM_THREADS=$threads measure "qda tally ($threads thread(s))" "$corpus_bytes" \
      "$qda" tally "$cb" "$tr" --format json -o "$tmp/tally.json"
  done
  measure "qda cooccur" "$corpus_bytes" "$qda" cooccur "$cb" "$tr" -o "$tmp/cooccur.txt"
  for more in 500 2000; do
    scaled="$corpus-$more"
    scaled_params="megabytes=$mb codes=$more seed=$seed"
    if [ "$(cat "$scaled/.params" 2>/dev/null || true)" != "$scaled_params" ]; then
      rm -f "$scaled/.params"
      target/release/qda-corpus --megabytes "$mb" --codes "$more" --seed "$seed" \
        --out "$scaled" --force
      echo "$scaled_params" >"$scaled/.params"
    fi
    python3 scripts/rule_literals.py "$scaled/codebook.toml" >"$tmp/literals-$more.txt"
    echo "$more codes: $(wc -l <"$tmp/literals-$more.txt") literals"
    measure "qda tally ($more codes)" "$corpus_bytes" \
      "$qda" tally "$scaled/codebook.toml" "$scaled/transcripts" --format json -o "$tmp/tally.json"
    if have rg && have hyperfine; then
      hyperfine --style basic --warmup 1 --runs "$runs" -N \
        --command-name "qda tally ($more codes)" \
        "$qda tally $scaled/codebook.toml $scaled/transcripts --format json -o $tmp/tally.json" \
        --command-name "rg -c -i -F ($more codes)" \
        "rg -c -i -F -f $tmp/literals-$more.txt $scaled/transcripts"
    fi
  done
fi

echo
echo "== bundled study: qda tally codebooks/motives.toml transcripts/ --adjudications adjudications.toml"
study_bytes=$(find transcripts -name '*.txt' -printf '%s\n' | awk '{s += $1} END {print s}')
measure "qda tally (bundled, once)" "$study_bytes" \
  "$qda" tally codebooks/motives.toml transcripts/ --adjudications adjudications.toml
study_rss=$last_rss
repeat "qda tally (bundled)" "${BENCH_RUNS:-20}" 3 \
  "$qda" tally codebooks/motives.toml transcripts/ --adjudications adjudications.toml
study_mean=$last_mean

rate() { awk -v b="$1" -v t="$2" 'BEGIN {printf "%.1f", b / 1e6 / t}'; }
echo
echo "== summary ($(nproc) CPUs)"
echo "corpus:        $corpus_files transcripts, $corpus_mb MB, $codes codes ($params)"
echo "qda tally:     mean $(awk -v t="$tally_mean" 'BEGIN {printf "%.2f", t}') s, $(rate "$corpus_bytes" "$tally_mean") MB/s; max RSS $tally_rss MB (single run: $tally_wall s)"
echo "qda code:      mean $(awk -v t="$code_mean" 'BEGIN {printf "%.2f", t}') s, $(rate "$corpus_bytes" "$code_mean") MB/s; max RSS $code_rss MB (single run: $code_wall s); codings $codings_mb MB"
echo "bundled tally: mean $(awk -v t="$study_mean" 'BEGIN {printf "%.1f", t * 1000}') ms ($(find transcripts -name '*.txt' | wc -l) transcripts); max RSS $study_rss MB"

# `qda agree --ratings` on units x 3 coders (5% missing): reading was once
# quadratic in the units, so a million of them shows a return to that at once.
agree_units="${BENCH_AGREE_UNITS:-1000000}"
if [ "$agree_units" -gt 0 ]; then
  echo
  echo "== qda agree --ratings: $agree_units units x 3 coders, 5% missing"
  ratings="$tmp/ratings.csv"
  python3 scripts/ratings_table.py "$agree_units" 3 0.05 "$ratings"
  ratings_bytes=$(stat -c %s "$ratings")
  for level in nominal interval; do
    measure "qda agree $level (no bootstrap)" "$ratings_bytes" \
      "$qda" agree --ratings "$ratings" --level "$level" --resamples 0 -o "$tmp/agree.txt"
    measure "qda agree $level (1000 resamples)" "$ratings_bytes" \
      "$qda" agree --ratings "$ratings" --level "$level" -o "$tmp/agree.txt"
    if [ -n "${BENCH_PYTHON:-}" ]; then
      measure "python krippendorff $level" "$ratings_bytes" \
        "$BENCH_PYTHON" scripts/krippendorff_alpha.py "$ratings" "$level"
      if have hyperfine; then
        # Whole processes, CSV parsing included, in one run.
        hyperfine --style basic --warmup 1 --runs "$runs" -N \
          --command-name "qda agree --ratings ($level)" \
          "$qda agree --ratings $ratings --level $level --resamples 0 -o $tmp/agree.txt" \
          --command-name "python krippendorff ($level)" \
          "$BENCH_PYTHON scripts/krippendorff_alpha.py $ratings $level"
      fi
    fi
  done
fi
