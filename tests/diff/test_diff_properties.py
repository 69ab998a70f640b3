"""Properties of the diff over random organisations: nothing changes between equal sides, and sides mirror."""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import AS_OF

from relpolicy.baseline import identity
from relpolicy.config import Settings
from relpolicy.diff import Diff, Side, check_side, compare

CALENDAR = """\
apiVersion: relpolicy.dev/v1
kind: Calendar
metadata: {name: business}
spec:
  timezone: Europe/London
  hours: {mon: [09:00-17:00], tue: [09:00-17:00], wed: [09:00-17:00], thu: [09:00-17:00], fri: [09:00-17:00]}
"""


CLOCKS = ["always", "business"]


def _team(name: str, coverage: str) -> str:
    return f"""\
apiVersion: relpolicy.dev/v1
kind: Team
metadata: {{name: {name}}}
spec:
  members: [{{name: Ana Lima, email: ana@example.com}}]
  coverage: {coverage}
"""


@st.composite
def organisations(draw: st.DrawFn) -> str:
    """The text of a small organisation: services with dependencies, SLOs, teams, priorities, windows, a freeze."""
    names = [f"s{i}" for i in range(draw(st.integers(2, 5)))]
    docs = [CALENDAR, _team("t0", "always"), _team("t1", "business")]
    spare = draw(st.sampled_from(["spare-a", "spare-b"]))  # the same team under two names: a rename
    docs.append(_team(spare, "always"))
    for i, name in enumerate(names):
        deps = [(target, kind) for target in names[:i] if (kind := draw(st.sampled_from(["", "hard", "soft"])))]
        depends = ", ".join(f"{{service: {t}, type: {k}}}" for t, k in deps)
        rto = draw(st.sampled_from(["", "30m", "2h", "1d"]))
        recovery = f"\n  recovery: {{rto: {rto}}}" if rto else ""
        docs.append(
            f"""\
apiVersion: relpolicy.dev/v1
kind: Service
metadata: {{name: {name}, labels: {{zone: {draw(st.sampled_from(["a", "b"]))}}}}}
spec:
  description: A service.
  tier: {draw(st.integers(1, 4))}
  owner: {draw(st.sampled_from(["t0", "t1"]))}
  priorityPolicy: default
  dependsOn: [{depends}]{recovery}
"""
        )
        objective = draw(st.sampled_from(["", "99", "99.5", "99.9", "99.95"]))
        if objective:
            counts = draw(st.booleans())
            docs.append(
                f"""\
apiVersion: relpolicy.dev/v1
kind: SLO
metadata: {{name: {name}-availability}}
spec:
  service: {name}
  indicator: {{type: availability}}
  objective: {objective}
  timeWindow: {draw(st.sampled_from(["30d", "month"]))}
  maintenanceCountsAgainstBudget: {"true" if counts else "false"}
"""
            )
    steps = draw(st.integers(1, 3))
    docs.append(
        "apiVersion: relpolicy.dev/v1\nkind: EscalationPolicy\nmetadata: {name: esc}\nspec:\n  steps:\n"
        + "".join(f"    - {{after: {10 * i}m, notify: [{{team: t0}}]}}\n" for i in range(steps))
    )
    docs.append(
        f"""\
apiVersion: relpolicy.dev/v1
kind: PriorityPolicy
metadata: {{name: default}}
spec:
  levels:
    - {{name: P1, description: critical, response: 15m, restore: {draw(st.sampled_from(["4h", "8h"]))}}}
    - {{name: P2, description: major, response: 1h, restore: 1d, clock: {draw(st.sampled_from(CLOCKS))}}}
  rules:
    - when: {{tier: {draw(st.sampled_from(["[1]", "[1, 2]"]))}}}
      level: P1
  default: P2
"""
    )
    target = draw(st.sampled_from(names))
    at = draw(st.sampled_from(["", "2026-12-06T02:00:00Z", "2027-02-07T02:00:00Z"]))
    if at:
        docs.append(
            f"apiVersion: relpolicy.dev/v1\nkind: MaintenanceWindow\nmetadata: {{name: upgrade}}\n"
            f'spec: {{services: [{target}], at: "{at}", duration: {draw(st.sampled_from(["1h", "3h"]))}}}\n'
        )
    docs.append(
        "apiVersion: relpolicy.dev/v1\nkind: ChangeFreeze\nmetadata: {name: holiday}\n"
        'spec: {reason: Peak., start: "2026-11-20T00:00:00Z", end: "2027-01-04T00:00:00Z", '
        "selector: {matchLabels: {zone: a}}}\n"
    )
    return "---\n".join(docs)


def _side(text: str, label: str) -> Side:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "policies"
        root.mkdir()
        (root / "org.yaml").write_text(text, encoding="utf-8")
        return check_side(label, [root], as_of=AS_OF, settings=Settings(), base=Path(scratch))


def _identities(findings: tuple[object, ...]) -> Counter[tuple[str, str]]:
    return Counter(identity(f) for f in findings)  # type: ignore[arg-type]


@settings(max_examples=40)
@given(organisations())
def test_a_side_against_itself_reports_nothing(text: str) -> None:
    """`diff X X` is empty, with X loaded twice."""
    diff = compare(_side(text, "x"), _side(text, "x"))
    assert diff.is_empty, [c.message() for c in diff.changes]


def _mirrored(forward: Diff, backward: Diff) -> None:
    assert {(c.key, c.old, c.new, c.effect) for c in forward.changes} == {
        (c.key, c.new, c.old, c.effect.mirrored()) for c in backward.changes
    }
    assert _identities(forward.introduced) == _identities(backward.fixed)
    assert _identities(forward.fixed) == _identities(backward.introduced)


@settings(max_examples=60)
@given(organisations(), organisations())
def test_a_diff_mirrors_its_reverse(a: str, b: str) -> None:
    """`diff A B` and `diff B A` report the same changes, added <-> removed, old <-> new, weakens <-> strengthens."""
    old, new = _side(a, "a"), _side(b, "b")
    forward, backward = compare(old, new), compare(new, old)
    _mirrored(forward, backward)
    assert {c.status for c in forward.changes if c.old is None} <= {"added"}
    assert forward.weakens == any(c.effect.value == "strengthens" for c in backward.changes)
