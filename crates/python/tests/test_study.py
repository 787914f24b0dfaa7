"""Every call on the bundled study gives the numbers of the qda command's JSON."""

from __future__ import annotations

import json
import os
import pickle
import signal
import subprocess
import time
import urllib.request

import pandas as pd
import pytest

import qda

CODEBOOK = "codebooks/motives.toml"
TRANSCRIPTS = "transcripts/"
ADJUDICATIONS = "adjudications.toml"


@pytest.fixture(scope="module")
def book():
    return qda.Codebook.load(CODEBOOK)


def test_codes_are_the_codebook_in_order(book):
    codes = book.codes
    assert codes["id"].tolist() == ["motive", "survival", "freedom", "involuntary"]
    assert codes.set_index("id").loc["survival", "parent"] == "motive"
    assert bool(codes.set_index("id").loc["motive", "exclusive"])
    assert codes.set_index("id").loc["motive", "resolve"] == "adjudicate"
    assert {"id", "label", "parent", "definition"} <= set(codes.columns)
    assert book.unit == "turn" and book.interviewer == ["I"]


def test_check_counts_as_the_command(book, run_cli):
    check = book.check(TRANSCRIPTS)
    out = run_cli("check", CODEBOOK, TRANSCRIPTS).stdout
    assert f"examples: {check.passed} of {check.passed} pass" in out
    assert check.ok and check.failures.empty
    assert f"transcripts: {check.cases} cases, {check.segments} segments ({check.codable_segments} not by an interviewer)" in out
    assert (check.cases, check.segments, check.codable_segments) == (26, 690, 341)


def test_check_warns_as_the_command(book, tmp_path, run_cli):
    """An undeclared speaker label and rules that match nothing are warned about, as `qda check` warns."""
    text = open("transcripts/P01.txt", encoding="utf-8").read().replace("\nP: ", "\nQ: ")
    (tmp_path / "P01.txt").write_text(text, encoding="utf-8")
    check = book.check(tmp_path)
    stderr = run_cli("check", CODEBOOK, str(tmp_path)).stderr
    assert check.warnings and all(f"warning: {w}" in stderr for w in check.warnings)
    assert any("speaker `Q`" in w for w in check.warnings)


def test_check_reports_a_failing_example():
    text = open(CODEBOOK, encoding="utf-8").read().replace(
        'examples = [', 'examples = [\n  "Nothing here matches any term at all.",', 1
    )
    check = qda.Codebook.from_text(text, "edited.toml").check()
    assert not check.ok
    failure = check.failures.iloc[0]
    assert failure["kind"] == "example" and failure["text"].startswith("Nothing here")
    assert failure["why"].startswith("not coded:")


def test_read_transcripts_segments_and_attributes():
    segments = qda.read_transcripts(TRANSCRIPTS)
    assert segments.columns[:7].tolist() == ["case", "segment", "speaker", "time", "start", "end", "text"]
    assert len(segments) == 690 and segments["case"].nunique() == 26
    cases = segments.attrs["cases"]
    assert len(cases) == 26
    assert cases["settled_in"].value_counts().to_dict() == {"Japan": 21, "South Korea": 5}
    assert "settled_in" in segments.columns
    first = segments.iloc[0]
    text = open("transcripts/P01.txt", encoding="utf-8").read()
    assert first["segment"] == "P01:t1" and first["text"] in text


def test_code_equals_the_command(book, tmp_path, run_cli):
    out = tmp_path / "codings.json"
    assert run_cli("code", CODEBOOK, TRANSCRIPTS, "-o", str(out)).returncode == 0
    expected = pd.DataFrame(
        [
            {k: c[k] for k in ("case", "segment", "code", "coder", "start", "end")}
            | {k: c["source"][k] for k in ("clause", "term", "match_start", "match_end")}
            for c in json.loads(out.read_text())["codings"]
        ]
    )
    codings = qda.code(book, TRANSCRIPTS)
    assert len(codings) == 75
    pd.testing.assert_frame_equal(codings, expected, check_dtype=False)


def test_code_texts_codes_each_text_as_a_segment(book):
    """Segments given as plain texts get the codes the transcripts' segments get."""
    segments = qda.read_transcripts(TRANSCRIPTS, unit=book)
    answers = segments[segments["speaker"] != "I"].set_index("segment")["text"]
    coded = qda.code_texts(book, answers)
    by_text = sorted(zip(coded.index, coded["code"]))
    by_transcript = sorted(zip(*qda.code(book, TRANSCRIPTS)[["segment", "code"]].values.T))
    assert by_text == by_transcript
    assert coded.index.name == "segment"


def test_code_texts_on_a_list_and_missing_answers(book):
    coded = qda.code_texts(book, ["We were starving.", None, float("nan"), "", "I wanted freedom."])
    assert coded.index.tolist() == [0, 4]
    assert coded["code"].tolist() == ["survival", "freedom"]
    assert coded.iloc[0][["term", "match_start", "match_end"]].tolist() == ["starv*", 8, 16]
    empty = qda.code_texts(book, pd.Series([], dtype=object))
    assert empty.empty and empty.columns.tolist() == ["code", "clause", "term", "match_start", "match_end"]


def _rows(frame: pd.DataFrame) -> list:
    """The rows of a tally table as the command's JSON gives them."""
    rows = []
    for r in frame.to_dict("records"):
        row = {k: r[k] for k in ("code", "cases", "percent")}
        row["wilson_95"] = [r["wilson_95_low"], r["wilson_95_high"]]
        row["clopper_pearson_95"] = [r["clopper_pearson_95_low"], r["clopper_pearson_95_high"]]
        rows.append(row)
    return rows


def test_tally_equals_the_command(book, cli):
    result = qda.tally(book, TRANSCRIPTS, adjudications=ADJUDICATIONS, by="settled_in")
    expected = cli("tally", CODEBOOK, TRANSCRIPTS, "--adjudications", ADJUDICATIONS, "--by", "settled_in", "--format", "json")
    assert result.n == expected["n"] == 26
    group = expected["groups"][0]
    motive = result.groups[result.groups["parent"] == "motive"]
    assert motive.set_index("code")["cases"].to_dict() == {"survival": 4, "freedom": 13, "involuntary": 9, "uncoded": 0}
    assert _rows(motive) == [{k: row[k] for k in ("code", "cases", "percent", "wilson_95", "clopper_pearson_95")} for row in group["rows"]]
    assert motive[["Japan", "South Korea"]].values.tolist() == [[r["by"]["Japan"], r["by"]["South Korea"]] for r in group["rows"]]
    assert result.by.to_dict() == expected["by"]["cases"] == {"Japan": 21, "South Korea": 5}
    assert dict(zip(result.routes["route"], result.routes["cases"])) == group["routes"] == {"single": 21, "adjudication": 5}
    assignments = [{"case": a["case"], "code": a["code"], "route": a["route"], "note": a.get("note", "")} for a in group["assignments"]]
    assert result.assignments.drop(columns="parent").fillna("").to_dict("records") == assignments
    codes = [{k: c[k] for k in ("code", "cases", "percent", "wilson_95", "clopper_pearson_95")} for c in expected["codes"]]
    assert _rows(result.codes) == codes
    assert result.codes["segments"].tolist() == [c["segments"] for c in expected["codes"]]
    assert result.codes["rolled_up"].tolist() == [c.get("rolled_up", False) for c in expected["codes"]]


def test_tally_gives_the_crosstab_tests_of_the_command(book, cli):
    """With `by`, each crosstab's chi-square and Fisher test, as the command's JSON gives them."""
    result = qda.tally(book, TRANSCRIPTS, adjudications=ADJUDICATIONS, by="settled_in")
    expected = cli("tally", CODEBOOK, TRANSCRIPTS, "--adjudications", ADJUDICATIONS, "--by", "settled_in", "--format", "json")
    tables = [("group", g["parent"], g["crosstab"]["tests"]) for g in expected["groups"]]
    tables += [("code", c["code"], c["crosstab"]["tests"]) for c in expected["codes"]]
    assert list(zip(result.tests["table"], result.tests["name"])) == [(t, n) for t, n, _ in tables]
    for (_, name, want), row in zip(tables, result.tests.to_dict("records")):
        if "not_tested" in want:
            assert row["not_tested"] == want["not_tested"] and pd.isna(row["chi_square"]), name
            continue
        assert row["fisher_p"] == want["fisher_exact"]["p_value"], name
        assert row["fisher_method"] == want["fisher_exact"]["method"], name
        assert (row["chi_square"], row["chi_square_df"], row["chi_square_p"]) == tuple(
            want["chi_square"][k] for k in ("statistic", "df", "p_value")
        ), name
        assert row["min_expected"] == want["min_expected"], name
        assert row["warnings"] == want["warnings"], name
    tests = result.tests.set_index(["table", "name"])
    motive = tests.loc[("group", "motive")]
    assert (motive["chi_square"], motive["chi_square_df"], motive["chi_square_p"]) == (0.2613756614, 2, 0.8774916576)
    assert tests.loc[("code", "survival"), "chi_square_yates_p"] == 1.0
    assert "no test of independence" in tests.loc[("code", "motive"), "not_tested"]
    assert result.document == {k: v for k, v in expected.items() if k != "provenance"} | {"provenance": result.document["provenance"]}


def test_tally_without_by_has_no_split(book):
    result = qda.tally(book, TRANSCRIPTS, adjudications=ADJUDICATIONS)
    assert result.by is None and result.tests is None
    assert "Japan" not in result.groups.columns


def _coder_ratings(book, *files: str) -> dict:
    """Per code, a ratings table over the codable segments: 1 where the
    coder gave the code, 0 where not, as `qda agree` counts codings."""
    segments = qda.read_transcripts(TRANSCRIPTS, unit=book)
    units = segments[~segments["speaker"].isin(book.interviewer)]["segment"].tolist()
    coded = {}
    for path in files:
        data = json.load(open(path, encoding="utf-8"))
        for c in data["codings"]:
            coded.setdefault(c["coder"], set()).add((c["segment"], c["code"]))
    tables = {}
    for code in ["survival", "freedom", "involuntary"]:
        tables[code] = pd.DataFrame(
            {coder: [1 if (u, code) in pairs else 0 for u in units] for coder, pairs in coded.items()},
            index=units,
        )
    return tables


COEFFICIENTS = ["percent_agreement", "cohen_kappa", "scott_pi", "fleiss_kappa", "gwet_ac1", "krippendorff_alpha"]


def test_agree_equals_the_command_on_the_codings(book, cli):
    expected = cli(
        "agree", CODEBOOK, TRANSCRIPTS, "--codings", "codings/anna.json", "--codings", "codings/ben.json", "--format", "json"
    )
    tables = _coder_ratings(book, "codings/anna.json", "codings/ben.json")
    rows = [r for r in expected["rows"] if r["scope"] == "code"]
    assert [r["name"] for r in rows] == list(tables)
    for row in rows:
        result = qda.agree(tables[row["name"]])
        assert result.loc[COEFFICIENTS, "value"].tolist() == [row[c] for c in COEFFICIENTS], row["name"]
        assert result.loc["krippendorff_alpha", ["low_95", "high_95"]].tolist() == row["krippendorff_alpha_95"]
        assert (result["units"] == row["units"]).all()
    # The survival code's figures, as the command gives them on codings/.
    survival = qda.agree(tables["survival"])
    assert survival.loc["krippendorff_alpha", "value"] == 0.904608
    assert survival.loc["cohen_kappa", "value"] == 0.904473


RATINGS = pd.DataFrame(
    {
        "anna": ["low", "mid", "high", "mid", None, "low", "high", "mid"],
        "ben": ["low", "high", "high", "mid", "low", "low", "mid", None],
        "chen": ["mid", "mid", "high", "mid", "low", None, "high", "mid"],
    },
    index=[f"u{i}" for i in range(1, 9)],
)


@pytest.mark.parametrize("level", ["nominal", "ordinal"])
def test_agree_equals_the_command_on_a_ratings_table(tmp_path, cli, level):
    path = tmp_path / "ratings.csv"
    RATINGS.to_csv(path, index_label="unit")
    order = ["low", "mid", "high"]
    args = ["agree", "--ratings", str(path), "--level", level, "--format", "json"]
    if level == "nominal":
        table = RATINGS
    else:
        args += ["--order", ",".join(order)]
        table = RATINGS.apply(lambda column: column.map(lambda v: None if pd.isna(v) else order.index(v)))
    row = cli(*args)["rows"][0]
    result = qda.agree(table, level=level)
    names = COEFFICIENTS + (["cohen_kappa_linear", "cohen_kappa_quadratic"] if level != "nominal" else [])
    for name in names:
        value = row[name]
        if isinstance(value, dict):
            assert result.loc[name, "value"] is None or pd.isna(result.loc[name, "value"])
            assert result.loc[name, "undefined"] == value["undefined"]
        else:
            assert result.loc[name, "value"] == value, name
    assert result.loc["krippendorff_alpha", ["low_95", "high_95"]].tolist() == row["krippendorff_alpha_95"]


def test_undefined_coefficients_are_none_with_the_reason():
    same = pd.DataFrame({"a": ["x", "x", "x"], "b": ["x", "x", "x"], "c": ["x", "x", "x"]})
    result = qda.agree(same)
    assert result.loc["percent_agreement", "value"] == 1.0
    assert result.loc["cohen_kappa", "undefined"] == "needs exactly two coders, found 3"
    assert pd.isna(result.loc["krippendorff_alpha", "value"])
    assert "0/0" in result.loc["krippendorff_alpha", "undefined"]
    assert pd.isna(result.loc["krippendorff_alpha", "low_95"])


def test_codebook_pickles_as_its_text(book):
    again = pickle.loads(pickle.dumps(book))
    assert again.path == book.path and again.name == book.name
    assert qda.code(again, TRANSCRIPTS).equals(qda.code(book, TRANSCRIPTS))


COMMANDS = [
    ["--version"],
    ["tally", CODEBOOK, TRANSCRIPTS, "--adjudications", ADJUDICATIONS, "--by", "settled_in"],
    ["tally", CODEBOOK, TRANSCRIPTS, "--adjudications", ADJUDICATIONS, "--format", "json"],
    ["tally", CODEBOOK, TRANSCRIPTS],  # conflicts await adjudication: exit 1
    ["tally", "codebooks/absent.toml", TRANSCRIPTS],  # exit 2
    ["tally", "--no-such-flag"],  # a usage error: exit 2
    ["check", CODEBOOK, TRANSCRIPTS],
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a))
def test_the_installed_command_is_the_binary(args):
    """The console script runs the command line in process: the same bytes
    on both streams, and the same exit code, as the binary cargo builds."""
    from conftest import binary, console_script

    ours = subprocess.run([console_script(), *args], capture_output=True)
    theirs = subprocess.run([binary(), *args], capture_output=True)
    assert (ours.returncode, ours.stdout, ours.stderr) == (theirs.returncode, theirs.stdout, theirs.stderr)
    assert ours.stdout or ours.stderr


def test_the_installed_command_writes_files_as_the_binary(tmp_path):
    from conftest import binary, console_script

    written = []
    for command in (console_script(), binary()):
        done = subprocess.run([command, "code", CODEBOOK, TRANSCRIPTS, "-o", str(tmp_path / "codings.json")], capture_output=True)
        assert done.returncode == 0, done.stderr
        written.append((done.stderr, (tmp_path / "codings.json").read_bytes()))
        (tmp_path / "codings.json").unlink()
    assert written[0] == written[1]


def test_the_installed_command_verifies_its_results(tmp_path):
    """`qda verify` re-runs the recorded command: with the `qda` it was
    started as, not the interpreter that runs it."""
    from conftest import console_script

    result = tmp_path / "tally.json"
    args = [CODEBOOK, TRANSCRIPTS, "--adjudications", ADJUDICATIONS, "--format", "json", "-o", str(result)]
    assert subprocess.run([console_script(), "tally", *args], capture_output=True).returncode == 0
    done = subprocess.run([console_script(), "verify", str(result)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "reproduced" in done.stdout + done.stderr


def test_ctrl_c_ends_a_long_run_at_once(tmp_path):
    """A command busy in the engine (here, waiting for a transcript that a
    named pipe never delivers) ends at Ctrl-C, killed by SIGINT as the
    binary is; Python's own handler would wait for an instruction that
    never comes."""
    from conftest import binary, console_script

    if os.name == "nt":
        pytest.skip("POSIX signals and named pipes")
    pipe = tmp_path / "P01.txt"
    os.mkfifo(pipe)
    codes = []
    for command in (console_script(), binary()):
        process = subprocess.Popen([command, "check", CODEBOOK, str(pipe)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(1.5)  # until it waits on the pipe
            process.send_signal(signal.SIGINT)
            codes.append(process.wait(timeout=10))
        finally:
            process.kill()
            process.wait()
    assert codes == [-signal.SIGINT, -signal.SIGINT]


def test_ctrl_c_ends_the_installed_command_as_the_binary(tmp_path):
    """`qda serve` runs until stopped: Ctrl-C (SIGINT) stops it as it stops
    the binary (which saves and exits 0), not at Python's next instruction
    (never: the command holds the thread)."""
    from conftest import binary, console_script

    if os.name == "nt":
        pytest.skip("POSIX signals")
    codes = []
    for n, command in enumerate((console_script(), binary())):
        codings = str(tmp_path / f"codings-{n}.json")
        process = subprocess.Popen(
            [command, "serve", CODEBOOK, TRANSCRIPTS, "--coder", "anna", "--port", "0", "--codings", codings],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        try:
            lines = [process.stdout.readline() for _ in range(2)]
            assert b"http://" in lines[-1], lines
            # Once the page is served, the server is listening for Ctrl-C too.
            urllib.request.urlopen(lines[-1].decode().strip(), timeout=10).read()
            process.send_signal(signal.SIGINT)
            codes.append(process.wait(timeout=10))
        finally:
            process.kill()
            process.wait()
    assert codes[0] == codes[1]


def test_the_command_starts_without_pandas():
    """The `qda` entry point imports the package; pandas would add a second to every command."""
    import subprocess
    import sys

    probe = "import sys, qda._cli; print('pandas' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
