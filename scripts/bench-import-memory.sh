#!/usr/bin/env bash
# Peak memory and time of `qda import` on a project with large texts (not a
# test: nothing fails on a slow run). Builds `qda` in release and a `.qdpx`
# in $BENCH_OUT (default /tmp/qda-import-bench) of BENCH_SOURCES sources (1),
# each BENCH_MIB mebibytes (100) of interview-like lines with 1,000 coded
# selections spread over it, then imports it under GNU time. Peak memory is
# set by the largest source, not by all of them: compare BENCH_SOURCES=20
# BENCH_MIB=20 with BENCH_MIB=20 alone. BENCH_PARAGRAPHS=1 puts a blank line
# after every line, so every line is a paragraph (a segment to place
# selections in), as in transcripts with a paragraph per utterance.
set -euo pipefail
cd "$(dirname "$0")/.."

out="${BENCH_OUT:-/tmp/qda-import-bench}"
mib="${BENCH_MIB:-100}"
sources="${BENCH_SOURCES:-1}"
paragraphs="${BENCH_PARAGRAPHS:-0}"
qda="$PWD/target/release/qda"

echo "== build (release)"
cargo build --release --quiet -p qda-cli

echo "== project: $out/big.qdpx ($sources × $mib MiB of text, a paragraph per line: $paragraphs)"
rm -rf "$out"
mkdir -p "$out"
python3 - "$out/big.qdpx" "$mib" "$sources" "$paragraphs" <<'PY'
import sys, zipfile
path, mib, n, paragraphs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1"
line = "We left in winter because there was no food, and my mother said to go.\n"
if paragraphs:
    line += "\n"
text = (line * (mib * (1 << 20) // len(line) + 1))[: mib << 20]
step = len(text) // 1000
sources = []
for k in range(n):
    sels = []
    for i in range(1000):
        s = i * step
        sels.append(
            f'<PlainTextSelection guid="55555555-5555-5555-{k:04d}-{i:012d}" startPosition="{s}" endPosition="{s + 20}">'
            f'<Coding guid="66666666-6666-6666-{k:04d}-{i:012d}"><CodeRef targetGUID="11111111-1111-1111-1111-111111111111"/></Coding>'
            "</PlainTextSelection>"
        )
    sources.append(
        f'<TextSource guid="44444444-4444-4444-4444-{k:012d}" name="big{k}.txt" '
        f'plainTextPath="internal://44444444-4444-4444-4444-{k:012d}.txt">'
        + "".join(sels)
        + "</TextSource>"
    )
qde = (
    '<?xml version="1.0" encoding="utf-8"?><Project name="big" xmlns="urn:QDA-XML:project:1.0">'
    '<CodeBook><Codes><Code guid="11111111-1111-1111-1111-111111111111" name="leaving" isCodable="true"/></Codes></CodeBook>'
    "<Sources>" + "".join(sources) + "</Sources></Project>"
)
with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("project.qde", qde)
    for k in range(n):
        z.writestr(f"sources/44444444-4444-4444-4444-{k:012d}.txt", text)
PY

echo "== import"
/usr/bin/time -f "elapsed %e s, peak %M KiB" "$qda" import "$out/big.qdpx" -o "$out/imported" 2>&1 \
  | grep -v '^warning:'
