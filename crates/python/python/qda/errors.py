"""The exceptions qda raises.

Every one is a :class:`QdaError` and carries where the problem is: ``file``,
``line`` and ``column`` (each ``None`` when not known) and ``kind`` (such as
``"syntax"``, ``"unknown_key"``, ``"unknown_name"``, ``"conflict"``). The
message says what is wrong and how to fix it, led by ``FILE:LINE:COL:``.
"""

from __future__ import annotations

from typing import Optional

__all__ = [
    "QdaError",
    "InputError",
    "CodebookError",
    "TranscriptError",
    "AdjudicationError",
    "ConflictError",
    "RatingsError",
]


class QdaError(Exception):
    """A problem with qda's input, with the file, line and column."""

    def __init__(
        self,
        message: str,
        file: Optional[str] = None,
        line: Optional[int] = None,
        column: Optional[int] = None,
        kind: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.kind = kind

    def __reduce__(self):  # keeps the fields when Dask sends it back from a worker
        return (type(self), (self.message, self.file, self.line, self.column, self.kind))


class InputError(QdaError):
    """A file or folder that is missing, unreadable or not UTF-8, or a bad argument."""


class CodebookError(QdaError):
    """A codebook that does not parse or validate, or a rule that cannot be compiled."""


class TranscriptError(QdaError):
    """A transcript or case table (``cases.csv``) that does not parse."""


class AdjudicationError(QdaError):
    """An adjudications file that does not parse or names unknown cases or codes."""


class ConflictError(QdaError):
    """Cases with several codes of an exclusive group that awaits adjudication."""


class RatingsError(QdaError, ValueError):
    """A ratings table that ``agree`` cannot use."""
