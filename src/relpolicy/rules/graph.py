"""RP3xx: what the dependency graph makes true (or impossible)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from decimal import Decimal
from typing import Final

from relpolicy.findings import Problem, Related, Severity
from relpolicy.graph import Ceiling, Chain, Cycle, Entry, ServiceGraph, Shared, format_percent
from relpolicy.model.calendar import WEEK_MINUTES
from relpolicy.model.service import Service
from relpolicy.model.slo import SLO
from relpolicy.model.types import format_duration
from relpolicy.rules._framework import RuleContext, rule

_TEAM: Final = """\
apiVersion: relpolicy.dev/v1
kind: Team
metadata: {name: payments}
spec:
  coverage: always
  members: [{name: Ana Lima, email: ana@example.com}]
"""


def _entry_problem(ctx: RuleContext, rule_id: str, message: str, entry: Entry, *related: Related) -> Problem:
    service = ctx.graph.services[entry.source]
    return ctx.policy.problem(rule_id, message, service, entry.path, *related)


def _arrow(name: str, path: tuple[str, ...]) -> str:
    return " -> ".join((name, *path))


@rule(
    id="RP301",
    background=_TEAM,
    facts=("cycles",),
    name="dependency-cycle",
    severity=Severity.ERROR,
    summary="Services depend on each other in a loop (an error when every link is hard, a warning through a "
    "soft link).",
)
def dependency_cycle(ctx: RuleContext) -> Iterator[Problem]:
    """A cycle of hard dependencies cannot start from cold: each service waits for the next. Even
    through a soft link, a cycle makes outages feed back and hides which service is upstream. Each
    cycle is reported once, at the dependency that closes it from its alphabetically first member,
    with the whole loop in the message and every other link as a related location.

    Failing example:

        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: auth}
        spec:
          description: Sign-in.
          tier: 2
          owner: payments
          dependsOn: [{service: sessions}]
        ---
        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: sessions}
        spec:
          description: Session store.
          tier: 2
          owner: payments
          dependsOn: [{service: auth}]

    Passing example:

        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: auth}
        spec:
          description: Sign-in.
          tier: 2
          owner: payments
          dependsOn: [{service: sessions}]
        ---
        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: sessions}
        spec:
          description: Session store.
          tier: 2
          owner: payments
    """
    for cycle in ctx.graph.cycles:
        yield _cycle_problem(ctx, cycle)


def _cycle_problem(ctx: RuleContext, cycle: Cycle) -> Problem:
    graph = ctx.graph
    loop = (*cycle.cycle, cycle.cycle[0])
    links = [_link(graph, a, b, hard_only=cycle.hard) for a, b in itertools.pairwise(loop)]
    kind = "hard dependency cycle" if cycle.hard else "dependency cycle through a soft dependency"
    message = f"{kind}: {' -> '.join(loop)}"
    if len(cycle.members) > len(cycle.cycle):
        others = sorted(cycle.members - set(cycle.cycle))
        message += f" (also entangled: {', '.join(others)})"
    related = [
        Related(ctx.policy.locate(graph.services[link.source], *link.path), f"{link.source} depends on {target}")
        for link, target in zip(links[1:], loop[2:], strict=True)
    ]
    problem = _entry_problem(ctx, "RP301", message, links[0], *related)
    return problem if cycle.hard else problem.with_severity(Severity.WARNING)


def _link(graph: ServiceGraph, source: str, target: str, *, hard_only: bool) -> Entry:
    return next(e for e in graph.entries[source] if target in e.targets and (e.hard or not hard_only))


@rule(
    id="RP302",
    background=_TEAM,
    facts=("tiers", "hard_entries"),
    name="tier-inversion",
    severity=Severity.ERROR,
    summary="A service hard-depends on a less critical tier, so it is only as reliable as that lower tier.",
)
def tier_inversion(ctx: RuleContext) -> Iterator[Problem]:
    """A tier-1 service that cannot work without a tier-3 service is, in practice, tier 3: the
    dependency gets less attention, slower response and looser targets. Either the dependency is
    raised to the dependent's tier, or the dependency is made soft (the service degrades
    gracefully without it). An ``anyOf`` group is inverted only when every alternative is less
    critical.

    Failing example:

        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: checkout}
        spec:
          description: Takes orders.
          tier: 1
          owner: payments
          dependsOn: [{service: recommendations}]
        ---
        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: recommendations}
        spec:
          description: Suggests products.
          tier: 3
          owner: payments

    Passing example:

        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: checkout}
        spec:
          description: Takes orders.
          tier: 1
          owner: payments
          dependsOn: [{service: recommendations, type: soft}]
        ---
        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: recommendations}
        spec:
          description: Suggests products.
          tier: 3
          owner: payments
    """
    graph = ctx.graph
    tiers = graph.tiers
    for name, tier in tiers.items():
        for entry in graph.hard_entries(name):
            if min(map(tiers.__getitem__, entry.targets)) <= tier:
                continue
            named = ", ".join(f"{t} (tier {tiers[t]})" for t in entry.targets)
            what = f"every alternative of anyOf({named}) is" if entry.any_of else f"{named} is"
            message = (
                f"{name} (tier {tier}) hard-depends on a less critical tier: {what} less critical; "
                f"raise it to tier {tier} or make the dependency soft"
            )
            yield _entry_problem(ctx, "RP302", message, entry)


@rule(
    id="RP303",
    background=_TEAM,
    facts=("ceilings", "sharing"),
    name="infeasible-availability",
    severity=Severity.ERROR,
    summary="An availability objective is higher than its hard dependencies allow (serial, anyOf in parallel, a shared "
    "dependency counted once).",
)
def infeasible_availability(ctx: RuleContext) -> Iterator[Problem]:
    """An availability objective is end to end: a service is up only while its hard dependencies
    are, so it can promise at most the chance that they are all up (an ``anyOf`` group is up
    while one alternative is). Each dependency counts with its availability objective, or with
    what its own dependencies allow when that is lower or it has none, so the limit propagates
    through the whole graph. Dependencies that share a service below them can fail together, so
    a shared service is counted once and the message names it: two 99.9% dependencies on the
    same 99.9% database allow 99.9%, not 99.8%. An objective above that ceiling will be missed
    whatever the team does.

    Failing example:

        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: checkout}
        spec:
          description: Takes orders.
          tier: 1
          owner: payments
          dependsOn: [{service: payments-api}, {service: auth}]
        ---
        apiVersion: relpolicy.dev/v1
        kind: SLO
        metadata: {name: checkout-availability}
        spec:
          service: checkout
          indicator: {type: availability}
          objective: 99.95
        ---
        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: payments-api}
        spec: {description: Charges cards., tier: 1, owner: payments}
        ---
        apiVersion: relpolicy.dev/v1
        kind: SLO
        metadata: {name: payments-api-availability}
        spec: {service: payments-api, indicator: {type: availability}, objective: 99.95}
        ---
        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: auth}
        spec: {description: Sign-in., tier: 1, owner: payments}
        ---
        apiVersion: relpolicy.dev/v1
        kind: SLO
        metadata: {name: auth-availability}
        spec: {service: auth, indicator: {type: availability}, objective: 99.99}

    Passing example:

        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: checkout}
        spec:
          description: Takes orders.
          tier: 1
          owner: payments
          dependsOn: [{service: payments-api}, {service: auth}]
        ---
        apiVersion: relpolicy.dev/v1
        kind: SLO
        metadata: {name: checkout-availability}
        spec:
          service: checkout
          indicator: {type: availability}
          objective: 99.9
        ---
        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: payments-api}
        spec: {description: Charges cards., tier: 1, owner: payments}
        ---
        apiVersion: relpolicy.dev/v1
        kind: SLO
        metadata: {name: payments-api-availability}
        spec: {service: payments-api, indicator: {type: availability}, objective: 99.95}
        ---
        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: auth}
        spec: {description: Sign-in., tier: 1, owner: payments}
        ---
        apiVersion: relpolicy.dev/v1
        kind: SLO
        metadata: {name: auth-availability}
        spec: {service: auth, indicator: {type: availability}, objective: 99.99}
    """
    graph = ctx.graph
    for name in graph.services:
        own = graph.objective(name)
        ceiling = graph.ceilings[name]
        if own is None or not ceiling.terms or own[0] <= ceiling.value:
            continue
        yield _infeasible_problem(ctx, name, own[0], own[1], ceiling)


def _infeasible_problem(ctx: RuleContext, name: str, objective: Decimal, slo: SLO, ceiling: Ceiling) -> Problem:
    graph = ctx.graph
    places = 2
    while format_percent(ceiling.value, places) == format_percent(objective, places) and places < 8:
        places += 1  # show enough digits to tell the two apart
    factors = " x ".join(f"{t.label} {format_percent(t.availability, places)}" for t in ceiling.terms)
    bound = "" if ceiling.exact else " (an upper bound: they share too many services to count each once)"
    message = (
        f"{name} promises {format_percent(objective, places)} availability but its hard dependencies "
        f"allow at most {format_percent(ceiling.value, places)}{bound}: {factors}"
    )
    shared = graph.sharing(name)
    if shared:
        each = ", ".join(f"{s.name} {format_percent(s.availability, places)} ({_needed_by(s)})" for s in shared)
        message += f"; counted once: {each}"
    if ceiling.unknown:
        message += f" (not counting {', '.join(ceiling.unknown)}, whose availability is unknown)"
    service = graph.services[name]
    related = [Related(ctx.policy.locate(service, *t.entry.path), f"depends on {t.label}") for t in ceiling.terms]
    related += [
        Related(
            ctx.policy.locate(graph.services[s.name], "metadata", "name"),
            f"{s.name} {format_percent(s.availability, places)}, {_needed_by(s)}",
        )
        for s in shared
    ]
    return ctx.policy.problem("RP303", message, slo, ("spec", "objective"), *related)


def _needed_by(shared: Shared) -> str:
    """``needed by b and c``; ``also needed by c`` for a direct dependency; or ``named by several entries``."""
    others = [n for n in shared.needed_by if n != shared.name]
    if not others:
        return "named by several entries"
    names = others[0] if len(others) == 1 else f"{', '.join(others[:-1])} and {others[-1]}"
    return f"also needed by {names}" if shared.name in shared.needed_by else f"needed by {names}"


@rule(
    id="RP304",
    background=_TEAM,
    facts=("rto", "slowest_recovery"),
    name="unreachable-restore-target",
    severity=Severity.ERROR,
    summary="A service's RTO is shorter than the RTO of something it hard-depends on, directly or transitively.",
)
def unreachable_restore_target(ctx: RuleContext) -> Iterator[Problem]:
    """A service cannot be back before the things it cannot run without. If checkout promises a
    one-hour recovery but the database under its order service takes four hours to restore, the
    one-hour promise is void. The path to the slowest dependency is shown. An ``anyOf`` group is
    back as soon as its fastest alternative is.

    Failing example:

        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: checkout}
        spec:
          description: Takes orders.
          tier: 1
          owner: payments
          dependsOn: [{service: orders-db}]
          recovery: {rto: 1h}
        ---
        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: orders-db}
        spec:
          description: Orders database.
          tier: 1
          owner: payments
          recovery: {rto: 4h}

    Passing example:

        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: checkout}
        spec:
          description: Takes orders.
          tier: 1
          owner: payments
          dependsOn: [{service: orders-db}]
          recovery: {rto: 4h}
        ---
        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: orders-db}
        spec:
          description: Orders database.
          tier: 1
          owner: payments
          recovery: {rto: 2h}
    """
    graph = ctx.graph
    for name, slowest in graph.slowest_recovery.items():
        own = graph.rto[name]
        if slowest is None or own is None or own >= slowest.value:
            continue
        service = graph.services[name]
        theirs = _duration(slowest.value)
        message = (
            f"{name} must be restored within {_duration(own)} but it hard-depends on "
            f"{slowest.end}, whose RTO is {theirs}: {_arrow(name, slowest.path)}"
        )
        end = graph.services[slowest.end]
        related = Related(ctx.policy.locate(end, "spec", "recovery", "rto"), f"{slowest.end} RTO {theirs}")
        yield ctx.policy.problem("RP304", message, service, ("spec", "recovery", "rto"), related)


def _duration(seconds: int) -> str:
    return format_duration(dt.timedelta(seconds=seconds))


@rule(
    id="RP305",
    background=_TEAM,
    facts=("weakest_coverage",),
    name="coverage-gap",
    severity=Severity.WARNING,
    summary="A service supported around the clock hard-depends, transitively, on something whose owning team "
    "works business hours only.",
)
def coverage_gap(ctx: RuleContext) -> Iterator[Problem]:
    """Round-the-clock support is only as good as the weakest team in the chain: when a
    dependency breaks at 3 a.m. and its owners are asleep until Monday, the 24x7 team upstream
    can only wait. The path to the weakest-covered dependency is shown, with its owner's calendar.

    Failing example:

        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: checkout}
        spec:
          description: Takes orders.
          tier: 1
          owner: payments
          dependsOn: [{service: erp}]
        ---
        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: erp}
        spec: {description: Finance system., tier: 1, owner: finance}
        ---
        apiVersion: relpolicy.dev/v1
        kind: Team
        metadata: {name: finance}
        spec:
          coverage: office
          members: [{name: Bo Chen, email: bo@example.com}]
        ---
        apiVersion: relpolicy.dev/v1
        kind: Calendar
        metadata: {name: office}
        spec:
          timezone: America/New_York
          hours: {mon: [09:00-17:00], tue: [09:00-17:00], wed: [09:00-17:00], thu: [09:00-17:00], fri: [09:00-17:00]}

    Passing example:

        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: checkout}
        spec:
          description: Takes orders.
          tier: 1
          owner: payments
          dependsOn: [{service: erp, type: soft}]
        ---
        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: erp}
        spec: {description: Finance system., tier: 1, owner: finance}
        ---
        apiVersion: relpolicy.dev/v1
        kind: Team
        metadata: {name: finance}
        spec:
          coverage: office
          members: [{name: Bo Chen, email: bo@example.com}]
        ---
        apiVersion: relpolicy.dev/v1
        kind: Calendar
        metadata: {name: office}
        spec:
          timezone: America/New_York
          hours: {mon: [09:00-17:00], tue: [09:00-17:00], wed: [09:00-17:00], thu: [09:00-17:00], fri: [09:00-17:00]}
    """
    graph = ctx.graph
    for name, weakest in graph.weakest_coverage.items():
        if weakest is None or weakest.value == WEEK_MINUTES:  # the cheapest tests first
            continue
        service = graph.services[name]
        coverage = ctx.policy.coverage_of(service)
        if coverage is None or not graph.round_the_clock(coverage):
            continue
        yield _coverage_problem(ctx, service, coverage, weakest)


def _coverage_problem(ctx: RuleContext, service: Service, coverage: str, weakest: Chain) -> Problem:
    graph = ctx.graph
    end = graph.services[weakest.end]
    team = ctx.policy.owner_of(end)
    assert team is not None  # noqa: S101 - a coverage value comes from the owner's calendar
    calendar = ctx.policy.calendar(team.spec.coverage)
    assert calendar is not None  # noqa: S101 - a calendar that is not round the clock is a declared one
    hours = calendar.spec.describe_hours()
    message = (
        f"{service.name} is supported around the clock ({coverage}) but hard-depends on {weakest.end}, "
        f"whose owner {team.name} works {team.spec.coverage} hours ({hours}): "
        f"{_arrow(service.name, weakest.path)}"
    )
    where = ("spec", "coverage") if service.spec.coverage is not None else ("spec", "owner")
    related = Related(ctx.policy.locate(team, "spec", "coverage"), f"{team.name} works {team.spec.coverage} hours")
    return ctx.policy.problem("RP305", message, service, where, related)


@rule(
    id="RP306",
    background=_TEAM,
    facts=("tier1_dependents", "impact"),
    name="single-point-of-failure",
    severity=Severity.WARNING,
    summary="Many tier-1 services hard-depend on one service (threshold: thresholds.spofMinTier1Dependents, 3).",
)
def single_point_of_failure(ctx: RuleContext) -> Iterator[Problem]:
    """When several tier-1 services cannot run without the same service, its outage is a
    company-wide incident. The finding lists the tier-1 services that go down with it and the
    size of its whole blast radius, so that the redundancy it needs (a replica, an ``anyOf``
    alternative) can be weighed. An ``anyOf`` alternative is, by design, not a single point of
    failure, but a service that every alternative of the group needs is one, and counts. If the
    service is redundant inside, say so with a suppression and its reason.

    Failing example:

        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: auth}
        spec: {description: Sign-in., tier: 1, owner: payments}
        ---
        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: checkout}
        spec: {description: Takes orders., tier: 1, owner: payments, dependsOn: [{service: auth}]}
        ---
        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: cart}
        spec: {description: Baskets., tier: 1, owner: payments, dependsOn: [{service: auth}]}
        ---
        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: storefront}
        spec: {description: Web shop., tier: 1, owner: payments, dependsOn: [{service: auth}]}

    Passing example:

        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: auth}
        spec: {description: Sign-in., tier: 1, owner: payments}
        ---
        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: checkout}
        spec: {description: Takes orders., tier: 1, owner: payments, dependsOn: [{service: auth}]}
        ---
        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: cart}
        spec: {description: Baskets., tier: 1, owner: payments, dependsOn: [{service: auth}]}
        ---
        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: storefront}
        spec: {description: Web shop., tier: 1, owner: payments, dependsOn: [{service: auth, type: soft}]}
    """
    graph = ctx.graph
    threshold = ctx.settings.thresholds.spof_min_tier1_dependents
    for name, service in graph.services.items():
        dependents = graph.tier1_dependents[name]
        if len(dependents) < threshold:
            continue
        radius = graph.impact(name)
        message = (
            f"{name} is a single point of failure: {len(dependents)} tier-1 services hard-depend on it "
            f"({', '.join(sorted(dependents))}); its outage takes down {len(radius.down)} service(s) "
            f"and degrades {len(radius.degraded)} more"
        )
        yield ctx.policy.problem("RP306", message, service, ("metadata", "name"))


@rule(
    id="RP307",
    background=_TEAM,
    facts=("tiers", "hard_entries", "ceilings"),
    name="unknown-dependency-availability",
    severity=Severity.WARNING,
    summary="A tier 1-2 service hard-depends on something with no availability SLO, so feasibility cannot be checked.",
)
def unknown_dependency_availability(ctx: RuleContext) -> Iterator[Problem]:
    """The availability a critical service can promise depends on what it stands on. A hard
    dependency with no availability objective (and no dependencies of its own that would bound
    it) leaves a hole in that calculation: RP303 counts it as 100% and may miss an impossible
    promise. The finding sits on the dependency entry.

    Failing example:

        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: checkout}
        spec:
          description: Takes orders.
          tier: 1
          owner: payments
          dependsOn: [{service: tax-rates}]
        ---
        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: tax-rates}
        spec: {description: Sales tax tables., tier: 1, owner: payments}

    Passing example:

        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: checkout}
        spec:
          description: Takes orders.
          tier: 1
          owner: payments
          dependsOn: [{service: tax-rates}]
        ---
        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: tax-rates}
        spec: {description: Sales tax tables., tier: 1, owner: payments}
        ---
        apiVersion: relpolicy.dev/v1
        kind: SLO
        metadata: {name: tax-rates-availability}
        spec: {service: tax-rates, indicator: {type: availability}, objective: 99.95}
    """
    graph = ctx.graph
    for name, tier in graph.tiers.items():
        if tier > 2:  # tiers 1 and 2
            continue
        for entry in graph.hard_entries(name):
            unknown = [t for t in entry.targets if graph.availability(t) is None]
            if not unknown:
                continue
            message = (
                f"{name} (tier {tier}) hard-depends on {', '.join(unknown)}, which "
                f"{'has' if len(unknown) == 1 else 'have'} no availability SLO: what {name} can promise "
                "cannot be checked"
            )
            yield _entry_problem(ctx, "RP307", message, entry)


RULES: Final = (
    dependency_cycle,
    tier_inversion,
    infeasible_availability,
    unreachable_restore_target,
    coverage_gap,
    single_point_of_failure,
    unknown_dependency_availability,
)
