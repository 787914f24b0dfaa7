"""qda for Python: code interview transcripts and survey answers with a
codebook's rules, tally cases per code, and measure inter-coder agreement,
on the same engine and with the same numbers as the ``qda`` command.

Results are pandas DataFrames. Every call releases the GIL while the engine
runs, and bad input raises a :class:`qda.errors.QdaError` subclass carrying
the file, line and column.

>>> import qda
>>> book = qda.Codebook.load("codebooks/motives.toml")
>>> result = qda.tally(book, "transcripts/", adjudications="adjudications.toml")
>>> result.groups[["code", "cases"]]  # survival 4, freedom 13, involuntary 9, uncoded 0
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Optional, Sequence, Union

from . import _qda
from .errors import (
    AdjudicationError,
    CodebookError,
    ConflictError,
    InputError,
    QdaError,
    RatingsError,
    TranscriptError,
)

if TYPE_CHECKING:
    import pandas as pd

# pandas is imported by the calls that use it, not here: the `qda` command
# (qda._cli) imports this package, and should start as fast as the binary.

__version__: str = _qda.__version__

__all__ = [
    "Codebook",
    "Check",
    "Tally",
    "read_transcripts",
    "code",
    "code_texts",
    "tally",
    "agree",
    "QdaError",
    "InputError",
    "CodebookError",
    "TranscriptError",
    "AdjudicationError",
    "ConflictError",
    "RatingsError",
]

PathLike = Union[str, "os.PathLike[str]"]
Paths = Union[PathLike, Sequence[PathLike]]


def _path(path: Optional[PathLike]) -> Optional[str]:
    """One path as a string, or ``None``."""
    return None if path is None else os.fspath(path)


def _paths(paths: Optional[Paths]) -> List[str]:
    """One path or several, as a list of strings."""
    if paths is None:
        return []
    if isinstance(paths, (str, os.PathLike)):
        return [os.fspath(paths)]
    return [os.fspath(p) for p in paths]


@dataclass(frozen=True)
class Check:
    """What :meth:`Codebook.check` found.

    ``failures`` has one row per example the rules do not code or
    counterexample they do (code, kind, number, text, why); ``passed``
    counts the others. With transcripts, ``cases``, ``segments`` and
    ``codable_segments`` (not by an interviewer) are set, and ``warnings``
    names rules that match no segment and speaker labels nobody declared.
    """

    failures: pd.DataFrame
    passed: int
    warnings: List[str]
    cases: Optional[int] = None
    segments: Optional[int] = None
    codable_segments: Optional[int] = None

    @property
    def ok(self) -> bool:
        """Whether every example and counterexample passed."""
        return self.failures.empty


class Codebook:
    """A codebook with its rules compiled, ready to code.

    Load one with :meth:`Codebook.load`. It pickles as its text, so it can
    be sent to Dask workers, which compile the rules again (milliseconds).
    """

    __slots__ = ("_inner",)

    def __init__(self, inner: "_qda.Codebook") -> None:
        self._inner = inner

    @classmethod
    def load(cls, path: PathLike) -> "Codebook":
        """Reads and validates a codebook file and compiles its rules.

        Raises :class:`InputError` when the file cannot be read and
        :class:`CodebookError` (with line and column) when it is invalid.
        """
        return cls(_qda.Codebook.load(os.fspath(path)))

    @classmethod
    def from_text(cls, text: str, path: str = "codebook.toml") -> "Codebook":
        """A codebook from its TOML text; ``path`` names it in errors."""
        return cls(_qda.Codebook.from_text(text, path))

    def __reduce__(self):
        return (_from_inner, (self._inner,))

    def __repr__(self) -> str:
        return f"<qda.Codebook {self.name!r} ({self.path})>"

    @property
    def path(self) -> str:
        """The file the codebook was read from."""
        return self._inner.path

    @property
    def name(self) -> str:
        """The codebook's name."""
        return self._inner.name

    @property
    def version(self) -> Optional[str]:
        """The codebook's version, if it gives one."""
        return self._inner.version

    @property
    def unit(self) -> str:
        """The unit of coding: ``"turn"``, ``"paragraph"`` or ``"sentence"``."""
        return self._inner.unit

    @property
    def interviewer(self) -> List[str]:
        """The interviewer's speaker labels; rules never code their turns."""
        return self._inner.interviewer

    @property
    def codes(self) -> pd.DataFrame:
        """The codes in codebook order: id, label, parent, definition,
        include, exclude, codable, exclusive, resolve (exclusive parents),
        has_rule, examples and counterexamples (how many), line."""
        import pandas as pd

        return pd.DataFrame(self._inner._codes())

    def check(self, transcripts: Optional[Paths] = None, cases: Optional[PathLike] = None) -> Check:
        """Runs the codebook's examples and counterexamples through its
        rules, as ``qda check``; with ``transcripts`` (files or folders),
        also codes them and warns about rules that match no segment.
        ``cases`` names one more case table, as ``--cases``."""
        import pandas as pd

        document, warnings = self._inner._check(_paths(transcripts), _path(cases))
        checked = json.loads(document)
        corpus = checked.get("transcripts", {})
        return Check(
            failures=pd.DataFrame(checked["failures"], columns=["code", "kind", "number", "text", "why"]),
            passed=checked["passed"],
            warnings=list(warnings),
            cases=corpus.get("cases"),
            segments=corpus.get("segments"),
            codable_segments=corpus.get("codable_segments"),
        )


def _from_inner(inner: "_qda.Codebook") -> Codebook:
    return Codebook(inner)


def _codebook(codebook: Union[Codebook, PathLike]) -> "_qda.Codebook":
    if isinstance(codebook, Codebook):
        return codebook._inner
    return Codebook.load(codebook)._inner


def read_transcripts(
    paths: Paths,
    cases: Optional[PathLike] = None,
    unit: Union[str, Codebook] = "turn",
) -> pd.DataFrame:
    """Reads transcripts (files, or folders of ``*.txt`` with their
    ``cases.csv``) into one row per segment: case, segment, speaker, time,
    start, end (code points, end exclusive), text, then each case
    attribute as a column. ``cases`` names one more case table (as
    ``--cases``); ``unit`` is
    ``"turn"``, ``"paragraph"``, ``"sentence"`` or a codebook (its unit).

    The attributes alone, one row per case, are in ``.attrs["cases"]``.
    """
    import pandas as pd

    if isinstance(unit, Codebook):
        unit = unit.unit
    columns, attributes = _qda._read_transcripts(_paths(paths), _path(cases), unit)
    segments = pd.DataFrame(columns)
    per_case = pd.DataFrame.from_dict(attributes, orient="index")
    per_case.index.name = "case"
    if not per_case.empty:
        segments = segments.join(per_case, on="case")
    segments.attrs["cases"] = per_case
    return segments


def code(codebook: Union[Codebook, PathLike], transcripts: Paths, cases: Optional[PathLike] = None) -> pd.DataFrame:
    """Codes transcripts with the codebook's rules, as ``qda code``: one
    row per coding (case, segment, code, coder, start, end, clause, term,
    match_start, match_end), in case order. Interviewer turns are never
    coded."""
    import pandas as pd

    return pd.DataFrame(_qda._code(_codebook(codebook), _paths(transcripts), _path(cases)))


_TEXT_CODINGS = ["code", "clause", "term", "match_start", "match_end"]


def code_texts(codebook: Union[Codebook, PathLike], texts: Union["pd.Series[str]", Iterable[Optional[str]]]) -> pd.DataFrame:
    """Codes texts that are not transcripts, such as survey answers: each
    text is one unit. Returns one row per (text, code), indexed by the
    text's index label (position for a list), with the code, the clause
    and term that made it, and where the term matched (code points into
    the text). A missing text (``None``/``NaN``) gets no code.

    Safe to call from Dask's ``map_partitions`` and ``dask.bag``: the
    codebook pickles, and the GIL is released while the texts are coded.
    """
    import pandas as pd

    series = texts if isinstance(texts, pd.Series) else pd.Series(list(texts), dtype=object)
    values = [t if isinstance(t, str) else None for t in series.tolist()]
    columns = _qda._code_texts(_codebook(codebook), values)
    rows = columns.pop("row")
    index = series.index.take(rows) if len(rows) else series.index[:0]
    result = pd.DataFrame(columns, index=index, columns=_TEXT_CODINGS)
    result.index.name = series.index.name
    return result


@dataclass(frozen=True)
class Tally:
    """The tables of ``qda tally --format json``, as DataFrames.

    - ``groups``: per exclusive group (``parent``) its children and
      ``uncoded``: cases, percent of n, the 95% Wilson and Clopper-Pearson
      intervals (in percent); with ``by``, one column per attribute value.
    - ``codes``: every code (and each parent's roll-up, ``rolled_up``):
      segments, cases, percent and intervals.
    - ``routes``: how many cases each route decided, per group.
    - ``assignments``: each case's child per group, with the route.
    - ``tests``: with ``by``, the crosstabs' tests of independence, one row
      per group (``table`` ``"group"``) and per code (``"code"``):
      chi-square (with Yates' correction on 2x2 tables), Fisher's exact
      test, the smallest expected count, or why a table is not tested.
    - ``n``: the number of cases; ``by``: cases per attribute value.
    - ``document``: the whole JSON document, crosstab cells included.
    """

    n: int
    unit: str
    groups: pd.DataFrame
    codes: pd.DataFrame
    routes: pd.DataFrame
    assignments: pd.DataFrame
    by: Optional[pd.Series] = None
    tests: Optional[pd.DataFrame] = None
    warnings: List[str] = field(default_factory=list)
    document: Dict[str, Any] = field(default_factory=dict, repr=False)


_SHARE_COLUMNS = ["percent", "wilson_95_low", "wilson_95_high", "clopper_pearson_95_low", "clopper_pearson_95_high"]


def _share(row: Dict[str, Any]) -> Dict[str, Any]:
    """A row's percent and intervals as five columns (``None`` without cases)."""
    wilson = row.get("wilson_95") or [None, None]
    exact = row.get("clopper_pearson_95") or [None, None]
    return dict(zip(_SHARE_COLUMNS, [row.get("percent"), *wilson, *exact]))


def _counts_table(rows: List[Dict[str, Any]], columns: List[str], values: List[str]) -> pd.DataFrame:
    import pandas as pd

    records = []
    for row in rows:
        record = {name: row.get(name) for name in columns}
        record.update(_share(row))
        record.update({value: row.get("by", {}).get(value) for value in values})
        records.append(record)
    return pd.DataFrame(records, columns=[*columns, *_SHARE_COLUMNS, *values]).astype(
        {name: "float64" for name in _SHARE_COLUMNS}
    )


def _tests(table: str, name: str, tests: Dict[str, Any]) -> Dict[str, Any]:
    """One crosstab's tests as a flat row."""
    chi, yates, fisher = (tests.get(k) or {} for k in ("chi_square", "chi_square_yates", "fisher_exact"))
    return {
        "table": table,
        "name": name,
        "chi_square": chi.get("statistic"),
        "chi_square_df": chi.get("df"),
        "chi_square_p": chi.get("p_value"),
        "chi_square_yates": yates.get("statistic"),
        "chi_square_yates_p": yates.get("p_value"),
        "fisher_p": fisher.get("p_value"),
        "fisher_method": fisher.get("method"),
        "min_expected": tests.get("min_expected"),
        "cells_expected_below_5": tests.get("cells_expected_below_5"),
        "not_tested": tests.get("not_tested"),
        "warnings": list(tests.get("warnings", [])),
    }


def tally(
    codebook: Union[Codebook, PathLike],
    transcripts: Paths,
    adjudications: Optional[PathLike] = None,
    by: Optional[str] = None,
    cases: Optional[PathLike] = None,
) -> Tally:
    """Tallies the cases per code, as ``qda tally``: codes the transcripts
    with the rules, settles each exclusive group's conflicts (``resolve``,
    or the ``adjudications`` file), and counts. ``by`` names a case
    attribute to split every count by, with the crosstabs' tests of
    independence in ``tests``; ``cases`` names one more case table.

    Raises :class:`ConflictError` while conflicts await adjudication.
    """
    import pandas as pd

    text, warnings = _qda._tally(_codebook(codebook), _paths(transcripts), _path(cases), _path(adjudications), by)
    document = json.loads(text)
    split = document.get("by")
    values = list(split["cases"]) if split else []
    groups = document["groups"]
    group_rows = [{"parent": g["parent"], **row} for g in groups for row in g["rows"]]
    routes = [{"parent": g["parent"], "route": r, "cases": n} for g in groups for r, n in g["routes"].items()]
    assignments = [
        {"parent": g["parent"], "case": a["case"], "code": a["code"], "route": a["route"], "note": a.get("note")}
        for g in groups
        for a in g["assignments"]
    ]
    codes = [
        {**c, "rolled_up": c.get("rolled_up", False), "parent": c.get("parent")} for c in document["codes"]
    ]
    tests = None
    if split:
        rows = [_tests("group", g["parent"], g["crosstab"]["tests"]) for g in groups if "crosstab" in g]
        rows += [_tests("code", c["code"], c["crosstab"]["tests"]) for c in document["codes"] if "crosstab" in c]
        tests = pd.DataFrame(rows)
    return Tally(
        n=document["n"],
        unit=document["unit"],
        groups=_counts_table(group_rows, ["parent", "code", "label", "cases"], values),
        codes=_counts_table(codes, ["code", "rolled_up", "label", "parent", "segments", "cases"], values),
        routes=pd.DataFrame(routes, columns=["parent", "route", "cases"]),
        assignments=pd.DataFrame(assignments, columns=["parent", "case", "code", "route", "note"]),
        by=pd.Series(split["cases"], name=split["attribute"]) if split else None,
        tests=tests,
        warnings=list(warnings),
        document=document,
    )


_LEVELS = ("nominal", "ordinal", "interval", "ratio")


def agree(
    ratings: pd.DataFrame,
    level: str = "nominal",
    resamples: int = 1000,
    seed: int = 1,
    order: Optional[Sequence[str]] = None,
) -> pd.DataFrame:
    """Inter-coder reliability of a ratings table, as ``qda agree --ratings``:
    one row per unit, one column per coder, each cell the coder's value
    (missing: ``None``/``NaN``). ``order`` lists labels from lowest to
    highest, so that ordinal and interval ratings may be labels.

    Returns one row per coefficient (percent agreement, Cohen's kappa and,
    above the nominal level, its linear and quadratic weightings, Scott's
    pi, Fleiss' kappa, Gwet's AC1, Krippendorff's alpha) with ``value``,
    the 95% interval (``low_95``, ``high_95``: a percentile bootstrap of
    alpha, ``resamples`` draws seeded with ``seed``), ``units`` (rated by
    two or more coders), and ``undefined``: why a value is ``None``.
    """
    import pandas as pd

    if level not in _LEVELS:
        raise RatingsError(f'level="{level}": give "nominal", "ordinal", "interval" or "ratio"')
    if not isinstance(ratings, pd.DataFrame):
        raise RatingsError("ratings: give a pandas DataFrame, one row per unit and one column per coder")
    text = _qda._agree(
        _ratings_csv(ratings),
        "ratings",
        level,
        None if order is None else ",".join(order),
        int(resamples),
        int(seed),
    )
    row = json.loads(text)["rows"][0]
    interval = row.get("krippendorff_alpha_95") or [None, None]
    records = []
    for name in _COEFFICIENTS:
        if name not in row:
            continue
        value = row[name]
        undefined = value.get("undefined") if isinstance(value, dict) else None
        records.append(
            {
                "coefficient": name,
                "value": None if isinstance(value, dict) else value,
                "low_95": interval[0] if name == "krippendorff_alpha" else None,
                "high_95": interval[1] if name == "krippendorff_alpha" else None,
                "units": row["units"],
                "undefined": undefined,
            }
        )
    return pd.DataFrame(records).set_index("coefficient")


_COEFFICIENTS = [
    "percent_agreement",
    "cohen_kappa",
    "cohen_kappa_linear",
    "cohen_kappa_quadratic",
    "scott_pi",
    "fleiss_kappa",
    "gwet_ac1",
    "krippendorff_alpha",
]


def _ratings_csv(ratings: pd.DataFrame) -> str:
    """The table as the CSV ``qda agree --ratings`` reads: a unit column,
    then one column per coder; a missing value is an empty cell. Whole
    numbers are written without a decimal point, as a person would type them."""
    import csv
    import io

    def cell(v: Any) -> str:
        if v is None or (isinstance(v, float) and v != v):
            return ""
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v)

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["unit", *[str(c) for c in ratings.columns]])
    for unit, row in zip(ratings.index, ratings.astype(object).itertuples(index=False)):
        writer.writerow([str(unit), *[cell(v) for v in row]])
    return out.getvalue()
