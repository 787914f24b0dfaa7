#!/usr/bin/env bash
# Sharded tallies (docs/scale.md): the single-process tally of a generated
# corpus against 4 shards run by GNU parallel on this machine and merged,
# then the merge of 10,000 partials.
#
# The 10,000 partials are cut from one whole-corpus partial (`--shard 0/1`)
# of a corpus of about 20,000 small transcripts, by a Python
# implementation of the documented partition (SHA-256 of the case id, first
# 8 bytes big-endian, mod N): making them with 10,000 runs of qda would
# time the machine, not the merge. Both merges are checked against the
# single run (equal but for provenance.arguments and provenance.shards).
#
# Environment: BENCH_SHARD_MB (1000: megabytes of the first corpus),
# BENCH_PARTIALS (10000). The corpora go to ./bench-shards and are deleted
# at the end. Needs GNU parallel and python3.
set -euo pipefail
cd "$(dirname "$0")/.."

mb="${BENCH_SHARD_MB:-1000}"
partials="${BENCH_PARTIALS:-10000}"
dir="$(pwd)/bench-shards"
qda="$(pwd)/target/release/qda"
corpus="$(pwd)/target/release/qda-corpus"
TIMEFORMAT='%R s wall, %U s user, %S s system'

echo "== build (release)"
cargo build --release --quiet -p qda-cli -p qda-bench
rm -rf "$dir"
trap 'rm -rf "$dir"' EXIT

same_but_merge_fields() { # single.json merged.json
  python3 - "$1" "$2" <<'PY'
import json, sys
single, merged = (json.load(open(p)) for p in sys.argv[1:3])
single["provenance"].pop("arguments")
merged["provenance"].pop("arguments")
merged["provenance"].pop("shards")
assert single == merged, "the merge differs from the single run"
print("   merged == single run (but for provenance.arguments and .shards)")
PY
}

echo "== corpus: $mb MB"
"$corpus" --megabytes "$mb" --out "$dir/big" >/dev/null
cd "$dir/big"
echo "   $(ls transcripts | wc -l) transcripts, $(du -sh transcripts | cut -f1)"
echo "== single process: qda tally"
time "$qda" -q tally codebook.toml transcripts --format json -o single.json
echo "== 4 shards, GNU parallel -j 4"
mkdir -p partials
time parallel --will-cite -j 4 "$qda" -q tally codebook.toml transcripts \
  --shard {}/4 --partial -o partials/part-{}.json ::: 0 1 2 3
echo "== merge of 4 partials"
time "$qda" -q tally codebook.toml --partials partials/part-*.json --format json -o merged.json
same_but_merge_fields single.json merged.json

echo "== corpus of small transcripts for $partials partials"
"$corpus" --megabytes 40 --min-kb 1 --max-kb 3 --out "$dir/small" >/dev/null
cd "$dir/small"
echo "   $(ls transcripts | wc -l) transcripts"
"$qda" -q tally codebook.toml transcripts --format json -o single.json
"$qda" -q tally codebook.toml transcripts --shard 0/1 --partial -o whole.json
mkdir -p partials
python3 - whole.json "$partials" partials <<'PY'
import hashlib, json, sys
whole, n, out = json.load(open(sys.argv[1])), int(sys.argv[2]), sys.argv[3]
shard = lambda case: int.from_bytes(hashlib.sha256(case.encode()).digest()[:8], "big") % n
cases, files = [[] for _ in range(n)], [[] for _ in range(n)]
for case in whole["cases"]:
    cases[shard(case["case"])].append(case)
for file in whole["files"]:
    with open(file["path"], encoding="utf-8") as f:
        lines = f.read(4096).split("\n")
    front = lines[1:lines.index("+++", 1)]
    case = next(l.split("=", 1)[1].strip().strip('"') for l in front if l.startswith("case"))
    files[shard(case)].append(file)
codebook = whole["provenance"]["inputs"][0]
for k in range(n):
    provenance = dict(whole["provenance"], inputs=[codebook] + [
        {"path": f["path"], "sha256": f["sha256"]} for f in files[k]])
    part = dict(whole, shard=f"{k}/{n}", files=files[k], cases=cases[k], provenance=provenance)
    with open(f"{out}/part-{k}.json", "w") as f:
        json.dump(part, f, indent=2)
sizes = [len(c) for c in cases]
print(f"   {n} partials, {min(sizes)} to {max(sizes)} cases each")
PY
echo "   $(du -sh partials | cut -f1) of partials"
echo "== merge of $partials partials"
time "$qda" -q tally codebook.toml --partials partials/part-*.json --format json -o merged.json
same_but_merge_fields single.json merged.json
