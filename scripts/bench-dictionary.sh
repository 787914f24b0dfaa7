#!/usr/bin/env bash
# Time and peak memory of `qda import DICT.dic -o codebook.toml` on a
# generated LIWC dictionary of BENCH_ENTRIES entries (default 10,000) in
# BENCH_CATEGORIES categories (default 100), each entry in one to three
# categories, a fifth of them with a trailing `*` (not a test: nothing fails
# on a slow run). Then codes the bundled transcripts with it as a codebook,
# the cost of compiling its rules.
#
# BENCH_PROFILE picks the cargo profile (release by default; `profiling`
# builds much faster and runs within a few per cent). Needs GNU time
# (/usr/bin/time; `apt-get install -y time`).
set -euo pipefail
cd "$(dirname "$0")/.."

entries="${BENCH_ENTRIES:-10000}"
categories="${BENCH_CATEGORIES:-100}"
profile="${BENCH_PROFILE:-release}"
out="$(mktemp -d /tmp/qda-dictionary-bench.XXXXXX)"
trap 'rm -rf "$out"' EXIT
qda="$PWD/target/$profile/qda"

echo "== build ($profile)"
cargo build --profile "$profile" --quiet -p qda-cli

echo "== dictionary: $entries entries, $categories categories"
python3 - "$entries" "$categories" > "$out/big.dic" <<'PY'
import random, sys
entries, categories = int(sys.argv[1]), int(sys.argv[2])
rng = random.Random(42)
letters = "abcdefghijklmnopqrstuvwxyz"
print("%")
for c in range(1, categories + 1):
    print(f"{c}\tcategory{c:03}")
print("%")
seen = set()
while len(seen) < entries:
    word = "".join(rng.choice(letters) for _ in range(rng.randint(4, 10)))
    if word in seen:
        continue
    seen.add(word)
    star = "*" if rng.random() < 0.2 else ""
    ids = sorted(rng.sample(range(1, categories + 1), rng.randint(1, 3)))
    print(f"{word}{star}\t" + " ".join(map(str, ids)))
PY
echo "size: $(stat -c %s "$out/big.dic") bytes"

echo "== qda import big.dic -o codebook.toml"
/usr/bin/time -f "%e s wall, %U s user, %S s system, %M KB max RSS" \
  "$qda" import "$out/big.dic" -o "$out/codebook.toml"

echo "== qda tally big.dic transcripts/ (dictionary as the codebook)"
/usr/bin/time -f "%e s wall, %U s user, %S s system, %M KB max RSS" \
  "$qda" tally "$out/big.dic" transcripts/ -o "$out/tally.txt"
