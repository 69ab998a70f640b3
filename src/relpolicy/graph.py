"""The service dependency graph and the facts propagated along it.

Services are nodes; each ``dependsOn`` entry that names existing services is an edge (an
``anyOf`` entry is one edge per alternative, grouped by the entry). Rules share the facts
computed here, each computed once, on first use:

- the availability ceiling of every service (what its hard dependencies allow),
- the slowest recovery time among its transitive hard dependencies, with the path,
- the weakest support coverage among its transitive hard dependencies, with the path,
- the tier-1 services that hard-depend on each service.

Every propagation is one pass over the condensation of the hard graph (its strongly connected
components, in topological order), so the cost is linear in services + edges. Inside a hard
cycle (itself a finding, RP301) members do not propagate to one another: a cycle has no
meaningful "slowest dependency", and the facts stay finite and deterministic.

An ``anyOf`` group is up while any alternative is up: its availability is
``1 - product(1 - a_i)``, it is restored when its fastest alternative is, it is covered by its
best-covered alternative, and no single alternative is a single point of failure.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Final

from relpolicy.model.calendar import ALWAYS, WEEK_MINUTES

if TYPE_CHECKING:
    from relpolicy.model.service import Dependency, Service
    from relpolicy.model.slo import SLO
    from relpolicy.policy import PolicySet

HUNDRED: Final = Decimal(100)


@dataclass(frozen=True, slots=True)
class Entry:
    """One ``dependsOn`` entry of a service, restricted to the services that exist."""

    source: str
    index: int
    """Position in the source's ``dependsOn`` list."""
    targets: tuple[str, ...]
    hard: bool
    any_of: bool

    @property
    def path(self) -> tuple[str | int, ...]:
        """Where the entry is written in the source's document."""
        return ("spec", "dependsOn", self.index)


@dataclass(frozen=True, slots=True)
class Term:
    """One factor of an availability ceiling: a dependency (or ``anyOf`` group) and its availability."""

    label: str
    availability: Decimal
    """Percent."""
    entry: Entry


@dataclass(frozen=True, slots=True)
class Ceiling:
    """The most availability a service's hard dependencies allow: the product of ``terms``."""

    value: Decimal
    """Percent; 100 when nothing constrains it."""
    terms: tuple[Term, ...]
    unknown: tuple[str, ...]
    """Hard dependencies whose availability is unknown (counted as 100%)."""


@dataclass(frozen=True, slots=True)
class Chain:
    """A value found at the end of a path of hard dependencies.

    ``path`` starts at a direct dependency of the service the chain belongs to.
    """

    value: int
    path: tuple[str, ...]

    @property
    def end(self) -> str:
        """The service the value belongs to."""
        return self.path[-1]


@dataclass(frozen=True, slots=True)
class Cycle:
    """A strongly connected group of services, with one cycle through it in dependency order."""

    members: frozenset[str]
    cycle: tuple[str, ...]
    """``a -> b -> c`` (back to ``a``), starting at the smallest name."""
    hard: bool
    """True when the cycle is made of hard dependencies only."""


@dataclass(frozen=True, slots=True)
class Impact:
    """What goes down with a service: ``down`` through hard dependencies, ``degraded`` through soft ones."""

    down: tuple[str, ...]
    degraded: tuple[str, ...]


class ServiceGraph:
    """The dependency graph of a policy set, and the facts rules share.

    Plain dicts of names: building it, its strongly connected components and every fact are one
    pass each over services and edges (a graph library would add ~0.1-0.4 s of import to every
    check and build its own copy of the edges; the tests check these walks against networkx).
    """

    def __init__(self, policy: PolicySet) -> None:
        self.policy = policy
        self.services: dict[str, Service] = {s.name: s for s in policy.services}
        self.entries: dict[str, list[Entry]] = {}
        self._hard_entries: dict[str, list[Entry]] = {}
        self._dependencies: dict[str, list[str]] = {}
        self._hard_dependencies: dict[str, list[str]] = {}
        self._dependents: dict[str, list[str]] = {name: [] for name in self.services}
        for name, service in self.services.items():
            entries = self._entries(name, service.spec.depends_on)
            hard = [e for e in entries if e.hard]
            self.entries[name] = entries
            self._hard_entries[name] = hard
            # Ordered sets of names: a service may name a dependency in several entries.
            self._dependencies[name] = targets = list(dict.fromkeys(t for e in entries for t in e.targets))
            self._hard_dependencies[name] = list(dict.fromkeys(t for e in hard for t in e.targets))
            for target in targets:
                self._dependents[target].append(name)
        self._weekly_minutes: dict[str, int | None] = {}

    def _entries(self, name: str, depends_on: Sequence[Dependency]) -> list[Entry]:
        services = self.services
        entries = []
        for index, dependency in enumerate(depends_on):
            if dependency.service is not None:  # most entries: spare the generator
                targets: tuple[str, ...] = (dependency.service,) if dependency.service in services else ()
            else:
                targets = tuple(t for t in dependency.names if t in services)
            if targets:
                entries.append(Entry(name, index, targets, dependency.is_hard, dependency.any_of is not None))
        return entries

    # --- Structure -------------------------------------------------------------------------------

    def dependencies(self, name: str) -> Sequence[str]:
        """The services ``name`` depends on (hard or soft), in the order its entries name them."""
        return self._dependencies.get(name, ())

    def dependents(self, name: str) -> Sequence[str]:
        """The services that depend on ``name`` (hard or soft), in service order."""
        return self._dependents.get(name, ())

    def hard_entries(self, name: str) -> list[Entry]:
        """The hard ``dependsOn`` entries of a service."""
        return self._hard_entries.get(name, [])

    @cached_property
    def edges(self) -> dict[tuple[str, str], bool]:
        """Every dependency ``(dependant, dependency)``, true when some hard entry makes it."""
        hard = self._hard_dependencies
        return {(name, t): t in hard[name] for name, targets in self._dependencies.items() for t in targets}

    @cached_property
    def _components(self) -> tuple[dict[str, int], list[list[str]]]:
        """Hard strongly connected components (members sorted), listed dependencies first."""
        groups = [sorted(group) for group in strongly_connected(self.services, self._hard_dependencies)]
        component = {name: i for i, group in enumerate(groups) for name in group}
        return component, groups

    def _bottom_up(self) -> Iterator[str]:
        """Services, each after every service it hard-depends on (outside its own cycle)."""
        for group in self._components[1]:
            yield from group

    @cached_property
    def _hard_below(self) -> dict[str, list[tuple[Entry, tuple[str, ...]]]]:
        """Per service, its hard entries, each with its targets outside the service's own cycle."""
        component = self._components[0]
        below = {}
        for name, entries in self._hard_entries.items():
            mine = component[name]
            below[name] = [(e, tuple(t for t in e.targets if component[t] != mine)) for e in entries]
        return below

    def hard_closure(self, name: str) -> frozenset[str]:
        """Every service ``name`` needs through hard single-service entries, transitively (not itself)."""
        needs = self._needs_single
        seen: set[str] = set()
        stack = [name]
        while stack:
            for target in needs.get(stack.pop(), ()):
                if target not in seen:
                    seen.add(target)
                    stack.append(target)
        seen.discard(name)
        return frozenset(seen)

    def hard_needs(self, marks: Mapping[str, int]) -> dict[str, int]:
        """Per service, the union of the ``marks`` (bitsets) of the service and its ``hard_closure``.

        One pass over the strongly connected groups of the hard single-service entries,
        dependencies first, instead of a walk per service (quadratic on a deep catalogue): a
        rule marks services (say, one bit per maintenance window) and learns, for each service,
        the marks of everything it needs.
        """
        needs = self._needs_single
        groups, group_of = self._single_groups
        found: dict[str, int] = {}
        for i, group in enumerate(groups):
            bits = 0
            for name in group:
                bits |= marks.get(name, 0)
                for target in needs[name]:
                    if group_of[target] != i:
                        bits |= found[target]
            for name in group:
                found[name] = bits
        return found

    @cached_property
    def _single_groups(self) -> tuple[list[list[str]], dict[str, int]]:
        """The strongly connected groups of ``_needs_single``, dependencies first, and each service's group."""
        component, groups = self._components
        if len(groups) == len(self.services):  # no hard cycle: nor among the single-service edges, a subset
            return groups, component
        groups = strongly_connected(self.services, self._needs_single)
        return groups, {name: i for i, group in enumerate(groups) for name in group}

    @cached_property
    def _needs_single(self) -> dict[str, list[str]]:
        """The hard single-service edges: what ``hard_closure`` walks."""
        return {name: [e.targets[0] for e in entries if not e.any_of] for name, entries in self._hard_entries.items()}

    @cached_property
    def cycles(self) -> list[Cycle]:
        """Every dependency cycle, once: one per strongly connected group of the whole graph.

        A group whose hard edges alone form cycles is reported per hard group (an error); a group
        that cycles only through a soft edge is reported once (a warning).
        """
        hard = self._hard_dependencies
        hard_groups = [frozenset(g) for g in self._components[1] if self._is_cycle(hard, g)]
        found = [Cycle(group, _a_cycle(hard, group), hard=True) for group in hard_groups]
        in_hard = set().union(*hard_groups) if hard_groups else set()
        for members in strongly_connected(self.services, self._dependencies):
            group = frozenset(members)
            if self._is_cycle(self._dependencies, members) and not group <= in_hard:
                found.append(Cycle(group, _a_cycle(self._dependencies, group), hard=False))
        return sorted(found, key=lambda c: c.cycle)

    @staticmethod
    def _is_cycle(successors: Mapping[str, Sequence[str]], group: Sequence[str]) -> bool:
        return len(group) > 1 or group[0] in successors[group[0]]

    # --- Availability ----------------------------------------------------------------------------

    def objective(self, name: str) -> tuple[Decimal, SLO] | None:
        """The strictest availability objective of a service, and its SLO."""
        return self._objectives.get(name)

    @cached_property
    def _objectives(self) -> dict[str, tuple[Decimal, SLO]]:
        best: dict[str, tuple[Decimal, SLO]] = {}
        for slo in self.policy.slos:  # sorted by name: ties go to the first SLO
            spec = slo.spec
            if spec.is_availability and (spec.service not in best or spec.objective > best[spec.service][0]):
                best[spec.service] = (spec.objective, slo)
        return best

    def availability(self, name: str) -> Decimal | None:
        """What a dependent may count on: the service's own objective, else its ceiling if constrained."""
        return self._available(name, self.ceilings)

    @cached_property
    def ceilings(self) -> dict[str, Ceiling]:
        """The availability ceiling of every service (serial product; ``anyOf`` as parallel)."""
        result: dict[str, Ceiling] = {}
        hard_below = self._hard_below
        for name in self._bottom_up():
            terms: list[Term] = []
            unknown: list[str] = []
            for entry, targets in hard_below[name]:
                if not targets:
                    continue
                if not entry.any_of:
                    if (availability := self._available(targets[0], result)) is None:
                        unknown.append(targets[0])
                    else:
                        terms.append(Term(targets[0], availability, entry))
                    continue
                known = {t: self._available(t, result) for t in targets}
                unknown.extend(t for t, a in known.items() if a is None)
                values = [a for a in known.values() if a is not None]
                if len(values) == len(targets):
                    down = _product((HUNDRED - a) / HUNDRED for a in values)
                    shown = " | ".join(f"{t} {format_percent(a)}" for t, a in known.items() if a is not None)
                    terms.append(Term(f"anyOf({shown})", HUNDRED * (1 - down), entry))
            value = HUNDRED * _product(t.availability / HUNDRED for t in terms)
            result[name] = Ceiling(value, tuple(terms), tuple(sorted(set(unknown))))
        return result

    def _available(self, name: str, ceilings: dict[str, Ceiling]) -> Decimal | None:
        own = self._objectives.get(name)
        if own is not None:
            return own[0]
        ceiling = ceilings[name]
        return ceiling.value if ceiling.terms and not ceiling.unknown else None

    # --- Recovery and coverage -------------------------------------------------------------------

    @cached_property
    def slowest_recovery(self) -> dict[str, Chain | None]:
        """Per service, the longest RTO (seconds) among its transitive hard dependencies, with the path."""

        def own(name: str) -> int | None:
            recovery = self.services[name].spec.recovery
            rto = recovery.rto if recovery is not None else None
            return None if rto is None else int(rto.total_seconds())

        return self._propagate(own, worse=max, group=min)

    @cached_property
    def weakest_coverage(self) -> dict[str, Chain | None]:
        """Per service, the fewest weekly minutes its hard dependencies' owners answer, with the path."""

        def own(name: str) -> int | None:
            owner = self.policy.owner_of(self.services[name])
            return None if owner is None else self.weekly_minutes(owner.spec.coverage)

        return self._propagate(own, worse=min, group=max)

    def weekly_minutes(self, calendar: str) -> int | None:
        """Minutes a week a calendar covers, for ranking coverage; None when it is unknown.

        A calendar with days off ranks one minute below its weekly hours, so that a 24x7 rota
        that stops on public holidays still ranks below `always`.
        """
        if calendar == ALWAYS:
            return WEEK_MINUTES
        if calendar not in self._weekly_minutes:
            found = self.policy.calendar(calendar)
            self._weekly_minutes[calendar] = (
                None if found is None else found.spec.hours.weekly_minutes() - (1 if found.spec.has_days_off else 0)
            )
        return self._weekly_minutes[calendar]

    def round_the_clock(self, calendar: str) -> bool:
        """Is the calendar `always`, or one that covers every minute with no days off?"""
        return self.weekly_minutes(calendar) == WEEK_MINUTES

    def _propagate(
        self,
        own: Callable[[str], int | None],
        *,
        worse: Callable[[int, int], int],
        group: Callable[[int, int], int],
    ) -> dict[str, Chain | None]:
        """The worst ``own`` value among each service's transitive hard dependencies, with its path.

        ``worse`` picks between dependencies (max for a slowest RTO); ``group`` picks within an
        ``anyOf`` group (min: the group recovers with its fastest alternative).
        """
        reach: dict[str, Chain | None] = {}  # the worst value at or below each service
        below: dict[str, Chain | None] = {}  # the worst value strictly below each service
        hard_below = self._hard_below
        for name in self._bottom_up():
            found: Chain | None = None
            for entry, targets in hard_below[name]:
                if not entry.any_of:
                    candidate = reach[targets[0]] if targets else None
                elif len(targets) < len(entry.targets) or any(reach[t] is None for t in targets):
                    continue  # an alternative with nothing known is not the weak link
                else:
                    candidate = _pick([c for t in targets if (c := reach[t]) is not None], group)
                if candidate is not None:
                    found = candidate if found is None else _prefer(found, candidate, worse)
            below[name] = found
            value = own(name)
            mine = None if value is None else Chain(value, (name,))
            extended = None if found is None else Chain(found.value, (name, *found.path))
            reach[name] = extended if mine is None else mine if extended is None else _prefer(mine, extended, worse)
        return below

    # --- Dependents ------------------------------------------------------------------------------

    @cached_property
    def tier1_dependents(self) -> dict[str, frozenset[str]]:
        """Per service, the tier-1 services that hard-depend on it through single-service entries."""
        component, groups = self._components
        tier1 = sorted(n for n, s in self.services.items() if s.spec.tier == 1)
        bit = {name: 1 << i for i, name in enumerate(tier1)}
        # Walk dependents before dependencies (reverse of _bottom_up), as bitsets of tier-1 services.
        above = [0] * len(groups)
        for index in reversed(range(len(groups))):
            members = groups[index]
            above[index] |= sum(bit.get(n, 0) for n in members)
            for name in members:
                for entry in self.hard_entries(name):
                    target = entry.targets[0]
                    if not entry.any_of and component[target] != index:
                        above[component[target]] |= above[index]
        result: dict[str, frozenset[str]] = {}
        for name in self.services:
            result[name] = frozenset(tier1[i] for i in set_bits(above[component[name]] & ~bit.get(name, 0)))
        return result

    def impact(self, name: str) -> Impact:
        """Everything that goes down with ``name`` (hard), and what is degraded (soft)."""
        down = {name}
        frontier = [name]
        while frontier:
            failed = frontier.pop()
            for dependent in self.dependents(failed):
                if dependent not in down and self._fails(dependent, down):
                    down.add(dependent)
                    frontier.append(dependent)
        degraded = {d for failed in down for d in self.dependents(failed)} - down
        down.discard(name)
        return Impact(tuple(sorted(down)), tuple(sorted(degraded)))

    def _fails(self, name: str, down: set[str]) -> bool:
        return any(
            all(t in down for t in entry.targets) if entry.any_of else entry.targets[0] in down
            for entry in self.hard_entries(name)
        )


def _prefer(first: Chain, second: Chain, choose: Callable[[int, int], int]) -> Chain:
    """The chain with the chosen value; ties go to the shorter path, then the first in name order."""
    if first.value != second.value:
        return first if choose(first.value, second.value) == first.value else second
    return first if (len(first.path), first.path) <= (len(second.path), second.path) else second


def _pick(chains: list[Chain], choose: Callable[[int, int], int]) -> Chain:
    """The preferred chain of several (see :func:`_prefer`)."""
    return functools.reduce(lambda first, second: _prefer(first, second, choose), chains)


def strongly_connected(nodes: Iterable[str], successors: Mapping[str, Sequence[str]]) -> list[list[str]]:
    """The strongly connected components, each listed after every component it reaches.

    Tarjan's algorithm with an explicit stack (a deep dependency chain must not hit Python's
    recursion limit): one pass over nodes and edges.
    """
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in nodes:
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(successors[root]))]
        while work:
            node, pending = work[-1]
            for following in pending:
                if following not in index:
                    index[following] = low[following] = len(index)
                    stack.append(following)
                    on_stack.add(following)
                    work.append((following, iter(successors[following])))
                    break
                if following in on_stack and index[following] < low[node]:
                    low[node] = index[following]
            else:
                work.pop()
                if work and low[node] < low[work[-1][0]]:
                    low[work[-1][0]] = low[node]
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    found.append(component)
    return found


def set_bits(bits: int) -> Iterator[int]:
    """The indexes of the 1 bits of ``bits``, lowest first: work in the set's size, not the width."""
    while bits:
        low = bits & -bits
        yield low.bit_length() - 1
        bits ^= low


def _product(values: Iterable[Decimal]) -> Decimal:
    result = Decimal(1)
    for value in values:
        result *= value
    return result


def _a_cycle(successors: Mapping[str, Sequence[str]], group: frozenset[str]) -> tuple[str, ...]:
    """The shortest cycle through the smallest name of ``group``; of those, the first in name order."""
    start = min(group)
    # Steps from each member back to ``start`` inside the group: a breadth-first walk backwards.
    predecessors: dict[str, list[str]] = {name: [] for name in group}
    for name in group:
        for following in successors[name]:
            if following in group:
                predecessors[following].append(name)
    steps = {start: 0}
    layer = [start]
    while layer:
        layer_next = []
        for name in layer:
            for previous in predecessors[name]:
                if previous not in steps:
                    steps[previous] = steps[name] + 1
                    layer_next.append(previous)
        layer = layer_next
    # Walk forwards, taking the smallest name that stays on a shortest way back.
    candidates = [t for t in successors[start] if t in steps]
    length = min(steps[t] for t in candidates) + 1
    cycle = [start]
    node = min(t for t in candidates if steps[t] == length - 1)
    while node != start:
        cycle.append(node)
        node = min(t for t in successors[node] if t in steps and steps[t] == steps[node] - 1)
    return tuple(cycle)


def format_percent(value: Decimal, places: int = 2) -> str:
    """``99.7901...`` -> ``99.79%``: rounded down, so a ceiling is never shown higher than it is."""
    quantum = Decimal(1).scaleb(-places)
    shown = value.quantize(quantum, rounding="ROUND_DOWN")
    return f"{shown.normalize():f}%" if shown == shown.to_integral() else f"{shown}%"
