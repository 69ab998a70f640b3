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
from typing import TYPE_CHECKING, Final, NamedTuple

from relpolicy.model.calendar import ALWAYS, WEEK_MINUTES
from relpolicy.model.service import Service
from relpolicy.model.team import Team

if TYPE_CHECKING:
    from relpolicy.model.service import ServiceSpec
    from relpolicy.model.slo import SLO
    from relpolicy.policy import PolicySet

HUNDRED: Final = Decimal(100)


class Entry(NamedTuple):
    """One ``dependsOn`` entry of a service, restricted to the services that exist.

    The records the graph makes per entry, per term and per service (``Entry``, ``Term``,
    ``Ceiling``, ``Chain``) are named tuples: a catalogue of 10,000 services makes ~150,000 of
    them, and a frozen dataclass takes three to four times as long to create.
    """

    source: str
    position: int
    """Where the entry is in the source's ``dependsOn`` list."""
    targets: tuple[str, ...]
    hard: bool
    any_of: bool

    @property
    def path(self) -> tuple[str | int, ...]:
        """Where the entry is written in the source's document."""
        return ("spec", "dependsOn", self.position)


class Term(NamedTuple):
    """One factor of an availability ceiling: a dependency (or ``anyOf`` group) and its availability."""

    label: str
    availability: Decimal
    """Percent."""
    entry: Entry


class Ceiling(NamedTuple):
    """The most availability a service's hard dependencies allow: the product of ``terms``."""

    value: Decimal
    """Percent; 100 when nothing constrains it."""
    terms: tuple[Term, ...]
    unknown: tuple[str, ...]
    """Hard dependencies whose availability is unknown (counted as 100%)."""


_UNCONSTRAINED: Final = Ceiling(HUNDRED, (), ())
"""The ceiling of a service without hard dependencies."""


class Chain(NamedTuple):
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

    policy: PolicySet
    services: dict[str, Service]
    """Every valid service by name, in name order."""
    entries: dict[str, list[Entry]]
    """Per service, its ``dependsOn`` entries that name existing services."""
    tiers: dict[str, int]
    """Every service's tier, for the walks that compare the tiers of both ends of an edge."""
    rto: dict[str, int | None]
    """Every service's own RTO in whole seconds, when it declares one."""

    def __init__(self, policy: PolicySet) -> None:
        self.policy = policy
        self.services = dict(policy.named(Service))
        self.entries = {}
        self.tiers = {}
        self.rto = {}
        self._hard_entries: dict[str, list[Entry]] = {}
        self._dependencies: dict[str, list[str]] = {}
        self._hard_dependencies: dict[str, list[str]] = {}
        self._dependents: dict[str, list[str]] = {name: [] for name in self.services}
        self._needs_single: dict[str, list[str]] = {}
        """The hard single-service edges: what ``hard_closure`` walks."""
        self._owners: dict[str, str | None] = {}
        """Each service's owning team as written, for the weakest coverage."""
        for name, service in self.services.items():
            self._add(name, service.spec)
        self._weekly_minutes: dict[str, int | None] = {}

    def _add(self, name: str, spec: ServiceSpec) -> None:
        """Read what the graph needs of a service, once: building it is mostly reading the models."""
        services = self.services
        entries: list[Entry] = []
        hard: list[Entry] = []
        targets: list[str] = []
        hard_targets: list[str] = []
        needs: list[str] = []
        for position, dependency in enumerate(spec.depends_on):
            single = dependency.service
            if single is not None:  # most entries: spare the generator
                if single not in services:
                    continue
                found: tuple[str, ...] = (single,)
            else:
                found = tuple(t for t in dependency.names if t in services)
                if not found:
                    continue
            entry = Entry(name, position, found, dependency.is_hard, single is None)
            entries.append(entry)
            targets += found
            if entry.hard:
                hard.append(entry)
                hard_targets += found
                if single is not None:
                    needs.append(single)
        if len(targets) != len(set(targets)):  # a name in several entries: keep the first
            targets = list(dict.fromkeys(targets))
            hard_targets = list(dict.fromkeys(hard_targets))
        recovery = spec.recovery
        self.rto[name] = None if recovery is None or recovery.rto is None else int(recovery.rto.total_seconds())
        self._owners[name] = spec.owner
        self.tiers[name] = spec.tier
        self._needs_single[name] = needs
        self.entries[name] = entries
        self._hard_entries[name] = hard
        self._dependencies[name] = targets
        self._hard_dependencies[name] = hard_targets
        for target in targets:
            self._dependents[target].append(name)

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
    def _all_groups(self) -> list[list[str]]:
        """The strongly connected groups of the whole graph (hard and soft edges), dependencies first."""
        return strongly_connected(self.services, self._dependencies)

    @cached_property
    def _components(self) -> tuple[dict[str, int], list[list[str]]]:
        """Hard strongly connected components (members sorted), listed dependencies first.

        A hard cycle is a cycle of the whole graph too: only the whole graph's groups of several
        services are split again by their hard edges, so a catalogue is walked once, not twice.
        """
        hard = self._hard_dependencies
        groups: list[list[str]] = []
        for group in self._all_groups:
            if len(group) == 1:
                groups.append(group)
                continue
            inside = set(group)
            edges = {name: [t for t in hard[name] if t in inside] for name in group}
            groups.extend(sorted(part) for part in strongly_connected(group, edges))
        component = {name: i for i, group in enumerate(groups) for name in group}
        return component, groups

    @cached_property
    def _bottom_up(self) -> list[str]:
        """Services, each after every service it hard-depends on (outside its own cycle)."""
        return [name for group in self._components[1] for name in group]

    @cached_property
    def _hard_below(self) -> dict[str, list[tuple[Entry, tuple[str, ...]]]]:
        """Per service, its hard entries, each with its targets outside the service's own cycle."""
        component, groups = self._components
        hard = self._hard_dependencies
        below = {}
        for name, entries in self._hard_entries.items():
            mine = component[name]
            if len(groups[mine]) == 1 and name not in hard[name]:  # in no cycle: every target is below
                below[name] = [(e, e.targets) for e in entries]
            else:
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
    def cycles(self) -> list[Cycle]:
        """Every dependency cycle, once: one per strongly connected group of the whole graph.

        A group whose hard edges alone form cycles is reported per hard group (an error); a group
        that cycles only through a soft edge is reported once (a warning).
        """
        hard = self._hard_dependencies
        component, components = self._components
        found: list[Cycle] = []
        for members in _cyclic(self._all_groups, self._dependencies):
            group = frozenset(members)
            # A hard cycle lies inside a cycle of the whole graph: look for them only here.
            parts = sorted({component[name] for name in members})
            hard_groups = [frozenset(g) for g in _cyclic((components[i] for i in parts), hard)]
            found.extend(Cycle(part, _a_cycle(hard, part), hard=True) for part in hard_groups)
            if not group <= set().union(*hard_groups):
                found.append(Cycle(group, _a_cycle(self._dependencies, group), hard=False))
        return sorted(found, key=lambda c: c.cycle)

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
        return self._availability[1][name]

    @cached_property
    def ceilings(self) -> dict[str, Ceiling]:
        """The availability ceiling of every service (serial product; ``anyOf`` as parallel)."""
        return self._availability[0]

    @cached_property
    def _availability(self) -> tuple[dict[str, Ceiling], dict[str, Decimal | None]]:
        """Every service's ceiling, and what its dependents may count on (see :meth:`availability`)."""
        ceilings: dict[str, Ceiling] = {}
        available: dict[str, Decimal | None] = {}
        hard_below = self._hard_below
        objectives = self._objectives
        for name in self._bottom_up:
            below = hard_below[name]
            ceiling = ceilings[name] = self._ceiling(below, available) if below else _UNCONSTRAINED
            own = objectives.get(name)
            available[name] = (
                own[0] if own is not None else ceiling.value if ceiling.terms and not ceiling.unknown else None
            )
        return ceilings, available

    @staticmethod
    def _ceiling(below: list[tuple[Entry, tuple[str, ...]]], available: dict[str, Decimal | None]) -> Ceiling:
        terms: list[Term] = []
        unknown: list[str] = []
        for entry, targets in below:
            if not targets:
                continue
            if not entry.any_of:
                if (availability := available[targets[0]]) is None:
                    unknown.append(targets[0])
                else:
                    terms.append(Term(targets[0], availability, entry))
                continue
            known = {t: available[t] for t in targets}
            unknown.extend(t for t, a in known.items() if a is None)
            values = [a for a in known.values() if a is not None]
            if len(values) == len(targets):
                down = _product((HUNDRED - a) / HUNDRED for a in values)
                shown = " | ".join(f"{t} {format_percent(a)}" for t, a in known.items() if a is not None)
                terms.append(Term(f"anyOf({shown})", HUNDRED * (1 - down), entry))
        value = HUNDRED * _product([t.availability / HUNDRED for t in terms])
        return Ceiling(value, tuple(terms), tuple(sorted(set(unknown))) if unknown else ())

    # --- Recovery and coverage -------------------------------------------------------------------

    @cached_property
    def slowest_recovery(self) -> dict[str, Chain | None]:
        """Per service, the longest RTO (seconds) among its transitive hard dependencies, with the path."""
        return self._propagate(self.rto, worse=max, group=min)

    @cached_property
    def weakest_coverage(self) -> dict[str, Chain | None]:
        """Per service, the fewest weekly minutes its hard dependencies' owners answer, with the path."""
        of_team = {name: self.weekly_minutes(team.spec.coverage) for name, team in self.policy.named(Team).items()}
        # The owning team's, when it is defined (as policy.owner_of finds it).
        minutes = {name: None if owner is None else of_team.get(owner) for name, owner in self._owners.items()}
        return self._propagate(minutes, worse=min, group=max)

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
        own: Mapping[str, int | None],
        *,
        worse: Callable[[int, int], int],
        group: Callable[[int, int], int],
    ) -> dict[str, Chain | None]:
        """The worst of the ``own`` values of each service's transitive hard dependencies, with its path.

        ``worse`` picks between dependencies (max for a slowest RTO); ``group`` picks within an
        ``anyOf`` group (min: the group recovers with its fastest alternative).
        """
        reach: dict[str, Chain | None] = {}  # the worst value at or below each service
        below: dict[str, Chain | None] = {}  # the worst value strictly below each service
        hard_below = self._hard_below
        for name in self._bottom_up:
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
            # The service's own value wins a tie with what is below it: its path is shorter.
            value = own[name]
            if value is not None and (found is None or worse(value, found.value) == value):
                reach[name] = Chain(value, (name,))
            else:
                reach[name] = None if found is None else Chain(found.value, (name, *found.path))
        return below

    # --- Dependents ------------------------------------------------------------------------------

    @cached_property
    def tier1_dependents(self) -> dict[str, frozenset[str]]:
        """Per service, the tier-1 services that hard-depend on it through single-service entries."""
        component, groups = self._components
        needs = self._needs_single
        tier1 = sorted(n for n, tier in self.tiers.items() if tier == 1)
        bit = {name: 1 << i for i, name in enumerate(tier1)}
        # Walk dependents before dependencies (reverse of _bottom_up), as bitsets of tier-1 services.
        above = [0] * len(groups)
        for index in reversed(range(len(groups))):
            marks = above[index]
            for name in groups[index]:
                marks |= bit.get(name, 0)
            above[index] = marks
            for name in groups[index]:
                for target in needs[name]:
                    if (below := component[target]) != index:
                        above[below] |= marks
        none: frozenset[str] = frozenset()
        result: dict[str, frozenset[str]] = {}
        for name in self.services:
            bits = above[component[name]] & ~bit.get(name, 0)
            result[name] = frozenset(tier1[i] for i in set_bits(bits)) if bits else none
        return result

    def impact(self, name: str) -> Impact:
        """Everything that goes down with ``name`` (hard), and what is degraded (soft)."""
        hard_dependents = self._hard_dependents
        down = {name}
        frontier = [name]
        while frontier:
            failed = frontier.pop()
            for dependent in hard_dependents[failed]:
                if dependent not in down and self._fails(dependent, down):
                    down.add(dependent)
                    frontier.append(dependent)
        degraded = {d for failed in down for d in self.dependents(failed)} - down
        down.discard(name)
        return Impact(tuple(sorted(down)), tuple(sorted(degraded)))

    @cached_property
    def _hard_dependents(self) -> dict[str, list[str]]:
        """Per service, the services with a hard entry naming it: all that its outage can take down."""
        found: dict[str, list[str]] = {name: [] for name in self.services}
        for name, targets in self._hard_dependencies.items():
            for target in targets:
                found[target].append(name)
        return found

    def _fails(self, name: str, down: set[str]) -> bool:
        for entry in self._hard_entries[name]:
            if down.issuperset(entry.targets) if entry.any_of else entry.targets[0] in down:
                return True
        return False


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


def _cyclic(groups: Iterable[list[str]], successors: Mapping[str, Sequence[str]]) -> Iterator[list[str]]:
    """The strongly connected groups that hold a cycle: several services, or one that names itself."""
    return (g for g in groups if len(g) > 1 or g[0] in successors[g[0]])


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
