"""Every number the documents show for the hand-made fixture, worked out by hand.

Error budgets: (100 - objective)% of the window. A 30-day window has 43,200 minutes, 4 weeks
40,320, a 28/30/31-day month 40,320/43,200/44,640, a 90/92-day quarter 129,600/132,480 and a
365/366-day year 525,600/527,040. Occurrences: America/New_York is UTC-5 in winter (EST) and
UTC-4 from 2027-03-14 (EDT); Europe/London is UTC+0 in winter and UTC+1 from 2027-03-28.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from tests.render.conftest import AS_OF, FIXTURE, loaded

from relpolicy.render import graph_export
from relpolicy.render.impact import blast_radius
from relpolicy.render.runbooks import Occurrence, service_page
from relpolicy.render.sla import sla_table, to_csv

POLICY, GRAPH = loaded(FIXTURE)


def page(name: str, as_of: dt.date | None = AS_OF):  # type: ignore[no-untyped-def]
    return service_page(POLICY, GRAPH, name, as_of=as_of)


def budgets(name: str, as_of: dt.date | None) -> dict[str, str]:
    return {slo.name: slo.budget.text for slo in page(name, as_of).slos}


def test_error_budgets_of_rolling_windows() -> None:
    """99.9% of 30 days is 43.2 min; 99% of 4 weeks is 403.2 min = 6h 43m 12s; the SLA 99.5% allows 216 min."""
    shop = page("shop", None)
    assert budgets("shop", None) == {"shop-availability": "43.2 min", "shop-latency": "403.2 min (6h 43m 12s)"}
    availability = shop.slos[0]
    assert (availability.objective, availability.sla) == ("99.9%", "99.5%")
    assert availability.sla_budget is not None
    assert availability.sla_budget.text == "216 min (3h 36m)"
    assert shop.slos[1].indicator == "latency under 300ms"


def test_error_budgets_of_calendar_windows_without_a_date() -> None:
    """Without a date, the range over the period lengths: 0.05% of 28-31 days, 0.5% of 90-92, 1% of 365-366."""
    assert budgets("db", None) == {"db-availability": "20.16-22.32 min (28-31 days)"}
    assert budgets("pay-a", None) == {"pay-a-availability": "648-662.4 min (90-92 days)"}
    assert budgets("mail", None) == {"mail-availability": "5256-5270.4 min (365-366 days)"}


def test_error_budgets_of_calendar_windows_as_of_a_date() -> None:
    """As of 2026-11-26: November has 30 days (21.6 min), Q4 has 92 (662.4 min), 2026 has 365 (5256 min)."""
    assert budgets("db", AS_OF) == {"db-availability": "21.6 min in November 2026 (30 days)"}
    assert budgets("pay-a", AS_OF) == {"pay-a-availability": "662.4 min (11h 2m 24s) in Q4 2026 (92 days)"}
    assert budgets("mail", AS_OF) == {"mail-availability": "5256 min (87h 36m) in 2026 (365 days)"}
    leap = page("db", dt.date(2028, 2, 10)).slos[0].budget
    assert (leap.period, leap.low_minutes) == ("February 2028", Decimal("20.88"))  # 0.05% of 29 x 1440


def test_sla_table_allowed_downtime() -> None:
    """Allowed downtime over 30/90/365 days, at the objective and at the SLA; RTO and RPO as written."""
    rows = {row.name: row for row in sla_table(POLICY, GRAPH).services}
    expected = {
        "shop": ("43.2", "129.6", "525.6"),
        "db": ("21.6", "64.8", "262.8"),
        "pay-a": ("216", "648", "2628"),
        "mail": ("432", "1296", "5256"),
    }
    for name, minutes in expected.items():
        assert tuple(str(d.minutes.normalize()) for d in rows[name].objective_downtime) == tuple(
            str(Decimal(m).normalize()) for m in minutes
        ), name
    assert [d.text for d in rows["shop"].sla_downtime] == [
        "216 min (3h 36m)",
        "648 min (10h 48m)",
        "2628 min (43h 48m)",
    ]
    assert (rows["shop"].rto, rows["shop"].rpo, rows["db"].rto, rows["db"].rpo) == ("1h", "15m", "30m", "5m")
    assert (rows["pay-b"].objective, rows["pay-b"].objective_downtime) == (None, ())
    assert [row.name for row in sla_table(POLICY, GRAPH).services] == ["db", "shop", "pay-a", "pay-b", "mail", "end"]


def test_sla_table_budget_over_the_slos_own_window() -> None:
    """A calendar window allows 28-31 (90-92, 365-366) days' worth, not the 30-day column's; a rolling one its own."""
    rows = {row.name: row for row in sla_table(POLICY, GRAPH).services}
    found = {
        name: (row.window, row.window_budget.low_minutes, row.window_budget.high_minutes, row.window_budget.text)
        for name, row in rows.items()
        if row.window_budget is not None
    }
    assert found == {
        "db": ("month", Decimal("20.16"), Decimal("22.32"), "20.16-22.32 min (28-31 days)"),  # 0.05% x 28 and 31 days
        "shop": ("30d", Decimal("43.2"), Decimal("43.2"), "43.2 min"),
        "pay-a": ("quarter", Decimal("648"), Decimal("662.4"), "648-662.4 min (90-92 days)"),
        "mail": ("year", Decimal("5256"), Decimal("5270.4"), "5256-5270.4 min (365-366 days)"),
    }
    header = to_csv(sla_table(POLICY, GRAPH)).splitlines()[0].split(",")
    assert [name for name in header if "downtime" in name] == [
        "objective_downtime_30d_minutes",
        "objective_downtime_90d_minutes",
        "objective_downtime_365d_minutes",
        "objective_downtime_window_min_minutes",
        "objective_downtime_window_max_minutes",
        "sla_downtime_30d_minutes",
        "sla_downtime_90d_minutes",
        "sla_downtime_365d_minutes",
    ]


def test_next_occurrences_in_winter() -> None:
    """Sundays 02:00 EST are 07:00 UTC; the 1st of the month 03:00 GMT is 03:00 UTC; 22:00 +01:00 is 21:00 UTC."""
    (weekly,) = page("db").windows
    assert weekly.occurrences == (
        Occurrence(
            "Sun 2026-11-29 02:00 EST", "Sun 2026-11-29 03:00 EST", "2026-11-29 07:00 UTC", "2026-11-29 08:00 UTC"
        ),
        Occurrence(
            "Sun 2026-12-06 02:00 EST", "Sun 2026-12-06 03:00 EST", "2026-12-06 07:00 UTC", "2026-12-06 08:00 UTC"
        ),
        Occurrence(
            "Sun 2026-12-13 02:00 EST", "Sun 2026-12-13 03:00 EST", "2026-12-13 07:00 UTC", "2026-12-13 08:00 UTC"
        ),
    )
    (monthly,) = page("shop").windows
    assert [o.start_utc for o in monthly.occurrences] == [
        "2026-12-01 03:00 UTC", "2027-01-01 03:00 UTC", "2027-02-01 03:00 UTC",
    ]  # fmt: skip
    assert monthly.targeted == "selector domain=shop"
    (cutover,) = page("pay-a").windows
    assert cutover.schedule == "Once, at 2026-12-05 22:00 +01:00"
    local = ("Sat 2026-12-05 22:00 +01:00", "Sat 2026-12-05 23:30 +01:00")
    assert cutover.occurrences == (Occurrence(*local, "2026-12-05 21:00 UTC", "2026-12-05 22:30 UTC"),)


def test_next_occurrences_across_daylight_saving() -> None:
    """On 2027-03-14 New York skips 02:00-03:00: 02:00 reads as 03:00 EDT (RFC 5545), still 07:00 UTC;
    a week later 02:00 EDT is 06:00 UTC. London moves to BST on 2027-03-28: 03:00 BST on 1 April is 02:00 UTC."""
    as_of = dt.date(2027, 3, 10)
    (weekly,) = page("db", as_of).windows
    assert [(o.start_local, o.start_utc, o.end_utc) for o in weekly.occurrences] == [
        ("Sun 2027-03-14 03:00 EDT", "2027-03-14 07:00 UTC", "2027-03-14 08:00 UTC"),
        ("Sun 2027-03-21 02:00 EDT", "2027-03-21 06:00 UTC", "2027-03-21 07:00 UTC"),
        ("Sun 2027-03-28 02:00 EDT", "2027-03-28 06:00 UTC", "2027-03-28 07:00 UTC"),
    ]
    (monthly,) = page("shop", as_of).windows
    assert monthly.occurrences[0] == Occurrence(
        "Thu 2027-04-01 03:00 BST", "Thu 2027-04-01 03:30 BST", "2027-04-01 02:00 UTC", "2027-04-01 02:30 UTC"
    )
    (cutover,) = page("pay-a", as_of).windows
    assert cutover.occurrences == ()


def test_no_occurrence_of_recurring_windows_without_a_date() -> None:
    """Without a date a recurring window lists no occurrence; a single one is fixed, so it is listed."""
    assert page("db", None).windows[0].occurrences == ()
    assert len(page("pay-a", None).windows[0].occurrences) == 1


def test_change_freezes_and_their_status() -> None:
    """The peak freeze (selector) is in force on 2026-11-26; the all-hands one (every service) is upcoming."""
    freezes = page("shop").freezes
    assert [(f.name, f.start_utc, f.end_utc, f.status) for f in freezes] == [
        ("peak", "2026-11-20 05:00 UTC", "2027-01-04 05:00 UTC", "in force"),
        ("all-hands", "2027-02-01 09:00 UTC", "2027-02-01 17:00 UTC", "upcoming"),
    ]
    assert [f.name for f in page("db").freezes] == ["all-hands"]
    assert [f.status for f in page("shop", dt.date(2027, 2, 2)).freezes] == ["ended", "ended"]


def test_recovery_and_restore_tests() -> None:
    """db: tested 2026-10-01 every 30d, so due 2026-10-31: overdue by 26 days on 2026-11-26; 3-2-1 met."""
    recovery = page("db").recovery
    assert recovery is not None
    assert (recovery.rto, recovery.rpo, recovery.rule_321) == ("30m", "5m", ())
    assert recovery.backups == "2 copies besides the live data, on disk, tape, offsite, none offline, every 1h"
    test = recovery.restore_test
    assert (test.last, test.every, test.next_due, test.status) == (
        "2026-10-01",
        "30d",
        "2026-10-31",
        "overdue by 26 days",
    )
    assert page("db", dt.date(2026, 10, 30)).recovery.restore_test.status == "due in 1 day"  # type: ignore[union-attr]
    mail = page("mail").recovery
    assert mail is not None
    assert mail.rule_321 == (
        "3 copies in all: 2 counting the live data",
        "2 different media: 1 declared",
        "1 copy offsite: none",
    )
    shop = page("shop").recovery
    assert shop is not None
    assert (shop.restore_test.status, shop.restore_test.every, shop.restore_test.every_source) == (
        "never tested", "90d", "the default",
    )  # fmt: skip


def test_owner_escalation_and_priorities() -> None:
    """Steps in order of delay; the tier-1 shop's outage is P1 (rule 1), a tier-2 outage P2 (rule 2)."""
    shop = page("shop")
    assert shop.escalation is not None
    assert [(s.after, [r.name for r in s.recipients]) for s in shop.escalation.steps] == [
        ("at once", ["web"]),
        ("after 15m", ["Ada Lovelace"]),
        ("after 1h", ["ops", "Cy Ops"]),
    ]
    assert shop.escalation.source == "from the owner, web"
    assert shop.priorities is not None
    assert [(r.impact, r.level, r.response, r.restore, r.picked_by) for r in shop.priorities.rows] == [
        ("outage", "P1", "15m", "4h", "rule 1"),
        ("degraded", "P2", "1h", "1d", "rule 2"),
        ("single-user", "P3", "1d", "scheduled", "the default"),
        ("request", "P3", "1d", "scheduled", "the default"),
    ]
    assert page("pay-a").priorities.rows[0].level == "P2"  # type: ignore[union-attr]
    assert page("end").owner is None


def test_blast_radius() -> None:
    """db down takes shop down and degrades end; one payment processor down only degrades shop."""
    db = blast_radius(GRAPH, "db")
    assert [(a.name, a.because) for a in db.down] == [("shop", ("db",))]
    assert [a.name for a in db.degraded] == ["end"]
    pay = blast_radius(GRAPH, "pay-a")
    assert (pay.down, [a.name for a in pay.degraded]) == ((), ["shop"])


@pytest.mark.parametrize(("service", "depth", "nodes"), [
    ("shop", 0, ["shop"]),
    ("shop", 1, ["db", "mail", "pay-a", "pay-b", "shop"]),
    ("db", 1, ["db", "end", "shop"]),
    ("db", 2, ["db", "end", "shop"]),
    ("pay-a", 2, ["pay-a", "shop"]),
])  # fmt: skip
def test_neighbourhood(service: str, depth: int, nodes: list[str]) -> None:
    """Dependencies down and dependents up to ``depth`` steps, not siblings (shop's other dependencies
    are not pay-a's neighbourhood), and only the edges of those paths."""
    view = graph_export.around(GRAPH, service, depth)
    assert [n.name for n in view.nodes] == nodes
    assert all(e.source in nodes and e.target in nodes for e in view.edges)
    if (service, depth) == ("db", 2):
        assert [(e.source, e.target, e.hard) for e in view.edges] == [("end", "db", False), ("shop", "db", True)]
