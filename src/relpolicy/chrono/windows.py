"""Maintenance windows as concrete UTC intervals, and the services windows and freezes aim at.

A recurring window is an RFC 5545 ``RRULE`` expanded by ``python-dateutil`` (the reference
implementation of RFC 5545 recurrences in Python) in the window's own zone, at its local
``start`` time. Each occurrence starts at the RFC 5545 reading of that wall time
(:func:`relpolicy.chrono.wallclock.event_instant`: first occurrence in a fold, shifted past a
gap) and lasts ``duration`` of real time, also across a DST change. A single window starts
``at`` its written instant.

The policy language has no ``DTSTART``: every recurrence is anchored at :data:`ANCHOR`
(Monday 2000-01-03) at the local start time. The anchor only shows in rules that depend on it:
``COUNT`` (counted from the anchor), ``INTERVAL`` above 1 (``FREQ=WEEKLY;INTERVAL=2`` means the
weeks an even number of weeks after that Monday) and rules that do not pin a day
(``FREQ=MONTHLY`` alone means the 3rd of every month).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from dateutil.relativedelta import relativedelta
from dateutil.rrule import rrule, rrulestr

from relpolicy.chrono.intervals import Interval
from relpolicy.chrono.wallclock import UTC, event_instant, zone_named
from relpolicy.errors import RelpolicyError
from relpolicy.model.base import Selector
from relpolicy.model.maintenance import MaintenanceWindowSpec
from relpolicy.model.service import Service
from relpolicy.policy import PolicySet

ANCHOR: Final = dt.date(2000, 1, 3)
"""The date every recurrence counts from (a Monday)."""
MAX_OCCURRENCES: Final = 20_000
"""More occurrences than this in one expansion (a window every few minutes) is refused."""
MAX_STEPS: Final = 200_000
"""Recurrence steps walked before giving up (a COUNT rule walked from the anchor)."""
_MARGIN: Final = dt.timedelta(days=2)
"""Local wall time differs from UTC by less than a day; two days also covers DST changes."""
_FIXED_STEPS: Final = {
    "SECONDLY": dt.timedelta(seconds=1),
    "MINUTELY": dt.timedelta(minutes=1),
    "HOURLY": dt.timedelta(hours=1),
    "DAILY": dt.timedelta(days=1),
    "WEEKLY": dt.timedelta(weeks=1),
}
_MONTH_STEPS: Final = {"MONTHLY": 1, "YEARLY": 12}
_SECONDS_PER_DAY: Final = 86_400
_YEAR: Final = dt.timedelta(days=366)
_EMPTY_YEARS: Final = 30


class RecurrenceError(RelpolicyError):
    """A window's recurrence cannot be expanded."""


@dataclass(frozen=True, slots=True)
class Recurrence:
    """A recurring window's rule in its zone."""

    text: str
    zone: dt.tzinfo
    start: dt.time
    duration: dt.timedelta
    parts: dict[str, str]

    @classmethod
    def of(cls, spec: MaintenanceWindowSpec) -> Recurrence:
        """The recurrence of a recurring window (whose rrule, start and timezone the model checked)."""
        if spec.rrule is None or spec.start is None or spec.timezone is None:
            msg = "not a recurring window"
            raise ValueError(msg)
        text = spec.rrule.removeprefix("RRULE:")
        parts = dict(part.split("=", 1) for part in text.split(";"))
        if not (parts.get("INTERVAL") or "1").isdigit() or int(parts.get("INTERVAL") or 1) < 1:
            msg = f"`{text}`: INTERVAL must be a positive whole number"
            raise RecurrenceError(msg)
        if not (parts.get("COUNT") or "1").isdigit() or int(parts.get("COUNT") or 1) > MAX_STEPS:
            msg = f"`{text}`: COUNT must be a whole number of at most {MAX_STEPS}"
            raise RecurrenceError(msg)
        recurrence = cls(text, zone_named(spec.timezone), dt.time.fromisoformat(spec.start), spec.duration, parts)
        recurrence.rule(ANCHOR)  # fail now on a rule dateutil refuses
        return recurrence

    def rule(self, day: dt.date) -> rrule:
        """The dateutil rule started at the local start time on ``day``."""
        dtstart = dt.datetime.combine(day, self.start, tzinfo=self.zone)
        try:
            parsed = rrulestr(self.text, dtstart=dtstart)
        except (ValueError, TypeError, KeyError) as error:
            msg = f"`{self.text}` is not a recurrence relpolicy can expand: {error}"
            raise RecurrenceError(msg) from None
        assert isinstance(parsed, rrule)  # noqa: S101 - one RRULE line gives one rule
        return parsed

    def start_near(self, local: dt.datetime) -> dt.date:
        """A start date, at ``local`` or before, that yields the same later occurrences as the anchor.

        Moving the start by a whole number of the rule's periods (``INTERVAL`` x ``FREQ``, made a
        whole number of days) keeps every later occurrence. A ``COUNT`` rule counts from the anchor,
        so it keeps it.
        """
        anchor = dt.datetime.combine(ANCHOR, self.start)
        if "COUNT" in self.parts or local <= anchor:
            return ANCHOR
        frequency, interval = self.parts["FREQ"], int(self.parts.get("INTERVAL") or 1)
        if frequency in _FIXED_STEPS:
            step = int((_FIXED_STEPS[frequency] * interval).total_seconds())
            period = dt.timedelta(seconds=math.lcm(step, _SECONDS_PER_DAY))
            return (anchor + period * ((local - anchor) // period)).date()
        months = _MONTH_STEPS[frequency] * interval
        elapsed = (local.year - ANCHOR.year) * 12 + local.month - ANCHOR.month
        moved = ANCHOR + relativedelta(months=elapsed // months * months)
        if dt.datetime.combine(moved, self.start) > local:
            moved -= relativedelta(months=months)
        return max(moved, ANCHOR)

    def local_starts(self, start: dt.datetime, end: dt.datetime) -> Iterator[dt.datetime]:
        """Naive local start times of the occurrences that may touch ``[start, end)``, in order."""
        lower = (start - self.duration).astimezone(self.zone).replace(tzinfo=None) - _MARGIN
        upper = end.astimezone(self.zone).replace(tzinfo=None) + _MARGIN
        rule = self.rule(self.start_near(lower))
        for steps, occurrence in enumerate(rule.xafter(lower.replace(tzinfo=self.zone), inc=True)):
            local = occurrence.replace(tzinfo=None)
            if local >= upper:
                return
            if steps >= MAX_STEPS:
                msg = f"`{self.text}` has more than {MAX_STEPS} occurrences to walk: too frequent to check"
                raise RecurrenceError(msg)
            yield local


def _single(spec: MaintenanceWindowSpec) -> Interval:
    assert spec.at is not None  # noqa: S101 - callers check
    start = spec.at.astimezone(UTC)
    return Interval(start, start + spec.duration)


def walk(spec: MaintenanceWindowSpec, start: dt.datetime) -> Iterator[Interval]:
    """Every occurrence of a window that ends after ``start``, in order of start.

    A recurrence that has ended (``UNTIL``, ``COUNT``) stops the walk after thirty empty years.
    """
    if spec.at is not None:
        single = _single(spec)
        if single.end > start:
            yield single
        return
    recurrence = Recurrence.of(spec)
    low = start - spec.duration
    empty_years = 0
    while empty_years < _EMPTY_YEARS:
        high = low + _YEAR
        found = False
        for local in recurrence.local_starts(low, high):
            begin = event_instant(local, recurrence.zone)
            if low <= begin < high and begin + spec.duration > start:
                found = True
                yield Interval(begin, begin + spec.duration)
        empty_years = 0 if found else empty_years + 1
        low = high


def occurrences(
    spec: MaintenanceWindowSpec, start: dt.datetime, end: dt.datetime, *, limit: int = MAX_OCCURRENCES
) -> list[Interval]:
    """The occurrences of a window that overlap ``[start, end)``, sorted, as UTC intervals."""
    if spec.at is not None:
        single = _single(spec)
        return [single] if single.start < end and single.end > start else []
    recurrence = Recurrence.of(spec)
    found: list[Interval] = []
    for local in recurrence.local_starts(start, end):
        begin = event_instant(local, recurrence.zone)
        occurrence = Interval(begin, begin + spec.duration)
        if occurrence.start < end and occurrence.end > start:
            if len(found) >= limit:
                msg = f"`{recurrence.text}` has more than {limit} occurrences in the range; too frequent to check"
                raise RecurrenceError(msg)
            found.append(occurrence)
    return sorted(found)


def next_occurrences(spec: MaintenanceWindowSpec, after: dt.datetime, count: int) -> list[Interval]:
    """The first ``count`` occurrences that start at or after ``after``."""
    return list(itertools.islice((o for o in walk(spec, after) if o.start >= after), count))


def targeted_services(
    policy: PolicySet, services: list[str] | None, selector: Selector | None, *, everyone: bool = False
) -> list[Service]:
    """The services named or selected (sorted by name); with neither, all of them when ``everyone``."""
    if services is not None:
        return [s for name in sorted(set(services)) if (s := policy.get(Service, name)) is not None]
    if selector is not None:
        return [s for s in policy.services if selector.matches(s.metadata.labels)]
    return list(policy.services) if everyone else []
