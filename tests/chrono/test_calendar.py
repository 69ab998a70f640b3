"""Business-time arithmetic against hand-checked tables: weekends, public holidays, DST, lunch, night shifts."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from pydantic import ValidationError
from tests.chrono.calendars import (
    ALWAYS,
    NIGHTS,
    UK_BUSINESS,
    UK_WAREHOUSE,
    US_BUSINESS,
    at,
    calendar,
    clock,
    days,
    hours,
)

from relpolicy.chrono.calendar import BusinessCalendar, DayOff, NoWorkingTimeError, parse_range
from relpolicy.chrono.intervals import Interval
from relpolicy.timebase.daysoff import HolidaySourceError, check_source

# (calendar, opened, duration on the clock, due) -- each row worked out by hand; the comment says how.
ADD_TABLE = [
    # New York 09:00-17:00, New York State holidays.
    (US_BUSINESS, "2026-11-20T16:00-05:00", hours(4), "2026-11-23T12:00-05:00"),  # Fri 1h, weekend, Mon 3h
    (US_BUSINESS, "2026-11-25T15:00-05:00", hours(4), "2026-11-27T11:00-05:00"),  # Wed 2h, Thanksgiving, Fri 2h
    (US_BUSINESS, "2026-11-25T15:00-05:00", days(2), "2026-11-30T15:00-05:00"),  # Fri is day 1, Mon day 2
    (US_BUSINESS, "2026-11-25T10:00-05:00", hours(8), "2026-11-27T10:00-05:00"),  # Wed 7h, Fri 1h
    (US_BUSINESS, "2026-11-27T16:30-05:00", hours(1), "2026-11-30T09:30-05:00"),  # the P2 response
    (US_BUSINESS, "2026-11-27T16:30-05:00", hours(8), "2026-11-30T16:30-05:00"),  # the P2 restore
    (US_BUSINESS, "2026-11-27T21:30+00:00", hours(8), "2026-11-30T16:30-05:00"),  # same instant written in UTC
    (US_BUSINESS, "2026-12-24T16:00-05:00", hours(2), "2026-12-28T10:00-05:00"),  # Thu 1h, Christmas, weekend
    (US_BUSINESS, "2026-03-06T16:00-05:00", hours(4), "2026-03-09T12:00-04:00"),  # over the US DST change
    (US_BUSINESS, "2026-03-06T10:00-05:00", days(2), "2026-03-10T10:00-04:00"),  # 10:00 EST -> 10:00 EDT
    (US_BUSINESS, "2026-11-28T10:00-05:00", days(1), "2026-11-30T17:00-05:00"),  # Saturday: Monday's close
    (US_BUSINESS, "2026-11-28T10:00-05:00", hours(4), "2026-11-30T13:00-05:00"),  # Saturday: clock starts Mon 9:00
    (US_BUSINESS, "2026-11-30T09:00-05:00", days(1), "2026-11-30T17:00-05:00"),  # at the opening: one full day
    (US_BUSINESS, "2026-11-30T09:01-05:00", days(1), "2026-12-01T09:01-05:00"),
    (US_BUSINESS, "2026-12-02T10:00-05:00", days(5), "2026-12-09T10:00-05:00"),  # a working week
    (US_BUSINESS, "2026-12-02T10:00-05:00", days(7), "2026-12-11T10:00-05:00"),  # 1w = 7d = 7 business days
    (US_BUSINESS, "2026-12-02T15:00-05:00", days(1) + hours(4), "2026-12-04T11:00-05:00"),  # Thu 15:00, +4h
    # London 09:00-17:30, English bank holidays, 24 and 31 December off.
    (UK_BUSINESS, "2026-12-23T15:00+00:00", hours(4), "2026-12-29T10:30+00:00"),  # Wed 2.5h ... Tue 1.5h
    (UK_BUSINESS, "2026-12-23T15:00+00:00", days(1), "2026-12-29T15:00+00:00"),  # 24, 25, 26-27, 28 skipped
    (UK_BUSINESS, "2026-03-27T16:00+00:00", hours(4), "2026-03-30T11:30+01:00"),  # over the UK DST change
    (UK_BUSINESS, "2026-12-31T12:00+00:00", hours(1), "2027-01-04T10:00+00:00"),  # company day, New Year
    # Warehouse shifts 08:00-12:00 and 13:00-17:00, Saturday 08:00-12:00.
    (UK_WAREHOUSE, "2026-11-23T11:00+00:00", hours(2), "2026-11-23T14:00+00:00"),  # lunch does not count
    (UK_WAREHOUSE, "2026-11-23T12:30+00:00", dt.timedelta(minutes=30), "2026-11-23T13:30+00:00"),
    (UK_WAREHOUSE, "2026-11-23T08:00+00:00", hours(4), "2026-11-23T12:00+00:00"),  # due at the lunch break
    (UK_WAREHOUSE, "2026-11-23T08:00+00:00", hours(8), "2026-11-23T17:00+00:00"),
    (UK_WAREHOUSE, "2026-11-27T15:00+00:00", hours(4), "2026-11-28T10:00+00:00"),  # Fri 2h, Sat 2h
    (UK_WAREHOUSE, "2026-11-26T11:00+00:00", days(1), "2026-11-27T11:00+00:00"),
    (UK_WAREHOUSE, "2026-11-27T15:00+00:00", days(1), "2026-11-28T12:00+00:00"),  # 6h in; Saturday has 4h
    (UK_WAREHOUSE, "2026-11-23T12:30+00:00", days(1), "2026-11-24T12:00+00:00"),  # lunch: 4h into the day
    # Night shift 22:00-06:00 UTC, listed Mon-Fri; Tuesday 2026-12-01 off.
    (NIGHTS, "2026-11-23T23:00+00:00", hours(4), "2026-11-24T03:00+00:00"),
    (NIGHTS, "2026-11-24T05:00+00:00", hours(2), "2026-11-24T23:00+00:00"),
    (NIGHTS, "2026-11-24T03:00+00:00", days(1), "2026-11-25T03:00+00:00"),  # Tue 03:00 is Monday's shift
    (NIGHTS, "2026-11-30T23:00+00:00", hours(6), "2026-12-01T05:00+00:00"),  # Monday's shift runs into the day off
    (NIGHTS, "2026-11-30T23:00+00:00", hours(8), "2026-12-02T23:00+00:00"),  # Tuesday's own shift is off
    (NIGHTS, "2026-11-27T23:00+00:00", hours(8), "2026-11-30T23:00+00:00"),  # Friday's shift ends Sat 06:00
    # 24x7.
    (ALWAYS, "2026-11-27T16:30-05:00", days(1) + hours(4), "2026-11-29T01:30+00:00"),
    (ALWAYS, "2026-03-07T12:00+00:00", days(7), "2026-03-14T12:00+00:00"),
    (ALWAYS, "2026-03-07T00:00+00:00", days(1), "2026-03-08T00:00+00:00"),
]


@pytest.mark.parametrize(("clock_", "opened", "duration", "due"), ADD_TABLE, ids=str)
def test_add_on_a_clock(clock_: BusinessCalendar, opened: str, duration: dt.timedelta, due: str) -> None:
    """Adding a duration on a clock gives the hand-checked due time, in UTC."""
    result = clock_.add(at(opened), duration)
    assert result == at(due)
    assert result.tzinfo is dt.UTC


@pytest.mark.parametrize(
    ("clock_", "start", "end", "elapsed"),
    [
        (US_BUSINESS, "2026-11-20T16:00-05:00", "2026-11-23T12:00-05:00", hours(4)),
        (US_BUSINESS, "2026-11-25T00:00-05:00", "2026-11-30T00:00-05:00", hours(16)),  # Wed and Fri
        (US_BUSINESS, "2026-03-06T00:00-05:00", "2026-03-10T00:00-04:00", hours(16)),  # Fri and Mon, over DST
        (US_BUSINESS, "2026-11-30T00:00-05:00", "2026-11-20T16:00-05:00", -hours(33)),  # Fri 1h, 3 x 8h, Fri 8h
        (UK_WAREHOUSE, "2026-11-23T00:00+00:00", "2026-11-24T00:00+00:00", hours(8)),
        (UK_WAREHOUSE, "2026-11-23T11:30+00:00", "2026-11-23T13:30+00:00", hours(1)),
        (NIGHTS, "2026-11-23T00:00+00:00", "2026-11-30T00:00+00:00", hours(40)),  # five shifts of 8h
        (ALWAYS, "2026-03-08T00:00-05:00", "2026-03-09T00:00-04:00", hours(23)),  # real time, not wall time
    ],
)
def test_working_time_between(clock_: BusinessCalendar, start: str, end: str, elapsed: dt.timedelta) -> None:
    """Working time elapsed between two instants."""
    assert clock_.working_time(at(start), at(end)) == elapsed


@pytest.mark.parametrize(
    ("clock_", "instant", "expected"),
    [
        (US_BUSINESS, "2026-11-28T10:00-05:00", "2026-11-30T09:00-05:00"),
        (US_BUSINESS, "2026-11-25T17:00-05:00", "2026-11-27T09:00-05:00"),  # the close is not working time
        (US_BUSINESS, "2026-11-25T16:59-05:00", "2026-11-25T16:59-05:00"),
        (UK_WAREHOUSE, "2026-11-23T12:30+00:00", "2026-11-23T13:00+00:00"),
        (NIGHTS, "2026-11-24T06:00+00:00", "2026-11-24T22:00+00:00"),
        (ALWAYS, "2026-11-24T06:00+00:00", "2026-11-24T06:00+00:00"),
    ],
)
def test_next_working_instant(clock_: BusinessCalendar, instant: str, expected: str) -> None:
    """The clock starts at the instant itself in working time, else at the next opening."""
    assert clock_.next_working_instant(at(instant)) == at(expected)
    assert clock_.is_working(at(expected))
    assert clock_.is_working(at(instant)) == (instant == expected)


def test_days_off_are_explained() -> None:
    """Skipped days carry the holiday's name, or why the weekly pattern skips them."""
    assert US_BUSINESS.days_off_between(at("2026-11-25T15:00-05:00"), at("2026-11-30T15:00-05:00")) == [
        DayOff(dt.date(2026, 11, 26), "Thanksgiving Day"),
        DayOff(dt.date(2026, 11, 28), "no working hours on Saturdays"),
        DayOff(dt.date(2026, 11, 29), "no working hours on Sundays"),
    ]
    assert UK_BUSINESS.days_off_between(at("2026-12-23T15:00+00:00"), at("2026-12-29T10:30+00:00")) == [
        DayOff(dt.date(2026, 12, 24), "day off (listed in the calendar)"),
        DayOff(dt.date(2026, 12, 25), "Christmas Day"),
        DayOff(dt.date(2026, 12, 26), "Boxing Day"),
        DayOff(dt.date(2026, 12, 27), "no working hours on Sundays"),
        DayOff(dt.date(2026, 12, 28), "Boxing Day (observed)"),
    ]
    assert US_BUSINESS.day_off(dt.date(2026, 11, 27)) is None


def test_local_dates_decide_business_days() -> None:
    """Days are the calendar's local dates: 03:00 UTC on a Saturday is still Friday in New York."""
    assert US_BUSINESS.local_date(at("2026-11-28T03:00+00:00")) == dt.date(2026, 11, 27)
    assert US_BUSINESS.business_day_after(dt.date(2026, 11, 25), 1) == dt.date(2026, 11, 27)
    assert US_BUSINESS.working_weekdays == 5
    assert ALWAYS.working_weekdays == 7


def _sunday(hours_: str, day: str) -> tuple[Interval, ...]:
    return clock("dst", "America/New_York", {"sun": [hours_]}).day_intervals(dt.date.fromisoformat(day))


def _utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("hours_", "day", "expected"),
    [
        # Spring forward 2026-03-08 (02:00 EST -> 03:00 EDT): the range lasts what the clock really shows.
        ("00:00-04:00", "2026-03-08", [("2026-03-08 05:00", "2026-03-08 08:00")]),  # 3 real hours
        ("02:30-05:00", "2026-03-08", [("2026-03-08 07:00", "2026-03-08 09:00")]),  # starts at the jump, 03:00 EDT
        ("02:15-02:45", "2026-03-08", []),  # wholly inside the gap: no working time is invented
        # Fall back 2026-11-01 (02:00 EDT -> 01:00 EST): the repeated hour is worked.
        ("00:00-04:00", "2026-11-01", [("2026-11-01 04:00", "2026-11-01 09:00")]),  # 5 real hours
        ("01:00-02:00", "2026-11-01", [("2026-11-01 05:00", "2026-11-01 07:00")]),  # from the first 01:00
        ("00:00-24:00", "2026-03-08", [("2026-03-08 05:00", "2026-03-09 04:00")]),  # a 23-hour day
    ],
)
def test_working_ranges_on_dst_days(hours_: str, day: str, expected: list[tuple[str, str]]) -> None:
    """Range bounds are the first instant the wall clock reads them (docs/design.md, DST)."""
    assert _sunday(hours_, day) == tuple(Interval(_utc(a), _utc(b)) for a, b in expected)


def test_a_range_wholly_in_a_gap_explains_the_day_off() -> None:
    """A day whose only range the clocks skip is not a business day, and says why."""
    gap = clock("dst", "America/New_York", {"sun": ["02:15-02:45"]})
    assert gap.day_off(dt.date(2026, 3, 8)) == DayOff(
        dt.date(2026, 3, 8), "its working hours fall in a DST gap (the clocks skip them)"
    )
    assert gap.is_business_day(dt.date(2026, 3, 15))


def test_overlapping_days_give_the_overlap_to_the_earlier_day() -> None:
    """Monday's 22:00-06:00 and Tuesday's 00:00-08:00 overlap: Tuesday's own time starts at 06:00."""
    overlap = clock("overlap", "UTC", {"mon": ["22:00-06:00"], "tue": ["00:00-08:00"]})
    assert overlap.day_intervals(dt.date(2026, 11, 24)) == (
        Interval(_utc("2026-11-24 06:00"), _utc("2026-11-24 08:00")),
    )
    covered = clock("covered", "UTC", {"mon": ["22:00-06:00"], "tue": ["01:00-05:00"]})
    assert covered.day_off(dt.date(2026, 11, 24)) == DayOff(
        dt.date(2026, 11, 24), "the previous day's hours past midnight cover its own"
    )
    assert overlap.working_time(_utc("2026-11-23 00:00"), _utc("2026-11-25 00:00")) == hours(10)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("09:00-17:30", (540, 1050)),
        ("22:00-06:00", (1320, 1800)),
        ("00:00-24:00", (0, 1440)),
        ("08:00-08:00", (480, 1920)),
    ],
)
def test_parse_range(text: str, expected: tuple[int, int]) -> None:
    """An end not after the start crosses midnight; 24:00 is midnight at the end of the day."""
    assert parse_range(text) == expected


def test_a_calendar_without_hours_cannot_run_a_clock() -> None:
    """No working hours at all is a clear error, not an endless search."""
    empty = clock("empty", "UTC", {})
    with pytest.raises(NoWorkingTimeError, match="calendar `empty` has no working hours"):
        empty.add(at("2026-11-23T00:00+00:00"), hours(1))
    with pytest.raises(NoWorkingTimeError, match="calendar `empty` has no working hours"):
        empty.add(at("2026-11-23T00:00+00:00"), days(1))


def test_a_calendar_closed_for_ten_years_stops_searching() -> None:
    """Days off that never end stop the search with a clear error."""
    closed = clock(
        "closed",
        "UTC",
        {"mon": ["09:00-17:00"]},
        {"dates": [str(dt.date(2026, 11, 23) + dt.timedelta(weeks=w)) for w in range(600)]},
    )
    with pytest.raises(NoWorkingTimeError, match="calendar `closed` has no working time within ten years"):
        closed.add(at("2026-11-23T00:00+00:00"), hours(1))
    with pytest.raises(NoWorkingTimeError, match="within ten years"):
        closed.add(at("2026-11-23T00:00+00:00"), days(1))


def test_unknown_holiday_country_is_a_clear_error() -> None:
    """A country the holiday library does not know is named in the error (the model refuses it: RP103)."""
    with pytest.raises(ValidationError, match="no public holidays known for `XX`"):
        calendar("odd", "UTC", {"mon": ["09:00-17:00"]}, {"country": "XX"})
    with pytest.raises(ValidationError, match="no public holidays known for `US-ZZ`"):
        calendar("odd", "UTC", {"mon": ["09:00-17:00"]}, {"country": "US", "subdivision": "ZZ"})
    with pytest.raises(HolidaySourceError, match="no public holidays known for `XX`"):
        check_source("XX", None)


def test_negative_durations_are_refused() -> None:
    """A clock only runs forwards."""
    with pytest.raises(ValueError, match="negative"):
        US_BUSINESS.add(at("2026-11-23T10:00-05:00"), -hours(1))
    with pytest.raises(ValueError, match="negative"):
        US_BUSINESS.add_working_time(at("2026-11-23T10:00-05:00"), -hours(1))


def test_zero_is_the_instant_itself() -> None:
    """Adding nothing does not move the instant, even outside working time."""
    assert US_BUSINESS.add(at("2026-11-28T10:00-05:00"), dt.timedelta()) == at("2026-11-28T10:00-05:00")


def test_weekly_hours_need_seven_days() -> None:
    """A calendar built by hand must give every weekday its ranges (possibly none)."""
    with pytest.raises(ValueError, match="one entry per weekday"):
        BusinessCalendar("short", dt.UTC, ((),), ALWAYS.days_off)


@pytest.mark.parametrize("machine_zone", ["UTC", "Pacific/Chatham", "America/Los_Angeles", "Asia/Kathmandu"])
def test_the_machine_zone_changes_nothing(machine_zone: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole hand table gives the same answers whatever TZ the process runs under."""
    monkeypatch.setenv("TZ", machine_zone)
    time.tzset()
    try:
        for clock_, opened, duration, due in ADD_TABLE:
            fresh = BusinessCalendar(clock_.name, clock_.zone, clock_.weekly, clock_.days_off)  # nothing cached
            assert fresh.add(at(opened), duration) == at(due)
    finally:
        monkeypatch.undo()
        time.tzset()
