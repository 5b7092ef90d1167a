"""Versioned pickling for the Python value types of planeval (API conventions, item 10).

The state of a pickled object is ``(version, fields)``: a format version first, then the instance's
attributes. Unpickling an unknown version (or a state of another shape) raises :class:`planeval.Error`
instead of building a half-initialised object. Frozen dataclasses are restored through
``object.__setattr__``.
"""

from __future__ import annotations

from typing import Any

from . import _core

#: Format version of the state (bump it when the attributes change and keep reading the old ones).
VERSION = 1


class Versioned:
    """Mixin: ``__getstate__`` / ``__setstate__`` with the format version first."""

    def __getstate__(self) -> tuple[int, dict[str, Any]]:
        return (VERSION, dict(self.__dict__))

    def __setstate__(self, state: object) -> None:
        name = type(self).__name__
        if not (isinstance(state, tuple) and len(state) == 2 and isinstance(state[1], dict)):
            raise _core.Error(f"invalid {name} pickle state: expected a tuple (version, dict of fields)")
        version, fields = state
        if version != VERSION:
            raise _core.Error(
                f"unsupported {name} pickle format version {version!r}; this planeval reads version {VERSION}"
            )
        for key, value in fields.items():
            object.__setattr__(self, key, value)
