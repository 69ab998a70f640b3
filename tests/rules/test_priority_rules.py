"""RP7xx: priority order, restore before response, rule gaps and conflicts, status updates,
escalation and response coverage."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

import pytest
import yaml
from hypothesis import event, given, settings
from hypothesis import strategies as st
from tests.conftest import AS_OF, REPO

from relpolicy.config import Settings, Thresholds
from relpolicy.engine import Report, check, run_rules
from relpolicy.model.build import build
from relpolicy.model.priority import IMPACTS, PriorityPolicySpec
from relpolicy.policy import PolicySet, assemble
from relpolicy.rules import RULES as CATALOGUE
from relpolicy.rules.priority import TIERS
from relpolicy.source.loader import discover, load

Check = Callable[[str], Report]

OFFICE = """\
apiVersion: relpolicy.dev/v1
kind: Calendar
metadata: {name: office}
spec:
  timezone: America/New_York
  hours: {mon: [09:00-17:00], tue: [09:00-17:00], wed: [09:00-17:00], thu: [09:00-17:00], fri: [09:00-17:00]}
"""

LEVELS = (
    "{name: P1, description: critical, response: 15m, restore: 4h, statusUpdateEvery: 30m}",
    "{name: P2, description: major, response: 1h, restore: 8h, clock: office, statusUpdateEvery: 1h}",
    "{name: P3, description: minor, response: 4h, restore: 2d, clock: office}",
    "{name: P4, description: request, response: 1d, restore: scheduled, clock: office}",
)
"""The reference table of the specification (levels on lines 6-9 of :func:`priorities`)."""

RULES = (
    "{when: {tier: [1], impact: [outage]}, level: P1}",
    "{when: {tier: [1, 2], impact: [outage, degraded]}, level: P2}",
    "{when: {impact: [request]}, level: P4}",
    "{when: {impact: [outage, degraded, single-user]}, level: P3}",
)
"""Rules mapping every tier x impact once (rules start on line 6 + len(levels) + 1)."""


def priorities(levels: Sequence[str] = LEVELS, rules: Sequence[str] | None = RULES, default: str = "P3") -> str:
    """A priority policy (first in its file, levels from line 6) and the `office` calendar."""
    lines = [
        "apiVersion: relpolicy.dev/v1",
        "kind: PriorityPolicy",
        "metadata: {name: default}",
        "spec:",
        "  levels:",
        *(f"    - {level}" for level in levels),
    ]
    if rules is not None:
        lines += ["  rules:", *(f"    - {r}" for r in rules)]
    lines += [f"  default: {default}", "---", OFFICE]
    return "\n".join(lines)


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


def with_thresholds(root: Path, **thresholds: object) -> list[tuple[str, str, str]]:
    """Check a policy root with thresholds written as in relpolicy.yaml (camelCase keys)."""
    configured = Settings(thresholds=Thresholds.model_validate(thresholds))
    return found(check([root], as_of=AS_OF, base=root.parent, settings=configured), "RP704")


P = "policies/policy.yaml"


def test_example_organisation_is_clean() -> None:
    """The example organisation in policies/ has no priority, escalation or ownership finding."""
    report = check([REPO / "policies"], as_of=AS_OF, base=REPO)
    assert [f for f in report.findings if f.rule_id.startswith(("RP7", "RP8"))] == []


# --- RP701 priority-order ------------------------------------------------------------------------


def test_reference_table_is_in_order(run: Check) -> None:
    """The specification's table (15m/4h, 1h/8h, 4h/2d, 1d/scheduled) is in order."""
    assert found(run(priorities()), "RP701", "RP702", "RP703", "RP704") == []


def test_a_less_urgent_level_with_a_faster_response(run: Check) -> None:
    """P3 answering in 30m while P2 takes 1h is reported on P3's response, with P2's as related."""
    levels = (*LEVELS[:2], LEVELS[2].replace("response: 4h", "response: 30m"), LEVELS[3])
    report = run(priorities(levels))
    assert found(report, "RP701") == [
        (
            "RP701",
            f"{P}:8:48",
            "P3 response 30m is shorter than P2's 1h: a less urgent level must not promise a faster response",
        )
    ]
    assert related(report, "RP701") == [[(f"{P}:7:48", "P2 response 1h")]]


def test_each_value_is_compared_with_the_loosest_more_urgent_level(run: Check) -> None:
    """P2 and P3 both undercut P1's 2h: each is reported once, against P1."""
    levels = (
        "{name: P1, description: critical, response: 2h, restore: 4h, statusUpdateEvery: 30m}",
        "{name: P2, description: major, response: 1h, restore: 8h, statusUpdateEvery: 1h}",
        "{name: P3, description: minor, response: 90m, restore: 2d}",
    )
    report = run(priorities(levels, rules=None))
    assert found(report, "RP701") == [
        (
            "RP701",
            f"{P}:7:48",
            "P2 response 1h is shorter than P1's 2h: a less urgent level must not promise a faster response",
        ),
        (
            "RP701",
            f"{P}:8:48",
            "P3 response 1h30m is shorter than P1's 2h: a less urgent level must not promise a faster response",
        ),
    ]


def test_a_scheduled_restore_is_the_loosest(run: Check) -> None:
    """After a `scheduled` P3, a P4 with a restore duration is stricter; a scheduled P4 after a timed P3 is fine."""
    levels = (
        LEVELS[0],
        LEVELS[1],
        "{name: P3, description: minor, response: 4h, restore: scheduled, clock: office}",
        "{name: P4, description: request, response: 1d, restore: 5d, clock: office}",
    )
    assert found(run(priorities(levels)), "RP701") == [
        (
            "RP701",
            f"{P}:9:63",
            "P4 restore 5d is stricter than P3's `scheduled`: a less urgent level must not promise a faster restore",
        )
    ]


def test_levels_are_taken_in_number_order_not_file_order(run: Check) -> None:
    """Levels written P2, P1 are compared as P1, P2; equal targets are allowed."""
    levels = (
        "{name: P2, description: major, response: 15m, restore: 4h, statusUpdateEvery: 1h}",
        "{name: P1, description: critical, response: 15m, restore: 8h, statusUpdateEvery: 30m}",
    )
    assert found(run(priorities(levels, rules=None, default="P2")), "RP701") == [
        (
            "RP701",
            f"{P}:6:62",
            "P2 restore 4h is shorter than P1's 8h: a less urgent level must not promise a faster restore",
        )
    ]


def test_a_repeated_level_name_is_not_compared_with_itself(run: Check) -> None:
    """Two P2 levels are each compared with P1 only (the repetition is not this rule's concern)."""
    levels = (
        LEVELS[0],
        "{name: P2, description: major, response: 1h, restore: 8h, statusUpdateEvery: 1h}",
        "{name: P2, description: major too, response: 30m, restore: 8h, statusUpdateEvery: 1h}",
    )
    assert found(run(priorities(levels, rules=None, default="P2")), "RP701") == []


# --- RP702 restore-before-response ---------------------------------------------------------------


def test_restore_shorter_than_response(run: Check) -> None:
    """A restore target shorter than the response target of the same level is reported on the restore."""
    levels = (
        *LEVELS[:2],
        "{name: P3, description: minor, response: 2d, restore: 1d, clock: office}",
        "{name: P4, description: request, response: 3d, restore: scheduled, clock: office}",
    )
    report = run(priorities(levels))
    assert found(report, "RP701", "RP702") == [
        (
            "RP702",
            f"{P}:8:61",
            "P3 restore 1d is shorter than its response 2d: nobody can restore a service before anyone has responded",
        )
    ]
    assert related(report, "RP702") == [[(f"{P}:8:48", "response 2d")]]


def test_equal_or_scheduled_restore_is_fine(run: Check) -> None:
    """Restore equal to response, or scheduled, is not reported."""
    levels = (
        "{name: P1, description: critical, response: 1h, restore: 1h, statusUpdateEvery: 30m}",
        "{name: P2, description: request, response: 1d, restore: scheduled, statusUpdateEvery: 1h}",
    )
    assert found(run(priorities(levels, rules=None, default="P2")), "RP702") == []


# --- RP703 priority-rule-gap ---------------------------------------------------------------------


def test_combinations_that_fall_to_the_default(run: Check) -> None:
    """Unmapped tier x impact pairs are listed once, at `rules`, with the default as related."""
    report = run(priorities(rules=RULES[:3]))
    assert found(report, "RP703") == [
        (
            "RP703",
            f"{P}:10:3",
            "8 of 16 tier x impact combinations match no rule and fall to the default P3: tier 1 single-user, "
            "tier 2 single-user, tier 3 outage/degraded/single-user, tier 4 outage/degraded/single-user; "
            "map them with explicit rules",
        )
    ]
    assert related(report, "RP703") == [[(f"{P}:14:12", "default level P3")]]


def test_without_rules_the_gap_is_reported_at_the_default(run: Check) -> None:
    """A policy with levels but no rules sends everything to the default."""
    assert found(run(priorities(rules=None)), "RP703") == [
        (
            "RP703",
            f"{P}:10:12",
            "16 of 16 tier x impact combinations match no rule and fall to the default P3: "
            "tier 1 outage/degraded/single-user/request, tier 2 outage/degraded/single-user/request, "
            "tier 3 outage/degraded/single-user/request, tier 4 outage/degraded/single-user/request; "
            "map them with explicit rules",
        )
    ]


def test_a_single_level_has_no_gaps(run: Check) -> None:
    """With one level there is nothing to choose, so the default is the decision."""
    assert found(run(priorities(LEVELS[:1], rules=None, default="P1")), "RP703") == []


def test_label_rules_do_not_close_a_gap(run: Check) -> None:
    """A combination mapped only for some labels still falls to the default for the other services."""
    rules = (*RULES[:3], "{when: {impact: [outage, degraded, single-user], labels: {pci: 'true'}}, level: P3}")
    assert found(run(priorities(rules=rules)), "RP703")[0][2].startswith(
        "8 of 16 tier x impact combinations match no rule that applies to every service and fall to the default P3: "
    )


def test_a_rule_that_can_never_match(run: Check) -> None:
    """Rule 3 is covered by rules 1 and 2, which pick other levels: it is dead."""
    rules = (
        "{when: {tier: [1], impact: [outage]}, level: P1}",
        "{when: {tier: [2], impact: [outage]}, level: P2}",
        "{when: {tier: [1, 2], impact: [outage]}, level: P3}",
        "{when: {}, level: P3}",
    )
    report = run(priorities(rules=rules))
    assert found(report, "RP703") == [
        (
            "RP703",
            f"{P}:13:14",
            "rule 3 (tier 1/2 x outage -> P3) can never match: earlier rules take every incident it matches, and "
            "rule 1 picks P1 for tier 1 outage; rule 2 picks P2 for tier 2 outage",
        )
    ]
    assert related(report, "RP703") == [
        [
            (f"{P}:11:14", "rule 1 (tier 1 x outage -> P1) comes first"),
            (f"{P}:12:14", "rule 2 (tier 2 x outage -> P2) comes first"),
        ]
    ]


def test_a_redundant_rule_that_agrees_is_not_reported(run: Check) -> None:
    """A dead rule that picks the same level as the rules covering it changes nothing."""
    rules = (*RULES, "{when: {tier: [1], impact: [outage]}, level: P1}")
    assert found(run(priorities(rules=rules)), "RP703") == []


def test_a_label_rule_after_a_general_rule_is_dead(run: Check) -> None:
    """`pci` tier-2 outages never reach the pci rule: the tier-2 rule above takes every tier-2 incident."""
    rules = (
        "{when: {tier: [2]}, level: P2}",
        "{when: {tier: [2], impact: [outage], labels: {pci: 'true'}}, level: P1}",
        "{when: {}, level: P3}",
    )
    assert found(run(priorities(rules=rules)), "RP703") == [
        (
            "RP703",
            f"{P}:12:14",
            "rule 2 (tier 2 x outage with pci=true -> P1) can never match: earlier rules take every incident it "
            "matches, and rule 1 picks P2 for tier 2 outage",
        )
    ]


def test_overlapping_rules_where_order_decides(run: Check) -> None:
    """Rules 1 and 2 cross on tier 2 outage with different levels; neither is a special case of the other."""
    rules = (
        "{when: {tier: [1, 2], impact: [outage]}, level: P1}",
        "{when: {tier: [2], impact: [outage, degraded]}, level: P2}",
        "{when: {}, level: P3}",
    )
    assert found(run(priorities(rules=rules)), "RP703") == [
        (
            "RP703",
            f"{P}:12:14",
            "rule 2 (tier 2 x outage/degraded -> P2) overlaps earlier rules that pick another level first: rule 1 "
            "picks P1 for tier 2 outage; rule order silently decides the level, so make the conditions disjoint or "
            "put the narrower rule first",
        )
    ]


def test_a_general_rule_before_a_label_exception_overrides_it(run: Check) -> None:
    """The pci rule still applies to tier 1, but tier-2 pci outages get P2 from the rule above."""
    rules = (
        "{when: {tier: [2]}, level: P2}",
        "{when: {impact: [outage], labels: {pci: 'true'}}, level: P1}",
        "{when: {}, level: P3}",
    )
    assert found(run(priorities(rules=rules)), "RP703") == [
        (
            "RP703",
            f"{P}:12:14",
            "rule 2 (any tier x outage with pci=true -> P1) overlaps earlier rules that pick another level first: "
            "rule 1 picks P2 for tier 2 outage; rule order silently decides the level, so make the conditions "
            "disjoint or put the narrower rule first",
        )
    ]


@pytest.mark.parametrize(
    "rules",
    [
        pytest.param(
            ("{when: {tier: [1], impact: [outage]}, level: P1}", "{when: {impact: [outage]}, level: P2}"),
            id="exception-first",
        ),
        pytest.param(
            ("{when: {labels: {pci: 'true'}}, level: P1}", "{when: {tier: [2], impact: [outage]}, level: P2}"),
            id="label-exception-first",
        ),
        pytest.param(
            ("{when: {labels: {pci: 'true'}}, level: P1}", "{when: {labels: {team: payments}}, level: P2}"),
            id="unrelated-labels",
        ),
        pytest.param(
            ("{when: {tier: [1], impact: [outage]}, level: P1}", "{when: {tier: [2], impact: [outage]}, level: P2}"),
            id="disjoint",
        ),
    ],
)
def test_overlaps_that_are_not_reported(run: Check, rules: tuple[str, ...]) -> None:
    """The narrow case written first, a label-specific exception first, and unrelated labels are fine."""
    assert found(run(priorities(rules=(*rules, "{when: {}, level: P3}"))), "RP703") == []


# --- RP704 status-update-cadence -----------------------------------------------------------------


def test_status_updates_missing_or_too_rare(run: Check) -> None:
    """P1 without statusUpdateEvery is reported at the level; P2 every 2h at its value; P3 needs none."""
    levels = (
        "{name: P1, description: critical, response: 15m, restore: 4h}",
        "{name: P2, description: major, response: 1h, restore: 8h, clock: office, statusUpdateEvery: 2h}",
        *LEVELS[2:],
    )
    assert found(run(priorities(levels)), "RP704") == [
        (
            "RP704",
            f"{P}:6:7",
            "P1 sets no statusUpdateEvery: P1, P2 incidents must update stakeholders at least every 1h",
        ),
        ("RP704", f"{P}:7:99", "P2 updates stakeholders every 2h, longer than the 1h maximum for P1, P2 incidents"),
    ]


def test_status_update_thresholds_are_configurable(write_policy: Callable[..., Path]) -> None:
    """With a 30m maximum for P1 only, P1 every 30m passes and P2 is not checked; 45m fails."""
    root = write_policy(priorities())
    assert with_thresholds(root, maxStatusUpdateEvery="30m", statusUpdateLevels=["P1"]) == []
    assert with_thresholds(root, maxStatusUpdateEvery="20m", statusUpdateLevels=["P1", "P3"]) == [
        ("RP704", f"{P}:6:88", "P1 updates stakeholders every 30m, longer than the 20m maximum for P1, P3 incidents"),
        (
            "RP704",
            f"{P}:8:7",
            "P3 sets no statusUpdateEvery: P1, P3 incidents must update stakeholders at least every 20m",
        ),
    ]


# --- RP705 escalation-single-step ----------------------------------------------------------------

TEAM = """\
apiVersion: relpolicy.dev/v1
kind: Team
metadata: {name: payments}
spec:
  coverage: always
  members: [{name: Ana Lima, email: ana@example.com}, {name: Bo Chen, email: bo@example.com}]
  escalationPolicy: payments-oncall
"""


def service(name: str, tier: int, *extra: str, owner: str = "payments") -> str:
    """A service document (its `owner` on line 7 of the document)."""
    lines = [
        "apiVersion: relpolicy.dev/v1",
        "kind: Service",
        f"metadata: {{name: {name}}}",
        "spec:",
        f"  description: The {name} service.",
        f"  tier: {tier}",
        f"  owner: {owner}",
        *(f"  {line}" for line in extra),
    ]
    return "\n".join(lines) + "\n"


def escalation(*steps: str) -> str:
    """The `payments-oncall` escalation policy (its `steps` key on line 5)."""
    lines = [
        "apiVersion: relpolicy.dev/v1",
        "kind: EscalationPolicy",
        "metadata: {name: payments-oncall}",
        "spec:",
        "  steps:",
        *(f"    - {step}" for step in steps),
        "  repeat: 2",
    ]
    return "\n".join(lines) + "\n"


def docs(*documents: str) -> str:
    """Documents joined into one file."""
    return "---\n".join(documents)


def test_an_escalation_policy_with_one_responder(run: Check) -> None:
    """One step, one team: reported once at `steps`, with each tier 1-2 service that inherits it."""
    text = docs(
        escalation("{after: 0m, notify: [{team: payments}]}"),
        service("checkout", 1),
        service("refunds", 2),
        service("invoices", 3),
        TEAM,
    )
    report = run(text)
    assert found(report, "RP705") == [
        (
            "RP705",
            f"{P}:5:3",
            "escalation policy payments-oncall only ever notifies team payments (in its one step), so nobody else "
            "is paged when they do not answer, yet tier 1-2 services rely on it: checkout (tier 1), refunds (tier 2); "
            "add a step that notifies a second responder",
        )
    ]
    assert related(report, "RP705") == [
        [
            (f"{P}:15:10", "checkout (tier 1) uses it through its owner payments"),
            (f"{P}:23:10", "refunds (tier 2) uses it through its owner payments"),
        ]
    ]


def test_repeating_the_same_responder_adds_nobody(run: Check) -> None:
    """Two steps paging the same person are still one responder; the service names the policy itself."""
    text = docs(
        escalation(
            "{after: 0m, notify: [{person: ana@example.com}]}", "{after: 15m, notify: [{person: ana@example.com}]}"
        ),
        service("checkout", 1, "escalationPolicy: payments-oncall"),
        TEAM.replace("  escalationPolicy: payments-oncall\n", ""),
    )
    report = run(text)
    assert found(report, "RP705") == [
        (
            "RP705",
            f"{P}:5:3",
            "escalation policy payments-oncall only ever notifies ana@example.com (in all 2 of its steps), so "
            "nobody else is paged when they do not answer, yet tier 1-2 services rely on it: checkout (tier 1); "
            "add a step that notifies a second responder",
        )
    ]
    assert related(report, "RP705") == [[(f"{P}:17:21", "checkout (tier 1) uses this policy")]]


@pytest.mark.parametrize(
    "steps",
    [
        ("{after: 0m, notify: [{team: payments}, {person: bo@example.com}]}",),
        ("{after: 0m, notify: [{team: payments}]}", "{after: 15m, notify: [{person: ana@example.com}]}"),
    ],
    ids=["two-targets-in-one-step", "second-step"],
)
def test_a_second_responder_passes(run: Check, steps: tuple[str, ...]) -> None:
    """A second target, in the same step or a later one, is a second responder."""
    assert found(run(docs(escalation(*steps), service("checkout", 1), TEAM)), "RP705") == []


def test_a_critical_service_without_any_escalation_policy(run: Check) -> None:
    """Neither the service nor its owner names a policy: reported at the service's owner."""
    report = run(docs(service("checkout", 2), TEAM.replace("  escalationPolicy: payments-oncall\n", "")))
    assert found(report, "RP705") == [
        (
            "RP705",
            f"{P}:7:10",
            "checkout (tier 2) has no escalation policy: neither it nor its owner team payments names one, so no "
            "second responder is ever paged; set escalationPolicy on the team or the service",
        )
    ]
    assert related(report, "RP705") == [[(f"{P}:11:18", "team payments has no escalationPolicy")]]


def test_escalation_gaps_other_rules_report_are_left_to_them(run: Check) -> None:
    """No owner is RP801, an unknown owner or policy RP201; a tier-3 service needs no second responder."""
    no_owner = service("checkout", 1).replace("  owner: payments\n", "")
    text = docs(
        no_owner,
        service("refunds", 1, owner="paymnts"),
        service("invoices", 2, "escalationPolicy: payments-on-call"),
        service("reports", 3),
        TEAM.replace("  escalationPolicy: payments-oncall\n", ""),
    )
    assert [f[:2] for f in found(run(text), "RP201", "RP705")] == [("RP201", f"{P}:14:10"), ("RP201", f"{P}:23:21")]


# --- RP706 response-coverage-mismatch ------------------------------------------------------------

OFFICE_TEAM = TEAM.replace("coverage: always", "coverage: office")


def test_a_24x7_level_on_a_business_hours_team(run: Check) -> None:
    """A tier-1 outage is P1 (15m, always) but payments works office hours: reported at the owner."""
    report = run(docs(service("checkout", 1), OFFICE_TEAM, priorities()))
    assert found(report, "RP706") == [
        (
            "RP706",
            f"{P}:7:10",
            "checkout (tier 1): outage incidents are P1, a 15m response around the clock (clock always; "
            "PriorityPolicy default, rule 1); but its owner team payments answers only on the office calendar "
            "(40h a week)",
        )
    ]
    assert related(report, "RP706") == [
        [(f"{P}:22:7", "P1 runs on always"), (f"{P}:13:13", "payments answers on office")]
    ]


def test_impacts_are_grouped_by_level_with_the_rules_that_map_them(run: Check) -> None:
    """Outage (rule 1), degraded and single-user (the default) all map to P1; request maps to P2."""
    levels = (
        "{name: P1, description: critical, response: 15m, restore: 4h, clock: always, statusUpdateEvery: 30m}",
        "{name: P2, description: request, response: 1d, restore: scheduled, clock: office, statusUpdateEvery: 1h}",
    )
    rules = ("{when: {tier: [1], impact: [outage]}, level: P1}", "{when: {impact: [request]}, level: P2}")
    holidays = OFFICE.replace("  timezone:", "  holidays: {country: US}\n  timezone:")
    text = docs(service("checkout", 1), OFFICE_TEAM, priorities(levels, rules, default="P1").replace(OFFICE, holidays))
    report = run(text)
    assert found(report, "RP706") == [
        (
            "RP706",
            f"{P}:7:10",
            "checkout (tier 1): outage/degraded/single-user incidents are P1, a 15m response around the clock "
            "(clock always; PriorityPolicy default, rule 1 and the default level); but its owner team payments "
            "answers only on the office calendar (40h a week, holidays off)",
        )
    ]
    assert related(report, "RP706")[0][0] == (f"{P}:22:76", "P1 runs on always")


def test_labels_pick_the_level(run: Check) -> None:
    """A pci label sends a tier-3 service's outages to P1; without the label they stay on office hours."""
    rules = ("{when: {impact: [outage], labels: {pci: 'true'}}, level: P1}", *RULES)
    pci = service("card-vault", 3).replace(
        "metadata: {name: card-vault}", "metadata: {name: card-vault, labels: {pci: 'true'}}"
    )
    report = run(docs(pci, service("reports", 3), OFFICE_TEAM, priorities(rules=rules)))
    assert found(report, "RP706") == [
        (
            "RP706",
            f"{P}:7:10",
            "card-vault (tier 3): outage incidents are P1, a 15m response around the clock (clock always; "
            "PriorityPolicy default, rule 1); but its owner team payments answers only on the office calendar "
            "(40h a week)",
        )
    ]


def test_round_the_clock_calendars_count_as_24x7(run: Check) -> None:
    """A declared calendar covering every hour is 24x7 for the level and for the team alike."""
    rota = """\
apiVersion: relpolicy.dev/v1
kind: Calendar
metadata: {name: rota}
spec:
  timezone: UTC
  hours: {mon: [00:00-24:00], tue: [00:00-24:00], wed: [00:00-24:00], thu: [00:00-24:00], fri: [00:00-24:00],
          sat: [00:00-24:00], sun: [00:00-24:00]}
"""
    levels = (LEVELS[0].replace("statusUpdateEvery", "clock: rota, statusUpdateEvery"), *LEVELS[1:])
    on_rota = priorities(levels)
    assert found(run(docs(service("checkout", 1), OFFICE_TEAM, on_rota, rota)), "RP706")[0][2].startswith(
        "checkout (tier 1): outage incidents are P1, a 15m response around the clock (clock rota; "
    )
    rota_team = TEAM.replace("coverage: always", "coverage: rota")
    assert found(run(docs(service("checkout", 1), rota_team, on_rota, rota)), "RP706") == []


def test_business_hours_levels_or_unknown_calendars_are_not_reported(run: Check) -> None:
    """Tier-3 incidents are all on office hours; an unknown team calendar is RP201's alone."""
    assert found(run(docs(service("reports", 3), OFFICE_TEAM, priorities())), "RP706") == []
    unknown = OFFICE_TEAM.replace("coverage: office", "coverage: ofice").replace(
        "  escalationPolicy: payments-oncall\n", ""
    )
    assert [f[0] for f in found(run(docs(service("checkout", 1), unknown, priorities())), "RP201", "RP706")] == [
        "RP201"
    ]


# --- RP703 against brute force -------------------------------------------------------------------

LEVEL = {"description": "a level", "response": "1h", "restore": "1d", "statusUpdateEvery": "30m"}
LABEL_VALUES = ("a", "b")
EVERY_LABEL_SET = [
    {key: value for key, value in (("pci", pci), ("team", team)) if value is not None}
    for pci in (None, *LABEL_VALUES)
    for team in (None, *LABEL_VALUES)
]
"""Every service a rule over the label keys `pci` and `team` can tell apart."""

conditions = st.fixed_dictionaries(
    {},
    optional={
        "tier": st.lists(st.sampled_from(TIERS), min_size=1, max_size=4, unique=True),
        "impact": st.lists(st.sampled_from(IMPACTS), min_size=1, max_size=4, unique=True),
        "labels": st.dictionaries(st.sampled_from(("pci", "team")), st.sampled_from(LABEL_VALUES), min_size=1),
    },
)
rule_lists = st.lists(
    st.fixed_dictionaries({"when": conditions, "level": st.sampled_from(("P1", "P2", "P3"))}), min_size=1, max_size=6
)


@settings(max_examples=60, deadline=None)
@given(
    rules=rule_lists,
    incidents=st.lists(
        st.tuples(
            st.sampled_from(TIERS),
            st.sampled_from(IMPACTS),
            st.sampled_from(EVERY_LABEL_SET),
            st.sampled_from(({}, {"zone": "a"}, {"zone": "b"})),
        ),
        max_size=40,
    ),
)
def test_pick_answers_as_the_first_matching_rule(
    rules: list[dict[str, Any]], incidents: list[tuple[int, str, dict[str, str], dict[str, str]]]
) -> None:
    """pick keeps its answers per tier, impact and the labels the rules look at: asked in any
    order, with labels no rule looks at, it answers what walking the rules in order answers."""
    spec = PriorityPolicySpec.model_validate(
        {"levels": [dict(LEVEL, name=n) for n in ("P1", "P2", "P3")], "rules": rules, "default": "P3"}
    )
    for tier, impact, labels, other in incidents:
        walked = next(
            ((rule.level, i) for i, rule in enumerate(spec.rules) if rule.when.matches(tier, impact, labels)),
            (spec.default, None),
        )
        assert spec.pick(tier, impact, {**labels, **other}) == walked


def test_a_level_name_finds_its_first_level() -> None:
    spec = PriorityPolicySpec.model_validate(
        {
            "levels": [dict(LEVEL, name=n, response=r) for n, r in (("P1", "1h"), ("P2", "2h"), ("P1", "3h"))],
            "default": "P2",
        }
    )
    assert (spec.level_index("P1"), spec.level_index("P2"), spec.level_index("P9")) == (0, 1, None)
    level = spec.level("P1")
    assert level is not None
    assert level.response.total_seconds() == 3600
    assert spec.level("P9") is None


@settings(max_examples=60, deadline=None)
@given(rules=rule_lists)
def test_dead_rules_are_those_no_service_ever_reaches(rules: list[dict[str, Any]]) -> None:
    """A rule is reported as never matching exactly when no service (of any labels) reaches it and
    the rules that take its incidents pick another level for some of them."""
    spec = PriorityPolicySpec.model_validate(
        {"levels": [dict(LEVEL, name=n) for n in ("P1", "P2", "P3")], "rules": rules, "default": "P3"}
    )
    expected = set()
    for j, candidate in enumerate(spec.rules):
        reached = any(
            spec.pick(tier, impact, labels)[1] == j
            for tier in TIERS
            for impact in IMPACTS
            for labels in EVERY_LABEL_SET
        )
        own = dict(candidate.when.labels or {})
        cells = [(t, i) for t in TIERS for i in IMPACTS if candidate.when.matches(t, i, own)]
        if not reached and any(spec.pick(t, i, own)[0] != candidate.level for t, i in cells):
            expected.add(j + 1)
    event(f"{len(expected)} dead rules")
    text = yaml.safe_dump(
        {
            "apiVersion": "relpolicy.dev/v1",
            "kind": "PriorityPolicy",
            "metadata": {"name": "default"},
            "spec": spec.model_dump(by_alias=True, exclude_none=True),
        }
    )
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "policy.yaml").write_text(text, encoding="utf-8")
        report = check([Path(tmp)], as_of=AS_OF, base=Path(tmp))
    dead = {
        int(f.message.split()[1]) for f in report.findings if f.rule_id == "RP703" and "can never match" in f.message
    }
    assert dead == expected


def test_a_clean_organisation_locates_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """On clean policy the RP7xx rules never ask for a location (positions load only for findings)."""
    loaded = load(discover([REPO / "policies"]), REPO)
    policy, _ = assemble(build(loaded.documents))

    def no_locating(*args: object, **kwargs: object) -> NoReturn:
        raise AssertionError(args)

    monkeypatch.setattr(PolicySet, "locate", no_locating)
    assert run_rules(policy, AS_OF, [r for r in CATALOGUE if r.id.startswith("RP7")]) == []
