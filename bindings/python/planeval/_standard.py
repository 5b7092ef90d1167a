"""The Python-level methods of :class:`planeval.Standard` and :class:`planeval.StandardResult`
(classes of the C++ core), in one place: their pandas frames, and the result's tables as Excel,
HTML and CSV (``to_xlsx``, ``to_html``, ``to_csv``). No other module adds to them."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from . import _core
from ._frames import (
    standard_composites_frame,
    standard_criteria_frame,
    standard_cvs_frame,
    standard_groups_frame,
    standard_indicators_frame,
    standard_reasons_frame,
    standard_units_frame,
)

#: (class, method, builder, docstring): the docstrings are those the methods had in C++.
_METHODS: tuple[tuple[type, str, Callable[[Any], Any], str], ...] = (
    (
        _core.Standard,
        "indicators_frame",
        standard_indicators_frame,
        "The indicators as a pandas DataFrame: id, name_zh, name_en, unit, level, comparator, one column\n"
        "of thresholds per stage (named by the stage, e.g. '小学'; NaN where none), group.",
    ),
    (
        _core.StandardResult,
        "units_frame",
        standard_units_frame,
        "One row per unit: unit, combined_school, stage, students, excluded, exclusion, excluded_because\n"
        "(Chinese), passed (nullable boolean), met_count, and per indicator <id>_value, <id>_ratio,\n"
        "<id>_met.",
    ),
    (
        _core.StandardResult,
        "cvs_frame",
        standard_cvs_frame,
        "One row per stage × indicator: stage, indicator, cv, limit, passed, units, missing_units, mean,\n"
        "weighting, rule.",
    ),
    (
        _core.StandardResult,
        "composites_frame",
        standard_composites_frame,
        "One row per mean-of-CVs rule and stage: rule, stage, value, limit, passed.",
    ),
    (
        _core.StandardResult,
        "criteria_frame",
        standard_criteria_frame,
        "One row per county criterion: id, indicator, comparator, value, limit, passed.",
    ),
    (
        _core.StandardResult,
        "groups_frame",
        standard_groups_frame,
        "One row per group: id, evaluated, passed.",
    ),
    (
        _core.StandardResult,
        "reasons_frame",
        standard_reasons_frame,
        "One row per reason: code, group, stage, indicator, unit, value, limit, message_zh, message_en.",
    ),
)


def _method(name: str, build: Callable[[Any], Any], cls: type, doc: str) -> Callable[[Any], Any]:
    def method(self: Any) -> Any:
        return build(self)

    method.__name__ = name
    method.__qualname__ = f"{cls.__name__}.{name}"
    method.__doc__ = doc
    return method


def _to_xlsx(
    self: _core.StandardResult,
    path: str | os.PathLike[str],
    lang: str = "zh",
    *,
    plan: _core.Plan | None = None,
    standard: _core.Standard | None = None,
) -> None:
    """Writes the result as an Excel workbook: 结论 (the verdict and its groups), 学校 (each school ×
    the standard's indicators: value, the standard, met or not, the share of the standard reached,
    and whether the floor is reached where the standard has one, e.g. 85%; the school's verdict),
    学校明细 (one row per school × indicator), 差异系数 (CV per stage and indicator with its limit),
    县级指标 (the county criteria, when the standard has any) and 原因 (every reason it fails).
    ``plan`` names the schools (their ids otherwise); ``standard`` is the Standard evaluated
    (default: the plan's of that id, else the built-in one). Needs openpyxl. The data-check report
    per school is :func:`planeval.write_check_reports`."""
    from ._xlsx_out import standard_xlsx

    standard_xlsx(self, path, lang, plan=plan, standard=standard)


def _to_html(
    self: _core.StandardResult,
    path: str | os.PathLike[str] | None = None,
    lang: str = "zh",
    *,
    plan: _core.Plan | None = None,
    standard: _core.Standard | None = None,
) -> str:
    """The tables of :meth:`to_xlsx` as one self-contained HTML page (no scripts); written to
    ``path`` (UTF-8) when given, returned in any case."""
    from ._xlsx_out import standard_html

    text = standard_html(self, lang, plan=plan, standard=standard)
    if path is not None:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    return text


def _to_csv(
    self: _core.StandardResult,
    path: str | os.PathLike[str],
    lang: str = "zh",
    *,
    plan: _core.Plan | None = None,
    standard: _core.Standard | None = None,
) -> list[str]:
    """Writes the per-school table to ``path`` and the CV table to ``<stem>_cv.csv`` beside it (CSV
    safe to open in Excel: text starting with = + - @ gets an apostrophe); returns both paths."""
    from ._xlsx_out import standard_csv

    return standard_csv(self, path, lang, plan=plan, standard=standard)


_WRITERS: tuple[tuple[str, Callable[..., Any]], ...] = (
    ("to_xlsx", _to_xlsx),
    ("to_html", _to_html),
    ("to_csv", _to_csv),
)


def _without_empty(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: _without_empty(v) for k, v in x.items() if v is not None and v != ""}
    if isinstance(x, list):
        return [_without_empty(v) for v in x]
    return x


_STANDARD_KEYS = (
    "based_on",
    "document",
    "stages",
    "units",
    "groups",
    "indicators",
    "unit_rule",
    "across_units",
    "district_criteria",
    "exclusions",
    "combined_schools",
    "verdict",
    "notes",
)


def standard_json(standard: _core.Standard) -> str:
    """The standard as the JSON text of a standard file (its properties have the file's keys; unset
    and empty values are left out), checked to read back (:func:`planeval.parse_standard`) as a
    standard equal to ``standard`` in every field, else :class:`planeval.Error`. This is how a
    Standard pickles (e.g. to travel to Dask workers)."""
    import json

    title = standard.title
    doc: dict[str, Any] = {
        "format": "planeval-standard",
        "format_version": 1,
        "id": standard.id,
        "title": {"zh": title.zh, "en": title.en},
    }
    for key in _STANDARD_KEYS:
        doc[key] = getattr(standard, key)
    if doc["unit_rule"].get("kind") == "none":  # a standard without a per-unit rule has no key
        del doc["unit_rule"]
    text = json.dumps(_without_empty(doc), ensure_ascii=False)
    try:
        same = _core.parse_standard(text, f"<standard {standard.id}>") == standard
    except _core.Error as e:
        raise _core.Error(f"standard {standard.id}: its properties do not read back as one: {e}") from e
    if not same:
        raise _core.Error(f"standard {standard.id}: its properties read back as another standard")
    return text


def _standard_from_json(text: str) -> _core.Standard:
    """Unpickles a Standard (see :func:`standard_json`)."""
    return _core.parse_standard(text, "<pickled standard>")


def _reduce_ex(self: _core.Standard, protocol: int) -> tuple[Any, tuple[str]]:
    return (_standard_from_json, (standard_json(self),))


def _install() -> None:
    """Attach the methods (called once, on import by the package's ``__init__``)."""
    # a Standard pickles as its JSON text (the C++ value_class refuses: it has no settable state)
    _core.Standard.__reduce_ex__ = _reduce_ex  # type: ignore[method-assign, assignment]
    for cls, name, build, doc in _METHODS:
        setattr(cls, name, _method(name, build, cls, doc))
    for name, fn in _WRITERS:
        fn.__name__ = name
        fn.__qualname__ = f"StandardResult.{name}"
        setattr(_core.StandardResult, name, fn)


_install()
