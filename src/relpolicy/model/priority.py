"""PriorityPolicy: the priority tiers (response and restore targets) and the rules that pick one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from functools import cached_property
from typing import Annotated, Final, Literal

from pydantic import BeforeValidator, Field, PlainSerializer, WithJsonSchema

from relpolicy.model.base import Model, Reference, Resource, Spec
from relpolicy.model.calendar import ALWAYS
from relpolicy.model.types import (
    POSITIVE_DURATION_PATTERN,
    LabelKey,
    Name,
    PositiveDuration,
    Text,
    Tier,
    _matching,
    _text,
    checked_duration,
    format_duration,
    parse_duration,
)

IMPACTS: Final = ("outage", "degraded", "single-user", "request")
"""How badly an incident hurts, from worst to mildest."""
Impact = Literal["outage", "degraded", "single-user", "request"]

LEVEL_PATTERN: Final = r"^P[1-9]$"
SCHEDULED: Final = "scheduled"

LevelName = Annotated[
    str,
    BeforeValidator(_text("level", LEVEL_PATTERN, "a priority level name: P1, P2 ... P9")),
    _matching(LEVEL_PATTERN),
    WithJsonSchema({"type": "string", "pattern": LEVEL_PATTERN}),
]

_RESTORE_PATTERN: Final = f"^(?:{POSITIVE_DURATION_PATTERN[1:-1]}|{SCHEDULED})$"
_check_restore = _text("restore", _RESTORE_PATTERN, "a restore target: a duration like 4h or 2d, or `scheduled`")


def _restore(value: object) -> dt.timedelta | None:
    text = _check_restore(value)
    return None if text == SCHEDULED else checked_duration(parse_duration)(text)


RestoreTarget = Annotated[
    dt.timedelta | None,
    BeforeValidator(_restore),
    _matching(_RESTORE_PATTERN, then=_restore),
    PlainSerializer(lambda v: SCHEDULED if v is None else format_duration(v), return_type=str),
    WithJsonSchema(
        {
            "anyOf": [{"type": "string", "pattern": POSITIVE_DURATION_PATTERN}, {"const": SCHEDULED}],
            "description": "A duration on the level's clock, or `scheduled` (done at an agreed time).",
        }
    ),
]


class Level(Model):
    """One priority tier with its targets, measured on its clock."""

    name: LevelName
    """The level's name, P1 (most urgent) to P9."""
    description: Text
    """When the level applies, in words."""
    response: PositiveDuration
    """Time to first response, in the clock's working time."""
    restore: RestoreTarget
    """Time to restore service, in the clock's working time; `scheduled` when agreed case by case."""
    clock: Name = Field(default=ALWAYS, examples=[ALWAYS, "london-office-hours"])
    """The calendar the targets are counted on, by name; `always` (the default) counts every hour."""
    status_update_every: PositiveDuration | None = None
    """How often stakeholders get a status update while the incident is open."""

    @property
    def is_scheduled(self) -> bool:
        """True when restoring is scheduled case by case rather than bound by a target."""
        return self.restore is None


class Condition(Model):
    """What a rule matches; every listed condition must hold, an omitted one matches anything."""

    tier: list[Tier] | None = Field(default=None, min_length=1)
    """The tiers of the service hit, 1 (most critical) to 4 (any, when left out)."""
    impact: list[Impact] | None = Field(default=None, min_length=1)
    """How badly the incident hurts: `outage`, `degraded`, `single-user` or `request` (any, when left out)."""
    labels: dict[LabelKey, str] | None = None
    """Service labels that must all match."""

    def matches(self, tier: int, impact: str, labels: Mapping[str, str]) -> bool:
        """Does an incident of ``impact`` on a service of ``tier`` with ``labels`` meet every condition?"""
        if (self.tier is not None and tier not in self.tier) or (self.impact is not None and impact not in self.impact):
            return False
        return not self.labels or all(labels.get(key) == value for key, value in self.labels.items())


class Rule(Model):
    """Maps matching incidents to a level; the first matching rule wins."""

    when: Condition
    """What an incident must match for this rule to pick its level."""
    level: LevelName
    """The level this rule picks, by name."""


class PriorityPolicySpec(Spec):
    """Priority levels and the ordered rules that pick one."""

    description: Text | None = None
    """What the priority policy is for, in a sentence."""
    levels: list[Level] = Field(min_length=1)
    """The priority levels, each with its response and restore targets."""
    rules: list[Rule] = Field(default_factory=list)
    """Rules tried in order: the first whose `when` matches the incident picks its level."""
    default: LevelName
    """Level used when no rule matches."""

    def references(self) -> Iterator[Reference]:
        for i, level in enumerate(self.levels):
            yield Reference("Calendar", level.clock, ("spec", "levels", i, "clock"))
        for i, rule in enumerate(self.rules):
            yield Reference("level", rule.level, ("spec", "rules", i, "level"))
        yield Reference("level", self.default, ("spec", "default"))

    def level(self, name: str) -> Level | None:
        """The level called ``name``, if any."""
        index = self.level_index(name)
        return None if index is None else self.levels[index]

    def level_index(self, name: str) -> int | None:
        """The position of the level called ``name`` in ``levels`` (the first, if repeated), if any."""
        return self._level_indexes.get(name)

    def pick(self, tier: int, impact: str, labels: Mapping[str, str]) -> tuple[str, int | None]:
        """The level name for an incident, and the index of the rule that chose it (None: the default).

        Rules pick a level for every service, for one impact or all four: the answer is kept per
        tier, impact and the values of the labels the rules look at, which is all it depends on.
        """
        key = (tier, impact, *map(labels.get, self._label_keys))
        picked = self._picked.get(key)
        if picked is None:
            picked = self._picked[key] = self._first_match(tier, impact, labels)
        return picked

    def _first_match(self, tier: int, impact: str, labels: Mapping[str, str]) -> tuple[str, int | None]:
        for i, rule in enumerate(self.rules):
            if rule.when.matches(tier, impact, labels):
                return rule.level, i
        return self.default, None

    # Derived once per policy (the model is frozen); not fields, so neither validated nor dumped.

    @cached_property
    def _level_indexes(self) -> dict[str, int]:
        indexes: dict[str, int] = {}
        for index, level in enumerate(self.levels):
            indexes.setdefault(level.name, index)
        return indexes

    @cached_property
    def _label_keys(self) -> tuple[str, ...]:
        return tuple(sorted({key for rule in self.rules for key in rule.when.labels or ()}))

    @cached_property
    def _picked(self) -> dict[tuple[object, ...], tuple[str, int | None]]:
        return {}


class PriorityPolicy(Resource):
    """A priority policy."""

    KIND = "PriorityPolicy"
    kind: Literal["PriorityPolicy"]
    spec: PriorityPolicySpec
