"""Error budgets and allowed downtime, as the generated documents state them.

- **An SLO's own window.** A rolling window (``30d``, ``4w``) has one budget. A calendar window
  (``month``, ``quarter``, ``year``, periods starting at midnight UTC) has a budget that depends
  on the period's length: without a date the documents give the range over every possible
  length (a month has 28 to 31 days), and with ``--as-of`` the budget of the period that date
  falls in (``December 2026``).
- **Reference periods of the SLA table.** To compare objectives and contracts side by side, the
  table states the downtime a percentage allows over fixed periods, the ones the Google SRE
  workbook uses: a month of 30 days, a quarter of 90 days and a year of 365 days (99.9% allows
  43.2 minutes a month, 2.16 hours a quarter, 8.76 hours a year). A 31-day month allows 1/30
  more, a leap year 1/365 more.

Budgets come from :mod:`relpolicy.chrono.budget` (exact decimals, rounded down to the
microsecond) and are shown in minutes rounded down to the hundredth, never overstated.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from relpolicy.chrono.budget import SloWindow, error_budget
from relpolicy.chrono.wallclock import UTC
from relpolicy.render.formatting import budget, minutes, plain_number

REFERENCE_PERIODS: Final = (
    ("month", dt.timedelta(days=30)),
    ("quarter", dt.timedelta(days=90)),
    ("year", dt.timedelta(days=365)),
)
"""The fixed periods the SLA table states allowed downtime over."""
_CALENDAR_DAYS: Final = {"month": (28, 31), "quarter": (90, 92), "year": (365, 366)}
"""The shortest and longest period of each calendar window, in days."""


@dataclass(frozen=True, slots=True)
class WindowBudget:
    """The error budget of one objective over its SLO window, ready to print."""

    window: str
    """As written: ``30d``, ``4w``, ``month``..."""
    window_text: str
    """``rolling 30 days``, ``calendar month (UTC)``."""
    period: str | None
    """The calendar period the budget is for (``December 2026``), when a date was given."""
    low_minutes: Decimal
    high_minutes: Decimal
    """Equal to ``low_minutes`` unless the window is a calendar one and no date was given."""
    text: str
    """``43.2 min``, ``40.32-44.64 min (28-31 days)`` or ``44.64 min in December 2026 (31 days)``."""


def window_budget(objective: Decimal, window_text: str, as_of: dt.date | None) -> WindowBudget:
    """The budget ``objective`` allows over the SLO window ``window_text``."""
    window = SloWindow.parse(window_text)
    if window.rolling is not None:
        allowed = error_budget(objective, window.rolling)
        unit = "weeks" if window_text.endswith("w") else "days"
        amount = window.rolling.days // 7 if unit == "weeks" else window.rolling.days
        return WindowBudget(
            window_text, f"rolling {amount} {unit}", None, minutes(allowed), minutes(allowed), budget(allowed)
        )
    described = f"calendar {window_text} (UTC)"
    if as_of is not None:
        period = window.period_containing(dt.datetime.combine(as_of, dt.time(), UTC))
        allowed = error_budget(objective, period.length)
        name = window.describe(period)
        text = f"{budget(allowed)} in {name} ({period.length.days} days)"
        return WindowBudget(window_text, described, name, minutes(allowed), minutes(allowed), text)
    shortest, longest = (error_budget(objective, dt.timedelta(days=d)) for d in _CALENDAR_DAYS[window_text])
    low, high = minutes(shortest), minutes(longest)
    days = "{}-{} days".format(*_CALENDAR_DAYS[window_text])
    text = f"{plain_number(low)}-{plain_number(high)} min ({days})"
    return WindowBudget(window_text, described, None, low, high, text)


def reference_downtime(percentage: Decimal) -> tuple[dt.timedelta, ...]:
    """The downtime ``percentage`` allows over each reference period (month, quarter, year)."""
    return tuple(error_budget(percentage, length) for _, length in REFERENCE_PERIODS)
