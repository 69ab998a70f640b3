"""The service dependency graph and the facts propagated along it.

Services are nodes; each ``dependsOn`` entry that names existing services is an edge (an
``anyOf`` entry is one edge per alternative, grouped by the entry). Rules share the facts
computed here, each computed once, on first use:

- the availability ceiling of every service (what its hard dependencies allow),
- the slowest recovery time among its transitive hard dependencies, with the path,
- the weakest support coverage among its transitive hard dependencies, with the path,
- the tier-1 services whose outage each service's outage causes.

Every propagation is one pass over the condensation of the hard graph (its strongly connected
components, in topological order), so the cost is linear in services + edges, with bounded
extra work per service where dependencies are shared (see :class:`Ceilings`). Inside a hard
cycle (itself a finding, RP301) members do not propagate to one another: a cycle has no
meaningful "slowest dependency", and the facts stay finite and deterministic.

**Availability.** An objective is end to end. A service is up when its own part is up and its
hard structure is: every hard entry, an ``anyOf`` entry while any alternative is up. Own parts
fail independently; a service's own availability is its objective over its ceiling (at most 1),
and its ceiling is the probability that its structure is up, each service in it counted once
(:class:`Ceilings`). An ``anyOf`` group of alternatives that share nothing is
``1 - product(1 - a_i)``; it is restored when its fastest alternative is, it is covered by its
best-covered alternative, and no single alternative is a single point of failure, but a service
that every alternative needs is one (:attr:`ServiceGraph._needs`).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
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

    availability: Decimal
    """Percent."""
    entry: Entry
    alternatives: tuple[Decimal, ...] = ()
    """An ``anyOf`` group's: each alternative's availability, percent."""

    @property
    def label(self) -> str:
        """``payments-api``, or ``anyOf(p1 99.90% | p2 99%)``: made for a message only."""
        if not self.entry.any_of:
            return self.entry.targets[0]
        shown = " | ".join(
            f"{t} {format_percent(a)}" for t, a in zip(self.entry.targets, self.alternatives, strict=True)
        )
        return f"anyOf({shown})"


class Ceiling(NamedTuple):
    """The most availability a service's hard dependencies allow.

    The product of ``terms`` when their structures share no service; less when they share some
    (each service counts once: :meth:`ServiceGraph.sharing` names them).
    """

    value: Decimal
    """Percent, rounded up at the 18th decimal place; 100 when nothing constrains it."""
    terms: tuple[Term, ...]
    """One per hard entry that counts, with the entry's availability."""
    unknown: tuple[str, ...]
    """Hard dependencies whose availability is unknown (counted as always up)."""
    exact: bool = True
    """False when ``value`` is an upper bound: the structure went over the size limits."""


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
        self._hard_groups: list[Entry] = []
        """The hard ``anyOf`` entries, for what every alternative needs."""
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
                else:
                    self._hard_groups.append(entry)
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

    @cached_property
    def _needs(self) -> dict[str, list[str]]:
        """What each service cannot run without: its hard single-service targets and, per hard
        ``anyOf`` entry, the topmost services that every alternative needs, transitively.

        A service every alternative needs is a single point of failure for the dependent: an
        outage of it alone takes the dependent down. ``hard_closure``, ``hard_needs`` and
        ``tier1_dependents`` walk these edges. One pass, dependencies first; inside a hard cycle
        the pass repeats until nothing is added.
        """
        if not self._hard_groups:
            return self._needs_single
        needs = dict(self._needs_single)
        hard = self._hard_dependencies
        component, groups = self._components
        # What each alternative needs, once its group is done (dependencies first): it is final.
        done: dict[str, frozenset[str]] = {}
        pending = sorted(self._hard_groups, key=lambda entry: component[entry.source])
        for index, run in itertools.groupby(pending, key=lambda entry: component[entry.source]):
            entries = list(run)
            group = groups[index]
            cyclic = len(group) > 1 or group[0] in hard[group[0]]
            added = True
            while added:
                added = False
                for entry in entries:
                    name = entry.source
                    for target in _common_needs(needs, entry.targets, done if not cyclic else {}):
                        if target != name and target not in needs[name]:
                            needs[name] = [*needs[name], target]
                            added = cyclic  # inside a cycle, go round again
        return needs

    def hard_closure(self, name: str) -> frozenset[str]:
        """Every service whose outage alone takes ``name`` down, not ``name`` itself.

        Its hard single-service dependencies, transitively, and what every alternative of one of
        its hard ``anyOf`` entries needs (see :attr:`_needs`).
        """
        needs = self._needs
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
        needs = self._needs
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
        """The strongly connected groups of ``_needs``, dependencies first, and each service's group."""
        component, groups = self._components
        if len(groups) == len(self.services):  # no hard cycle: nor among the needs, which follow hard paths
            return groups, component
        groups = strongly_connected(self.services, self._needs)
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
        """What a dependent may count on (percent): the service's objective, or its ceiling when that is
        lower or the service has none; None when it is unknown (no objective, and a ceiling not fully known)."""
        return self._availability.percent.get(name)

    @cached_property
    def ceilings(self) -> dict[str, Ceiling]:
        """The availability ceiling of every service: the probability that its hard dependency
        structure is up, each service in it counted once (see the module docstring)."""
        return self._availability.ceilings

    def sharing(self, name: str) -> tuple[Shared, ...]:
        """The services that several hard dependencies of ``name`` need, counted once in its ceiling.

        Only the topmost ones (not under another shared one), each with the dependencies that
        need it; empty when nothing is shared or the structure is too large to track by name.
        Computed on demand, for a finding.
        """
        return self._availability.sharing(name)

    @cached_property
    def _availability(self) -> Ceilings:
        return Ceilings(self)

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
        """Per service, the tier-1 services that need it (see :meth:`hard_closure`): its outage takes them down."""
        groups, component = self._single_groups  # a group of these needs each other: one outage takes all
        needs = self._needs
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


# --- Availability ceilings -----------------------------------------------------------------------

REACH_LIMIT: Final = 200
"""The most services (itself included) that a service's hard structure may hold for its ceiling to
be computed exactly when dependencies are shared; above it, a bound (see :class:`Ceilings`)."""
DIAGRAM_BUDGET: Final = 20_000
"""The most steps the exact computation of one service's ceiling over shared services may take."""
_ONE: Final = Decimal(1)
_PERCENT: Final = Decimal("0.01")
"""Objectives become fractions by an exact multiplication (faster than a division)."""
_ROUNDING: Final = Decimal("1e-18")
"""Ceilings are rounded up to this fraction of a percent: far above the ~1e-25 error of 28-digit
arithmetic, so a tie computed a hair low is not reported as impossible."""


class Shared(NamedTuple):
    """A service that several hard dependencies of one service need: counted once in its ceiling."""

    name: str
    availability: Decimal
    """Percent: what it allows, end to end."""
    needed_by: tuple[str, ...]
    """The direct hard dependencies (or ``anyOf`` alternatives) that need it, in name order."""


class _TooLarge(Exception):  # noqa: N818 - a signal inside the exact computation, never raised out of it
    """The exact computation of one ceiling went over :data:`DIAGRAM_BUDGET`."""


class Ceilings:
    """Every service's ceiling, own availability and end-to-end availability, dependencies first.

    The model (docs/design.md): a service is up when its own part is up and its hard structure is
    (every hard entry, an ``anyOf`` entry when any alternative is up); own parts fail independently.
    A service's objective is end to end, so its own availability is ``objective / ceiling`` (at
    most 1; 1 without an objective), and the ceiling of a service is the probability that its
    structure is up with every service in it counted once:

    - dependencies whose structures share nothing (the usual case) multiply, and an ``anyOf``
      group is ``1 - product(1 - a_i)``: exact, in the size of the entries;
    - entries that share services are grouped (groups share none, and multiply); a group of
      single-service entries with no ``anyOf`` below needs every service in it: the product of
      their own availabilities, each once;
    - any other group goes to a reduced ordered binary decision diagram of its structure (one
      variable per service, a service before its dependencies), exact in at most
      :data:`DIAGRAM_BUDGET` steps, for structures of at most :data:`REACH_LIMIT` services;
    - above either limit, a sound upper bound: the product over a greedy family of entries whose
      structures are known to be disjoint, capped by every other entry's own value (the events
      "entry is up" are increasing in independent variables, so by Harris' inequality
      ``P(A and B) >= P(A) P(B)`` and ``P(A or B) <= 1 - (1 - P(A))(1 - P(B))``: a product of
      entries that share services, or of alternatives that do, would understate the ceiling).
    """

    def __init__(self, graph: ServiceGraph, *, reach_limit: int = REACH_LIMIT, budget: int = DIAGRAM_BUDGET) -> None:
        self.ceilings: dict[str, Ceiling] = {}
        self.available: dict[str, Decimal] = {}
        """End to end, a fraction, of every service whose availability is known. The others count
        as always up, with everything beneath them."""
        self.percent: dict[str, Decimal] = {}
        """The same in percent (an objective as written, a ceiling rounded up), for messages."""
        self.raw: dict[str, Decimal] = {}
        """The ceiling of every known service with hard entries that count, a fraction, unrounded."""
        self._own: dict[str, Decimal] = {}
        self.inexact: set[str] = set()
        """The services whose ceiling is a bound."""
        self.grouped: set[str] = set()
        """The services with an ``anyOf`` entry in their structure, or below."""
        self.reach: dict[str, set[str] | None] = {}
        """The services of each known service's structure, itself included; None above the limit."""
        self.structure: dict[str, list[tuple[Entry, tuple[str, ...]]]] = {}
        """The hard entries that count in each ceiling, with their (known) targets."""
        self._reach_limit = reach_limit
        self._budget = budget
        self._order = graph._bottom_up
        self._diagram: _Diagram | None = None
        objectives = graph._objectives
        hard_below = graph._hard_below
        ceilings, available, percent, reach = self.ceilings, self.available, self.percent, self.reach
        for name in self._order:
            objective = objectives.get(name)
            below = hard_below[name]
            if below:
                self._add(name, below, None if objective is None else objective[0])
                continue
            ceilings[name] = _UNCONSTRAINED  # most services: nothing below, nothing to count
            if objective is not None:
                percent[name] = objective[0]
                available[name] = objective[0] * _PERCENT
                reach[name] = {name}

    def _add(self, name: str, below: list[tuple[Entry, tuple[str, ...]]], objective: Decimal | None) -> None:
        """A service's ceiling, own and end-to-end availability, from those of its dependencies."""
        available = self.available
        entries: list[tuple[Entry, tuple[str, ...]]] = []
        unknown: list[str] = []
        for entry, targets in below:
            if len(targets) < len(entry.targets):  # into the service's own hard cycle: not propagated
                continue
            if len(targets) == 1:
                if targets[0] not in available:
                    unknown.append(targets[0])
                    continue
            elif missing := [t for t in targets if t not in available]:
                unknown += missing  # an alternative that may be always up: the group may be too
                continue
            entries.append((entry, targets))
        if entries:
            self.structure[name] = entries
            value, shown = self._ceiling(name, entries, unknown)
            self.raw[name] = value
        else:
            self.ceilings[name] = Ceiling(HUNDRED, (), tuple(sorted(set(unknown)))) if unknown else _UNCONSTRAINED
            value, shown = _ONE, HUNDRED
            self.reach[name] = {name}
        if objective is None:
            if not entries or unknown:  # known through its dependencies only when they are all known
                return
        elif objective < shown:
            value, shown = objective * _PERCENT, objective
        available[name] = value
        self.percent[name] = shown

    def _ceiling(
        self, name: str, entries: list[tuple[Entry, tuple[str, ...]]], unknown: list[str]
    ) -> tuple[Decimal, Decimal]:
        """Record the ceiling of a service with hard entries and its reach; return it as a fraction and a percent."""
        if len(entries) == 1 and len(entries[0][1]) == 1:  # one dependency: its availability, exactly
            entry, (target,) = entries[0]
            value, shown = self.available[target], self.percent[target]
            under = self.reach[target]
            self.reach[name] = None if under is None or len(under) >= self._reach_limit else {name, *under}
            exact = target not in self.inexact
            if target in self.grouped or entry.any_of:
                self.grouped.add(name)
            terms: tuple[Term, ...] = (Term(shown, entry, (shown,) if entry.any_of else ()),)
        else:
            value, values, exact = self._several(name, entries)
            shown = (HUNDRED * value).quantize(_ROUNDING, rounding=ROUND_CEILING)
            percent = self.percent
            terms = tuple(
                Term(HUNDRED * v, entry, tuple(percent[t] for t in targets))
                if entry.any_of
                else Term(percent[targets[0]], entry)
                for (entry, targets), v in zip(entries, values, strict=True)
            )
        if not exact:
            self.inexact.add(name)
        self.ceilings[name] = Ceiling(shown, terms, tuple(sorted(set(unknown))) if unknown else (), exact)
        return value, shown

    def _several(self, name: str, entries: list[tuple[Entry, tuple[str, ...]]]) -> tuple[Decimal, list[Decimal], bool]:
        """The ceiling over several dependencies (a fraction), each entry's availability, and whether exact."""
        available = self.available
        reach = self.reach
        grouped = self.grouped
        union: set[str] | None = {name}
        total = 1
        exact = serial = True
        for entry, targets in entries:
            serial = serial and not entry.any_of
            for target in targets:
                exact = exact and target not in self.inexact
                serial = serial and target not in grouped
                under = reach[target]
                if under is None:
                    union = None
                elif union is not None:
                    union |= under
                    total += len(under)
        if not serial:
            grouped.add(name)
        reach[name] = None if union is None or len(union) > self._reach_limit else union
        values = [available[ts[0]] if len(ts) == 1 else _parallel([available[t] for t in ts]) for _, ts in entries]
        if union is not None and len(union) == total:  # their structures share nothing: they multiply
            return _product(values), values, exact
        if union is None or not exact:
            return self._bound(entries, values), values, False
        value = _ONE
        below_each = [self._below(targets) for _, targets in entries]
        for group, below in _independent([below for below, _ in below_each]):  # groups that share services
            chosen = [entries[i] for i in group]
            if len(group) == 1 and len(below) == below_each[group[0]][1]:
                value *= values[group[0]]  # one entry whose alternatives share nothing
            elif all(not e.any_of and ts[0] not in grouped for e, ts in chosen):
                own = self.own  # every service below is needed: each counts once
                value *= _product(own(s) for s in below)
            elif len(below) <= self._reach_limit:
                diagram = self._diagram if self._diagram is not None else self._new_diagram()
                try:
                    found, each = diagram.ceiling(chosen, reach, self._budget)  # type: ignore[arg-type]
                except _TooLarge:
                    return self._bound(entries, values), values, False
                value *= found
                for i, v in zip(group, each, strict=True):
                    values[i] = v
            else:
                return self._bound(entries, values), values, False
        # Never above an entry's own value: true of the exact value, and it absorbs rounding.
        return min(value, *values), values, True

    def _below(self, targets: tuple[str, ...]) -> tuple[set[str], int]:
        """The services of an entry's structures (all tracked), and the sum of their sizes."""
        below: set[str] = set()
        total = 0
        for target in targets:
            reach = self.reach[target]
            assert reach is not None  # noqa: S101 - called when every reach is tracked
            below |= reach
            total += len(reach)
        return below, total

    def _bound(self, entries: list[tuple[Entry, tuple[str, ...]]], values: list[Decimal]) -> Decimal:
        """A sound upper bound of the structure's probability: see the class docstring."""
        reach = self.reach
        ranked = sorted(zip(values, entries, strict=True), key=lambda pair: pair[0])
        product = _ONE
        lowest_other = _ONE
        taken: set[str] = set()
        for value, (_, targets) in ranked:
            sets = [found for t in targets if (found := reach[t]) is not None]
            if len(sets) == len(targets) and all(taken.isdisjoint(s) for s in sets):  # independent of those taken
                product *= value
                for found in sets:
                    taken |= found
            else:
                lowest_other = min(lowest_other, value)
        return min(product, lowest_other)

    def own(self, name: str) -> Decimal:
        """A known service's own availability, a fraction: what it promises over what its structure allows."""
        found = self._own.get(name)
        if found is None:
            raw = self.raw.get(name)
            found = self._own[name] = self.available[name] if raw is None else self.available[name] / raw
        return found

    def _new_diagram(self) -> _Diagram:
        levels = {name: level for level, name in enumerate(self._order)}
        self._diagram = _Diagram(levels, self.own, self.available, self.structure)
        return self._diagram

    def sharing(self, name: str) -> tuple[Shared, ...]:
        """See :meth:`ServiceGraph.sharing`."""
        entries = self.structure.get(name, [])
        occurrences = [t for _, targets in entries for t in targets]
        needed: dict[str, list[str]] = {}
        for target in occurrences:
            reach = self.reach[target]
            if reach is None:
                return ()
            for service in reach:
                needed.setdefault(service, []).append(target)
        shared = {service: by for service, by in needed.items() if len(by) > 1}
        under: dict[str, Collection[str]] = {s: self.reach[s] or () for s in shared}  # tracked: inside a tracked one
        top = [s for s in shared if not any(s in under[other] for other in shared if other != s)]
        return tuple(Shared(s, self.percent[s], tuple(sorted(set(shared[s])))) for s in sorted(top))


def _independent(belows: list[set[str]]) -> list[tuple[list[int], set[str]]]:
    """Indexes of ``belows`` in groups that share services (with each group's union); groups share none."""
    groups: list[tuple[list[int], set[str]]] = []
    for index, below in enumerate(belows):
        members = [index]
        union = set(below)
        for group in [g for g in groups if not g[1].isdisjoint(below)]:
            groups.remove(group)
            members += group[0]
            union |= group[1]
        groups.append((sorted(members), union))
    return groups


def _parallel(values: Sequence[Decimal]) -> Decimal:
    """An entry's availability from its alternatives' (one for a single-service entry), if they share nothing."""
    if len(values) == 1:
        return values[0]
    down = _ONE
    for value in values:
        down *= _ONE - value
    return _ONE - down


class _Diagram:
    """Reduced ordered binary decision diagrams of hard structures, for exact ceilings over shared services.

    A variable is a service's own part (variable ``2 * level``), or the whole service (``2 * level
    + 1``: it and everything below it, for a dependency that shares nothing with the rest of the
    structure, so that its structure is not expanded). Services are tested in reverse dependency
    order (a service before everything it needs), so "the service is up" is one node over its
    structure's diagram. Node 0 is down, node 1 is up; the tables are shared by every ceiling of
    one graph.
    """

    def __init__(
        self,
        level: dict[str, int],
        own: Callable[[str], Decimal],
        available: dict[str, Decimal],
        structure: dict[str, list[tuple[Entry, tuple[str, ...]]]],
    ) -> None:
        self._level = level
        self._own = own
        self._available = available
        self._structure = structure
        self._var: list[int] = [-1, -1]
        self._low: list[int] = [0, 1]
        self._high: list[int] = [0, 1]
        self._p: dict[int, Decimal] = {}
        """The own availability of each variable (by level)."""
        self._unique: dict[tuple[int, int, int], int] = {}
        self._and: dict[tuple[int, int], int] = {}
        self._or: dict[tuple[int, int], int] = {}
        self._whole: dict[str, int] = {}
        self._probability: dict[int, Decimal] = {0: Decimal(0), 1: _ONE}
        self._steps = 0

    def ceiling(
        self, entries: list[tuple[Entry, tuple[str, ...]]], reach: Mapping[str, Collection[str]], budget: int
    ) -> tuple[Decimal, list[Decimal]]:
        """The probability that ``entries`` are all up, and each entry's (``reach``: each target's structure).

        A service whose structure is a tree that nothing else in this one enters (every service
        below it has one dependant here) is independent of the rest: it is one variable, the
        whole service, and only the services above shared ones are expanded.
        """
        self._steps = budget
        level = self._level
        structure = self._structure
        dependants: dict[str, int] = {}
        services: set[str] = set()
        for _, targets in entries:
            for target in targets:
                dependants[target] = dependants.get(target, 0) + 1
                services.update(reach[target])
        for service in services:
            for _, targets in structure.get(service, ()):
                for target in targets:
                    dependants[target] = dependants.get(target, 0) + 1
        order = sorted(services, key=level.__getitem__)  # dependencies first
        tree: set[str] = set()  # services whose structure nothing else here enters
        for service in order:
            if all(dependants[t] == 1 and t in tree for _, targets in structure.get(service, ()) for t in targets):
                tree.add(service)
        up: dict[str, int] = {}
        for service in order:
            if service in tree:
                up[service] = self._whole_node(service)
            else:
                own = 2 * level[service]
                up[service] = self._node(own, 0, self._entries(structure[service], up)[0])
                self._p[own] = self._own(service)
        total, each = self._entries(entries, up)
        return self._chance(total), [self._chance(node) for node in each]

    def _whole_node(self, name: str) -> int:
        found = self._whole.get(name)
        if found is None:
            var = 2 * self._level[name] + 1
            found = self._whole[name] = self._node(var, 0, 1)
            self._p[var] = self._available[name]
        return found

    def _entries(self, entries: list[tuple[Entry, tuple[str, ...]]], up: Mapping[str, int]) -> tuple[int, list[int]]:
        total = 1
        each = []
        for _, targets in entries:
            group = 0
            for target in targets:
                group = self._either(group, up[target])
            each.append(group)
            total = self._both(total, group)
        return total, each

    def _node(self, var: int, low: int, high: int) -> int:
        if low == high:
            return low
        key = (var, low, high)
        found = self._unique.get(key)
        if found is None:
            self._steps -= 1
            if self._steps < 0:
                raise _TooLarge
            found = self._unique[key] = len(self._var)
            self._var.append(var)
            self._low.append(low)
            self._high.append(high)
        return found

    def _both(self, a: int, b: int) -> int:
        """a AND b."""
        if a == 0 or b == 0:
            return 0
        if a in (1, b):
            return b
        if b == 1:
            return a
        key = (a, b) if a < b else (b, a)
        found = self._and.get(key)
        if found is None:
            found = self._and[key] = self._apply(self._both, a, b)
        return found

    def _either(self, a: int, b: int) -> int:
        """a OR b."""
        if a == 1 or b == 1:
            return 1
        if a in (0, b):
            return b
        if b == 0:
            return a
        key = (a, b) if a < b else (b, a)
        found = self._or.get(key)
        if found is None:
            found = self._or[key] = self._apply(self._either, a, b)
        return found

    def _apply(self, operation: Callable[[int, int], int], a: int, b: int) -> int:
        self._steps -= 1
        if self._steps < 0:
            raise _TooLarge
        var, low, high = self._var, self._low, self._high
        if var[a] == var[b]:
            return self._node(var[a], operation(low[a], low[b]), operation(high[a], high[b]))
        if var[a] < var[b]:
            a, b = b, a
        return self._node(var[a], operation(low[a], b), operation(high[a], b))

    def _chance(self, node: int) -> Decimal:
        """The probability that the function of ``node`` is true."""
        found = self._probability.get(node)
        if found is None:
            low = self._chance(self._low[node])
            found = low + self._p[self._var[node]] * (self._chance(self._high[node]) - low)
            self._probability[node] = found
        return found


NEEDS_LIMIT: Final = 10_000
"""The most services one walk may visit to find what every alternative of an ``anyOf`` entry needs;
above it the entry adds no single point of failure (work per entry stays bounded)."""


def _common_needs(
    needs: Mapping[str, Sequence[str]], alternatives: Sequence[str], done: dict[str, frozenset[str]]
) -> list[str]:
    """The topmost services that every alternative needs (an alternative needs itself), in name order.

    ``done`` keeps what an alternative needs once nothing more can be added to it.
    """
    common: frozenset[str] | None = None
    for alternative in alternatives:
        reached = done.get(alternative)
        if reached is None:
            reached = _needed(needs, alternative)
            if len(reached) > NEEDS_LIMIT:
                return []
            done[alternative] = reached
        common = reached if common is None else common & reached
        if not common:
            return []
    assert common is not None  # noqa: S101 - an entry has alternatives
    if len(common) == 1:
        return list(common)
    under = {target for service in common for target in needs[service]}
    return sorted(common - under or common)  # all of a common cycle when every member is under another


def _needed(needs: Mapping[str, Sequence[str]], start: str) -> frozenset[str]:
    """``start`` and everything it needs, or more than :data:`NEEDS_LIMIT` services."""
    reached = {start}
    stack = [start]
    while stack and len(reached) <= NEEDS_LIMIT:
        for target in needs[stack.pop()]:
            if target not in reached:
                reached.add(target)
                stack.append(target)
    return frozenset(reached)


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
