"""RP4xx SLO rules: locations, whole messages, error-budget arithmetic and the edge cases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.conftest import AS_OF, REPO
from tests.rules.policies import PRIORITIES, TEAM

from relpolicy.engine import Report, check
from relpolicy.model.types import format_duration
from relpolicy.rules.slo import percent, yearly_error_budget

Run = Callable[..., Report]


def slo(
    objective: str,
    *,
    name: str = "checkout-availability",
    service: str = "checkout",
    indicator: str = "{type: availability}",
    window: str = "30d",
    sla: str | None = None,
) -> str:
    """An SLO document: objective on line 7, timeWindow on 8, sla (when given) on 9."""
    return (
        "apiVersion: relpolicy.dev/v1\n"
        "kind: SLO\n"
        f"metadata: {{name: {name}}}\n"
        "spec:\n"
        f"  service: {service}\n"
        f"  indicator: {indicator}\n"
        f"  objective: {objective}\n"
        f"  timeWindow: {window}\n" + (f"  sla: {sla}\n" if sla is not None else "")
    )


def service(*, tier: int = 1, name: str = "checkout", rto: str | None = None, labels: str = "") -> str:
    """A service document: its name on line 3 (column 18 for `checkout`), the rto on line 9."""
    recovery = f"  recovery:\n    rto: {rto}\n    lastRestoreTest: 2026-10-27\n" if rto else ""
    meta = f"{{name: {name}, labels: {labels}}}" if labels else f"{{name: {name}}}"
    return (
        "apiVersion: relpolicy.dev/v1\n"
        "kind: Service\n"
        f"metadata: {meta}\n"
        "spec:\n"
        "  description: Takes orders.\n"
        f"  tier: {tier}\n"
        "  owner: payments\n" + recovery
    )


@pytest.fixture
def run(write_policy: Callable[..., Path], run_check: Callable[[Path], Report]) -> Run:
    """Write the documents to policy.yaml (team and priorities in files of their own) and check them."""

    def go(*documents: str, priorities: str | None = PRIORITIES) -> Report:
        write_policy(TEAM, "team.yaml")
        if priorities is not None:
            write_policy(priorities, "priorities.yaml")
        return run_check(write_policy("---\n".join(documents)))

    return go


def found(report: Report, rule_id: str) -> list[tuple[str, str]]:
    """(file:line:col, message) of each finding of one rule."""
    return [(str(f.location), f.message) for f in report.findings if f.rule_id == rule_id]


def related(report: Report, rule_id: str) -> list[list[tuple[str, str]]]:
    """The related locations of each finding of one rule."""
    return [[(str(r.location), r.message) for r in f.related] for f in report.findings if f.rule_id == rule_id]


# --- RP401 missing-slo ----------------------------------------------------------------------------


def test_rp401_only_a_latency_slo(run: Run) -> None:
    """A tier-1 service whose only SLO measures latency: reported on its name, the SLO related."""
    latency = slo("99.0", name="checkout-latency", indicator="{type: latency, threshold: 800ms}")
    report = run(service(), latency)
    assert found(report, "RP401") == [
        (
            "policies/policy.yaml:3:18",
            "checkout is tier 1 but has no availability SLO: its error budget, and what services that depend on it "
            "can promise, cannot be checked; its SLOs measure something else: checkout-latency (latency)",
        )
    ]
    assert related(report, "RP401") == [[("policies/policy.yaml:14:14", "checkout-latency measures latency")]]


def test_rp401_tier2_with_no_slo_at_all(run: Run) -> None:
    """No SLO at all: the message has nothing else to list, and nothing is related."""
    report = run(service(tier=2), slo("99.9", name="cart-availability", service="cart"), service(name="cart"))
    assert found(report, "RP401") == [
        (
            "policies/policy.yaml:3:18",
            "checkout is tier 2 but has no availability SLO: its error budget, and what services that depend on it "
            "can promise, cannot be checked",
        )
    ]
    assert related(report, "RP401") == [[]]


@pytest.mark.parametrize(
    ("tier", "documents"),
    [(3, ()), (4, ()), (1, (slo("99.9"),)), (2, (slo("99.5", window="quarter"),))],
    ids=["tier-3", "tier-4", "tier-1-with-slo", "tier-2-with-slo"],
)
def test_rp401_passes(run: Run, tier: int, documents: tuple[str, ...]) -> None:
    """Tiers 3-4 need no SLO; tiers 1-2 with an availability SLO have one."""
    assert found(run(service(tier=tier), *documents), "RP401") == []


# --- RP402 sla-stricter-than-slo ---------------------------------------------------------------


def test_rp402_sla_above_objective(run: Run) -> None:
    """An SLA of 99.95% over an objective of 99.9%: reported on the sla, the objective related."""
    report = run(slo("99.9", sla="99.95"), service())
    assert found(report, "RP402") == [
        (
            "policies/policy.yaml:9:8",
            "checkout-availability promises customers 99.95% (sla) but aims for only 99.9% (objective) over a "
            "rolling 30d: the SLA is breached while the internal error budget is not yet spent; set the SLA at or "
            "below the objective",
        )
    ]
    assert related(report, "RP402") == [[("policies/policy.yaml:7:14", "objective 99.9%")]]


def test_rp402_any_indicator_and_calendar_window(run: Run) -> None:
    """A latency SLO is held to the same rule; calendar windows are named as such."""
    latency = slo("99.0", indicator="{type: latency, threshold: 800ms}", window="quarter", sla="99.50")
    assert [m for _, m in found(run(latency, service()), "RP402")] == [
        "checkout-availability promises customers 99.5% (sla) but aims for only 99% (objective) over each calendar "
        "quarter: the SLA is breached while the internal error budget is not yet spent; set the SLA at or below "
        "the objective"
    ]


@pytest.mark.parametrize("sla", [None, "99.9", "99.90", "99.5"], ids=["none", "equal", "equal-written-apart", "lower"])
def test_rp402_passes(run: Run, sla: str | None) -> None:
    """No SLA, an SLA equal to the objective, or a looser one: nothing to report."""
    assert found(run(slo("99.9", sla=sla), service()), "RP402") == []


# --- RP404 budget-below-restore-target ---------------------------------------------------------


@pytest.mark.parametrize(
    ("objective", "seconds", "shown"),
    [
        ("99.99", Decimal("3153.6"), "52m33s"),
        ("99.95", Decimal(15768), "4h22m48s"),
        ("99.9", Decimal(31536), "8h45m36s"),
        ("99.5", Decimal(157680), "1d19h48m"),
        ("99", Decimal(315360), "3d15h36m"),
        ("90", Decimal(3153600), "36d12h"),
    ],
)
def test_yearly_error_budget_hand_table(objective: str, seconds: Decimal, shown: str) -> None:
    """Hand-checked: (100 - objective)% of 365 days, exactly, and as the message shows it."""
    budget = yearly_error_budget(Decimal(objective))
    assert budget == seconds
    assert format_duration(dt.timedelta(seconds=int(budget))) == shown


@given(
    st.decimals(min_value="0.001", max_value="99.999", places=3),
    st.decimals(min_value="0.001", max_value="99.999", places=3),
)
def test_yearly_error_budget_shrinks_as_the_objective_rises(a: Decimal, b: Decimal) -> None:
    """A stricter objective never allows more downtime, and the budget stays within the year."""
    low, high = sorted((a, b))
    assert yearly_error_budget(high) <= yearly_error_budget(low)
    assert 0 < yearly_error_budget(high) < 365 * 86400


def test_rp404_budget_below_the_services_rto(run: Run) -> None:
    """99.99% allows 52m33s a year; a 2h RTO spends it in one outage. Reported on the objective."""
    report = run(slo("99.99"), service(rto="2h"))
    assert found(report, "RP404") == [
        (
            "policies/policy.yaml:7:14",
            "checkout-availability allows 52m33s of downtime a year at 99.99% (0.01% of 365 days), less "
            "than the 2h RTO of checkout: a single outage restored on target spends more than a year's error budget",
        )
    ]
    assert related(report, "RP404") == [[("policies/policy.yaml:18:10", "checkout RTO 2h")]]


def test_rp404_without_rto_the_level_target_counts(run: Run) -> None:
    """No RTO: the 4h target of P1, which a tier-1 outage maps to, is longer than 52m33s."""
    report = run(slo("99.99"), service())
    assert found(report, "RP404") == [
        (
            "policies/policy.yaml:7:14",
            "checkout-availability allows 52m33s of downtime a year at 99.99% (0.01% of 365 days), less "
            "than the 4h restore target of P1 (24x7), the level a tier-1 outage of checkout maps to (PriorityPolicy "
            "default, rule 1): a single outage restored on target spends more than a year's error budget",
        )
    ]
    assert related(report, "RP404") == [
        [
            ("policies/priorities.yaml:6:83", "P1 restore target 4h"),
            ("policies/priorities.yaml:11:7", "maps a tier-1 outage of checkout to P1"),
        ]
    ]


def test_rp404_business_clock_level(run: Run) -> None:
    """P2's 8 working hours are at least 8h of downtime, more than 99.95%'s 4h22m48s a year."""
    report = run(slo("99.95"), service(tier=2))
    assert [m for _, m in found(report, "RP404")] == [
        "checkout-availability allows 4h22m48s of downtime a year at 99.95% (0.05% of 365 days), less "
        "than the 8h restore target of P2 (working time on the office clock), the level a tier-2 outage of checkout "
        "maps to (PriorityPolicy default, rule 2): a single outage restored on target spends more than a year's "
        "error budget"
    ]


@pytest.mark.parametrize(("rto", "reported"), [("3d15h36m", False), ("3d15h37m", True)])
def test_rp404_boundary(run: Run, rto: str, reported: bool) -> None:
    """99% allows exactly 3d15h36m a year: an RTO of exactly that fits, a minute more does not."""
    assert bool(found(run(slo("99"), service(rto=rto)), "RP404")) is reported


def test_rp404_each_availability_slo_on_its_own(run: Run) -> None:
    """Of two availability SLOs only the one whose budget is too small is reported; latency SLOs are not."""
    strict = slo("99.99", name="checkout-availability-eu")
    loose = slo("99.9", name="checkout-availability-us")
    latency = slo("99.0", name="checkout-latency", indicator="{type: latency, threshold: 800ms}")
    report = run(strict, loose, latency, service(rto="1h"))
    assert [(loc, m.split(" allows")[0]) for loc, m in found(report, "RP404")] == [
        ("policies/policy.yaml:7:14", "checkout-availability-eu")
    ]
    both = run(strict, slo("99.95", name="checkout-availability-us"), latency, service(rto="5h"))
    assert [m.split(" allows")[0] for _, m in found(both, "RP404")] == [
        "checkout-availability-eu",
        "checkout-availability-us",
    ]


@pytest.mark.parametrize(
    ("documents", "priorities"),
    [
        ((slo("99.99"), service(tier=3, labels="{site: warehouse}")), PRIORITIES),
        ((slo("99.99"), service()), None),
        ((slo("99.99", service="nowhere"),), PRIORITIES),
        ((slo("99.99"), service(rto="30m")), PRIORITIES),
    ],
    ids=["scheduled-level", "no-priority-policy", "unknown-service", "rto-within-budget"],
)
def test_rp404_passes(run: Run, documents: tuple[str, ...], priorities: str | None) -> None:
    """A scheduled level, no applicable policy, an unknown service (RP201) or a fast RTO: nothing to report."""
    assert found(run(*documents, priorities=priorities), "RP404") == []


def test_rp404_own_rto_wins_over_the_level(run: Run) -> None:
    """A declared RTO shorter than the level's target is what one outage costs."""
    assert found(run(slo("99.95"), service(tier=2, rto="4h")), "RP404") == []


def test_percent_is_shown_as_written() -> None:
    """Objectives are never rounded in messages: 99.995 stays 99.995%."""
    assert [percent(Decimal(v)) for v in ("99.995", "99.90", "99", "0.05")] == ["99.995%", "99.9%", "99%", "0.05%"]


def test_example_organisation_is_clean() -> None:
    """The example organisation keeps every SLO rule quiet."""
    report = check([REPO / "policies"], as_of=AS_OF, base=REPO)
    assert [f for f in report.findings if f.rule_id.startswith("RP4")] == []
