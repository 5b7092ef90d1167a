"""The words reports use, taken from the plan or from the C++ core, never from a list of one plan's.

- Domain names: the plan declares them (``Plan.domains``; :func:`domain_label` asks
  ``Plan.domain_name``).
- Scope words of entity kinds (全县 / county-wide, 全区 / district-wide ...) and obligation labels
  (约束性 / 预期性) come from the core (``_core._scope_words``, ``_core._obligation_labels``).
- :func:`plan_area` finds the area a plan is about (its county, district, city ...) from the plan's
  own targets, so texts can say 全县 for a county plan and 全区 for a district plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from . import _core

if TYPE_CHECKING:  # pragma: no cover
    from ._core import Entity, Plan, Text

#: (kind, zh, en) for every entity kind, in the core's order (largest area first).
_SCOPE_WORDS = tuple(_core._scope_words())
SCOPE_WORDS: dict[str, tuple[str, str]] = {kind: (zh, en) for kind, zh, en in _SCOPE_WORDS}
#: Entity kinds that are areas (nation ... district, county): the kinds listed before "stage".
_KINDS = [kind for kind, _, _ in _SCOPE_WORDS]
AREA_KINDS: tuple[str, ...] = tuple(_KINDS[: _KINDS.index("stage")] if "stage" in _KINDS else _KINDS)

#: (obligation, zh, en): binding 约束性, expected 预期性, unspecified 未注明.
_OBLIGATION_LABELS = tuple(_core._obligation_labels())
OBLIGATIONS: tuple[str, ...] = tuple(name for name, _, _ in _OBLIGATION_LABELS)
_OBLIGATION_TEXT: dict[str, tuple[str, str]] = {name: (zh, en) for name, zh, en in _OBLIGATION_LABELS}

#: The stages of the plan format (its ``stages`` values) with their English names.
STAGE_NAMES: dict[str, tuple[str, str]] = {
    "幼儿园": ("幼儿园", "kindergarten"),
    "小学": ("小学", "primary"),
    "初中": ("初中", "junior secondary"),
    "高中": ("高中", "senior high"),
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    zh, en = pair
    return (en or zh) if lang == "en" else (zh or en)


def scope_word(kind: str, lang: str = "zh") -> str:
    """全县 / county-wide ... for an entity kind (the kind itself when the core has no word)."""
    pair = SCOPE_WORDS.get(kind)
    if pair is None:
        return kind.replace("_", " ") if lang == "en" else kind
    return _pick(pair, lang)


def stage_label(stage: str, lang: str = "zh") -> str:
    """A stage (小学 / primary) or an entity kind (全县 / county-wide): the keys of ``by_stage``."""
    pair = STAGE_NAMES.get(stage)
    if pair is not None:
        return _pick(pair, lang)
    return scope_word(stage, lang)


def obligation_label(obligation: str | None, lang: str = "zh") -> str:
    """约束性 / binding, 预期性 / expected; None or "unspecified": 未注明 / unspecified."""
    pair = _OBLIGATION_TEXT.get(obligation or "unspecified")
    if pair is None:
        return str(obligation)
    return _pick(pair, lang)


def check_obligation(value: str) -> str:
    """``value`` if it names an obligation (binding, expected, unspecified), else planeval.Error."""
    if value not in OBLIGATIONS:
        raise _core.Error(f"obligation: expected one of {', '.join(OBLIGATIONS)}, got {value!r}")
    return value


def domain_text(plan: Plan, domain: str) -> Text:
    """The name the plan gives a domain (``Plan.domain_name``): 其他 / other for '' and for the
    key "other" the report groups indicators without a domain under (unless the plan declares a
    domain "other")."""
    if domain == "other" and all(d.id != "other" for d in plan.domains):
        domain = ""
    return plan.domain_name(domain or "")


def domain_label(plan: Plan, domain: str, lang: str = "zh") -> str:
    """:func:`domain_text` in ``lang`` (English falls back to Chinese)."""
    return _pick(_text_pair(domain_text(plan, domain)), lang)


def _text_pair(t: Any) -> tuple[str, str]:
    if isinstance(t, Mapping):
        return str(t.get("zh", "")), str(t.get("en", ""))
    return str(t.zh), str(t.en)


def effective_obligation(plan_target: Any, indicator: Any) -> str | None:
    """A target's obligation, else its indicator's ('binding', 'expected' or None)."""
    own = plan_target.obligation
    if own is not None:
        return str(own)
    ind = indicator.obligation
    return None if ind is None else str(ind)


def plan_area(plan: Plan) -> Entity | None:
    """The area the plan is about: the area entity (nation ... county, district) most targets are
    scoped to (a target on a stage or school counts for the area above it); without targets the
    area above the stage entities, else the first entity without a parent; None for a plan without
    entities."""
    entities = plan.entities
    if not entities:
        return None
    by_id = {e.id: e for e in entities}

    def area_of(entity_id: str) -> str | None:
        seen: set[str] = set()
        e = by_id.get(entity_id)
        while e is not None and e.id not in seen:
            if e.kind in AREA_KINDS:
                return e.id
            seen.add(e.id)
            e = by_id.get(e.parent) if e.parent else None
        return None

    counts: dict[str, int] = {}
    for t in plan.targets:
        a = area_of(t.scope)
        if a is not None:
            counts[a] = counts.get(a, 0) + 1
    if counts:
        order = {e.id: i for i, e in enumerate(entities)}
        best = max(counts, key=lambda a: (counts[a], -order[a]))
        return by_id[best]
    for e in entities:
        if e.kind == "stage" and e.parent:
            a = area_of(e.parent)
            if a is not None:
                return by_id[a]
    areas = [e for e in entities if e.kind in AREA_KINDS]
    if areas:  # the smallest area
        return max(areas, key=lambda e: AREA_KINDS.index(e.kind))
    roots = [e for e in entities if not e.parent]
    return roots[0] if roots else entities[0]


def area_word(plan: Plan, lang: str = "zh") -> str:
    """The scope word of the plan's area (全县 for a county plan, 全区 for a district plan ...);
    全域 / area-wide when the plan names no area."""
    area = plan_area(plan)
    if area is None or area.kind not in AREA_KINDS:
        return "area-wide" if lang == "en" else "全域"
    return scope_word(area.kind, lang)


__all__ = [
    "AREA_KINDS",
    "OBLIGATIONS",
    "SCOPE_WORDS",
    "STAGE_NAMES",
    "area_word",
    "check_obligation",
    "domain_label",
    "domain_text",
    "effective_obligation",
    "obligation_label",
    "plan_area",
    "scope_word",
    "stage_label",
]
