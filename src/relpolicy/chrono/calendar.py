"""Business calendars and business-time arithmetic.

A calendar has working hours per weekday (several ranges a day; a range whose end is not after
its start crosses midnight; ``24:00`` ends at midnight), an IANA zone and days off. Its
**business days** are the dates that are not days off and have working hours of their own. A
range belongs to the business day it is listed under, also the part after midnight: a Monday
22:00-06:00 shift is Monday's, and a holiday on Tuesday closes Tuesday's shift, not the end
of Monday's. Where two days' ranges overlap, the overlap belongs to the earlier day.

Durations on a clock (``add``):

- the part under a day (``4h``, ``1h30m``) is **working time**: the deadline is the first
  instant by which that much working time has passed;
- whole days (``2d``; ``1w`` is ``7d``) are **business days**: the deadline is as far into
  the business day N business days later as the clock start is into its own business day, in
  working time (a day shorter than that ends at its close). A clock start exactly at a day's
  opening counts as the close of the business day before, so on a calendar whose business
  days all have the same length L, ``Nd`` is exactly ``N x L`` of working time (on 09:00-17:00,
  ``2d`` is 16 working hours, and opened on a Saturday, ``1d`` ends at Monday's close);
- ``1d4h`` is one business day, then four working hours;
- a clock opened outside working time starts at the next working instant.

All instants are aware; results are in UTC. Local bounds of working ranges are read as
:func:`relpolicy.chrono.wallclock.first_reading` says: no working time is invented in a DST gap,
and a range through a fold lasts as long as it really does (01:00-03:00 on the night the clocks
go back is three hours).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from relpolicy.chrono.intervals import Interval, union
from relpolicy.chrono.wallclock import UTC, first_reading, zone_named
from relpolicy.errors import RelpolicyError
from relpolicy.model.calendar import ALWAYS, WEEKDAYS, Calendar
from relpolicy.timebase.daysoff import DaysOff

DAY: Final = dt.timedelta(days=1)
MINUTES_PER_DAY: Final = 24 * 60
MAX_IDLE_DAYS: Final = 3660
"""A calendar with no business day in ten years has no working time worth computing with."""
_WEEKDAY_NAMES: Final = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")

Range = tuple[int, int]
"""Minutes after the listed day's midnight: start, end (end up to 2 x 1440 for ranges past midnight)."""


class NoWorkingTimeError(RelpolicyError):
    """A calendar has no working time where some is needed."""


def parse_range(text: str) -> Range:
    """``"22:00-06:00"`` -> ``(1320, 1800)``: an end not after the start crosses midnight."""
    first, second = text.split("-")
    start, end = _minutes(first), _minutes(second)
    return (start, end + MINUTES_PER_DAY if end <= start else end)


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


@dataclass(frozen=True, slots=True)
class DayOff:
    """A date the clock does not run, and why."""

    date: dt.date
    reason: str


class BusinessCalendar:
    """Working time of one calendar: which instants are working, and arithmetic over them."""

    def __init__(self, name: str, zone: dt.tzinfo, weekly: tuple[tuple[Range, ...], ...], days_off: DaysOff) -> None:
        if len(weekly) != len(WEEKDAYS):
            msg = "weekly hours need one entry per weekday"
            raise ValueError(msg)
        self.name = name
        self.zone = zone
        self.weekly = weekly
        self.days_off = days_off
        self._days: dict[dt.date, tuple[Interval, ...]] = {}
        self._raw: dict[dt.date, tuple[Interval, ...]] = {}

    @classmethod
    def from_model(cls, calendar: Calendar) -> BusinessCalendar:
        """The business calendar a ``Calendar`` resource describes."""
        spec = calendar.spec
        weekly = tuple(tuple(parse_range(text) for text in spec.hours.on(day)) for day in range(len(WEEKDAYS)))
        holidays = spec.holidays
        days_off = (
            DaysOff(holidays.country, holidays.subdivision, holidays.dates) if holidays is not None else DaysOff()
        )
        return cls(calendar.name, zone_named(spec.timezone), weekly, days_off)

    @classmethod
    def always(cls) -> BusinessCalendar:
        """The built-in 24x7 clock: every UTC day is a business day from midnight to midnight."""
        return cls(ALWAYS, UTC, tuple(((0, MINUTES_PER_DAY),) for _ in WEEKDAYS), DaysOff())

    @property
    def zone_name(self) -> str:
        """The IANA name of the calendar's zone."""
        return str(self.zone)

    @property
    def has_hours(self) -> bool:
        """Does the weekly pattern have any working hours at all?"""
        return any(self.weekly)

    @property
    def working_weekdays(self) -> int:
        """How many weekdays have working hours."""
        return sum(1 for ranges in self.weekly if ranges)

    # --- Days ----------------------------------------------------------------------------------

    def local_date(self, instant: dt.datetime) -> dt.date:
        """The calendar date at ``instant`` in the calendar's zone."""
        return instant.astimezone(self.zone).date()

    def day_intervals(self, day: dt.date) -> tuple[Interval, ...]:
        """The working intervals of business day ``day`` (empty for a day that is not one)."""
        if day not in self._days:
            own = () if self.days_off.name(day) else self._listed(day)
            before = () if self.days_off.name(day - DAY) else self._listed(day - DAY)
            if own and before:
                # The previous day's ranges past midnight come first; trim ours to start after them.
                cut = before[-1].end
                own = tuple(part for iv in own if (part := iv.clip(cut, iv.end)) is not None)
            self._days[day] = own
        return self._days[day]

    def _listed(self, day: dt.date) -> tuple[Interval, ...]:
        """The instants of the ranges listed under ``day``'s weekday, merged."""
        if day not in self._raw:
            midnight = dt.datetime.combine(day, dt.time())
            pieces = []
            for start, end in self.weekly[day.weekday()]:
                low = first_reading(midnight + dt.timedelta(minutes=start), self.zone)
                high = first_reading(midnight + dt.timedelta(minutes=end), self.zone)
                pieces.append(Interval(low, high))  # empty when wholly inside a DST gap; union drops it
            self._raw[day] = tuple(union(pieces))
        return self._raw[day]

    def is_business_day(self, day: dt.date) -> bool:
        """Does the clock run on ``day``?"""
        return bool(self.day_intervals(day))

    def day_off(self, day: dt.date) -> DayOff | None:
        """Why ``day`` is not a business day, or None when it is one."""
        if self.is_business_day(day):
            return None
        if holiday := self.days_off.name(day):
            return DayOff(day, holiday)
        if not self.weekly[day.weekday()]:
            return DayOff(day, f"no working hours on {_WEEKDAY_NAMES[day.weekday()]}")
        if not self._listed(day):
            return DayOff(day, "its working hours fall in a DST gap (the clocks skip them)")
        return DayOff(day, "the previous day's hours past midnight cover its own")

    def days_off_between(self, start: dt.datetime, end: dt.datetime) -> list[DayOff]:
        """Every date from ``start``'s to ``end``'s (local dates, both included) the clock skips."""
        day, last = self.local_date(start), self.local_date(end)
        found = []
        while day <= last:
            if (off := self.day_off(day)) is not None:
                found.append(off)
            day += DAY
        return found

    def business_day_after(self, day: dt.date, count: int) -> dt.date:
        """The ``count``-th business day after ``day`` (``day`` itself need not be one)."""
        for _ in range(count):
            day = self._next_business_day(day)
        return day

    def _next_business_day(self, day: dt.date) -> dt.date:
        for _ in range(MAX_IDLE_DAYS):
            day += DAY
            if self.is_business_day(day):
                return day
        raise self._idle(day)

    def _no_hours(self) -> NoWorkingTimeError:
        return NoWorkingTimeError(f"calendar `{self.name}` has no working hours")

    def _idle(self, day: dt.date) -> NoWorkingTimeError:
        return NoWorkingTimeError(f"calendar `{self.name}` has no working time within ten years of {day.isoformat()}")

    # --- Working time --------------------------------------------------------------------------

    def pieces_from(self, instant: dt.datetime) -> Iterator[Interval]:
        """Working intervals from ``instant`` on, in order (the first one clipped to start there)."""
        if not self.has_hours:
            raise self._no_hours()
        day = self.local_date(instant) - DAY  # yesterday's ranges past midnight may reach today
        idle = 0
        while True:
            intervals = self.day_intervals(day)
            for interval in intervals:
                if interval.end > instant:
                    yield Interval(max(interval.start, instant), interval.end)
            idle = 0 if intervals else idle + 1
            if idle > MAX_IDLE_DAYS:
                raise self._idle(day)
            day += DAY

    def intervals(self, start: dt.datetime, end: dt.datetime) -> list[Interval]:
        """The working time inside ``[start, end)`` as sorted, disjoint intervals."""
        found: list[Interval] = []
        day, last = self.local_date(start) - DAY, self.local_date(end)
        while day <= last:
            found.extend(part for iv in self.day_intervals(day) if (part := iv.clip(start, end)) is not None)
            day += DAY
        return union(found)

    def is_working(self, instant: dt.datetime) -> bool:
        """Is the clock running at ``instant``?"""
        return any(iv.contains(instant) for iv in self.intervals(instant - DAY, instant + DAY))

    def next_working_instant(self, instant: dt.datetime) -> dt.datetime:
        """``instant`` when the clock runs then, else the next instant it does."""
        return next(self.pieces_from(instant)).start.astimezone(UTC)

    def working_time(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        """Working time elapsed from ``start`` to ``end`` (negative when ``end`` is earlier)."""
        if end < start:
            return -self.working_time(end, start)
        elapsed = dt.timedelta()
        for piece in self.pieces_from(start):
            if piece.start >= end:
                break
            elapsed += min(piece.end, end) - piece.start
        return elapsed

    def add_working_time(self, instant: dt.datetime, amount: dt.timedelta) -> dt.datetime:
        """The first instant by which ``amount`` of working time has passed since ``instant``."""
        if amount < dt.timedelta():
            msg = "cannot add a negative duration on a clock"
            raise ValueError(msg)
        if not amount:
            return instant.astimezone(UTC)
        left = amount
        for piece in self.pieces_from(instant):
            if piece.length >= left:
                return (piece.start + left).astimezone(UTC)
            left -= piece.length
        raise AssertionError  # pragma: no cover - pieces_from never ends

    def position(self, instant: dt.datetime) -> tuple[dt.date, dt.timedelta]:
        """The business day ``instant`` counts in and the working time into it (never zero).

        That day is the last one that opened before ``instant``: at an opening, or outside working
        time, the clock stands at the close of the business day before.
        """
        if not self.has_hours:
            raise self._no_hours()
        day = self.local_date(instant)
        for _ in range(MAX_IDLE_DAYS):
            intervals = self.day_intervals(day)
            if intervals and intervals[0].start < instant:
                into = sum((min(iv.end, instant) - iv.start for iv in intervals if iv.start < instant), dt.timedelta())
                return day, into
            day -= DAY
        raise self._idle(day)

    def add_business_days(self, instant: dt.datetime, count: int) -> dt.datetime:
        """As far into the business day ``count`` business days later as ``instant`` is into its own."""
        if count < 0:
            msg = "cannot add a negative number of days on a clock"
            raise ValueError(msg)
        if count == 0:
            return instant.astimezone(UTC)
        day, into = self.position(instant)
        target = self.business_day_after(day, count)
        left = min(into, sum((iv.length for iv in self.day_intervals(target)), dt.timedelta()))
        for interval in self.day_intervals(target):
            if interval.length >= left:
                return (interval.start + left).astimezone(UTC)
            left -= interval.length
        raise AssertionError  # pragma: no cover - ``left`` is at most the day's length

    def add(self, instant: dt.datetime, duration: dt.timedelta) -> dt.datetime:
        """``instant`` plus a duration on this clock: whole days as business days, the rest as working time."""
        days = duration.days
        return self.add_working_time(self.add_business_days(instant, days), duration - dt.timedelta(days=days))

    def __repr__(self) -> str:
        return f"BusinessCalendar({self.name!r}, {self.zone_name})"
