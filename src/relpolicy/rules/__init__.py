"""The rule registry: every rule, by id and by name, in catalogue order."""

from __future__ import annotations

from typing import Final

from relpolicy.errors import RelpolicyError
from relpolicy.rules import graph, maintenance, ownership, priority, recovery, references, slo, structure, suppression
from relpolicy.rules._framework import RULE_ID_PATTERN, Rule, RuleContext, RuleDoc

__all__ = ["RULES", "Rule", "RuleContext", "RuleDoc", "by_id", "by_name", "lookup"]

RULES: Final[tuple[Rule, ...]] = tuple(
    sorted(
        (
            *structure.RULES,
            *references.RULES,
            *graph.RULES,
            *slo.RULES,
            *maintenance.RULES,
            *recovery.RULES,
            *priority.RULES,
            *ownership.RULES,
            *suppression.RULES,
        ),
        key=lambda r: r.id,
    )
)

_BY_ID: Final = {r.id: r for r in RULES}
_BY_NAME: Final = {r.name: r for r in RULES}
if len(_BY_ID) != len(RULES) or len(_BY_NAME) != len(RULES):  # pragma: no cover - guarded by tests
    msg = "rule ids and names must be unique"
    raise RuntimeError(msg)


def by_id(rule_id: str) -> Rule:
    """The rule with this id (``RP303``)."""
    try:
        return _BY_ID[rule_id.upper()]
    except KeyError:
        msg = f"unknown rule id `{rule_id}`; `relpolicy rules` lists them"
        raise RelpolicyError(msg) from None


def by_name(name: str) -> Rule:
    """The rule with this kebab-case name (``infeasible-availability``)."""
    try:
        return _BY_NAME[name]
    except KeyError:
        msg = f"unknown rule name `{name}`; `relpolicy rules` lists them"
        raise RelpolicyError(msg) from None


def lookup(key: str) -> Rule:
    """A rule by id or by name."""
    return by_id(key) if RULE_ID_PATTERN.match(key.upper()) else by_name(key)
