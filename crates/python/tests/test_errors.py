"""Bad input raises the documented exceptions, with file, line and column."""

from __future__ import annotations

import pickle
import shutil

import pandas as pd
import pytest

import qda
from qda.errors import QdaError

CODEBOOK = "codebooks/motives.toml"


def test_a_missing_codebook_is_an_input_error(tmp_path):
    with pytest.raises(qda.InputError) as raised:
        qda.Codebook.load(tmp_path / "none.toml")
    assert raised.value.file == str(tmp_path / "none.toml")
    assert raised.value.line is None
    assert "cannot read the codebook" in str(raised.value)


def test_a_codebook_syntax_error_has_line_and_column(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('[codebook]\nname = "x"\n\n[[code]]\nid = "a"\nlabel = \n', encoding="utf-8")
    with pytest.raises(qda.CodebookError) as raised:
        qda.Codebook.load(path)
    error = raised.value
    assert isinstance(error, QdaError)
    assert (error.file, error.line, error.kind) == (str(path), 6, "syntax")
    assert error.column is not None
    assert str(error).startswith(f"{path}:6:")


def test_an_unknown_key_names_the_kind(tmp_path):
    path = tmp_path / "typo.toml"
    path.write_text('[codebook]\nname = "x"\n\n[[code]]\nid = "a"\nlable = "A"\n', encoding="utf-8")
    with pytest.raises(qda.CodebookError) as raised:
        qda.Codebook.load(path)
    assert raised.value.kind == "unknown_key" and raised.value.line == 6


def test_a_broken_transcript_is_a_transcript_error(tmp_path):
    shutil.copy("transcripts/P01.txt", tmp_path / "P01.txt")
    (tmp_path / "P02.txt").write_text('+++\ncase = "P02"\n', encoding="utf-8")
    book = qda.Codebook.load(CODEBOOK)
    for call in (lambda: qda.code(book, tmp_path), lambda: qda.read_transcripts(tmp_path)):
        with pytest.raises(qda.TranscriptError) as raised:
            call()
        assert raised.value.file == str(tmp_path / "P02.txt")
        assert raised.value.line is not None


def test_a_case_in_two_files_is_a_transcript_error(tmp_path):
    shutil.copy("transcripts/P01.txt", tmp_path / "P01.txt")
    shutil.copy("transcripts/P01.txt", tmp_path / "P01-copy.txt")
    with pytest.raises(qda.TranscriptError) as raised:
        qda.tally(CODEBOOK, tmp_path)
    assert raised.value.kind == "duplicate"
    assert raised.value.file == str(tmp_path / "P01.txt")
    assert f"case `P01` is also the case of {tmp_path / 'P01-copy.txt'}" in str(raised.value)


def test_an_empty_folder_and_a_missing_path_are_input_errors(tmp_path):
    with pytest.raises(qda.InputError, match="no transcripts found"):
        qda.read_transcripts(tmp_path)
    with pytest.raises(qda.InputError, match="no such file or folder") as raised:
        qda.read_transcripts(tmp_path / "absent")
    assert raised.value.file == str(tmp_path / "absent")
    with pytest.raises(qda.InputError, match="cannot read the file") as raised:
        qda.tally(CODEBOOK, "transcripts/", adjudications=tmp_path / "none.toml")
    assert raised.value.file == str(tmp_path / "none.toml")
    with pytest.raises(qda.InputError, match="unknown unit `clause`; use turn, paragraph or sentence"):
        qda.read_transcripts("transcripts/", unit="clause")


def test_a_bad_adjudication_is_an_adjudication_error(tmp_path):
    path = tmp_path / "adjudications.toml"
    path.write_text('[[adjudication]]\ncase = "P99"\nparent = "motive"\ncode = "freedom"\nnote = "x"\n', encoding="utf-8")
    with pytest.raises(qda.AdjudicationError) as raised:
        qda.tally(CODEBOOK, "transcripts/", adjudications=path)
    assert raised.value.file == str(path) and raised.value.line == 2


def test_unsettled_conflicts_are_a_conflict_error():
    with pytest.raises(qda.ConflictError) as raised:
        qda.tally(CODEBOOK, "transcripts/")
    assert raised.value.kind == "conflict" and raised.value.file == CODEBOOK
    assert "P05: survival (1 segment), freedom (3 segments)" in str(raised.value)
    assert "[[adjudication]]" in str(raised.value)


def test_an_unknown_attribute_is_an_input_error():
    with pytest.raises(qda.InputError, match="known attributes: age_group"):
        qda.tally(CODEBOOK, "transcripts/", adjudications="adjudications.toml", by="setled_in")


def test_bad_ratings_are_ratings_errors():
    with pytest.raises(qda.RatingsError, match="not a number"):
        qda.agree(pd.DataFrame({"a": ["x", 1], "b": [1, 2]}), level="interval")
    with pytest.raises(qda.RatingsError, match="at least two"):
        qda.agree(pd.DataFrame({"a": [1, 2]}))
    with pytest.raises(qda.RatingsError, match='level="cardinal"'):
        qda.agree(pd.DataFrame({"a": [1, 2], "b": [1, 2]}), level="cardinal")
    assert issubclass(qda.RatingsError, ValueError)


def test_errors_pickle_with_their_position(tmp_path):
    error = qda.CodebookError("f.toml:3:4: bad", "f.toml", 3, 4, "syntax")
    again = pickle.loads(pickle.dumps(error))
    assert (type(again), again.file, again.line, again.column, again.kind, str(again)) == (
        qda.CodebookError, "f.toml", 3, 4, "syntax", "f.toml:3:4: bad",
    )
