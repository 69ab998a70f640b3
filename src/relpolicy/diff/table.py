"""Whether a change weakens, strengthens or leaves a promise alone: one table, read top to bottom.

Every change the diff reports is a fact about one subject (a resource, or a service's ceiling,
budget, dependents...) whose value moved from ``old`` to ``new``. Each value has a rank (a
number: a percentage, seconds, minutes a week, a count, 1 for "present"); the first row of
:data:`RULES` whose category, kind and aspect match says which way is stronger, and how to read
a side where the fact is absent. The rows are rendered into docs/diff.md by
:func:`markdown_table` (a test keeps the two equal), so the documented rule is the rule applied.

Being decided by ranks alone, the classification is symmetric: swapping the sides of a diff
swaps ``weakens`` and ``strengthens`` and keeps ``neutral``.
"""

from __future__ import annotations

import enum
from decimal import Decimal
from fnmatch import fnmatchcase
from typing import Final, NamedTuple


class Effect(enum.Enum):
    """What a change does to the promises."""

    WEAKENS = "weakens"
    STRENGTHENS = "strengthens"
    NEUTRAL = "neutral"

    def mirrored(self) -> Effect:
        """The effect of the opposite change."""
        if self is Effect.WEAKENS:
            return Effect.STRENGTHENS
        if self is Effect.STRENGTHENS:
            return Effect.WEAKENS
        return Effect.NEUTRAL


class Better(enum.Enum):
    """Which rank is the stronger promise."""

    HIGHER = "higher"
    LOWER = "lower"
    NEITHER = "neither"


class Absent(enum.Enum):
    """How a side without the fact is ranked."""

    WEAKEST = "weakest"
    """No promise at all: weaker than any value (an RTO removed weakens, one added strengthens)."""
    ZERO = "zero"
    """Rank 0: none of it (no backup copies, no hard dependency, not in a freeze)."""
    IGNORE = "not ranked"
    """The subject itself is new or gone (reported on its own): the change is neutral."""


class Rule(NamedTuple):
    """One row of the table."""

    category: str
    kind: str
    """The kind of the subject (``*``: any)."""
    aspect: str
    """A key path or aspect, with ``*`` wildcards (``spec.levels[*].response``)."""
    better: Better
    absent: Absent
    why: str


_H, _L, _N = Better.HIGHER, Better.LOWER, Better.NEITHER
_W, _Z, _I = Absent.WEAKEST, Absent.ZERO, Absent.IGNORE

RULES: Final = (
    Rule("resource", "SLO", "exists", _H, _Z, "an SLO added is a new promise; an SLO removed drops one"),
    Rule("resource", "*", "*", _N, _Z, "other resources added, removed or renamed: their consequences are ranked"),
    Rule("field", "SLO", "spec.objective", _H, _W, "objective lowered: the promise is looser"),
    Rule("field", "SLO", "spec.sla", _H, _W, "SLA lowered or removed: the contract promises less"),
    Rule("field", "Service", "spec.tier", _L, _W, "tier number raised: the service is treated as less critical"),
    Rule("field", "Service", "spec.recovery.rto", _L, _W, "RTO raised or removed: recovery may take longer"),
    Rule("field", "Service", "spec.recovery.rpo", _L, _W, "RPO raised or removed: more data may be lost"),
    Rule("field", "Service", "spec.recovery.restoreTestEvery", _L, _W, "restores tested less often"),
    Rule("field", "Service", "spec.recovery.backups.copies", _H, _Z, "fewer backup copies"),
    Rule("field", "Service", "spec.recovery.backups.every", _L, _W, "backups taken less often"),
    Rule("field", "Service", "spec.recovery.backups.offsite", _H, _Z, "no longer kept off site"),
    Rule("field", "Service", "spec.recovery.backups.offline", _H, _Z, "no longer kept offline"),
    Rule(
        "field",
        "Service",
        "spec.dependsOn[*]",
        _L,
        _Z,
        "a hard dependency added under a tier-1 service",
    ),
    Rule("field", "PriorityPolicy", "spec.levels[*].response", _L, _W, "a level's response target raised"),
    Rule(
        "field",
        "PriorityPolicy",
        "spec.levels[*].restore",
        _L,
        _W,
        "a level's restore target raised (`scheduled` is weakest)",
    ),
    Rule("field", "PriorityPolicy", "spec.levels[*].clock", _H, _W, "a level's clock runs fewer hours a week"),
    Rule("field", "PriorityPolicy", "spec.levels[*].statusUpdateEvery", _L, _W, "status updates less often"),
    Rule("field", "EscalationPolicy", "spec.steps[*]", _H, _Z, "an escalation step removed"),
    Rule("field", "EscalationPolicy", "spec.repeat", _H, _Z, "the escalation repeats fewer times"),
    Rule("field", "*", "*", _N, _Z, "any other field (owner, descriptions, labels, runbooks...)"),
    Rule("error budget", "SLO", "*", _L, _I, "more downtime allowed per SLO window"),
    Rule("ceiling", "Service", "*", _H, _I, "the availability the hard dependencies allow went down"),
    Rule("blast radius", "Service", "*", _L, _I, "more services (or tier-1 services) go down with this one"),
    Rule("single point of failure", "Service", "*", _L, _Z, "a new single point of failure"),
    Rule(
        "priority",
        "PriorityPolicy",
        "*",
        _L,
        _I,
        "an incident of this tier and impact gets a lower priority (P2 -> P3)",
    ),
    Rule("maintenance", "SLO", "*", _L, _I, "more planned downtime in the worst SLO window"),
    Rule("freeze", "MaintenanceWindow", "*", _L, _Z, "a window newly inside a change freeze"),
    Rule("coverage", "Service", "*", _H, _I, "support covers fewer hours a week (24x7 -> business hours)"),
)
"""The classification, first match wins. Ranks: percentages, seconds, minutes a week, counts,
the level's number for priorities, 1 for "present"."""


def rule_for(category: str, kind: str, aspect: str) -> Rule:
    """The first row that applies (the table ends with catch-alls for the open categories)."""
    for row in RULES:
        if row.category == category and fnmatchcase(kind, row.kind) and fnmatchcase(aspect, _literal(row.aspect)):
            return row
    return Rule(category, kind, aspect, _N, _I, "")


def _literal(pattern: str) -> str:
    """``*`` stays a wildcard; brackets are the key path's own (``spec.steps[*]``), not a character class."""
    return pattern.replace("[", "\x00").replace("]", "[]]").replace("\x00", "[[]")


def classify(rule: Rule, old: Decimal | None, new: Decimal | None, *, old_absent: bool, new_absent: bool) -> Effect:
    """The effect of a move from rank ``old`` to rank ``new`` (None: not ranked) under ``rule``."""
    if rule.better is Better.NEITHER:
        return Effect.NEUTRAL
    if old_absent or new_absent:
        if rule.absent is Absent.IGNORE or (old_absent and new_absent):
            return Effect.NEUTRAL
        if rule.absent is Absent.ZERO:
            old = Decimal(0) if old_absent else old
            new = Decimal(0) if new_absent else new
        else:  # WEAKEST: the absent side is the weaker one
            weaker_old = old_absent
            return Effect.STRENGTHENS if weaker_old else Effect.WEAKENS
    if old is None or new is None or old == new:
        return Effect.NEUTRAL
    stronger = new > old if rule.better is Better.HIGHER else new < old
    return Effect.STRENGTHENS if stronger else Effect.WEAKENS


def markdown_table() -> str:
    """The table as docs/diff.md shows it."""
    lines = ["| category | kind | aspect | stronger rank | a side without it | reading |", "|---|---|---|---|---|---|"]
    lines += [
        f"| {r.category} | {r.kind} | `{r.aspect}` | {r.better.value} | {r.absent.value} | {r.why} |" for r in RULES
    ]
    return "\n".join(lines) + "\n"
