"""Properties of the facts propagated through the dependency graph, on random graphs."""

from __future__ import annotations

import itertools
from decimal import Decimal
from functools import cache
from typing import Any

from hypothesis import assume, given
from hypothesis import strategies as st

from relpolicy.graph import HUNDRED, ServiceGraph, _a_cycle, strongly_connected
from relpolicy.model.service import Service
from relpolicy.model.slo import SLO
from relpolicy.model.team import Team
from relpolicy.policy import PolicySet, ResourceId

OBJECTIVES = st.sampled_from([None, 99.0, 99.5, 99.9, 99.95, 99.99])


def _service(name: str, tier: int, depends_on: list[dict[str, Any]], rto_minutes: int | None) -> Service:
    spec: dict[str, Any] = {"description": "x", "tier": tier, "owner": "team", "dependsOn": depends_on}
    if rto_minutes is not None:
        spec["recovery"] = {"rto": f"{rto_minutes}m"}
    return Service.model_validate(
        {"apiVersion": "relpolicy.dev/v1", "kind": "Service", "metadata": {"name": name}, "spec": spec}
    )


def _slo(service: str, objective: float) -> SLO:
    return SLO.model_validate(
        {
            "apiVersion": "relpolicy.dev/v1",
            "kind": "SLO",
            "metadata": {"name": f"{service}-availability"},
            "spec": {"service": service, "indicator": {"type": "availability"}, "objective": objective},
        }
    )


TEAM = Team.model_validate(
    {
        "apiVersion": "relpolicy.dev/v1",
        "kind": "Team",
        "metadata": {"name": "team"},
        "spec": {"coverage": "always", "members": [{"name": "A", "email": "a@example.com"}]},
    }
)


def policy_of(
    edges: dict[int, list[tuple[int, bool]]],
    objectives: list[float | None],
    rtos: list[int | None],
    names: list[str],
    groups: dict[int, list[tuple[int, ...]]] | None = None,
) -> PolicySet:
    """Services ``names`` with single dependencies ``edges`` and hard ``anyOf`` ``groups``."""
    resources: dict[ResourceId, Any] = {ResourceId("Team", "team"): TEAM}
    for i, name in enumerate(names):
        depends_on = [{"service": names[j], "type": "hard" if hard else "soft"} for j, hard in edges.get(i, [])]
        depends_on += [{"anyOf": [names[j] for j in group]} for group in (groups or {}).get(i, [])]
        resources[ResourceId("Service", name)] = _service(name, 1 + i % 4, depends_on, rtos[i])
        if objectives[i] is not None:
            resources[ResourceId("SLO", f"{name}-availability")] = _slo(name, objectives[i])
    return PolicySet(resources=resources)


@st.composite
def dags(draw: st.DrawFn, *, acyclic: bool = True) -> tuple[dict[int, list[tuple[int, bool]]], list[Any], list[Any]]:
    """Random dependency graphs on n services; edges go from i to j > i when acyclic."""
    n = draw(st.integers(1, 9))
    edges: dict[int, list[tuple[int, bool]]] = {}
    for i in range(n):
        targets = range(i + 1, n) if acyclic else [j for j in range(n) if j != i]
        chosen = draw(st.lists(st.sampled_from(list(targets)), unique=True, max_size=3)) if targets else []
        edges[i] = [(j, draw(st.booleans())) for j in chosen]
    objectives = draw(st.lists(OBJECTIVES, min_size=n, max_size=n))
    rtos = draw(st.lists(st.none() | st.integers(1, 600), min_size=n, max_size=n))
    return edges, objectives, rtos


def names_for(n: int) -> list[str]:
    return [f"s{i}" for i in range(n)]


def any_of_groups(n: int, data: st.DataObject) -> dict[int, list[tuple[int, ...]]]:
    """A hard ``anyOf`` entry of two or three services, any of them (cycles too), for some services."""
    return {
        i: [tuple(data.draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=3, unique=True)))]
        for i in range(n)
        if n > 1 and data.draw(st.booleans())
    }


@given(dags(), st.data())
def test_ceiling_is_the_product_computed_by_hand_when_nothing_is_shared(graph: Any, data: st.DataObject) -> None:
    """Where no service is under two hard entries of another, the ceiling is the plain product
    (``anyOf`` in parallel); a dependency counts with its objective, or its ceiling when lower.
    Shared dependencies are checked against brute force in test_ceilings.py."""
    edges, objectives, rtos = graph
    n = len(objectives)
    names = names_for(n)
    groups: dict[int, list[tuple[int, ...]]] = {}
    for i in range(n - 2):  # anyOf groups of later services, so the graph stays acyclic
        if data.draw(st.booleans()):
            groups[i] = [tuple(data.draw(st.lists(st.integers(i + 1, n - 1), min_size=2, max_size=3, unique=True)))]
    facts = ServiceGraph(policy_of(edges, objectives, rtos, names, groups))
    assume(not any(facts.sharing(name) for name in names))

    @cache
    def available(i: int) -> Decimal | None:
        """A direct recursive implementation: own objective (or less), else the product of hard dependencies."""
        if objectives[i] is not None:
            return min(Decimal(str(objectives[i])), ceiling(i))
        hard = [(j,) for j, is_hard in edges[i] if is_hard] + groups.get(i, [])
        if not hard:
            return None
        values = [available(j) for entry in hard for j in entry]
        return None if any(v is None for v in values) else ceiling(i)

    def group_availability(group: tuple[int, ...]) -> Decimal | None:
        values = [available(j) for j in group]
        if any(v is None for v in values):
            return None
        down = Decimal(1)
        for value in values:
            assert value is not None
            down *= (HUNDRED - value) / HUNDRED
        return HUNDRED * (1 - down)

    @cache
    def ceiling(i: int) -> Decimal:
        product = Decimal(1)
        for j, is_hard in edges[i]:
            value = available(j) if is_hard else None
            if value is not None:
                product *= value / HUNDRED
        for group in groups.get(i, []):
            if (value := group_availability(group)) is not None:
                product *= value / HUNDRED
        return HUNDRED * product

    for i, name in enumerate(names):
        found = facts.ceilings[name]
        assert found.value == ceiling(i).quantize(Decimal("1e-18"), rounding="ROUND_CEILING")
        for term in found.terms:  # never above any single hard dependency
            assert found.value <= term.availability


@given(dags(), st.data())
def test_a_soft_edge_never_changes_a_hard_path_fact(graph: Any, data: st.DataObject) -> None:
    edges, objectives, rtos = graph
    names = names_for(len(objectives))
    before = ServiceGraph(policy_of(edges, objectives, rtos, names))
    source = data.draw(st.integers(0, len(names) - 1))
    target = data.draw(st.integers(0, len(names) - 1))
    more = {i: list(e) for i, e in edges.items()}
    if all(j != target for j, _ in more[source]):
        more[source].append((target, False))
    after = ServiceGraph(policy_of(more, objectives, rtos, names))
    assert after.ceilings == before.ceilings
    assert after.slowest_recovery == before.slowest_recovery
    assert after.weakest_coverage == before.weakest_coverage
    assert after.tier1_dependents == before.tier1_dependents


@given(dags(acyclic=False), st.permutations(range(9)))
def test_cycle_reports_are_invariant_under_renaming(graph: Any, permutation: list[int]) -> None:
    edges, objectives, rtos = graph
    n = len(objectives)
    names = names_for(n)
    renamed = [f"r{permutation[i]}" for i in range(n)]
    rename = dict(zip(names, renamed, strict=True))
    first = ServiceGraph(policy_of(edges, objectives, rtos, names)).cycles
    second = ServiceGraph(policy_of(edges, objectives, rtos, renamed)).cycles
    assert {(frozenset(rename[m] for m in c.members), c.hard) for c in first} == {(c.members, c.hard) for c in second}
    for cycle in second:  # each reported loop really is a cycle of the graph
        loop = (*cycle.cycle, cycle.cycle[0])
        back = {v: k for k, v in rename.items()}
        for a, b in itertools.pairwise(loop):
            assert any(names[j] == back[b] for j, _ in edges[names.index(back[a])])


@given(dags())
def test_slowest_recovery_is_the_longest_rto_below(graph: Any) -> None:
    edges, objectives, rtos = graph
    names = names_for(len(objectives))
    facts = ServiceGraph(policy_of(edges, objectives, rtos, names))

    def below(i: int) -> set[int]:
        seen: set[int] = set()
        stack = [i]
        while stack:
            for j, hard in edges[stack.pop()]:
                if hard and j not in seen:
                    seen.add(j)
                    stack.append(j)
        return seen

    for i, name in enumerate(names):
        known = [rtos[j] * 60 for j in below(i) if rtos[j] is not None]
        chain = facts.slowest_recovery[name]
        assert (chain.value if chain else None) == (max(known) if known else None)
        if chain is not None:  # the path is a real chain of hard dependencies ending at that RTO
            assert rtos[names.index(chain.end)] * 60 == chain.value


# --- The graph walks against networkx, the reference implementation ------------------------------


@st.composite
def digraphs(draw: st.DrawFn) -> dict[str, list[str]]:
    """Random directed graphs, self-loops included, as successor lists."""
    names = [f"n{i}" for i in range(draw(st.integers(1, 12)))]
    return {name: draw(st.lists(st.sampled_from(names), unique=True, max_size=4)) for name in names}


@given(digraphs())
def test_strongly_connected_components_agree_with_networkx(successors: dict[str, list[str]]) -> None:
    import networkx as nx

    reference = nx.DiGraph()
    reference.add_nodes_from(successors)
    reference.add_edges_from((a, b) for a, targets in successors.items() for b in targets)
    found = strongly_connected(successors, successors)
    assert sorted(map(sorted, found)) == sorted(sorted(c) for c in nx.strongly_connected_components(reference))
    position = {name: i for i, component in enumerate(found) for name in component}
    for a, targets in successors.items():  # listed dependencies first: each component after all it reaches
        for b in targets:
            assert position[b] <= position[a]


@given(digraphs())
def test_a_cycle_is_the_first_shortest_cycle_through_the_smallest_member(successors: dict[str, list[str]]) -> None:
    import networkx as nx

    reference = nx.DiGraph()
    reference.add_edges_from((a, b) for a, targets in successors.items() for b in targets)
    for group in strongly_connected(successors, successors):
        members = frozenset(group)
        if len(group) == 1 and group[0] not in successors[group[0]]:
            continue
        start = min(members)
        through_start = [c for c in nx.simple_cycles(reference.subgraph(members)) if start in c]
        loops = [tuple(c[c.index(start) :] + c[: c.index(start)]) for c in through_start]
        assert _a_cycle(successors, members) == min(loops, key=lambda c: (len(c), c))


@given(dags(acyclic=False), st.data())
def test_hard_needs_is_the_union_of_marks_over_each_hard_closure(graph: Any, data: st.DataObject) -> None:
    names = names_for(len(graph[1]))
    facts = ServiceGraph(policy_of(*graph, names, any_of_groups(len(names), data)))
    marks = {name: data.draw(st.integers(0, 15)) for name in names}
    needs = facts.hard_needs(marks)
    for name in names:
        expected = marks[name]
        for other in facts.hard_closure(name):
            expected |= marks[other]
        assert needs[name] == expected


@given(dags(acyclic=False), st.data())
def test_impact_is_the_fixpoint_of_failing_hard_entries(graph: Any, data: st.DataObject) -> None:
    """What goes down with a service, computed by repeating "a service fails when one of its hard
    entries has all its services down" until nothing changes; what is degraded depends on the
    fallen through any entry."""
    edges, objectives, rtos = graph
    n = len(objectives)
    names = names_for(n)
    groups = any_of_groups(n, data)
    facts = ServiceGraph(policy_of(edges, objectives, rtos, names, groups))
    hard = {i: [(j,) for j, is_hard in edges[i] if is_hard] + groups.get(i, []) for i in range(n)}
    named = {i: {j for j, _ in edges[i]} | {j for group in groups.get(i, []) for j in group} for i in range(n)}
    for start in range(n):
        down = {start}
        changed = True
        while changed:
            failing = {i for i in range(n) if i not in down and any(set(entry) <= down for entry in hard[i])}
            changed = bool(failing)
            down |= failing
        degraded = {i for i in range(n) if i not in down and named[i] & down}
        impact = facts.impact(names[start])
        assert set(impact.down) == {names[i] for i in down - {start}}
        assert set(impact.degraded) == {names[i] for i in degraded}


@given(dags(acyclic=False), st.data())
def test_hard_closure_is_what_an_outage_alone_takes_down(graph: Any, data: st.DataObject) -> None:
    """A service is in another's hard closure exactly when its outage alone takes that one down
    (``impact``, the brute-force fixpoint above): what every alternative of an ``anyOf`` needs is
    a single point of failure, and the tier-1 dependents RP306 counts are the tier-1 services it
    takes down."""
    edges, objectives, rtos = graph
    n = len(objectives)
    names = names_for(n)
    facts = ServiceGraph(policy_of(edges, objectives, rtos, names, any_of_groups(n, data)))
    for name in names:
        down = set(facts.impact(name).down)
        assert down == {other for other in names if name in facts.hard_closure(other)}
        assert facts.tier1_dependents[name] == {other for other in down if facts.tiers[other] == 1}
