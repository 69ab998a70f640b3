"""RP3xx on hand-made graphs: rule id, exact location, and the numbers and path in the message."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from relpolicy.engine import Report
from relpolicy.findings import Severity

HEADER = "apiVersion: relpolicy.dev/v1\n"
TEAMS = f"""\
{HEADER}kind: Team
metadata: {{name: payments}}
spec: {{coverage: always, members: [{{name: Ana Lima, email: ana@example.com}}]}}
---
{HEADER}kind: Team
metadata: {{name: finance}}
spec: {{coverage: office, members: [{{name: Bo Chen, email: bo@example.com}}]}}
---
{HEADER}kind: Calendar
metadata: {{name: office}}
spec:
  timezone: Europe/London
  hours: {{mon: [09:00-17:30], tue: [09:00-17:30], wed: [09:00-17:30], thu: [09:00-17:30], fri: [09:00-17:30]}}
"""


def service(name: str, tier: int = 2, deps: str = "", extra: str = "", owner: str = "payments") -> str:
    """One service document; ``deps`` is a flow list of dependsOn entries."""
    text = f"{HEADER}kind: Service\nmetadata: {{name: {name}}}\nspec:\n  description: {name}.\n  tier: {tier}\n"
    text += f"  owner: {owner}\n"
    if deps:
        text += f"  dependsOn: {deps}\n"
    return text + extra + "---\n"


def slo(name: str, objective: str) -> str:
    return (
        f"{HEADER}kind: SLO\nmetadata: {{name: {name}-availability}}\nspec:\n  service: {name}\n"
        f"  indicator: {{type: availability}}\n  objective: {objective}\n---\n"
    )


def findings(report: Report, rule_id: str) -> list[tuple[str, int, int, str]]:
    return [
        (f.location.path.rsplit("/", 1)[-1], f.location.line, f.location.col, f.message)
        for f in report.findings
        if f.rule_id == rule_id
    ]


@pytest.fixture
def run(write_policy: Callable[..., Path], run_check: Callable[[Path], Report]) -> Callable[..., Report]:
    def check(**files: str) -> Report:
        write_policy(TEAMS, "teams.yaml")
        root = None
        for name, text in files.items():
            root = write_policy(text, f"{name}.yaml")
        assert root is not None
        return run_check(root)

    return check


def test_hard_cycle_is_reported_once_with_the_whole_loop(run: Callable[..., Report]) -> None:
    report = run(
        a=service("a", deps="[{service: b}]"),
        b=service("b", deps="[{service: c}]"),
        c=service("c", deps="[{service: a}]"),
    )
    assert findings(report, "RP301") == [("a.yaml", 8, 15, "hard dependency cycle: a -> b -> c -> a")]
    (finding,) = [f for f in report.findings if f.rule_id == "RP301"]
    assert finding.severity is Severity.ERROR
    assert [(r.location.path.rsplit("/", 1)[-1], r.location.line, r.message) for r in finding.related] == [
        ("b.yaml", 8, "b depends on c"),
        ("c.yaml", 8, "c depends on a"),
    ]


def test_cycle_through_a_soft_link_is_a_warning(run: Callable[..., Report]) -> None:
    report = run(a=service("a", deps="[{service: b}]"), b=service("b", deps="[{service: a, type: soft}]"))
    assert findings(report, "RP301") == [("a.yaml", 8, 15, "dependency cycle through a soft dependency: a -> b -> a")]
    assert {f.severity for f in report.findings if f.rule_id == "RP301"} == {Severity.WARNING}


def test_self_dependency_is_a_cycle(run: Callable[..., Report]) -> None:
    report = run(a=service("a", deps="[{service: a}]"))
    assert findings(report, "RP301") == [("a.yaml", 8, 15, "hard dependency cycle: a -> a")]


def test_tier_inversion_points_at_the_entry(run: Callable[..., Report]) -> None:
    report = run(
        a=service("a", tier=1, deps="[{service: b}, {anyOf: [c, d]}, {service: e, type: soft}]"),
        b=service("b", tier=3),
        c=service("c", tier=2),
        d=service("d", tier=1),
        e=service("e", tier=4),
    )
    assert findings(report, "RP302") == [
        (
            "a.yaml",
            8,
            15,
            "a (tier 1) hard-depends on a less critical tier: b (tier 3) is less critical; "
            "raise it to tier 1 or make the dependency soft",
        )
    ]


def test_infeasible_availability_shows_the_product_and_anyof(run: Callable[..., Report]) -> None:
    report = run(
        checkout=service("checkout", deps="[{service: pay}, {anyOf: [p1, p2]}]") + slo("checkout", "99.95"),
        pay=service("pay") + slo("pay", "99.95"),
        p1=service("p1") + slo("p1", "99.9"),
        p2=service("p2") + slo("p2", "99"),
    )
    # 99.95% x (1 - 0.001 x 0.01) = 99.95% x 99.999% = 99.94000...%
    assert findings(report, "RP303") == [
        (
            "checkout.yaml",
            16,
            14,
            "checkout promises 99.95% availability but its hard dependencies allow at most 99.94%: "
            "pay 99.95% x anyOf(p1 99.90% | p2 99%) 99.99%",
        )
    ]


def test_availability_propagates_through_a_service_without_an_objective(run: Callable[..., Report]) -> None:
    report = run(
        top=service("top", deps="[{service: middle}]") + slo("top", "99.9"),
        middle=service("middle", deps="[{service: db}]"),
        db=service("db") + slo("db", "99.5"),
    )
    assert findings(report, "RP303") == [
        (
            "top.yaml",
            16,
            14,
            "top promises 99.90% availability but its hard dependencies allow at most 99.50%: middle 99.50%",
        )
    ]


def test_unreachable_restore_target_shows_the_path(run: Callable[..., Report]) -> None:
    rto = "  recovery: {{rto: {}}}\n"
    report = run(
        checkout=service("checkout", deps="[{service: orders}]", extra=rto.format("1h")),
        orders=service("orders", deps="[{service: db}, {anyOf: [r1, r2]}]", extra=rto.format("30m")),
        db=service("db", extra=rto.format("4h")),
        r1=service("r1", extra=rto.format("8h")),
        r2=service("r2", extra=rto.format("2h")),
    )
    assert findings(report, "RP304") == [
        (
            "checkout.yaml",
            9,
            19,
            "checkout must be restored within 1h but it hard-depends on db, whose RTO is 4h: checkout -> orders -> db",
        ),
        (
            "orders.yaml",
            9,
            19,
            "orders must be restored within 30m but it hard-depends on db, whose RTO is 4h: orders -> db",
        ),
    ]


def test_coverage_gap_names_the_team_and_its_calendar(run: Callable[..., Report]) -> None:
    report = run(
        checkout=service("checkout", deps="[{service: api}]"),
        api=service("api", deps="[{service: erp}]"),
        erp=service("erp", owner="finance"),
    )
    assert findings(report, "RP305") == [
        (
            "api.yaml",
            7,
            10,
            "api is supported around the clock (always) but hard-depends on erp, whose owner finance works "
            "office hours (42h30 a week): api -> erp",
        ),
        (
            "checkout.yaml",
            7,
            10,
            "checkout is supported around the clock (always) but hard-depends on erp, whose owner finance works "
            "office hours (42h30 a week): checkout -> api -> erp",
        ),
    ]


def test_single_point_of_failure_counts_tier1_dependents_not_anyof(run: Callable[..., Report]) -> None:
    report = run(
        auth=service("auth", tier=1),
        a=service("a", tier=1, deps="[{service: auth}]"),
        b=service("b", tier=1, deps="[{service: a}]"),
        c=service("c", tier=1, deps="[{anyOf: [auth, backup]}]"),
        backup=service("backup", tier=1),
        d=service("d", tier=2, deps="[{service: auth}]"),
    )
    assert findings(report, "RP306") == []
    report = run(e=service("e", tier=1, deps="[{service: auth}]"))
    assert findings(report, "RP306") == [
        (
            "auth.yaml",
            3,
            18,
            "auth is a single point of failure: 3 tier-1 services hard-depend on it (a, b, e); "
            "its outage takes down 4 service(s) and degrades 1 more",  # c loses its redundancy
        )
    ]


def test_unknown_dependency_availability_only_for_tiers_1_and_2(run: Callable[..., Report]) -> None:
    report = run(
        a=service("a", tier=2, deps="[{service: b}, {service: c}]"),
        b=service("b", tier=2),
        c=service("c", tier=2) + slo("c", "99.9"),
        d=service("d", tier=3, deps="[{service: b}]"),
    )
    assert findings(report, "RP307") == [
        (
            "a.yaml",
            8,
            15,
            "a (tier 2) hard-depends on b, which has no availability SLO: what a can promise cannot be checked",
        )
    ]


def test_declared_facts_exist_on_the_graph() -> None:
    """A rule's `facts` name real ServiceGraph attributes (they are what docs/rules.md shows):
    methods and cached facts of the class, or the data every graph is built with."""
    from relpolicy.graph import ServiceGraph
    from relpolicy.rules import RULES

    for rule in RULES:
        for fact in rule.facts:
            assert hasattr(ServiceGraph, fact) or fact in ServiceGraph.__annotations__, (rule.id, fact)
    from relpolicy.policy import PolicySet

    assert set(ServiceGraph.__annotations__) <= set(vars(ServiceGraph(PolicySet())))


# --- Issue 14: a service shared below several hard dependencies counts once --------------------


def test_a_dependency_shared_below_two_counts_once(run: Callable[..., Report]) -> None:
    """a -> b -> d and a -> c -> d at 99.9% each: b's and c's downtime can all be d's, so a can reach 99.9%."""
    files = {
        "b": service("b", deps="[{service: d}]") + slo("b", "99.9"),
        "c": service("c", deps="[{service: d}]") + slo("c", "99.9"),
        "d": service("d") + slo("d", "99.9"),
    }
    report = run(a=service("a", deps="[{service: b}, {service: c}]") + slo("a", "99.85"), **files)
    assert findings(report, "RP303") == []
    report = run(a=service("a", deps="[{service: b}, {service: c}]") + slo("a", "99.95"), **files)
    assert findings(report, "RP303") == [
        (
            "a.yaml",
            16,
            14,
            "a promises 99.95% availability but its hard dependencies allow at most 99.90%: b 99.90% x c 99.90%; "
            "counted once: d 99.90% (needed by b and c)",
        )
    ]
    (finding,) = [f for f in report.findings if f.rule_id == "RP303"]
    assert [(r.location.path.rsplit("/", 1)[-1], r.location.line, r.message) for r in finding.related] == [
        ("a.yaml", 8, "depends on b"),
        ("a.yaml", 8, "depends on c"),
        ("d.yaml", 3, "d 99.90%, needed by b and c"),
    ]


def test_a_dependency_every_alternative_needs_bounds_the_group(run: Callable[..., Report]) -> None:
    """a -> anyOf[b, c], both on d at 99.9%: the redundancy cannot lift a above d."""
    report = run(
        a=service("a", deps="[{anyOf: [b, c]}]") + slo("a", "99.95"),
        b=service("b", deps="[{service: d}]"),
        c=service("c", deps="[{service: d}]"),
        d=service("d") + slo("d", "99.9"),
    )
    assert findings(report, "RP303") == [
        (
            "a.yaml",
            16,
            14,
            "a promises 99.95% availability but its hard dependencies allow at most 99.90%: "
            "anyOf(b 99.90% | c 99.90%) 99.90%; counted once: d 99.90% (needed by b and c)",
        )
    ]


def test_a_dependency_every_alternative_needs_is_a_single_point_of_failure(run: Callable[..., Report]) -> None:
    """Three tier-1 services each with anyOf[b, c], where b and c both need d: d takes all three down."""
    group = "[{anyOf: [b, c]}]"
    report = run(
        a1=service("a1", tier=1, deps=group),
        a2=service("a2", tier=1, deps=group),
        a3=service("a3", tier=1, deps=group),
        b=service("b", deps="[{service: d}]"),
        c=service("c", deps="[{service: d}]"),
        d=service("d", tier=1),
    )
    assert findings(report, "RP306") == [
        (
            "d.yaml",
            3,
            18,
            "d is a single point of failure: 3 tier-1 services hard-depend on it (a1, a2, a3); "
            "its outage takes down 5 service(s) and degrades 0 more",
        )
    ]


def test_orders_api_may_promise_what_orders_db_and_inventory_allow_together(tmp_path: Path) -> None:
    """In policies/, orders-api needs orders-db directly and through inventory: 99.945% is feasible."""
    import shutil

    from relpolicy.engine import check

    root = tmp_path / "policies"
    shutil.copytree(Path(__file__).parents[2] / "policies", root)
    orders = root / "services" / "orders-api.yaml"
    text = orders.read_text(encoding="utf-8")
    assert text.count("objective: 99.9\n") == 1
    orders.write_text(text.replace("objective: 99.9\n", "objective: 99.945\n"), encoding="utf-8")
    report = check([root], as_of=dt.date(2026, 11, 2), base=tmp_path)
    assert findings(report, "RP303") == []
    orders.write_text(text.replace("objective: 99.9\n", "objective: 99.951\n"), encoding="utf-8")
    report = check([root], as_of=dt.date(2026, 11, 2), base=tmp_path)
    assert [(f[0], f[3]) for f in findings(report, "RP303")] == [
        (
            "orders-api.yaml",
            "orders-api promises 99.951% availability but its hard dependencies allow at most 99.950%: "
            "orders-db 99.990% x inventory 99.950%; counted once: orders-db 99.990% (also needed by inventory)",
        )
    ]


def test_above_the_size_limit_the_ceiling_is_a_bound_and_says_so(run: Callable[..., Report]) -> None:
    """A chain of 205 services is above REACH_LIMIT: a's ceiling is an upper bound, still above nothing it allows."""
    from relpolicy.graph import REACH_LIMIT

    length = REACH_LIMIT + 5
    chain = "".join(service(f"x{i}", deps=f"[{{service: x{i + 1}}}]") for i in range(length))
    report = run(
        a=service("a", deps="[{service: x0}, {service: y}]") + slo("a", "99.95"),
        y=service("y", deps=f"[{{service: x{length}}}]"),
        chain=chain + service(f"x{length}") + slo(f"x{length}", "99.9"),
    )
    assert findings(report, "RP303") == [
        (
            "a.yaml",
            16,
            14,
            "a promises 99.95% availability but its hard dependencies allow at most 99.90% (an upper bound: they "
            "share too many services to count each once): x0 99.90% x y 99.90%",
        )
    ]
