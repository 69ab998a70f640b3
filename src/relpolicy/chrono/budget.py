"""Error budgets: how much downtime an objective allows over its SLO window.

An objective of 99.9% allows 0.1% of the window: 43.2 minutes of 30 days, 8.76 hours of 365.
Rolling windows (``30d``, ``4w``) have a fixed length. Calendar windows (``month``, ``quarter``,
``year``) have the length of the real period, so they need the period: February 2027 has 28
days, the first quarter of 2028 has 91, the year 2028 has 366. Calendar periods start at
midnight UTC (an SLO names no zone), on the 1st of a month and of January, April, July and
October for quarters.

Budgets are computed in exact decimal arithmetic and rounded down to the microsecond, so a
budget is never overstated.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import Final

from relpolicy.chrono.intervals import Interval, Timeline
from relpolicy.chrono.wallclock import UTC

HUNDRED: Final = Decimal(100)
_MICROSECOND: Final = dt.timedelta(microseconds=1)
_ROLLING: Final = re.compile(r"^([1-9][0-9]*)([dw])$")
_MOST_DIGITS: Final = 4
"""A rolling window of 9999 days or weeks at most (the model allows 9999d and 999w)."""
_MONTHS_PER_PERIOD: Final = {"month": 1, "quarter": 3, "year": 12}
_MONTH_NAMES: Final = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def error_budget(objective: Decimal, length: dt.timedelta) -> dt.timedelta:
    """The downtime an objective (percent) allows over ``length``."""
    if not Decimal(0) < objective < HUNDRED:
        msg = f"an objective is a percentage strictly between 0 and 100, not {objective}"
        raise ValueError(msg)
    microseconds = Decimal(length // _MICROSECOND) * (HUNDRED - objective) / HUNDRED
    return _MICROSECOND * int(microseconds.to_integral_value(ROUND_FLOOR))


@dataclass(frozen=True, slots=True)
class SloWindow:
    """An SLO's time window: rolling (a fixed length) or a calendar period."""

    text: str
    rolling: dt.timedelta | None
    """The length of a rolling window; None for calendar periods."""

    @classmethod
    def parse(cls, text: str) -> SloWindow:
        """``30d``, ``4w``, ``month``, ``quarter`` or ``year``."""
        if text in _MONTHS_PER_PERIOD:
            return cls(text, None)
        match = _ROLLING.match(text)
        if match is None or len(match[1]) > _MOST_DIGITS:
            msg = f"`{text}` is not an SLO window: write 30d, 4w, month, quarter or year"
            raise ValueError(msg)
        amount, unit = int(match[1]), match[2]
        return cls(text, dt.timedelta(days=amount * (7 if unit == "w" else 1)))

    @property
    def is_calendar(self) -> bool:
        """Is this a calendar period (month, quarter, year) rather than a rolling window?"""
        return self.rolling is None

    def period_containing(self, instant: dt.datetime) -> Interval:
        """The calendar period ``instant`` falls in; for a rolling window, the window ending at ``instant``."""
        if self.rolling is not None:
            return Interval(instant - self.rolling, instant)
        moment = instant.astimezone(UTC)
        months = _MONTHS_PER_PERIOD[self.text]
        first_month = (moment.month - 1) // months * months + 1
        start = dt.datetime(moment.year, first_month, 1, tzinfo=UTC)
        return Interval(start, _add_months(start, months))

    def periods(self, start: dt.datetime, end: dt.datetime) -> Iterator[Interval]:
        """The calendar periods that overlap ``[start, end)``, in order (calendar windows only)."""
        if self.rolling is not None:
            msg = "a rolling window has no fixed periods"
            raise ValueError(msg)
        period = self.period_containing(start)
        while period.start < end:
            yield period
            period = self.period_containing(period.end)

    def length(self, period_start: dt.datetime | None = None) -> dt.timedelta:
        """The window's length; a calendar window needs the start of its period."""
        if self.rolling is not None:
            return self.rolling
        if period_start is None:
            msg = f"a calendar `{self.text}` window needs the start of its period to have a length"
            raise ValueError(msg)
        return self.period_containing(period_start).length

    def budget(self, objective: Decimal, period_start: dt.datetime | None = None) -> dt.timedelta:
        """The downtime ``objective`` allows in one window (starting at ``period_start`` for calendar windows)."""
        return error_budget(objective, self.length(period_start))

    def describe(self, period: Interval) -> str:
        """How to name one window in a message: ``February 2027``, ``Q1 2027``, ``2027``, ``30 days``."""
        if self.rolling is not None:
            return f"{self.rolling.days} days from {period.start:%Y-%m-%d %H:%M} UTC"
        start = period.start.astimezone(UTC)
        if self.text == "month":
            return f"{_MONTH_NAMES[start.month - 1]} {start.year}"
        if self.text == "quarter":
            return f"Q{(start.month - 1) // 3 + 1} {start.year}"
        return str(start.year)


def _add_months(start: dt.datetime, months: int) -> dt.datetime:
    index = start.month - 1 + months
    return start.replace(year=start.year + index // 12, month=index % 12 + 1)


def worst_window(downtime: Timeline, length: dt.timedelta, earliest: dt.datetime, latest: dt.datetime) -> Interval:
    """The rolling window of ``length``, starting between ``earliest`` and ``latest``, that ``downtime`` covers most.

    Sliding a window whose start is not covered forwards, or one whose start is covered back to
    that interval's start, never loses coverage; so a most covered window starts at ``earliest``,
    at ``latest``, or at the start of an interval between them.
    """
    starts = [earliest, *(iv.start for iv in downtime.intervals if earliest < iv.start < latest), latest]
    best = max(starts, key=lambda start: (downtime.covered(start, start + length), -start.timestamp()))
    return Interval(best, best + length)
