"""What goes down with a service: its blast radius, with tiers, owners and the reason for each.

``down`` follows hard dependencies (an ``anyOf`` group fails only when every alternative is
down); ``degraded`` is what a soft dependency, or one lost alternative of a redundant group,
touches without taking down. Each affected service names the services it depends on that are
down, so the list explains itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Final

from relpolicy.graph import ServiceGraph

SCHEMA_VERSION: Final = 1


@dataclass(frozen=True, slots=True)
class Affected:
    """A service hit by the outage, and which of its dependencies that are down hit it."""

    name: str
    tier: int
    owner: str | None
    customer_facing: bool
    because: tuple[str, ...]
    """Sorted: for a service down, its hard dependencies that are down (every alternative of a
    failed ``anyOf`` group); for a degraded one, every dependency of it that is down."""


@dataclass(frozen=True, slots=True)
class BlastRadius:
    """Everything an outage of ``service`` takes down or degrades, most critical first."""

    service: str
    tier: int
    down: tuple[Affected, ...]
    degraded: tuple[Affected, ...]


def blast_radius(graph: ServiceGraph, service: str) -> BlastRadius:
    """The blast radius of ``service``, each list sorted by tier, then name."""
    impact = graph.impact(service)
    failed = {service, *impact.down}

    def affected(name: str, *, is_down: bool) -> Affected:
        spec = graph.services[name].spec
        if is_down:  # the hard entries that failed whole
            because = {t for e in graph.hard_entries(name) if all(x in failed for x in e.targets) for t in e.targets}
        else:
            because = {t for t in graph.dependencies(name) if t in failed}
        return Affected(name, spec.tier, spec.owner, spec.customer_facing, tuple(sorted(because)))

    def ordered(names: tuple[str, ...], *, is_down: bool) -> tuple[Affected, ...]:
        return tuple(sorted((affected(n, is_down=is_down) for n in names), key=lambda a: (a.tier, a.name)))

    tier = graph.services[service].spec.tier
    return BlastRadius(service, tier, ordered(impact.down, is_down=True), ordered(impact.degraded, is_down=False))


def to_text(radius: BlastRadius) -> str:
    """The blast radius for a terminal."""
    lines = [f"If {radius.service} (tier {radius.tier}) goes down:"]
    for title, group in (("down", radius.down), ("degraded", radius.degraded)):
        what = "hard dependencies" if title == "down" else "soft dependencies or one lost alternative"
        lines.append(f"  {title} ({len(group)}, through {what}):")
        lines += [f"    {_describe(a)}" for a in group] or ["    nothing"]
    return "\n".join(lines) + "\n"


def _describe(affected: Affected) -> str:
    owner = affected.owner or "no owner"
    facing = ", customer-facing" if affected.customer_facing else ""
    return f"{affected.name} (tier {affected.tier}, {owner}{facing}) via {', '.join(affected.because)}"


def to_json(radius: BlastRadius) -> str:
    """The blast radius as a JSON document (``schemaVersion`` 1)."""

    def item(affected: Affected) -> dict[str, object]:
        return {
            "name": affected.name,
            "tier": affected.tier,
            "owner": affected.owner,
            "customerFacing": affected.customer_facing,
            "because": list(affected.because),
        }

    document = {
        "schemaVersion": SCHEMA_VERSION,
        "service": radius.service,
        "tier": radius.tier,
        "down": [item(a) for a in radius.down],
        "degraded": [item(a) for a in radius.degraded],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
