#!/usr/bin/env bash
# Speed of the Python package's qda.code_texts on BENCH_N short survey
# answers (default 1,000,000 of about 200 bytes) in a pandas Series: in one
# process, and on a BENCH_WORKERS-worker Dask LocalCluster (default 2), against
# the qda command coding the same answers written as transcripts (one turn
# each, 1,000 per file). Not a test: nothing fails on a slow run; the number
# of codings must agree between the three.
#
# The answers are made of words drawn (seeded) from the bundled transcripts'
# participant turns, so the codebook's terms occur about as often as there.
# Builds the package in release into the virtual environment BENCH_VENV
# (default target/py, which needs maturin, pandas, pyarrow and dask: see
# .ci/run), writes the answers (Parquet) and transcripts under BENCH_OUT
# (default /tmp/qda-python-bench) and deletes them afterwards unless
# BENCH_KEEP=1.
set -euo pipefail
cd "$(dirname "$0")/.."

n="${BENCH_N:-1000000}"
workers="${BENCH_WORKERS:-2}"
venv="$(realpath "${BENCH_VENV:-target/py}")"
out="${BENCH_OUT:-/tmp/qda-python-bench}"
codebook="${BENCH_CODEBOOK:-codebooks/motives.toml}"

VIRTUAL_ENV="$venv" PATH="$venv/bin:$PATH" maturin develop --release --locked -m crates/python/Cargo.toml >/dev/null 2>&1
rm -rf "$out" && mkdir -p "$out/transcripts"
[ "${BENCH_KEEP:-0}" = 1 ] || trap 'rm -rf "$out"' EXIT

# A file, not standard input: Dask's worker processes import the main module.
cat > "$out/bench.py" <<'PY'
import json, random, re, subprocess, sys, time
from pathlib import Path

import pandas as pd
import qda


def main() -> None:
    n, workers, out, codebook_path = int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
    book = qda.Codebook.load(codebook_path)
    segments = qda.read_transcripts("transcripts/")
    words = re.findall(r"[A-Za-z']+", " ".join(segments[segments["speaker"] != "I"]["text"]))
    rng = random.Random(42)

    def answer() -> str:
        picked, size = [], 0
        while size < 200:
            word = rng.choice(words)
            picked.append(word)
            size += len(word) + 1
        return " ".join(picked)

    answers = pd.Series([answer() for _ in range(n)], name="answer")
    mean = answers.str.len().mean()
    print(f"{n:,} answers, {mean:.0f} bytes on average, {answers.str.len().sum() / 1e6:.0f} MB; codebook {codebook_path}")

    begin = time.perf_counter()
    single = qda.code_texts(book, answers)
    took = time.perf_counter() - begin
    print(f"python, one process:        {took:7.2f} s  {n / took:12,.0f} answers/s  {len(single):,} codings")

    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, Client(cluster):
        # Read from Parquet as docs/python.md does, and held by the workers before the clock starts.
        answers.to_frame().to_parquet(out / "answers.parquet", row_group_size=n // (workers * 8) or 1)
        frame = dd.read_parquet(out / "answers.parquet", split_row_groups=True).persist()
        meta = qda.code_texts(book, answers.head(0))
        # Each worker imports qda and unpickles the codebook once, before the clock starts.
        frame.partitions[: workers * 2].map_partitions(lambda part: qda.code_texts(book, part.head(1)), meta=meta).compute()
        count_meta = pd.Series(dtype="int64", name="count")
        begin = time.perf_counter()
        # Answers per code, counted in each partition and added up here.
        per_partition = frame["answer"].map_partitions(
            lambda part: qda.code_texts(book, part)["code"].value_counts(), meta=count_meta
        )
        counts = per_partition.compute().groupby(level=0).sum()
        took = time.perf_counter() - begin
        print(f"python, dask {workers} workers:     {took:7.2f} s  {n / took:12,.0f} answers/s  {counts.sum():,} codings (tallied on the cluster)")
        begin = time.perf_counter()
        coded = frame["answer"].map_partitions(lambda part: qda.code_texts(book, part), meta=meta).compute()
        took = time.perf_counter() - begin
        print(f"python, dask, all codings:  {took:7.2f} s  {n / took:12,.0f} answers/s  {len(coded):,} codings (gathered)")
    assert counts.sum() == len(single) == len(coded)

    per_file = 1000
    folder = out / "transcripts"
    for start in range(0, n, per_file):
        lines = [f'+++\ncase = "A{start // per_file:06d}"\nspeakers = ["P"]\n+++\n']
        lines += [f"P: {text}\n" for text in answers.iloc[start:start + per_file]]
        (folder / f"A{start // per_file:06d}.txt").write_text("".join(lines), encoding="utf-8")
    qda_bin = Path(sys.executable).parent / "qda"
    begin = time.perf_counter()
    subprocess.run([str(qda_bin), "code", codebook_path, str(folder), "-o", str(out / "codings.json"), "--quiet"], check=True)
    took = time.perf_counter() - begin
    cli_codings = len(json.load(open(out / "codings.json"))["codings"])
    print(f"qda code (command line):    {took:7.2f} s  {n / took:12,.0f} answers/s  {cli_codings:,} codings ({n // per_file:,} transcripts of {per_file:,} turns)")
    assert cli_codings == len(single), (cli_codings, len(single))


if __name__ == "__main__":
    main()
PY
"$venv/bin/python" "$out/bench.py" "$n" "$workers" "$out" "$codebook"
