"""``relpolicy export alertmanager``: maintenance windows as time intervals that mute pages, exactly.

The mute logic is checked against relpolicy's own expansion of the windows (``chrono.windows``):
:func:`muted` reads a time interval as Alertmanager's documentation defines it, and at every
instant sampled, and just inside and outside every occurrence, the configuration mutes exactly
when a window is on.
"""

from __future__ import annotations

import calendar
import datetime as dt
import subprocess
import zoneinfo
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from tests.export.conftest import GOLDEN, required

from relpolicy.chrono.intervals import Interval
from relpolicy.chrono.wallclock import UTC
from relpolicy.chrono.windows import occurrences
from relpolicy.export.alertmanager import (
    MONTHS,
    WEEKDAYS,
    Inexpressible,
    recurring_entries,
    span_entries,
)
from relpolicy.model.maintenance import MaintenanceWindowSpec

Export = Callable[..., tuple[int, str, str]]
AS_OF = "2026-11-26"


# -- Alertmanager's reading of a time interval (from its documentation) -----------------------------------


def _ranges(items: list[str], names: tuple[str, ...] | None = None) -> Iterator[tuple[int, int]]:
    for item in items:
        low, _, high = str(item).partition(":")
        read = (lambda v: names.index(v) + 1) if names else int
        yield read(low), read(high or low)


def _in(value: int, items: list[str] | None, names: tuple[str, ...] | None = None) -> bool:
    return items is None or any(low <= value <= high for low, high in _ranges(items, names))


def _day_of_month_matches(local: dt.datetime, items: list[str] | None) -> bool:
    if items is None:
        return True
    last = calendar.monthrange(local.year, local.month)[1]
    for written_low, written_high in _ranges(items):
        low = last + written_low + 1 if written_low < 0 else written_low
        high = last + written_high + 1 if written_high < 0 else written_high
        if low <= local.day <= high:
            return True
    return False


def _matches(entry: dict[str, Any], instant: dt.datetime) -> bool:
    local = instant.astimezone(zoneinfo.ZoneInfo(entry.get("location", "UTC")))
    minute = local.hour * 60 + local.minute
    times = entry.get("times")
    if times is not None and not any(_minutes(t["start_time"]) <= minute < _minutes(t["end_time"]) for t in times):
        return False
    return (
        _in(local.weekday() + 1, entry.get("weekdays"), WEEKDAYS)
        and _day_of_month_matches(local, entry.get("days_of_month"))
        and _in(local.month, entry.get("months"), MONTHS)
        and _in(local.year, entry.get("years"))
    )


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def muted(interval: list[dict[str, Any]], instant: dt.datetime) -> bool:
    """Does a named time interval (a list of entries, any of which may match) cover ``instant``?"""
    return any(_matches(entry, instant) for entry in interval)


def _instants(occurring: list[Interval], start: dt.datetime, end: dt.datetime) -> Iterator[dt.datetime]:
    """Every 20 minutes, and a minute either side of every occurrence's start and end."""
    instant = start
    while instant < end:
        yield instant
        instant += dt.timedelta(minutes=20)
    for occurrence in occurring:
        for edge in (occurrence.start, occurrence.end):
            yield from (edge - dt.timedelta(minutes=1), edge, edge + dt.timedelta(minutes=1))


def _assert_same(
    entries: list[dict[str, Any]], occurring: list[Interval], start: dt.datetime, end: dt.datetime
) -> None:
    """Muted exactly when an occurrence is on, at every instant checked in ``[start, end)``.

    ``occurring`` must hold every occurrence that overlaps the range (and may hold more).
    """
    for instant in _instants(occurring, start, end):
        if not start <= instant < end:
            continue
        on = any(o.start <= instant < o.end for o in occurring)
        assert muted(entries, instant) == on, instant


# -- the example policies -----------------------------------------------------------------------------------


def test_export_of_the_example_policies(export: Export, golden: Callable[[str, str], None]) -> None:
    """Windows and freezes of the example organisation, as one configuration, byte for byte."""
    code, out, err = export("alertmanager", "policies", "--freezes", "--as-of", AS_OF)
    assert (code, err) == (0, "")
    golden("policies.alertmanager.yaml", out)


def test_amtool_accepts_the_configuration(tmp_path: Path) -> None:
    """Alertmanager's own checker loads the golden configuration."""
    amtool = required("amtool", "checking the exported Alertmanager configuration")
    done = subprocess.run(
        [amtool, "check-config", str(GOLDEN / "policies.alertmanager.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS" in done.stdout


def test_orders_db_pages_are_muted_exactly_during_its_windows() -> None:
    """orders-db's route mutes its pages in the weekly window, and only then, over the winter (two DST changes)."""
    config = yaml.safe_load((GOLDEN / "policies.alertmanager.yaml").read_text(encoding="utf-8"))
    (route,) = (r for r in config["route"]["routes"] if r["matchers"][0] == 'sloth_service="orders-db"')
    assert route["matchers"] == ['sloth_service="orders-db"', 'sloth_severity="page"']
    intervals = {t["name"]: t["time_intervals"] for t in config["time_intervals"]}
    (name,) = route["mute_time_intervals"]
    from relpolicy.render.load import load_policy

    policy = load_policy([Path("policies")]).policy if Path("policies").is_dir() else None
    assert policy is not None
    window = next(w for w in policy.maintenance_windows if w.name == "orders-db-weekly")
    start, end = dt.datetime(2026, 10, 1, tzinfo=UTC), dt.datetime(2027, 4, 30, tzinfo=UTC)
    _assert_same(intervals[name], occurrences(window.spec, start, end), start, end)


def test_every_exported_interval_mutes_exactly_when_its_window_or_freeze_is_on() -> None:
    """Each interval of the golden configuration against relpolicy's expansion, over 14 months."""
    from relpolicy.render.load import load_policy

    policy = load_policy([Path("policies")]).policy
    config = yaml.safe_load((GOLDEN / "policies.alertmanager.yaml").read_text(encoding="utf-8"))
    start, end = dt.datetime(2026, 11, 1, tzinfo=UTC), dt.datetime(2028, 1, 1, tzinfo=UTC)
    for interval in config["time_intervals"]:
        kind, _, name = interval["name"].partition("-")
        if kind == "maintenance":
            window = next(w for w in policy.maintenance_windows if w.name == name)
            occurring = occurrences(window.spec, start, end)
        else:
            freeze = next(f for f in policy.change_freezes if f.name == name)
            occurring = [Interval(freeze.spec.start.astimezone(UTC), freeze.spec.end.astimezone(UTC))]
        assert occurring, name
        _assert_same(interval["time_intervals"], occurring, start, end)


# -- recurrences, one by one --------------------------------------------------------------------------------


def _spec(rrule: str, start: str = "02:00", zone: str = "Europe/London", duration: str = "2h") -> MaintenanceWindowSpec:
    return MaintenanceWindowSpec.model_validate(
        {"services": ["db"], "rrule": rrule, "start": start, "timezone": zone, "duration": duration}
    )


CHECK_FROM = dt.datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("rrule", "start", "zone", "duration"),
    [
        ("FREQ=WEEKLY;BYDAY=SA,SU", "22:30", "America/New_York", "2h"),
        ("FREQ=MONTHLY;BYDAY=-1FR", "20:00", "UTC", "4h"),
        ("FREQ=MONTHLY;BYDAY=2TU,4TU", "09:00", "Europe/Paris", "90m"),
        ("FREQ=MONTHLY;BYDAY=5SA,-5SU", "10:00", "UTC", "1h"),
        ("FREQ=MONTHLY;BYMONTHDAY=1,15", "03:00", "Asia/Tokyo", "1h"),
        ("FREQ=MONTHLY;BYMONTHDAY=-1", "12:00", "UTC", "2h"),
        ("FREQ=YEARLY;BYMONTH=11;BYDAY=4TH", "10:00", "America/Chicago", "4h"),
        ("FREQ=DAILY;BYMONTH=7,8", "04:00", "Europe/London", "30m"),
        ("FREQ=DAILY", "23:00", "UTC", "26h"),
        ("FREQ=WEEKLY", "05:00", "UTC", "1h"),
        ("FREQ=MONTHLY", "05:00", "UTC", "1h"),
        ("FREQ=YEARLY", "05:00", "UTC", "1h"),
    ],
)
def test_expressible_recurrences_mute_exactly_their_occurrences(
    rrule: str, start: str, zone: str, duration: str
) -> None:
    """Weekdays, numbered weekdays, month days (from either end), months, across midnight, anchor defaults."""
    spec = _spec(rrule, start, zone, duration)
    entries = [e.as_yaml() for e in recurring_entries(spec, CHECK_FROM)]
    begin, end = dt.datetime(2026, 1, 1, tzinfo=UTC), dt.datetime(2027, 1, 10, tzinfo=UTC)
    _assert_same(entries, occurrences(spec, begin - dt.timedelta(days=3), end), begin, end)


NONE = "has no Alertmanager equivalent"
YEAR_ORDINAL = "a numbered weekday (like 1SU) counts within the year here; Alertmanager counts within months"
LATE = "an occurrence that may start late in a month runs past midnight into the next one"
DST = (
    "the occurrence of 2026-03-29 crosses a daylight-saving change in Europe/London, where Alertmanager's clock "
    "ranges would be an hour off"
)
SKIPPED = (
    "the occurrence of 2026-03-29 starts at 02:30, not 01:30: a daylight-saving change in Europe/London skips that time"
)


@pytest.mark.parametrize(
    ("rrule", "start", "zone", "duration", "reason"),
    [
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=SU", "02:00", "UTC", "2h", f"INTERVAL=2 (every n-th period) {NONE}"),
        ("FREQ=WEEKLY;BYDAY=SU;COUNT=5", "02:00", "UTC", "2h", f"COUNT {NONE}"),
        ("FREQ=MONTHLY;BYDAY=SU;BYSETPOS=2", "02:00", "UTC", "2h", f"BYSETPOS {NONE}"),
        ("FREQ=HOURLY", "02:00", "UTC", "10m", f"an hourly recurrence {NONE}"),
        ("FREQ=YEARLY;BYDAY=2MO", "02:00", "UTC", "1h", YEAR_ORDINAL),
        ("FREQ=MONTHLY;BYDAY=-1SU", "23:00", "UTC", "2h", LATE),
        ("FREQ=MONTHLY;BYMONTHDAY=30", "22:00", "UTC", "3h", LATE),
        ("FREQ=DAILY;BYMONTH=12", "23:00", "UTC", "2h", "an occurrence runs past midnight, maybe into another month"),
        ("FREQ=WEEKLY;BYDAY=SU", "00:30", "Europe/London", "2h", DST),
        ("FREQ=DAILY", "01:30", "Europe/London", "15m", SKIPPED),
    ],
)  # fmt: skip
def test_inexpressible_recurrences_are_refused_with_the_reason(
    rrule: str, start: str, zone: str, duration: str, reason: str
) -> None:
    """Never approximated: every-other-week, counts, set positions, month ends after midnight, DST changes."""
    with pytest.raises(Inexpressible) as refused:
        recurring_entries(_spec(rrule, start, zone, duration), CHECK_FROM)
    assert str(refused.value) == reason


def test_a_refused_window_is_a_located_error_and_left_out(export: Export, tmp_path: Path) -> None:
    """One file:line:col line on stderr, exit 1, and no interval or route for that window."""
    root = tmp_path / "policies"
    root.mkdir()
    (root / "w.yaml").write_text(
        "apiVersion: relpolicy.dev/v1\nkind: Service\nmetadata: {name: db}\n"
        "spec: {description: Database., tier: 3}\n---\n"
        "apiVersion: relpolicy.dev/v1\nkind: MaintenanceWindow\nmetadata: {name: fortnightly}\n"
        "spec:\n  services: [db]\n  rrule: FREQ=WEEKLY;INTERVAL=2;BYDAY=SU\n  start: '02:00'\n"
        "  timezone: UTC\n  duration: 2h\n",
        encoding="utf-8",
    )
    code, out, err = export("alertmanager", str(root), "--as-of", AS_OF)
    assert code == 1
    assert err == (
        f"{root / 'w.yaml'}:11:10: error: maintenance window `fortnightly` (`FREQ=WEEKLY;INTERVAL=2;BYDAY=SU` at "
        "02:00 UTC) cannot be written exactly as Alertmanager time intervals: INTERVAL=2 (every n-th period) has "
        "no Alertmanager equivalent; left out\n"
    )
    assert yaml.safe_load(out)["time_intervals"] == []
    assert yaml.safe_load(out)["route"]["routes"] == []


# -- properties -----------------------------------------------------------------------------------------------

_DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


@st.composite
def _rules(draw: st.DrawFn) -> str:
    frequency = draw(st.sampled_from(["DAILY", "WEEKLY", "MONTHLY", "YEARLY"]))
    parts = [f"FREQ={frequency}"]
    if frequency in ("MONTHLY", "YEARLY") and draw(st.booleans()):
        ordinal = draw(st.sampled_from([1, 2, 3, 4, -1, -2]))
        parts.append(f"BYDAY={ordinal}{draw(st.sampled_from(_DAYS))}")
        if frequency == "YEARLY":
            parts.append(f"BYMONTH={draw(st.integers(1, 12))}")
    elif draw(st.booleans()):
        days = draw(st.lists(st.sampled_from(_DAYS), min_size=1, max_size=3, unique=True))
        parts.append("BYDAY=" + ",".join(days))
    elif frequency != "WEEKLY" and draw(st.booleans()):
        parts.append(f"BYMONTHDAY={draw(st.sampled_from([1, 2, 13, 28, 30, 31, -1, -3]))}")
    if frequency != "YEARLY" and draw(st.booleans()):
        parts.append(f"BYMONTH={draw(st.integers(1, 12))}")
    return ";".join(parts)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rrule=_rules(),
    start=st.sampled_from(["00:00", "01:30", "02:00", "06:00", "22:45", "23:30"]),
    zone=st.sampled_from(["UTC", "Europe/London", "America/New_York", "Australia/Sydney"]),
    minutes=st.sampled_from([15, 60, 150, 180, 24 * 60, 25 * 60]),
)
def test_whatever_is_exported_mutes_exactly_the_occurrences(rrule: str, start: str, zone: str, minutes: int) -> None:
    """For any rule: refused with a reason, or muted at exactly the instants relpolicy's expansion gives."""
    try:
        spec = _spec(rrule, start, zone, f"{minutes}m")
    except ValidationError:  # a rule that never occurs (BYMONTH=2;BYMONTHDAY=30) is not a window
        assume(False)
    try:
        entries = [e.as_yaml() for e in recurring_entries(spec, CHECK_FROM)]
    except Inexpressible as reason:
        refused = str(reason)
        assert refused, rrule
        return
    begin, end = dt.datetime(2026, 1, 1, tzinfo=UTC), dt.datetime(2027, 1, 1, tzinfo=UTC)
    _assert_same(entries, occurrences(spec, begin - dt.timedelta(days=3), end), begin, end)


@given(
    start=st.datetimes(dt.datetime(2026, 1, 1), dt.datetime(2027, 12, 31), timezones=st.just(UTC)),  # noqa: DTZ001
    minutes=st.integers(1, 60 * 24 * 70),
)
def test_one_off_spans_mute_exactly_their_instants(start: dt.datetime, minutes: int) -> None:
    """A one-off window or a freeze, across days and months: muted from its start (included) to its end (excluded)."""
    start = start.replace(second=0, microsecond=0)
    end = start + dt.timedelta(minutes=minutes)
    entries = [e.as_yaml() for e in span_entries(start, end)]
    window = [Interval(start, end)]
    margin = dt.timedelta(days=1)
    for instant in _instants(window, start - margin, min(end + margin, start + dt.timedelta(days=3))):
        assert muted(entries, instant) == (start <= instant < end), instant
    for instant in (end - dt.timedelta(minutes=1), end, start + (end - start) / 2):
        assert muted(entries, instant.replace(second=0, microsecond=0)) == (
            start <= instant.replace(second=0, microsecond=0) < end
        )
