"""The Python-level methods of :class:`planeval.Observations` and :class:`planeval.IngestReport`
(classes of the C++ core), in one place: their ``to_frame`` (pandas). No other module adds to them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import _core
from ._frames import observations_frame, report_frame

if TYPE_CHECKING:  # pragma: no cover
    from ._core import IngestReport, Observations, Plan


def _observations_to_frame(self: Observations, plan: Plan) -> Any:
    """A pandas DataFrame: indicator and entity ids, start and end dates, value (NaN where missing),
    missing, weight (if any), estimated and provisional."""
    return observations_frame(self, plan)


def _report_to_frame(self: IngestReport, *, include_duplicates: bool = False) -> Any:
    """The rejected rows as a pandas DataFrame (columns row, column, reason, message), sorted by row;
    with include_duplicates=True also the duplicate rows, with reason 'duplicate'."""
    return report_frame(self, include_duplicates)


def _install() -> None:
    """Attach the methods (called once, on import by the package's ``__init__``)."""
    for cls, fn in ((_core.Observations, _observations_to_frame), (_core.IngestReport, _report_to_frame)):
        fn.__name__ = "to_frame"
        fn.__qualname__ = f"{cls.__name__}.to_frame"
    _core.Observations.to_frame = _observations_to_frame  # type: ignore[method-assign]
    _core.IngestReport.to_frame = _report_to_frame  # type: ignore[method-assign]


_install()
