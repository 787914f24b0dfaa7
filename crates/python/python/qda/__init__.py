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

    def check(self, transcripts: Optional[Paths] = None, cases: Optional[Paths] = None) -> Check:
        """Runs the codebook's examples and counterexamples through its
        rules, as ``qda check``; with ``transcripts`` (files or folders),
        also codes them and warns about rules that match no segment."""
        import pandas as pd

        failures, passed, summary, warnings = self._inner._check(_paths(transcripts), _paths(cases))
        return Check(
            failures=pd.DataFrame(failures, columns=["code", "kind", "number", "text", "why"]),
            passed=passed,
            warnings=list(warnings),
            **summary,
        )


def _from_inner(inner: "_qda.Codebook") -> Codebook:
    return Codebook(inner)


def _codebook(codebook: Union[Codebook, PathLike]) -> "_qda.Codebook":
    if isinstance(codebook, Codebook):
        return codebook._inner
    return Codebook.load(codebook)._inner


def read_transcripts(
    paths: Paths,
    cases: Optional[Paths] = None,
    unit: Union[str, Codebook] = "turn",
) -> pd.DataFrame:
    """Reads transcripts (files, or folders of ``*.txt`` with their
    ``cases.csv``) into one row per segment: case, segment, speaker, time,
    start, end (code points, end exclusive), text, then each case
    attribute as a column. ``cases`` names more case tables; ``unit`` is
    ``"turn"``, ``"paragraph"``, ``"sentence"`` or a codebook (its unit).

    The attributes alone, one row per case, are in ``.attrs["cases"]``.
    """
    import pandas as pd

    if isinstance(unit, Codebook):
        unit = unit.unit
    columns, attributes = _qda._read_transcripts(_paths(paths), _paths(cases), unit)
    segments = pd.DataFrame(columns)
    per_case = pd.DataFrame.from_dict(attributes, orient="index")
    per_case.index.name = "case"
    if not per_case.empty:
        segments = segments.join(per_case, on="case")
    segments.attrs["cases"] = per_case
    return segments


def code(codebook: Union[Codebook, PathLike], transcripts: Paths, cases: Optional[Paths] = None) -> pd.DataFrame:
    """Codes transcripts with the codebook's rules, as ``qda code``: one
    row per coding (case, segment, code, coder, start, end, clause, term,
    match_start, match_end), in case order. Interviewer turns are never
    coded."""
    import pandas as pd

    return pd.DataFrame(_qda._code(_codebook(codebook), _paths(transcripts), _paths(cases)))


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
    - ``n``: the number of cases; ``by``: cases per attribute value.
    """

    n: int
    unit: str
    groups: pd.DataFrame
    codes: pd.DataFrame
    routes: pd.DataFrame
    assignments: pd.DataFrame
    by: Optional[pd.Series] = None
    warnings: List[str] = field(default_factory=list)


def _table(columns: Dict[str, Any]) -> pd.DataFrame:
    import pandas as pd

    by = columns.pop("by", None) or {}
    table = pd.DataFrame(columns)
    for value, counts in by.items():
        table[value] = counts
    return table


def tally(
    codebook: Union[Codebook, PathLike],
    transcripts: Paths,
    adjudications: Optional[PathLike] = None,
    by: Optional[str] = None,
    cases: Optional[Paths] = None,
) -> Tally:
    """Tallies the cases per code, as ``qda tally``: codes the transcripts
    with the rules, settles each exclusive group's conflicts (``resolve``,
    or the ``adjudications`` file), and counts. ``by`` names a case
    attribute to split every count by.

    Raises :class:`ConflictError` while conflicts await adjudication.
    """
    import pandas as pd

    result = _qda._tally(
        _codebook(codebook),
        _paths(transcripts),
        _paths(cases),
        None if adjudications is None else os.fspath(adjudications),
        by,
    )
    split = None
    if "by" in result:
        info = result["by"]
        split = pd.Series(info["cases"], index=info["values"], name=info["attribute"])
    return Tally(
        n=result["n"],
        unit=result["unit"],
        groups=_table(result["groups"]),
        codes=_table(result["codes"]),
        routes=pd.DataFrame(result["routes"]),
        assignments=pd.DataFrame(result["assignments"]),
        by=split,
        warnings=list(result["warnings"]),
    )


_LEVELS = ("nominal", "ordinal", "interval", "ratio")


def _matrix(ratings: pd.DataFrame, level: str) -> List[List[Optional[float]]]:
    """The ratings as numbers, missing as ``None``. Nominal labels are
    numbered by their order as text, as ``qda agree --ratings`` numbers
    them; other levels need numbers."""
    if ratings.shape[1] < 2:
        raise RatingsError(
            f"ratings: {ratings.shape[1]} coder column(s); give one column per coder, at least two"
        )
    rows = ratings.astype(object).where(ratings.notna(), None).values.tolist()
    if level == "nominal":
        present = {v for row in rows for v in row if v is not None}
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
            return [[None if v is None else float(v) for v in row] for row in rows]
        # Labels: each is its place among the labels sorted as text, as
        # `qda agree --ratings` numbers them (the bootstrap draws depend on it).
        rank = {label: float(r) for r, label in enumerate(sorted(present, key=str))}
        return [[None if v is None else rank[v] for v in row] for row in rows]
    matrix: List[List[Optional[float]]] = []
    for unit, row in zip(ratings.index, rows):
        out: List[Optional[float]] = []
        for coder, v in zip(ratings.columns, row):
            if v is None:
                out.append(None)
                continue
            try:
                number = float(v)
            except (TypeError, ValueError):
                raise RatingsError(
                    f"ratings: unit {unit!r}, coder {coder!r}: {v!r} is not a number; "
                    f'level="{level}" needs numbers (or use level="nominal")'
                ) from None
            if number != number or number in (float("inf"), float("-inf")):
                raise RatingsError(f"ratings: unit {unit!r}, coder {coder!r}: {v!r} is not a finite number")
            out.append(number)
        matrix.append(out)
    return matrix


def agree(
    ratings: pd.DataFrame,
    level: str = "nominal",
    resamples: int = 1000,
    seed: int = 1,
) -> pd.DataFrame:
    """Inter-coder reliability of a ratings table, as ``qda agree --ratings``:
    one row per unit, one column per coder, each cell the coder's value
    (missing: ``None``/``NaN``).

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
    table = pd.DataFrame(_qda._agree(_matrix(ratings, level), level, int(resamples), int(seed)))
    return table.set_index("coefficient")
