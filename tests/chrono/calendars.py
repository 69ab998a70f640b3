"""Calendars the time tests share, built through the real model so that they read like policies."""

from __future__ import annotations

import datetime as dt
from typing import Any

from relpolicy.chrono.calendar import BusinessCalendar
from relpolicy.model.calendar import Calendar

WEEKDAYS_9_TO_5 = {day: ["09:00-17:00"] for day in ("mon", "tue", "wed", "thu", "fri")}


def calendar(name: str, timezone: str, hours: dict[str, list[str]], holidays: dict[str, Any] | None = None) -> Calendar:
    """A validated Calendar resource."""
    spec: dict[str, Any] = {"timezone": timezone, "hours": hours}
    if holidays is not None:
        spec["holidays"] = holidays
    return Calendar.model_validate(
        {"apiVersion": "relpolicy.dev/v1", "kind": "Calendar", "metadata": {"name": name}, "spec": spec}
    )


def clock(
    name: str, timezone: str, hours: dict[str, list[str]], holidays: dict[str, Any] | None = None
) -> BusinessCalendar:
    """A business calendar from the same arguments as :func:`calendar`."""
    return BusinessCalendar.from_model(calendar(name, timezone, hours, holidays))


US_BUSINESS = clock("us-business", "America/New_York", WEEKDAYS_9_TO_5, {"country": "US", "subdivision": "NY"})
"""The example organisation's New York office: 09:00-17:00, New York State holidays."""

UK_BUSINESS = clock(
    "uk-business",
    "Europe/London",
    {day: ["09:00-17:30"] for day in ("mon", "tue", "wed", "thu", "fri")},
    {"country": "GB", "subdivision": "ENG", "dates": ["2026-12-24", "2026-12-31"]},
)
"""The London office: 09:00-17:30, English bank holidays, Christmas Eve and New Year's Eve off."""

UK_WAREHOUSE = clock(
    "uk-warehouse",
    "Europe/London",
    {
        **{day: ["08:00-12:00", "13:00-17:00"] for day in ("mon", "tue", "wed", "thu", "fri")},
        "sat": ["08:00-12:00"],
    },
    {"country": "GB", "subdivision": "ENG"},
)
"""Shifts with a lunch break and a Saturday half day."""

NIGHTS = clock(
    "nights", "UTC", {day: ["22:00-06:00"] for day in ("mon", "tue", "wed", "thu", "fri")}, {"dates": ["2026-12-01"]}
)
"""A night shift listed under the day it starts; Tuesday 2026-12-01 is a day off."""

ALWAYS = BusinessCalendar.always()


def at(text: str) -> dt.datetime:
    """An aware instant from ISO 8601 with an offset."""
    value = dt.datetime.fromisoformat(text)
    assert value.tzinfo is not None
    return value


def hours(amount: float) -> dt.timedelta:
    """A duration in hours."""
    return dt.timedelta(hours=amount)


def days(amount: int) -> dt.timedelta:
    """A duration in days."""
    return dt.timedelta(days=amount)
