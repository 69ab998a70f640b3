"""Availability ceilings against brute force: every up/down state of every service, on random DAGs.

The model (docs/design.md): a service is up when its own part is up and every hard entry has a
service up; own parts fail independently; a service's own availability is its objective over its
ceiling (at most 1; 1 without an objective). A service whose availability is unknown counts as
always up, with everything beneath it. The brute force below writes each service's "up" event as
a truth table over all 2**n states (bit ``s`` of the table is state ``s``; service ``i`` is up in
state ``s`` when bit ``i`` of ``s`` is set) and sums the probability of the states where a
structure is up.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from tests.property.test_graph_properties import names_for, policy_of

from relpolicy.graph import HUNDRED, Ceilings, ServiceGraph

OBJECTIVES = st.sampled_from([None, 99.0, 99.5, 99.9, 99.95, 99.99, 90.0])

Catalogue = tuple[dict[int, list[tuple[int, bool]]], dict[int, list[tuple[int, ...]]], list[float | None]]


@st.composite
def catalogues(draw: st.DrawFn, *, most: int = 16) -> Catalogue:
    """Services 0..n-1, each with single entries (hard or soft) and hard ``anyOf`` groups to later
    services, drawn mostly from a few "platform" services so that dependencies are shared."""
    n = draw(st.integers(1, most))
    edges: dict[int, list[tuple[int, bool]]] = {}
    groups: dict[int, list[tuple[int, ...]]] = {}
    for i in range(n):
        later = list(range(i + 1, n))
        if not later:
            edges[i], groups[i] = [], []
            continue
        # Later services, the last few (the platforms) more likely: shared dependencies are the point.
        pick = st.sampled_from(later) | st.sampled_from(later[-3:])
        edges[i] = [(j, draw(st.booleans())) for j in draw(st.lists(pick, unique=True, max_size=3))]
        groups[i] = (
            [tuple(draw(st.lists(pick, min_size=2, max_size=3, unique=True)))]
            if len(later) > 1 and draw(st.booleans())
            else []
        )
    objectives = draw(st.lists(OBJECTIVES, min_size=n, max_size=n))
    return edges, groups, objectives


def brute_force(catalogue: Catalogue) -> list[float]:
    """Every service's ceiling (a fraction), summed over all up/down states of the services below it."""
    edges, groups, objectives = catalogue
    n = len(objectives)
    width = 1 << n
    everything = (1 << width) - 1

    def variable(i: int) -> int:
        """The truth table of "service i's own part is up": blocks of 2**i states off, 2**i on."""
        block = ((1 << (1 << i)) - 1) << (1 << i)
        return block * (everything // ((1 << (1 << (i + 1))) - 1))

    own: dict[int, float] = {}

    def probability(table: int, k: int = n) -> float:
        """The probability of the states in ``table`` (over services 0..k-1), splitting on service k-1."""
        if table == 0:
            return 0.0
        if table == (1 << (1 << k)) - 1:
            return 1.0
        half = 1 << (k - 1)
        low, high = table & ((1 << half) - 1), table >> half
        if low == high:  # service k-1 does not matter here
            return probability(low, k - 1)
        p = own[k - 1]
        return (1 - p) * probability(low, k - 1) + p * probability(high, k - 1)

    up: dict[int, int] = {}
    available: dict[int, float | None] = {}
    ceilings = [1.0] * n
    for i in reversed(range(n)):  # dependencies (higher numbers) first
        entries = [(j,) for j, hard in edges[i] if hard] + groups[i]
        structure, counted, unknown = everything, False, False
        for entry in entries:
            if any(available[j] is None for j in entry):
                unknown = True  # counted as always up
                continue
            group = 0
            for j in entry:
                group |= up[j]
            structure &= group
            counted = True
        ceiling = ceilings[i] = probability(structure)
        objective = objectives[i]
        if objective is None:
            own[i] = 1.0
            available[i] = ceiling if counted and not unknown else None
        else:
            own[i] = min(1.0, objective / 100 / ceiling)
            available[i] = min(objective / 100, ceiling)
        up[i] = variable(i) & structure
    return ceilings


def _graph(catalogue: Catalogue) -> ServiceGraph:
    edges, groups, objectives = catalogue
    n = len(objectives)
    return ServiceGraph(policy_of(edges, objectives, [None] * n, names_for(n), groups))


@given(catalogues())
def test_exact_ceilings_equal_brute_force(catalogue: Catalogue) -> None:
    expected = brute_force(catalogue)
    graph = _graph(catalogue)
    for name, value in zip(names_for(len(expected)), expected, strict=True):
        ceiling = graph.ceilings[name]
        assert ceiling.exact  # 16 services are far below the limits
        assert abs(float(ceiling.value / HUNDRED) - value) < 1e-12, name
        assert ceiling.value <= HUNDRED


@given(catalogues(), st.integers(1, 6), st.integers(0, 60))
def test_the_bound_above_the_limits_is_never_below_the_exact_ceiling(
    catalogue: Catalogue, reach_limit: int, budget: int
) -> None:
    """With tiny limits most ceilings are bounds: each is at least the exact value, and equal when exact."""
    expected = brute_force(catalogue)
    found = Ceilings(_graph(catalogue), reach_limit=reach_limit, budget=budget).ceilings
    for name, value in zip(names_for(len(expected)), expected, strict=True):
        ceiling = found[name]
        computed = float(ceiling.value / HUNDRED)
        if ceiling.exact:
            assert abs(computed - value) < 1e-12, name
        else:
            assert computed >= value - 1e-12, name


@given(catalogues(most=9))
def test_a_ceiling_is_never_above_any_hard_entry(catalogue: Catalogue) -> None:
    """Each term is an entry's availability: the structure needs every entry, so none is below the ceiling."""
    graph = _graph(catalogue)
    for ceiling in graph.ceilings.values():
        for term in ceiling.terms:
            assert ceiling.value <= term.availability.quantize(Decimal("1e-18"), rounding="ROUND_CEILING")


def test_the_issue_cases_by_hand() -> None:
    """a->b, a->c, b->d, c->d at 99.9% each: 99.9%; anyOf[b, c] over d at 99.9%: 99.9% (issue 14)."""
    diamond: Any = ({0: [(1, True), (2, True)], 1: [(3, True)], 2: [(3, True)], 3: []}, {})
    graph = _graph((*diamond, [99.85, 99.9, 99.9, 99.9]))
    assert graph.ceilings["s0"].value == Decimal("99.9")
    assert [s.name for s in graph.sharing("s0")] == ["s3"]
    group: Any = ({0: [], 1: [(3, True)], 2: [(3, True)], 3: []}, {0: [(1, 2)]})
    graph = _graph((*group, [99.95, None, None, 99.9]))
    assert graph.ceilings["s0"].value == Decimal("99.9")
    # Before: 99.9% x 99.9% for the diamond, 1 - 0.001^2 = 99.9999% for the group.
