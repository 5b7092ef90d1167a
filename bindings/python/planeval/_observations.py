"""The Python-level methods of :class:`planeval.Observations` and :class:`planeval.IngestReport`
(classes of the C++ core), in one place: their ``to_frame`` (pandas) and ``to_csv``. No other module
adds to them."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from . import _core
from ._csv import observations_to_csv, to_csv
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


def _observations_to_csv(self: Observations, path: str | os.PathLike[str], plan: Plan) -> None:
    """Writes the rows as a CSV file in the format ``read_csv`` reads (indicator, entity, entity_name,
    parent, period or date, value with ``NA`` for missing, weight, estimated, provisional), safe to
    open in Excel or WPS: text starting with ``=``, ``+``, ``-``, ``@``, tab or CR gets a leading
    apostrophe, which ``read_csv`` takes off again (see :func:`planeval.to_csv`)."""
    observations_to_csv(self, path, plan)


def _report_to_csv(
    self: IngestReport, path: str | os.PathLike[str], *, include_duplicates: bool = False
) -> None:
    """Writes :meth:`to_frame` as a CSV file safe to open in Excel or WPS (see
    :func:`planeval.to_csv`)."""
    to_csv(report_frame(self, include_duplicates), path)


def _install() -> None:
    """Attach the methods (called once, on import by the package's ``__init__``)."""
    for cls, fn, name in (
        (_core.Observations, _observations_to_frame, "to_frame"),
        (_core.IngestReport, _report_to_frame, "to_frame"),
        (_core.Observations, _observations_to_csv, "to_csv"),
        (_core.IngestReport, _report_to_csv, "to_csv"),
    ):
        fn.__name__ = name
        fn.__qualname__ = f"{cls.__name__}.{name}"
    _core.Observations.to_frame = _observations_to_frame  # type: ignore[method-assign]
    _core.IngestReport.to_frame = _report_to_frame  # type: ignore[method-assign]
    _core.Observations.to_csv = _observations_to_csv  # type: ignore[method-assign]
    _core.IngestReport.to_csv = _report_to_csv  # type: ignore[method-assign]


_install()
