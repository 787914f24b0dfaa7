#!/usr/bin/env bash
# Speed and peak memory of `qda import-transcripts` on BENCH_FILES (1,000)
# Word documents of about BENCH_WORDS (10,000) words each (not a test:
# nothing fails on a slow run). The documents are LibreOffice's
# word-2007-365.docx fixture with its body replaced by generated turns in
# the same markup (bold labels, a tracked insertion every 50 turns, a table
# every 200), so the reader meets what it meets in real files. Prints files
# per second, MB/s of .docx read, and the peak resident memory (GNU time),
# with the largest file's size beside it: memory should follow the largest
# file times the worker threads, not the folder.
set -euo pipefail
cd "$(dirname "$0")/.."

out="${BENCH_OUT:-/tmp/qda-import-transcripts-bench}"
files="${BENCH_FILES:-1000}"
words="${BENCH_WORDS:-10000}"
qda="$PWD/target/release/qda"

echo "== build (release)"
cargo build --release --quiet -p qda-cli

echo "== corpus: $files .docx of ~$words words in $out/docx"
rm -rf "$out"
mkdir -p "$out/docx"
python3 - crates/convert/tests/fixtures/word-2007-365.docx "$out/docx" "$files" "$words" <<'PY'
import random, re, sys, zipfile
template, folder, files, words = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
with zipfile.ZipFile(template) as z:
    parts = {name: z.read(name) for name in z.namelist()}
document = parts["word/document.xml"].decode()
head = document[: document.index("<w:body>") + len("<w:body>")]
tail = document[document.index("<w:sectPr"):]
vocabulary = ("we left in winter because there was no food and my mother said to go "
              "the river was frozen my uncle kept calling me from Osaka I did not want "
              "to leave but the hunger \u201cnothing to eat\u201d grandfather\u2019s country").split()
rng = random.Random(7)
def run(text, bold=False):
    props = "<w:rPr><w:b/></w:rPr>" if bold else "<w:rPr></w:rPr>"
    return f'<w:r>{props}<w:t xml:space="preserve">{text}</w:t></w:r>'
for n in range(files):
    body, count, turn = [], 0, 0
    while count < words:
        speaker = "Interviewer" if turn % 2 == 0 else "Participant"
        length = rng.randint(8, 60) if turn % 2 else rng.randint(5, 20)
        text = " ".join(rng.choice(vocabulary) for _ in range(length)) + "."
        count += length
        if turn % 200 == 199:
            body.append("<w:tbl><w:tr><w:tc><w:p>" + run("00:10:00") + "</w:p></w:tc><w:tc><w:p>"
                        + run(speaker) + "</w:p></w:tc><w:tc><w:p>" + run(text) + "</w:p></w:tc></w:tr></w:tbl>")
        else:
            inserted = ('<w:ins w:id="1" w:author="E" w:date="2024-01-01T00:00:00Z">' + run(" indeed") + "</w:ins>") if turn % 50 == 49 else ""
            body.append("<w:p>" + run(speaker + ":", True) + run(" " + text) + inserted + "</w:p>")
        turn += 1
    parts["word/document.xml"] = (head + "".join(body) + tail).encode()
    with zipfile.ZipFile(f"{folder}/T{n:04d}.docx", "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
PY
bytes=$(du -cb "$out"/docx/*.docx | tail -1 | cut -f1)
largest=$(ls -S "$out"/docx/*.docx | sed -n 1p)
largest_xml=$(unzip -p "$largest" word/document.xml | wc -c)

echo "== import-transcripts"
/usr/bin/time -v "$qda" import-transcripts "$out/docx" -o "$out/transcripts" --quiet >/dev/null 2>"$out/time.txt" || {
  cat "$out/time.txt"; exit 1; }
seconds=$(grep 'Elapsed (wall clock)' "$out/time.txt" | awk '{print $NF}' | awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }')
peak=$(grep 'Maximum resident set size' "$out/time.txt" | awk '{print $NF}')
written=$(ls "$out/transcripts" | wc -l)
python3 - "$files" "$bytes" "$seconds" "$peak" "$largest" "$largest_xml" "$written" "$(du -cb "$out"/transcripts/*.txt | tail -1 | cut -f1)" <<'PY'
import os, sys
files, size, seconds, peak_kib, largest, largest_xml, written, text = sys.argv[1:]
files, size, seconds, peak_kib, written, text = int(files), int(size), float(seconds), int(peak_kib), int(written), int(text)
print(f"files:     {written} of {files} converted in {seconds:.2f} s on {os.cpu_count()} CPUs")
print(f"speed:     {files / seconds:.0f} files/s, {size / seconds / 1e6:.1f} MB/s of .docx ({size / 1e6:.1f} MB), {text / seconds / 1e6:.1f} MB/s of transcript text written")
print(f"memory:    peak {peak_kib / 1024:.1f} MiB resident; largest file {os.path.getsize(largest) / 1024:.0f} KiB ({int(largest_xml) / 1024:.0f} KiB of document.xml)")
PY
