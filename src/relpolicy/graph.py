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

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Final

from relpolicy.model.calendar import ALWAYS, WEEK_MINUTES

if TYPE_CHECKING:
    import networkx as nx

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
    """The dependency graph of a policy set, and the facts rules share."""

    def __init__(self, policy: PolicySet) -> None:
        self.policy = policy
        # networkx is imported here, not at module level: it is the costliest import of the CLI
        # (~0.2 s), and `relpolicy rules`, `explain` and `--version` never build a graph.
        import networkx as nx  # noqa: PLC0415

        self.services: dict[str, Service] = {s.name: s for s in policy.services}
        self.entries: dict[str, list[Entry]] = {}
        self.digraph: nx.DiGraph[str] = nx.DiGraph()
        """Every dependency; edge attribute ``hard`` is true when some hard entry makes the edge."""
        self.digraph.add_nodes_from(self.services)
        hard: dict[tuple[str, str], bool] = {}  # one edge per pair, hard if any entry makes it hard
        for name, service in self.services.items():
            self.entries[name] = list(self._entries(name, service.spec.depends_on))
            for entry in self.entries[name]:
                for target in entry.targets:
                    hard[name, target] = hard.get((name, target), False) or entry.hard
        self.digraph.add_edges_from((u, v, {"hard": h}) for (u, v), h in hard.items())
        self._weekly_minutes: dict[str, int | None] = {}

    def _entries(self, name: str, depends_on: Sequence[Dependency]) -> Iterator[Entry]:
        for index, dependency in enumerate(depends_on):
            targets = tuple(t for t in dependency.names if t in self.services)
            if targets:
                yield Entry(name, index, targets, dependency.is_hard, dependency.any_of is not None)

    # --- Structure -------------------------------------------------------------------------------

    def hard_entries(self, name: str) -> list[Entry]:
        """The hard ``dependsOn`` entries of a service."""
        return [e for e in self.entries.get(name, []) if e.hard]

    @cached_property
    def hard_graph(self) -> nx.DiGraph[str]:
        """Only the hard edges."""
        import networkx as nx  # noqa: PLC0415 - see __init__

        graph: nx.DiGraph[str] = nx.DiGraph()
        graph.add_nodes_from(self.digraph)
        graph.add_edges_from((u, v) for u, v, data in self.digraph.edges(data=True) if data["hard"])
        return graph

    @cached_property
    def _components(self) -> tuple[dict[str, int], list[frozenset[str]]]:
        """Hard strongly connected components, listed dependencies first."""
        import networkx as nx  # noqa: PLC0415 - see __init__

        groups = [frozenset(group) for group in nx.strongly_connected_components(self.hard_graph)]
        index = {name: i for i, group in enumerate(groups) for name in group}
        needs: list[set[int]] = [set() for _ in groups]
        for source, target in self.hard_graph.edges():
            if index[source] != index[target]:
                needs[index[source]].add(index[target])
        order = _post_order(needs)  # each group after the groups it needs: linear, unlike a sorted topological sort
        members = [groups[i] for i in order]
        component = {name: i for i, group in enumerate(members) for name in group}
        return component, members

    def _bottom_up(self) -> Iterator[str]:
        """Services, each after every service it hard-depends on (outside its own cycle)."""
        for group in self._components[1]:
            yield from sorted(group)

    def _outside_cycle(self, name: str, entry: Entry) -> tuple[str, ...]:
        component = self._components[0]
        return tuple(t for t in entry.targets if component[t] != component[name])

    def hard_closure(self, name: str) -> frozenset[str]:
        """Every service ``name`` needs through hard single-service entries, transitively (not itself)."""
        seen: set[str] = set()
        stack = [name]
        while stack:
            for entry in self.hard_entries(stack.pop()):
                if not entry.any_of and entry.targets[0] not in seen:
                    seen.add(entry.targets[0])
                    stack.append(entry.targets[0])
        seen.discard(name)
        return frozenset(seen)

    @cached_property
    def cycles(self) -> list[Cycle]:
        """Every dependency cycle, once: one per strongly connected group of the whole graph.

        A group whose hard edges alone form cycles is reported per hard group (an error); a group
        that cycles only through a soft edge is reported once (a warning).
        """
        import networkx as nx  # noqa: PLC0415 - see __init__

        hard_groups = [g for g in self._components[1] if self._is_cycle(self.hard_graph, g)]
        found = [Cycle(group, _a_cycle(self.hard_graph, group), hard=True) for group in hard_groups]
        in_hard = set().union(*hard_groups) if hard_groups else set()
        for members in nx.strongly_connected_components(self.digraph):
            group = frozenset(members)
            if self._is_cycle(self.digraph, group) and not group <= in_hard:
                found.append(Cycle(group, _a_cycle(self.digraph, group), hard=False))
        return sorted(found, key=lambda c: c.cycle)

    @staticmethod
    def _is_cycle(graph: nx.DiGraph[str], group: frozenset[str]) -> bool:
        return len(group) > 1 or any(graph.has_edge(n, n) for n in group)

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
        for name in self._bottom_up():
            terms: list[Term] = []
            unknown: list[str] = []
            for entry in self.hard_entries(name):
                targets = self._outside_cycle(name, entry)
                known = {t: self._available(t, result) for t in targets}
                unknown.extend(t for t, a in known.items() if a is None)
                if not targets or any(a is None for a in known.values()):
                    continue
                values = [a for a in known.values() if a is not None]
                if entry.any_of:
                    down = _product((HUNDRED - a) / HUNDRED for a in values)
                    shown = " | ".join(f"{t} {format_percent(a)}" for t, a in known.items() if a is not None)
                    terms.append(Term(f"anyOf({shown})", HUNDRED * (1 - down), entry))
                else:
                    terms.append(Term(targets[0], values[0], entry))
            value = HUNDRED * _product(t.availability / HUNDRED for t in terms)
            result[name] = Ceiling(value, tuple(terms), tuple(sorted(set(unknown))))
        return result

    def _available(self, name: str, ceilings: dict[str, Ceiling]) -> Decimal | None:
        own = self.objective(name)
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
        worse: Callable[[Iterable[int]], int],
        group: Callable[[Iterable[int]], int],
    ) -> dict[str, Chain | None]:
        """The worst ``own`` value among each service's transitive hard dependencies, with its path.

        ``worse`` picks between dependencies (max for a slowest RTO); ``group`` picks within an
        ``anyOf`` group (min: the group recovers with its fastest alternative).
        """
        reach: dict[str, Chain | None] = {}  # the worst value at or below each service
        below: dict[str, Chain | None] = {}  # the worst value strictly below each service
        for name in self._bottom_up():
            candidates: list[Chain] = []
            for entry in self.hard_entries(name):
                options = [c for t in self._outside_cycle(name, entry) if (c := reach[t]) is not None]
                if entry.any_of and len(options) < len(entry.targets):
                    continue  # an alternative with nothing known is not the weak link
                if options:
                    candidates.append(_pick(options, group))
            below[name] = _pick(candidates, worse) if candidates else None
            value = own(name)
            mine = None if value is None else Chain(value, (name,))
            deeper = below[name]
            extended = None if deeper is None else Chain(deeper.value, (name, *deeper.path))
            reach[name] = _pick([c for c in (mine, extended) if c is not None], worse) if (mine or extended) else None
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
            result[name] = frozenset(tier1[i] for i in _set_bits(above[component[name]] & ~bit.get(name, 0)))
        return result

    def impact(self, name: str) -> Impact:
        """Everything that goes down with ``name`` (hard), and what is degraded (soft)."""
        down = {name}
        frontier = [name]
        while frontier:
            failed = frontier.pop()
            for dependent in self.digraph.predecessors(failed):
                if dependent not in down and self._fails(dependent, down):
                    down.add(dependent)
                    frontier.append(dependent)
        degraded = {d for failed in down for d in self.digraph.predecessors(failed)} - down
        down.discard(name)
        return Impact(tuple(sorted(down)), tuple(sorted(degraded)))

    def _fails(self, name: str, down: set[str]) -> bool:
        return any(
            all(t in down for t in entry.targets) if entry.any_of else entry.targets[0] in down
            for entry in self.hard_entries(name)
        )


def _pick(chains: list[Chain], choose: Callable[[Iterable[int]], int]) -> Chain:
    """The chain with the chosen value; ties go to the shortest path, then the first in name order."""
    value = choose(c.value for c in chains)
    return min((c for c in chains if c.value == value), key=lambda c: (len(c.path), c.path))


def _post_order(needs: list[set[int]]) -> list[int]:
    """Nodes of a DAG (``needs[i]``: what ``i`` points to), each after everything it points to."""
    order: list[int] = []
    seen = [False] * len(needs)
    for root in range(len(needs)):
        if seen[root]:
            continue
        seen[root] = True
        stack = [(root, iter(needs[root]))]
        while stack:
            node, pending = stack[-1]
            following = next(pending, None)
            if following is None:
                stack.pop()
                order.append(node)
            elif not seen[following]:
                seen[following] = True
                stack.append((following, iter(needs[following])))
    return order


def _set_bits(bits: int) -> Iterator[int]:
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


def _a_cycle(graph: nx.DiGraph[str], group: frozenset[str]) -> tuple[str, ...]:
    """A shortest cycle through the smallest name of ``group``, deterministic for the group."""
    import networkx as nx  # noqa: PLC0415 - see ServiceGraph.__init__

    start = min(group)
    if graph.has_edge(start, start):
        return (start,)
    sub = graph.subgraph(group)
    best: tuple[str, ...] | None = None
    for successor in sorted(sub.successors(start)):
        path = nx.shortest_path(sub, successor, start)
        candidate = (start, *path[:-1])
        if best is None or (len(candidate), candidate) < (len(best), best):
            best = candidate
    assert best is not None  # noqa: S101 - a strongly connected group of two or more has a cycle
    return best


def format_percent(value: Decimal, places: int = 2) -> str:
    """``99.7901...`` -> ``99.79%``: rounded down, so a ceiling is never shown higher than it is."""
    quantum = Decimal(1).scaleb(-places)
    shown = value.quantize(quantum, rounding="ROUND_DOWN")
    return f"{shown.normalize():f}%" if shown == shown.to_integral() else f"{shown}%"
