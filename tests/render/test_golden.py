"""Golden files for every renderer, on the hand-made fixture and on the example organisation.

The committed docs (docs/runbooks/, docs/sla.md) are the example's golden runbooks and Markdown
SLA table without a date; ``test_docs.py`` checks them. Here: runbooks as of a date, every SLA
format, the graph in every format (whole and around a service) and the blast radius.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from tests.render.conftest import AS_OF, SCENARIOS, loaded

from relpolicy.render import graph_export, impact
from relpolicy.render.runbooks import render_runbooks
from relpolicy.render.sla import render_sla, sla_table
from relpolicy.render.templating import environment

FOCUS = {"fixture": "shop", "example": "payments-api"}
"""The service each scenario's neighbourhood and blast-radius goldens are about."""

Golden = Callable[[str, str], None]


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_runbooks_as_of_a_date(scenario: str, golden: Golden) -> None:
    """Every runbook page and the index, rendered as of the test date."""
    policy, graph = loaded(SCENARIOS[scenario])
    files = render_runbooks(environment(), policy, graph, as_of=AS_OF)
    assert len(files) == len(policy.services) + 1
    for name, text in files.items():
        golden(f"{scenario}/runbooks-{AS_OF}/{name}", text)


def test_fixture_runbooks_without_a_date(golden: Golden) -> None:
    """Without a date the pages hold nothing that depends on one (the example's are in docs/)."""
    policy, graph = loaded(SCENARIOS["fixture"])
    for name, text in render_runbooks(environment(), policy, graph).items():
        golden(f"fixture/runbooks/{name}", text)


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
@pytest.mark.parametrize(("fmt", "table", "file"), [
    ("md", "services", "sla.md"),
    ("html", "services", "sla.html"),
    ("json", "services", "sla.json"),
    ("csv", "services", "sla-services.csv"),
    ("csv", "priorities", "sla-priorities.csv"),
])  # fmt: skip
def test_sla(scenario: str, fmt: str, table: str, file: str, golden: Golden) -> None:
    """The SLA tables in each format."""
    policy, graph = loaded(SCENARIOS[scenario])
    golden(f"{scenario}/{file}", render_sla(environment(), sla_table(policy, graph), fmt, which=table))


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
@pytest.mark.parametrize(("fmt", "suffix"), [("mermaid", "mmd"), ("dot", "dot"), ("json", "json")])
def test_graph(scenario: str, fmt: str, suffix: str, golden: Golden) -> None:
    """The whole graph, and the neighbourhood of one service two steps deep."""
    _, graph = loaded(SCENARIOS[scenario])
    render = graph_export.RENDERERS[fmt]
    golden(f"{scenario}/graph.{suffix}", render(graph_export.whole(graph)))
    golden(f"{scenario}/graph-{FOCUS[scenario]}-2.{suffix}", render(graph_export.around(graph, FOCUS[scenario], 2)))


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_impact(scenario: str, golden: Golden) -> None:
    """The blast radius as text and JSON."""
    _, graph = loaded(SCENARIOS[scenario])
    service = {"fixture": "db", "example": "orders-db"}[scenario]
    radius = impact.blast_radius(graph, service)
    golden(f"{scenario}/impact-{service}.txt", impact.to_text(radius))
    golden(f"{scenario}/impact-{service}.json", impact.to_json(radius))
