"""Documents render from a policy whose names do not all resolve (RP201 findings): they say so, never crash."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.render.conftest import AS_OF, loaded

from relpolicy.cli import main
from relpolicy.render.runbooks import service_page
from relpolicy.render.sla import render_sla, sla_table
from relpolicy.render.templating import environment

DANGLING = """\
apiVersion: relpolicy.dev/v1
kind: Service
metadata: {name: api}
spec:
  description: An API.
  owner: ghosts
  tier: 2
  coverage: night-shift
  escalationPolicy: paging
  dependsOn:
    - service: missing-db
---
apiVersion: relpolicy.dev/v1
kind: EscalationPolicy
metadata: {name: paging}
spec:
  steps:
    - after: 0m
      notify: [{team: ghosts}, {person: nobody@example.com}]
---
apiVersion: relpolicy.dev/v1
kind: PriorityPolicy
metadata: {name: levels}
spec:
  levels:
    - {name: P1, description: down, response: 15m, restore: 4h, clock: nights}
  rules:
    - when: {impact: [outage]}
      level: P7
  default: P1
"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "policy.yaml").write_text(DANGLING, encoding="utf-8")
    return tmp_path


def test_the_page_names_what_is_missing(root: Path) -> None:
    """Unknown owner, calendar, team, person, dependency and level are named."""
    policy, graph = loaded(root)
    page = service_page(policy, graph, "api", as_of=AS_OF)
    assert (page.owner, page.owner_name) == (None, "ghosts")
    assert page.coverage is not None
    assert page.coverage.summary == "night-shift (not defined)"
    assert page.escalation is not None
    assert [(r.name, r.detail) for r in page.escalation.steps[0].recipients] == [
        ("ghosts", "not defined"),
        ("nobody@example.com", "not a member of any team"),
    ]
    assert page.dependencies[0].services[0].link == "`missing-db` (no such service)"
    assert page.priorities is not None
    assert [(r.level, r.description) for r in page.priorities.rows[:2]] == [
        ("P7", "(level not defined)"),
        ("P1", "down"),
    ]
    assert page.priorities.rows[1].clock == "nights (not defined)"
    assert not page.windows  # a recurrence dateutil refuses is RP103: the window never reaches a page
    table = sla_table(policy, graph)
    assert table.priorities[0].levels[0].clock_text == "nights (not defined)"
    assert "| api | 2 | — | — | — | — | — | — | — | — | night-shift | ghosts |" in render_sla(
        environment(), table, "md"
    )


def test_commands_run_on_it(root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Every command completes; graph writes to --out; a bad depth is a usage error."""
    out = tmp_path / "out"
    assert main(["render", "runbooks", str(root), "--out", str(out), "--as-of", str(AS_OF)]) == 0
    assert "not defined" in (out / "api.md").read_text(encoding="utf-8")
    assert main(["graph", str(root), "--format", "json", "--out", str(tmp_path / "graph.json")]) == 0
    assert (tmp_path / "graph.json").read_text(encoding="utf-8").startswith('{\n  "schemaVersion": 1,')
    capsys.readouterr()
    assert main(["graph", str(root), "--service", "api", "--depth", "x"]) == 2
    assert "not a depth: 'x' (expected a whole number from 0 to 1000)" in capsys.readouterr().err
    assert main(["render", "runbooks", str(root), "--out", str(out), "--as-of", "2026-13-01"]) == 2
    assert "not a date: '2026-13-01' (expected YYYY-MM-DD)" in capsys.readouterr().err
