"""Evaluating a whole plan: :func:`evaluate` / ``Plan.evaluate`` and the :class:`Report`.

The C++ core (``planeval::evaluate``) does the work; a :class:`Report` holds its result as value
objects: :class:`TargetResult` per target, :class:`PhaseSummary` per phase, :class:`Problem` per data
problem and :class:`ReportConflict` per conflict recorded in the plan. Each has attributes (typed: dates
are ``datetime.date``) and also reads as a mapping of its JSON form (``t["status"]``,
``t["deadline"] == "2025-12-31"``), compares with ``==`` and pickles. ``to_dict()`` gives the JSON
form as plain dicts (documented in the README); a Report renders text (``to_text``), frames
(``to_frame``), HTML (``to_html``, ``_repr_html_``) and charts.

A target is named by ``id`` everywhere (a problem's ``id`` is the id of the target it is about); the
old key ``target`` of a problem still reads, with a FutureWarning.
"""

from __future__ import annotations

import copy
import datetime
import html
import json
import os
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from . import _core
from ._display import STATUS_COLOUR as _STATUS_COLOUR
from ._display import STATUS_ZH as _STATUS_ZH
from ._display import STATUSES as STATUSES
from ._display import format_value
from ._errors import check_lang

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd  # type: ignore[import-untyped, unused-ignore]

    from ._core import _DateLike

#: Columns of Report.to_frame(), in order.
FRAME_COLUMNS = (
    "target",
    "name",
    "indicator",
    "scope",
    "phase",
    "deadline",
    "status",
    "due",
    "judged_from",
    "actual",
    "actual_date",
    "expected",
    "goal",
    "forecast",
    "likely_met",
    "method",
    "category",
    "value",
    "sentence",
    "obligation",
    "provisional",
    "parent",
    "reference_value",
    "passed",
    "cumulative",
    "breaches",
)


#: The version of the pickled state of the report's value classes (the first item of the state).
_STATE_VERSION = 1


def _date(text: Any) -> datetime.date | None:
    return None if text is None else datetime.date.fromisoformat(str(text))


def _check_state(state: Any, cls: str) -> Any:
    """The data of a pickled state (version, data); Error for a state of an unknown version."""
    if not isinstance(state, tuple) or len(state) < 2 or state[0] != _STATE_VERSION:
        version = state[0] if isinstance(state, tuple) and state else state
        raise _core.Error(
            f"{cls}: cannot unpickle state version {version!r} (this planeval reads {_STATE_VERSION})"
        )
    return state[1]


class _Record(Mapping[str, Any]):
    """A read-only part of a report: attributes, and a mapping of its JSON form (values copied out)."""

    __slots__ = ("_data",)
    #: Old keys that still read, with a FutureWarning: old key -> key.
    _RENAMED: ClassVar[Mapping[str, str]] = {}
    #: The keys shown by repr, in order.
    _REPR_KEYS: ClassVar[tuple[str, ...]] = ()

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._data: dict[str, Any] = dict(data)

    def __getitem__(self, key: str) -> Any:
        if key not in self._data and key in self._RENAMED:
            new = self._RENAMED[key]
            warnings.warn(
                f'{type(self).__name__}["{key}"] is renamed "{new}" (a target is named by its id '
                f'everywhere); "{key}" will be removed',
                FutureWarning,
                stacklevel=2,
            )
            key = new
        value = self._data[key]
        return copy.deepcopy(value) if isinstance(value, (dict, list)) else value

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _Record):
            return type(self) is type(other) and self._data == other._data
        if isinstance(other, Mapping):
            return self._data == dict(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={self._data[k]!r}" for k in self._REPR_KEYS if k in self._data)
        return f"{type(self).__name__}({shown})"

    def __getstate__(self) -> tuple[int, dict[str, Any]]:
        return (_STATE_VERSION, self._data)

    def __setstate__(self, state: Any) -> None:
        self._data = dict(_check_state(state, type(self).__name__))

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (plain dicts and lists, a copy)."""
        return copy.deepcopy(self._data)


class TargetResult(_Record):
    """Where one target stands (one of :attr:`Report.targets`): ``status`` (one of
    :data:`STATUSES`), ``actual``, ``expected``, ``forecast``, ``assessments`` (one per method, the
    primary first), ``trace`` (points used, roll-up rule, formula, thresholds, one sentence in
    ``zh`` and ``en``), ``decimals`` (how many its numbers are shown with) ... Dates are
    ``datetime.date``; ``t["deadline"]`` reads the JSON form (``"2025-12-31"``)."""

    __slots__ = ()
    _REPR_KEYS = ("id", "status", "actual", "expected", "forecast")

    @property
    def id(self) -> str:
        """The target's id."""
        return str(self._data["id"])

    @property
    def indicator(self) -> str:
        return str(self._data["indicator"])

    @property
    def scope(self) -> str:
        """The entity whose value is judged."""
        return str(self._data["scope"])

    @property
    def phase(self) -> str | None:
        p = self._data.get("phase")
        return None if not p else str(p)

    @property
    def deadline(self) -> datetime.date:
        return datetime.date.fromisoformat(str(self._data["deadline"]))

    @property
    def status(self) -> str:
        """One of :data:`STATUSES`."""
        return str(self._data["status"])

    @property
    def due(self) -> bool:
        return bool(self._data.get("due", False))

    @property
    def judged_from(self) -> str | None:
        j = self._data.get("judged_from")
        return None if not j else str(j)

    @property
    def actual(self) -> float | None:
        return self._data.get("actual")

    @property
    def actual_date(self) -> datetime.date | None:
        return _date(self._data.get("actual_date"))

    @property
    def expected(self) -> float | None:
        return self._data.get("expected")

    @property
    def goal(self) -> Any:
        """The goal's value: a number, [lo, hi] for between, shares, or None."""
        return self["goal"]

    @property
    def forecast(self) -> float | None:
        return self._data.get("forecast")

    @property
    def likely_met(self) -> bool | None:
        return self._data.get("likely_met")

    @property
    def passed(self) -> bool | None:
        """Pass/fail targets: True / False; None otherwise or without a result."""
        return self._data.get("passed")

    @property
    def obligation(self) -> str | None:
        """binding (约束性), expected (预期性) or None."""
        o = self._data.get("obligation")
        return None if o is None else str(o)

    @property
    def parent(self) -> str | None:
        """The parent indicator of a sub-indicator (其中), or None."""
        p = self._data.get("parent")
        return None if not p else str(p)

    @property
    def provisional(self) -> bool:
        """Due, but judged on data older than the deadline's year."""
        return bool(self._data.get("provisional", False))

    @property
    def cumulative(self) -> bool:
        return bool(self._data.get("cumulative", False))

    @property
    def reference(self) -> dict[str, Any] | None:
        """The reference of a relative goal: {entity, indicator, value, date}, or None."""
        r = self._data.get("reference")
        return None if not r else dict(copy.deepcopy(r))

    @property
    def breaches(self) -> list[Any]:
        """The years a hold goal was broken."""
        return list(copy.deepcopy(self._data.get("breaches", [])))

    @property
    def decimals(self) -> int:
        """How many decimals the verdict's numbers are shown with."""
        return int(self._data.get("decimals", 1))

    @property
    def assessments(self) -> list[dict[str, Any]]:
        """One per method, the primary first: {method, category, value, ...}."""
        return list(copy.deepcopy(self._data.get("assessments", [])))

    @property
    def trace(self) -> dict[str, Any]:
        """How the verdict was reached: points, rule, formula, thresholds, sentence {zh, en}."""
        return dict(copy.deepcopy(self._data.get("trace", {})))

    @property
    def standard(self) -> dict[str, Any] | None:
        """A target judged by an official standard: {id, reasons}; else None."""
        s = self._data.get("standard")
        return None if not s else dict(copy.deepcopy(s))

    @property
    def sentence(self) -> dict[str, str]:
        """The verdict in one sentence: {zh, en}."""
        return dict(self._data.get("trace", {}).get("sentence", {}))


class PhaseSummary(_Record):
    """One phase of the plan (one of :attr:`Report.phases`): how many targets, due, met, missed,
    pending, without data, provisional, and ``statuses`` (targets per status)."""

    __slots__ = ()
    _REPR_KEYS = ("phase", "targets", "due", "met", "missed", "pending")

    @property
    def id(self) -> str:
        """The phase's id."""
        return str(self._data["phase"])

    phase = id

    @property
    def start(self) -> datetime.date:
        return datetime.date.fromisoformat(str(self._data["start"]))

    @property
    def end(self) -> datetime.date:
        return datetime.date.fromisoformat(str(self._data["end"]))

    @property
    def current(self) -> bool:
        return bool(self._data.get("current", False))

    @property
    def targets(self) -> int:
        return int(self._data["targets"])

    @property
    def due(self) -> int:
        return int(self._data["due"])

    @property
    def met(self) -> int:
        return int(self._data["met"])

    @property
    def missed(self) -> int:
        return int(self._data["missed"])

    @property
    def pending(self) -> int:
        return int(self._data["pending"])

    @property
    def no_data(self) -> int:
        return int(self._data.get("no_data", 0))

    @property
    def provisional(self) -> int:
        return int(self._data.get("provisional", 0))

    @property
    def statuses(self) -> dict[str, int]:
        return dict(self._data.get("statuses", {}))


class Problem(_Record):
    """A data problem of the evaluation (one of :attr:`Report.problems`): ``code``
    (``too_few_points``, ``provisional``, ``weight_assumed`` ...), ``id`` (the target it is about;
    ``problem["target"]`` still reads, with a FutureWarning) and ``message`` {zh, en}."""

    __slots__ = ()
    _RENAMED: ClassVar[Mapping[str, str]] = {"target": "id"}
    _REPR_KEYS = ("code", "id")

    def __init__(self, data: Mapping[str, Any]) -> None:
        d = dict(data)
        if "target" in d and "id" not in d:  # JSON written before the rename names it "target"
            d = {("id" if k == "target" else k): v for k, v in d.items()}
        super().__init__(d)

    @property
    def code(self) -> str:
        return str(self._data["code"])

    @property
    def id(self) -> str:
        """The id of the target the problem is about ('' when none)."""
        return str(self._data.get("id") or "")

    @property
    def target(self) -> str:
        """Renamed :attr:`id` (FutureWarning)."""
        return str(self["target"] or "")

    @property
    def message(self) -> dict[str, str]:
        """{zh, en}"""
        return dict(self._data.get("message", {}))


class ReportConflict(_Record):
    """A conflict recorded in the plan (one of :attr:`Report.conflicts`): ``id``, ``items``,
    ``description`` {zh, en}."""

    __slots__ = ()
    _REPR_KEYS = ("id",)

    @property
    def id(self) -> str:
        return str(self._data["id"])

    @property
    def items(self) -> list[Any]:  # type: ignore[override]
        """The ids in conflict (for the mapping's items, use ``.to_dict().items()``)."""
        return list(copy.deepcopy(self._data.get("items", [])))

    @property
    def description(self) -> dict[str, str]:
        return dict(self._data.get("description", {}))


class Report:
    """Where every target of a plan stands at ``as_of`` (from :func:`evaluate`).

    ``summary`` counts targets by status; ``targets`` lists one :class:`TargetResult` per target in
    plan order with ``status`` (one of :data:`STATUSES`), ``actual``, ``expected``, ``forecast``,
    ``assessments`` (one per method, the primary first) and ``trace`` (points used, roll-up rule,
    formula, thresholds, one sentence in ``zh`` and ``en``), ``obligation`` (约束性 / 预期性),
    ``provisional`` (due, but judged on data older than the deadline's year) and, for hold goals
    broken in some year, ``breaches``; ``phases`` (:class:`PhaseSummary`), ``by_domain``,
    ``by_stage``, ``by_obligation``, ``data_end`` (where the data end), ``problems``
    (:class:`Problem`, data problems) and ``conflicts`` (:class:`ReportConflict`, recorded in the plan)
    complete the picture. A Report compares with ``==`` (same JSON form and plan) and pickles.
    """

    def __init__(self, core: _core._Report) -> None:
        self._core: _core._Report | None = core
        self._plan: _core.Plan = core.plan()
        self._dict: dict[str, Any] = json.loads(core.to_json())
        self._texts: dict[str, str] = {}
        self._build()

    def _build(self) -> None:
        d = self._dict
        self._targets = [TargetResult(t) for t in d["targets"]]
        self._phases = [PhaseSummary(p) for p in d["phases"]]
        self._problems = [Problem(p) for p in d["problems"]]
        self._conflicts = [ReportConflict(c) for c in d["conflicts"]]

    # --- value semantics --------------------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Report):
            return NotImplemented
        return self._dict == other._dict and self._plan == other._plan

    __hash__ = None  # type: ignore[assignment]

    def __getstate__(self) -> tuple[Any, ...]:
        # the texts are the core's, made now: an unpickled report has no core to ask
        texts = {lang: self.to_text(lang) for lang in ("zh", "en")}
        return (_STATE_VERSION, self._dict, self._plan, texts)

    def __setstate__(self, state: Any) -> None:
        _check_state(state, "Report")
        if len(state) != 4:
            raise _core.Error(f"Report: cannot unpickle a state of {len(state)} items (expected 4)")
        _, d, plan, texts = state
        self._core = None
        self._dict = dict(d)
        self._plan = plan
        self._texts = dict(texts)
        self._build()

    # --- reading --------------------------------------------------------------------------------
    @property
    def as_of(self) -> datetime.date:
        return datetime.date.fromisoformat(self._dict["as_of"])

    @property
    def plan_id(self) -> str:
        return str(self._dict["plan"])

    @property
    def plan(self) -> _core.Plan:
        """A copy of the plan evaluated."""
        return copy.deepcopy(self._plan)

    @property
    def summary(self) -> dict[str, int]:
        """Targets per status (every status, zeros included)."""
        return dict(self._dict["summary"])

    @property
    def targets(self) -> list[TargetResult]:
        return list(self._targets)

    @property
    def phases(self) -> list[PhaseSummary]:
        return list(self._phases)

    @property
    def problems(self) -> list[Problem]:
        return list(self._problems)

    @property
    def conflicts(self) -> list[ReportConflict]:
        return list(self._conflicts)

    @property
    def by_domain(self) -> dict[str, dict[str, int]]:
        """Targets per status for each domain (the plan's domain ids; ``other`` for none)."""
        return copy.deepcopy(dict(self._dict.get("by_domain", {})))

    @property
    def by_stage(self) -> dict[str, dict[str, int]]:
        """Targets per status for each stage (or entity kind) of the targets' scopes."""
        return copy.deepcopy(dict(self._dict.get("by_stage", {})))

    @property
    def data_end(self) -> datetime.date | None:
        """The latest date of any value the verdicts used (None without any)."""
        end = data_end_of(self._dict)
        return None if end is None else datetime.date.fromisoformat(end)

    @property
    def provisional(self) -> int:
        """How many verdicts are provisional (due, but judged on data older than the deadline's year)."""
        if "provisional" in self._dict:
            return int(self._dict["provisional"])
        return sum(1 for t in self._dict["targets"] if t.get("provisional"))

    @property
    def by_obligation(self) -> dict[str, dict[str, int]]:
        """Targets per status for each obligation present: binding (约束性), expected (预期性),
        unspecified."""
        return by_obligation_of(self._dict, self._plan)

    @property
    def current_phase(self) -> str | None:
        p = self._dict["current_phase"]
        return None if p is None else str(p)

    def target(self, target_id: str) -> TargetResult:
        """The evaluation of one target; KeyError if the plan has no such target."""
        for t in self._targets:
            if t.id == target_id:
                return t
        raise KeyError(target_id)

    def status(self, target_id: str) -> str:
        return self.target(target_id).status

    # --- output ---------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The report as plain dicts and lists (the JSON form)."""
        return copy.deepcopy(self._dict)

    def to_json(self, indent: int | None = None) -> str:
        return json.dumps(self._dict, ensure_ascii=False, indent=indent)

    def to_text(self, lang: str = "zh") -> str:
        """A plain-text report: header, summary, phases, one line per target, data problems."""
        check_lang(lang)
        if lang not in self._texts:
            if self._core is None:  # pragma: no cover - an unpickled report holds both texts
                raise _core.Error("Report.to_text: this report holds no text")
            self._texts[lang] = self._core.to_text(lang)
        return self._texts[lang]

    def to_csv(
        self,
        path: str | os.PathLike[str],
        lang: str = "zh",
        labels: str = "id",
        *,
        obligation: str | Iterable[str] | None = None,
    ) -> None:
        """Writes :meth:`to_frame` (same arguments) as a CSV file that is safe to open in Excel or
        WPS: text cells starting with ``=``, ``+``, ``-``, ``@``, tab or CR get a leading apostrophe
        (OWASP's advice against CSV injection), numbers stay numbers (:func:`planeval.to_csv`)."""
        from ._csv import to_csv

        to_csv(self.to_frame(lang, labels, obligation=obligation), path)

    def to_frame(
        self,
        lang: str = "zh",
        labels: str = "id",
        *,
        obligation: str | Iterable[str] | None = None,
    ) -> pd.DataFrame:
        """One row per target with the columns of :data:`FRAME_COLUMNS` (``method``, ``category``
        and ``value`` are the primary assessment's; ``sentence`` in ``lang``; ``obligation`` the
        effective one, ``binding`` 约束性 / ``expected`` 预期性 / None; ``provisional`` True when the
        verdict is not final; ``parent`` the parent indicator of a sub-indicator; ``reference_value``
        the reference of a relative goal), plus ``category_<method>`` for every other method
        evaluated. ``labels="zh"`` or ``"en"`` names the columns in words
        (:func:`planeval.label_columns`). ``obligation="binding"`` (or ``"expected"``,
        ``"unspecified"``, or several) keeps only those targets."""
        import pandas as pd  # type: ignore[import-untyped, unused-ignore]

        from ._vocab import check_obligation

        wanted: set[str] | None = None
        if obligation is not None:
            wanted = {
                check_obligation(o) for o in ([obligation] if isinstance(obligation, str) else obligation)
            }
        plan = self._plan
        plan_targets = {t.id: t for t in plan.targets}
        indicators = {i.id: i for i in plan.indicators}
        rows = []
        methods = self._dict["methods"]
        for t in self._dict["targets"]:
            pt, ind = plan_targets[t["id"]], indicators[t["indicator"]]
            duty = target_obligation(t, pt, ind)
            if wanted is not None and (duty or "unspecified") not in wanted:
                continue
            text = pt.name or ind.name
            name = "" if text is None else (text.en or text.zh if lang == "en" else text.zh)
            primary = t["assessments"][0] if t["assessments"] else None
            row: dict[str, Any] = {
                "target": t["id"],
                "name": name,
                "indicator": t["indicator"],
                "scope": t["scope"],
                "phase": t["phase"],
                "deadline": datetime.date.fromisoformat(t["deadline"]),
                "status": t["status"],
                "due": t["due"],
                "judged_from": t["judged_from"] or None,
                "actual": t["actual"],
                "actual_date": None
                if t["actual_date"] is None
                else datetime.date.fromisoformat(t["actual_date"]),
                "expected": t["expected"],
                "goal": t["goal"],
                "forecast": t["forecast"],
                "likely_met": t["likely_met"],
                "method": None if primary is None else primary["method"],
                "category": None if primary is None else primary["category"],
                "value": None if primary is None else primary["value"],
                "sentence": t["trace"]["sentence"][lang if lang in ("zh", "en") else "zh"],
                "obligation": duty,
                "provisional": bool(t.get("provisional", False)),
                "parent": target_parent(t, ind),
                "reference_value": None if not t.get("reference") else t["reference"]["value"],
                "passed": t.get("passed"),  # pass/fail targets: True / False (None: not one, or no result)
                "cumulative": bool(t.get("cumulative", False)),
                "breaches": list(t.get("breaches", [])),
            }
            by_method = {a["method"]: a["category"] for a in t["assessments"]}
            for m in methods[1:]:
                row[f"category_{m}"] = by_method.get(m)
            rows.append(row)
        columns = list(FRAME_COLUMNS) + [f"category_{m}" for m in methods[1:]]
        frame = pd.DataFrame(rows, columns=columns)
        for c in ("actual", "expected", "goal", "forecast", "value", "reference_value"):
            frame[c] = frame[c].astype("float64")
        frame["provisional"] = frame["provisional"].astype(bool)
        frame["cumulative"] = frame["cumulative"].astype(bool)
        if labels != "id":
            from ._frames import _labelled

            frame = _labelled(frame, labels)
        return frame

    def __repr__(self) -> str:
        counts = ", ".join(f"{k}={v}" for k, v in self.summary.items() if v)
        return f"Report(plan={self.plan_id!r}, as_of={self.as_of.isoformat()}, {counts})"

    def __str__(self) -> str:
        return self.to_text("zh")

    def _repr_html_(self) -> str:
        esc = html.escape
        head = f"<p><b>{esc(self._dict['title']['zh'])}</b> — {esc(self._dict['as_of'])}</p>" + "".join(
            f"<p>⚠ {esc(n['zh'])} / {esc(n['en'])}</p>" for n in self._dict["notices"]
        )
        summary = " ".join(
            f'<span style="background:{_STATUS_COLOUR[k]};padding:0 4px">{esc(_STATUS_ZH[k])} {v}</span>'
            for k, v in self.summary.items()
            if v
        )

        def number(x: float | None, t: Mapping[str, Any]) -> str:
            return "" if x is None else format_value(x, int(t.get("decimals", 1)))

        rows = "".join(
            "<tr>"
            f"<td>{esc(t['id'])}</td>"
            f'<td style="background:{_STATUS_COLOUR[t["status"]]}">{esc(_STATUS_ZH[t["status"]])}'
            + ("（暂定）" if t.get("provisional") else "")
            + "</td>"
            f"<td>{number(t['actual'], t)}</td><td>{number(t['expected'], t)}</td>"
            f"<td>{esc(t['trace']['sentence']['zh'])}</td>"
            "</tr>"
            for t in self._dict["targets"]
        )
        return (
            f"<div>{head}<p>{summary}</p><table><thead><tr><th>目标</th><th>状态</th><th>实际</th>"
            f"<th>应达</th><th>说明</th></tr></thead><tbody>{rows}</tbody></table></div>"
        )

    # --- charts and the HTML report (matplotlib imported when called) ------------------------------
    if TYPE_CHECKING:  # pragma: no cover
        import os

        from matplotlib.axes import Axes
        from matplotlib.figure import Figure

    def plot_target(
        self,
        target_id: str,
        ax: Axes | None = None,
        lang: str | None = None,
        *,
        sentence: bool = True,
        title: bool = True,
        source: bool = True,
    ) -> Figure:
        """One target over time (see :func:`planeval._plots.plot_target`): phases, baseline,
        milestones, goal, values judged, expected linear path, forecast, as_of; ``lang`` zh/en
        (None: zh when a CJK font is installed). The value axis follows the indicator's kind (counts
        from 0, percentages never above 100, a zoom said on the axis); under the chart the
        explanation (``sentence``) and where the values come from with the report's notices
        (``source``); ``title=False`` for a page that names the target above the chart."""
        from ._plots import plot_target

        return plot_target(self, target_id, ax=ax, lang=lang, sentence=sentence, title=title, source=source)

    def plot_dashboard(self, lang: str | None = None, by: str = "domain", *, title: bool = True) -> Figure:
        """Every target as a cell on its status colour and mark, rows by domain (or ``by="stage"``),
        columns by phase, with a legend counting every status (see
        :func:`planeval._plots.plot_dashboard`); ``title=False`` leaves the plan's title out."""
        from ._plots import plot_dashboard

        return plot_dashboard(self, lang=lang, by=by, title=title)

    def to_html(
        self,
        path: str | os.PathLike[str] | None = None,
        lang: str = "zh",
        *,
        charts: bool = True,
        standard_results: Iterable[_core.StandardResult] = (),
    ) -> str:
        """The report as one self-contained HTML file (inline CSS and SVG charts, no scripts, no
        external requests): header (where the data end, and a notice when ``as_of`` is later) and
        notices, summary, phases (none for a plan without phases), by obligation (约束性 / 预期性,
        when the plan states any), by domain (the plan's names) and stage, every target with its
        status (provisional verdicts marked 暂定, broken years of hold goals, sub-indicators nested
        under their parent), the dashboard and a chart per target with values, standards'
        reasons, data problems and the plan's conflicts. Written to ``path`` (UTF-8) when given;
        returned in any case. ``standard_results`` (from :func:`planeval.evaluate_standard`) add
        their charts."""
        from ._html import report_html

        text = report_html(self, lang=lang, charts=charts, standard_results=standard_results)
        if path is not None:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        return text

    # --- Word and Excel out, and the comparison with an earlier report -----------------------------
    def to_docx(
        self,
        path: str | os.PathLike[str],
        lang: str = "zh",
        *,
        standard_results: Iterable[_core.StandardResult] = (),
        charts: bool = True,
        previous: Report | None = None,
    ) -> None:
        """Writes the report as a Word document in the layout of an official evaluation report:
        the title (plan title, 评估报告, as-of date), 一、总体情况 (targets by status and phase, the
        dashboard), 二、分项目标进展 (a table per domain; a paragraph and a chart per target at risk),
        三、督导评估 (``standard_results``, when given), 与上年比较 (``previous``, an earlier report of
        the same plan, when given) and 附件：数据问题. ``charts=False`` leaves the charts out.
        Needs python-docx (``pip install planeval[docx]``) and, for the charts, matplotlib."""
        from ._docx import report_docx

        report_docx(self, path, lang, standard_results=standard_results, charts=charts, previous=previous)

    def to_xlsx(self, path: str | os.PathLike[str], lang: str = "zh") -> None:
        """Writes the evaluation table as an Excel workbook: one row per target with its domain,
        names, unit, baseline, actual, goal, deadline and status (numbers with the indicator's
        decimals as number formats), a frozen heading row and a filter. Needs openpyxl."""
        from ._xlsx_out import report_xlsx

        report_xlsx(self, path, lang)

    def compare(self, previous: Report, lang: str = "zh") -> pd.DataFrame:
        """This report against an earlier one of the same plan (e.g. last year's), one row per
        target: status before and now, better/worse/same, actual values and their change, primary
        categories (:func:`planeval._export.compare_reports`)."""
        from ._export import compare_reports

        return compare_reports(self, previous, lang)


def target_obligation(t: Mapping[str, Any], plan_target: Any, indicator: Any) -> str | None:
    """A verdict's effective obligation: the report's, else the target's own, else its indicator's."""
    if "obligation" in t:
        return None if t["obligation"] is None else str(t["obligation"])
    from ._vocab import effective_obligation

    return effective_obligation(plan_target, indicator)


def target_parent(t: Mapping[str, Any], indicator: Any) -> str | None:
    """The parent indicator of a verdict's indicator (a sub-indicator, 其中), or None."""
    if "parent" in t:
        return None if not t["parent"] else str(t["parent"])
    return str(indicator.parent) or None


def data_end_of(d: Mapping[str, Any]) -> str | None:
    """The report's ``data_end`` (YYYY-MM-DD), or, from a core that does not give it, the latest
    date among the values the verdicts used."""
    if "data_end" in d:
        return None if d["data_end"] is None else str(d["data_end"])
    dates = [str(p["date"]) for t in d["targets"] for p in t["trace"]["points"]]
    return max(dates) if dates else None


def by_obligation_of(d: Mapping[str, Any], plan: _core.Plan) -> dict[str, dict[str, int]]:
    """Targets per status for each obligation present (the report's ``by_obligation``, else
    counted from the targets)."""
    if "by_obligation" in d:
        return {k: dict(v) for k, v in d["by_obligation"].items()}
    plan_targets = {t.id: t for t in plan.targets}
    indicators = {i.id: i for i in plan.indicators}
    out: dict[str, dict[str, int]] = {}
    for t in d["targets"]:
        duty = target_obligation(t, plan_targets[t["id"]], indicators[t["indicator"]]) or "unspecified"
        counts = out.setdefault(duty, dict.fromkeys(STATUSES, 0))
        counts[t["status"]] = counts.get(t["status"], 0) + 1
    from ._vocab import OBLIGATIONS

    return {k: out[k] for k in OBLIGATIONS if k in out}


def _observations_arg(observations: Any) -> _core.Observations | None:
    if observations is None or isinstance(observations, _core.Observations):
        return observations
    if isinstance(observations, tuple) and observations and isinstance(observations[0], _core.Observations):
        return observations[0]  # (Observations, IngestReport) as read_csv returns
    raise _core.ArgumentTypeError(
        "observations: expected planeval.Observations (or the (Observations, IngestReport) pair "
        f"from read_csv), got {type(observations).__name__}"
    )


def evaluate(
    plan: _core.Plan,
    observations: Any = None,
    *,
    as_of: _DateLike,
    methods: str | Sequence[str] | None = None,
    primary: str = "linear",
    params: Mapping[str, Mapping[str, float | bool]] | None = None,
    standards: Iterable[_core.Standard] | None = None,
    threads: int = 1,
    notices: Iterable[tuple[str, str]] | None = None,
) -> Report:
    """Where every target of ``plan`` stands at ``as_of``.

    ``observations``: rows of the plan's indicators and entities (:func:`read_csv`,
    :func:`observations_from_arrays` ...), rolled up to each target's scope per calendar year by the
    indicator's rule; the plan's own baselines and recorded values are used too. ``primary``: the
    method giving on_track / lagging (default ``linear``, 序时进度); ``methods``: more methods side
    by side (see :func:`assess_methods`; a str is one method: ``methods="statcan"``); ``params``:
    per-method parameters, e.g. ``{"linear": {"margin": 0.5}}``; ``standards``: official standards
    beyond the built-in ones for targets that reference them; ``notices``: (zh, en) lines for the
    report header (e.g. which data are illustrative). Runs without the GIL when the observations own
    their data.

    ``as_of`` is any date the API takes: a ``datetime.date``, a ``numpy.datetime64`` or
    ``pandas.Timestamp`` at midnight, an ISO string ``"2023-06-30"``, or an int year meaning its 31
    December (``as_of=2023`` is ``date(2023, 12, 31)``); a ``datetime.datetime`` raises TypeError.
    """
    core = _core._evaluate(
        plan,
        _observations_arg(observations),
        as_of,
        primary,
        [methods] if isinstance(methods, str) else list(methods or []),
        {k: dict(v) for k, v in (params or {}).items()},
        list(standards or []),
        threads,
        list(notices or []),
    )
    return Report(core)
