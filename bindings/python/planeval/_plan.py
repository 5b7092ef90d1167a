"""The Python-level methods of :class:`planeval.Plan` (a class of the C++ core), in one place:
``evaluate`` (-> :class:`planeval.Report`), ``rollup`` (a pandas DataFrame), ``indicators_frame``,
``targets_frame``, ``evaluate_states`` and the notebook view ``_repr_html_``. No other module adds to
``Plan``."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from . import _core
from ._evaluate_parts import evaluate_states
from ._frames import indicators_frame, rollup_frame, targets_frame
from ._report import evaluate

if TYPE_CHECKING:  # pragma: no cover
    from ._core import Observations, Plan
    from ._report import Report


def _evaluate(self: Plan, observations: object = None, **kwargs: Any) -> Report:
    return evaluate(self, observations, **kwargs)


def _evaluate_states(self: Plan, observations: object = None, **kwargs: Any) -> Any:
    return evaluate_states(self, observations, **kwargs)


def _rollup(self: Plan, observations: Observations, **kwargs: Any) -> Any:
    return rollup_frame(self.rollup_arrays(observations, **kwargs))


def _indicators_frame(self: Plan, labels: str = "id") -> Any:
    return indicators_frame(self, labels)


def _targets_frame(self: Plan, labels: str = "id") -> Any:
    return targets_frame(self, labels)


def _repr_html(self: Plan) -> str:
    esc = html.escape
    h = self.horizon
    phases = "".join(
        f"<tr><td>{esc(p.id)}</td><td>{esc(p.name.zh)}</td><td>{p.start}</td><td>{p.end}</td>"
        f"<td>{sum(1 for t in self.targets if t.phase == p.id)}</td></tr>"
        for p in self.phases
    )
    table = (
        "<table><thead><tr><th>阶段 phase</th><th>名称</th><th>start</th><th>end</th><th>targets</th>"
        f"</tr></thead><tbody>{phases}</tbody></table>"
        if phases
        else ""  # a plan without phases: no empty phase table
    )
    return (
        f"<div><p><b>{esc(self.title.zh)}</b><br>{esc(self.title.en)}</p>"
        f"<p>{esc(self.id)} · {h.start} – {h.end} · {len(self.targets)} targets · "
        f"{len(self.indicators)} indicators · {len(self.entities)} entities · "
        f"{len(self.observations)} recorded values · {len(self.conflicts)} conflicts</p>{table}</div>"
    )


_ROLLUP_DOC = (
    "Roll observations up to a level of the entity tree and to calendar or school years: the options\n"
    "of :meth:`Plan.rollup_arrays` (observations, level, period, by_stage, rule, missing, indicators,\n"
    "threads).\n\n"
    "Returns a pandas DataFrame with the columns indicator, entity, stage, period_start, period_end,\n"
    "value (NaN where not defined), defined, units, missing_units, rule, and the counts rows_used,\n"
    "rows_outside_level, rows_combined_in_time, weight_assumed in DataFrame.attrs. Without pandas it\n"
    "returns the dict of rollup_arrays."
)


def _install() -> None:
    """Attach the methods (called once, by the package's ``__init__``)."""
    plan = _core.Plan
    for name, fn, doc in (
        ("evaluate", _evaluate, evaluate.__doc__),
        ("evaluate_states", _evaluate_states, evaluate_states.__doc__),
        ("rollup", _rollup, _ROLLUP_DOC),
        ("indicators_frame", _indicators_frame, indicators_frame.__doc__),
        ("targets_frame", _targets_frame, targets_frame.__doc__),
        ("_repr_html_", _repr_html, None),
    ):
        fn.__name__ = name
        fn.__qualname__ = f"Plan.{name}"
        if doc is not None:
            fn.__doc__ = doc
        setattr(plan, name, fn)


_install()
