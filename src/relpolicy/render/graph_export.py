"""The dependency graph as Mermaid, Graphviz DOT and JSON: whole, or around one service.

An arrow points from a service to what it depends on. Hard dependencies (their outage takes the
service down) are solid arrows, soft ones (they only degrade it) dashed or dotted; an arrow to one
of several redundant alternatives (``anyOf``) is labelled ``any of``.

Around one service, the view holds what it depends on up to ``depth`` steps down, and what
depends on it up to ``depth`` steps up, with the arrows of those paths only: two dependents of a
service that happen to depend on each other are not connected, so a diagram shows how things
reach the service rather than every edge among its neighbours.

Node ids are made from service names (DNS labels) and never from display names: Mermaid ids are
``svc_`` plus the name with ``-`` as ``_`` (a name has no ``_``, so no two names meet, and no id
is a Mermaid keyword such as ``end``); labels are quoted and escaped.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Final

from relpolicy.graph import ServiceGraph

SCHEMA_VERSION: Final = 1
FORMATS: Final = ("mermaid", "dot", "json")
TIER_FILL: Final = {1: "#f8d7da", 2: "#fff3cd", 3: "#d1e7dd", 4: "#e2e3e5"}
"""Background of a service box by tier (red, amber, green, grey), with black text for contrast."""
_MERMAID_ESCAPES: Final = {"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;"}


@dataclass(frozen=True, slots=True)
class Node:
    """A service as the graph shows it."""

    name: str
    display_name: str | None
    tier: int
    owner: str | None
    customer_facing: bool


@dataclass(frozen=True, slots=True)
class Edge:
    """``source`` depends on ``target``."""

    source: str
    target: str
    hard: bool
    """Some hard entry of ``source`` names ``target``."""
    any_of: bool
    """Every entry naming ``target`` is an ``anyOf`` group (``target`` is one alternative)."""
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class GraphView:
    """The services and dependencies to draw, sorted by name."""

    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    focus: str | None = None
    depth: int | None = None


def whole(graph: ServiceGraph) -> GraphView:
    """Every service and every dependency between services that exist."""
    edges = [_edge(graph, source, target) for source, target in graph.edges]
    return GraphView(_nodes(graph, graph.services), tuple(sorted(edges, key=_edge_key)))


def around(graph: ServiceGraph, service: str, depth: int) -> GraphView:
    """``service``, its dependencies up to ``depth`` steps down and its dependents up to ``depth`` up."""
    if depth < 0:
        msg = "the depth is a number of steps, 0 or more"
        raise ValueError(msg)
    down = _distances(service, depth, graph.dependencies)
    up = _distances(service, depth, graph.dependents)
    pairs = {(s, t) for s, t in graph.edges if s in down and t in down and down[s] + 1 == down[t]}
    pairs |= {(s, t) for s, t in graph.edges if s in up and t in up and up[s] == up[t] + 1}
    edges = sorted((_edge(graph, s, t) for s, t in pairs), key=_edge_key)
    return GraphView(_nodes(graph, {*down, *up}), tuple(edges), focus=service, depth=depth)


def _distances(start: str, depth: int, step: Callable[[str], Iterable[str]]) -> dict[str, int]:
    """Breadth-first distances from ``start`` up to ``depth`` steps."""
    found = {start: 0}
    layer = [start]
    for distance in range(1, depth + 1):
        following = sorted({n for name in layer for n in step(name) if n not in found})
        for name in following:
            found[name] = distance
        layer = following
    return found


def _nodes(graph: ServiceGraph, names: Iterable[str]) -> tuple[Node, ...]:
    nodes = []
    for name in sorted(names):
        spec = graph.services[name].spec
        display = graph.services[name].metadata.display_name
        nodes.append(Node(name, display, spec.tier, spec.owner, spec.customer_facing))
    return tuple(nodes)


def _edge(graph: ServiceGraph, source: str, target: str) -> Edge:
    entries = [e for e in graph.entries[source] if target in e.targets]
    notes = [note for e in entries if (note := graph.services[source].spec.depends_on[e.position].note) is not None]
    return Edge(
        source,
        target,
        hard=any(e.hard for e in entries),
        any_of=all(e.any_of for e in entries),
        notes=tuple(notes),
    )


def _edge_key(edge: Edge) -> tuple[str, str]:
    return edge.source, edge.target


# --- Mermaid -------------------------------------------------------------------------------------


def mermaid_id(name: str) -> str:
    """A Mermaid node id for a service name: ``orders-db`` -> ``svc_orders_db``."""
    return "svc_" + name.replace("-", "_")


def mermaid_label(*lines: str) -> str:
    """Lines of text as one quoted Mermaid label; characters Mermaid reads specially become entities."""
    escaped = ("".join(_MERMAID_ESCAPES.get(char, char) for char in line) for line in lines)
    return '"' + "<br>".join(escaped) + '"'


def to_mermaid(view: GraphView) -> str:
    """A Mermaid flowchart, left to right from dependents to dependencies."""
    lines = ["flowchart LR"]
    lines += [f"  {mermaid_id(n.name)}[{mermaid_label(n.name, f'tier {n.tier}')}]" for n in view.nodes]
    for edge in view.edges:
        arrow = "-->" if edge.hard else "-.->"
        label = '|"any of"|' if edge.any_of else ""
        lines.append(f"  {mermaid_id(edge.source)} {arrow}{label} {mermaid_id(edge.target)}")
    for tier, fill in TIER_FILL.items():
        lines.append(f"  classDef tier{tier} fill:{fill},stroke:#555,color:#000")
    for tier in sorted({n.tier for n in view.nodes}):
        members = ",".join(mermaid_id(n.name) for n in view.nodes if n.tier == tier)
        lines.append(f"  class {members} tier{tier}")
    if view.focus is not None:
        lines.append("  classDef focus stroke:#000,stroke-width:3px")
        lines.append(f"  class {mermaid_id(view.focus)} focus")
    return "\n".join(lines) + "\n"


# --- Graphviz DOT --------------------------------------------------------------------------------


def dot_string(text: str) -> str:
    """``text`` as a DOT double-quoted string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(view: GraphView) -> str:
    """A Graphviz digraph, left to right from dependents to dependencies."""
    lines = [
        "digraph relpolicy {",
        "  rankdir=LR;",
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", color="#555555"];',
        '  edge [color="#333333"];',
    ]
    for node in view.nodes:
        label = dot_string(node.name + "\n" + f"tier {node.tier}")
        attributes = [f"label={label}", f"fillcolor={dot_string(TIER_FILL[node.tier])}"]
        if node.name == view.focus:
            attributes.append("penwidth=3")
        lines.append(f"  {dot_string(node.name)} [{', '.join(attributes)}];")
    for edge in view.edges:
        attributes = [] if edge.hard else ["style=dashed"]
        if edge.any_of:
            attributes.append('label="any of"')
        suffix = f" [{', '.join(attributes)}]" if attributes else ""
        lines.append(f"  {dot_string(edge.source)} -> {dot_string(edge.target)}{suffix};")
    lines.append("}")
    return "\n".join(lines) + "\n"


# --- JSON ----------------------------------------------------------------------------------------


def to_json(view: GraphView) -> str:
    """A JSON document: ``schemaVersion``, ``focus``, ``nodes`` and ``edges``, sorted by name."""
    document = {
        "schemaVersion": SCHEMA_VERSION,
        "focus": None if view.focus is None else {"service": view.focus, "depth": view.depth},
        "nodes": [
            {
                "name": n.name,
                "displayName": n.display_name,
                "tier": n.tier,
                "owner": n.owner,
                "customerFacing": n.customer_facing,
            }
            for n in view.nodes
        ],
        "edges": [
            {
                "from": e.source,
                "to": e.target,
                "type": "hard" if e.hard else "soft",
                "anyOf": e.any_of,
                "notes": list(e.notes),
            }
            for e in view.edges
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


RENDERERS: Final[dict[str, Callable[[GraphView], str]]] = {"mermaid": to_mermaid, "dot": to_dot, "json": to_json}
