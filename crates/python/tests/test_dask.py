"""code_texts on Dask: a Parquet column of texts coded on a 4-worker
LocalCluster gives what one process gives; and the GIL is released while
the engine runs."""

from __future__ import annotations

import threading
import time

import pandas as pd
import pytest

import qda

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

CODEBOOK = "codebooks/motives.toml"


def _answers() -> pd.DataFrame:
    """The participants' turns of the bundled study, as survey-like answers."""
    segments = qda.read_transcripts("transcripts/")
    answers = segments[segments["speaker"] != "I"]
    return pd.DataFrame({"id": answers["segment"].to_numpy(), "answer": answers["text"].to_numpy()})


def _code_partition(partition: pd.DataFrame, codebook: qda.Codebook) -> pd.DataFrame:
    """One partition's codings, with the answer's id (the example of docs/python.md)."""
    coded = qda.code_texts(codebook, partition["answer"])
    return pd.DataFrame(
        {"id": partition["id"].loc[coded.index].to_numpy(), "code": coded["code"].to_numpy()}, dtype="string"
    )


@pytest.fixture(scope="module")
def client():
    """A 4-worker LocalCluster (one process each), shared by the tests here."""
    with distributed.LocalCluster(n_workers=4, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            yield client


def test_a_parquet_column_coded_on_a_local_cluster_equals_one_process(tmp_path, client):
    answers = _answers()
    path = tmp_path / "answers.parquet"
    answers.to_parquet(path, row_group_size=50)
    codebook = qda.Codebook.load(CODEBOOK)

    single = qda.code_texts(codebook, answers.set_index("id")["answer"])
    single_counts = single["code"].value_counts().sort_index()

    assert len(client.scheduler_info()["workers"]) == 4
    frame = dd.read_parquet(path).repartition(npartitions=8)
    meta = pd.DataFrame({"id": pd.Series(dtype="string"), "code": pd.Series(dtype="string")})
    coded = frame.map_partitions(_code_partition, codebook, meta=meta).compute()
    # The tally of the Dask example: answers per code.
    counts = frame.map_partitions(_code_partition, codebook, meta=meta)["code"].value_counts().compute()
    frame.map_partitions(_code_partition, codebook, meta=meta).to_parquet(tmp_path / "codings.parquet")
    written = pd.read_parquet(tmp_path / "codings.parquet")

    assert sorted(zip(coded["id"], coded["code"])) == sorted(zip(single.index, single["code"]))
    assert counts.sort_index().to_dict() == single_counts.to_dict()
    assert sorted(zip(written["id"], written["code"])) == sorted(zip(coded["id"], coded["code"]))
    assert single_counts.sum() == 75


def test_code_texts_in_a_dask_bag_on_a_local_cluster(client):
    import dask.bag as db

    texts = _answers()["answer"].tolist()
    codebook = qda.Codebook.load(CODEBOOK)
    bag = db.from_sequence(texts, npartitions=8)
    codes = bag.map_partitions(lambda part: qda.code_texts(codebook, list(part))["code"].tolist()).compute()
    assert sorted(codes) == sorted(qda.code_texts(codebook, texts)["code"])


def test_the_gil_is_released_while_texts_are_coded():
    """Another Python thread keeps running while code_texts works: the
    longest pause it sees during the call is a small part of the call."""
    codebook = qda.Codebook.load(CODEBOOK)
    # Long texts, few of them: the engine's share of the call, not the
    # conversion of Python strings (done with the GIL held), dominates.
    answers = _answers()["answer"].tolist()
    texts = [" ".join(answers[i : i + 20]) for i in range(0, len(answers), 20)] * 400
    done = threading.Event()
    call = []

    def work():
        time.sleep(0.05)  # the main thread is in its loop by then
        begin = time.perf_counter()
        qda.code_texts(codebook, texts)
        call.extend([begin, time.perf_counter()])
        done.set()

    worker = threading.Thread(target=work)
    pauses = []  # (from, to) of each pause of the main thread over 1 ms
    last = time.perf_counter()
    worker.start()
    while not done.is_set():
        now = time.perf_counter()
        if now - last > 0.001:
            pauses.append((last, now))
        last = now
    pauses.append((last, time.perf_counter()))
    worker.join()
    begin, end = call
    took = end - begin
    during = [min(to, end) - max(start, begin) for start, to in pauses if to > begin and start < end]
    assert took > 0.2, "too few texts to see the GIL"
    assert max(during, default=0.0) < took / 2, (max(during), took)
