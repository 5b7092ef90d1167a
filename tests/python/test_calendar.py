"""Dates and periods: datetime.date conversion, school and calendar years, parse_date roles."""

from __future__ import annotations

import datetime as dt

import pytest

import planeval
from planeval import Period


def test_dates_cross_both_ways() -> None:
    d = dt.date(2023, 9, 1)
    p = Period(d, dt.date(2024, 8, 31))
    assert p.start == d
    assert type(p.start) is dt.date  # a date, not a datetime
    assert p.end == dt.date(2024, 8, 31)
    p.end = dt.date(2030, 1, 2)
    assert p.end == dt.date(2030, 1, 2)


def test_datetime_is_refused_with_a_hint() -> None:
    with pytest.raises(TypeError, match="pass a date"):
        Period(dt.datetime(2021, 1, 1, 12, 0), dt.date(2021, 12, 31))
    with pytest.raises(TypeError, match="pass a date"):
        planeval.format_date(dt.datetime(2021, 1, 1))


def test_non_dates_are_refused() -> None:
    with pytest.raises(TypeError):
        Period("2021-01-01", dt.date(2021, 12, 31))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        planeval.format_date(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        planeval.school_year_of(2021)  # type: ignore[arg-type]


def test_dates_outside_the_supported_range() -> None:
    # Boost.Date_Time covers 1400..9999; datetime.date allows year 1.
    with pytest.raises(ValueError, match="1400-01-01"):
        planeval.format_date(dt.date(1399, 12, 31))
    assert planeval.format_date(dt.date(1400, 1, 1)) == "1400-01-01"
    with pytest.raises(ValueError):
        Period.school_year(9999)  # would end in 10000


def test_calendar_and_school_years() -> None:
    y = Period.calendar_year(2021)
    assert (y.start, y.end, y.kind) == (dt.date(2021, 1, 1), dt.date(2021, 12, 31), "calendar_year")
    s = Period.school_year(2021)
    assert (s.start, s.end, s.kind) == (dt.date(2021, 9, 1), dt.date(2022, 8, 31), "school_year")
    # 1 September starts a new school year; 31 August still belongs to the previous one
    assert planeval.school_year_of(dt.date(2023, 9, 1)) == Period.school_year(2023)
    assert planeval.school_year_of(dt.date(2023, 8, 31)) == Period.school_year(2022)
    assert planeval.school_year_of(dt.date(2024, 1, 15)) == Period.school_year(2023)
    assert planeval.calendar_year_of(dt.date(2024, 2, 29)) == Period.calendar_year(2024)


def test_period_days_contains_overlaps() -> None:
    assert Period.calendar_year(2024).days == 366  # leap year
    assert Period.calendar_year(2023).days == 365
    # 2023-09-01 .. 2024-08-31 contains 2024-02-29
    assert Period.school_year(2023).days == 366
    assert Period.school_year(2021).days == 365
    p = Period(dt.date(2021, 3, 1), dt.date(2021, 3, 10))
    assert p.days == 10
    assert p.kind == "custom"
    assert p.contains(dt.date(2021, 3, 1)) and p.contains(dt.date(2021, 3, 10))
    assert not p.contains(dt.date(2021, 3, 11))
    assert p.overlaps(Period(dt.date(2021, 3, 10), dt.date(2021, 4, 1)))
    assert not p.overlaps(Period(dt.date(2021, 3, 11), dt.date(2021, 4, 1)))


def test_period_strings() -> None:
    assert str(Period.calendar_year(2021)) == "2021"
    assert str(Period.school_year(2021)) == "2021/2022"
    assert str(Period(dt.date(2016, 1, 1), dt.date(2020, 12, 31))) == "2016-01-01..2020-12-31"
    assert planeval.format_period(Period.school_year(2020)) == "2020/2021"
    assert planeval.parse_period("2021/2022") == Period.school_year(2021)
    assert planeval.parse_period("2021") == Period.calendar_year(2021)
    assert planeval.parse_period("2021/2023") is None  # not consecutive years
    assert planeval.parse_period("21/22") is None


def test_period_kind_is_checked() -> None:
    with pytest.raises(planeval.PlanError) as info:
        Period(dt.date(2021, 1, 1), dt.date(2021, 2, 1), "month")
    assert info.value.errors[0].path == "kind"
    assert '"calendar_year", "school_year" or "custom"' in info.value.errors[0].message
    p = Period(dt.date(2021, 1, 1), dt.date(2021, 12, 31), "calendar_year")
    p.kind = "custom"
    assert p.kind == "custom"


def test_parse_date_roles() -> None:
    # a year: 1 January as a start, 31 December as an end (the default role)
    assert planeval.parse_date("2025") == dt.date(2025, 12, 31)
    assert planeval.parse_date("2025", role="end") == dt.date(2025, 12, 31)
    assert planeval.parse_date("2025", role="start") == dt.date(2025, 1, 1)
    # a month: its first or last day (2024 is a leap year, 2023 is not)
    assert planeval.parse_date("2024-02") == dt.date(2024, 2, 29)
    assert planeval.parse_date("2023-02") == dt.date(2023, 2, 28)
    assert planeval.parse_date("2024-02", "start") == dt.date(2024, 2, 1)
    # a full date is itself whatever the role
    assert planeval.parse_date("2023-09-01", "start") == dt.date(2023, 9, 1)
    assert planeval.parse_date("2023-09-01", "end") == dt.date(2023, 9, 1)


@pytest.mark.parametrize(
    "text",
    [
        "2025-13-01",
        "2023-02-29",
        "2024-06-31",
        "2025-00",
        "2023-2-1",
        "20231",
        "abcd",
        "",
        "1399",
        "２０２３",
    ],
)
def test_parse_date_invalid_returns_none(text: str) -> None:
    assert planeval.parse_date(text) is None
    assert planeval.parse_date(text, "start") is None


def test_parse_date_bad_role() -> None:
    with pytest.raises(planeval.PlanError) as info:
        planeval.parse_date("2025", role="middle")
    assert info.value.errors[0].path == "role"
    assert 'expected one of "start" or "end", got "middle"' in str(info.value)


def test_format_date() -> None:
    assert planeval.format_date(dt.date(2021, 3, 4)) == "2021-03-04"
    assert planeval.format_date(dt.date(9999, 12, 31)) == "9999-12-31"
