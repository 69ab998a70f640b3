"""``check --fix``: apply the findings' fixes, check again, repeat while fixes apply (at most a few rounds)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from relpolicy.cli._output import write
from relpolicy.editing.fixing import plan

if TYPE_CHECKING:
    from relpolicy.engine import Report

MAX_ROUNDS: Final = 5
"""A fix can reveal another (a renamed field makes the document valid, then its reference is
checked); fixes that touched the same text wait for the next round. Five rounds is plenty."""


def fix_until_clean(report: Report, recheck: Callable[[], Report], *, show_diff: bool) -> Report | None:
    """Fix, check again, and return the final report; with ``show_diff``, print the first round's diff instead."""
    applied = 0
    files: set[str] = set()
    for _ in range(MAX_ROUNDS):
        planned, skipped = plan(report.findings)
        for reason in skipped:
            print(f"relpolicy: not fixed: {reason}", file=sys.stderr)
        if show_diff:
            write("".join(fixed.diff() for fixed in planned))
            return None
        if not planned:
            break
        for fixed in planned:
            fixed.write()
            applied += len(fixed.applied)
            files.add(fixed.shown)
            for finding in fixed.applied:
                assert finding.fix is not None  # noqa: S101 - only findings with a fix are applied
                print(
                    f"relpolicy: fixed {finding.location} {finding.rule_id}: {finding.fix.description}", file=sys.stderr
                )
        report = recheck()
    print(f"relpolicy: applied {applied} fix(es) in {len(files)} file(s)", file=sys.stderr)
    return report
