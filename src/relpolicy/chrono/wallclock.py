"""From wall-clock times in a zone to instants, with deliberate answers for DST gaps and folds.

A local time may not exist (the clocks jump over it: a *gap*) or may happen twice (the clocks
go back over it: a *fold*). Two readings are used, each where it is the convention:

- **Events** (maintenance window starts, RFC 5545 recurrences) follow RFC 5545 section 3.3.5:
  a time in a fold is its *first* occurrence, and a time in a gap is read with the UTC offset
  from before the gap, so it lands as far after the jump as it was written after its start
  (02:30 on the US spring-forward night is 03:30 EDT). This is what calendar software shows.
- **Working hours** are ranges of what the wall clock reads: a bound is the *first instant the
  clock reads that time or later*. In a fold that is the first occurrence; in a gap it is the
  instant of the jump itself (a shift starting 02:30 on the spring-forward night starts at
  03:00, when the clocks show a time past 02:30), so no working time is invented in a gap.

Every function takes and returns aware datetimes or explicit zones; nothing reads the machine's
time zone.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Final
from zoneinfo import ZoneInfo

UTC: Final = dt.UTC
_SECOND: Final = dt.timedelta(seconds=1)


class LocalTime(enum.Enum):
    """How often a wall-clock time happens on its date in a zone."""

    NORMAL = "normal"
    GAP = "gap"
    """It never happens: the clocks jump over it."""
    FOLD = "fold"
    """It happens twice: the clocks go back over it."""


def classify(local: dt.datetime, zone: dt.tzinfo) -> LocalTime:
    """Does the naive wall-clock time ``local`` exist once, never, or twice in ``zone``?"""
    first = local.replace(tzinfo=zone, fold=0)
    second = local.replace(tzinfo=zone, fold=1)
    if first.utcoffset() == second.utcoffset():
        return LocalTime.NORMAL
    back = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    return LocalTime.FOLD if back == local else LocalTime.GAP


def event_instant(local: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """The UTC instant of an event written at naive ``local`` time in ``zone`` (RFC 5545 reading)."""
    return local.replace(tzinfo=zone, fold=0).astimezone(UTC)


def first_reading(local: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """The first UTC instant at which a clock in ``zone`` reads ``local`` or later."""
    instant = event_instant(local, zone)
    if classify(local, zone) is not LocalTime.GAP:
        return instant
    # In a gap the post-gap offset gives an instant before the jump, the pre-gap one an instant
    # after it; the jump is the first instant whose wall time is not earlier than ``local``.
    low = local.replace(tzinfo=zone, fold=1).astimezone(UTC)
    high = instant
    while high - low > _SECOND:
        middle = low + (high - low) // 2
        middle = middle.replace(microsecond=0)
        if _wall(middle, zone) >= local:
            high = middle
        else:
            low = middle
    return high


def _wall(instant: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    return instant.astimezone(zone).replace(tzinfo=None)


def zone_named(name: str) -> dt.tzinfo:
    """The IANA zone ``name`` (``UTC`` included); the models have checked that it exists."""
    return UTC if name == "UTC" else ZoneInfo(name)


def offset_label(instant: dt.datetime, zone: dt.tzinfo) -> str:
    """The zone's abbreviation at ``instant`` (EST, BST...), else its UTC offset."""
    local = instant.astimezone(zone)
    name = local.tzname() or ""
    if name.isalpha():
        return name
    return local.isoformat()[-6:] if local.utcoffset() else "UTC"  # fixed offsets and zones named by offset
