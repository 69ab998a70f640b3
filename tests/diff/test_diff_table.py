"""The classification table: hand-checked cases, symmetry, and the copy in docs/diff.md."""

from __future__ import annotations

from decimal import Decimal

import pytest
from tests.conftest import REPO

from relpolicy.diff.table import RULES, Effect, classify, markdown_table, rule_for

D = Decimal
CASES = [
    # (category, kind, aspect, old rank, new rank, expected); None: the side has no such fact
    ("field", "SLO", "spec.objective", D("99.95"), D("99.9"), Effect.WEAKENS),
    ("field", "SLO", "spec.objective", D("99.9"), D("99.95"), Effect.STRENGTHENS),
    ("field", "SLO", "spec.sla", D("99.5"), None, Effect.WEAKENS),
    ("field", "Service", "spec.recovery.rto", D(1800), D(7200), Effect.WEAKENS),
    ("field", "Service", "spec.recovery.rto", None, D(7200), Effect.STRENGTHENS),
    ("field", "Service", "spec.recovery.backups.copies", D(3), None, Effect.WEAKENS),
    ("field", "Service", "spec.recovery.backups.offsite", D(1), D(0), Effect.WEAKENS),
    ("field", "Service", "spec.dependsOn[recommendations]", None, D(1), Effect.WEAKENS),
    ("field", "Service", "spec.dependsOn[recommendations]", None, D(0), Effect.NEUTRAL),
    ("field", "Service", "spec.dependsOn[anyOf a|b]", D(1), D(0), Effect.STRENGTHENS),
    ("field", "Service", "spec.owner", None, None, Effect.NEUTRAL),
    ("field", "PriorityPolicy", "spec.levels[P2].restore", D(28800), D("Infinity"), Effect.WEAKENS),
    ("field", "PriorityPolicy", "spec.levels[P1].clock", D(10080), D(2400), Effect.WEAKENS),
    ("field", "EscalationPolicy", "spec.steps[3]", D(1), None, Effect.WEAKENS),
    ("resource", "SLO", "exists", None, D(1), Effect.STRENGTHENS),
    ("resource", "Service", "exists", D(1), None, Effect.NEUTRAL),
    ("error budget", "SLO", "error budget", D("0.0005"), D("0.001"), Effect.WEAKENS),
    ("error budget", "SLO", "error budget", None, D("0.001"), Effect.NEUTRAL),
    ("ceiling", "Service", "availability ceiling", D("99.9"), D("99.85"), Effect.WEAKENS),
    ("blast radius", "Service", "tier-1 dependents", D(2), D(3), Effect.WEAKENS),
    ("single point of failure", "Service", "single point of failure", None, D(1), Effect.WEAKENS),
    ("priority", "PriorityPolicy", "tier 2 x outage", D(2), D(3), Effect.WEAKENS),
    ("maintenance", "SLO", "planned downtime (orders-db)", D(3600), D(7200), Effect.WEAKENS),
    ("freeze", "MaintenanceWindow", "in change freeze holiday", None, D(1), Effect.WEAKENS),
    ("coverage", "Service", "support coverage", D(10080), D(2400), Effect.WEAKENS),
    ("coverage", "Service", "support coverage", D(10080), None, Effect.NEUTRAL),
]


@pytest.mark.parametrize(("category", "kind", "aspect", "old", "new", "expected"), CASES)
def test_hand_checked_cases(
    category: str, kind: str, aspect: str, old: Decimal | None, new: Decimal | None, expected: Effect
) -> None:
    """Each case is classified as the issue says (and its reverse as the mirror)."""
    rule = rule_for(category, kind, aspect)
    forward = classify(rule, old, new, old_absent=old is None, new_absent=new is None)
    backward = classify(rule, new, old, old_absent=new is None, new_absent=old is None)
    assert (forward, backward) == (expected, expected.mirrored())


def test_brackets_in_key_paths_are_literal() -> None:
    """`spec.steps[*]` matches `spec.steps[3]`, not `spec.steps3` (brackets are not a character class)."""
    assert rule_for("field", "EscalationPolicy", "spec.steps[3]").aspect == "spec.steps[*]"
    assert rule_for("field", "EscalationPolicy", "spec.steps3").aspect == "*"


def test_every_category_has_a_row() -> None:
    """Every category the diff reports is in the table."""
    from relpolicy.diff.compare import CATEGORIES

    assert {row.category for row in RULES} == set(CATEGORIES)


def test_docs_show_the_table_the_code_applies() -> None:
    """docs/diff.md holds the table exactly as :data:`RULES` renders."""
    docs = (REPO / "docs" / "diff.md").read_text(encoding="utf-8")
    inside = docs.split("<!-- rules:start -->\n", 1)[1].split("<!-- rules:end -->", 1)[0]
    assert inside == markdown_table()
