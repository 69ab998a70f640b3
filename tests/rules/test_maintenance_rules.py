"""RP403 and RP6xx on hand-made policies: exact locations, and messages whose numbers were worked out by hand.

Every check is as of 2026-11-26, so the horizon is 2026-11-26 to 2027-11-26 (UTC).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from relpolicy.chrono.windows import horizon
from relpolicy.engine import Report
from relpolicy.findings import Severity
from relpolicy.rules import by_id

HEADER = "apiVersion: relpolicy.dev/v1\n"
TEAM = f"""\
{HEADER}kind: Team
metadata: {{name: platform}}
spec: {{coverage: always, members: [{{name: Ana Lima, email: ana@example.com}}]}}
"""
US_BUSINESS = f"""\
{HEADER}kind: Calendar
metadata: {{name: us-business}}
spec:
  timezone: America/New_York
  hours: {{mon: [09:00-17:00], tue: [09:00-17:00], wed: [09:00-17:00], thu: [09:00-17:00], fri: [09:00-17:00]}}
  holidays: {{country: US, subdivision: NY}}
"""
UK_BUSINESS = US_BUSINESS.replace("us-business", "uk-business").replace("America/New_York", "Europe/London")


def document(kind: str, name: str, *spec: str, labels: str = "") -> str:
    """A document whose spec lines start on line 5."""
    metadata = f"{{name: {name}, labels: {labels}}}" if labels else f"{{name: {name}}}"
    return f"{HEADER}kind: {kind}\nmetadata: {metadata}\nspec:\n" + "".join(f"  {line}\n" for line in spec)


def service(name: str, *extra: str, tier: int = 3, labels: str = "") -> str:
    """A customer-facing service owned by `platform` (customer-facing, so never an orphan)."""
    return document(
        "Service",
        name,
        f"description: {name}.",
        f"tier: {tier}",
        "owner: platform",
        "customerFacing: true",
        *extra,
        labels=labels,
    )


def window(name: str, services: str, rrule: str, start: str, duration: str = "1h", timezone: str = "UTC") -> str:
    """A recurring window: rrule on line 6 (col 10), start on line 7 (col 10)."""
    return document(
        "MaintenanceWindow",
        name,
        f"services: [{services}]",
        f"rrule: {rrule}",
        f'start: "{start}"',
        f"duration: {duration}",
        f"timezone: {timezone}",
    )


def single(name: str, services: str, at: str, duration: str = "1h") -> str:
    """A single window: at on line 6 (col 7)."""
    return document("MaintenanceWindow", name, f"services: [{services}]", f'at: "{at}"', f"duration: {duration}")


def slo(service_name: str, objective: str, time_window: str, *, counts: bool = True) -> str:
    """An availability SLO: objective on line 7 (col 14)."""
    return document(
        "SLO",
        f"{service_name}-availability",
        f"service: {service_name}",
        "indicator: {type: availability}",
        f"objective: {objective}",
        f"timeWindow: {time_window}",
        f"maintenanceCountsAgainstBudget: {str(counts).lower()}",
    )


Found = list[tuple[str, int, int, str]]


@pytest.fixture
def run(
    write_policy: Callable[..., Path], run_check: Callable[[Path], Report]
) -> Callable[..., Callable[[str], Found]]:
    """Write one file per keyword (plus the team) and return a reader of one rule's findings."""

    def check(**files: str) -> Callable[[str], Found]:
        root = write_policy(TEAM, "team.yaml")
        for name, text in files.items():
            root = write_policy(text, f"{name}.yaml")
        report = run_check(root)

        def of(rule_id: str) -> Found:
            return [
                (Path(f.location.path).stem, f.location.line, f.location.col, f.message)
                for f in report.findings
                if f.rule_id == rule_id
            ]

        return of

    return check


def test_severities() -> None:
    """Breaking a freeze or a budget is an error; the rest are warnings."""
    assert [by_id(r).severity for r in ("RP403", "RP601", "RP602", "RP603", "RP604")] == [
        Severity.ERROR,
        Severity.ERROR,
        Severity.WARNING,
        Severity.WARNING,
        Severity.WARNING,
    ]


# --- RP403 maintenance-exceeds-budget -----------------------------------------------------------


def test_rolling_budget_counts_own_and_dependency_windows_once(run: Callable[..., Callable[[str], Found]]) -> None:
    """30 days at 99.9% allow 43m12s; five Sundays of 02:00-02:45 (two windows overlapping) take 3h45m."""
    of = run(
        api=service("api", "dependsOn: [{service: db, type: hard}]"),
        db=service("db"),
        slo=slo("api", "99.9", "30d"),
        api_weekly=window("api-weekly", "api", "FREQ=WEEKLY;BYDAY=SU", "02:15", "30m"),
        db_weekly=window("db-weekly", "db", "FREQ=WEEKLY;BYDAY=SU", "02:00", "30m"),
    )
    assert of("RP403") == [
        (
            "slo",
            7,
            14,
            "api-availability allows 43m12s of downtime in the 30 days from 2026-11-01 02:00 UTC (0.1% of 30 days) "
            "but planned maintenance takes 3h45m then, overlaps counted once: api-weekly 2h30m (api); db-weekly 2h30m "
            "(db, a hard dependency); maintenance counts against this budget",
        )
    ]


def test_maintenance_that_does_not_count_is_not_checked(run: Callable[..., Callable[[str], Found]]) -> None:
    """maintenanceCountsAgainstBudget: false (the default) leaves planned downtime out of the budget."""
    of = run(
        api=service("api"),
        slo=slo("api", "99.9", "30d", counts=False),
        api_weekly=window("api-weekly", "api", "FREQ=WEEKLY;BYDAY=SU", "02:15", "30m"),
    )
    assert of("RP403") == []


def test_an_any_of_alternative_in_maintenance_does_not_take_the_service_down(
    run: Callable[..., Callable[[str], Found]],
) -> None:
    """With redundant databases, only the service's own 2h a month count: under February's 3h21m36s at 99.5%."""
    files = {
        "db": service("db"),
        "replica": service("replica"),
        "slo": slo("reports", "99.5", "month"),
        "own": window("reports-monthly", "reports", "FREQ=MONTHLY;BYDAY=1SU", "02:00", "2h"),
        "dbw": window("db-monthly", "db", "FREQ=MONTHLY;BYDAY=3SU", "02:00", "2h"),
    }
    redundant = run(reports=service("reports", "dependsOn: [{anyOf: [db, replica], type: hard}]"), **files)
    assert redundant("RP403") == []


def test_calendar_quarters_have_their_real_length(run: Callable[..., Callable[[str], Found]]) -> None:
    """99.9% of a quarter: 2h9m36s in Q1 2027 (90 days), 2h12m28.8s in Q4 (92 days); 3 x 45m = 2h15m is over both."""
    of = run(
        svc=service("svc"),
        slo=slo("svc", "99.9", "quarter"),
        own=window("svc-monthly", "svc", "FREQ=MONTHLY;BYDAY=1SU", "03:00", "45m"),
    )
    assert of("RP403") == [
        (
            "slo",
            7,
            14,
            "svc-availability allows 2h9m36s of downtime in Q1 2027 (0.1% of 90 days) but planned maintenance takes "
            "2h15m then, overlaps counted once: svc-monthly 2h15m (svc); maintenance counts against this budget "
            "(over budget in 5 of the 5 quarters from Q4 2026 to Q4 2027)",
        )
    ]


def test_a_budget_that_fits_is_clean(run: Callable[..., Callable[[str], Found]]) -> None:
    """The example ERP: 3h on the first Sunday fits 0.5% of every month, February's 3h21m36s included."""
    of = run(
        erp=service("erp"),
        slo=slo("erp", "99.5", "month"),
        own=window("erp-monthly", "erp", "FREQ=MONTHLY;BYDAY=1SU", "06:00", "3h", "America/New_York"),
    )
    assert of("RP403") == []


# --- RP601 window-in-freeze ---------------------------------------------------------------------


def freeze(name: str, start: str, end: str, *target: str) -> str:
    """A freeze; with no target it covers every service."""
    return document("ChangeFreeze", name, "reason: Peak trading.", f'start: "{start}"', f'end: "{end}"', *target)


def test_a_freeze_without_targets_covers_every_service(run: Callable[..., Callable[[str], Found]]) -> None:
    """A single window inside a freeze of everything is reported on its `at`."""
    of = run(
        vpn=service("vpn"),
        peak=freeze("peak", "2026-11-20T00:00:00-05:00", "2027-01-04T00:00:00-05:00"),
        upgrade=single("vpn-upgrade", "vpn", "2026-12-06T03:00:00-05:00"),
    )
    assert of("RP601") == [
        (
            "upgrade",
            6,
            7,
            "maintenance window vpn-upgrade falls in change freeze peak (2026-11-20 00:00 -05:00 to 2027-01-04 00:00 "
            "-05:00) once, first Sun 2026-12-06 03:00 -05:00 for 1h, taking down vpn: no planned change may happen "
            "then (Peak trading)",
        )
    ]


def test_freezes_by_selector_and_in_the_past(run: Callable[..., Callable[[str], Found]]) -> None:
    """A freeze selecting other services, or one already over, says nothing; a matching one counts each hit."""
    of = run(
        db=service("db"),
        api=service("api", labels="{domain: commerce}"),
        commerce=freeze(
            "commerce",
            "2026-11-20T00:00:00-05:00",
            "2027-01-04T00:00:00-05:00",
            "selector: {matchLabels: {domain: commerce}}",
        ),
        past=freeze("past", "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z", "services: [db, api]"),
        dbw=window("db-weekly", "db", "FREQ=WEEKLY;BYDAY=SU", "02:00"),
        apiw=window("api-weekly", "api", "FREQ=WEEKLY;BYDAY=SU", "02:00"),
    )
    # Sundays from 2026-11-26 before 2027-01-04 05:00 UTC: 29 Nov, 6, 13, 20, 27 Dec, 3 Jan.
    assert of("RP601") == [
        (
            "apiw",
            6,
            10,
            "maintenance window api-weekly falls in change freeze commerce (2026-11-20 00:00 -05:00 to 2027-01-04 "
            "00:00 -05:00) 6 times, first Sun 2026-11-29 02:00 UTC for 1h, taking down api: no planned change may "
            "happen then (Peak trading)",
        )
    ]


# --- RP602 window-in-business-hours -------------------------------------------------------------

PRIORITIES = document(
    "PriorityPolicy",
    "default",
    "levels:",
    "  - {name: P1, description: critical, response: 15m, restore: 4h, clock: always, statusUpdateEvery: 30m}",
    "  - {name: P2, description: major, response: 1h, restore: 8h, clock: us-business, statusUpdateEvery: 1h}",
    "default: P2",
)


def test_business_hours_come_from_the_priority_clocks(run: Callable[..., Callable[[str], Found]]) -> None:
    """The priority levels run on New York hours: 10:00 London (05:00 NY) is fine, 15:00 London (10:00 NY) is not."""
    of = run(
        shop=service("shop", tier=1),
        us=US_BUSINESS,
        uk=UK_BUSINESS,
        priorities=PRIORITIES,
        early=window("early", "shop", "FREQ=WEEKLY;BYDAY=TU", "10:00", "1h", "Europe/London"),
        late=window("late", "shop", "FREQ=WEEKLY;BYDAY=TU", "15:00", "30m", "Europe/London"),
    )
    # Tuesdays 2026-12-01 .. 2027-11-23: 52; 15:00 London is 10:00 New York (11:00 in the weeks the two DST
    # changes differ); Election Day, Tuesday 2027-11-02, is a New York holiday.
    assert of("RP602") == [
        (
            "late",
            6,
            10,
            "maintenance window late takes down shop (tier 1, customer-facing) during business hours: 51 of its 52 "
            "occurrences in the 12 months from 2026-11-26 overlap working hours of us-business, the first Tue "
            "2026-12-01 10:00 EST for 30m (30m of it in working hours); move it outside business hours",
        )
    ]


def test_holidays_are_not_business_hours(run: Callable[..., Callable[[str], Found]]) -> None:
    """Thanksgiving morning is not business hours in New York; the Friday after is."""
    of = run(
        shop=service("shop", tier=1),
        us=US_BUSINESS,
        thanksgiving=single("thanksgiving", "shop", "2026-11-26T10:00:00-05:00"),
        friday=single("friday", "shop", "2026-11-27T08:30:00-05:00"),
    )
    assert of("RP602") == [
        (
            "friday",
            6,
            7,
            "maintenance window friday takes down shop (tier 1, customer-facing) during business hours: 1 of its 1 "
            "occurrences in the 12 months from 2026-11-26 overlap working hours of us-business, the first Fri "
            "2026-11-27 08:30 EST for 1h (30m of it in working hours); move it outside business hours",
        )
    ]


def test_only_tier_one_customer_facing_services(run: Callable[..., Callable[[str], Found]]) -> None:
    """A tier-2 customer-facing service may be maintained in business hours."""
    assert run(api=service("api", tier=2), us=US_BUSINESS, w=window("w", "api", "FREQ=DAILY", "15:00"))("RP602") == []


def test_a_round_the_clock_calendar_is_not_business_hours(run: Callable[..., Callable[[str], Found]]) -> None:
    """With only a 24x7 calendar declared, there are no business hours to avoid."""
    always = document(
        "Calendar",
        "round-the-clock",
        "timezone: UTC",
        "hours: {"
        + ", ".join(f"{d}: ['00:00-24:00']" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"))
        + "}",
    )
    assert run(api=service("api", tier=1), always=always, w=window("w", "api", "FREQ=DAILY", "15:00"))("RP602") == []


# --- RP603 window-dst ---------------------------------------------------------------------------


def test_a_start_that_happens_twice(run: Callable[..., Callable[[str], Found]]) -> None:
    """01:30 New York happens twice on 2027-11-07; the window starts at the first (EDT)."""
    of = run(db=service("db"), w=window("db-weekly", "db", "FREQ=WEEKLY;BYDAY=SU", "01:30", "1h", "America/New_York"))
    assert of("RP603") == [
        (
            "w",
            7,
            10,
            "maintenance window db-weekly starts at 01:30 America/New_York, which happens twice on Sun 2027-11-07 "
            "(the clocks go back 1h): the window starts at the first, 01:30 EDT; 1 of its 52 starts in the 12 months "
            "from 2026-11-26 falls on a DST change: choose a start clear of it",
        )
    ]


def test_london_01_30_hits_both_changes(run: Callable[..., Callable[[str], Found]]) -> None:
    """01:30 London does not exist on 2027-03-28 and happens twice on 2027-10-31."""
    of = run(db=service("db"), w=window("db-weekly", "db", "FREQ=WEEKLY;BYDAY=SU", "01:30", "1h", "Europe/London"))
    assert of("RP603") == [
        (
            "w",
            7,
            10,
            "maintenance window db-weekly starts at 01:30 Europe/London, which does not exist on Sun 2027-03-28 "
            "(the clocks go forward 1h): that occurrence starts at 02:30 BST instead; 2 of its 52 starts in the 12 "
            "months from 2026-11-26 fall on a DST change: choose a start clear of it",
        )
    ]


def test_single_windows_and_clear_starts_have_no_dst_question(run: Callable[..., Callable[[str], Found]]) -> None:
    """An `at` window carries its offset; 02:00 London exists once on both change days."""
    of = run(
        db=service("db"),
        once=single("once", "db", "2027-03-28T01:30:00+00:00"),
        w=window("db-weekly", "db", "FREQ=WEEKLY;BYDAY=SU", "02:00", "1h", "Europe/London"),
    )
    assert of("RP603") == []


# --- RP604 window-stacking ----------------------------------------------------------------------


def test_stacking_through_a_transitive_dependency(run: Callable[..., Callable[[str], Found]]) -> None:
    """web needs api needs db: web's Saturday window and db's Sunday one double web's outages."""
    of = run(
        web=service("web", "dependsOn: [{service: api, type: hard}]"),
        api=service("api", "dependsOn: [{service: db, type: hard}]"),
        db=service("db"),
        webw=window("web-weekly", "web", "FREQ=WEEKLY;BYDAY=SA", "02:00"),
        dbw=window("db-weekly", "db", "FREQ=WEEKLY;BYDAY=SU", "02:00", "2h"),
    )
    assert of("RP604") == [
        (
            "webw",
            6,
            10,
            "maintenance window web-weekly takes down web, which hard-depends on db, taken down separately by window "
            "db-weekly: web goes down 104 times in the 12 months from 2026-11-26 instead of 52 (e.g. Sat 2026-11-28 "
            "02:00 UTC for 1h (web-weekly) and Sun 2026-11-29 02:00 UTC for 2h (db-weekly)); schedule the two "
            "windows together",
        )
    ]


def test_stacking_names_every_dependent_and_dependency_but_not_soft_or_anyof_ones(
    run: Callable[..., Callable[[str], Found]],
) -> None:
    """web -> api -> db and shop -> cache are hard chains; shop's soft link to db and its anyOf
    over db and replica do not take shop down with db, and a hard cycle (api <-> gateway) counts."""
    of = run(
        web=service("web", "dependsOn: [{service: api, type: hard}]"),
        api=service("api", "dependsOn: [{service: db, type: hard}, {service: gateway, type: hard}]"),
        gateway=service("gateway", "dependsOn: [{service: api, type: hard}]"),
        db=service("db"),
        replica=service("replica"),
        cache=service("cache"),
        shop=service(
            "shop", "dependsOn: [{service: cache, type: hard}, {service: db, type: soft}, {anyOf: [db, replica]}]"
        ),
        search=service("search", "dependsOn: [{service: db, type: soft}, {anyOf: [db, replica]}]"),
        front=window("front", "web, shop, search", "FREQ=WEEKLY;BYDAY=SA", "02:00"),
        data=window("data", "db, cache", "FREQ=WEEKLY;BYDAY=SU", "02:00", "2h"),
        gw=window("gw", "gateway", "FREQ=WEEKLY;BYDAY=MO", "02:00"),
    )
    assert [(found[0], found[3].split(":")[0]) for found in of("RP604")] == [
        (
            "front",
            "maintenance window front takes down shop, web, which hard-depend on cache, db, "
            "taken down separately by window data",
        ),
        (
            "front",
            "maintenance window front takes down web, which hard-depends on gateway, "
            "taken down separately by window gw",
        ),
        (
            "gw",
            "maintenance window gw takes down gateway, which hard-depends on db, taken down separately by window data",
        ),
    ]


def test_aligned_windows_do_not_stack(run: Callable[..., Callable[[str], Found]]) -> None:
    """A monthly window inside a weekly one's slot, or one window for both, adds no outage."""
    of = run(
        api=service("api", "dependsOn: [{service: db, type: hard}]"),
        db=service("db"),
        apiw=window("api-monthly", "api", "FREQ=MONTHLY;BYDAY=1SU", "02:30"),
        dbw=window("db-weekly", "db", "FREQ=WEEKLY;BYDAY=SU", "02:00", "2h"),
        both=window("both", "api, db", "FREQ=MONTHLY;BYDAY=2SU", "02:00"),
    )
    assert of("RP604") == []


# --- Bad input -----------------------------------------------------------------------------------


def test_a_recurrence_dateutil_refuses_is_skipped_without_a_traceback(
    run: Callable[..., Callable[[str], Found]],
) -> None:
    """A rule that matches the schema's shape but is not RFC 5545 leaves the time rules silent."""
    of = run(
        db=service("db", tier=1),
        us=US_BUSINESS,
        slo=slo("db", "99.9", "30d"),
        w=window("w", "db", "FREQ=WEEKLY;BYDAY=XX", "02:30", "1h", "America/New_York"),
        peak=freeze("peak", "2026-11-20T00:00:00-05:00", "2027-01-04T00:00:00-05:00"),
    )
    assert [of(rule) for rule in ("RP403", "RP601", "RP602", "RP603", "RP604")] == [[], [], [], [], []]


def test_the_horizon_is_twelve_months_from_midnight_utc() -> None:
    """From 29 February the horizon ends on 28 February the next year."""
    leap = horizon(dt.date(2028, 2, 29))
    assert (leap.start.isoformat(), leap.end.isoformat()) == ("2028-02-29T00:00:00+00:00", "2029-02-28T00:00:00+00:00")


def test_a_calendar_with_unknown_holidays_is_left_out(run: Callable[..., Callable[[str], Found]]) -> None:
    """A country the holiday library does not know cannot give business hours; the other calendars still do."""
    unknown = US_BUSINESS.replace("us-business", "mars").replace("country: US, subdivision: NY", "country: XX")
    of = run(shop=service("shop", tier=1), mars=unknown, w=single("w", "shop", "2026-11-27T10:00:00-05:00"))
    assert of("RP602") == []
    of = run(us=US_BUSINESS)
    assert [message.split(":")[0] for *_, message in of("RP602")] == [
        "maintenance window w takes down shop (tier 1, customer-facing) during business hours"
    ]
