"""Error budgets: the hand-checked table, real calendar lengths, and monotonicity."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relpolicy.chrono.budget import SloWindow, error_budget, worst_window
from relpolicy.chrono.intervals import Interval, Timeline, covered, union


def _utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)


MINUTE, HOUR = dt.timedelta(minutes=1), dt.timedelta(hours=1)


@pytest.mark.parametrize(
    ("objective", "days", "budget"),
    [
        ("99.9", 30, 43.2 * MINUTE),  # 0.1% of 43,200 minutes
        ("99.9", 365, 8.76 * HOUR),  # 0.1% of 8,760 hours
        ("99.95", 365, 4.38 * HOUR),
        ("99.99", 30, 4.32 * MINUTE),
        ("99.5", 28, dt.timedelta(hours=3, minutes=21, seconds=36)),  # the example ERP's February
        ("99", 7, dt.timedelta(hours=1, minutes=40, seconds=48)),
        ("99.999", 365, dt.timedelta(minutes=5, seconds=15, milliseconds=360)),
    ],
)
def test_hand_checked_budgets(objective: str, days: int, budget: dt.timedelta) -> None:
    """The classic table: 99.9% allows 43.2 minutes a month of 30 days."""
    assert error_budget(Decimal(objective), dt.timedelta(days=days)) == budget


@pytest.mark.parametrize(
    ("window", "start", "days"),
    [
        ("month", _utc(2026, 2, 1), 28),
        ("month", _utc(2028, 2, 1), 29),  # leap year
        ("month", _utc(2026, 4, 1), 30),
        ("month", _utc(2026, 1, 1), 31),
        ("quarter", _utc(2026, 1, 1), 90),
        ("quarter", _utc(2028, 1, 1), 91),  # leap year
        ("quarter", _utc(2026, 4, 1), 91),
        ("quarter", _utc(2026, 7, 1), 92),
        ("quarter", _utc(2026, 10, 1), 92),
        ("year", _utc(2026, 1, 1), 365),
        ("year", _utc(2028, 1, 1), 366),
        ("30d", None, 30),
        ("4w", None, 28),
    ],
)
def test_window_lengths(window: str, start: dt.datetime | None, days: int) -> None:
    """Calendar windows have their real length; rolling ones a fixed one."""
    assert SloWindow.parse(window).length(start) == dt.timedelta(days=days)


def test_calendar_month_budgets() -> None:
    """99.9% of February 2026 is 40.32 minutes, of a leap February 41.76, of January 44.64."""
    month = SloWindow.parse("month")
    assert month.budget(Decimal("99.9"), _utc(2026, 2, 10)) == 40.32 * MINUTE
    assert month.budget(Decimal("99.9"), _utc(2028, 2, 29, 23, 59)) == 41.76 * MINUTE
    assert month.budget(Decimal("99.9"), _utc(2026, 1, 31)) == 44.64 * MINUTE
    assert SloWindow.parse("year").budget(Decimal("99.9"), _utc(2028, 6, 1)) == 8.784 * HOUR


def test_periods_and_their_names() -> None:
    """Calendar periods tile time from midnight UTC and are named for messages."""
    quarter = SloWindow.parse("quarter")
    periods = list(quarter.periods(_utc(2026, 11, 26), _utc(2027, 11, 26)))
    assert [quarter.describe(p) for p in periods] == ["Q4 2026", "Q1 2027", "Q2 2027", "Q3 2027", "Q4 2027"]
    assert periods[0] == Interval(_utc(2026, 10, 1), _utc(2027, 1, 1))
    month = SloWindow.parse("month")
    assert [month.describe(p) for p in month.periods(_utc(2026, 12, 31, 23), _utc(2027, 1, 1, 1))] == [
        "December 2026",
        "January 2027",
    ]
    year = SloWindow.parse("year")
    assert year.describe(year.period_containing(_utc(2027, 5, 1))) == "2027"
    rolling = SloWindow.parse("30d")
    window = rolling.period_containing(_utc(2026, 12, 1))
    assert window == Interval(_utc(2026, 11, 1), _utc(2026, 12, 1))
    assert rolling.describe(window) == "30 days from 2026-11-01 00:00 UTC"
    assert not rolling.is_calendar
    assert month.is_calendar


def test_a_period_is_read_in_utc() -> None:
    """An instant late on the last day of a month in New York is already the next month in UTC."""
    instant = dt.datetime(2026, 1, 31, 21, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    assert SloWindow.parse("month").period_containing(instant).start == _utc(2026, 2, 1)


def test_bad_input_is_refused() -> None:
    """Windows and objectives outside the language are errors that say what to write."""
    with pytest.raises(ValueError, match="not an SLO window: write 30d, 4w, month, quarter or year"):
        SloWindow.parse("fortnight")
    with pytest.raises(ValueError, match="strictly between 0 and 100"):
        error_budget(Decimal(100), dt.timedelta(days=30))
    with pytest.raises(ValueError, match="needs the start of its period"):
        SloWindow.parse("month").length()
    with pytest.raises(ValueError, match="no fixed periods"):
        list(SloWindow.parse("30d").periods(_utc(2026, 1, 1), _utc(2026, 2, 1)))


objectives = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("99.999"), places=3)


@given(objectives, objectives, st.integers(min_value=1, max_value=400))
def test_budgets_shrink_as_objectives_grow(a: Decimal, b: Decimal, days: int) -> None:
    """A stricter objective never allows more downtime; the budget never exceeds the window."""
    low, high = sorted((a, b))
    length = dt.timedelta(days=days)
    assert error_budget(high, length) <= error_budget(low, length) <= length


def test_worst_rolling_window_by_hand() -> None:
    """Two hours on 1 March and three on 20 March: the worst 30 days from 1 Feb start on 1 March (5h)."""
    downtime = Timeline(
        [Interval(_utc(2026, 3, 1), _utc(2026, 3, 1, 2)), Interval(_utc(2026, 3, 20), _utc(2026, 3, 20, 3))]
    )
    worst = worst_window(downtime, dt.timedelta(days=30), _utc(2026, 2, 1), _utc(2026, 6, 1))
    assert worst == Interval(_utc(2026, 3, 1), _utc(2026, 3, 31))
    assert downtime.covered(worst.start, worst.end) == 5 * HOUR
    assert downtime.covered(_utc(2026, 3, 1, 1), _utc(2026, 3, 20, 1)) == 2 * HOUR
    assert downtime.covered(_utc(2026, 3, 2), _utc(2026, 3, 1)) == dt.timedelta()
    assert len(downtime) == 2


spans = st.lists(
    st.tuples(st.integers(0, 2000), st.integers(1, 300)).map(
        lambda p: Interval(_utc(2026, 1, 1) + p[0] * HOUR, _utc(2026, 1, 1) + (p[0] + p[1]) * HOUR)
    ),
    max_size=25,
)
hours_in = st.integers(0, 2500).map(lambda h: _utc(2026, 1, 1) + h * HOUR)


@given(spans, hours_in, hours_in, st.integers(1, 500))
def test_timeline_coverage_and_the_worst_window(
    intervals: list[Interval], a: dt.datetime, b: dt.datetime, length_hours: int
) -> None:
    """Fast coverage equals the plain sum; no window starting in the range covers more than the worst one."""
    start, end = sorted((a, b))
    timeline = Timeline(intervals)
    assert timeline.covered(start, end) == covered(union(intervals), start, end)
    length = length_hours * HOUR
    worst = worst_window(timeline, length, start, end)
    best = timeline.covered(worst.start, worst.end)
    assert start <= worst.start <= end
    step = start
    while step <= end:
        assert timeline.covered(step, step + length) <= best
        step += HOUR
