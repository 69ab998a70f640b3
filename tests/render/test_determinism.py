"""Output is byte-for-byte the same across runs, time zones and the order documents are written in."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.render.conftest import AS_OF, EXAMPLE, FIXTURE, GOLDEN, REPO, loaded

from relpolicy.render.runbooks import render_runbooks
from relpolicy.render.sla import render_sla, sla_table
from relpolicy.render.templating import environment

ZONES = ("Pacific/Chatham", "America/St_Johns")
"""UTC+13:45 in its summer and UTC-3:30: far from UTC, with odd offsets."""


def relpolicy(*args: str, zone: str) -> subprocess.CompletedProcess[bytes]:
    """The console entry point in a fresh interpreter with the machine time zone set to ``zone``."""
    env = {**os.environ, "TZ": zone}
    return subprocess.run(
        [sys.executable, "-m", "relpolicy", *args], capture_output=True, env=env, cwd=REPO, check=False
    )


@pytest.mark.parametrize(("zone", "scenarios"), [(ZONES[0], ("fixture", "example")), (ZONES[1], ("fixture",))])
def test_runbooks_in_other_time_zones(zone: str, scenarios: tuple[str, ...], tmp_path: Path) -> None:
    """Runbooks as of a date (next occurrences, freezes, restore tests) do not depend on the machine's zone."""
    for scenario in scenarios:
        root = {"fixture": FIXTURE, "example": EXAMPLE}[scenario]
        out = tmp_path / scenario
        done = relpolicy("render", "runbooks", str(root), "--out", str(out), "--as-of", str(AS_OF), zone=zone)
        assert done.returncode == 0, done.stderr
        golden = GOLDEN / scenario / f"runbooks-{AS_OF}"
        assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in golden.iterdir())
        for page in golden.iterdir():
            assert (out / page.name).read_bytes() == page.read_bytes(), f"{scenario}/{page.name} under TZ={zone}"


def test_sla_html_in_another_time_zone() -> None:
    """The HTML page under TZ=Pacific/Chatham is the golden one."""
    done = relpolicy("render", "sla", str(EXAMPLE), "--format", "html", "--runbooks-link", "", zone=ZONES[0])
    assert (done.returncode, done.stdout) == (0, (GOLDEN / "example" / "sla.html").read_bytes())


def test_document_order_does_not_matter(tmp_path: Path) -> None:
    """The fixture's documents written in reverse order, in one file, render to the same bytes."""
    documents = []
    for path in sorted(FIXTURE.glob("*.yaml")):
        documents += path.read_text(encoding="utf-8").split("\n---\n")
    (tmp_path / "all.yaml").write_text("\n---\n".join(reversed(documents)), encoding="utf-8")
    policy, graph = loaded(tmp_path)
    for name, text in render_runbooks(environment(), policy, graph, as_of=AS_OF).items():
        assert text == (GOLDEN / "fixture" / f"runbooks-{AS_OF}" / name).read_text(encoding="utf-8"), name
    assert render_sla(environment(), sla_table(policy, graph), "json") == (GOLDEN / "fixture" / "sla.json").read_text(
        encoding="utf-8"
    )


def test_two_runs_are_identical() -> None:
    """Rendering twice in one process gives the same text (no state carried between runs)."""
    policy, graph = loaded(EXAMPLE)
    first = render_runbooks(environment(), policy, graph, as_of=AS_OF)
    assert render_runbooks(environment(), *loaded(EXAMPLE), as_of=AS_OF) == first
