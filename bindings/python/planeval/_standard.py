"""The Python-level methods of :class:`planeval.Standard` and :class:`planeval.StandardResult`
(classes of the C++ core), in one place: their pandas frames. No other module adds to them."""

from __future__ import annotations

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

_METHODS: tuple[tuple[type, str, Callable[[Any], Any]], ...] = (
    (_core.Standard, "indicators_frame", standard_indicators_frame),
    (_core.StandardResult, "units_frame", standard_units_frame),
    (_core.StandardResult, "cvs_frame", standard_cvs_frame),
    (_core.StandardResult, "composites_frame", standard_composites_frame),
    (_core.StandardResult, "criteria_frame", standard_criteria_frame),
    (_core.StandardResult, "groups_frame", standard_groups_frame),
    (_core.StandardResult, "reasons_frame", standard_reasons_frame),
)


def _method(name: str, build: Callable[[Any], Any], cls: type) -> Callable[[Any], Any]:
    def method(self: Any) -> Any:
        return build(self)

    method.__name__ = name
    method.__qualname__ = f"{cls.__name__}.{name}"
    method.__doc__ = build.__doc__
    return method


def _install() -> None:
    """Attach the methods (called once, on import by the package's ``__init__``)."""
    for cls, name, build in _METHODS:
        setattr(cls, name, _method(name, build, cls))


_install()
