"""Compare two sides: the resources added, removed, renamed or changed, the consequences, the findings.

Resources are matched by kind and name, so moving a resource to another file is no change. A
resource removed and one added of the same kind with the same content (all but the name) are
reported as one rename. Changed resources are compared field by field (see
:func:`relpolicy.diff.facts.field_facts`), then the consequences are compared, each computed on
both sides; every change is classified by :mod:`relpolicy.diff.table`. Findings are matched by
rule and line-independent subject, as baselines match them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from relpolicy.baseline import Baseline
from relpolicy.diff import facts as f
from relpolicy.diff.facts import Facts, Focus, Key, Value
from relpolicy.diff.sides import Side
from relpolicy.diff.table import Effect, classify, rule_for
from relpolicy.findings import Finding
from relpolicy.model.base import Resource
from relpolicy.model.calendar import Calendar
from relpolicy.model.maintenance import MaintenanceWindow
from relpolicy.model.priority import PriorityPolicy
from relpolicy.model.service import Service
from relpolicy.model.slo import SLO
from relpolicy.model.team import Team
from relpolicy.policy import ResourceId

CATEGORIES: Final = (
    "resource",
    "field",
    "error budget",
    "ceiling",
    "blast radius",
    "single point of failure",
    "priority",
    "maintenance",
    "freeze",
    "coverage",
)
"""The order in which a subject's changes are listed."""
PARTS_SHOWN: Final = 12
"""The most parts (terms, dependents) a message names; the rest are counted."""
NONE: Final = "(none)"


@dataclass(frozen=True, slots=True)
class Change:
    """One fact that differs between the sides, classified."""

    key: Key
    old: Value | None
    new: Value | None
    effect: Effect
    reading: str
    """The table row's reading (why such a change weakens)."""

    @property
    def status(self) -> str:
        """``added``, ``removed`` or ``changed``."""
        if self.old is None:
            return "added"
        return "removed" if self.new is None else "changed"

    @property
    def sort_key(self) -> tuple[str, int, str]:
        """By subject, then category, then aspect."""
        return (self.subject, CATEGORIES.index(self.key.category), self.key.aspect)

    def mirrored(self) -> Change:
        """The same change seen from the other side."""
        return Change(self.key, self.new, self.old, self.effect.mirrored(), self.reading)

    @property
    def is_rename(self) -> bool:
        """Is this a resource that looks renamed (same content, new name)?"""
        return self.key.category == "resource" and self.key.aspect.startswith("rename ")

    @property
    def subject(self) -> str:
        """The resource the change is about (for a rename, the old name)."""
        if self.is_rename and self.old is not None:
            return f"{self.key.kind}/{self.old.text}"
        return self.key.subject

    def message(self) -> str:
        """The change in words, with its numbers."""
        return f"{self.subject} {self.detail()}"

    def detail(self) -> str:
        """The change in words without its subject: ``spec.objective: 99.95 -> 99.9``."""
        key = self.key
        if key.category == "resource":
            if self.is_rename:
                new = NONE if self.new is None else self.new.text
                return f"renamed to {key.kind}/{new} (same content)"
            return self.status
        text = f"{key.aspect}: {self.old_text} -> {self.new_text}"
        moved = _parts(self.old, self.new)
        return f"{text} ({moved})" if moved else text

    @property
    def old_text(self) -> str:
        """The old value as text, ``(none)`` when absent."""
        return NONE if self.old is None else self.old.text

    @property
    def new_text(self) -> str:
        """The new value as text, ``(none)`` when absent."""
        return NONE if self.new is None else self.new.text


def _parts(old: Value | None, new: Value | None) -> str:
    before = dict(old.parts) if old is not None else {}
    after = dict(new.parts) if new is not None else {}
    shown: list[str] = []
    for label in sorted(before.keys() | after.keys()):
        if label not in before:
            shown.append(f"+{label} {after[label]}".rstrip())
        elif label not in after:
            shown.append(f"-{label} {before[label]}".rstrip())
        elif before[label] != after[label]:
            shown.append(f"{label} {before[label]} -> {after[label]}")
    if len(shown) > PARTS_SHOWN:
        shown = [*shown[:PARTS_SHOWN], f"and {len(shown) - PARTS_SHOWN} more"]
    return ", ".join(shown)


@dataclass(frozen=True, slots=True)
class Diff:
    """What changed from the base side to the head side."""

    base: str
    head: str
    changes: tuple[Change, ...]
    introduced: tuple[Finding, ...]
    """Findings of the head side that the base side did not have."""
    fixed: tuple[Finding, ...]
    """Findings of the base side that the head side no longer has."""
    as_of: dt.date

    def count(self, effect: Effect) -> int:
        """How many changes have this effect."""
        return sum(1 for c in self.changes if c.effect is effect)

    @property
    def weakens(self) -> bool:
        """Does any change weaken a promise?"""
        return any(c.effect is Effect.WEAKENS for c in self.changes)

    @property
    def is_empty(self) -> bool:
        """Nothing changed: no change and no finding introduced or fixed."""
        return not (self.changes or self.introduced or self.fixed)


def compare(old: Side, new: Side) -> Diff:
    """Everything that differs between two checked sides."""
    old_facts: Facts = {}
    new_facts: Facts = {}
    changed: set[ResourceId] = set()
    added, removed = _presence(old, new, old_facts, new_facts)
    old_origins, new_origins = old.policy.origins, new.policy.origins
    same_files = {path for path, text in old.sources.items() if new.sources.get(path) == text}
    for resource_id in old.policy.resources.keys() & new.policy.resources.keys():
        before_doc, after_doc = old_origins[resource_id].document, new_origins[resource_id].document
        path = before_doc.positions.file
        # Same file, same text: same resource. Else the documents' plain data, compared in C (a model is a
        # function of its document), and only then the models.
        if (path in same_files and after_doc.positions.file == path) or before_doc.data == after_doc.data:
            continue
        before, after = old.policy.resources[resource_id], new.policy.resources[resource_id]
        if before != after:
            changed.add(resource_id)
            old_facts.update(f.field_facts(old, before))
            new_facts.update(f.field_facts(new, after))
    touched = changed | added | removed
    _consequences(old, new, touched, old_facts, new_facts)
    changes = sorted(_changes(old_facts, new_facts), key=lambda c: c.sort_key)
    introduced, fixed = findings_delta(old.findings, new.findings)
    return Diff(old.label, new.label, tuple(changes), introduced, fixed, new.as_of)


def _presence(old: Side, new: Side, old_facts: Facts, new_facts: Facts) -> tuple[set[ResourceId], set[ResourceId]]:
    """Facts for resources on one side only; pairs with the same content become renames."""
    gone = sorted(old.policy.resources.keys() - new.policy.resources.keys())
    came = sorted(new.policy.resources.keys() - old.policy.resources.keys())
    arrivals: dict[tuple[str, str], list[ResourceId]] = {}
    for resource_id in came:
        arrivals.setdefault((resource_id.kind, _content(new.policy.resources[resource_id])), []).append(resource_id)
    present = Value("present", Decimal(1))
    for resource_id in gone:
        candidates = arrivals.get((resource_id.kind, _content(old.policy.resources[resource_id])))
        if candidates:
            renamed = candidates.pop(0)
            first, second = sorted((resource_id.name, renamed.name))  # the same key seen from either side
            key = Key("resource", resource_id.kind, f"{resource_id.kind}/{first}", f"rename {first}|{second}")
            old_facts[key] = Value(resource_id.name)
            new_facts[key] = Value(renamed.name)
            continue
        old_facts[Key("resource", resource_id.kind, str(resource_id), "exists")] = present
    for waiting in arrivals.values():
        for resource_id in waiting:
            new_facts[Key("resource", resource_id.kind, str(resource_id), "exists")] = present
    return set(came), set(gone)


def _content(resource: Resource) -> str:
    data = resource.model_dump(by_alias=True, exclude_unset=True, mode="json")
    data["metadata"] = {k: v for k, v in data["metadata"].items() if k != "name"}
    return json.dumps(data, sort_keys=True)


def _consequences(old: Side, new: Side, touched: set[ResourceId], old_facts: Facts, new_facts: Facts) -> None:
    """Add the consequences worth comparing to both sides' facts."""
    kinds = {rid.kind for rid in touched}
    changed_slos = Focus(slos=frozenset(rid.name for rid in touched if rid.kind == SLO.KIND))
    supported = _coverage_focus(old, new, touched)
    for side, facts in ((old, old_facts), (new, new_facts)):
        facts.update(f.budgets(side, changed_slos))
        if PriorityPolicy.KIND in kinds:
            facts.update(f.priorities(side))
        facts.update(f.coverage(side, supported))
    old_ceilings, new_ceilings = old.graph.ceilings, new.graph.ceilings
    moved = [n for n in old_ceilings.keys() & new_ceilings.keys() if old_ceilings[n] != new_ceilings[n]]
    old_facts.update(f.ceilings(old, moved))
    new_facts.update(f.ceilings(new, moved))
    services = {rid.name for rid in touched if rid.kind == Service.KIND}
    reach = _below(old, services) | _below(new, services)
    focus = Focus(services=frozenset(reach))
    old_facts.update(f.dependents(old, focus))
    new_facts.update(f.dependents(new, focus))
    old_targets, new_targets = f.window_services(old), f.window_services(new)
    old_affecting = f.affecting_windows(old, old_targets)
    new_affecting = f.affecting_windows(new, new_targets)
    windows = {rid.name for rid in touched if rid.kind == MaintenanceWindow.KIND}
    windows |= {w for w in old_targets.keys() & new_targets.keys() if old_targets[w] != new_targets[w]}
    slos = {rid.name for rid in touched if rid.kind == SLO.KIND}
    none: frozenset[str] = frozenset()
    moved_windows = {
        service
        for service in old_affecting.keys() | new_affecting.keys()
        if (before := old_affecting.get(service, none)) != (after := new_affecting.get(service, none))
        or (before | after) & windows
    }
    for side in (old, new):
        for service in moved_windows:
            slos.update(slo.name for slo in side.policy.slos_of(service))
    slo_focus = Focus(slos=frozenset(slos))
    old_facts.update(f.planned_downtime(old, slo_focus, old_affecting))
    new_facts.update(f.planned_downtime(new, slo_focus, new_affecting))
    old_facts.update(f.freezes(old, old_targets))
    new_facts.update(f.freezes(new, new_targets))


def _coverage_focus(old: Side, new: Side, touched: set[ResourceId]) -> Focus:
    """The services whose coverage may have moved: changed ones and changed teams' (all, if a calendar changed)."""
    if any(rid.kind == Calendar.KIND for rid in touched):
        return Focus()
    services = {rid.name for rid in touched if rid.kind == Service.KIND}
    teams = {rid.name for rid in touched if rid.kind == Team.KIND}
    if teams:
        for side in (old, new):
            services.update(s.name for s in side.policy.services if s.spec.owner in teams)
    return Focus(services=frozenset(services))


def _below(side: Side, names: Iterable[str]) -> set[str]:
    """The services named and everything they reach through hard entries (whose dependents may change)."""
    graph = side.graph
    seen = {n for n in names if n in graph.services}
    stack = list(seen)
    while stack:
        for entry in graph.hard_entries(stack.pop()):
            for target in entry.targets:
                if target not in seen:
                    seen.add(target)
                    stack.append(target)
    return seen


def _changes(old_facts: Facts, new_facts: Facts) -> Iterator[Change]:
    for key in old_facts.keys() | new_facts.keys():
        before, after = old_facts.get(key), new_facts.get(key)
        if before is not None and after is not None:
            same = before.text == after.text and before.parts == after.parts
            if same and (key.category == "field" or before.rank == after.rank):
                continue
        rule = rule_for(key.category, key.kind, key.aspect)
        effect = classify(
            rule,
            None if before is None else before.rank,
            None if after is None else after.rank,
            old_absent=before is None,
            new_absent=after is None,
        )
        yield Change(key, before, after, effect, rule.why)


def findings_delta(old: Iterable[Finding], new: Iterable[Finding]) -> tuple[tuple[Finding, ...], tuple[Finding, ...]]:
    """The findings only the new side has, and those only the old side has (matched as baselines match)."""
    old_list, new_list = list(old), list(new)
    introduced, _ = Baseline.of(old_list).filter(new_list)
    fixed, _ = Baseline.of(new_list).filter(old_list)
    return tuple(introduced), tuple(fixed)
