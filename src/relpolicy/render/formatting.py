"""How numbers, durations and instants are written in generated documents.

One place decides, so that a runbook, the SLA table and the graph say the same thing the same
way. Nothing here reads the clock or the machine's time zone: instants are written in the zone
they are given, and in UTC.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_FLOOR, Decimal
from typing import Final

from relpolicy.chrono.wallclock import UTC, offset_label
from relpolicy.model.types import format_duration

_SECONDS_PER_MINUTE: Final = Decimal(60)
_HUNDREDTH: Final = Decimal("0.01")


def minutes(value: dt.timedelta) -> Decimal:
    """``value`` in minutes, rounded down to the hundredth (a budget is never shown larger than it is)."""
    microseconds = Decimal(value // dt.timedelta(microseconds=1))
    return (microseconds / Decimal(1_000_000) / _SECONDS_PER_MINUTE).quantize(_HUNDREDTH, rounding=ROUND_FLOOR)


def plain_number(value: Decimal) -> str:
    """``Decimal("43.20")`` -> ``43.2``; ``Decimal("525.60")`` -> ``525.6``; ``Decimal("5.00")`` -> ``5``."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def clock_span(value: dt.timedelta) -> str:
    """``8h 45m 36s``: hours, minutes and whole seconds (rounded down), for spans people read."""
    seconds = int(value.total_seconds())
    hours, rest = divmod(seconds, 3600)
    mins, secs = divmod(rest, 60)
    parts = [f"{hours}h"] if hours else []
    if mins:
        parts.append(f"{mins}m")
    if secs or not parts:
        parts.append(f"{secs}s")
    return " ".join(parts)


def budget(value: dt.timedelta) -> str:
    """A budget of downtime in minutes, with hours spelled out past an hour: ``525.6 min (8h 45m 36s)``."""
    shown = f"{plain_number(minutes(value))} min"
    return f"{shown} ({clock_span(value)})" if value >= dt.timedelta(hours=1) else shown


def duration(value: dt.timedelta | None) -> str:
    """A duration as the policy language writes it (``1h30m``), or an em dash when there is none."""
    return "—" if value is None else format_duration(value)


def percent(value: Decimal | None) -> str:
    """``Decimal("99.90")`` -> ``99.9%``; an em dash when there is none."""
    if value is None:
        return "—"
    return f"{plain_number(value.normalize() if value == value.to_integral() else value)}%"


def local_time(instant: dt.datetime, zone: dt.tzinfo) -> str:
    """``Sun 2026-11-29 02:00 GMT``: the wall time in ``zone``, with the zone's abbreviation."""
    return f"{instant.astimezone(zone):%a %Y-%m-%d %H:%M} {offset_label(instant, zone)}"


def utc_time(instant: dt.datetime) -> str:
    """``2026-11-29 02:00 UTC``."""
    return f"{instant.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def written_time(instant: dt.datetime) -> str:
    """An instant with the UTC offset it was written with: ``2026-12-06 03:00 -05:00``."""
    offset = instant.strftime("%z")
    return f"{instant:%Y-%m-%d %H:%M} {offset[:3]}:{offset[3:]}" if offset else f"{instant:%Y-%m-%d %H:%M}"
