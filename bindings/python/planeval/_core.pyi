"""Type stubs for planeval._core, the compiled core (use the planeval package)."""

import datetime
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar, SupportsFloat, SupportsIndex, TypedDict

import numpy as np
import numpy.typing as npt
import pandas as pd  # type: ignore[import-untyped, unused-ignore]
from typing_extensions import Self, TypeAlias

from ._report import Report

# Names with a leading underscore exist for type checking only.

#: A plan value: None (missing), a number, a boolean (milestones) or a vector of shares / [lo, hi].
_Value: TypeAlias = float | bool | list[float] | None
#: What the constructors accept for a value (ints become floats, tuples become lists).
_ValueLike: TypeAlias = float | bool | list[float] | tuple[float, ...] | None
_StrPath: TypeAlias = str | os.PathLike[str]
#: A date argument (API conventions): a date, a datetime64 / Timestamp at midnight, an ISO string, an
#: int year meaning its 31 December.
_DateLike: TypeAlias = datetime.date | np.datetime64 | str | int

_Array: TypeAlias = npt.ArrayLike

class _RollupArrays(TypedDict):
    indicator: npt.NDArray[np.object_]
    entity: npt.NDArray[np.object_]
    stage: npt.NDArray[np.object_]
    period_start: npt.NDArray[np.datetime64]
    period_end: npt.NDArray[np.datetime64]
    period_year: npt.NDArray[np.int32]
    value: npt.NDArray[np.float64]
    defined: npt.NDArray[np.bool_]
    units: npt.NDArray[np.uint64]
    missing_units: npt.NDArray[np.uint64]
    rule: npt.NDArray[np.object_]
    indicator_index: npt.NDArray[np.uint32]
    entity_index: npt.NDArray[np.uint32]
    stage_code: npt.NDArray[np.int8]
    rows_used: int
    rows_outside_level: int
    rows_combined_in_time: int
    #: entities weighed 1 for want of the weight their indicators' definitions name
    weight_assumed: list[str]

class _Counts(TypedDict):
    targets_by_kind: dict[str, int]
    targets_by_phase: dict[str, int]
    targets_by_domain: dict[str, int]
    targets_by_deadline_basis: dict[str, int]
    targets_by_obligation: dict[str, int]
    qualitative: int

__version__: str

# --- errors ----------------------------------------------------------------------------------

class Error(ValueError):
    # where the problem is (None when unknown); row counts from 1 (a file's line, a sheet's row)
    path: str | None
    file: str | None
    row: int | None
    column: str | None
    sheet: str | None
    cell: str | None
    message: str | None  # what is wrong without the place (None unless given apart)

class PlanError(Error):
    errors: list[Diagnostic]

class DataError(Error): ...
class ArgumentTypeError(Error, TypeError):
    """An argument of the wrong type: both a planeval.Error and a TypeError."""

class Diagnostic:
    def __init__(self, path: str, message: str, level: str = "error") -> None: ...
    @property
    def path(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def level(self) -> str: ...
    def __eq__(self, other: object) -> bool: ...
    def __copy__(self) -> Diagnostic: ...
    def __deepcopy__(self, memo: Any) -> Diagnostic: ...

# --- calendar --------------------------------------------------------------------------------

class Period:
    start: datetime.date
    end: datetime.date
    kind: str
    def __init__(self, start: datetime.date, end: datetime.date, kind: str = "custom") -> None: ...
    def contains(self, day: datetime.date) -> bool: ...
    def overlaps(self, other: Period) -> bool: ...
    @property
    def days(self) -> int: ...
    @staticmethod
    def calendar_year(year: int) -> Period: ...
    @staticmethod
    def school_year(year: int) -> Period: ...
    def __eq__(self, other: object) -> bool: ...
    def __copy__(self) -> Period: ...
    def __deepcopy__(self, memo: Any) -> Period: ...

def calendar_year_of(day: datetime.date) -> Period: ...
def school_year_of(day: datetime.date) -> Period: ...
def parse_date(text: str, role: str = "end") -> datetime.date | None: ...
def format_date(day: datetime.date) -> str: ...
def parse_period(text: str) -> Period | None: ...
def format_period(period: Period) -> str: ...

# --- model -----------------------------------------------------------------------------------

class Text:
    zh: str
    en: str
    def __init__(self, zh: str, en: str = "") -> None: ...
    def in_language(self, lang: str) -> str: ...
    def __eq__(self, other: object) -> bool: ...
    def __copy__(self) -> Text: ...
    def __deepcopy__(self, memo: Any) -> Text: ...

class Source:
    phrase: str
    section: str
    def __init__(self, phrase: str, section: str = "") -> None: ...
    def __eq__(self, other: object) -> bool: ...
    def __copy__(self) -> Source: ...
    def __deepcopy__(self, memo: Any) -> Source: ...

class Document:
    title: str
    file: str
    issuer: str
    url: str
    def __init__(self, title: str, *, file: str = "", issuer: str = "", url: str = "") -> None: ...
    def __eq__(self, other: object) -> bool: ...
    def __copy__(self) -> Document: ...
    def __deepcopy__(self, memo: Any) -> Document: ...

class Indicator:
    id: str
    name: Text
    name_zh: str
    name_en: str
    unit: str
    kind: str
    direction: str
    decimals: int | None
    stages: list[str]
    domain: str
    #: 'binding' (约束性), 'expected' (预期性) or None
    obligation: str | None
    #: id of the indicator this one is part of (其中), or ''
    parent: str
    tags: list[str]
    definition: Text | None
    share_labels: list[str]
    across_entities: str | None
    across_time: str | None
    #: 'students', 'units' or the id of a count indicator; '' means students
    weight_by: str
    #: the unit in English as the plan gives it, or ''
    unit_en: str
    source: Source | None
    def __init__(
        self,
        id: str,
        name_zh: str,
        unit: str,
        kind: str,
        direction: str = "increase",
        *,
        name_en: str = "",
        decimals: int | None = None,
        stages: list[str] = ...,
        domain: str = "",
        tags: list[str] = ...,
        definition: Text | None = None,
        share_labels: list[str] = ...,
        across_entities: str | None = None,
        across_time: str | None = None,
        source: Source | None = None,
        expression: str | None = None,
        numerator: str | None = None,
        denominator: str | None = None,
        factor: float | None = None,
        missing: str | None = None,
        obligation: str | None = None,
        parent: str = "",
        weight_by: str = "",
        unit_en: str = "",
    ) -> None: ...
    @property
    def expression(self) -> str | None: ...
    @property
    def numerator(self) -> str | None: ...
    @property
    def denominator(self) -> str | None: ...
    @property
    def factor(self) -> float | None: ...
    @property
    def missing(self) -> str | None: ...
    @property
    def is_derived(self) -> bool: ...
    @property
    def is_numeric(self) -> bool: ...
    @property
    def is_percentage(self) -> bool: ...
    def __eq__(self, other: object) -> bool: ...
    def __copy__(self) -> Indicator: ...
    def __deepcopy__(self, memo: Any) -> Indicator: ...

class Domain:
    id: str
    name: Text
    name_zh: str
    name_en: str
    def __init__(self, id: str, name_zh: str, *, name_en: str = "") -> None: ...
    def __eq__(self, other: object) -> bool: ...
    def __copy__(self) -> Domain: ...
    def __deepcopy__(self, memo: Any) -> Domain: ...

class Constant:
    id: str
    name: Text
    name_zh: str
    name_en: str
    value: float
    source: Source | None
    def __init__(
        self, id: str, name_zh: str, value: float, *, name_en: str = "", source: Source | None = None
    ) -> None: ...
    def __eq__(self, other: object) -> bool: ...
    def __copy__(self) -> Constant: ...
    def __deepcopy__(self, memo: Any) -> Constant: ...

class Entity:
    id: str
    name: Text
    name_zh: str
    name_en: str
    kind: str
    parent: str
    stage: str | None
    ownership: str | None
    students: float | None
    def __init__(
        self,
        id: str,
        name_zh: str,
        kind: str,
        parent: str = "",
        *,
        name_en: str = "",
        stage: str | None = None,
        ownership: str | None = None,
        students: float | None = None,
    ) -> None: ...
    def __eq__(self, other: object) -> bool: ...
    def __copy__(self) -> Entity: ...
    def __deepcopy__(self, memo: Any) -> Entity: ...

class Phase:
    id: str
    name: Text
    name_zh: str
    name_en: str
    start: datetime.date
    end: datetime.date
    source: Source | None
    def __init__(
        self,
        id: str,
        name_zh: str,
        start: datetime.date,
        end: datetime.date,
        *,
        name_en: str = "",
        source: Source | None = None,
    ) -> None: ...
    def contains(self, day: datetime.date) -> bool: ...
    @property
    def period(self) -> Period: ...
    def __eq__(self, other: object) -> bool: ...
    def __copy__(self) -> Phase: ...
    def __deepcopy__(self, memo: Any) -> Phase: ...

class Point:
    date: datetime.date
    source: Source | None
    def __init__(self, date: datetime.date, value: _ValueLike, source: Source | None = None) -> None: ...
    @property
    def value(self) -> _Value: ...
    @value.setter
    def value(self, value: _ValueLike) -> None: ...
    def __eq__(self, other: object) -> bool: ...
    def __copy__(self) -> Point: ...
    def __deepcopy__(self, memo: Any) -> Point: ...

class Goal:
    comparator: str
    deadline_basis: str
    tolerance: float | None
    from_: datetime.date | None
    #: True: the value judged is the running total of yearly values from the horizon start (or from_)
    cumulative: bool
    #: entity id whose value of the same year is the goal value (不低于全省平均), or None
    relative_to: str | None
    def __init__(
        self,
        comparator: str,
        value: _ValueLike = None,
        *,
        deadline: datetime.date | None = None,
        deadline_basis: str = "stated",
        tolerance: float | None = None,
        from_: datetime.date | None = None,
        cumulative: bool = False,
        relative_to: str | None = None,
        relative_indicator: str = "",
    ) -> None: ...
    @property
    def relative_indicator(self) -> str: ...
    @property
    def value(self) -> _Value: ...
    @value.setter
    def value(self, value: _ValueLike) -> None: ...
    @property
    def deadline(self) -> datetime.date | None: ...
    @deadline.setter
    def deadline(self, value: datetime.date | None) -> None: ...
    @property
    def deadline_assumed(self) -> bool: ...
    def __eq__(self, other: object) -> bool: ...
    def __copy__(self) -> Goal: ...
    def __deepcopy__(self, memo: Any) -> Goal: ...

class Target:
    id: str
    name: Text | None
    indicator: str
    scope: str
    baseline: Point | None
    goal: Goal
    milestones: list[Point]
    phase: str
    standard: str
    qualitative: bool | None
    #: 'binding' (约束性), 'expected' (预期性) or None (then the indicator's applies)
    obligation: str | None
    source: Source
    notes: str
    def __init__(
        self,
        id: str,
        indicator: str,
        scope: str,
        goal: Goal,
        source: Source,
        *,
        baseline: Point | None = None,
        milestones: list[Point] = ...,
        phase: str = "",
        standard: str = "",
        qualitative: bool | None = None,
        name: Text | None = None,
        notes: str = "",
        obligation: str | None = None,
    ) -> None: ...
    @property
    def indicator_index(self) -> int: ...
    @property
    def scope_index(self) -> int: ...
    @property
    def phase_index(self) -> int | None: ...
    def __eq__(self, other: object) -> bool: ...
    def __copy__(self) -> Target: ...
    def __deepcopy__(self, memo: Any) -> Target: ...

class Observation:
    id: str
    indicator: str
    entity: str
    dated: bool
    qualifier: str | None
    source: Source | None
    notes: str
    def __init__(
        self,
        id: str,
        indicator: str,
        entity: str,
        value: _ValueLike,
        *,
        date: datetime.date | None = None,
        period: Period | None = None,
        qualifier: str | None = None,
        source: Source | None = None,
        notes: str = "",
    ) -> None: ...
    @property
    def date(self) -> datetime.date | None: ...
    @date.setter
    def date(self, value: datetime.date) -> None: ...
    @property
    def period(self) -> Period | None: ...
    @period.setter
    def period(self, value: Period) -> None: ...
    @property
    def covered(self) -> Period: ...
    @property
    def value(self) -> _Value: ...
    @value.setter
    def value(self, value: _ValueLike) -> None: ...
    @property
    def indicator_index(self) -> int: ...
    @property
    def entity_index(self) -> int: ...
    def __eq__(self, other: object) -> bool: ...
    def __copy__(self) -> Observation: ...
    def __deepcopy__(self, memo: Any) -> Observation: ...

class Conflict:
    id: str
    items: list[str]
    description: Text
    description_zh: str
    description_en: str
    def __init__(
        self, id: str, items: list[str], description_zh: str, *, description_en: str = ""
    ) -> None: ...
    def __eq__(self, other: object) -> bool: ...
    def __copy__(self) -> Conflict: ...
    def __deepcopy__(self, memo: Any) -> Conflict: ...

class Note:
    id: str
    text: Text
    text_zh: str
    text_en: str
    source: Source | None
    def __init__(self, id: str, text_zh: str, *, text_en: str = "", source: Source | None = None) -> None: ...
    def __eq__(self, other: object) -> bool: ...
    def __copy__(self) -> Note: ...
    def __deepcopy__(self, memo: Any) -> Note: ...

# --- plan ------------------------------------------------------------------------------------

class Plan:
    source: Document | None
    def __init__(
        self, id: str, title_zh: str, start: datetime.date, end: datetime.date, *, title_en: str = ""
    ) -> None: ...
    @property
    def id(self) -> str: ...
    @property
    def title(self) -> Text: ...
    @property
    def horizon(self) -> Period: ...
    @property
    def phases(self) -> list[Phase]: ...
    @property
    def domains(self) -> list[Domain]: ...
    @property
    def standards(self) -> list[tuple[str, str]]: ...
    def standard_json(self, id: str) -> str: ...
    def standard(self, id: str) -> Standard: ...
    def domain_name(self, id: str) -> Text: ...
    @property
    def indicators(self) -> list[Indicator]: ...
    @property
    def constants(self) -> list[Constant]: ...
    @property
    def entities(self) -> list[Entity]: ...
    @property
    def targets(self) -> list[Target]: ...
    @property
    def observations(self) -> list[Observation]: ...
    @property
    def conflicts(self) -> list[Conflict]: ...
    @property
    def notes(self) -> list[Note]: ...
    def add_phase(self, phase: Phase) -> int: ...
    def add_domain(self, domain: Domain) -> int: ...
    def add_standard(self, json_text: str, *, file: str = "") -> int: ...
    def add_indicator(self, indicator: Indicator) -> int: ...
    def add_constant(self, constant: Constant) -> int: ...
    def add_entity(self, entity: Entity) -> int: ...
    def add_target(self, target: Target) -> int: ...
    def add_observation(self, observation: Observation) -> int: ...
    def add_conflict(self, conflict: Conflict) -> int: ...
    def add_note(self, note: Note) -> int: ...
    def indicator(self, id: str) -> Indicator: ...
    def target(self, id: str) -> Target: ...
    def entity(self, id: str) -> Entity: ...
    def phase(self, id: str) -> Phase: ...
    def phase_at(self, day: datetime.date) -> Phase | None: ...
    def warnings(self) -> list[Diagnostic]: ...
    def summary(self, lang: str = "zh") -> str: ...
    def counts(self) -> _Counts: ...
    def target_kind(self, target_id: str) -> str: ...
    def to_json(self) -> str: ...
    def save(self, path: _StrPath) -> None: ...
    def __eq__(self, other: object) -> bool: ...
    def __copy__(self) -> Plan: ...
    def __deepcopy__(self, memo: Any) -> Plan: ...
    def __getstate__(self) -> tuple[int, str]: ...
    def __setstate__(self, state: tuple[int, str]) -> None: ...
    def indicators_frame(self, labels: str = "id") -> pd.DataFrame: ...
    def targets_frame(self, labels: str = "id") -> pd.DataFrame: ...
    def evaluate(
        self,
        observations: Any = None,
        *,
        as_of: _DateLike,
        methods: Sequence[str] | None = None,
        primary: str = "linear",
        params: Mapping[str, Mapping[str, float | bool]] | None = None,
        standards: Iterable[Standard] | None = None,
        threads: int = 1,
        notices: Iterable[tuple[str, str]] | None = None,
    ) -> Report: ...
    def rollup(
        self,
        observations: Observations,
        *,
        level: str | int = "district",
        period: str = "calendar_year",
        by_stage: bool = False,
        rule: str | None = None,
        missing: str = "skip_if_all_missing",
        indicators: Sequence[str] | None = None,
        threads: int = 1,
    ) -> pd.DataFrame | _RollupArrays: ...
    def rollup_arrays(
        self,
        observations: Observations,
        *,
        level: str | int = "district",
        period: str = "calendar_year",
        by_stage: bool = False,
        rule: str | None = None,
        missing: str = "skip_if_all_missing",
        indicators: Sequence[str] | None = None,
        threads: int = 1,
        also: Sequence[str] | None = None,
        ids: bool = True,
    ) -> _RollupArrays: ...
    def rollup_batch(
        self, observations: Observations, requests: Sequence[dict[str, Any]], *, ids: bool = True
    ) -> list[_RollupArrays]: ...
    def evaluate_states(
        self,
        observations: Observations | tuple[Observations, IngestReport] | None = None,
        *,
        as_of: _DateLike,
        methods: str | Sequence[str] | None = None,
        primary: str = "linear",
        params: Mapping[str, Mapping[str, float | bool]] | None = None,
        standards: Iterable[Standard] | None = None,
        threads: int = 1,
    ) -> EvaluationPartial: ...
    def _evaluate_states(
        self,
        observations: Observations | None,
        as_of: _DateLike,
        primary: str,
        methods: list[str],
        params: dict[str, dict[str, float | bool]],
        standards: list[Standard],
        threads: int,
    ) -> EvaluationPartial: ...
    def rollup_states(
        self,
        observations: Observations,
        *,
        level: str | int = "district",
        period: str = "calendar_year",
        by_stage: bool = False,
        rule: str | None = None,
        missing: str = "skip_if_all_missing",
        indicators: Sequence[str] | None = None,
        threads: int = 1,
        also: Sequence[str] | None = None,
    ) -> RollupPartial: ...
    def rollup_k_of_n(
        self,
        observations: Observations,
        *,
        level: str | int = "district",
        period: str = "calendar_year",
        by_stage: bool = False,
        indicators: Sequence[str],
        criteria: dict[str, Sequence[tuple[str, float]]],
        k: int,
        floor: float = 0.85,
        threads: int = 1,
    ) -> dict[str, Any]: ...
    def rollup_k_of_n_states(
        self,
        observations: Observations,
        *,
        level: str | int = "district",
        period: str = "calendar_year",
        by_stage: bool = False,
        indicators: Sequence[str],
        criteria: dict[str, Sequence[tuple[str, float]]],
        k: int,
        floor: float = 0.85,
        threads: int = 1,
    ) -> KOfNPartial: ...
    def add_standard_indicators(self, standard: Standard) -> list[str]: ...

def load_plan(path: _StrPath) -> Plan: ...
def parse_plan(text: str, source_name: str = "<string>") -> Plan: ...
def example_plan() -> Plan: ...
def example_plan_json() -> str: ...

# --- observations ----------------------------------------------------------------------------

class Rejection:
    def __init__(self, row: int, column: str, reason: str, message: str) -> None: ...
    @property
    def row(self) -> int: ...
    @property
    def column(self) -> str: ...
    @property
    def reason(self) -> str: ...
    @property
    def message(self) -> str: ...
    def __eq__(self, other: object) -> bool: ...
    def __copy__(self) -> Rejection: ...
    def __deepcopy__(self, memo: Any) -> Rejection: ...
    def __getstate__(self) -> tuple[int, int, str, str, str]: ...
    def __setstate__(self, state: tuple[int, int, str, str, str]) -> None: ...

class IngestNote:
    def __init__(self, code: str, message: str, message_zh: str = "", rows: list[int] = ...) -> None: ...
    @property
    def code(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def message_zh(self) -> str: ...
    @property
    def rows(self) -> list[int]: ...
    def __eq__(self, other: object) -> bool: ...
    def __getstate__(self) -> tuple[Any, ...]: ...
    def __setstate__(self, state: tuple[Any, ...]) -> None: ...

class IngestReport:
    @property
    def rows(self) -> int: ...
    @property
    def accepted(self) -> int: ...
    @property
    def duplicates(self) -> int: ...
    @property
    def missing(self) -> int: ...
    @property
    def duplicate_rows(self) -> list[int]: ...
    @property
    def added_entities(self) -> list[str]: ...
    @property
    def rejected(self) -> list[Rejection]: ...
    @property
    def calendar_years(self) -> bool: ...
    @property
    def notes(self) -> list[IngestNote]: ...
    def add_note(self, note: IngestNote) -> None: ...
    def to_frame(self, *, include_duplicates: bool = False) -> pd.DataFrame: ...
    def to_csv(self, path: str | os.PathLike[str], *, include_duplicates: bool = False) -> None: ...
    def __eq__(self, other: object) -> bool: ...
    def __getstate__(self) -> tuple[Any, ...]: ...
    def __setstate__(self, state: tuple[Any, ...]) -> None: ...

class Observations:
    def __init__(
        self,
        indicator: _Array,
        entity: _Array,
        start: _Array,
        end: _Array,
        value: _Array,
        weight: _Array | None = None,
        flags: _Array | None = None,
        *,
        copy: bool = False,
    ) -> None: ...
    def __len__(self) -> int: ...
    @property
    def indicator(self) -> npt.NDArray[np.uint32]: ...
    @property
    def entity(self) -> npt.NDArray[np.uint32]: ...
    @property
    def start(self) -> npt.NDArray[np.int32]: ...
    @property
    def end(self) -> npt.NDArray[np.int32]: ...
    @property
    def value(self) -> npt.NDArray[np.float64]: ...
    @property
    def weight(self) -> npt.NDArray[np.float64] | None: ...
    @property
    def flags(self) -> npt.NDArray[np.uint8]: ...
    @property
    def missing(self) -> npt.NDArray[np.bool_]: ...
    @property
    def estimated(self) -> npt.NDArray[np.bool_]: ...
    @property
    def provisional(self) -> npt.NDArray[np.bool_]: ...
    @property
    def borrowed(self) -> bool: ...
    def copy(self) -> Observations: ...
    def to_frame(self, plan: Plan) -> pd.DataFrame: ...
    def to_csv(self, path: str | os.PathLike[str], plan: Plan) -> None: ...
    def __getstate__(self) -> tuple[Any, ...]: ...
    def __setstate__(self, state: tuple[Any, ...]) -> None: ...

class RollupPartial:
    """Per-group rule states of a roll-up over some rows (Plan.rollup_states): +=, to_bytes, finalise."""

    def __init__(self) -> None: ...
    def __iadd__(self, other: RollupPartial) -> RollupPartial: ...
    def __add__(self, other: RollupPartial) -> RollupPartial: ...
    def to_bytes(self) -> bytes: ...
    @staticmethod
    def from_bytes(plan: Plan | None, data: bytes) -> RollupPartial: ...
    def finalise(self, plan: Plan, *, ids: bool = True) -> _RollupArrays: ...
    @property
    def empty(self) -> bool: ...
    @property
    def rows_used(self) -> int: ...

class KOfNPartial:
    """k-of-n counts over some rows (Plan.rollup_k_of_n_states): +=, to_bytes, finalise."""

    def __init__(self) -> None: ...
    def __iadd__(self, other: KOfNPartial) -> KOfNPartial: ...
    def __add__(self, other: KOfNPartial) -> KOfNPartial: ...
    def to_bytes(self) -> bytes: ...
    @staticmethod
    def from_bytes(plan: Plan | None, data: bytes) -> KOfNPartial: ...
    def finalise(self, plan: Plan, *, ids: bool = True) -> dict[str, Any]: ...
    @property
    def empty(self) -> bool: ...
    @property
    def units(self) -> int: ...

def observations_from_arrays(
    plan: Plan,
    *,
    indicator: _Array,
    entity: _Array,
    value: _Array,
    year: _Array | None = None,
    start: _Array | None = None,
    end: _Array | None = None,
    date: _Array | None = None,
    weight: _Array | None = None,
    missing: _Array | None = None,
    estimated: _Array | None = None,
    provisional: _Array | None = None,
    on_bad_row: str = "raise",
) -> tuple[Observations, IngestReport]: ...
def derive(
    plan: Plan, observations: Observations, indicators: list[str] = ...
) -> tuple[Observations, list[dict[str, Any]]]: ...
def read_csv(
    plan: Plan, path: _StrPath, *, on_bad_row: str = "raise", add_entities: bool = True
) -> tuple[Observations, IngestReport]: ...
def _read_text_columns(
    plan: Plan,
    names: list[str],
    cells: list[list[str]],
    on_bad_row: str,
    add_entities: bool,
    source: str,
    row_names: list[str] = ...,
) -> tuple[Observations, IngestReport]: ...
def _observations_from_arrow_stream(
    plan: Plan, data: object, on_bad_row: str, add_entities: bool, source: str
) -> tuple[Observations, IngestReport]: ...
def _ids(plan: Plan, what: str) -> list[str]: ...
def _require_plan(plan: Plan, observations: Observations, operation: str) -> None: ...

# --- rules -----------------------------------------------------------------------------------
# At run time the rule classes live in planeval._core and are re-exported by planeval.rules (their
# __module__); _RuleState and _Mergeable exist for type checking only.

class _RuleState:
    rule: ClassVar[str]
    mergeable: ClassVar[bool]
    @property
    def value(self) -> float | None: ...
    @property
    def count(self) -> int: ...
    @property
    def missing_count(self) -> int: ...
    @property
    def missing(self) -> str: ...
    @property
    def policy(self) -> str: ...
    def to_bytes(self) -> bytes: ...
    @classmethod
    def from_bytes(cls, data: bytes) -> Self: ...
    def __eq__(self, other: object) -> bool: ...
    def __copy__(self) -> Self: ...
    def __deepcopy__(self, memo: Any) -> Self: ...
    def __getstate__(self) -> tuple[int, bytes]: ...
    def __setstate__(self, state: tuple[int, bytes] | bytes) -> None: ...

class _Mergeable(_RuleState):
    def __iadd__(self, other: Self) -> Self: ...
    def __add__(self, other: Self) -> Self: ...
    def merge(self, other: Self) -> Self: ...

class _Unweighted:
    def observe(
        self,
        values: _Array,
        weights: None = None,
        missing_mask: _Array | None = None,
        *,
        missing: _Array | None = None,
    ) -> Self: ...

class _Weighted:
    def observe(
        self,
        values: _Array,
        weights: _Array | None = None,
        missing_mask: _Array | None = None,
        *,
        missing: _Array | None = None,
    ) -> Self: ...

class _WeightsRequired:
    def observe(
        self,
        values: _Array,
        weights: _Array,
        missing_mask: _Array | None = None,
        *,
        missing: _Array | None = None,
    ) -> Self: ...

class Sum(_Unweighted, _Mergeable):
    def __init__(self, *, missing: str | None = None, policy: str | None = None) -> None: ...
    @property
    def sum(self) -> float: ...

class Count(_Unweighted, _Mergeable):
    def __init__(self, *, missing: str | None = None, policy: str | None = None) -> None: ...
    @property
    def sum(self) -> float: ...

class Mean(_Unweighted, _Mergeable):
    def __init__(self, *, missing: str | None = None, policy: str | None = None) -> None: ...
    @property
    def sum(self) -> float: ...

class Min(_Unweighted, _Mergeable):
    def __init__(self, *, missing: str | None = None, policy: str | None = None) -> None: ...

class Max(_Unweighted, _Mergeable):
    def __init__(self, *, missing: str | None = None, policy: str | None = None) -> None: ...

class WeightedMean(_WeightsRequired, _Mergeable):
    def __init__(self, *, missing: str | None = None, policy: str | None = None) -> None: ...
    @property
    def sum_of_weights(self) -> float: ...

class RatioOfSums(_WeightsRequired, _Mergeable):
    def __init__(
        self,
        factor: float = 1.0,
        *,
        missing: str | None = None,
        policy: str | None = None,
    ) -> None: ...
    @property
    def factor(self) -> float: ...
    @property
    def numerator(self) -> float: ...
    @property
    def denominator(self) -> float: ...

class MeanOfRatios(_WeightsRequired, _Mergeable):
    def __init__(
        self,
        factor: float = 1.0,
        *,
        missing: str | None = None,
        policy: str | None = None,
    ) -> None: ...
    @property
    def factor(self) -> float: ...
    @property
    def units(self) -> int: ...
    @property
    def skipped_zero_denominator(self) -> int: ...

class Variance(_Weighted, _Mergeable):
    def __init__(self, ddof: int = 0, *, missing: str | None = None, policy: str | None = None) -> None: ...
    @property
    def ddof(self) -> int: ...
    @property
    def variance(self) -> float | None: ...
    @property
    def mean(self) -> float | None: ...
    @property
    def sum_of_weights(self) -> float: ...

class StdDev(_Weighted, _Mergeable):
    def __init__(self, ddof: int = 0, *, missing: str | None = None, policy: str | None = None) -> None: ...
    @property
    def ddof(self) -> int: ...
    @property
    def variance(self) -> float | None: ...
    @property
    def mean(self) -> float | None: ...
    @property
    def sum_of_weights(self) -> float: ...

class CV(_Weighted, _Mergeable):
    def __init__(
        self, weighted: bool = True, ddof: int = 0, *, missing: str | None = None, policy: str | None = None
    ) -> None: ...
    @property
    def weighted(self) -> bool: ...
    @property
    def ddof(self) -> int: ...
    @property
    def mean(self) -> float | None: ...
    @property
    def stddev(self) -> float | None: ...

class ShareMeeting(_Unweighted, _Mergeable):
    def __init__(
        self,
        comparator: str = ">=",
        threshold: float = 0.0,
        *,
        missing: str | None = None,
        policy: str | None = None,
    ) -> None: ...
    @property
    def comparator(self) -> str: ...
    @property
    def threshold(self) -> float: ...
    @property
    def met(self) -> int: ...
    @property
    def compared(self) -> int: ...

class CountMeeting(_Unweighted, _Mergeable):
    def __init__(
        self,
        comparator: str = ">=",
        threshold: float = 0.0,
        *,
        missing: str | None = None,
        policy: str | None = None,
    ) -> None: ...
    @property
    def comparator(self) -> str: ...
    @property
    def threshold(self) -> float: ...
    @property
    def met(self) -> int: ...
    @property
    def compared(self) -> int: ...

class First(_Mergeable):
    def __init__(self, *, missing: str | None = None, policy: str | None = None) -> None: ...
    def observe(
        self,
        dates: _Array,
        values: _Array,
        missing_mask: _Array | None = None,
        *,
        missing: _Array | None = None,
    ) -> Self: ...
    @property
    def date(self) -> datetime.date | None: ...

class Last(_Mergeable):
    def __init__(self, *, missing: str | None = None, policy: str | None = None) -> None: ...
    def observe(
        self,
        dates: _Array,
        values: _Array,
        missing_mask: _Array | None = None,
        *,
        missing: _Array | None = None,
    ) -> Self: ...
    @property
    def date(self) -> datetime.date | None: ...

class YearOverYear(_Mergeable):
    def __init__(
        self,
        strict: bool = False,
        *,
        missing: str | None = None,
        policy: str | None = None,
    ) -> None: ...
    def observe(
        self,
        years: _Array,
        values: _Array,
        missing_mask: _Array | None = None,
        *,
        missing: _Array | None = None,
    ) -> Self: ...
    @property
    def strict(self) -> bool: ...
    @property
    def holds(self) -> bool | None: ...
    @property
    def breaks(self) -> list[int]: ...
    @property
    def gaps(self) -> list[int]: ...
    @property
    def totals(self) -> list[tuple[int, float]]: ...

class StructureShares(_Mergeable):
    def __init__(
        self,
        target: Sequence[float] | None = None,
        tolerance: float = 0.0,
        *,
        missing: str | None = None, policy: str | None = None,
    ) -> None: ...
    def observe(
        self,
        categories: _Array,
        amounts: _Array,
        missing_mask: _Array | None = None,
        *,
        missing: _Array | None = None,
    ) -> Self: ...
    @property
    def target(self) -> list[float]: ...
    @property
    def tolerance(self) -> float: ...
    @property
    def sums(self) -> list[float]: ...
    @property
    def total(self) -> float: ...
    @property
    def shares(self) -> list[float] | None: ...
    @property
    def holds(self) -> bool | None: ...

class Median(_Unweighted, _RuleState):
    def __init__(self, *, missing: str | None = None, policy: str | None = None) -> None: ...
    @property
    def values(self) -> npt.NDArray[np.float64]: ...

class UnitResult:
    @property
    def unit(self) -> int: ...
    @property
    def passed(self) -> bool: ...
    @property
    def met_count(self) -> int: ...
    @property
    def failing(self) -> list[int]: ...
    @property
    def below_floor(self) -> list[int]: ...
    @property
    def missing(self) -> list[int]: ...
    @property
    def ratios(self) -> list[float | None]: ...

class KOfN(_Mergeable):
    def __init__(
        self,
        criteria: Sequence[tuple[str, float] | tuple[str, float, str]] | None = None,
        k: int | None = None,
        floor: float = 0.85,
        *,
        missing: str | None = None, policy: str | None = None,
    ) -> None: ...
    def observe(
        self,
        values: _Array,
        units: _Array | None = None,
        missing_mask: _Array | None = None,
        *,
        missing: _Array | None = None,
    ) -> Self: ...
    @property
    def k(self) -> int: ...
    @property
    def floor(self) -> float: ...
    @property
    def criteria(self) -> list[tuple[str, float, str]]: ...
    @property
    def passed(self) -> int: ...
    @property
    def units(self) -> int: ...
    @property
    def results(self) -> list[UnitResult]: ...

class Percentile(_Unweighted, _RuleState):
    def __init__(self, q: float = 0.5, *, missing: str | None = None, policy: str | None = None) -> None: ...
    @property
    def q(self) -> float: ...
    @property
    def values(self) -> npt.NDArray[np.float64]: ...

def aggregate(
    rule: str,
    values: _Array,
    weights: _Array | None = None,
    *,
    missing: str | _Array | None = None,
    missing_mask: _Array | None = None,
    policy: str | None = None,
    ddof: int = 0,
    threshold: float | None = None,
    comparator: str = ">=",
    q: float | None = None,
    factor: float = 1.0,
) -> float | None: ...
def rule_names() -> list[str]: ...
def rule_aliases() -> dict[str, str]: ...

# --- official standards ----------------------------------------------------------------------
# The dict shapes of Standard's and StandardResult's properties (type checking only).

_Evidence: TypeAlias = str | dict[str, str] | None

class _TextDict(TypedDict):
    zh: str
    en: str

class _StandardDocument(TypedDict):
    number: str
    issuer: str
    jurisdiction: str
    date: str
    sources: list[str]
    evidence: _Evidence
    notes: str

class _StandardUnits(TypedDict):
    level: str
    entity_kinds: list[str]
    evidence: _Evidence
    notes: str

class _StandardGroup(TypedDict):
    id: str
    name: _TextDict
    evidence: _Evidence
    notes: str

class _StandardIndicator(TypedDict):
    id: str
    name: _TextDict
    unit: str
    kind: str
    direction: str
    level: str
    decimals: int | None
    definition: _TextDict | None
    comparator: str | None
    thresholds: dict[str, float]
    split_combined: bool
    group: str
    evidence: _Evidence
    sources: list[str]
    notes: str

class _Provenance(TypedDict):
    description: _TextDict | None
    evidence: _Evidence
    sources: list[str]
    notes: str

class _StandardUnitRule(_Provenance):
    kind: str
    k: int
    floor: float
    required_share: float
    group: str

class _StandardAcrossRule(_Provenance):
    id: str
    kind: str
    weighting: str
    comparator: str
    limits: dict[str, float]
    indicators: list[str]
    group: str

class _StandardCriterion(_Provenance):
    id: str
    indicator: str
    comparator: str
    value: float | None
    group: str

class _StandardExclusionBase(TypedDict):
    id: str
    kind: str
    entity_kinds: list[str]
    description: _TextDict
    evidence: _Evidence
    sources: list[str]
    notes: str

class _StandardExclusion(_StandardExclusionBase, total=False):
    students: float  # kind "students_below"
    patterns: list[str]  # kind "name_contains"

class _StandardSplit(_Provenance):
    stages: list[str]
    weights: list[float]

class _StandardVerdict(_Provenance):
    rule: str

class _UnitValue(TypedDict):
    indicator: str
    value: float | None
    threshold: float | None
    ratio: float | None
    met: bool
    above_floor: bool
    missing: bool
    split: bool

class _UnitResult(TypedDict):
    unit: str
    combined_school: str
    stage: str | None
    students: float | None
    excluded: bool
    exclusion: str
    excluded_because: _TextDict
    passed: bool | None
    met_count: int
    values: list[_UnitValue]

class _CvResult(TypedDict):
    stage: str
    indicator: str
    cv: float | None
    mean: float | None
    units: int
    missing_units: int
    weighting: str
    rule: str
    limit: float | None
    passed: bool | None

class _CompositeResult(TypedDict):
    rule: str
    stage: str
    value: float | None
    limit: float | None
    passed: bool | None

class _CriterionResult(TypedDict):
    id: str
    indicator: str
    comparator: str
    value: float | None
    limit: float | None
    passed: bool | None

class _GroupResult(TypedDict):
    id: str
    evaluated: bool
    passed: bool

class StandardError(Error):
    errors: list[Diagnostic]

class Standard:
    @property
    def id(self) -> str: ...
    @property
    def title(self) -> Text: ...
    @property
    def document(self) -> _StandardDocument: ...
    @property
    def based_on(self) -> str: ...
    @property
    def stages(self) -> list[str]: ...
    @property
    def units(self) -> _StandardUnits: ...
    @property
    def groups(self) -> list[_StandardGroup]: ...
    @property
    def indicator_ids(self) -> list[str]: ...
    @property
    def indicators(self) -> list[_StandardIndicator]: ...
    @property
    def unit_rule(self) -> _StandardUnitRule: ...
    @property
    def across_units(self) -> list[_StandardAcrossRule]: ...
    @property
    def district_criteria(self) -> list[_StandardCriterion]: ...
    @property
    def exclusions(self) -> list[_StandardExclusion]: ...
    @property
    def combined_schools(self) -> list[_StandardSplit]: ...
    @property
    def verdict(self) -> _StandardVerdict: ...
    @property
    def notes(self) -> list[str]: ...
    def indicators_frame(self) -> pd.DataFrame: ...
    def __eq__(self, other: object) -> bool: ...
    def __copy__(self) -> Standard: ...
    def __deepcopy__(self, memo: Any) -> Standard: ...

class StandardReason:
    @property
    def code(self) -> str: ...
    @property
    def group(self) -> str: ...
    @property
    def stage(self) -> str | None: ...
    @property
    def indicator(self) -> str: ...
    @property
    def unit(self) -> str: ...
    @property
    def value(self) -> float | None: ...
    @property
    def limit(self) -> float | None: ...
    @property
    def message_zh(self) -> str: ...
    @property
    def message_en(self) -> str: ...
    def message(self, lang: str = "zh") -> str: ...
    def __eq__(self, other: object) -> bool: ...
    def __copy__(self) -> StandardReason: ...
    def __deepcopy__(self, memo: Any) -> StandardReason: ...

class StandardResult:
    @property
    def standard(self) -> str: ...
    @property
    def scope(self) -> str: ...
    @property
    def period(self) -> Period: ...
    @property
    def passed(self) -> bool: ...
    @property
    def reasons(self) -> list[StandardReason]: ...
    @property
    def units(self) -> list[_UnitResult]: ...
    @property
    def cvs(self) -> list[_CvResult]: ...
    @property
    def composites(self) -> list[_CompositeResult]: ...
    @property
    def criteria(self) -> list[_CriterionResult]: ...
    @property
    def groups(self) -> list[_GroupResult]: ...
    def explain(self, lang: str = "zh") -> str: ...
    def units_frame(self) -> pd.DataFrame: ...
    def cvs_frame(self) -> pd.DataFrame: ...
    def composites_frame(self) -> pd.DataFrame: ...
    def criteria_frame(self) -> pd.DataFrame: ...
    def groups_frame(self) -> pd.DataFrame: ...
    def reasons_frame(self) -> pd.DataFrame: ...
    # Word and Excel out (planeval._standard, issue 16)
    def to_xlsx(
        self, path: _StrPath, lang: str = "zh", *, plan: Plan | None = None, standard: Standard | None = None
    ) -> None: ...
    def to_html(
        self,
        path: _StrPath | None = None,
        lang: str = "zh",
        *,
        plan: Plan | None = None,
        standard: Standard | None = None,
    ) -> str: ...
    def to_csv(
        self, path: _StrPath, lang: str = "zh", *, plan: Plan | None = None, standard: Standard | None = None
    ) -> list[str]: ...
    def _repr_html_(self) -> str: ...

def builtin_standard_ids() -> list[str]: ...
def builtin_standard(id: str) -> Standard: ...
def builtin_standard_json(id: str) -> str: ...
def load_standard(path: _StrPath) -> Standard: ...
def parse_standard(text: str, source_name: str = "<string>") -> Standard: ...
def split_combined_school(
    total: float,
    students: Sequence[float] | npt.NDArray[Any],
    weights: Sequence[float] | npt.NDArray[Any],
) -> list[float]: ...
def evaluate_standard(
    standard: Standard,
    plan: Plan,
    observations: Observations,
    *,
    period: datetime.date | int | str | Period,
    scope: str | None = None,
    indicators: dict[str, str] | None = None,
    groups: Sequence[str] | None = None,
    excluded: dict[str, str] | None = None,
) -> StandardResult: ...

class StandardPartial:
    """The rows evaluate_standard could read from some observations (standard_states): +=,
    to_bytes, finalise(standard, plan) -> the StandardResult of all rows merged."""

    def __init__(self) -> None: ...
    def __iadd__(self, other: StandardPartial) -> StandardPartial: ...
    def __add__(self, other: StandardPartial) -> StandardPartial: ...
    def to_bytes(self) -> bytes: ...
    @staticmethod
    def from_bytes(plan: Plan | None, data: bytes) -> StandardPartial: ...
    def finalise(self, standard: Standard, plan: Plan) -> StandardResult: ...
    @property
    def empty(self) -> bool: ...
    @property
    def rows(self) -> int: ...
    @property
    def standard_id(self) -> str: ...

def standard_states(
    standard: Standard,
    plan: Plan,
    observations: Observations,
    *,
    period: datetime.date | int | str | Period,
    scope: str | None = None,
    indicators: dict[str, str] | None = None,
    groups: Sequence[str] | None = None,
    excluded: dict[str, str] | None = None,
) -> StandardPartial: ...

# --- progress assessment ---------------------------------------------------------------------

#: A number: float, int, or anything with __float__ / __index__ (numpy scalars); not bool.
_Number: TypeAlias = SupportsFloat | SupportsIndex
#: A year: a number (fractional years) or a datetime.date (year + (day_of_year - 1) / days).
_Year: TypeAlias = _Number | datetime.date
#: A (year, value) pair.
_PointLike: TypeAlias = tuple[_Year, _Number] | Sequence[_Year]
#: Points: (year, value) pairs, a dict {year: value} or a pandas Series indexed by year.
_PointsLike: TypeAlias = Iterable[_PointLike] | Mapping[_Year, _Number] | pd.Series
#: A method parameter: a number or a flag.
_Param: TypeAlias = _Number | bool | np.bool_

class _AssessmentReason(TypedDict):
    zh: str
    en: str

class _AssessmentDict(TypedDict):
    method: str
    category: str
    value: float | None
    score: float | None
    details: dict[str, float]
    reason: _AssessmentReason | None
    current: list[float] | None
    target: list[float] | None

class Assessment:
    @property
    def method(self) -> str: ...
    @property
    def value(self) -> float | None: ...
    @property
    def score(self) -> float | None: ...
    @property
    def category(self) -> str: ...
    @property
    def assessable(self) -> bool: ...
    @property
    def reason(self) -> str | None: ...
    @property
    def reason_zh(self) -> str | None: ...
    @property
    def details(self) -> dict[str, float]: ...
    @property
    def current(self) -> tuple[float, float] | None: ...
    @property
    def target(self) -> tuple[float, float] | None: ...
    @property
    def method_label(self) -> Text: ...
    @property
    def category_label(self) -> Text: ...
    def explain(
        self, lang: str = "zh", *, name: str | None = None, unit: str | None = None, decimals: int = 1
    ) -> str: ...
    def to_dict(self) -> _AssessmentDict: ...
    @staticmethod
    def from_dict(data: _AssessmentDict | dict[str, Any]) -> Assessment: ...
    def _repr_html_(self) -> str: ...
    def __eq__(self, other: object) -> bool: ...
    def __copy__(self) -> Assessment: ...
    def __deepcopy__(self, memo: Any) -> Assessment: ...
    def __getstate__(self) -> tuple[int, _AssessmentDict]: ...
    def __setstate__(self, state: tuple[int, _AssessmentDict]) -> None: ...

def assess(
    method: str,
    *,
    baseline: _PointLike,
    current: _PointLike,
    target: _PointLike | None = None,
    direction: str = "increase",
    observations: _PointsLike | None = None,
    milestones: _PointsLike | None = None,
    natural_limit: _Number | None = None,
    **params: _Param,
) -> Assessment: ...
def statcan_multi(series: Iterable[Mapping[str, Any]], **params: _Param) -> Assessment: ...
def assess_methods() -> list[str]: ...
def assess_categories(method: str) -> list[str]: ...
def assess_defaults(method: str) -> dict[str, float | bool]: ...

# --- evaluating a plan (private; planeval.evaluate / Plan.evaluate wrap these) ---------------------
class _Report:
    def to_json(self) -> str: ...
    def to_text(self, lang: str = "zh") -> str: ...
    def plan(self) -> Plan: ...

class EvaluationPartial:
    """What a plan evaluation reads from some rows (Plan.evaluate_states): +=, to_bytes, finalise."""

    def __init__(self) -> None: ...
    def __iadd__(self, other: EvaluationPartial) -> EvaluationPartial: ...
    def __add__(self, other: EvaluationPartial) -> EvaluationPartial: ...
    def to_bytes(self) -> bytes: ...
    @staticmethod
    def from_bytes(plan: Plan | None, data: bytes) -> EvaluationPartial: ...
    def finalise(
        self,
        plan: Plan,
        *,
        standards: Iterable[Standard] | None = None,
        notices: Iterable[tuple[str, str]] | None = None,
    ) -> Report: ...
    def _finalise(
        self, plan: Plan, standards: list[Standard] | None, notices: list[tuple[str, str]]
    ) -> _Report: ...
    @property
    def empty(self) -> bool: ...
    @property
    def rows(self) -> int: ...

def _status_labels() -> list[tuple[str, str, str]]: ...
def _scope_words() -> list[tuple[str, str, str]]: ...
def _obligation_labels() -> list[tuple[str, str, str]]: ...
def _english_unit_names() -> list[tuple[str, str]]: ...
def _evaluate(
    plan: Plan,
    observations: Observations | None,
    as_of: _DateLike,
    primary: str,
    methods: list[str],
    params: dict[str, dict[str, float | bool]],
    standards: list[Standard],
    threads: int,
    notices: list[tuple[str, str]],
) -> _Report: ...

# --- formulas (derived indicators) ------------------------------------------------------------
class ExpressionError(Error):
    # the formula's character column (from 1), not a data column's name as Error.column: one name, two
    # meanings (issue 14: to be settled by the API conventions)
    column: int  # type: ignore[assignment]
    message: str

class Expression:
    @property
    def text(self) -> str: ...
    @property
    def references(self) -> list[str]: ...
    @property
    def constants(self) -> list[str]: ...
    @property
    def result_type(self) -> str: ...
    @property
    def node_count(self) -> int: ...
    def substitute(
        self, values: Mapping[str, float | None], constants: Mapping[str, float] | None = None
    ) -> str: ...
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...
    def __copy__(self) -> Expression: ...
    def __deepcopy__(self, memo: Any) -> Expression: ...
    def __getstate__(self) -> tuple[str]: ...
    def __setstate__(self, state: tuple[str]) -> None: ...

def parse_expression(
    text: str, *, indicators: Iterable[str] | None = None, constants: Iterable[str] | None = None
) -> Expression: ...
def evaluate_expression(
    formula: str | Expression,
    values: Mapping[str, Any],
    *,
    constants: Mapping[str, float] | None = None,
    missing: str = "skip_if_any_missing",
) -> npt.NDArray[np.float64]: ...

# --- composite (register_composite.cpp) ---
# Private: planeval.composite wraps these (spec dicts and arrays; see register_composite.cpp).
class _CompositeTree(TypedDict):
    node_ids: list[str]
    node_parent: npt.NDArray[np.int32]
    node_weight: npt.NDArray[np.float64]
    node_method: list[str]
    node_power: npt.NDArray[np.float64]
    node_min_share: npt.NDArray[np.float64]
    indicator_parent: npt.NDArray[np.uint32]
    indicator_weight: npt.NDArray[np.float64]
    bottom_up: npt.NDArray[np.uint32]
    children_count: npt.NDArray[np.uint32]
    root: int
    zeros: str

class _OutlierRecord(TypedDict):
    treated: bool
    skew: float
    kurtosis: float
    passed: bool
    nwin: int
    skew_winsorised: float
    kurtosis_winsorised: float
    passed_winsorised: bool
    skew_after: float
    kurtosis_after: float
    winsorised: list[int]
    points: list[tuple[int, float, float, bool]]  # (unit row, before, after, high)
    log_transformed: bool
    transform: str

class _UnitAvailability(TypedDict):
    missing: int
    zeros: int
    data_share: float
    nonzero_share: float
    low_data: bool
    low_nonzero: bool
    included: bool

class _CompositeRecord(TypedDict):
    outliers: list[_OutlierRecord]
    imputed: list[int]
    present: list[int]
    location: list[float]
    scale: list[float]
    denominator_missing: list[int]
    screen: list[_UnitAvailability]
    unit_rows: list[int]

class _CompositeArrays(TypedDict):
    treated: npt.NDArray[np.float64]
    normalised: npt.NDArray[np.float64]
    scores: npt.NDArray[np.float64]
    ranks: npt.NDArray[np.uint32]
    strongest: npt.NDArray[np.int32]
    weakest: npt.NDArray[np.int32]
    unit_rows: npt.NDArray[np.uint32]
    record: _CompositeRecord
    tree: _CompositeTree

class _ValueAddedArrays(TypedDict):
    expected: npt.NDArray[np.float64]
    value_added: npt.NDArray[np.float64]
    rank: npt.NDArray[np.uint32]
    coefficients: npt.NDArray[np.float64]
    r_squared: float
    fitted_units: int

def _composite_build(
    data: _Array, spec: Mapping[str, Any], denominators: _Array | None = None
) -> _CompositeArrays: ...
def _composite_normalised(
    data: _Array, spec: Mapping[str, Any], denominators: _Array | None = None
) -> tuple[npt.NDArray[np.float64], _CompositeRecord]: ...
def _composite_tree(spec: Mapping[str, Any]) -> _CompositeTree: ...
def _value_added(
    method: str,
    actual: _Array,
    baseline: _Array,
    *,
    direction: str = "higher",
    baseline_year: _Array | None = None,
    target_value: _Array | None = None,
    target_year: _Array | None = None,
    year: float | None = None,
    covariates: _Array | None = None,
    intercept: bool = True,
) -> _ValueAddedArrays: ...
def _skew_kurtosis(x: _Array) -> tuple[float, float]: ...

# composite analysis (register_composite_analysis.cpp; planeval._composite_analysis)
class _IndicatorStats(TypedDict):
    min: npt.NDArray[np.float64]
    max: npt.NDArray[np.float64]
    mean: npt.NDArray[np.float64]
    median: npt.NDArray[np.float64]
    sd: npt.NDArray[np.float64]
    skew: npt.NDArray[np.float64]
    kurtosis: npt.NDArray[np.float64]
    n_available: npt.NDArray[np.int64]
    n_nonzero: npt.NDArray[np.int64]
    n_unique: npt.NDArray[np.int64]
    n_same: npt.NDArray[np.int64]
    share_available: npt.NDArray[np.float64]
    share_nonzero: npt.NDArray[np.float64]
    share_unique: npt.NDArray[np.float64]
    share_same: npt.NDArray[np.float64]
    low_available: npt.NDArray[np.uint8]
    low_nonzero: npt.NDArray[np.uint8]
    low_unique: npt.NDArray[np.uint8]
    outlier: npt.NDArray[np.float64]

def _effective_weights(
    node_parent: _Array, node_weight: _Array, indicator_parent: _Array, indicator_weight: _Array
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]: ...
def _cronbach_alpha(values: _Array) -> float: ...
def _indicator_stats(
    values: _Array,
    *,
    t_skew: float = 2.0,
    t_kurt: float = 3.5,
    t_avail: float = 0.65,
    t_zero: float = 0.5,
    t_unq: float = 0.5,
    sd: str = "sample",
) -> _IndicatorStats: ...
def _correlation_matrix(values: _Array, method: str = "pearson") -> npt.NDArray[np.float64]: ...
def _correlation_pvalues(values: _Array, method: str = "pearson") -> npt.NDArray[np.float64]: ...
def _incomplete_beta(x: float, a: float, b: float) -> float: ...
def _outranking_matrix(
    values: _Array, weights: _Array | None = None
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], int, float]: ...
def _strengths_weaknesses(
    values: _Array,
    unit: int,
    *,
    top: int = 5,
    bottom: int = 5,
    directions: _Array | None = None,
    groups: Sequence[int] | None = None,
    min_discard: bool = True,
    unique_discard: float = ...,
) -> tuple[
    tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]], tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]
]: ...
def _composite_options() -> dict[str, Any]: ...  # lists of names; normalisation_coinr: a dict

# --- end composite ---

# --- uncertainty (register_uncertainty.cpp) ---
class CancelledError(Error): ...

def _uniform_draws(rows: int, cols: int, seed: int, first: int = 0) -> npt.NDArray[np.float64]: ...
def _saltelli_sample(
    n: int, k: int, seed: int, sampling: str = ...
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]: ...
def _sobol_points(first: int, count: int, dims: int) -> npt.NDArray[np.float64]: ...
def _sobol_indices(
    ya: _Array, yb: _Array, yab: _Array, resamples: int = 0, confidence: float = 0.95, seed: int = 0
) -> dict[str, Any]: ...
def _uncertainty_layout(
    indicator_parent: Sequence[int],
    indicator_weight: Sequence[float],
    node_parent: Sequence[int],
    node_weight: Sequence[float],
    node_aggregation: Sequence[tuple[str, float]],
    alternatives: Sequence[tuple[str, float]],
    by_level: bool,
    weight_noise: float,
    vary_variant: bool,
    drop_indicator: bool,
    variants: int,
    weight_noise_levels: Sequence[tuple[int, float]] = ...,
) -> dict[str, Any]: ...
def _rank_uncertainty(
    variants: Sequence[_Array],
    indicator_parent: Sequence[int],
    indicator_weight: Sequence[float],
    node_parent: Sequence[int],
    node_weight: Sequence[float],
    node_aggregation: Sequence[tuple[str, float]],
    alternatives: Sequence[tuple[str, float]],
    by_level: bool,
    weight_noise: float,
    vary_variant: bool,
    drop_indicator: bool,
    replications: int,
    seed: int,
    threads: int,
    sensitivity: bool,
    keep_ranks: bool,
    draws: _Array | None,
    progress: Any,
    weight_noise_levels: Sequence[tuple[int, float]] = ...,
    zeros: str = ...,
    sampling: str = ...,
    node_min_share: Sequence[float] = ...,
) -> dict[str, Any]: ...

# --- end uncertainty ---
