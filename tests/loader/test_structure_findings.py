"""RP1xx and RP201 findings point at the exact line and column, with the whole message."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from relpolicy.engine import Report
from relpolicy.findings import Finding

TEAM = """\
apiVersion: relpolicy.dev/v1
kind: Team
metadata: {name: payments}
spec:
  coverage: always
  members: [{name: Ana Lima, email: ana@example.com}]
"""

SERVICE = """\
apiVersion: relpolicy.dev/v1
kind: Service
metadata:
  name: checkout
spec:
  description: Takes orders.
  tier: 1
  owner: payments
  dependsOn:
    - service: cart
      type: hard
"""

CART = """\
---
apiVersion: relpolicy.dev/v1
kind: Service
metadata: {name: cart}
spec: {description: Baskets., tier: 1, owner: payments}
"""


def structural(report: Report) -> list[Finding]:
    """The findings of loading and references (RP1xx, RP2xx): what these tests are about."""
    return [f for f in report.findings if f.rule_id < "RP300"]


Case = tuple[str, list[tuple[str, int, int, str]]]

CASES: dict[str, Case] = {
    "clean": (TEAM + "---\n" + SERVICE + CART, []),
    "syntax error keeps earlier documents": (
        TEAM + "---\nkind: Team\nmetadata: {name: x\n",
        [("RP101", 10, 1, "YAML syntax error: while parsing a flow mapping; did not find expected ',' or '}'")],
    ),
    "unknown field with suggestion": (
        TEAM.replace("  coverage:", "  covrage:"),
        [("RP103", 5, 3, "unknown field `covrage` in spec, did you mean `coverage`?")],
    ),
    "unknown field without suggestion lists the allowed ones": (
        TEAM + "  pager: '555'\n",
        [("RP103", 7, 3, "unknown field `pager` in spec; allowed: coverage, description, escalationPolicy, members")],
    ),
    "an empty optional field is an error at its key": (
        SERVICE.replace("  tier: 1\n", "  tier: 1\n  lifecycle:\n"),
        [("RP103", 8, 3, "`lifecycle` has no value: give it one or remove the key")],
    ),
    "a duration too long to be meant": (
        SERVICE.replace("  tier: 1\n", "  tier: 1\n  patching: {cadence: 99999999999w}\n"),
        [("RP103", 8, 23, "`99999999999w` is longer than 100 years: is it a typo?")],
    ),
    "a recurrence dateutil cannot expand is located at the rrule": (
        TEAM
        + "---\n"
        + SERVICE
        + CART
        + "---\n"
        + "apiVersion: relpolicy.dev/v1\nkind: MaintenanceWindow\nmetadata: {name: w}\nspec:\n"
        + "  services: [checkout]\n  rrule: FREQ=WEEKLY;BYDAY=XX\n  start: '02:00'\n"
        + "  timezone: Europe/London\n  duration: 1h\n",
        [("RP103", 30, 10, "`FREQ=WEEKLY;BYDAY=XX` is not a recurrence relpolicy can expand: invalid 'BYDAY': XX")],
    ),
    "a holiday region the library does not know is located at the subdivision": (
        TEAM.replace("coverage: always", "coverage: office")
        + "---\n"
        + "apiVersion: relpolicy.dev/v1\nkind: Calendar\nmetadata: {name: office}\nspec:\n"
        + "  timezone: Europe/London\n  hours: {mon: [09:00-17:00]}\n  holidays: {country: GB, subdivision: XYZ}\n",
        [("RP103", 14, 40, "no public holidays known for `GB-XYZ`: Entity `GB` does not have subdivision XYZ")],
    ),
    "missing field points at the parent key": (
        TEAM.replace("  coverage: always\n", ""),
        [("RP103", 4, 1, "missing required field `coverage` in spec")],
    ),
    "wrong type points at the value": (
        TEAM + "---\n" + SERVICE.replace("tier: 1", "tier: '1'") + CART,
        [("RP103", 14, 9, "`1` is not a tier: use 1 (most critical) to 4 (least)")],
    ),
    "bad enum value": (
        TEAM + "---\n" + SERVICE.replace("type: hard", "type: firm") + CART,
        [("RP103", 18, 13, "`firm` is not allowed here: expected `hard` or `soft`")],
    ),
    "bad duration": (
        TEAM + "---\n" + SERVICE + "  recovery: {rto: 4 hours}\n" + CART,
        [
            (
                "RP103",
                19,
                19,
                "`4 hours` is not a duration: write a number and a unit, like 30s, 15m, 4h, 1h30m, 2d or 1w "
                "(longer than zero)",
            )
        ],
    ),
    "bad name": (
        TEAM.replace("name: payments", "name: Payments"),
        [
            (
                "RP103",
                3,
                18,
                "`Payments` is not a valid name: use lowercase letters, digits and `-`, at most 63 characters, "
                "starting and ending with a letter or digit",
            )
        ],
    ),
    "duplicate key": (
        TEAM + "  coverage: uk-business\n",
        [
            (
                "RP102",
                7,
                3,
                "duplicate key `coverage`: first defined at line 5; YAML tools disagree on which value wins, "
                "so relpolicy keeps the first",
            )
        ],
    ),
    "unknown kind with suggestion": (
        TEAM.replace("kind: Team", "kind: Teams"),
        [
            (
                "RP104",
                2,
                7,
                "unknown kind `Teams` (did you mean `Team`?); relpolicy.dev/v1 has: Calendar, ChangeFreeze, "
                "EscalationPolicy, MaintenanceWindow, PriorityPolicy, SLO, Service, Team",
            )
        ],
    ),
    "unknown api version": (
        TEAM.replace("relpolicy.dev/v1", "relpolicy.dev/v2"),
        [("RP104", 1, 13, "unknown apiVersion `relpolicy.dev/v2`; supported: relpolicy.dev/v1")],
    ),
    "missing api version": (
        TEAM.replace("apiVersion: relpolicy.dev/v1\n", ""),
        [("RP104", 1, 1, "missing `apiVersion`; supported: relpolicy.dev/v1")],
    ),
    "duplicate name": (
        TEAM + "---\n" + TEAM,
        [
            (
                "RP105",
                10,
                18,
                "duplicate name: Team `payments` is already defined at policies/policy.yaml:3:18; "
                "this definition is ignored",
            )
        ],
    ),
    "unknown reference with suggestion": (
        TEAM + "---\n" + SERVICE.replace("service: cart", "service: crat") + CART,
        [("RP201", 17, 16, "no Service `crat`, did you mean `cart`?")],
    ),
    "unknown reference lists the few known names": (
        TEAM.replace("coverage: always", "coverage: nights"),
        [("RP201", 5, 13, "no Calendar `nights`; known: always")],
    ),
    "not a mapping": (
        "- just\n- a list\n",
        [("RP103", 1, 1, "a policy document must be a mapping with apiVersion, kind, metadata and spec, not a list")],
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_findings(case: Case, write_policy: Callable[..., Path], run_check: Callable[[Path], Report]) -> None:
    """Each input yields exactly the expected (rule, line, column, message) findings."""
    text, expected = case
    report = run_check(write_policy(text))
    got = [(f.rule_id, f.location.line, f.location.col, f.message) for f in structural(report)]
    assert got == expected
    assert all(f.location.path == "policies/policy.yaml" for f in report.findings)


def test_duplicates_point_back_at_the_first_definition(
    write_policy: Callable[..., Path], run_check: Callable[[Path], Report]
) -> None:
    """RP102 and RP105 carry the first definition as a related location."""
    report = run_check(write_policy(TEAM + "  coverage: x\n---\n" + TEAM))
    related = {f.rule_id: [(r.location.line, r.location.col, r.message) for r in f.related] for f in report.findings}
    assert related == {
        "RP102": [(5, 3, "`coverage` first defined here")],
        "RP105": [(3, 18, "Team/payments first defined here")],
    }


def test_a_bad_file_does_not_stop_the_others(
    write_policy: Callable[..., Path], run_check: Callable[[Path], Report]
) -> None:
    """A syntax error in one file still lets the other files be checked."""
    write_policy("key: [unclosed\n", "a-broken.yaml")
    root = write_policy(TEAM.replace("coverage: always", "coverage: nights"), "b-team.yaml")
    report = run_check(root)
    assert [(f.location.path, f.rule_id) for f in report.findings] == [
        ("policies/a-broken.yaml", "RP101"),
        ("policies/b-team.yaml", "RP201"),
    ]
    assert report.files == 2


def test_an_invalid_resource_still_counts_as_existing(
    write_policy: Callable[..., Path], run_check: Callable[[Path], Report]
) -> None:
    """References to a resource that failed validation are not reported again as unknown."""
    report = run_check(write_policy(TEAM.replace("  coverage:", "  covrage:") + "---\n" + SERVICE + CART))
    assert [(f.rule_id, f.location.line) for f in structural(report)] == [("RP103", 5)]
