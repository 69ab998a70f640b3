"""RFC 5545 recurrence rules (``RRULE``) as relpolicy reads them, and their bounded expansion.

The parts of :mod:`relpolicy.chrono.windows` that know nothing of policies: a rule's text, local
start time, zone and duration in, naive local start times out. It sits below the models, which
validate a window's ``rrule`` with :meth:`Recurrence.of` when it is loaded (RP103), while
``chrono.windows`` turns occurrences into UTC intervals and picks the services a window aims at.
dateutil is imported with this module: the models import it only when a window has an ``rrule``.

The policy language has no ``DTSTART``: every recurrence is anchored at :data:`ANCHOR`
(Monday 2000-01-03) at the local start time. The anchor only shows in rules that depend on it:
``COUNT`` (counted from the anchor), ``INTERVAL`` above 1 (``FREQ=WEEKLY;INTERVAL=2`` means the
weeks an even number of weeks after that Monday) and rules that do not pin a day
(``FREQ=MONTHLY`` alone means the 3rd of every month).

Every expansion is bounded (see ``docs/security.md``). dateutil walks a rule one period (an
hour, a day, a week...) at a time until it finds an occurrence, up to the year 9999, with no
limit of its own: a rule that never occurs (``BYMONTH=2;BYMONTHDAY=30``) walks every period of
eight thousand years. Here each walk is metered (:class:`_MeteredRule` counts the periods), so:

- when a window is validated, its rule must give its first occurrence (or, with ``COUNT``, all
  of them) within :data:`PROBE_STEPS` periods of the anchor, or it is refused (RP103 at
  ``rrule``: it never occurs, or too rarely to be a maintenance window);
- an expansion over ``[start, end)`` may walk only the periods that can reach ``end`` (each
  period moves the walk at least an hour), and at most :data:`MAX_STEPS` of them.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import types
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, Protocol
from zoneinfo import ZoneInfo

import dateutil.rrule
from dateutil.relativedelta import relativedelta
from dateutil.rrule import rrule, rrulestr

from relpolicy.errors import RelpolicyError

MAX_INTERVAL: Final = 1000
"""The largest INTERVAL (1000 hours is six weeks; 1000 days almost three years)."""
MAX_COUNT: Final = 1000
"""The largest COUNT."""
ANCHOR: Final = dt.date(2000, 1, 3)
"""The date every recurrence counts from (a Monday)."""
MAX_STEPS: Final = 20_000
"""Periods of its rule (hours, days, weeks...) one expansion may walk: ~2 years of an hourly rule."""
PROBE_STEPS: Final = 20_000
"""Periods a rule may walk from the anchor to its first occurrence (or its COUNT-th) when validated."""
_MARGIN: Final = dt.timedelta(days=2)
"""Local wall time differs from UTC by less than a day; two days also covers DST changes."""
_FIXED_STEPS: Final = {
    "HOURLY": dt.timedelta(hours=1),
    "DAILY": dt.timedelta(days=1),
    "WEEKLY": dt.timedelta(weeks=1),
}
_MONTH_STEPS: Final = {"MONTHLY": 1, "YEARLY": 12}
_LEAST_ADVANCE: Final = {
    "HOURLY": dt.timedelta(hours=1),
    "DAILY": dt.timedelta(days=1),
    "WEEKLY": dt.timedelta(days=1),  # the first step only reaches the next week start
    "MONTHLY": dt.timedelta(days=28),
    "YEARLY": dt.timedelta(days=365),
}
"""The least time one period of dateutil's walk moves it forward (times INTERVAL, except WEEKLY's first)."""
_SECONDS_PER_DAY: Final = 86_400


class RecurringSpec(Protocol):
    """What a recurring window says about its schedule (``MaintenanceWindowSpec`` has these fields)."""

    @property
    def rrule(self) -> str | None: ...
    @property
    def start(self) -> str | None: ...
    @property
    def timezone(self) -> str | None: ...
    @property
    def duration(self) -> dt.timedelta: ...


def _zone_named(name: str) -> dt.tzinfo:
    """The IANA zone ``name``, as :func:`relpolicy.chrono.wallclock.zone_named` gives it."""
    return dt.UTC if name == "UTC" else ZoneInfo(name)


class RecurrenceError(RelpolicyError):
    """A window's recurrence cannot be expanded."""


class _Exhausted(Exception):  # noqa: N818 - a signal, not an error
    """The walk spent its budget of periods."""


class _MeteredInfo(dateutil.rrule._iterinfo):
    """dateutil's per-period helper, counting each period its rule's walk asks for.

    No ``__slots__`` of its own: ``_iterinfo.__init__`` clears the slots named by ``self.__slots__``.
    """

    def _spend(self) -> None:
        rule = self.rrule
        assert isinstance(rule, _MeteredRule)  # noqa: S101 - only built by _MeteredRule's walk
        rule.steps += 1
        if rule.steps > rule.budget:
            raise _Exhausted

    def ydayset(self, year: int, month: int, day: int) -> tuple[Iterable[int | None], int, int]:
        self._spend()
        return super().ydayset(year, month, day)

    def mdayset(self, year: int, month: int, day: int) -> tuple[Iterable[int | None], int, int]:
        self._spend()
        return super().mdayset(year, month, day)

    def wdayset(self, year: int, month: int, day: int) -> tuple[Iterable[int | None], int, int]:
        self._spend()
        return super().wdayset(year, month, day)

    def ddayset(self, year: int, month: int, day: int) -> tuple[Iterable[int | None], int, int]:
        self._spend()
        return super().ddayset(year, month, day)


_METERED_WALK: Final = types.FunctionType(
    rrule._iter.__code__,  # type: ignore[attr-defined]
    {**vars(dateutil.rrule), "_iterinfo": _MeteredInfo},
    "_iter",
)
"""dateutil's own walk (``rrule._iter``), unchanged, except that it builds its per-period helper
from :class:`_MeteredInfo`. dateutil itself is not patched; a test checks the meter still counts."""


class _MeteredRule(rrule):
    """A dateutil rule whose walk raises :class:`_Exhausted` after ``budget`` periods."""

    def __init__(self, parsed: rrule, budget: int, **changes: object) -> None:
        # the arguments rrule.replace() passes on, with ours
        arguments: dict[str, object] = {
            "interval": parsed._interval,  # type: ignore[attr-defined]
            "count": parsed._count,  # type: ignore[attr-defined]
            "dtstart": parsed._dtstart,  # type: ignore[attr-defined]
            "freq": parsed._freq,  # type: ignore[attr-defined]
            "until": parsed._until,  # type: ignore[attr-defined]
            "wkst": parsed._wkst,  # type: ignore[attr-defined]
            **parsed._original_rule,  # type: ignore[attr-defined]
            **changes,
        }
        super().__init__(**arguments)  # type: ignore[arg-type]
        self.budget = budget
        self.steps = 0

    _iter = _METERED_WALK


def _walk(rule: _MeteredRule, after: dt.datetime) -> Iterator[dt.datetime]:
    """The rule's occurrences at or after ``after``, in order, until its walk spends its budget."""
    try:
        yield from rule.xafter(after, inc=True)
    except _Exhausted:
        return


_UNITS: Final = {"HOURLY": "hour", "DAILY": "day", "WEEKLY": "week", "MONTHLY": "month", "YEARLY": "year"}


def _parse(text: str, dtstart: dt.datetime) -> rrule:
    try:
        parsed = rrulestr(text, dtstart=dtstart)
    except (ValueError, TypeError, KeyError, OverflowError) as error:
        msg = f"`{text}` is not a recurrence relpolicy can expand: {error}"
        raise RecurrenceError(msg) from None
    assert isinstance(parsed, rrule)  # noqa: S101 - one RRULE line gives one rule
    return parsed


@lru_cache(maxsize=4096)
def _probe(text: str, start: dt.time, zone: dt.tzinfo) -> dt.datetime | None:
    """Check that the rule occurs, near enough to the anchor; with COUNT, its last occurrence (local).

    Raises RecurrenceError for a rule that never occurs, or whose first occurrence (COUNT-th
    with COUNT) is more than PROBE_STEPS periods after the anchor.
    """
    parsed = _parse(text, dt.datetime.combine(ANCHOR, start, tzinfo=zone))
    count: int | None = parsed._count  # type: ignore[attr-defined]
    rule = _MeteredRule(parsed, PROBE_STEPS)
    found = list(itertools.islice(_walk(rule, rule._dtstart), count or 1))  # type: ignore[attr-defined]
    if rule.steps > rule.budget:
        frequency = text.split("FREQ=", 1)[1].split(";", 1)[0]
        interval: int = parsed._interval  # type: ignore[attr-defined]
        period = f"{interval} {_UNITS[frequency]}s" if interval > 1 else f"one {_UNITS[frequency]}"
        what = f"its {count} occurrences" if count else "an occurrence"
        msg = (
            f"`{text}` does not give {what} within {PROBE_STEPS} periods of {period} from {ANCHOR.isoformat()}: "
            "it never occurs, or too rarely for a maintenance window"
        )
        raise RecurrenceError(msg)
    if not found:
        msg = f"`{text}` never occurs (counting from {ANCHOR.isoformat()})"
        raise RecurrenceError(msg)
    return found[-1].replace(tzinfo=None) if count else None


@dataclass(frozen=True, slots=True)
class Recurrence:
    """A recurring window's rule in its zone."""

    text: str
    zone: dt.tzinfo
    start: dt.time
    duration: dt.timedelta
    parts: dict[str, str]
    last: dt.datetime | None
    """Local time of the last occurrence, for a rule with COUNT or UNTIL."""

    @classmethod
    def of(cls, spec: RecurringSpec) -> Recurrence:
        """The recurrence of a recurring window (whose rrule, start and timezone the model checked).

        Raises RecurrenceError for a rule relpolicy cannot expand within its bounds.
        """
        if spec.rrule is None or spec.start is None or spec.timezone is None:
            msg = "not a recurring window"
            raise ValueError(msg)
        text = spec.rrule.removeprefix("RRULE:")
        parts = dict(part.split("=", 1) for part in text.split(";"))
        _check_whole(text, parts, "INTERVAL", MAX_INTERVAL)
        _check_whole(text, parts, "COUNT", MAX_COUNT)
        for name, (low, high) in _BY_RANGES.items():
            _check_list(text, parts, name, low, high)
        if "COUNT" in parts and "UNTIL" in parts:
            msg = f"`{text}`: give COUNT or UNTIL, not both (RFC 5545)"
            raise RecurrenceError(msg)
        zone, start = _zone_named(spec.timezone), dt.time.fromisoformat(spec.start)
        last = _probe(text, start, zone)
        if last is None and "UNTIL" in parts:
            until = _parse(text, dt.datetime.combine(ANCHOR, start, tzinfo=zone))._until  # type: ignore[attr-defined]
            last = until.astimezone(zone).replace(tzinfo=None) if until.tzinfo else until
        return cls(text, zone, start, spec.duration, parts, last)

    @property
    def _frequency(self) -> str:
        return self.parts["FREQ"]

    @property
    def _interval(self) -> int:
        return int(self.parts.get("INTERVAL") or 1)

    def rule(self, day: dt.date, budget: int = MAX_STEPS) -> _MeteredRule:
        """The rule started at the local start time on ``day``, walking at most ``budget`` periods.

        A COUNT rule ends at its last occurrence instead, so that it can start on another day.
        """
        parsed = _parse(self.text, dt.datetime.combine(day, self.start, tzinfo=self.zone))
        if "COUNT" in self.parts and self.last is not None:
            return _MeteredRule(parsed, budget, count=None, until=self.last.replace(tzinfo=self.zone))
        return _MeteredRule(parsed, budget)

    def start_near(self, local: dt.datetime) -> dt.date:
        """A start date, at ``local`` or before, that yields the same later occurrences as the anchor.

        Moving the start by a whole number of the rule's periods (``INTERVAL`` x ``FREQ``, made a
        whole number of days) keeps every later occurrence.
        """
        anchor = dt.datetime.combine(ANCHOR, self.start)
        if local <= anchor:
            return ANCHOR
        frequency, interval = self._frequency, self._interval
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

    def steps_to(self, start: dt.datetime, end: dt.datetime) -> int:
        """Periods the walk from ``start`` may need to pass ``end`` (each moves it at least its least advance)."""
        advance = _LEAST_ADVANCE[self._frequency] * self._interval
        return max(0, math.ceil((end - start) / advance)) + 2

    def local_starts(self, start: dt.datetime, end: dt.datetime) -> Iterator[dt.datetime]:
        """Naive local start times of the occurrences that may touch ``[start, end)``, in order.

        The walk is given the periods it needs to pass ``end``: spending them means it has. More
        than MAX_STEPS needed (a range of years of an hourly rule) raises RecurrenceError.
        """
        lower = (start - self.duration).astimezone(self.zone).replace(tzinfo=None) - _MARGIN
        upper = end.astimezone(self.zone).replace(tzinfo=None) + _MARGIN
        if self.last is not None and lower > self.last:
            return
        day = self.start_near(lower)
        needed = self.steps_to(dt.datetime.combine(day, self.start), upper)
        rule = self.rule(day, min(needed, MAX_STEPS))
        for occurrence in _walk(rule, lower.replace(tzinfo=self.zone)):
            local = occurrence.replace(tzinfo=None)
            if local >= upper:
                return
            yield local
        if rule.steps > rule.budget and needed > MAX_STEPS:
            msg = (
                f"`{self.text}` needs more than {MAX_STEPS} steps to expand from {lower:%Y-%m-%d} "
                f"to {upper:%Y-%m-%d}: too long a range to check"
            )
            raise RecurrenceError(msg)


def _check_whole(text: str, parts: dict[str, str], name: str, most: int) -> None:
    """``name``, when given, is a whole number from 1 to ``most`` (its digits checked before reading it)."""
    value = parts.get(name)
    if value is None:
        return
    if not (value.isascii() and value.isdigit() and len(value) <= len(str(most)) and 1 <= int(value) <= most):
        msg = f"`{text}`: {name} must be a whole number from 1 to {most}"
        raise RecurrenceError(msg)


_BY_RANGES: Final = {
    "BYSECOND": (0, 60),
    "BYMINUTE": (0, 59),
    "BYHOUR": (0, 23),
    "BYMONTHDAY": (-31, 31),
    "BYYEARDAY": (-366, 366),
    "BYWEEKNO": (-53, 53),
    "BYMONTH": (1, 12),
    "BYSETPOS": (-366, 366),
}
"""RFC 5545's ranges for the numeric BYxxx parts (zero allowed only where the RFC allows it).

dateutil does not check them: ``BYHOUR=25`` is accepted and then breaks its walk with a TypeError.
"""


def _check_list(text: str, parts: dict[str, str], name: str, low: int, high: int) -> None:
    """Each value of the list ``name``, when given, is a whole number in ``low..high`` (not 0 below 0)."""
    value = parts.get(name)
    if value is None:
        return
    for item in value.split(","):
        digits = item.removeprefix("-").removeprefix("+")
        number = int(item) if digits.isascii() and digits.isdigit() and len(digits) <= 3 else None
        if number is None or not low <= number <= high or (low < 0 and number == 0):
            signed = f"-{high}..-1 or 1..{high}" if low < 0 else f"{low}..{high}"
            msg = f"`{text}`: {name} takes numbers in {signed}, not `{item}`"
            raise RecurrenceError(msg)
