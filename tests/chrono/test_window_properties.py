"""Properties of window expansion: sorted, disjoint, inside the range, and equal to a plain walk from the anchor."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.chrono.strategies import ZONES

from relpolicy.chrono.intervals import Interval
from relpolicy.chrono.wallclock import event_instant
from relpolicy.chrono.windows import next_occurrences, occurrences
from relpolicy.model.maintenance import MaintenanceWindowSpec
from relpolicy.timebase.recurrence import ANCHOR

DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@st.composite
def rules(draw: st.DrawFn) -> str:
    """Recurrences a maintenance window may use, daily or rarer, some with INTERVAL or BYSETPOS."""
    frequency = draw(st.sampled_from(("DAILY", "WEEKLY", "MONTHLY", "YEARLY")))
    parts = [f"FREQ={frequency}"]
    if draw(st.booleans()):
        parts.append(f"INTERVAL={draw(st.integers(2, 5))}")
    days = draw(st.lists(st.sampled_from(DAYS), min_size=1, max_size=3, unique=True))
    if frequency == "WEEKLY":
        parts.append("BYDAY=" + ",".join(days))
    elif frequency == "MONTHLY":
        parts.append(draw(st.sampled_from([f"BYDAY=1{days[0]}", f"BYDAY=-1{days[0]}", "BYMONTHDAY=15"])))
    elif frequency == "YEARLY":
        parts.append(f"BYMONTH={draw(st.integers(1, 12))};BYDAY=2{days[0]}")
    return ";".join(parts)


@st.composite
def windows(draw: st.DrawFn) -> MaintenanceWindowSpec:
    """A recurring window lasting under half a day, in any test zone, starting at any quarter hour."""
    minutes = draw(st.integers(0, 95)) * 15
    return MaintenanceWindowSpec.model_validate(
        {
            "services": ["db"],
            "rrule": draw(rules()),
            "start": f"{minutes // 60:02d}:{minutes % 60:02d}",
            "timezone": draw(st.sampled_from(ZONES)),
            "duration": f"{draw(st.integers(1, 48)) * 15}m",
        }
    )


ranges = st.tuples(st.integers(0, 3 * 365 * 24), st.integers(1, 400 * 24)).map(
    lambda pair: (EPOCH + dt.timedelta(hours=pair[0]), EPOCH + dt.timedelta(hours=pair[0] + pair[1]))
)


@settings(deadline=None)
@given(windows(), ranges)
def test_occurrences_are_sorted_disjoint_and_in_range(
    spec: MaintenanceWindowSpec, span: tuple[dt.datetime, dt.datetime]
) -> None:
    """One window's occurrences are sorted, never overlap each other, and all touch the asked range."""
    start, end = span
    found = occurrences(spec, start, end)
    assert found == sorted(found)
    assert all(a.end <= b.start for a, b in itertools.pairwise(found))
    assert all(o.overlaps(Interval(start, end)) for o in found)
    assert all(o.length == spec.duration for o in found)


@settings(deadline=None)
@given(windows(), ranges)
def test_expansion_matches_a_plain_walk_from_the_anchor(
    spec: MaintenanceWindowSpec, span: tuple[dt.datetime, dt.datetime]
) -> None:
    """Skipping ahead by whole periods changes nothing: dateutil walked from the anchor gives the same occurrences."""
    assert spec.rrule is not None
    assert spec.start is not None
    assert spec.timezone is not None
    start, end = span
    zone = ZoneInfo(spec.timezone)
    dtstart = dt.datetime.combine(ANCHOR, dt.time.fromisoformat(spec.start), tzinfo=zone)
    plain = []
    for local in rrulestr(spec.rrule, dtstart=dtstart):
        begin = event_instant(local.replace(tzinfo=None), zone)
        if begin >= end:
            break
        if begin + spec.duration > start:
            plain.append(Interval(begin, begin + spec.duration))
    assert occurrences(spec, start, end) == plain


@settings(deadline=None)
@given(windows(), ranges, st.integers(1, 5))
def test_next_occurrences_agree_with_the_range(
    spec: MaintenanceWindowSpec, span: tuple[dt.datetime, dt.datetime], count: int
) -> None:
    """The next occurrences after an instant are the first ones of any long enough range from there."""
    start, _ = span
    following = next_occurrences(spec, start, count)
    assert len(following) == count
    assert following == [o for o in occurrences(spec, start, following[-1].end) if o.start >= start][:count]
