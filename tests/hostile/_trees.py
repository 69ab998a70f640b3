"""Hostile policy trees for the time and value bound tests: one bad file beside valid ones."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from tests.conftest import AS_OF, REPO

from relpolicy.engine import Report, check

TIME_LIMIT: Final = 5.0
"""Seconds any hostile input may take (generous: the attacks took 11 s to minutes before the bounds)."""

SERVICE: Final = """\
apiVersion: relpolicy.dev/v1
kind: Service
metadata: {name: x}
spec:
  description: The web shop.
  tier: 3
  owner: web
---
apiVersion: relpolicy.dev/v1
kind: Team
metadata: {name: web}
spec:
  coverage: always
  members: [{name: Ana Lima, email: ana@example.com}]
"""
"""A valid service for the bad documents to aim at."""

SIBLING: Final = """\
apiVersion: relpolicy.dev/v1
kind: Team
metadata: {name: sibling}
spec:
  coverage: always
  membrs: [{name: Bo Chen, email: bo@example.com}]
"""
"""A valid file with one known finding, which every hostile run must still report."""
SIBLING_FINDING: Final = ("sibling.yaml", 6, 3, "RP103", "unknown field `membrs` in spec, did you mean `members`?")


GOOD_TEAM: Final = """\
apiVersion: relpolicy.dev/v1
kind: Team
metadata: {name: payments}
spec:
  coverage: always
  members: [{name: Ana Lima, email: ana@example.com}]
"""
"""A valid team, the good file beside a hostile one."""
WITNESS_TEAM: Final = """\
apiVersion: relpolicy.dev/v1
kind: Team
metadata: {name: search}
spec:
  coverage: nowhere
  members: [{name: Bo Chen, email: bo@example.com}]
"""
"""A team whose calendar does not exist: its RP201 proves the file was still checked."""


def window(schedule: str, duration: str = "2h") -> str:
    """A maintenance window on `x` with ``schedule`` (its lines under spec, indented by two)."""
    return (
        "apiVersion: relpolicy.dev/v1\nkind: MaintenanceWindow\nmetadata: {name: bad}\nspec:\n"
        f"  services: [x]\n{schedule}  duration: {duration}\n"
    )


def recurring(rrule: str) -> str:
    """A recurring window with ``rrule`` at line 6, column 10 of its file."""
    return window(f"  rrule: {rrule}\n  start: '02:00'\n  timezone: Europe/London\n")


def write_tree(root: Path, bad: str | bytes, name: str = "bad.yaml") -> Path:
    """``root/policies`` with the bad file, the service and the sibling; returns the policy folder."""
    policies = root / "policies"
    policies.mkdir(parents=True, exist_ok=True)
    (policies / "service.yaml").write_text(SERVICE, encoding="utf-8")
    (policies / "sibling.yaml").write_text(SIBLING, encoding="utf-8")
    path = policies / name
    if isinstance(bad, bytes):
        path.write_bytes(bad)
    else:
        path.write_text(bad, encoding="utf-8")
    return policies


@dataclass(frozen=True)
class Checked:
    """A library check of a hostile tree, with its findings as tuples and how long it took."""

    report: Report
    seconds: float

    @property
    def found(self) -> set[tuple[str, int, int, str, str]]:
        return {
            (Path(f.location.path).name, f.location.line, f.location.col, f.rule_id, f.message)
            for f in self.report.findings
        }


def run_check(root: Path, bad: str | bytes, name: str = "bad.yaml") -> Checked:
    """Check a tree holding ``bad`` through the library, as of the tests' date, timed."""
    policies = write_tree(root, bad, name)
    started = time.perf_counter()
    report = check([policies], as_of=AS_OF, base=root)
    return Checked(report, time.perf_counter() - started)


@dataclass(frozen=True)
class Ran:
    """A run of the real console script."""

    code: int
    out: str
    err: str
    seconds: float


def run_cli(*argv: str, cwd: Path) -> Ran:
    """Run the installed ``relpolicy`` script (a real process: argparse, exit codes, streams)."""
    script = Path(sys.executable).with_name("relpolicy")
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(REPO / "src")}
    started = time.perf_counter()
    done = subprocess.run(
        [str(script), *argv], capture_output=True, text=True, check=False, cwd=cwd, env=env, timeout=120
    )
    return Ran(done.returncode, done.stdout, done.stderr, time.perf_counter() - started)
