"""Cross-field rules of the models are RP103 findings at the object that breaks them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from relpolicy.engine import Report

HEAD = "apiVersion: relpolicy.dev/v1\nkind: {kind}\nmetadata: {{name: x}}\nspec:\n"

CASES = {
    "window without target": (
        "MaintenanceWindow",
        "  rrule: FREQ=WEEKLY;BYDAY=SU\n  start: '02:00'\n  timezone: Europe/London\n  duration: 2h\n",
        "name the `services` or give a label `selector`, not both or neither",
    ),
    "window with rrule and at": (
        "MaintenanceWindow",
        "  services: [db]\n  rrule: FREQ=WEEKLY\n  start: '02:00'\n  timezone: UTC\n"
        "  at: '2026-12-01T02:00:00Z'\n  duration: 2h\n",
        "give either a recurrence (`rrule`, `start`, `timezone`) or one `at`, not both",
    ),
    "recurring window without start": (
        "MaintenanceWindow",
        "  services: [db]\n  rrule: FREQ=WEEKLY\n  timezone: UTC\n  duration: 2h\n",
        "a recurring window needs `start` (local time) and `timezone`",
    ),
    "single window with start": (
        "MaintenanceWindow",
        "  services: [db]\n  at: '2026-12-01T02:00:00Z'\n  start: '02:00'\n  duration: 2h\n",
        "a single window starts `at` a date and time; drop `start`",
    ),
    "freeze ending before it starts": (
        "ChangeFreeze",
        "  reason: Sale.\n  start: '2026-12-01T00:00:00Z'\n  end: '2026-11-01T00:00:00Z'\n",
        "the freeze must `end` after it starts",
    ),
    "freeze with services and selector": (
        "ChangeFreeze",
        "  reason: Sale.\n  start: '2026-11-01T00:00:00Z'\n  end: '2026-12-01T00:00:00Z'\n"
        "  services: [a]\n  selector: {matchLabels: {domain: commerce}}\n",
        "name the `services` or give a label `selector`, not both",
    ),
    "escalation target with team and person": (
        "EscalationPolicy",
        "  steps:\n    - after: 0m\n      notify: [{team: sre, person: ana@example.com}]\n",
        "name either a `team` or a `person`, not both or neither",
    ),
    "subdivision without country": (
        "Calendar",
        "  timezone: Europe/London\n  hours: {mon: ['09:00-17:00']}\n  holidays: {subdivision: ENG}\n",
        "`subdivision` needs `country`",
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_cross_field_rules(
    case: tuple[str, str, str], write_policy: Callable[..., Path], run_check: Callable[[Path], Report]
) -> None:
    """The finding names the conflict and sits on the object's first line at or below spec."""
    kind, spec, message = case
    report = run_check(write_policy(HEAD.format(kind=kind) + spec))
    assert [(f.rule_id, f.message) for f in report.findings] == [("RP103", message)]
    assert report.findings[0].location.line >= 4
