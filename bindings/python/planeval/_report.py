"""Evaluating a whole plan: :func:`evaluate` / ``Plan.evaluate`` and the :class:`Report`.

The C++ core (``planeval::evaluate``) does the work; a Report keeps its JSON form as plain dicts
(``to_dict()``, documented in the README) and renders text (``to_text``), frames (``to_frame``) and
HTML for notebooks (``_repr_html_``).
"""

from __future__ import annotations

import copy
import datetime
import html
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from . import _core

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd  # type: ignore[import-untyped, unused-ignore]

#: Every status a target can have, in report order (labels from the C++ core: one source).
_STATUS_LABELS = _core._status_labels()
STATUSES = tuple(name for name, _, _ in _STATUS_LABELS)
_STATUS_ZH = {name: zh for name, zh, _ in _STATUS_LABELS}
_STATUS_EN = {name: en for name, _, en in _STATUS_LABELS}
_STATUS_COLOUR: dict[str, str] = {
    "met": "#1a9850",
    "achieved": "#66bd63",
    "on_track": "#a6d96a",
    "lagging": "#fdae61",
    "missed": "#d73027",
    "breached": "#8e0152",
    "not_due": "#d9d9d9",
    "no_data": "#f0f0f0",
    "not_assessable": "#c7c7e8",
}
#: A status the core knows but this table does not (a newer core): grey rather than a KeyError.
for _s in STATUSES:
    _STATUS_COLOUR.setdefault(_s, "#bdbdbd")

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


class Report:
    """Where every target of a plan stands at ``as_of`` (from :func:`evaluate`).

    ``summary`` counts targets by status; ``targets`` lists one dict per target in plan order with
    ``status`` (one of :data:`STATUSES`), ``actual``, ``expected``, ``forecast``, ``assessments``
    (one per method, the primary first) and ``trace`` (points used, roll-up rule, formula,
    thresholds, one sentence in ``zh`` and ``en``), ``obligation`` (约束性 / 预期性), ``provisional``
    (due, but judged on data older than the deadline's year) and, for hold goals broken in some
    year, ``breaches``; ``phases``, ``by_domain``, ``by_stage``, ``by_obligation``, ``data_end``
    (where the data end), ``problems`` (data problems) and ``conflicts`` (recorded in the plan)
    complete the picture.
    """

    def __init__(self, core: _core._Report) -> None:
        self._core = core
        self._dict: dict[str, Any] = json.loads(core.to_json())

    # --- reading --------------------------------------------------------------------------------
    @property
    def as_of(self) -> datetime.date:
        return datetime.date.fromisoformat(self._dict["as_of"])

    @property
    def plan_id(self) -> str:
        return str(self._dict["plan"])

    @property
    def summary(self) -> dict[str, int]:
        """Targets per status (every status, zeros included)."""
        return dict(self._dict["summary"])

    @property
    def targets(self) -> list[dict[str, Any]]:
        return copy.deepcopy(self._dict["targets"])

    @property
    def phases(self) -> list[dict[str, Any]]:
        return copy.deepcopy(self._dict["phases"])

    @property
    def problems(self) -> list[dict[str, Any]]:
        return copy.deepcopy(self._dict["problems"])

    @property
    def conflicts(self) -> list[dict[str, Any]]:
        return copy.deepcopy(self._dict["conflicts"])

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
        return by_obligation_of(self._dict, self._core.plan())

    @property
    def current_phase(self) -> str | None:
        p = self._dict["current_phase"]
        return None if p is None else str(p)

    def target(self, target_id: str) -> dict[str, Any]:
        """The evaluation of one target; KeyError if the plan has no such target."""
        for t in self._dict["targets"]:
            if t["id"] == target_id:
                return copy.deepcopy(t)  # type: ignore[no-any-return, unused-ignore]
        raise KeyError(target_id)

    def status(self, target_id: str) -> str:
        return str(self.target(target_id)["status"])

    # --- output ---------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The report as plain dicts and lists (the JSON form)."""
        return copy.deepcopy(self._dict)

    def to_json(self, indent: int | None = None) -> str:
        return json.dumps(self._dict, ensure_ascii=False, indent=indent)

    def to_text(self, lang: str = "zh") -> str:
        """A plain-text report: header, summary, phases, one line per target, data problems."""
        if lang not in ("zh", "en"):
            raise _core.Error(f'lang: expected "zh" or "en", got {lang!r}')
        return self._core.to_text(lang)

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
        plan = self._core.plan()
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

        def number(x: float | None) -> str:
            return "" if x is None else format(x, "g")

        rows = "".join(
            "<tr>"
            f"<td>{esc(t['id'])}</td>"
            f'<td style="background:{_STATUS_COLOUR[t["status"]]}">{esc(_STATUS_ZH[t["status"]])}'
            + ("（暂定）" if t.get("provisional") else "")
            + "</td>"
            f"<td>{number(t['actual'])}</td><td>{number(t['expected'])}</td>"
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

    def plot_target(self, target_id: str, ax: Axes | None = None, lang: str | None = None) -> Figure:
        """One target over time (see :func:`planeval._plots.plot_target`): phases, baseline,
        milestones, goal, values judged, expected linear path, forecast, as_of; ``lang`` zh/en
        (None: zh when a CJK font is installed)."""
        from ._plots import plot_target

        return plot_target(self, target_id, ax=ax, lang=lang)

    def plot_dashboard(self, lang: str | None = None, by: str = "domain") -> Figure:
        """Every target as a cell on its status colour, rows by domain (or ``by="stage"``), columns
        by phase, with a legend counting every status (see :func:`planeval._plots.plot_dashboard`)."""
        from ._plots import plot_dashboard

        return plot_dashboard(self, lang=lang, by=by)

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
    raise TypeError(
        "observations: expected planeval.Observations (or the (Observations, IngestReport) pair "
        f"from read_csv), got {type(observations).__name__}"
    )


def evaluate(
    plan: _core.Plan,
    observations: Any = None,
    *,
    as_of: datetime.date,
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
    """
    if isinstance(as_of, datetime.datetime) or not isinstance(as_of, datetime.date):
        raise TypeError(f"as_of: expected a datetime.date, got {type(as_of).__name__}")
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
