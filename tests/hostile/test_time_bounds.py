"""Time bounds: recurrences that never occur, and numeric options, end quickly in a finding or a usage error.

Before the bounds, ``FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30`` made ``check`` take 17 s and
``render runbooks`` 8 minutes, any rule with no occurrence cost ~11 s, and ``graph --depth``
with a huge number ran past a minute.
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError
from tests.hostile._trees import SIBLING_FINDING, TIME_LIMIT, recurring, run_check, run_cli, write_tree

from relpolicy.chrono.wallclock import event_instant
from relpolicy.chrono.windows import next_occurrences, occurrences
from relpolicy.model.maintenance import MaintenanceWindowSpec
from relpolicy.timebase import recurrence as rrules
from relpolicy.timebase.recurrence import ANCHOR, MAX_STEPS, PROBE_STEPS, Recurrence, RecurrenceError

NEVER = "FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30"
"""The issue's example: February 30th, every second of it."""


def _spec(rrule: str, start: str = "02:00", zone: str = "Europe/London") -> MaintenanceWindowSpec:
    return MaintenanceWindowSpec.model_validate(
        {"services": ["x"], "rrule": rrule, "start": start, "timezone": zone, "duration": "2h"}
    )


def _utc(day: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(), tzinfo=dt.UTC)


def test_the_issue_example_is_a_located_finding(tmp_path: Path) -> None:
    """A window every second of February 30th is RP103 at its rrule, at once, and the sibling is still checked."""
    checked = run_check(tmp_path, recurring(NEVER))
    assert (
        "bad.yaml",
        6,
        10,
        "RP103",
        "`FREQ=SECONDLY` recurs every second: a maintenance window recurs at most hourly "
        "(FREQ=HOURLY, DAILY, WEEKLY, MONTHLY or YEARLY)",
    ) in checked.found
    assert SIBLING_FINDING in checked.found
    assert checked.seconds < TIME_LIMIT


@pytest.mark.parametrize(
    "rrule",
    [
        "FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=30",
        "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
        "FREQ=DAILY;BYMONTH=4;BYMONTHDAY=31",
        "FREQ=WEEKLY;BYMONTH=2;BYMONTHDAY=30;BYDAY=MO",
        "FREQ=MONTHLY;BYMONTH=6;BYMONTHDAY=31",
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
        "FREQ=DAILY;BYSETPOS=2",
        "FREQ=HOURLY;BYSETPOS=3;BYHOUR=5",
        "FREQ=YEARLY;BYWEEKNO=53;BYMONTH=6",
        "FREQ=DAILY;BYYEARDAY=366;BYMONTH=1",
    ],
)
def test_rules_that_never_occur_are_located_findings(rrule: str, tmp_path: Path) -> None:
    """Every impossible combination is found by the bounded probe from the anchor, whichever FREQ walks it."""
    checked = run_check(tmp_path, recurring(rrule))
    period = {"HOURLY": "hour", "DAILY": "day", "WEEKLY": "week", "MONTHLY": "month", "YEARLY": "year"}
    unit = period[rrule.split(";", maxsplit=1)[0].removeprefix("FREQ=")]
    message = (
        f"`{rrule}` does not give an occurrence within {PROBE_STEPS} periods of one {unit} from 2000-01-03: "
        "it never occurs, or too rarely for a maintenance window"
    )
    if unit == "year":  # the 8000 years to dateutil's end are fewer periods than the budget
        message = f"`{rrule}` never occurs (counting from 2000-01-03)"
    assert ("bad.yaml", 6, 10, "RP103", message) in checked.found
    assert SIBLING_FINDING in checked.found
    assert checked.seconds < TIME_LIMIT


def test_a_rule_that_ended_before_the_anchor_never_occurs(tmp_path: Path) -> None:
    """An UNTIL before 2000-01-03 leaves no occurrence at all."""
    rrule = "FREQ=DAILY;UNTIL=19991231T000000Z"
    checked = run_check(tmp_path, recurring(rrule))
    assert ("bad.yaml", 6, 10, "RP103", f"`{rrule}` never occurs (counting from 2000-01-03)") in checked.found
    assert SIBLING_FINDING in checked.found


def test_count_and_until_together_are_refused(tmp_path: Path) -> None:
    """RFC 5545 forbids both (dateutil only warns, and would make the run print a warning)."""
    rrule = "FREQ=DAILY;COUNT=3;UNTIL=20300101T000000Z"
    checked = run_check(tmp_path, recurring(rrule))
    assert ("bad.yaml", 6, 10, "RP103", f"`{rrule}`: give COUNT or UNTIL, not both (RFC 5545)") in checked.found


@pytest.mark.parametrize(
    ("rrule", "complaint"),
    [
        ("FREQ=HOURLY;BYHOUR=25", "BYHOUR takes numbers in 0..23, not `25`"),
        ("FREQ=DAILY;BYMINUTE=0,60", "BYMINUTE takes numbers in 0..59, not `60`"),
        ("FREQ=MONTHLY;BYMONTHDAY=0", "BYMONTHDAY takes numbers in -31..-1 or 1..31, not `0`"),
        ("FREQ=YEARLY;BYMONTH=13", "BYMONTH takes numbers in 1..12, not `13`"),
        ("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=99999999999999999999", "BYSETPOS takes numbers in -366..-1 or 1..366"),
        ("FREQ=YEARLY;BYWEEKNO=x", "BYWEEKNO takes numbers in -53..-1 or 1..53, not `x`"),
    ],
)
def test_by_parts_out_of_their_rfc_range_are_refused(rrule: str, complaint: str, tmp_path: Path) -> None:
    """dateutil accepts ``BYHOUR=25`` and then fails inside its walk (a fuzz find): RP103 names the part and range."""
    checked = run_check(tmp_path, recurring(rrule))
    found = [f for f in checked.found if f[:4] == ("bad.yaml", 6, 10, "RP103")]
    assert len(found) == 1
    assert found[0][4].startswith(f"`{rrule}`: {complaint}")
    assert SIBLING_FINDING in checked.found


def test_a_count_too_sparse_to_reach_is_a_finding(tmp_path: Path) -> None:
    """1000 Friday-the-13ths take ~1700 years: the probe stops at its budget."""
    rrule = "FREQ=DAILY;COUNT=1000;BYDAY=FR;BYMONTHDAY=13"
    checked = run_check(tmp_path, recurring(rrule))
    message = (
        f"`{rrule}` does not give its 1000 occurrences within {PROBE_STEPS} periods of one day from 2000-01-03: "
        "it never occurs, or too rarely for a maintenance window"
    )
    assert ("bad.yaml", 6, 10, "RP103", message) in checked.found
    assert checked.seconds < TIME_LIMIT


def test_check_cli_reports_the_never_occurring_window(tmp_path: Path) -> None:
    """The real console script: exit 1, the finding at its place, the sibling reported, no internal error."""
    write_tree(tmp_path, recurring("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"))
    ran = run_cli("check", "policies", "--as-of", "2026-11-26", cwd=tmp_path)
    assert ran.code == 1
    assert "policies/bad.yaml:6:10  RP103  error  `FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30` does not give" in ran.out
    assert "policies/sibling.yaml:6:3  RP103" in ran.out
    assert "internal error" not in ran.out + ran.err
    assert ran.seconds < TIME_LIMIT


def test_render_runbooks_with_a_never_occurring_window_is_quick(tmp_path: Path) -> None:
    """`render runbooks --as-of` (next occurrences) skips the refused window instead of walking 8000 years."""
    write_tree(tmp_path, recurring(NEVER))
    ran = run_cli("render", "runbooks", "policies", "--as-of", "2026-11-26", "--out", "out", cwd=tmp_path)
    assert ran.code == 0
    assert ran.err.splitlines()[0] == (
        "relpolicy: warning: 2 problem(s) reading the policy files; what they describe is left out "
        "(run `relpolicy check`)"
    )
    assert "internal error" not in ran.err
    assert (tmp_path / "out").is_dir()
    assert ran.seconds < TIME_LIMIT


def test_a_rare_but_real_window_is_expanded_within_the_bounds(tmp_path: Path) -> None:
    """February 29th on a Monday (2016, 2044) is valid: no occurrence in this year's horizon; the next is in 2044."""
    checked = run_check(tmp_path, recurring("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO"))
    assert {f for f in checked.found if f[0] == "bad.yaml"} == set()
    assert checked.seconds < TIME_LIMIT
    spec = _spec("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO")
    assert [o.start for o in next_occurrences(spec, _utc("2026-11-26"), 1)] == [
        _utc("2044-02-29") + dt.timedelta(hours=2)
    ]
    assert occurrences(spec, _utc("2026-11-26"), _utc("2027-11-26")) == []


def test_graph_depth_is_bounded(tmp_path: Path) -> None:
    """An absurd `graph --depth` is a usage error (exit 2) naming the range, not a minute-long walk."""
    write_tree(tmp_path, recurring("FREQ=WEEKLY;BYDAY=SU"))
    ran = run_cli("graph", "policies", "--service", "x", "--depth", "9" * 30, cwd=tmp_path)
    assert (ran.code, ran.out) == (2, "")
    assert ran.err.splitlines()[-1] == (
        f"relpolicy graph: error: argument --depth: not a depth: '{'9' * 30}' (expected a whole number from 0 to 1000)"
    )
    assert ran.seconds < TIME_LIMIT
    ran = run_cli("graph", "policies", "--service", "x", "--depth", "1000", cwd=tmp_path)
    assert ran.code == 0
    assert ran.seconds < TIME_LIMIT


# --- The bounded expansion itself --------------------------------------------------------------


def test_the_meter_counts_dateutil_periods() -> None:
    """dateutil's walk goes through the meter (a dateutil release that changed its walk would fail here)."""
    spec = _spec("FREQ=DAILY;BYDAY=MO")
    recurrence = Recurrence.of(spec)
    rule = recurrence.rule(ANCHOR, budget=10)
    found = list(rrules._walk(rule, rule._dtstart))
    assert rule.steps == 11  # the eleventh period raised
    assert len(found) == 2  # Mondays 2000-01-03 and 2000-01-10 in the first ten days


_FREQUENCIES = ("HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY")
_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@st.composite
def _rrules(draw: st.DrawFn) -> str:
    """RRULE strings: any mix of the parts dateutil reads, in and out of their ranges."""
    parts = [f"FREQ={draw(st.sampled_from(_FREQUENCIES))}"]
    options = {
        "INTERVAL": st.integers(0, 1200).map(str),
        "COUNT": st.integers(0, 1200).map(str),
        "BYMONTH": st.lists(st.integers(1, 12), min_size=1, max_size=3).map(lambda v: ",".join(map(str, v))),
        "BYMONTHDAY": st.lists(st.integers(-31, 31).filter(bool), min_size=1, max_size=3).map(
            lambda v: ",".join(map(str, v))
        ),
        "BYDAY": st.lists(
            st.tuples(st.sampled_from(("", "1", "2", "-1", "5")), st.sampled_from(_DAYS)), min_size=1, max_size=3
        ).map(lambda v: ",".join(n + d for n, d in v)),
        "BYSETPOS": st.integers(-5, 5).filter(bool).map(str),
        "BYHOUR": st.lists(st.integers(0, 23), min_size=1, max_size=2).map(lambda v: ",".join(map(str, v))),
        "BYYEARDAY": st.integers(-366, 366).filter(bool).map(str),
        "BYWEEKNO": st.integers(-53, 53).filter(bool).map(str),
        "UNTIL": st.dates(dt.date(1995, 1, 1), dt.date(2040, 1, 1)).map(lambda d: f"{d:%Y%m%d}T000000Z"),
    }
    for name in draw(st.lists(st.sampled_from(sorted(options)), unique=True, max_size=4)):
        if not (name == "UNTIL" and any(p.startswith("COUNT") for p in parts)):
            parts.append(f"{name}={draw(options[name])}")
    return ";".join(parts)


@given(
    rrule=_rrules(),
    offset=st.integers(0, 1500),
    days=st.integers(1, 400),
    start=st.sampled_from(("00:00", "02:30", "23:45")),
)
def test_every_expansion_stays_within_its_budget(rrule: str, offset: int, days: int, start: str) -> None:
    """For any rule: the probe walks at most PROBE_STEPS periods, each expansion at most MAX_STEPS, and the
    expansion, stopped where it may stop, finds exactly what an unbounded walk from the anchor finds."""
    rules: list[rrules._MeteredRule] = []  # every walk made, probe and expansions
    make = rrules._MeteredRule.__init__

    def counted(self: rrules._MeteredRule, *args: object, **kwargs: object) -> None:
        make(self, *args, **kwargs)  # type: ignore[arg-type]
        rules.append(self)

    with mock.patch.object(rrules._MeteredRule, "__init__", counted):
        try:
            spec = _spec(rrule, start, "America/New_York")
        except ValidationError:
            assert all(r.steps <= r.budget + 1 for r in rules)
            assert all(r.budget <= PROBE_STEPS for r in rules)
            return
        begin = dt.datetime.combine(ANCHOR, dt.time(), tzinfo=dt.UTC) + dt.timedelta(days=offset)
        end = begin + dt.timedelta(days=days)
        try:
            bounded = occurrences(spec, begin, end)
        except RecurrenceError:
            bounded = None
    assert all(r.steps <= r.budget + 1 and r.budget <= max(PROBE_STEPS, MAX_STEPS) for r in rules)
    if bounded is None:
        return
    recurrence = Recurrence.of(spec)
    reference = recurrence.rule(ANCHOR, budget=2_000_000)  # far more than any expansion here needs
    limit = end.astimezone(recurrence.zone).replace(tzinfo=None) + dt.timedelta(days=2)
    starts = itertools.takewhile(lambda o: o.replace(tzinfo=None) < limit, rrules._walk(reference, reference._dtstart))
    expected = [
        (s, s + spec.duration)
        for s in (event_instant(o.replace(tzinfo=None), recurrence.zone) for o in starts)
        if s < end and s + spec.duration > begin
    ]
    assert [(o.start, o.end) for o in bounded] == sorted(expected)
