"""CSV files written by planeval, safe to open in a spreadsheet program.

Text from plans and data (indicator and school names, reasons quoting them) reaches the CSV files
planeval writes. A spreadsheet program opening a CSV file evaluates a cell that starts with ``=``,
``+``, ``-`` or ``@`` (and, in some programs, a tab or a carriage return) as a formula: a school
named ``=HYPERLINK("http://…","点击")`` would become a live link (CSV injection, CWE-1236). As OWASP
recommends (https://owasp.org/www-community/attacks/CSV_Injection), every *text* cell starting with
one of those characters is written with a leading apostrophe (``'=HYPERLINK(…)``), which makes the
program show it as text; numbers are written as numbers (``-1.5`` stays a number). planeval's
readers (``read_csv``, ``read_observations``) take the apostrophe off again where they read names
(``entity_name``), so a file planeval wrote reads back to the original text.

Files are UTF-8 with a byte-order mark (what Excel needs to read UTF-8) and CRLF line ends (RFC 4180).
"""

from __future__ import annotations

import csv
import io
import math
import os
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from . import _core

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd  # type: ignore[import-untyped, unused-ignore]

    from ._core import Observations, Plan

__all__ = ["FORMULA_PREFIXES", "csv_text", "neutralise", "to_csv", "unneutralise", "write_rows"]

#: The first characters that make a spreadsheet program read a CSV cell as a formula (OWASP).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """``text`` with a leading apostrophe when it starts with one of :data:`FORMULA_PREFIXES`."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def unneutralise(text: str) -> str:
    """The inverse of :func:`neutralise`: ``'=x`` gives ``=x``; other text is returned as it is."""
    if len(text) > 1 and text[0] == "'" and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


def _cell(value: Any) -> str:
    """One cell's text: numbers as numbers (NaN and None empty), booleans as true/false, dates ISO,
    anything else as neutralised text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)) or type(value).__module__ == "numpy":
        try:
            x = float(value)
        except (TypeError, ValueError):
            return neutralise(str(value))
        if math.isnan(x):
            return ""
        if hasattr(value, "dtype") and value.dtype.kind == "b":
            return "true" if bool(value) else "false"
        if hasattr(value, "dtype") and value.dtype.kind in "iu":
            return str(int(value))
        return repr(x) if isinstance(value, float) or hasattr(value, "dtype") else str(value)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return neutralise(str(value))


def write_rows(path: str | os.PathLike[str], header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Writes a CSV file: the header and the rows, every cell through the neutralising rule."""
    target = os.fspath(path)
    try:
        with open(target, "w", encoding="utf-8-sig", newline="") as f:
            _write(f, header, rows)
    except OSError as e:
        raise _core.Error(f"{target}: cannot write ({e.strerror or e})") from None


def _write(f: Any, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    w = csv.writer(f, lineterminator="\r\n")
    w.writerow([neutralise(str(h)) for h in header])
    for row in rows:
        w.writerow([_cell(v) for v in row])


def _frame_rows(frame: pd.DataFrame, index: bool) -> tuple[list[str], Iterable[Sequence[Any]]]:
    header = [str(c) for c in frame.columns]
    columns = [frame[c].tolist() for c in frame.columns]
    if index:
        header.insert(0, str(frame.index.name or ""))
        columns.insert(0, frame.index.tolist())
    return header, (zip(*columns) if columns else iter(()))


def csv_text(frame: pd.DataFrame, *, index: bool = False) -> str:
    """The text :func:`to_csv` writes (without the byte-order mark)."""
    buf = io.StringIO(newline="")
    _write(buf, *_frame_rows(frame, index))
    return buf.getvalue()


def to_csv(frame: pd.DataFrame, path: str | os.PathLike[str], *, index: bool = False) -> None:
    """Writes a pandas DataFrame as a CSV file that is safe to open in Excel or WPS (see the
    module's text): text cells starting with ``=``, ``+``, ``-``, ``@``, tab or CR get a leading
    apostrophe, numbers stay numbers, missing values are empty cells. ``index=True`` writes the
    index as the first column."""
    write_rows(path, *_frame_rows(frame, index))


def observations_to_csv(obs: Observations, path: str | os.PathLike[str], plan: Plan) -> None:
    """Observations.to_csv: the rows in the format ``read_csv`` reads (indicator, entity, period or
    date, value, missing as ``NA``, weight, estimated, provisional), with the entities' names
    (``entity_name``) and parents (``parent``), so the file reads back into the same plan, or adds
    its schools to another (``add_entities=True``)."""
    frame = obs.to_frame(plan)
    entities = {e.id: e for e in plan.entities}
    times: list[str] = []
    points = True
    for r, (start, end) in enumerate(zip(frame["start"].tolist(), frame["end"].tolist())):
        s, e = start.date() if hasattr(start, "date") else start, end.date() if hasattr(end, "date") else end
        if s == e:
            times.append(s.isoformat())
            continue
        points = False
        for text in (str(s.year), f"{s.year}/{s.year + 1}"):
            p = _core.parse_period(text)
            if p is not None and p.start == s and p.end == e:
                times.append(text)
                break
        else:
            raise _core.DataError(
                f"row {r + 1}: the period {s.isoformat()}–{e.isoformat()} is not a calendar or school year "
                "nor a date, which read_csv's format cannot hold"
            )
    if points is False and any("-" in t for t in times):
        bad = next(r for r, t in enumerate(times) if "-" in t)
        raise _core.DataError(
            f"row {bad + 1}: a date ({times[bad]}) among periods: read_csv's format holds one kind of time"
        )
    header = ["indicator", "entity", "entity_name", "parent", "date" if points else "period", "value"]
    has_weight = "weight" in frame.columns
    if has_weight:
        header.append("weight")
    header += ["estimated", "provisional"]
    rows = []
    for r, (ind, ent, value, missing) in enumerate(
        zip(frame["indicator"], frame["entity"], frame["value"], frame["missing"])
    ):
        e = entities[ent]
        row: list[Any] = [ind, ent, e.name.zh, e.parent or "", times[r], "NA" if missing else value]
        if has_weight:
            row.append(frame["weight"].iloc[r])
        row += [bool(frame["estimated"].iloc[r]), bool(frame["provisional"].iloc[r])]
        rows.append(row)
    write_rows(path, header, rows)
