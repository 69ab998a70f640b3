"""The iCalendar export, checked against independent readers of RFC 5545.

The differential test parses the exported file with the ``icalendar`` library and expands it
with ``recurring-ical-events`` over 24 months from a fixed date: every occurrence must equal
relpolicy's own expansion (``relpolicy.chrono.windows.occurrences``), as UTC instants, across the
DST changes of New York and London (windows that start in the spring gap, in the autumn fold,
and that last across a change). The ``VTIMEZONE`` components are read back by ``icalendar`` into
time zones whose offsets must equal the zone database's at every hour of the years exported.

After an intended change of output, rewrite the golden file with
``RELPOLICY_UPDATE_GOLDEN=1 pytest tests/export/test_ics.py`` and review the diff.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, cast

import icalendar
import pytest
import recurring_ical_events
from hypothesis import given
from hypothesis import strategies as st
from tests._golden import assert_golden
from tests.conftest import REPO

from relpolicy.chrono.wallclock import UTC, event_instant, zone_named
from relpolicy.chrono.windows import occurrences
from relpolicy.cli import main
from relpolicy.export.ics import (
    DEFAULT_STAMP,
    ExportError,
    duration_text,
    escape_text,
    export_ics,
    fold,
    goes_down,
    policy_years,
    recurrence_lines,
    select,
    vtimezone,
)
from relpolicy.graph import ServiceGraph
from relpolicy.model.maintenance import MaintenanceWindowSpec
from relpolicy.policy import PolicySet
from relpolicy.render.load import load_policy

GOLDEN = Path(__file__).parent / "golden" / "ics"
FROM = dt.datetime(2026, 12, 1, tzinfo=UTC)
"""The fixed date the 24 months of the differential test start at."""
UNTIL = dt.datetime(2028, 12, 1, tzinfo=UTC)
BASE_URL = "https://git.example/ops/blob/main/docs/runbooks/"

DST_WINDOWS = {
    # name: (rrule, start, timezone, duration)
    "ny-daily-gap": ("FREQ=DAILY", "02:30", "America/New_York", "90m"),
    "ny-daily-fold": ("FREQ=DAILY", "01:30", "America/New_York", "3h"),
    "ny-yearly-jump": ("FREQ=YEARLY;BYMONTH=3,11;BYDAY=2SU,1SU", "02:00", "America/New_York", "1h"),
    "ny-monthly-count": ("RRULE:FREQ=MONTHLY;BYDAY=-1SU;COUNT=400", "01:45", "America/New_York", "2h"),
    "ny-hourly": ("FREQ=HOURLY;INTERVAL=5", "00:10", "America/New_York", "30m"),
    "london-daily-gap": ("FREQ=DAILY", "01:30", "Europe/London", "2h"),
    "london-weekly-fold": ("FREQ=WEEKLY;INTERVAL=2;BYDAY=SA,SU", "00:45", "Europe/London", "3h"),
    "london-until": ("FREQ=WEEKLY;BYDAY=SU;UNTIL=20280401T000000Z", "01:00", "Europe/London", "1d2h"),
    "london-monthday": ("FREQ=MONTHLY;BYMONTHDAY=31", "23:30", "Europe/London", "4h"),
    "utc-weekly": ("FREQ=WEEKLY;BYDAY=MO,TH", "12:00", "UTC", "45m"),
}
"""Windows that start in the DST gap or fold of New York and London, or last across a change."""


def _dst_policy(tmp_path: Path) -> Path:
    """A policy with one service and the DST windows, plus a one-off window and a freeze."""
    documents = [
        "apiVersion: relpolicy.dev/v1\nkind: Team\nmetadata: {name: ops}\n"
        "spec: {coverage: always, members: [{name: Ann, email: ann@example.com}]}\n",
        "apiVersion: relpolicy.dev/v1\nkind: Service\nmetadata: {name: db}\n"
        "spec: {description: The database., owner: ops, tier: 2}\n",
        "apiVersion: relpolicy.dev/v1\nkind: Service\nmetadata: {name: api}\n"
        "spec: {description: The API., owner: ops, tier: 2, dependsOn: [{service: db, type: hard}]}\n",
        "apiVersion: relpolicy.dev/v1\nkind: MaintenanceWindow\nmetadata: {name: once}\n"
        'spec: {services: [db], at: "2027-03-14T01:30:00-05:00", duration: 2h}\n',
        "apiVersion: relpolicy.dev/v1\nkind: ChangeFreeze\nmetadata: {name: all}\n"
        'spec: {reason: "Audit; nothing moves, really", start: "2027-10-30T00:00:00+01:00", '
        'end: "2027-11-02T00:00:00Z"}\n',
    ]
    for name, (rrule, start, zone, duration) in DST_WINDOWS.items():
        documents.append(
            "apiVersion: relpolicy.dev/v1\nkind: MaintenanceWindow\n"
            f"metadata: {{name: {name}}}\n"
            f'spec: {{services: [db], rrule: "{rrule}", start: "{start}", timezone: {zone}, duration: {duration}}}\n'
        )
    root = tmp_path / "policies"
    root.mkdir()
    (root / "policy.yaml").write_text("---\n".join(documents), encoding="utf-8")
    return root


def _events(text: str | bytes) -> list[icalendar.Event]:
    """The events of a calendar, as icalendar reads them."""
    events = icalendar.Calendar.from_ical(text).walk("VEVENT")
    assert all(isinstance(e, icalendar.Event) for e in events)
    return cast("list[icalendar.Event]", events)


def _property(component: icalendar.Component, name: str) -> Any:
    """A property's value object (vDDDTypes, vText...)."""
    return component[name]


def _loaded(root: Path) -> tuple[PolicySet, ServiceGraph]:
    result = load_policy([root])
    assert result.problems == 0
    return result.policy, ServiceGraph(result.policy)


Occurrences = dict[str, set[tuple[dt.datetime, dt.datetime]]]


WallEnds = dict[tuple[str, dt.datetime], tuple[dt.datetime, dt.datetime]]


def _expanded(text: str) -> tuple[Occurrences, WallEnds]:
    """Per UID, what recurring-ical-events finds in [FROM, UNTIL): (start, start + DURATION) in UTC, and
    its own (start, end), whose end it computes by adding DURATION in wall-clock time.

    RFC 5545 (3.3.6) reads a duration in hours, minutes and seconds as exact time, as relpolicy
    does; recurring-ical-events adds it to the aware start in its zone (Python's same-zone
    arithmetic), so on a night the clocks change its end is off by the change. The first set is
    the RFC reading; the test also shows exactly where the second one differs.
    """
    calendar = icalendar.Calendar.from_ical(text)
    exact: Occurrences = {}
    own: WallEnds = {}
    for event in recurring_ical_events.of(calendar).between(FROM, UNTIL):
        start, end = event.start, event.end
        if not isinstance(start, dt.datetime):  # an all-day holiday
            continue
        assert isinstance(end, dt.datetime)
        uid = str(event["UID"])
        begins = start.astimezone(UTC)
        length = event["DURATION"].dt if "DURATION" in event else end - start
        exact.setdefault(uid, set()).add((begins, begins + length))
        own[uid, begins] = (start.replace(tzinfo=None), end.astimezone(UTC))
    return exact, own


def _relpolicy(policy: PolicySet) -> Occurrences:
    """Per UID, relpolicy's own occurrences in [FROM, UNTIL), and each freeze's period when it overlaps."""
    found: Occurrences = {}
    for window in policy.maintenance_windows:
        uid = f"maintenancewindow.{window.name}.{'once' if window.spec.at else 'recurring'}@relpolicy"
        intervals = occurrences(window.spec, FROM, UNTIL)
        if intervals:
            found[uid] = {(i.start, i.end) for i in intervals}
    for freeze in policy.change_freezes:
        if freeze.spec.start < UNTIL and freeze.spec.end > FROM:
            uid = f"changefreeze.{freeze.name}.period@relpolicy"
            found[uid] = {(freeze.spec.start.astimezone(UTC), freeze.spec.end.astimezone(UTC))}
    return found


def test_occurrences_equal_relpolicys_across_dst(tmp_path: Path) -> None:
    """Over 24 months, recurring-ical-events finds exactly relpolicy's occurrences of every window."""
    policy, graph = _loaded(_dst_policy(tmp_path))
    (theirs, wall), ours = _expanded(export_ics(policy, graph)), _relpolicy(policy)
    assert set(theirs) == set(ours)
    for uid, intervals in ours.items():
        assert theirs[uid] == intervals, uid
    # the test covers what it claims: starts in the gaps and folds, and windows across both changes
    london = zone_named("Europe/London")
    gap_starts = {s for s, _ in ours["maintenancewindow.ny-daily-gap.recurring@relpolicy"]}
    assert dt.datetime(2027, 3, 14, 7, 30, tzinfo=UTC) in gap_starts  # 02:30 EST = 03:30 EDT
    fold_starts = {s for s, _ in ours["maintenancewindow.ny-daily-fold.recurring@relpolicy"]}
    assert dt.datetime(2027, 11, 7, 5, 30, tzinfo=UTC) in fold_starts  # the first 01:30 (EDT)
    london_gap = ours["maintenancewindow.london-daily-gap.recurring@relpolicy"]
    assert {s.astimezone(london).hour for s, _ in london_gap} == {1, 2}  # 01:30 GMT is 02:30 BST that night
    assert sum(len(v) for v in ours.values()) > 5000
    # recurring-ical-events' own end is the written start plus the duration in wall-clock time
    differing = 0
    for (uid, start), (wall_start, wall_end) in wall.items():
        name = uid.split(".")[1]
        if name not in DST_WINDOWS:
            continue
        zone = zone_named(DST_WINDOWS[name][2])
        end = next(e for s, e in ours[uid] if s == start)
        assert wall_end == event_instant(wall_start + (end - start), zone), (uid, start)
        if wall_end != end:
            assert abs(wall_end - end) == dt.timedelta(hours=1)
            differing += 1
    assert differing == 17  # the occurrences across a change of 6 windows, both zones, both changes, two years


def test_example_policies_expand_the_same(tmp_path: Path) -> None:
    """The example organisation's windows and freezes, read back, are relpolicy's own occurrences."""
    policy, graph = _loaded(REPO / "policies")
    text = export_ics(policy, graph, holiday_years=(2027, 2027))
    ours = _relpolicy(policy)
    assert _expanded(text)[0] == ours
    assert len(ours) == 5


def test_rrule_verbatim_and_dtstart_in_its_zone(tmp_path: Path) -> None:
    """Each recurring window keeps its RRULE as written and starts at its local time in its zone."""
    policy, graph = _loaded(_dst_policy(tmp_path))
    calendar = icalendar.Calendar.from_ical(export_ics(policy, graph))
    events = {e.uid.split(".")[1]: e for e in _events(export_ics(policy, graph))}
    lines = export_ics(policy, graph).replace("\r\n ", "").split("\r\n")
    for name, (rrule, start, zone, _) in DST_WINDOWS.items():
        event = events[name]
        assert f"RRULE:{rrule.removeprefix('RRULE:')}" in lines
        assert _property(event, "DTSTART").params["TZID"] == zone
        begins = event.start
        assert isinstance(begins, dt.datetime)
        assert (begins.strftime("%H:%M"), begins.year) == (start, 2000)
    assert "DTSTART;TZID=America/New_York:20000103T023000" in lines  # the anchor when the rule gives it
    assert "DTSTART;TZID=Europe/London:20000131T233000" in lines  # else the rule's first occurrence
    assert {c["TZID"] for c in calendar.walk("VTIMEZONE")} == {"America/New_York", "Europe/London", "UTC"}


@pytest.mark.parametrize(
    "zone",
    [
        "America/New_York",
        "Europe/London",
        "Australia/Sydney",
        "Europe/Dublin",  # negative DST in the zone database
        "America/Sao_Paulo",  # DST ended in 2019
        "Asia/Kolkata",  # no change at all
        "Africa/Casablanca",  # DST suspended each Ramadan: no yearly pattern
        "Asia/Tehran",  # changes on fixed dates, not weekdays
        "Australia/Lord_Howe",  # a 30-minute DST
        "Pacific/Apia",  # skipped 2011-12-30
    ],
)
def test_vtimezone_gives_the_zone_databases_offsets(zone: str) -> None:
    """icalendar's reading of each VTIMEZONE has the zone's offset at every hour from 2000 to 2037."""
    text = "\r\n".join(["BEGIN:VCALENDAR", *vtimezone(zone), "END:VCALENDAR", ""])
    component = icalendar.Calendar.from_ical(text).walk("VTIMEZONE")[0]
    assert isinstance(component, icalendar.Timezone)
    theirs, ours = component.to_tz(), zone_named(zone)
    instant, end = dt.datetime(2000, 1, 1, tzinfo=UTC), dt.datetime(2038, 1, 1, tzinfo=UTC)
    while instant < end:
        assert instant.astimezone(theirs).utcoffset() == instant.astimezone(ours).utcoffset(), instant
        instant += dt.timedelta(hours=1)


def test_vtimezone_of_new_york_by_hand() -> None:
    """New York: the 1987-2006 rule ends with UNTIL, the rule since 2007 runs on."""
    lines = vtimezone("America/New_York", 2005, 2037)
    assert "RRULE:FREQ=YEARLY;BYMONTH=4;BYDAY=1SU;UNTIL=20060402T070000Z" in lines
    assert "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU;UNTIL=20061029T060000Z" in lines
    assert "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU" in lines
    assert "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU" in lines
    assert list(vtimezone("Asia/Kolkata")[2:8]) == [
        "BEGIN:STANDARD",
        "DTSTART:19700101T000000",
        "TZOFFSETFROM:+0530",
        "TZOFFSETTO:+0530",
        "TZNAME:IST",
        "END:STANDARD",
    ]


def test_golden_export_of_the_example_policies() -> None:
    """The example's calendar, with 2027's holidays and runbook links, byte for byte."""
    policy, graph = _loaded(REPO / "policies")
    text = export_ics(policy, graph, holiday_years=(2027, 2027), runbook_base_url=BASE_URL)
    assert_golden(GOLDEN / "policies.ics", text)
    assert text == export_ics(policy, graph, holiday_years=(2027, 2027), runbook_base_url=BASE_URL)


def test_every_line_is_crlf_and_at_most_75_octets() -> None:
    """The example's calendar: CRLF only, no line longer than 75 octets, UIDs unique, a fixed DTSTAMP."""
    policy, graph = _loaded(REPO / "policies")
    data = export_ics(policy, graph, holiday_years=(2026, 2028), runbook_base_url=BASE_URL).encode()
    assert data.endswith(b"\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert max(len(line) for line in data.split(b"\r\n")) <= 75
    events = _events(data)
    uids = [e.uid for e in events]
    assert len(uids) == len(set(uids))
    assert {e.DTSTAMP for e in events} == {DEFAULT_STAMP}


def test_holidays_of_each_calendar() -> None:
    """--holidays lists each calendar's days off, as all-day free-time events with stable UIDs."""
    policy, graph = _loaded(REPO / "policies")
    events = _events(export_ics(policy, graph, holiday_years=(2027, 2027)))
    holidays = {e.uid: e for e in events if ".holiday." in e.uid}
    christmas = holidays["calendar.uk-business.holiday.20271227@relpolicy"]  # 25th is a Saturday: observed Monday
    assert (christmas.start, christmas.end) == (dt.date(2027, 12, 27), dt.date(2027, 12, 28))
    assert str(christmas["TRANSP"]) == "TRANSPARENT"
    assert "calendar.us-business.holiday.20270704@relpolicy" in holidays
    assert {uid.split(".")[1] for uid in holidays} == {c.name for c in policy.calendars}


def test_summary_and_description_name_services_owners_and_impact() -> None:
    """A window's summary names its services and owner; its description, what goes down and the runbook."""
    policy, graph = _loaded(REPO / "policies")
    calendar = icalendar.Calendar.from_ical(export_ics(policy, graph, runbook_base_url=BASE_URL))
    event = next(e for e in calendar.walk("VEVENT") if "orders-db-weekly" in str(e["UID"]))
    assert str(event["SUMMARY"]) == "Maintenance orders-db-weekly: orders-db (platform)"
    impact = graph.impact("orders-db")
    assert str(event["DESCRIPTION"]).split("\n") == [
        "Minor-version patching, then a controlled failover to the synchronous replica and back.",
        "Down during the window: orders-db (owner: platform).",
        f"Hard dependents that go down with it: {', '.join(impact.down)}.",
        f"Soft dependents degraded: {', '.join(impact.degraded)}.",
        f"Runbook of orders-db: {BASE_URL}orders-db.md",
    ]
    assert str(event["URL"]) == f"{BASE_URL}orders-db.md"


def test_goes_down_equals_the_graphs_impact_for_one_service() -> None:
    """For a single service, the several-service walk is the graph's own impact walk."""
    policy, graph = _loaded(REPO / "policies")
    for service in policy.services:
        impact = graph.impact(service.name)
        assert goes_down(graph, [service.name]) == (list(impact.down), list(impact.degraded))


def test_a_window_on_every_alternative_takes_the_dependent_down() -> None:
    """Both card processors down at once take payments (anyOf of the two) down; either alone takes nothing."""
    _, graph = _loaded(REPO / "policies")
    assert graph.impact("card-processor-primary").down == graph.impact("card-processor-backup").down == ()
    both = goes_down(graph, ["card-processor-primary", "card-processor-backup"])
    assert both == (["checkout", "payments-api"], ["storefront"])


def test_selection_by_service_and_team() -> None:
    """--service and --team keep the events about those services (and their calendars' holidays)."""
    policy, graph = _loaded(REPO / "policies")
    text = export_ics(policy, graph, selection=select(policy, ["vpn"]), holiday_years=(2027, 2027))
    uids = {str(e["UID"]) for e in icalendar.Calendar.from_ical(text).walk("VEVENT")}
    assert {u for u in uids if ".holiday." not in u} == {"maintenancewindow.vpn-firmware-2026-12.once@relpolicy"}
    assert {u.split(".")[1] for u in uids if ".holiday." in u} == {"us-business"}
    text = export_ics(policy, graph, selection=select(policy, teams=["business-systems"]))
    uids = {str(e["UID"]) for e in icalendar.Calendar.from_ical(text).walk("VEVENT")}
    assert uids == {
        "maintenancewindow.back-office-monthly.recurring@relpolicy",
        "changefreeze.fiscal-year-end-2026.period@relpolicy",
    }
    with pytest.raises(ExportError, match=r"^no service `vpnn`, did you mean `vpn`\?$"):
        select(policy, ["vpnn"])
    with pytest.raises(ExportError, match=r"^no team `sreee`"):
        select(policy, teams=["sreee"])


@given(st.text(alphabet=st.characters() | st.sampled_from("\r\n\\;,:"), max_size=300))
def test_text_survives_escaping_and_folding(value: str) -> None:
    """Any text, escaped and folded, is read back by icalendar as written, in lines of at most 75 octets.

    Newlines come back as LF; control characters TEXT may not hold and lone surrogates as U+FFFD.
    """
    line = fold(f"DESCRIPTION:{escape_text(value)}")
    assert all(len(part.encode()) <= 75 for part in line.split("\r\n"))
    text = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n" + line + "END:VEVENT\r\nEND:VCALENDAR\r\n"
    event = icalendar.Calendar.from_ical(text).walk("VEVENT")[0]
    expected = re.sub(
        r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]", "\ufffd", value.replace("\r\n", "\n").replace("\r", "\n")
    )
    assert str(event["DESCRIPTION"]) == expected


RULES = st.one_of(
    st.builds(
        lambda interval, days: f"FREQ=WEEKLY;INTERVAL={interval};BYDAY={','.join(days)}",
        st.integers(1, 3),
        st.lists(st.sampled_from(["MO", "TU", "WE", "TH", "FR", "SA", "SU"]), min_size=1, max_size=3, unique=True),
    ),
    st.builds(lambda interval: f"FREQ=DAILY;INTERVAL={interval}", st.integers(1, 4)),
    st.builds(
        lambda nth, day: f"FREQ=MONTHLY;BYDAY={nth}{day}", st.sampled_from([1, 2, -1]), st.sampled_from(["SA", "SU"])
    ),
    st.builds(lambda day: f"FREQ=MONTHLY;BYMONTHDAY={day}", st.integers(1, 31)),
    st.builds(
        lambda month, nth: f"FREQ=YEARLY;BYMONTH={month};BYDAY={nth}SU",
        st.sampled_from([3, 4, 10, 11]),
        st.sampled_from([1, 2, -1]),
    ),
    st.builds(lambda count: f"FREQ=WEEKLY;BYDAY=SU;COUNT={count}", st.sampled_from([1000])),
    st.builds(lambda until: f"FREQ=DAILY;UNTIL={until}", st.sampled_from(["20270315T120000Z", "20271101T000000Z"])),
)
"""Recurrences of every frequency relpolicy windows use, with INTERVAL, BYDAY, BYMONTHDAY, COUNT and UNTIL."""


@given(
    rule=RULES,
    start=st.sampled_from(["00:00", "00:30", "01:00", "01:30", "02:00", "02:30", "03:00", "12:00", "23:30"]),
    zone=st.sampled_from(["America/New_York", "Europe/London", "Australia/Sydney", "UTC"]),
    minutes=st.integers(1, 48 * 60),
)
def test_any_window_expands_the_same(rule: str, start: str, zone: str, minutes: int) -> None:
    """Property: for any recurring window, recurring-ical-events starts its occurrences where relpolicy does."""
    spec = MaintenanceWindowSpec.model_validate(
        {"services": ["x"], "rrule": rule, "start": start, "timezone": zone, "duration": f"{minutes}m"}
    )
    event = ["BEGIN:VEVENT", "UID:x@relpolicy", "DTSTAMP:20000103T000000Z", *recurrence_lines(spec)]
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", *vtimezone(zone), *event]
    lines += [f"DURATION:{duration_text(spec.duration)}", "END:VEVENT", "END:VCALENDAR"]
    until = dt.datetime(2028, 1, 1, tzinfo=UTC)  # 13 months: every zone's DST changes of 2027
    found = recurring_ical_events.of(icalendar.Calendar.from_ical("".join(fold(line) for line in lines)))
    theirs = {e.start.astimezone(UTC) for e in found.between(FROM, until)}
    ours = {o.start for o in occurrences(spec, FROM, until)}
    assert theirs == ours


@pytest.mark.parametrize(
    ("duration", "text"),
    [
        (dt.timedelta(hours=2), "PT2H"),
        (dt.timedelta(days=1, hours=2), "PT26H"),
        (dt.timedelta(minutes=90), "PT1H30M"),
        (dt.timedelta(seconds=45), "PT45S"),
        (dt.timedelta(weeks=1), "PT168H"),
    ],
)
def test_durations_are_exact_time(duration: dt.timedelta, text: str) -> None:
    """Durations are hours, minutes and seconds: RFC 5545 reads days as nominal, not 24 hours."""
    assert duration_text(duration) == text


def test_policy_years() -> None:
    """The default holiday years span the dated resources (one-off windows and freezes)."""
    policy, _ = _loaded(REPO / "policies")
    assert policy_years(policy) == (2026, 2027)


def test_cli_writes_the_calendar(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`relpolicy export ics --out FILE` writes what the library returns; --check then finds it current."""
    out = tmp_path / "relpolicy.ics"
    root = (REPO / "policies").as_posix()
    command = ["export", "ics", root, "--holidays", "--runbook-url", BASE_URL, "--out", str(out)]
    assert main(command) == 0
    policy, graph = _loaded(REPO / "policies")
    expected = export_ics(policy, graph, holiday_years=(2026, 2027), runbook_base_url=BASE_URL)
    assert out.read_bytes() == expected.encode()
    assert main([*command, "--check"]) == 0
    out.write_bytes(expected.encode().replace(b"PT2H", b"PT3H"))
    capsys.readouterr()
    assert main([*command, "--check"]) == 1
    captured = capsys.readouterr()
    assert "-DURATION:PT3H\r\n+DURATION:PT2H\r\n" in captured.out
    assert captured.err.endswith(
        f"1 generated file(s) out of date; run `relpolicy export ics {root} --holidays --runbook-url {BASE_URL} "
        f"--out {out.as_posix()}`\n"
    )


def test_cli_check_names_every_option_to_rerun(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--check on a missing file says the whole command to write it, each option as given."""
    out = tmp_path / "team.ics"
    config = tmp_path / "relpolicy.yaml"
    config.write_text("runbookBaseUrl: https://docs.example/runbooks/\n", encoding="utf-8")
    root = (REPO / "policies").as_posix()
    options = ["--config", config.as_posix(), "--service", "vpn", "--team", "data", "--holidays", "--years", "2027"]
    options += ["--stamp", "2026-12-04T17:00:00+00:00", "--out", out.as_posix()]
    assert main(["export", "ics", root, *options, "--check"]) == 1
    assert capsys.readouterr().err == (
        f"relpolicy: 1 generated file(s) out of date; run `relpolicy export ics {root} --config {config.as_posix()} "
        "--service vpn --team data --holidays --years 2027-2027 --stamp 2026-12-04T17:00:00+00:00 "
        f"--out {out.as_posix()}`\n"
    )
    assert main(["export", "ics", root, *options]) == 0
    assert "https://docs.example/runbooks/vpn.md" in out.read_text(encoding="utf-8")


def test_cli_standard_output_and_filters(capsys: pytest.CaptureFixture[str]) -> None:
    """Without --out the calendar goes to standard output as it is; --service keeps its events."""
    root = (REPO / "policies").as_posix()
    assert main(["export", "ics", root, "--service", "vpn", "--stamp", "2026-12-04T17:00:00+01:00"]) == 0
    out = capsys.readouterr().out
    assert "UID:maintenancewindow.vpn-firmware-2026-12.once@relpolicy\r\n" in out
    assert "DTSTAMP:20261204T160000Z\r\n" in out
    assert out.count("BEGIN:VEVENT") == 1


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        (["--team", "nobody"], "relpolicy: error: no team `nobody`\n"),
        (["--service", "vpnn"], "relpolicy: error: no service `vpnn`, did you mean `vpn`?\n"),
        (["--years", "2026"], "relpolicy: error: --years applies to --holidays\n"),
        (
            ["--holidays", "--years", "2026-2099"],
            "relpolicy: error: holiday years 2026-2099: give at most 50 years, in order, from 1970 to 2199\n",
        ),
        (
            ["--holidays", "--years", "9999"],
            "relpolicy: error: holiday years 9999-9999: give at most 50 years, in order, from 1970 to 2199\n",
        ),
        (
            ["--holidays", "--years", "2028-2027"],
            "relpolicy: error: holiday years 2028-2027: give at most 50 years, in order, from 1970 to 2199\n",
        ),
        (["--check"], "relpolicy: error: --check needs --out FILE to compare with\n"),
    ],
)
def test_cli_errors_are_one_line(arguments: list[str], error: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Bad names and options are one line on standard error and exit 2."""
    assert main(["export", "ics", (REPO / "policies").as_posix(), *arguments]) == 2
    assert capsys.readouterr() == ("", error)


def test_cli_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    """Malformed option values are argparse usage errors (exit 2)."""
    bad = (
        ["--years", "26"],
        ["--stamp", "2026-12-04T17:00"],
        ["--stamp", "soon"],
        ["--stamp", "9999-12-31T23:00:00-05:00"],
        ["--runbook-url", "ftp://x/"],
    )
    for arguments in bad:
        assert main(["export", "ics", *arguments]) == 2
        assert "error: argument" in capsys.readouterr().err


def test_holidays_need_years_when_nothing_is_dated(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--holidays without --years takes the policy's years; with nothing dated it asks for them."""
    root = tmp_path / "policies"
    root.mkdir()
    (root / "c.yaml").write_text(
        "apiVersion: relpolicy.dev/v1\nkind: Calendar\nmetadata: {name: c}\n"
        "spec: {timezone: UTC, hours: {mon: [09:00-17:00]}, holidays: {dates: [2030-05-06]}}\n",
        encoding="utf-8",
    )
    assert main(["export", "ics", root.as_posix(), "--holidays"]) == 2
    assert capsys.readouterr().err == (
        "relpolicy: error: --holidays: no one-off window or freeze to take the years from; give --years YYYY[-YYYY]\n"
    )
    assert main(["export", "ics", root.as_posix(), "--holidays", "--years", "2030"]) == 0
    out = capsys.readouterr().out
    assert "UID:calendar.c.holiday.20300506@relpolicy\r\n" in out
    assert "SUMMARY:c: day off (listed in the calendar)\r\n" in out
