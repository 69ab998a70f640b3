"""Maintenance windows as concrete UTC intervals, and the services windows and freezes aim at.

A recurring window is an RFC 5545 ``RRULE`` expanded by ``python-dateutil`` (the reference
implementation of RFC 5545 recurrences in Python) in the window's own zone, at its local
``start`` time. Each occurrence starts at the RFC 5545 reading of that wall time
(:func:`relpolicy.chrono.wallclock.event_instant`: first occurrence in a fold, shifted past a
gap) and lasts ``duration`` of real time, also across a DST change. A single window starts
``at`` its written instant.

How a rule is read, anchored at :data:`ANCHOR` and walked within its bounds (``PROBE_STEPS``,
``MAX_STEPS``) is :mod:`relpolicy.timebase.recurrence`, which knows nothing of policies (the models
use it to validate ``rrule``); this module expands windows into intervals, also bounded
(:data:`MAX_OCCURRENCES`), and finds the services they aim at.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from typing import Final

from relpolicy.chrono.intervals import Interval
from relpolicy.chrono.wallclock import UTC, event_instant
from relpolicy.model.base import Selector
from relpolicy.model.maintenance import MaintenanceWindowSpec
from relpolicy.model.service import Service
from relpolicy.policy import PolicySet
from relpolicy.timebase.recurrence import Recurrence, RecurrenceError

MAX_OCCURRENCES: Final = 20_000
"""More occurrences than this in one expansion is refused."""
_YEAR: Final = dt.timedelta(days=366)
_EMPTY_YEARS: Final = 30


def horizon(as_of: dt.date) -> Interval:
    """The 12 months from midnight UTC of the as-of date: how far the maintenance rules (and diff) look ahead."""
    start = dt.datetime.combine(as_of, dt.time(), tzinfo=UTC)
    try:
        later = as_of.replace(year=as_of.year + 1)
    except ValueError:  # 29 February
        later = as_of.replace(year=as_of.year + 1, day=28)
    return Interval(start, dt.datetime.combine(later, dt.time(), tzinfo=UTC))


def _single(spec: MaintenanceWindowSpec) -> Interval:
    assert spec.at is not None  # noqa: S101 - callers check
    start = spec.at.astimezone(UTC)
    return Interval(start, start + spec.duration)


def walk(spec: MaintenanceWindowSpec, start: dt.datetime) -> Iterator[Interval]:
    """Every occurrence of a window that ends after ``start``, in order of start.

    A recurrence stops at its last occurrence (``UNTIL``, ``COUNT``), or after thirty empty years.
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
        if recurrence.last is not None and high.astimezone(recurrence.zone).replace(tzinfo=None) > recurrence.last:
            return
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
