"""A catalogue of bad inputs, one per public entry point and way of being wrong (issue 12: no crash,
no silent loss).

Every case feeds planeval something wrong and asserts two things about what comes back:

1. the exception's type: a :class:`planeval.Error` subclass (``PlanError`` for plans,
   ``DataError`` for data, ``ExpressionError`` for formulas, ``StandardError`` for standards...),
   never a bare TypeError, UnicodeDecodeError, KeyError, IndexError or ValueError, and never a
   crash;
2. its message: it names the place (the file, a JSON path such as ``targets[2].goal.deadline``, a
   CSV line and column, a sheet and cell, a parameter) and says what was expected; it is valid
   Unicode.

A few cases are wrong values rather than errors (a mean of two 1e308 is 1e308, not inf): they
check the value. Cases marked ``xfail(strict=True, reason="issue 12: ...")`` describe how the
library should behave and does not yet; each is flipped (the mark removed) when its fix lands.

Run one area with ``-k "csv"``; read the whole catalogue with ``--collect-only -q``.
"""

from __future__ import annotations

import datetime
import json
import math
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Union

import numpy as np
import pandas as pd
import pytest

import planeval
from planeval import DataError, Error, ExpressionError, PlanError, StandardError

# --- the cases -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ctx:
    """What a case runs with: a scratch directory and the small valid plan's JSON text."""

    tmp: Path
    mini: str

    def plan(self) -> planeval.Plan:
        return planeval.parse_plan(self.mini)

    def write(self, name: str, content: str | bytes) -> Path:
        """A file in the scratch directory; text is written as UTF-8 bytes, line endings as given."""
        path = self.tmp / name
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return path


Run = Callable[[Ctx], object]
#: A regular expression, or a function of the context giving one (a line number of the plan's text).
Pattern = Union[str, Callable[[Ctx], str]]


def _short(text: str, limit: int = 600) -> str:
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


def _check_error(
    error: Exception,
    expected: type[Error],
    says: Sequence[Pattern],
    ctx: Ctx,
    not_says: Sequence[str] = (),
    max_length: int | None = None,
) -> None:
    """`error` is an `expected` (a planeval.Error) whose message matches every pattern of `says`,
    none of `not_says`, is valid Unicode and has at most `max_length` characters when given."""
    kind = f"{type(error).__module__}.{type(error).__qualname__}"
    message = str(error)
    assert isinstance(error, Error), f"{kind} is not a planeval.Error: {_short(message)}"
    assert isinstance(error, expected), f"{kind}, expected {expected.__name__}: {_short(message)}"
    assert message.strip(), f"{kind} without a message"
    assert not any(0xD800 <= ord(ch) <= 0xDFFF for ch in message), f"a lone surrogate in {message!r}"
    for said in says:
        pattern = said if isinstance(said, str) else said(ctx)
        assert re.search(pattern, message), f"the message does not say {pattern!r}: {_short(message)}"
    for pattern in not_says:
        assert not re.search(pattern, message), f"the message says {pattern!r}: {_short(message)}"
    if max_length is not None:
        assert len(message) <= max_length, f"a message of {len(message)} characters: {_short(message)}"


@dataclass(frozen=True)
class Raises:
    """`run` raises `error`; its message matches every pattern of `says` (the place, then what was
    expected) and none of `not_says`, and has at most `max_length` characters when given."""

    run: Run
    error: type[Error]
    says: tuple[Pattern, ...]
    not_says: tuple[str, ...] = ()
    max_length: int | None = None

    def check(self, ctx: Ctx) -> None:
        try:
            got = self.run(ctx)
        except Exception as e:  # any exception: the check says which it is and why it is wrong
            _check_error(e, self.error, self.says, ctx, self.not_says, self.max_length)
            return
        pytest.fail(f"accepted without an error; returned {_short(repr(got), 300)}")


@dataclass(frozen=True)
class Gives:
    """`run` succeeds (the input is not an error) and `expect` accepts what it returns (returns
    None or True)."""

    run: Run
    expect: Callable[[Any], object]

    def check(self, ctx: Ctx) -> None:
        _expect(self.expect, self.run(ctx))


def _expect(expect: Callable[[Any], object], got: object) -> None:
    result = expect(got)
    assert result is None or result is True, f"unexpected: {_short(repr(got))}"


def issue12(what: str) -> pytest.MarkDecorator:
    """A case that fails today: flip it (remove the mark) when the fix lands."""
    return pytest.mark.xfail(strict=True, reason=f"issue 12: {what}")


def bad(
    name: str,
    run: Run,
    error: type[Error],
    *says: Pattern,
    not_says: Sequence[str] = (),
    max_length: int | None = None,
    xfail: str | None = None,
) -> Any:
    marks = [issue12(xfail)] if xfail else []
    return pytest.param(Raises(run, error, tuple(says), tuple(not_says), max_length), id=name, marks=marks)


def value(name: str, run: Run, expect: Callable[[Any], object], *, xfail: str | None = None) -> Any:
    marks = [issue12(xfail)] if xfail else []
    return pytest.param(Gives(run, expect), id=name, marks=marks)


# --- plans -----------------------------------------------------------------------------------------

DELETE = object()


def _edited(mini: str, path: tuple[str | int, ...], new: object) -> str:
    data = json.loads(mini)
    node = data
    for key in path[:-1]:
        node = node[key]
    if new is DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = new
    return json.dumps(data, ensure_ascii=False, indent=1)


def plan_with(path: tuple[str | int, ...], new: object) -> Run:
    """parse_plan of the small plan with the value at `path` replaced (or DELETEd)."""
    return lambda c: planeval.parse_plan(_edited(c.mini, path, new), "plan.json")


def plan_text(transform: Callable[[str], str]) -> Run:
    """parse_plan of the small plan's text transformed."""
    return lambda c: planeval.parse_plan(transform(c.mini), "plan.json")


def plan_file(content: Callable[[str], bytes]) -> Run:
    """load_plan of a file plan.json with these bytes (from the small plan's text)."""
    return lambda c: planeval.load_plan(c.write("plan.json", content(c.mini)))


def _replace_once(old: str, new: str) -> Callable[[str], str]:
    def transform(text: str) -> str:
        assert text.count(old) == 1, old
        return text.replace(old, new)

    return transform


def _trailing(text: str) -> str:
    return text.strip() + "\n[1]\n"


def _after_line(c: Ctx) -> str:
    """The line:column where text after the plan's JSON value starts (see _trailing)."""
    return rf"plan\.json:{c.mini.strip().count(chr(10)) + 2}:1\b"


def _many_duplicate_notes(mini: str) -> str:
    data = json.loads(mini)
    data["notes"] += [{"id": "n1", "text": {"zh": "重复"}}] * 50_000
    return json.dumps(data, ensure_ascii=False)


PLANS = [
    bad(
        "plan: malformed JSON (a missing value)",
        plan_file(lambda m: b'{\n  "format": "planeval-plan",\n  "id": ]\n}'),
        PlanError,
        r"plan\.json:3:9\b",
        r"malformed JSON",
    ),
    bad(
        "plan: truncated JSON",
        plan_text(lambda m: m[:200]),
        PlanError,
        r"plan\.json:\d+:\d+",
        r"malformed JSON",
    ),
    bad("plan: an empty file", plan_file(lambda m: b""), PlanError, r"plan\.json:1:1\b", r"malformed JSON"),
    bad(
        "plan: an array at the top",
        plan_file(lambda m: b"[1, 2]"),
        PlanError,
        r"plan\.json",
        r"expected an object, got an array",
    ),
    bad(
        "plan: no such file",
        lambda c: planeval.load_plan(c.tmp / "no_such.json"),
        PlanError,
        r"no_such\.json",
    ),
    bad(
        "plan: a string where a number goes",
        plan_with(("targets", 0, "goal", "value"), "eighty"),
        PlanError,
        r"^targets\[0\]\.goal\.value: ",
        r'expected a number.*got "eighty"',
    ),
    bad(
        "plan: a number where a date goes",
        plan_with(("targets", 1, "goal", "deadline"), 2022),
        PlanError,
        r"^targets\[1\]\.goal\.deadline: ",
        r"expected a date \(YYYY-MM-DD, YYYY-MM or YYYY\), got the number 2022",
    ),
    bad(
        "plan: a string where an object goes",
        plan_with(("title",), "小规划"),
        PlanError,
        r"^title: ",
        r"expected an object",
    ),
    bad(
        "plan: an unknown key",
        plan_with(("targets", 1, "colour"), "red"),
        PlanError,
        r"^targets\[1\]\.colour: ",
        r'unknown key "colour"; expected one of: id, name, indicator',
    ),
    bad(
        "plan: a missing required key",
        plan_with(("horizon",), DELETE),
        PlanError,
        r"^horizon: ",
        r'missing required key "horizon"',
    ),
    bad(
        "plan: a dangling indicator id",
        plan_with(("targets", 0, "indicator"), "nope"),
        PlanError,
        r"^targets\[0\]\.indicator: ",
        r'unknown indicator "nope"',
    ),
    bad(
        "plan: a dangling entity parent",
        plan_with(("entities", 0, "parent"), "zz"),
        PlanError,
        r"^entities\[0\]\.parent: ",
        r'unknown entity "zz"',
    ),
    bad(
        "plan: a dangling phase",
        plan_with(("targets", 0, "phase"), "p9"),
        PlanError,
        r"^targets\[0\]\.phase: ",
        r'unknown phase "p9"',
    ),
    bad(
        "plan: a dangling conflict item",
        plan_with(("conflicts", 0, "items", 1), "zz"),
        PlanError,
        r"^conflicts\[0\]\.items\[1\]: ",
        r'"zz"',
    ),
    bad(
        "plan: month 13",
        plan_with(("targets", 2, "goal", "deadline"), "2025-13-01"),
        PlanError,
        r"^targets\[2\]\.goal\.deadline: ",
        r'expected a date \(YYYY-MM-DD, YYYY-MM or YYYY\), got "2025-13-01"',
    ),
    bad(
        "plan: February 30",
        plan_with(("targets", 1, "goal", "deadline"), "2022-02-30"),
        PlanError,
        r"^targets\[1\]\.goal\.deadline: ",
        r'got "2022-02-30"',
    ),
    bad(
        "plan: a five-digit year",
        plan_with(("horizon", "end"), "99999"),
        PlanError,
        r"^horizon\.end: ",
        r'expected a date.*got "99999"',
    ),
    bad(
        "plan: a duplicate id",
        plan_with(("targets", 1, "id"), "t1"),
        PlanError,
        r"^targets\[1\]\.id: ",
        r'duplicate id "t1"',
    ),
    bad(
        "plan: an id with a space (ids of any script are fine: 目标)",
        plan_with(("targets", 1, "id"), "目 标"),
        PlanError,
        r"^targets\[1\]\.id: ",
        r"expected an id \(letters or digits of any script",
    ),
    bad(
        "plan: overlapping phases",
        plan_with(("phases", 1, "start"), "2022"),
        PlanError,
        r"^phases\[1\]: ",
        r'overlaps phase "p1"',
    ),
    bad(
        "plan: a percentage above 100",
        plan_with(("observations", 0, "value"), 150),
        PlanError,
        r"^observations\[0\]\.value: ",
        r'expected a percentage from 0 to 100 for "rate", got 150',
    ),
    bad(
        "plan: decimals out of range",
        plan_with(("indicators", 1, "decimals"), 1e30),
        PlanError,
        r"^indicators\[1\]\.decimals: ",
        r"expected an integer from 0 to 12",
    ),
    bad(
        "plan: a number too large for a double",
        plan_text(_replace_once('"value": 80', '"value": 1e999')),
        PlanError,
        r"^targets\[0\]\.goal\.value: ",
        r"expected a finite number",
    ),
    bad(
        "plan: a formula with a syntax error",
        plan_with(("indicators", 1, "expression"), "#{teachers} + * 2"),
        PlanError,
        r"^indicators\[1\]\.expression: ",
        r'expected a value, got "\*" at column 15',
    ),
    bad(
        "plan: format_version from the future",
        plan_with(("format_version",), 99),
        PlanError,
        r"^format_version: ",
        r"expected 1 .*got the number 99",
    ),
    bad(
        "plan: a NUL byte inside a string",
        plan_file(lambda m: m.encode().replace(b"Mini plan", b"Mini\x00plan")),
        PlanError,
        r"plan\.json:3:\d+",
        r"malformed JSON",
    ),
    bad(
        "plan: nested 100000 levels deep (huge)",
        plan_text(lambda m: '{"notes": ' + "[" * 100_000 + "]" * 100_000 + "}"),
        PlanError,
        r"plan\.json:1:\d+",
        r"too deep",
    ),
    bad(
        "plan: 50000 errors (huge)",
        plan_text(_many_duplicate_notes),
        PlanError,
        r"^notes\[1\]\.id: ",
        r'duplicate id "n1".*\(and 49999 more errors\)',
    ),
    bad(
        "plan: a duplicated JSON key",
        plan_text(_replace_once('"value": 80,', '"value": 80, "value": 90,')),
        PlanError,
        r"^plan\.json:\d+:\d+: ",
        r'duplicate key "value" in targets\[0\]\.goal',
    ),
    bad(
        "plan: text after the JSON value",
        plan_text(_trailing),
        PlanError,
        _after_line,
        r"malformed JSON: unexpected text after the end of the JSON value",
    ),
    bad(
        "plan: a UTF-16 file",
        plan_file(lambda m: m.encode("utf-16")),
        PlanError,
        r"plan\.json: ",
        r"looks UTF-16 encoded.*save it as UTF-8",
    ),
    bad(
        "plan: a GBK file",
        plan_file(lambda m: m.encode("gbk")),
        PlanError,
        r"plan\.json:3:21: ",
        r"not valid UTF-8 .*GBK",
    ),
    bad(
        "plan: a str with a lone surrogate",
        plan_text(_replace_once("小规划", "\ud800")),
        Error,
        r"^text: ",
        r"not valid Unicode: a lone surrogate U\+D800 at character \d+",
    ),
]


# --- CSV files (read_csv) --------------------------------------------------------------------------

HEADER = "indicator,entity,year,value\n"


def csv(content: str | bytes, **options: Any) -> Run:
    """read_csv of a file obs.csv with this content (str: UTF-8; line endings as given)."""
    return lambda c: planeval.read_csv(c.plan(), c.write("obs.csv", content), **options)


def _read_two_rows(result: Any) -> None:
    obs, report = result
    assert len(obs) == 2 and report.rows == 2 and not report.rejected, report
    assert obs.value.tolist() == [95.0, 70.0]


def _every_bad_row_accounted_for(result: Any) -> None:
    obs, report = result
    assert len(obs) == 1 and report.rows == 4 and report.accepted == 1
    got = [(r.row, r.column, r.reason, r.message) for r in report.rejected]
    assert got == [
        (1, "value", "wrong_type", 'expected a number, got "abc"'),
        (2, "entity", "unknown_entity", 'unknown entity "zz" (add a "parent" column to add new entities)'),
        (3, "year", "bad_date", 'expected a year (YYYY), got "20x1"'),
    ], got


_GBK_SCHOOL = "第一小学".encode("gbk")  # not UTF-8: b"\xb5\xda\xd2\xbb\xd0\xa1\xd1\xa7"
_NEW_SCHOOL = "indicator,entity,year,value,parent,entity_name\n"

CSV = [
    bad(
        "csv: a missing column",
        csv("indicator,entity,year\nrate,d,2021\n"),
        DataError,
        r"obs\.csv: ",
        r'missing column "value" \(columns are: indicator, entity, year\)',
    ),
    bad(
        "csv: no time column",
        csv("indicator,entity,value\nrate,d,95\n"),
        DataError,
        r"obs\.csv: ",
        r'expected exactly one of the columns "date", "period" or "year"',
    ),
    bad(
        "csv: a bad date",
        csv("indicator,entity,date,value\nrate,d,2021-02-30,95\n"),
        DataError,
        r"obs\.csv: line 2, column date: ",
        r'expected a date \(YYYY-MM-DD, YYYY-MM or YYYY\), got "2021-02-30"',
    ),
    bad(
        "csv: a bad year",
        csv(HEADER + "rate,d,20x1,95\n"),
        DataError,
        r"obs\.csv: line 2, column year: ",
        r'expected a year \(YYYY\), got "20x1"',
    ),
    bad(
        "csv: a bad school year",
        csv("indicator,entity,period,value\nrate,d,2021/2023,95\n"),
        DataError,
        r": line 2, column period: ",
        r'expected a period \("YYYY" or school year "YYYY/YYYY"\), got "2021/2023"',
    ),
    bad(
        "csv: a non-numeric value",
        csv(HEADER + "rate,d,2021,95\nteachers,s1,2021,abc\n"),
        DataError,
        r"obs\.csv: line 3, column value: ",
        r'expected a number, got "abc"',
    ),
    bad(
        "csv: a decimal comma",
        csv(HEADER + 'rate,d,2021,"95,5"\n'),
        DataError,
        r": line 2, column value: ",
        r'expected a number, got "95,5"',
    ),
    bad(
        "csv: a percentage above 100",
        csv(HEADER + "rate,d,2021,120\n"),
        DataError,
        r": line 2, column value: ",
        r'expected a percentage from 0 to 100 for "rate", got 120',
    ),
    bad(
        "csv: a negative count",
        csv(HEADER + "teachers,s1,2021,-3\n"),
        DataError,
        r": line 2, column value: ",
        r'expected a count >= 0 for "teachers", got -3',
    ),
    bad(
        "csv: inf",
        csv(HEADER + "rate,d,2021,inf\n"),
        DataError,
        r": line 2, column value: ",
        r"expected a finite number, got inf",
    ),
    bad(
        "csv: a number too large for a double",
        csv(HEADER + "teachers,s1,2021,1e999\n"),
        DataError,
        r": line 2, column value: ",
        r'expected a number, got "1e999"',
    ),
    bad(
        "csv: neither true nor false",
        csv(HEADER + "passed,d,2021,maybe\n"),
        DataError,
        r": line 2, column value: ",
        r'expected true or false for boolean "passed", got "maybe"',
    ),
    bad(
        "csv: an unknown indicator",
        csv(HEADER + "nope,d,2021,95\n"),
        DataError,
        r": line 2, column indicator: ",
        r'unknown indicator "nope"',
    ),
    bad(
        "csv: an unknown entity",
        csv(HEADER + "rate,zz,2021,95\n"),
        DataError,
        r": line 2, column entity: ",
        r'unknown entity "zz" \(add a "parent" column',
    ),
    bad(
        "csv: outside the plan's data window (history is data: after the horizon)",
        csv(HEADER + "rate,d,2026,95\n"),
        DataError,
        r": line 2, column year: ",
        r"expected a date within 1900-01-01\.\.2025-12-31",
    ),
    bad(
        "csv: a negative weight",
        csv("indicator,entity,year,value,weight\nrate,d,2021,95,-1\n"),
        DataError,
        r": line 2, column weight: ",
        r"expected a finite weight >= 0, got -1",
    ),
    bad(
        "csv: the same key with two values",
        csv(HEADER + "rate,d,2021,95\nrate,d,2021,96\n"),
        DataError,
        r"obs\.csv: line \d, column value: ",
        r"the same indicator, entity and period as line \d with a different value",
    ),
    bad(
        "csv: a row with too many cells",
        csv(HEADER + "rate,d,2021,95,7\n"),
        DataError,
        r"obs\.csv: line 2 ",
        r"has 5 cells, expected 4",
    ),
    bad(
        "csv: an unbalanced quote",
        csv(HEADER + 'rate,d,2021,"95\n'),
        DataError,
        r"obs\.csv: line 2: ",
        r"unbalanced quotes",
    ),
    bad("csv: an empty file", csv(b""), DataError, r"obs\.csv: ", r"empty file \(expected a header row\)"),
    bad(
        "csv: no such file",
        lambda c: planeval.read_csv(c.plan(), c.tmp / "no_such.csv"),
        DataError,
        r"no_such\.csv: ",
        r"cannot open",
    ),
    bad(
        "csv: on_bad_row neither raise nor collect",
        csv(HEADER + "rate,d,2021,95\n", on_bad_row="ignore"),
        Error,
        r"^on_bad_row: ",
        r'expected "raise" or "collect", got "ignore"',
    ),
    value(
        "csv: every bad row accounted for (on_bad_row=collect)",
        csv(
            HEADER + "rate,d,2021,95\nrate,d,2022,abc\nrate,zz,2021,95\nrate,d,20x1,95\n",
            on_bad_row="collect",
        ),
        _every_bad_row_accounted_for,
    ),
    bad(
        "csv: a duplicated header column",
        csv("indicator,entity,year,value,value\nrate,d,2021,95,96\n"),
        DataError,
        r"obs\.csv: ",
        r'column "value" appears twice \(columns 4 and 5\)',
    ),
    value(
        "csv: CR-only line endings",
        csv("indicator,entity,year,value\rrate,d,2021,95\rteachers,s1,2022,70\r"),
        _read_two_rows,
    ),
    bad(
        "csv: a CR inside an unquoted cell",
        csv(HEADER + "teachers,s1,2021,8\r5\n"),
        DataError,
        r"obs\.csv: line 3 ",
        r"has 1 cells, expected 4",
    ),
    bad(
        "csv: a UTF-16 file without a byte-order mark (with one it is decoded)",
        csv((HEADER + "rate,d,2021,95\n").encode("utf-16-le")),
        DataError,
        r"obs\.csv: ",
        r"looks UTF-16 encoded.*save it as UTF-8",
    ),
    bad(
        "csv: bytes neither UTF-8 nor GB18030 (a GBK file is decoded)",
        csv(_NEW_SCHOOL.encode() + b"teachers,x1,2021,3,s1,\xff" + _GBK_SCHOOL + b"\n"),
        DataError,
        r"obs\.csv: line 2, column entity_name: ",
        r'not valid UTF-8 \("\\xFF\\xB5\\xDA.*GBK',
    ),
    bad(
        "csv: GBK bytes in an entity id are decoded: an unknown entity",
        csv(HEADER.encode() + b"teachers," + _GBK_SCHOOL + b",2021,3\n"),
        DataError,
        r"obs\.csv: line 2, column entity: ",
        r'unknown entity "第一小学"',
    ),
    bad(
        "csv: a GBK header is decoded: a missing column",
        csv("指标,entity,year,value\nteachers,s1,2021,3\n".encode("gbk")),
        DataError,
        r'obs\.csv: missing column "indicator" \(columns are: 指标, entity, year, value\)',
    ),
    bad(
        "csv: a NUL byte in a cell",
        csv(HEADER + "rate,d,2021,95\nrate,d,2022,96\nrate,d,2023,97\nteachers,s1,2021,9\x005\n"),
        DataError,
        r"obs\.csv: line 5, column value: ",
        r"expected a number",
        r"(?i)\\x00|\\0|\\u0000|\bNUL\b|U\+0000",
    ),
    bad(
        "csv: a 1 MB cell",
        csv(HEADER + "teachers,s1,2021," + "x" * 1_000_000 + "\n"),
        DataError,
        r"obs\.csv: line 2, column value: ",
        r"expected a number",
        max_length=2_000,
    ),
]

# --- DataFrames and numpy arrays -----------------------------------------------------------------

_COLUMNS: dict[str, list[Any]] = {
    "indicator": ["rate", "teachers"],
    "entity": ["d", "s1"],
    "year": [2021, 2022],
    "value": [95.0, 70.0],
}


def _is_text(v: object) -> bool:
    return isinstance(v, list) and any(isinstance(x, str) for x in v)


def frame(index: Sequence[Any] | None = None, **columns: Any) -> Run:
    """observations_from_frame of a two-row frame with some columns replaced (None drops one)."""

    def run(c: Ctx) -> object:
        data = {k: v for k, v in {**_COLUMNS, **columns}.items() if v is not None}
        # text columns as object columns: with pyarrow installed pandas would make Arrow strings of
        # them, which cannot hold the bad text these cases give (a lone surrogate)
        text = {k: pd.Series(v, dtype=object, index=index) for k, v in data.items() if _is_text(v)}
        return planeval.observations_from_frame(c.plan(), pd.DataFrame({**data, **text}, index=index))

    return run


def arrays(**columns: Any) -> Run:
    """observations_from_arrays of two rows with some columns replaced."""
    return lambda c: planeval.observations_from_arrays(c.plan(), **{**_COLUMNS, **columns})


FRAMES = [
    bad(
        "frame: a missing column",
        frame(value=None),
        DataError,
        r"^DataFrame: ",
        r'missing column "value" \(columns are: indicator, entity, year\)',
    ),
    bad(
        "frame: text in the value column",
        frame(index=["a", "b"], value=["95", "abc"]),
        DataError,
        r"^DataFrame: row 1 \(index 'b'\), column value: ",
        r'expected a number, got "abc"',
    ),
    bad(
        "frame: a list in the value column",
        frame(value=[[1.0], 2.0]),
        DataError,
        r"^DataFrame: row 0 \(index 0\), column value: ",
        r"expected a number",
    ),
    bad(
        "frame: complex numbers",
        frame(value=np.array([1 + 2j, 3j])),
        DataError,
        r"^DataFrame: row 0 \(index 0\), column value: ",
        r"expected a number",
    ),
    bad(
        "frame: inf",
        frame(value=[np.inf, 70.0]),
        DataError,
        r"^DataFrame: row 0 \(index 0\), column value: ",
        r"expected a finite number, got inf",
    ),
    bad(
        "frame: a fractional year",
        frame(year=[2021.5, 2022.0]),
        DataError,
        r"^DataFrame: row 0 \(index 0\), column year: ",
        r'expected a year \(YYYY\), got "2021\.5"',
    ),
    bad(
        "frame: an unknown entity",
        frame(index=["a", "b"], entity=["d", "zz"]),
        DataError,
        r"^DataFrame: row 1 \(index 'b'\), column entity: ",
        r'unknown entity "zz"',
    ),
    bad(
        "frame: duplicated columns",
        lambda c: planeval.observations_from_frame(
            c.plan(), pd.DataFrame([[1, 2]], columns=["value", "value"])
        ),
        DataError,
        r"^DataFrame: ",
        r"duplicate columns \['value'\]",
    ),
    bad(
        "frame: a lone surrogate",
        frame(index=["a", "b"], entity=["d", "x\ud800"]),
        DataError,
        r"^DataFrame: row 1 \(index 'b'\), column entity: ",
        r"lone surrogate U\+D800 at character 2",
    ),
    bad(
        "frame: bytes that are not UTF-8",
        frame(index=["a", "b"], entity=["d", _GBK_SCHOOL]),
        DataError,
        r"^DataFrame: row 1 \(index 'b'\), column entity: ",
        r"expected text or UTF-8 bytes",
    ),
    bad(
        "arrays: mismatched lengths",
        arrays(value=[1.0, 2.0, 3.0]),
        DataError,
        r"\bcolumn indicator\b",
        r"has 2 rows, expected 3 \(the length of value\)",
    ),
    bad(
        "arrays: text values",
        arrays(value=np.array(["1", "2"])),
        DataError,
        r"\bcolumn value\b",
        r"expected numbers, got dtype <U1",
    ),
    bad(
        "arrays: a 2-D value array",
        arrays(value=np.ones((2, 2))),
        DataError,
        r"\bcolumn value\b",
        r"expected a 1-D array, got 2 dimensions",
    ),
    bad(
        "arrays: NaN",
        arrays(value=[np.nan, 1.0]),
        DataError,
        r"\brow 0, column value\b",
        r"expected a finite number, got nan \(mark a value not reported as missing\)",
    ),
    bad(
        "arrays: -inf",
        arrays(value=[1.0, -np.inf]),
        DataError,
        r"\brow 1, column value\b",
        r"expected a finite number, got -inf",
    ),
    bad(
        "arrays: year -5",
        arrays(year=np.array([-5, 2022])),
        DataError,
        r"\brow 0, column year\b",
        r"expected a year from 1400 to 9999, got -5",
    ),
    bad(
        "arrays: a year beyond int64",
        arrays(year=np.array([2**63, 2022], dtype=np.uint64)),
        DataError,
        r"\brow 0, column year\b",
        r"expected a year from 1400 to 9999",
    ),
    bad(
        "arrays: an unknown indicator",
        arrays(indicator=["nope", "rate"]),
        DataError,
        r"\brow 0, column indicator\b",
        r'unknown indicator "nope"',
    ),
    bad(
        "arrays: an indicator index out of range",
        arrays(indicator=np.array([0, 7], dtype=np.uint32)),
        DataError,
        r"\brow 1, column indicator\b",
        r"expected an indicator index below 4, got 7",
    ),
    bad(
        "arrays: a NaN weight",
        arrays(weight=[np.nan, 1.0]),
        DataError,
        r"\brow 0, column weight\b",
        r"expected a finite weight >= 0, got nan",
    ),
    bad(
        "arrays: a float missing mask",
        arrays(missing=np.array([0.5, 1.0])),
        DataError,
        r"\bcolumn missing\b",
        r"expected a boolean mask, got dtype float64",
    ),
    bad(
        "arrays: a lone surrogate in an id",
        arrays(entity=["d", "\ud800"]),
        DataError,
        r"\bentity\b",
        r"row 1\b|\[1\]",
    ),
]

# --- Excel (read_excel) --------------------------------------------------------------------------


def _openpyxl() -> Any:
    return pytest.importorskip("openpyxl")


def xlsx(content: Callable[[Ctx], Path]) -> Run:
    """read_excel of the workbook `content` writes."""
    return lambda c: planeval.read_excel(c.plan(), content(c))


def _bytes_book(data: bytes) -> Callable[[Ctx], Path]:
    return lambda c: c.write("book.xlsx", data)


def _zip_without_workbook(c: Ctx) -> Path:
    path = c.tmp / "book.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    return path


def _tidy_book(rows: list[list[Any]]) -> Callable[[Ctx], Path]:
    """A workbook with one sheet "data" holding these rows."""

    def write(c: Ctx) -> Path:
        wb = _openpyxl().Workbook()
        ws = wb.active
        ws.title = "data"
        for row in rows:
            ws.append(row)
        path = c.tmp / "book.xlsx"
        wb.save(path)
        return path

    return write


_TIDY_HEADER = ["indicator", "entity", "year", "value"]


def _patched_book(old: bytes, new: bytes) -> Callable[[Ctx], Path]:
    """A tidy workbook whose sheet XML has `old` replaced by `new` (a file no spreadsheet wrote)."""

    def write(c: Ctx) -> Path:
        good = _tidy_book([_TIDY_HEADER, ["rate", "d", 2021, 95]])(c)
        path = c.tmp / "patched.xlsx"
        with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w") as dst:
            for name in src.namelist():
                data = src.read(name)
                if name == "xl/worksheets/sheet1.xml":
                    assert old in data
                    data = data.replace(old, new)
                dst.writestr(name, data)
        return path

    return write


def _template(cells: dict[tuple[str, str], Any]) -> Callable[[Ctx], Path]:
    """The small plan's template (sheet 区级: the machine row is row 3, the district d row 4; F is
    teachers 2021, L rate 2021) with these (sheet, cell) values filled in."""

    def write(c: Ctx) -> Path:
        path = c.tmp / "template.xlsx"
        planeval.excel_template(c.plan(), path)
        wb = _openpyxl().load_workbook(path)
        for (sheet, cell), v in cells.items():
            wb[sheet][cell] = v
        wb.save(path)
        return path

    return write


EXCEL = [
    bad(
        "excel: a CSV file named .xlsx",
        xlsx(_bytes_book(b"indicator,entity,year,value\nrate,d,2021,95\n")),
        DataError,
        r"book\.xlsx: ",
        r"expected an Excel \.xlsx file",
    ),
    bad(
        "excel: an empty file",
        xlsx(_bytes_book(b"")),
        DataError,
        r"book\.xlsx: ",
        r"expected an Excel \.xlsx file",
    ),
    bad(
        "excel: a zip without a workbook",
        xlsx(_zip_without_workbook),
        DataError,
        r"book\.xlsx: ",
        r"expected an Excel \.xlsx file",
    ),
    bad(
        "excel: no such file",
        lambda c: planeval.read_excel(c.plan(), c.tmp / "no_such.xlsx"),
        DataError,
        r"no_such\.xlsx: ",
        r"no such file",
    ),
    bad(
        "excel: no such sheet",
        lambda c: planeval.read_excel(c.plan(), _tidy_book([_TIDY_HEADER])(c), sheet="nope"),
        DataError,
        r"book\.xlsx: ",
        r"no sheet 'nope' \(sheets: data\)",
    ),
    bad(
        "excel: a sheet without a header",
        xlsx(_tidy_book([["a", "b"], [1, 2]])),
        DataError,
        r"book\.xlsx: ",
        r"no sheet to read: expected a planeval template .* or a tidy sheet",
    ),
    bad(
        "excel: a tidy sheet without a value column",
        xlsx(_tidy_book([["indicator", "entity", "year"], ["rate", "d", 2021]])),
        DataError,
        r"book\.xlsx: data: ",
        r'missing column "value"',
    ),
    bad(
        "excel: a tidy sheet with a duplicated column",
        xlsx(_tidy_book([[*_TIDY_HEADER, "value"], ["rate", "d", 2021, 1, 2]])),
        DataError,
        r"book\.xlsx: data: ",
        r'duplicate column "value"',
    ),
    bad(
        "excel: text in a value cell",
        xlsx(_tidy_book([_TIDY_HEADER, ["rate", "d", 2021, 95], ["rate", "d", 2022, "abc"]])),
        DataError,
        r"book\.xlsx: data!D3 \(rate, d\): ",
        r'expected a number, got "abc"',
    ),
    bad(
        "excel: an error cell (#DIV/0!)",
        xlsx(_tidy_book([_TIDY_HEADER, ["rate", "d", 2021, "#DIV/0!"]])),
        DataError,
        r"book\.xlsx: data!D2 ",
        r'expected a number, got "#DIV/0!"',
    ),
    bad(
        "excel: a date from 1900 in the year column",
        xlsx(_tidy_book([_TIDY_HEADER, ["rate", "d", datetime.datetime(1900, 1, 1), 95]])),
        DataError,
        r"book\.xlsx: data!C2 ",
        r"expected a year|expected a date within",
    ),
    bad(
        "excel: a number cell holding text (hand-made XML)",
        xlsx(_patched_book(b"<v>95</v>", b"<v>abc</v>")),
        DataError,
        r"patched\.xlsx: data!D2: ",
        r"expected a number .*got 'abc'",
    ),
    bad(
        "excel: a cell reference beyond XFD (hand-made XML)",
        xlsx(_patched_book(b'r="D2"', b'r="ZZZZZ2"')),
        DataError,
        r"patched\.xlsx: data, row 2\b",
        r"expected a cell reference from A1 to XFD1048576, got 'ZZZZZ2'",
    ),
    bad(
        "excel: a template cell with text",
        xlsx(_template({("区级", "F4"): "abc"})),
        DataError,
        r"template\.xlsx: 区级!F4 \(teachers 2021, d\): ",
        r'expected a number, got "abc"',
    ),
    bad(
        "excel: a template percentage of 150",
        xlsx(_template({("区级", "L4"): 150})),
        DataError,
        r"template\.xlsx: 区级!L4 \(rate 2021, d\): ",
        r'expected a percentage from 0 to 100 for "rate", got 150',
    ),
    bad(
        "excel: a template's machine row with an unknown indicator",
        xlsx(_template({("区级", "E3"): "nope|2020"})),
        DataError,
        r"template\.xlsx: 区级!E3: ",
        r'unknown indicator "nope" in the machine row',
    ),
    bad(
        "excel: a template of another plan",
        xlsx(_template({("_planeval", "B3"): "other"})),
        Error,
        r"template\.xlsx: ",
        r'a template of plan "other" .*not of plan "mini"',
    ),
]

# --- formulas (evaluate_expression, parse_expression) ---------------------------------------------


def formula(text: str, values: dict[str, Any] | None = None, **options: Any) -> Run:
    return lambda c: planeval.evaluate_expression(text, {"a": [1.0]} if values is None else values, **options)


def _at_column(n: int) -> Callable[[Ctx], str]:
    return lambda c: rf"at column {n}$"


FORMULAS = [
    bad(
        "formula: a syntax error",
        formula("#{a} + * 2"),
        ExpressionError,
        _at_column(8),
        r'expected a value, got "\*"',
    ),
    bad(
        "formula: an unclosed parenthesis",
        formula("(#{a} + 2"),
        ExpressionError,
        r'expected "\)" to close the "\(" at column 1',
        r"got the end of the formula at column 10$",
    ),
    bad("formula: an empty formula", formula(""), ExpressionError, _at_column(1), r"empty formula"),
    bad(
        "formula: an unknown function",
        formula("foo(#{a})"),
        ExpressionError,
        _at_column(1),
        r'unknown function "foo"',
    ),
    bad(
        "formula: a wrong arity",
        formula("log()"),
        ExpressionError,
        _at_column(1),
        r'"log" takes 1 or 2 arguments',
    ),
    bad(
        "formula: a type error",
        formula("#{a} + true"),
        ExpressionError,
        _at_column(6),
        r'"\+" needs numbers, got number and boolean',
    ),
    bad(
        "formula: an unknown indicator",
        formula("#{a} + #{b}"),
        ExpressionError,
        _at_column(10),
        r'unknown indicator "b"',
    ),
    bad(
        "formula: an unknown constant",
        formula("C{k} * 2"),
        ExpressionError,
        _at_column(3),
        r'unknown constant "k"',
    ),
    bad(
        "formula: an unexpected character",
        formula("#{a} + é"),
        ExpressionError,
        _at_column(8),
        r'unexpected character "é"',
    ),
    bad(
        "formula: nested 4999 parentheses deep",
        formula("(" * 4999 + "1" + ")" * 4999, {}),
        ExpressionError,
        _at_column(66),
        r"nested too deeply \(more than 64 levels\)",
    ),
    bad(
        "formula: 9999 unary minuses",
        formula("-" * 9999 + "1", {}),
        ExpressionError,
        _at_column(66),
        r"nested too deeply",
    ),
    bad(
        "formula: a million characters",
        formula("1+" * 500_000 + "1", {}),
        ExpressionError,
        _at_column(10001),
        r"formula longer than 10000 characters",
    ),
    bad(
        "formula: value arrays of different lengths",
        formula("#{a} + #{b}", {"a": [1.0], "b": [1.0, 2.0]}),
        Error,
        r'^values\["b"\]: ',
        r"expected 1 values like the other columns, got 2",
    ),
    bad(
        "formula: an unknown missing-value policy",
        formula("#{a}", missing="never"),
        Error,
        r"^missing: ",
        r'expected one of "skip_if_any_missing", "skip_if_all_missing" or "never_skip", got "never"',
    ),
    bad(
        "formula: parse_expression with an unknown indicator",
        lambda c: planeval.parse_expression("#{x} + 1", indicators=["a"]),
        ExpressionError,
        _at_column(3),
        r'unknown indicator "x"',
    ),
    bad(
        "formula: parse_expression with a bad indicator id",
        lambda c: planeval.parse_expression("#{a b} + 1"),
        ExpressionError,
        _at_column(4),
        r"invalid character in indicator id",
    ),
    bad(
        "formula: text in a value array",
        formula("#{a} + 1", {"a": ["x"]}),
        planeval.ArgumentTypeError,  # a planeval.Error and a TypeError (API conventions, item 8)
        r'values\["a"\]\[0\]',
        r"expected a number or NaN/None \(missing\), got str",
    ),
    bad(
        "formula: a lone surrogate",
        formula("#{a} + \ud800"),
        ExpressionError,
        _at_column(8),
    ),
]

# --- methods and their parameters (assess, evaluate) ------------------------------------------------

_POINTS: dict[str, Any] = {"baseline": (2020, 40.0), "current": (2023, 44.0), "target": (2025, 50.0)}
AS_OF = datetime.date(2023, 12, 31)


def assessed(method: str = "linear", **changes: Any) -> Run:
    return lambda c: planeval.assess(method, **{**_POINTS, **changes})


def evaluated(**options: Any) -> Run:
    def run(c: Ctx) -> object:
        plan = c.plan()
        obs, _ = planeval.observations_from_arrays(
            plan, indicator=["teachers"], entity=["s1"], year=[2022], value=[70.0]
        )
        return plan.evaluate(obs, as_of=AS_OF, **options)

    return run


_METHODS = r'expected one of "linear", "statcan", "eurostat", "escap_csi", "escap_api", "sdsn" or "unsd"'

METHODS = [
    bad("assess: an unknown method", assessed("nope"), Error, r'^assess: unknown method "nope"; ', _METHODS),
    bad(
        "assess: an unknown parameter",
        assessed(colour=1),
        Error,
        r'^assess \(linear\): unknown parameter "colour"',
        r'accepted parameters: "margin"',
    ),
    bad(
        "assess: a parameter that is not a number",
        assessed(margin="x"),
        Error,
        r'^assess \(linear\): parameter "margin" ',
        r"must be a number, not str",
    ),
    bad(
        "assess: a NaN parameter",
        assessed(margin=float("nan")),
        Error,
        r'^assess \(linear\): parameter "margin" ',
        r"must be a finite number",
    ),
    bad(
        "assess: an infinite baseline value",  # NaN is missing: not assessable (API conventions)
        assessed(baseline=(2020, float("inf"))),
        DataError,
        r"^baseline value ",
        r"expected a finite number or NaN",
    ),
    bad(
        "assess: an unknown direction",
        assessed(direction="up"),
        Error,
        r"^direction: ",
        r'expected one of "increase", "decrease", "maintain" or "band", got "up"',
    ),
    bad(
        "assess: defaults of an unknown method",
        lambda c: planeval.assess_defaults("nope"),
        Error,
        r'unknown method "nope"',
        _METHODS,
    ),
    bad(
        "assess: baseline year -5",
        assessed(baseline=(-5, 40.0)),
        Error,
        r"\bbaseline\b",
        r"(?i)\byears?\b.*got -5$",
    ),
    bad(
        "assess: target year 1e20",
        assessed(target=(1e20, 50.0)),
        Error,
        r"\btarget\b",
        r"(?i)\byears?\b.*got 1e\+?20$",
    ),
    value(
        'evaluate: methods="statcan" is one method',
        evaluated(methods="statcan"),
        lambda report: report.to_dict()["methods"] == ["linear", "statcan"],
    ),
    bad("evaluate: an unknown method", evaluated(methods=["nope"]), Error, r"^evaluate: methods: ", _METHODS),
    bad(
        "evaluate: an unknown primary method",
        evaluated(primary="nope"),
        Error,
        r"^evaluate: primary: ",
        r'unknown method "nope"',
    ),
    bad(
        "evaluate: parameters of an unknown method",
        evaluated(params={"nope": {"margin": 1}}),
        Error,
        r"^evaluate: params: ",
        r'unknown method "nope"',
    ),
    bad(
        "evaluate: an unknown parameter",
        evaluated(params={"linear": {"colour": 1}}),
        Error,
        r'\(linear\): unknown parameter "colour"',
        r'accepted parameters: "margin"',
    ),
    bad(
        "evaluate: threads=-1",
        evaluated(threads=-1),
        Error,
        r"^evaluate: threads ",
        r"must be 0 \(all cores\) or 1 to 1024, got -1",
    ),
]

# --- rules (aggregate, planeval.rules) --------------------------------------------------------------


def aggregated(
    rule: str, values: Sequence[float], weights: Sequence[float] | None = None, **options: Any
) -> Run:
    return lambda c: planeval.aggregate(
        rule,
        np.asarray(values, dtype=np.float64),
        None if weights is None else np.asarray(weights),
        **options,
    )


def _merge_ddof(c: Ctx) -> object:
    from planeval.rules import StdDev

    return StdDev(ddof=0).observe(np.array([1.0, 2.0])) + StdDev(ddof=1).observe(np.array([1.0, 3.0]))


def _from_bytes(c: Ctx) -> object:
    from planeval.rules import Mean

    return Mean.from_bytes(b"garbage")


RULES = [
    bad(
        "aggregate: an unknown rule",
        aggregated("avg", [1.0, 2.0]),  # ("average" is DHIS2's AVERAGE, the mean)
        Error,
        r'^aggregate: unknown rule "avg"; ',
        r"expected one of sum, count, mean",
    ),
    bad(
        "aggregate: a negative weight",
        aggregated("weighted_mean", [1.0, 2.0], [-1.0, 1.0]),
        DataError,
        r"^weights\[0\] ",
        r"weights must be finite and >= 0",
    ),
    bad(
        "aggregate: a NaN weight",
        aggregated("weighted_mean", [1.0, 2.0], [1.0, np.nan]),
        DataError,
        r"^weights\[1\] is nan",
        r"weights must be finite and >= 0",
    ),
    bad(
        "aggregate: weights of another length",
        aggregated("weighted_mean", [1.0, 2.0], [1.0]),
        DataError,
        r"\bcolumn weights\b",
        r"has 1 rows, expected 2 \(the length of values\)",
    ),
    bad(
        "aggregate: inf for a value",  # NaN is missing (API conventions, item 2); inf is refused
        aggregated("mean", [np.inf, 2.0]),
        DataError,
        r"^values\[0\]",
        r"expected a finite number or NaN \(missing\), got inf",
    ),
    bad(
        "aggregate: ddof=5",
        aggregated("stddev", [1.0, 2.0], ddof=5),
        Error,
        r"\bddof\b",
        r"must be 0 .* or 1",
    ),
    bad(
        "aggregate: percentile q=150",
        aggregated("percentile", [1.0, 2.0], q=150),
        Error,
        r"\bq\b",
        r"must be in \[0, 1\], got 150",
    ),
    bad(
        'aggregate: comparator "=>"',
        aggregated("share_meeting", [1.0, 2.0], threshold=1, comparator="=>"),
        Error,
        r"\bcomparator\b",
        r'must be ">=", ">", "<=", "<" or "=", got "=>"',
    ),
    bad(
        "aggregate: an unknown missing-value policy",
        aggregated("mean", [1.0, 2.0], policy="sometimes"),
        Error,
        r"^policy: ",
        r'got "sometimes"',
    ),
    bad(
        "rules: merging different ddof",
        _merge_ddof,
        Error,
        r"\bstddev\b",
        r"cannot merge stddev with different ddof \(population vs sample\)",
    ),
    bad("rules: from_bytes of garbage", _from_bytes, Error, r"^from_bytes<mean>: ", r"truncated input"),
    value(
        "aggregate: the mean of two 1e308 is 1e308",
        aggregated("mean", [1e308, 1e308]),
        lambda v: v == pytest.approx(1e308),
    ),
    value(
        "aggregate: a weighted mean with huge weights is finite",
        aggregated("weighted_mean", [1.0, 2.0], [1e308, 1e308]),
        lambda v: v is not None and math.isfinite(v) and v == pytest.approx(1.5),
    ),
]

# --- official standards (parse_standard, load_standard, evaluate_standard) ------------------------

STANDARD = "compulsory_quality_balance_2017"


def standard_with(edit: Callable[[dict[str, Any]], object]) -> Run:
    """parse_standard of a built-in standard's JSON edited."""

    def run(c: Ctx) -> object:
        data = json.loads(planeval.builtin_standard_json(STANDARD))
        edit(data)
        return planeval.parse_standard(json.dumps(data, ensure_ascii=False), "std.json")

    return run


def standard_text(transform: Callable[[str], str]) -> Run:
    return lambda c: planeval.parse_standard(transform(planeval.builtin_standard_json(STANDARD)), "std.json")


def standard_file(encoding: str) -> Run:
    def run(c: Ctx) -> object:
        text = planeval.builtin_standard_json(STANDARD)
        return planeval.load_standard(c.write("std.json", text.encode(encoding)))

    return run


def evaluated_standard(**options: Any) -> Run:
    def run(c: Ctx) -> object:
        plan = c.plan()
        obs, _ = planeval.observations_from_arrays(
            plan, indicator=["teachers"], entity=["s1"], year=[2021], value=[3.0]
        )
        return planeval.evaluate_standard(planeval.builtin_standard(STANDARD), plan, obs, **options)

    return run


def _set(key: str, v: Any) -> Callable[[dict[str, Any]], None]:
    return lambda d: d.__setitem__(key, v)


STANDARDS = [
    bad(
        "standard: malformed JSON",
        lambda c: planeval.parse_standard("{", "std.json"),
        StandardError,
        r"^std\.json:1:2: ",
        r"malformed JSON",
    ),
    bad(
        "standard: an empty object",
        lambda c: planeval.parse_standard("{}", "std.json"),
        StandardError,
        r"^std\.json: format: ",
        r'missing required key "format"',
    ),
    bad(
        "standard: an unknown key",
        standard_with(_set("colour", 1)),
        StandardError,
        r"^std\.json: colour: ",
        r'unknown key "colour"; expected one of: format',
    ),
    bad(
        "standard: a threshold that is not a number",
        standard_with(lambda d: d["indicators"][0]["thresholds"].__setitem__("小学", "high")),
        StandardError,
        r"^std\.json: indicators\[0\]\.thresholds\.小学: ",
        r'expected a number, got "high"',
    ),
    bad(
        "standard: an unknown stage",
        standard_with(lambda d: d["indicators"][0]["thresholds"].__setitem__("大学", 3)),
        StandardError,
        r"^std\.json: indicators\[0\]\.thresholds\.大学: ",
        r'unknown stage "大学"; expected one of',
    ),
    bad(
        "standard: a bad comparator",
        standard_with(lambda d: d["indicators"][1].__setitem__("comparator", "=>")),
        StandardError,
        r"^std\.json: indicators\[1\]\.comparator: ",
        r'expected one of ">=", ">", "<=" or "<", got "=>"',
    ),
    bad(
        "standard: a duplicate indicator",
        standard_with(lambda d: d["indicators"].append(d["indicators"][0])),
        StandardError,
        r"^std\.json: indicators\[\d+\]\.id: ",
        r'duplicate indicator id "qualified_teachers_per_100"',
    ),
    bad(
        "standard: an unknown group",
        standard_with(lambda d: d["indicators"][0].__setitem__("group", "nope")),
        StandardError,
        r"^std\.json: indicators\[0\]\.group: ",
        r'unknown group "nope"',
    ),
    bad(
        "standard: a bad date",
        standard_with(lambda d: d["document"].__setitem__("date", "2017-02-30")),
        StandardError,
        r"^std\.json: document\.date: ",
        r'expected a date .*got "2017-02-30"',
    ),
    bad(
        "standard: no such file",
        lambda c: planeval.load_standard(c.tmp / "no_such.json"),
        StandardError,
        r"no_such\.json: ",
        r"cannot open",
    ),
    bad(
        "standard: an unknown built-in",
        lambda c: planeval.builtin_standard("nope"),
        Error,
        r'unknown standard "nope"',
        r"the built-in standards are: basic_balance_2012",
    ),
    bad(
        "standard: evaluated for an unknown scope",
        evaluated_standard(period=2023, scope="zz"),
        Error,
        r"^evaluate_standard: ",
        r'unknown scope entity "zz"',
    ),
    bad(
        "standard: evaluated for an unknown group",
        evaluated_standard(period=2023, groups=["nope"]),
        Error,
        r"^evaluate_standard: ",
        r'unknown group "nope" of standard',
    ),
    bad(
        "standard: a duplicated JSON key",
        standard_text(_replace_once('"id": "compulsory_quality_balance_2017"', '"id": "a", "id": "b"')),
        StandardError,
        r"^std\.json:\d+:\d+: ",
        r'duplicate key "id"',
    ),
    bad(
        "standard: a UTF-16 file",
        standard_file("utf-16"),
        StandardError,
        r"std\.json: ",
        r"looks UTF-16 encoded",
    ),
    bad(
        "standard: a str with a lone surrogate",
        standard_text(_replace_once('"issuer": "教育部"', '"issuer": "\ud800"')),
        Error,
        r"^text: ",
        r"not valid Unicode: a lone surrogate U\+D800",
    ),
    bad(
        "standard: evaluated for year -5",
        evaluated_standard(period=-5),
        Error,
        r"^evaluate_standard: period: ",
        r"a year must be from 1400 to 9999, got -5",
    ),
]

# --- composite indices (planeval.composite) -------------------------------------------------------


def _units() -> pd.DataFrame:
    return pd.DataFrame(
        {"a": [1.0, 2.0, 3.0], "b": [3.0, 1.0, 2.0], "c": [2.0, 2.0, 5.0]}, index=["s1", "s2", "s3"]
    )


def composite(data: Callable[[], pd.DataFrame] = _units, **options: Any) -> Run:
    return lambda c: planeval.composite.Composite(data(), **options).run()


COMPOSITES = [
    bad(
        "composite: a cycle in the hierarchy",
        composite(hierarchy={"a": "x", "b": "x", "c": "y", "x": "y", "y": "x"}),
        DataError,
        r"^hierarchy: ",
        r"'x' -> 'y' -> 'x'|'y' -> 'x' -> 'y'",
        r"no root",
    ),
    bad(
        "composite: a node its own parent",
        composite(hierarchy={"a": "x", "b": "x", "c": "x", "x": "x"}),
        DataError,
        r"^hierarchy: ",
        r"'x' -> 'x'",
    ),
    bad(
        "composite: two roots",
        composite(hierarchy={"a": "x", "b": "y", "c": "y"}),
        DataError,
        r"^hierarchy: ",
        r"second root",
        r"'x'.*'y'|'y'.*'x'",
    ),
    bad(
        "composite: an indicator as a parent",
        composite(hierarchy={"a": "b", "b": "index", "c": "index"}),
        DataError,
        r"^hierarchy\['a'\]: ",
        r"'b' is an indicator",
    ),
    bad(
        "composite: a column without a parent",
        composite(hierarchy={"a": "x", "b": "x"}),
        Error,
        r"^hierarchy: ",
        r"column 'c' of the data has no parent node",
    ),
    bad(
        "composite: a negative weight",
        composite(weights={"a": -1.0}),
        DataError,
        r"indicators\[0\]\.weight: ",
        r"expected a finite weight >= 0, got -1",
    ),
    bad(
        "composite: a weight of nothing",
        composite(weights={"zz": 2.0}),
        Error,
        r"^weights: ",
        r"'zz' is neither an indicator nor a node",
    ),
    bad(
        "composite: a text column",
        composite(lambda: _units().assign(a=["x", "y", "z"])),
        DataError,
        r"^data: column 'a' ",
        r"is not numeric",
    ),
    bad(
        "composite: inf",
        composite(lambda: _units().assign(a=[np.inf, 1.0, 2.0])),
        DataError,
        r'^data\[0, "a"\]: ',
        r"expected a finite number or NaN \(missing\), got inf",
    ),
    bad(
        "composite: a reversed output range",
        composite(output_range=(100, 0)),
        DataError,
        r"^normalise_params: ",
        r"expected finite lo < hi, got \[100, 0\]",
    ),
    bad(
        "composite: an unknown normalisation",
        composite(normalisation="minmax"),
        Error,
        r"^normalisation: ",
        r"expected one of 'none', 'min_max'",
    ),
    bad(
        "composite: value_added by an unknown method",
        lambda c: planeval.composite.value_added(
            pd.Series([1.0, 2.0]), pd.Series([1.0, 2.0]), method="magic"
        ),
        Error,
        r"^value_added: ",
        r"expected one of 'gain', 'planned_path', 'regression', got 'magic'",
    ),
]

# --- observations of one plan used with another plan of the same sizes --------------------------


def _other_plan(c: Ctx) -> planeval.Plan:
    """A plan with as many indicators and entities as the small plan, under other ids."""
    text = c.mini.replace('"teachers"', '"staff"').replace('"s1"', '"k1"')
    other = planeval.parse_plan(text)
    mine = c.plan()
    assert (len(other.indicators), len(other.entities)) == (len(mine.indicators), len(mine.entities))
    return other


def with_other_plan(use: Callable[[planeval.Plan, planeval.Observations], object]) -> Run:
    def run(c: Ctx) -> object:
        obs, _ = planeval.observations_from_arrays(
            c.plan(),
            indicator=["teachers", "teachers"],
            entity=["s1", "s1"],
            year=[2021, 2022],
            value=[70.0, 72.0],
        )
        return use(_other_plan(c), obs)

    return run


OTHER_PLAN = [
    bad(
        "observations: evaluated with another plan",
        with_other_plan(lambda plan, obs: plan.evaluate(obs, as_of=AS_OF)),
        DataError,
        r'^evaluate: these observations were checked against plan "mini" ',
        r"read them again with this plan",
    ),
    bad(
        "observations: rolled up with another plan",
        with_other_plan(lambda plan, obs: plan.rollup(obs, level="district")),
        DataError,
        r'^rollup: these observations were checked against plan "mini" ',
        r"read them again with this plan",
    ),
    bad(
        "observations: to_frame with another plan",
        with_other_plan(lambda plan, obs: obs.to_frame(plan)),
        DataError,
        r"(?i)\bobservations\b",
        r"(?i)\bplan\b",
    ),
]

CATALOGUE = [*PLANS, *CSV, *FRAMES, *EXCEL, *FORMULAS, *METHODS, *RULES, *STANDARDS, *COMPOSITES, *OTHER_PLAN]


@pytest.mark.parametrize("case", CATALOGUE)
def test_bad_input(case: Raises | Gives, tmp_path: Path, mini_text: str) -> None:
    case.check(Ctx(tmp_path, mini_text))


def test_the_catalogue_is_large_and_its_names_unique() -> None:
    names = [p.id for p in CATALOGUE]
    assert len(names) >= 60
    assert len(set(names)) == len(names), sorted(n for n in names if names.count(n) > 1)
