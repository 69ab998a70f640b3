"""Hypothesis strategies for the time tests: calendars in awkward zones, instants, durations."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st
from tests.chrono.calendars import clock

from relpolicy.chrono.calendar import BusinessCalendar
from relpolicy.model.calendar import WEEKDAYS

ZONES = (
    "UTC",
    "America/New_York",
    "Europe/London",
    "Pacific/Chatham",  # +12:45/+13:45, changes at 02:45
    "Australia/Lord_Howe",  # 30-minute DST
    "Asia/Kolkata",  # no DST, half-hour offset
    "America/Santiago",  # changes at midnight
)
EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
SPAN_MINUTES = 2 * 366 * 24 * 60


def _clock_text(minutes: int) -> str:
    return "24:00" if minutes == 24 * 60 else f"{minutes // 60:02d}:{minutes % 60:02d}"


@st.composite
def any_range(draw: st.DrawFn) -> str:
    """Any range a policy may write: short, long, across midnight, ending at 24:00, on a 5-minute grid."""
    start = draw(st.integers(0, 287)) * 5
    end = draw(st.one_of(st.integers(0, 287).map(lambda m: m * 5), st.just(24 * 60)))
    return f"{_clock_text(start)}-{_clock_text(end)}"


@st.composite
def regular_ranges(draw: st.DrawFn) -> list[str]:
    """One or two disjoint ranges inside 04:00-23:00, where no zone above changes its clocks."""
    bounds = sorted(draw(st.lists(st.integers(16, 92), min_size=2, max_size=4, unique=True)))
    if len(bounds) % 2:
        bounds = bounds[:-1]
    return [f"{_clock_text(a * 15)}-{_clock_text(b * 15)}" for a, b in zip(bounds[::2], bounds[1::2], strict=True)]


holiday_dates = st.lists(st.dates(dt.date(2026, 1, 1), dt.date(2028, 12, 31)).map(str), max_size=12)
public_holidays = st.sampled_from(
    [None, {"country": "US", "subdivision": "NY"}, {"country": "GB", "subdivision": "ENG"}]
)


@st.composite
def any_calendar(draw: st.DrawFn) -> BusinessCalendar:
    """Any calendar: 0-3 ranges a day (some days empty), any zone, public and explicit days off."""
    hours = {day: draw(st.lists(any_range(), max_size=3)) for day in WEEKDAYS}
    if not any(hours.values()):
        hours[draw(st.sampled_from(WEEKDAYS))] = [draw(any_range())]
    return clock("any", draw(st.sampled_from(ZONES)), hours, _holidays(draw(public_holidays), draw(holiday_dates)))


@st.composite
def regular_calendar(draw: st.DrawFn) -> BusinessCalendar:
    """A calendar whose business days all have the same working hours (so the same length)."""
    ranges = draw(regular_ranges())
    days = draw(st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=7, unique=True))
    return clock(
        "regular",
        draw(st.sampled_from(ZONES)),
        dict.fromkeys(days, ranges),
        _holidays(draw(public_holidays), draw(holiday_dates)),
    )


def _holidays(public: dict[str, str] | None, dates: list[str]) -> dict[str, Any]:
    return {**(public or {}), "dates": dates}


instants = st.integers(0, SPAN_MINUTES).map(lambda m: EPOCH + dt.timedelta(minutes=m))
"""Instants in 2026-2027, on a minute grid, in UTC (the zone of an instant does not matter)."""
working_amounts = st.integers(0, 80 * 60).map(lambda m: dt.timedelta(minutes=m))
"""Working time up to 80 hours."""
sub_day = st.integers(0, 24 * 60 - 1).map(lambda m: dt.timedelta(minutes=m))
clock_durations = st.builds(lambda days, rest: dt.timedelta(days=days) + rest, st.integers(0, 12), sub_day)
"""Durations as policies write them: whole days, then under a day."""
