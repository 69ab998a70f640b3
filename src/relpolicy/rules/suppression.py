"""RP9xx: suppressions that need attention (the engine reports these while applying them)."""

from __future__ import annotations

from typing import Final

from relpolicy.findings import Severity
from relpolicy.rules._framework import declare

_SERVICE: Final = """
        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: checkout}
        spec:
          description: Takes orders.
          tier: 1
          owner: payments
          dependsOn:
            # relpolicy: ignore[RP302] %s
            - service: recommendations
        ---
        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: recommendations}
        spec: {description: Suggests products., tier: %d, owner: payments}
        ---
        apiVersion: relpolicy.dev/v1
        kind: Team
        metadata: {name: payments}
        spec:
          coverage: always
          members: [{name: Ana Lima, email: ana@example.com}]
"""

UNUSED_SUPPRESSION = declare(
    id="RP901",
    name="unused-suppression",
    severity=Severity.WARNING,
    summary="A `# relpolicy: ignore[...]` comment suppresses nothing, or names no known rule.",
    fix="removes a suppression that suppresses nothing, or the rules in its brackets that suppress nothing",
    doc=f"""
    A suppression outlives the problem it silenced: once the dependency is fixed, the comment
    stays and would hide the next, different problem on that line. A suppression that matches no
    finding (or names a rule that does not exist) is reported so that it can be removed.

    Failing example:
{_SERVICE % ("recommendations will be raised to tier 1 in Q1", 1)}
    Passing example:
{_SERVICE % ("recommendations will be raised to tier 1 in Q1", 3)}
    """,
)

SUPPRESSION_WITHOUT_REASON = declare(
    id="RP902",
    name="suppression-without-reason",
    severity=Severity.WARNING,
    summary="A `# relpolicy: ignore[...]` comment gives no reason.",
    doc=f"""
    A suppression is a decision to accept a risk; the reason is what a reviewer checks and what
    the next engineer needs to know. Write it after the brackets, on the same line.

    Failing example:
{_SERVICE % ("", 3)}
    Passing example:
{_SERVICE % ("recommendations will be raised to tier 1 in Q1", 3)}
    """,
)

RULES: Final = (UNUSED_SUPPRESSION, SUPPRESSION_WITHOUT_REASON)
