"""Maintenance windows expanded into UTC intervals: RRULEs in their zone, across DST, single windows, targets."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

from relpolicy.chrono.intervals import Interval, covered, outside, union
from relpolicy.chrono.windows import next_occurrences, occurrences, targeted_services, walk
from relpolicy.model.maintenance import MaintenanceWindowSpec
from relpolicy.model.service import Service
from relpolicy.policy import PolicySet, ResourceId
from relpolicy.timebase.recurrence import ANCHOR, RecurrenceError


def window(**spec: Any) -> MaintenanceWindowSpec:
    """A validated window spec aimed at `db` unless it has a selector."""
    target = {} if "selector" in spec else {"services": ["db"]}
    return MaintenanceWindowSpec.model_validate({**target, "duration": "2h", **spec})


def _utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def _starts(spec: MaintenanceWindowSpec, start: str, end: str) -> list[str]:
    return [f"{o.start:%Y-%m-%d %H:%M}" for o in occurrences(spec, _utc(start), _utc(end))]


def test_weekly_london_window_across_both_uk_dst_changes() -> None:
    """Sunday 02:00 London is 02:00 UTC in winter and 01:00 UTC in summer."""
    spec = window(rrule="FREQ=WEEKLY;BYDAY=SU", start="02:00", timezone="Europe/London")
    assert _starts(spec, "2026-03-20", "2026-04-06") == ["2026-03-22 02:00", "2026-03-29 01:00", "2026-04-05 01:00"]
    assert _starts(spec, "2026-10-17", "2026-11-02") == ["2026-10-18 01:00", "2026-10-25 02:00", "2026-11-01 02:00"]


def test_new_york_starts_in_a_gap_and_a_fold_follow_rfc_5545() -> None:
    """02:30 on the spring-forward night is 03:30 EDT; 01:30 on the fall-back night is the first one (EDT)."""
    spring = window(rrule="FREQ=YEARLY;BYMONTH=3;BYDAY=2SU", start="02:30", timezone="America/New_York")
    assert _starts(spring, "2026-01-01", "2028-01-01") == ["2026-03-08 07:30", "2027-03-14 07:30"]
    autumn = window(rrule="FREQ=YEARLY;BYMONTH=11;BYDAY=1SU", start="01:30", timezone="America/New_York")
    assert _starts(autumn, "2026-01-01", "2027-01-01") == ["2026-11-01 05:30"]


def test_duration_is_real_time_across_a_dst_change() -> None:
    """A 2h window from 00:30 on the UK spring-forward night ends at 02:30 UTC, 03:30 BST on the wall."""
    spec = window(rrule="FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", start="00:30", timezone="Europe/London")
    assert occurrences(spec, _utc("2026-01-01"), _utc("2027-01-01")) == [
        Interval(_utc("2026-03-29 00:30"), _utc("2026-03-29 02:30"))
    ]


def test_monthly_first_sunday() -> None:
    """The example back-office window: first Sunday of the month, 06:00 New York."""
    spec = window(rrule="FREQ=MONTHLY;BYDAY=1SU", start="06:00", timezone="America/New_York", duration="3h")
    assert _starts(spec, "2026-11-26", "2027-03-01") == ["2026-12-06 11:00", "2027-01-03 11:00", "2027-02-07 11:00"]


def test_an_occurrence_overlapping_the_range_start_is_included() -> None:
    """Occurrences are those that overlap the range, also when they began before it."""
    spec = window(rrule="FREQ=DAILY", start="23:00", timezone="UTC")
    assert occurrences(spec, _utc("2026-11-27 00:30"), _utc("2026-11-27 12:00")) == [
        Interval(_utc("2026-11-26 23:00"), _utc("2026-11-27 01:00"))
    ]
    assert occurrences(spec, _utc("2026-11-27 01:00"), _utc("2026-11-27 12:00")) == []


def test_single_window() -> None:
    """A window `at` an instant is one interval, in range or not."""
    spec = window(at="2026-12-06T03:00:00-05:00", duration="1h")
    only = Interval(_utc("2026-12-06 08:00"), _utc("2026-12-06 09:00"))
    assert occurrences(spec, _utc("2026-12-01"), _utc("2027-01-01")) == [only]
    assert occurrences(spec, _utc("2026-12-06 09:00"), _utc("2027-01-01")) == []
    assert next_occurrences(spec, _utc("2026-11-26"), 3) == [only]
    assert next_occurrences(spec, _utc("2026-12-07"), 3) == []


def test_next_occurrences() -> None:
    """The next few occurrences from an instant, an occurrence starting exactly then included."""
    spec = window(rrule="FREQ=WEEKLY;BYDAY=SU", start="02:00", timezone="Europe/London")
    assert [f"{o.start:%m-%d %H:%M}" for o in next_occurrences(spec, _utc("2026-11-29 02:00"), 3)] == [
        "11-29 02:00",
        "12-06 02:00",
        "12-13 02:00",
    ]


def test_the_anchor_decides_rules_that_depend_on_it() -> None:
    """INTERVAL counts from Monday 2000-01-03, whatever range is asked; COUNT rules have long ended."""
    assert dt.date(2000, 1, 3) == ANCHOR
    fortnightly = window(rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", start="02:00", timezone="UTC")
    early = _starts(fortnightly, "2026-11-01", "2026-12-31")
    late = _starts(fortnightly, "2026-11-20", "2026-12-31")
    assert early == ["2026-11-02 02:00", "2026-11-16 02:00", "2026-11-30 02:00", "2026-12-14 02:00", "2026-12-28 02:00"]
    assert late == early[2:]
    # 2026-11-02 is 1400 weeks after the anchor, an even number.
    assert (dt.date(2026, 11, 2) - ANCHOR).days == 1400 * 7
    counted = window(rrule="FREQ=DAILY;COUNT=3", start="02:00", timezone="UTC")
    assert occurrences(counted, _utc("2026-01-01"), _utc("2027-01-01")) == []
    assert _starts(counted, "1999-12-31", "2000-02-01") == ["2000-01-03 02:00", "2000-01-04 02:00", "2000-01-05 02:00"]
    assert list(walk(counted, _utc("2026-01-01"))) == []


def test_monthly_rules_without_a_day_use_the_anchor_day() -> None:
    """`FREQ=MONTHLY` alone is the 3rd of every month."""
    spec = window(rrule="FREQ=MONTHLY", start="04:00", timezone="UTC")
    assert _starts(spec, "2026-11-01", "2027-01-31") == ["2026-11-03 04:00", "2026-12-03 04:00", "2027-01-03 04:00"]


def test_until_ends_the_rule() -> None:
    """UNTIL (in UTC, as RFC 5545 requires with a zone) stops the recurrence."""
    spec = window(rrule="RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20261215T000000Z", start="02:00", timezone="America/New_York")
    assert _starts(spec, "2026-11-26", "2027-12-31") == ["2026-11-30 07:00", "2026-12-07 07:00", "2026-12-14 07:00"]


@pytest.mark.parametrize(
    ("rrule", "message"),
    [
        ("FREQ=WEEKLY;BYDAY=XX", "is not a recurrence relpolicy can expand"),
        ("FREQ=WEEKLY;FOO=1", "is not a recurrence relpolicy can expand"),
        ("FREQ=WEEKLY;UNTIL=20270101T000000", "is not a recurrence relpolicy can expand"),
        ("FREQ=WEEKLY;INTERVAL=0", "INTERVAL must be a whole number from 1 to 1000"),
        ("FREQ=DAILY;COUNT=1000000", "COUNT must be a whole number from 1 to 1000"),
    ],
)
def test_recurrences_dateutil_refuses_are_errors(rrule: str, message: str) -> None:
    """A rule that passes the schema's shape but not RFC 5545 is a clear error, not a traceback.

    The model refuses it (RP103 at the rrule); expanding an unvalidated spec still raises.
    """
    with pytest.raises(ValidationError, match=message):
        window(rrule=rrule, start="02:00", timezone="America/New_York")
    unchecked = MaintenanceWindowSpec.model_construct(
        services=["db"], rrule=rrule, start="02:00", timezone="America/New_York", duration=dt.timedelta(hours=1)
    )
    with pytest.raises(RecurrenceError, match=message):
        occurrences(unchecked, _utc("2026-11-26"), _utc("2027-01-01"))


def test_too_frequent_windows_are_refused() -> None:
    """A window every few minutes is no maintenance window; an hourly one over years is too long to expand."""
    with pytest.raises(ValidationError, match="a maintenance window recurs at most hourly"):
        window(rrule="FREQ=MINUTELY;INTERVAL=5", start="00:00", timezone="UTC", duration="1m")
    hourly = window(rrule="FREQ=HOURLY", start="00:00", timezone="UTC", duration="1m")
    with pytest.raises(RecurrenceError, match="more than 10 occurrences in the range; too frequent"):
        occurrences(hourly, _utc("2026-11-26"), _utc("2026-11-27"), limit=10)
    with pytest.raises(RecurrenceError, match="needs more than 20000 steps to expand from 2026-11-23 to 2036-11-28"):
        occurrences(hourly, _utc("2026-11-26"), _utc("2036-11-26"))
    assert len(next_occurrences(hourly, _utc("2026-11-26"), 30_000)) == 30_000  # walked a year at a time


def test_sub_daily_steps_that_do_not_divide_a_day_stay_aligned() -> None:
    """Every 7 hours from the anchor: the alignment survives skipping ahead by whole weeks."""
    spec = window(rrule="FREQ=HOURLY;INTERVAL=7", start="00:00", timezone="UTC", duration="30m")
    first = occurrences(spec, _utc("2026-11-26"), _utc("2026-11-27"))
    hours_since_anchor = (first[0].start - dt.datetime.combine(ANCHOR, dt.time(), tzinfo=dt.UTC)).total_seconds() / 3600
    assert hours_since_anchor % 7 == 0
    assert [o.start.hour for o in first] == [(first[0].start.hour + 7 * i) % 24 for i in range(len(first))]


def _service(name: str, labels: dict[str, str]) -> Service:
    return Service.model_validate(
        {
            "apiVersion": "relpolicy.dev/v1",
            "kind": "Service",
            "metadata": {"name": name, "labels": labels},
            "spec": {"description": "A service.", "tier": 2},
        }
    )


def test_targets_by_name_selector_or_everyone() -> None:
    """Windows and freezes resolve to services; a freeze with neither covers every service."""
    policy = PolicySet()
    for service in (_service("api", {"domain": "commerce"}), _service("db", {"domain": "platform"})):
        policy.resources[ResourceId("Service", service.name)] = service
    spec = window(selector={"matchLabels": {"domain": "commerce"}}, rrule="FREQ=DAILY", start="01:00", timezone="UTC")
    assert [s.name for s in targeted_services(policy, spec.services, spec.selector)] == ["api"]
    assert [s.name for s in targeted_services(policy, ["db", "gone"], None)] == ["db"]
    assert targeted_services(policy, None, None) == []
    assert [s.name for s in targeted_services(policy, None, None, everyone=True)] == ["api", "db"]


def test_interval_helpers() -> None:
    """Union joins overlapping and touching intervals; coverage and 'outside' read sorted unions."""
    a = Interval(_utc("2026-11-26 01:00"), _utc("2026-11-26 03:00"))
    b = Interval(_utc("2026-11-26 02:00"), _utc("2026-11-26 04:00"))
    c = Interval(_utc("2026-11-26 04:00"), _utc("2026-11-26 05:00"))
    d = Interval(_utc("2026-11-26 07:00"), _utc("2026-11-26 08:00"))
    merged = union([d, c, b, a, Interval(a.start, a.start)])
    assert merged == [Interval(a.start, c.end), d]
    assert covered(merged, _utc("2026-11-26 00:00"), _utc("2026-11-26 07:30")) == dt.timedelta(hours=4, minutes=30)
    assert outside([a, d, Interval(_utc("2026-11-26 05:00"), _utc("2026-11-26 06:00"))], [b]) == [
        Interval(_utc("2026-11-26 05:00"), _utc("2026-11-26 06:00")),
        d,
    ]
    assert a.overlaps(b)
    assert not c.overlaps(d)
    assert a.contains(a.start)
    assert not a.contains(a.end)
    assert a.clip(c.start, c.end) is None
