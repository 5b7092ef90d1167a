"""Raising planeval errors with their place as attributes.

Every planeval exception has the attributes ``path``, ``file``, ``row``, ``column``, ``sheet`` and
``cell`` (None when unknown; ``row`` counts from 1: a text file's line, a sheet's row) and
``message`` (what is wrong without the place, None unless given apart, as
``ExpressionError.message``). Errors raised by the C++
core get them from ``planeval::location``; Python code that raises a planeval error builds it with
:func:`located`, so that callers read the place from the attributes, never from the message.
"""

from __future__ import annotations

from typing import TypeVar

from . import _core

E = TypeVar("E", bound=_core.Error)

LANGS = ("zh", "en")


def check_lang(lang: str) -> None:
    """Raise :class:`planeval.Error` unless ``lang`` is "zh" or "en" (API conventions, item 7)."""
    if lang not in LANGS:
        raise _core.Error(f'lang: expected "zh" or "en", got {lang!r}')


def located(
    kind: type[E],
    message: str,
    *,
    path: str | None = None,
    file: str | None = None,
    row: int | None = None,
    column: str | None = None,
    sheet: str | None = None,
    cell: str | None = None,
    detail: str | None = None,
) -> E:
    """An instance of ``kind`` (``DataError``, ``PlanError``, ``Error``) with ``message`` (str(e))
    and its place as attributes; ``detail`` becomes its ``message`` attribute (what is wrong without
    the place). ``raise located(DataError, "...", sheet="小学", cell="E5", row=5)``."""
    if row is not None and (isinstance(row, bool) or not isinstance(row, int) or row < 1):
        raise ValueError(f"located: row counts from 1, got {row!r}")
    error = kind(message)
    error.path = path
    error.file = file
    error.row = row
    error.column = column
    error.sheet = sheet
    error.cell = cell
    error.message = detail
    return error
