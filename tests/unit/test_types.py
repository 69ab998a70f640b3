"""Value types: durations, percentages and the other scalars, against hand-checked tables."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from relpolicy.model.types import (
    Date,
    Duration,
    OffsetDatetime,
    Percentage,
    PositiveDuration,
    Tier,
    TimeRange,
    TimeZone,
    format_duration,
    parse_duration,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30s", dt.timedelta(seconds=30)),
        ("15m", dt.timedelta(minutes=15)),
        ("4h", dt.timedelta(hours=4)),
        ("1h30m", dt.timedelta(minutes=90)),
        ("2d", dt.timedelta(days=2)),
        ("1w", dt.timedelta(days=7)),
        ("1w2d3h4m5s", dt.timedelta(days=9, hours=3, minutes=4, seconds=5)),
        ("90m", dt.timedelta(minutes=90)),
        ("0m", dt.timedelta(0)),
    ],
)
def test_parse_duration(text: str, expected: dt.timedelta) -> None:
    """Durations read as written."""
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.timedelta(minutes=90), "1h30m"),
        (dt.timedelta(days=14), "2w"),
        (dt.timedelta(days=10), "10d"),
        (dt.timedelta(days=1, seconds=1), "1d1s"),
        (dt.timedelta(0), "0s"),
    ],
)
def test_format_duration(value: dt.timedelta, expected: str) -> None:
    """Durations print in their shortest form, whole weeks only."""
    assert format_duration(value) == expected


@given(st.integers(min_value=0, max_value=10**9))
def test_format_then_parse_round_trips(seconds: int) -> None:
    """Formatting a duration and reading it back gives the same duration."""
    value = dt.timedelta(seconds=seconds)
    assert parse_duration(format_duration(value)) == value


class Probe(BaseModel):
    duration: Duration | None = None
    positive: PositiveDuration | None = None
    percentage: Percentage | None = None
    tier: Tier | None = None
    hours: TimeRange | None = None
    day: Date | None = None
    at: OffsetDatetime | None = None
    zone: TimeZone | None = None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "duration",
            "4 hours",
            "`4 hours` is not a duration: write a number and a unit, like 30s, 15m, 4h, 1h30m, 2d or 1w",
        ),
        ("duration", 30, "`30` is not a duration: write a number and a unit, like 30s, 15m, 4h, 1h30m, 2d or 1w"),
        ("duration", "", "`` is not a duration: write a number and a unit, like 30s, 15m, 4h, 1h30m, 2d or 1w"),
        (
            "positive",
            "0m",
            "`0m` is not a duration: write a number and a unit, like 30s, 15m, 4h, 1h30m, 2d or 1w (longer than zero)",
        ),
        ("percentage", 100, "100 is not a percentage strictly between 0 and 100"),
        ("percentage", 0, "0 is not a percentage strictly between 0 and 100"),
        ("percentage", float("nan"), "nan is not a percentage strictly between 0 and 100"),
        ("percentage", float("inf"), "inf is not a percentage strictly between 0 and 100"),
        ("percentage", "99.9", "`99.9` is not a percentage: write a number such as 99.9"),
        ("percentage", True, "the boolean `true` is not a percentage: write a number such as 99.9"),
        ("tier", 5, "`5` is not a tier: use 1 (most critical) to 4 (least)"),
        ("tier", "1", "`1` is not a tier: use 1 (most critical) to 4 (least)"),
        (
            "hours",
            "9-5",
            "`9-5` is not a range of hours: write HH:MM-HH:MM, like 09:00-17:30 (22:00-06:00 crosses midnight)",
        ),
        ("day", "2026-02-30", "`2026-02-30` is not a real date"),
        ("day", "26/11/2026", "`26/11/2026` is not a date: write YYYY-MM-DD"),
        (
            "at",
            "2026-12-24T18:00:00",
            "`2026-12-24T18:00:00` is not a date and time with a UTC offset: write it like "
            "2026-12-24T18:00:00-05:00 or 2026-12-24T23:00:00Z",
        ),
        (
            "zone",
            "Europe/Londn",
            "`Europe/Londn` is not an IANA time zone name (like Europe/London or America/New_York)",
        ),
    ],
)
def test_rejections_say_what_to_write(field: str, value: object, message: str) -> None:
    """Each type rejects wrong values with a message that says what to write instead."""
    with pytest.raises(ValidationError) as caught:
        Probe.model_validate({field: value})
    assert [e["msg"] for e in caught.value.errors()] == [message]


def test_accepted_values() -> None:
    """Well-formed values are read into Python values, percentages kept as written."""
    probe = Probe.model_validate(
        {
            "percentage": 99.95,
            "tier": 1,
            "hours": "22:00-06:00",
            "day": "2026-12-25",
            "at": "2026-12-24T18:00:00-05:00",
            "zone": "America/New_York",
        }
    )
    assert probe.percentage == Decimal("99.95")
    assert probe.at == dt.datetime(2026, 12, 24, 23, 0, tzinfo=dt.UTC)
    assert probe.day == dt.date(2026, 12, 25)
