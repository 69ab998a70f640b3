"""Properties of business-time arithmetic on generated calendars (any zone, DST, overnight ranges, holidays)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.chrono.strategies import any_calendar, clock_durations, instants, regular_calendar, working_amounts

from relpolicy.chrono.calendar import BusinessCalendar

ZERO = dt.timedelta()
# Generated calendars reach 24 holiday tables and thousands of DST-aware days: give them room.
slow = settings(deadline=None)


@slow
@given(any_calendar(), instants, working_amounts, working_amounts)
def test_working_time_adds_up(clock: BusinessCalendar, t: dt.datetime, a: dt.timedelta, b: dt.timedelta) -> None:
    """add(t, a + b) == add(add(t, a), b) for working time, on any calendar."""
    assert clock.add_working_time(t, a + b) == clock.add_working_time(clock.add_working_time(t, a), b)


@slow
@given(any_calendar(), instants, working_amounts)
def test_elapsed_working_time_round_trips(clock: BusinessCalendar, t: dt.datetime, d: dt.timedelta) -> None:
    """The working time elapsed between t and add(t, d) is d, on any calendar."""
    assert clock.working_time(t, clock.add_working_time(t, d)) == d


@slow
@given(any_calendar(), instants, instants, clock_durations)
def test_later_openings_are_never_due_earlier(
    clock: BusinessCalendar, t1: dt.datetime, t2: dt.datetime, d: dt.timedelta
) -> None:
    """Monotonic in the opening, for any duration (days and hours), on any calendar."""
    early, late = sorted((t1, t2))
    assert clock.add(early, d) <= clock.add(late, d)


@slow
@given(any_calendar(), instants, working_amounts, working_amounts, st.integers(0, 10), st.integers(0, 10))
def test_longer_targets_are_never_due_earlier(
    clock: BusinessCalendar, t: dt.datetime, a: dt.timedelta, b: dt.timedelta, m: int, n: int
) -> None:
    """Monotonic in the working time and in the business days added, on any calendar."""
    assert clock.add_working_time(t, min(a, b)) <= clock.add_working_time(t, max(a, b))
    assert clock.add_business_days(t, min(m, n)) <= clock.add_business_days(t, max(m, n))
    assert t <= clock.add_working_time(t, a)


@slow
@given(any_calendar(), instants, instants, instants)
def test_elapsed_working_time_is_additive(
    clock: BusinessCalendar, t1: dt.datetime, t2: dt.datetime, t3: dt.datetime
) -> None:
    """working(a, b) + working(b, c) == working(a, c), and never more than the real time."""
    a, b, c = sorted((t1, t2, t3))
    assert clock.working_time(a, b) + clock.working_time(b, c) == clock.working_time(a, c)
    assert ZERO <= clock.working_time(a, c) <= c - a


@slow
@given(any_calendar(), instants)
def test_the_clock_starts_at_the_next_working_instant(clock: BusinessCalendar, t: dt.datetime) -> None:
    """Nothing is worked between t and the next working instant, and the clock runs then."""
    start = clock.next_working_instant(t)
    assert start >= t
    assert clock.working_time(t, start) == ZERO
    assert clock.is_working(start)
    assert clock.is_business_day(clock.position(start + dt.timedelta(seconds=1))[0])


@slow
@given(any_calendar(), instants, st.integers(1, 10))
def test_business_days_land_on_business_days(clock: BusinessCalendar, t: dt.datetime, n: int) -> None:
    """Adding n business days lands n business days after the day the opening counts in, within that day."""
    day, into = clock.position(t)
    due = clock.add_business_days(t, n)
    target = clock.business_day_after(day, n)
    assert clock.position(due)[0] == target
    assert into > ZERO


def _day_length(clock: BusinessCalendar) -> dt.timedelta:
    ranges = next(r for r in clock.weekly if r)
    return sum((dt.timedelta(minutes=end - start) for start, end in ranges), ZERO)


def _fits_in_a_day(a: dt.timedelta, b: dt.timedelta) -> bool:
    """The sub-day parts of a and b add up to under a day, so a + b is written as their sum (1d4h + 2d3h = 3d7h)."""
    return (a - dt.timedelta(days=a.days)) + (b - dt.timedelta(days=b.days)) < dt.timedelta(days=1)


@slow
@given(regular_calendar(), instants, clock_durations, clock_durations)
def test_days_and_hours_add_up_on_regular_calendars(
    clock: BusinessCalendar, t: dt.datetime, a: dt.timedelta, b: dt.timedelta
) -> None:
    """On a calendar whose business days have one length L, Nd is N x L of working time, so days and hours mix.

    (On 24x7, 24h and 1d agree too; on a business calendar 24h is read as 1d, see docs/design.md.)
    """
    if not _fits_in_a_day(a, b):
        b = dt.timedelta(days=b.days)
    assert clock.add(t, a + b) == clock.add(clock.add(t, a), b)
    length = _day_length(clock)
    assert clock.add(t, a) == clock.add_working_time(t, a.days * length + (a - dt.timedelta(days=a.days)))


@slow
@given(instants, clock_durations, clock_durations)
def test_around_the_clock_durations_are_real_time(t: dt.datetime, a: dt.timedelta, b: dt.timedelta) -> None:
    """On `always`, every duration is plain elapsed time."""
    always = BusinessCalendar.always()
    assert always.add(t, a) == t + a
    assert always.add(t, a + b) == always.add(always.add(t, a), b)
    assert always.working_time(t, t + a) == a
