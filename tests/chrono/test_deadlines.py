"""Response and restore due times of the SPEC's reference priority table, worked out by hand."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.chrono.calendars import ALWAYS, UK_BUSINESS, US_BUSINESS, at

from relpolicy.chrono.calendar import DayOff
from relpolicy.chrono.deadline import clock_named, deadlines
from relpolicy.model.priority import Level
from relpolicy.policy import PolicySet


def level(name: str, response: str, restore: str, clock: str, every: str | None = None) -> Level:
    """A priority level as a policy writes it."""
    data = {"name": name, "description": "a level", "response": response, "restore": restore, "clock": clock}
    if every is not None:
        data["statusUpdateEvery"] = every
    return Level.model_validate(data)


P1 = level("P1", "15m", "4h", "always", "30m")
P2 = level("P2", "1h", "8h", "us-business", "1h")
P3 = level("P3", "4h", "2d", "us-business")
P4 = level("P4", "1d", "scheduled", "us-business")


def test_p2_on_the_friday_after_thanksgiving() -> None:
    """The issue's example: opened Fri 16:30 New York, due Monday 09:30 and 16:30; the weekend explained."""
    result = deadlines(P2, US_BUSINESS, at("2026-11-27T16:30-05:00"))
    assert result.clock_starts == at("2026-11-27T16:30-05:00")
    assert result.response.at == at("2026-11-30T09:30-05:00")
    assert result.restore is not None
    assert result.restore.at == at("2026-11-30T16:30-05:00")
    assert result.status_update_every == dt.timedelta(hours=1)
    assert [off.date.isoformat() for off in result.skipped] == ["2026-11-28", "2026-11-29"]


def test_p3_over_thanksgiving() -> None:
    """Opened Wednesday before Thanksgiving: 4h ends Friday, 2d ends Monday at the same time."""
    result = deadlines(P3, US_BUSINESS, at("2026-11-25T14:00-05:00"))
    assert result.response.at == at("2026-11-27T10:00-05:00")  # Wed 3h, Fri 1h
    assert result.restore is not None
    assert result.restore.at == at("2026-11-30T14:00-05:00")
    assert result.skipped == (
        DayOff(dt.date(2026, 11, 26), "Thanksgiving Day"),
        DayOff(dt.date(2026, 11, 28), "no working hours on Saturdays"),
        DayOff(dt.date(2026, 11, 29), "no working hours on Sundays"),
    )
    assert result.status_update_every is None


def test_p4_restore_is_scheduled() -> None:
    """A scheduled restore has no due time; a response of 1d opened on Saturday ends at Monday's close."""
    result = deadlines(P4, US_BUSINESS, at("2026-11-28T10:00-05:00"))
    assert result.restore is None
    assert result.clock_starts == at("2026-11-30T09:00-05:00")
    assert result.response.at == at("2026-11-30T17:00-05:00")


def test_p1_runs_around_the_clock_through_a_dst_change() -> None:
    """24x7 targets are real time: 4h from 23:00 EST on the spring-forward night is 04:00 EDT."""
    result = deadlines(P1, ALWAYS, at("2026-03-07T23:00-05:00"))
    assert result.response.at == at("2026-03-07T23:15-05:00")
    assert result.restore is not None
    assert result.restore.at == at("2026-03-08T04:00-04:00")
    assert result.skipped == ()


def test_uk_christmas() -> None:
    """On the London calendar, an incident opened at 17:00 on 23 December skips 24-28 December."""
    result = deadlines(level("P2", "1h", "8h", "uk-business"), UK_BUSINESS, at("2026-12-23T17:00+00:00"))
    assert result.response.at == at("2026-12-29T09:30+00:00")  # Wed 0.5h, Tue 0.5h
    assert result.restore is not None
    assert result.restore.at == at("2026-12-29T16:30+00:00")  # Wed 0.5h, Tue 7.5h
    assert [off.date.day for off in result.skipped] == [24, 25, 26, 27, 28]


def test_naive_openings_are_refused() -> None:
    """An opening without a UTC offset is ambiguous."""
    with pytest.raises(ValueError, match="needs a UTC offset"):
        deadlines(P2, US_BUSINESS, dt.datetime(2026, 11, 27, 16, 30))  # noqa: DTZ001 - the point of the test


def test_clock_names() -> None:
    """`always` is built in; an unknown calendar is None for the caller to explain."""
    assert clock_named(PolicySet(), "always") is not None
    assert clock_named(PolicySet(), "nowhere") is None
