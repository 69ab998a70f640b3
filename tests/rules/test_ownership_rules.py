"""RP8xx: missing owner, missing runbook, patch policy and orphan services."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

import pytest
from tests.conftest import AS_OF, REPO

from relpolicy.config import Settings, Thresholds
from relpolicy.engine import Report, check, run_rules
from relpolicy.model.build import build
from relpolicy.policy import PolicySet, assemble
from relpolicy.rules import RULES
from relpolicy.source.loader import discover, load

Check = Callable[[str], Report]
P = "policies/policy.yaml"

TEAM = """\
apiVersion: relpolicy.dev/v1
kind: Team
metadata: {name: payments}
spec:
  coverage: always
  members: [{name: Ana Lima, email: ana@example.com}]
"""

RUNBOOK = "runbook: {restore: [Roll back the last release.]}"
PATCHING = "patching: {cadence: 14d, emergencyWithin: 48h}"


def service(name: str, tier: int, *extra: str, owner: str | None = "payments") -> str:
    """A service document: `spec` on line 4, `tier` on line 6, then `owner` and ``extra`` lines."""
    lines = [
        "apiVersion: relpolicy.dev/v1",
        "kind: Service",
        f"metadata: {{name: {name}}}",
        "spec:",
        f"  description: The {name} service.",
        f"  tier: {tier}",
        *([f"  owner: {owner}"] if owner is not None else []),
        *(f"  {line}" for line in extra),
    ]
    return "\n".join(lines) + "\n"


def docs(*documents: str) -> str:
    """Documents joined into one file."""
    return "---\n".join(documents)


@pytest.fixture
def run(write_policy: Callable[..., Path], run_check: Callable[[Path], Report]) -> Check:
    """Check one policy file written from text."""
    return lambda text: run_check(write_policy(text))


def found(report: Report, *rule_ids: str) -> list[tuple[str, str, str]]:
    """The findings of ``rule_ids`` as (rule id, file:line:col, message)."""
    return [(f.rule_id, str(f.location), f.message) for f in report.findings if f.rule_id in rule_ids]


def related(report: Report, rule_id: str) -> list[list[tuple[str, str]]]:
    """The related locations of each finding of ``rule_id``."""
    return [[(str(r.location), r.message) for r in f.related] for f in report.findings if f.rule_id == rule_id]


# --- RP801 missing-owner -------------------------------------------------------------------------


def test_a_service_without_owner(run: Check) -> None:
    """No `owner`: reported at the `spec` key, whatever the tier."""
    report = run(docs(service("gift-cards", 3, "customerFacing: true", owner=None), TEAM))
    assert found(report, "RP801") == [
        (
            "RP801",
            f"{P}:4:1",
            "gift-cards (tier 3) has no owner: nobody is accountable for it or paged when it breaks; "
            "set spec.owner to the team that answers for it",
        )
    ]


def test_an_owner_that_is_no_team_is_rp201_only(run: Check) -> None:
    """A misspelt owner is a dangling reference, not a missing owner; a known owner passes."""
    report = run(docs(service("gift-cards", 3, owner="paymnts"), service("vouchers", 3), TEAM))
    assert [f[:2] for f in found(report, "RP201", "RP801")] == [("RP201", f"{P}:7:10")]


# --- RP802 missing-runbook -----------------------------------------------------------------------


def test_a_critical_service_without_runbook(run: Check) -> None:
    """No runbook at all: reported at `spec`, with the tier as related."""
    report = run(docs(service("checkout", 1), TEAM))
    assert found(report, "RP802") == [
        (
            "RP802",
            f"{P}:4:1",
            "checkout (tier 1) has no runbook: the engineer on call has nothing to follow to bring it back; "
            "add runbook.restore steps",
        )
    ]
    assert related(report, "RP802") == [[(f"{P}:6:9", "tier 1")]]


@pytest.mark.parametrize(
    ("runbook", "where"),
    [
        ("runbook: {diagnose: [Check the dashboard.]}", "8:3"),
        ("runbook: {restore: [], diagnose: [Check the dashboard.]}", "8:22"),
    ],
    ids=["no-restore-key", "empty-restore"],
)
def test_a_runbook_without_restore_steps(run: Check, runbook: str, where: str) -> None:
    """A runbook with no restore steps is reported at `runbook` (or its empty `restore`)."""
    assert found(run(docs(service("refunds", 2, runbook), TEAM)), "RP802") == [
        (
            "RP802",
            f"{P}:{where}",
            "refunds (tier 2) has a runbook without restore steps: the engineer on call has nothing to follow to "
            "bring it back; add runbook.restore steps",
        )
    ]


def test_restore_steps_or_a_low_tier_pass(run: Check) -> None:
    """Restore steps satisfy the rule; tier 3-4 services need none."""
    report = run(docs(service("checkout", 1, RUNBOOK), service("reports", 3), service("printers", 4), TEAM))
    assert found(report, "RP802") == []


# --- RP803 patch-policy --------------------------------------------------------------------------


def test_a_critical_service_without_patch_policy(run: Check) -> None:
    """No `patching` block: one finding at `spec`, with the tier as related."""
    report = run(docs(service("checkout", 1), TEAM))
    assert found(report, "RP803") == [
        (
            "RP803",
            f"{P}:4:1",
            "checkout (tier 1) has no patch policy: set patching.cadence (at most 31d) and "
            "patching.emergencyWithin for known-exploited vulnerabilities",
        )
    ]
    assert related(report, "RP803") == [[(f"{P}:6:9", "tier 1")]]


def test_a_slow_cadence_and_no_emergency_path(run: Check) -> None:
    """A 90d cadence is reported at its value, the missing emergency path at `patching`."""
    report = run(docs(service("checkout", 2, "patching:", "  cadence: 90d"), TEAM))
    assert found(report, "RP803") == [
        (
            "RP803",
            f"{P}:8:3",
            "checkout (tier 2) has no emergency patch path: set patching.emergencyWithin (such as 48h) so that "
            "known-exploited vulnerabilities do not wait for the next regular patch",
        ),
        (
            "RP803",
            f"{P}:9:14",
            "checkout (tier 2) is patched every 90d, longer than the 31d maximum for tier 1-2 services",
        ),
    ]


def test_an_emergency_path_without_a_regular_cadence(run: Check) -> None:
    """Only `emergencyWithin`: the missing cadence is reported at `patching`."""
    report = run(docs(service("checkout", 1, "patching: {emergencyWithin: 24h}"), TEAM))
    assert found(report, "RP803") == [
        ("RP803", f"{P}:8:3", "checkout (tier 1) has no regular patch cadence: set patching.cadence to at most 31d")
    ]


@pytest.mark.parametrize(
    ("cadence", "shown"),
    [("31d", None), ("4w", None), ("32d", "32d"), ("5w", "5w")],
)
def test_the_cadence_limit_is_inclusive(run: Check, cadence: str, shown: str | None) -> None:
    """Exactly 31 days (or four weeks) passes; a day more fails."""
    text = docs(service("checkout", 1, f"patching: {{cadence: {cadence}, emergencyWithin: 48h}}"), TEAM)
    message = f"checkout (tier 1) is patched every {shown}, longer than the 31d maximum for tier 1-2 services"
    assert found(run(text), "RP803") == ([] if shown is None else [("RP803", f"{P}:8:23", message)])


def test_the_cadence_limit_is_configurable(write_policy: Callable[..., Path]) -> None:
    """With maxPatchCadence 14d, a monthly cadence is too slow."""
    root = write_policy(docs(service("checkout", 1, "patching: {cadence: 30d, emergencyWithin: 48h}"), TEAM))
    settings = Settings(thresholds=Thresholds.model_validate({"maxPatchCadence": "14d"}))
    report = check([root], as_of=AS_OF, base=root.parent, settings=settings)
    assert found(report, "RP803") == [
        (
            "RP803",
            f"{P}:8:23",
            "checkout (tier 1) is patched every 30d, longer than the 2w maximum for tier 1-2 services",
        )
    ]


def test_low_tiers_need_no_patch_policy(run: Check) -> None:
    """Tier 3-4 services are not held to a patch policy."""
    assert found(run(docs(service("reports", 3), service("printers", 4), TEAM)), "RP803") == []


# --- RP804 orphan-service ------------------------------------------------------------------------


def test_an_isolated_internal_service(run: Check) -> None:
    """Nothing depends on it, it depends on nothing, it is not customer-facing: info at its name."""
    assert found(run(docs(service("legacy-reports", 4), TEAM)), "RP804") == [
        (
            "RP804",
            f"{P}:3:18",
            "legacy-reports (tier 4) is isolated: no service depends on it, it depends on none, and it is not "
            "customer-facing; write down what it runs on and who uses it (or set customerFacing), or retire it",
        )
    ]


def test_a_customer_facing_entry_point_is_not_an_orphan(run: Check) -> None:
    """A customer-facing service with no dependencies and no dependents is an entry point."""
    assert found(run(docs(service("status-page", 2, "customerFacing: true"), TEAM)), "RP804") == []


@pytest.mark.parametrize(
    "entry",
    [
        "{service: ledger}",
        "{service: ledger, type: soft}",
        "{anyOf: [ledger, ledger-replica], type: hard}",
    ],
    ids=["hard", "soft", "any-of"],
)
def test_any_dependency_connects_both_ends(run: Check, entry: str) -> None:
    """A hard, soft or anyOf edge makes neither end an orphan; the customer-facing source is an entry point."""
    text = docs(
        service("storefront", 1, "customerFacing: true", f"dependsOn: [{entry}]"),
        service("ledger", 2),
        service("ledger-replica", 2, "dependsOn: [{service: ledger, type: soft}]"),
        TEAM,
    )
    assert found(run(text), "RP804") == []


def test_a_dependency_on_an_unknown_service_is_rp201_only(run: Check) -> None:
    """A service whose only dependency points nowhere is not called an orphan."""
    report = run(docs(service("reports", 4, "dependsOn: [{service: warehuose}]"), TEAM))
    assert [f[0] for f in found(report, "RP201", "RP804")] == ["RP201"]


def test_an_invalid_service_document_silences_the_rule(run: Check) -> None:
    """When a service failed validation, who depends on whom is unknown, so no orphan is claimed."""
    broken = service("storefront", 7, "dependsOn: [{service: legacy-reports}]")
    report = run(docs(service("legacy-reports", 4), broken, TEAM))
    assert [f[0] for f in found(report, "RP103", "RP804")] == ["RP103"]


def test_a_clean_organisation_locates_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """On clean policy the RP8xx rules never ask for a location (positions load only for findings)."""
    loaded = load(discover([REPO / "policies"]), REPO)
    policy, _ = assemble(build(loaded.documents))

    def no_locating(*args: object, **kwargs: object) -> NoReturn:
        raise AssertionError(args)

    monkeypatch.setattr(PolicySet, "locate", no_locating)
    assert run_rules(policy, AS_OF, [r for r in RULES if r.id.startswith("RP8")]) == []
