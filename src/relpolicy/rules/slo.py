"""RP4xx: service level objectives and their error budgets.

RP403 (maintenance-exceeds-budget) needs window expansion and lives with the maintenance rules.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator
from decimal import Decimal
from typing import Final, NamedTuple

from relpolicy.findings import Problem, Related, Severity
from relpolicy.model.service import Service
from relpolicy.model.slo import SLO
from relpolicy.model.types import format_duration
from relpolicy.policy import PolicySet
from relpolicy.rules._framework import RuleContext, rule
from relpolicy.rules.recovery import OutageTarget, outage_target

BUDGET_YEAR: Final = dt.timedelta(days=365)
"""RP404 compares restore targets with the error budget of one 365-day year."""
_HUNDRED: Final = Decimal(100)
_CALENDAR_WINDOWS: Final = frozenset({"month", "quarter", "year"})
_SECOND: Final = dt.timedelta(seconds=1)


@functools.lru_cache(maxsize=256)  # a catalogue repeats a handful of objectives
def yearly_error_budget(objective: Decimal) -> Decimal:
    """Seconds of downtime an availability objective (percent) allows over :data:`BUDGET_YEAR`.

    Exact (a Decimal), so that comparisons at the boundary do not depend on float rounding:
    99.9% allows 31,536 s (8h45m36s) a year.
    """
    return (_HUNDRED - objective) / _HUNDRED * Decimal(BUDGET_YEAR // dt.timedelta(seconds=1))


def percent(value: Decimal) -> str:
    """A percentage as written, without trailing zeros: ``Decimal("99.90")`` -> ``99.9%``.

    Objectives are shown exactly rather than rounded (``format_percent`` would show 99.995 as
    99.99%, hiding the difference a finding is about).
    """
    return f"{value.normalize():f}%"


def _window(slo: SLO) -> str:
    window = slo.spec.time_window
    return f"each calendar {window}" if window in _CALENDAR_WINDOWS else f"a rolling {window}"


@rule(
    id="RP401",
    name="missing-slo",
    severity=Severity.WARNING,
    summary="A tier 1-2 service has no availability SLO.",
    facts=("tiers", "objective"),
)
def missing_slo(ctx: RuleContext) -> Iterator[Problem]:
    """A critical service without an availability objective has no error budget, no agreed
    answer to "how down may it be?", and nothing its dependents can count on: the availability
    a dependent may promise (RP303) and the budget checks (RP404) cannot be made. Every tier 1-2
    service needs at least one SLO with ``indicator: {type: availability}``; latency or custom
    SLOs do not replace it. The finding sits on the service's name, and any SLOs the service
    does have are related locations.

    Failing example:

        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: checkout}
        spec:
          description: Takes orders.
          tier: 1
          owner: payments
        ---
        apiVersion: relpolicy.dev/v1
        kind: SLO
        metadata: {name: checkout-latency}
        spec:
          service: checkout
          indicator: {type: latency, threshold: 800ms}
          objective: 99.0
        ---
        apiVersion: relpolicy.dev/v1
        kind: Team
        metadata: {name: payments}
        spec:
          coverage: always
          members: [{name: Ana Lima, email: ana@example.com}]

    Passing example:

        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: checkout}
        spec:
          description: Takes orders.
          tier: 1
          owner: payments
        ---
        apiVersion: relpolicy.dev/v1
        kind: SLO
        metadata: {name: checkout-latency}
        spec:
          service: checkout
          indicator: {type: latency, threshold: 800ms}
          objective: 99.0
        ---
        apiVersion: relpolicy.dev/v1
        kind: SLO
        metadata: {name: checkout-availability}
        spec:
          service: checkout
          indicator: {type: availability}
          objective: 99.9
          timeWindow: 30d
        ---
        apiVersion: relpolicy.dev/v1
        kind: Team
        metadata: {name: payments}
        spec:
          coverage: always
          members: [{name: Ana Lima, email: ana@example.com}]
    """
    policy, graph = ctx.policy, ctx.graph
    for name, tier in graph.tiers.items():
        if tier > 2 or graph.objective(name) is not None:  # an objective is an availability SLO's
            continue
        service = graph.services[name]
        slos = policy.slos_of(name)
        message = (
            f"{name} is tier {tier} but has no availability SLO: its error budget, and what "
            "services that depend on it can promise, cannot be checked"
        )
        if slos:
            others = ", ".join(f"{slo.name} ({slo.spec.indicator.type})" for slo in slos)
            message += f"; its SLOs measure something else: {others}"
        related = [
            Related(policy.locate(slo, "spec", "indicator"), f"{slo.name} measures {slo.spec.indicator.type}")
            for slo in slos
        ]
        yield policy.problem("RP401", message, service, ("metadata", "name"), *related)


@rule(
    id="RP402",
    name="sla-stricter-than-slo",
    severity=Severity.ERROR,
    summary="An SLO's customer-facing `sla` is higher than its internal `objective`.",
)
def sla_stricter_than_slo(ctx: RuleContext) -> Iterator[Problem]:
    """The SLA is what customers are promised, often with penalties; the objective is the
    internal target the team steers by, and it must be the stricter of the two so that the team
    is alerted and stops risky changes long before the contract is breached. An SLA above the
    objective means the team can be within its own error budget while already owing customers
    service credits. An SLA equal to the objective leaves no margin but is not reported. The
    finding sits on ``sla``; the objective is the related location.

    Failing example:

        apiVersion: relpolicy.dev/v1
        kind: SLO
        metadata: {name: storefront-availability}
        spec:
          service: storefront
          indicator: {type: availability}
          objective: 99.9
          sla: 99.95
        ---
        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: storefront}
        spec:
          description: The web shop.
          tier: 1
          owner: commerce-web
        ---
        apiVersion: relpolicy.dev/v1
        kind: Team
        metadata: {name: commerce-web}
        spec:
          coverage: always
          members: [{name: Ana Lima, email: ana@example.com}]

    Passing example:

        apiVersion: relpolicy.dev/v1
        kind: SLO
        metadata: {name: storefront-availability}
        spec:
          service: storefront
          indicator: {type: availability}
          objective: 99.95
          sla: 99.9
        ---
        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: storefront}
        spec:
          description: The web shop.
          tier: 1
          owner: commerce-web
        ---
        apiVersion: relpolicy.dev/v1
        kind: Team
        metadata: {name: commerce-web}
        spec:
          coverage: always
          members: [{name: Ana Lima, email: ana@example.com}]
    """
    policy = ctx.policy
    for slo in policy.slos:
        sla = slo.spec.sla
        if sla is None or sla <= (objective := slo.spec.objective):
            continue
        message = (
            f"{slo.name} promises customers {percent(sla)} (sla) but aims for only {percent(objective)} "
            f"(objective) over {_window(slo)}: the SLA is breached while the internal error budget is not yet "
            "spent; set the SLA at or below the objective"
        )
        related = Related(policy.locate(slo, "spec", "objective"), f"objective {percent(objective)}")
        yield policy.problem("RP402", message, slo, ("spec", "sla"), related)


@rule(
    id="RP404",
    name="budget-below-restore-target",
    severity=Severity.WARNING,
    summary="An availability objective's error budget over a year is shorter than the service's restore target.",
    facts=("objective", "rto"),
)
def budget_below_restore_target(ctx: RuleContext) -> Iterator[Problem]:
    """An availability objective allows a fixed amount of downtime: 99.99% is 52m33s over a
    365-day year. The service's restore target says how long one outage may last: its own RTO
    where it declares one, else the restore target of the priority level its outage maps to
    (``scheduled`` levels have none). When a single incident restored exactly on target spends
    more than a whole year's error budget, the SLO and the incident targets disagree: raise the
    budget (lower the objective) or restore faster. A level on a business calendar counts
    working time, so its target as written is the shortest such an outage can last. The finding
    sits on the objective; the target is the related location.

    Failing example:

        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: orders-db}
        spec:
          description: Orders database.
          tier: 1
          owner: platform
          recovery: {rto: 2h, lastRestoreTest: 2026-11-03}
        ---
        apiVersion: relpolicy.dev/v1
        kind: SLO
        metadata: {name: orders-db-availability}
        spec:
          service: orders-db
          indicator: {type: availability}
          objective: 99.99
        ---
        apiVersion: relpolicy.dev/v1
        kind: Team
        metadata: {name: platform}
        spec:
          coverage: always
          members: [{name: Ana Lima, email: ana@example.com}]

    Passing example:

        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: orders-db}
        spec:
          description: Orders database.
          tier: 1
          owner: platform
          recovery: {rto: 30m, lastRestoreTest: 2026-11-03}
        ---
        apiVersion: relpolicy.dev/v1
        kind: SLO
        metadata: {name: orders-db-availability}
        spec:
          service: orders-db
          indicator: {type: availability}
          objective: 99.99
        ---
        apiVersion: relpolicy.dev/v1
        kind: Team
        metadata: {name: platform}
        spec:
          coverage: always
          members: [{name: Ana Lima, email: ana@example.com}]
    """
    policy = ctx.policy
    graph = ctx.graph
    for name in graph.services:  # an SLO of an unknown service is RP201's
        strictest = graph.objective(name)
        if strictest is None:
            continue
        target = _restore_target(ctx, name)
        if target is None:
            continue
        seconds = target.duration // _SECOND
        if yearly_error_budget(strictest[0]) >= seconds:  # the strictest objective has the least budget
            continue
        for slo in policy.slos_of(name):
            if slo.spec.is_availability and yearly_error_budget(slo.spec.objective) < seconds:
                yield _budget_problem(policy, slo, target)


def _budget_problem(policy: PolicySet, slo: SLO, target: _RestoreTarget) -> Problem:
    budget = yearly_error_budget(slo.spec.objective)
    shown = format_duration(dt.timedelta(seconds=int(budget)))  # whole seconds, rounded down: never shown larger
    message = (
        f"{slo.name} allows {shown} of downtime a year at {percent(slo.spec.objective)} "
        f"({percent(_HUNDRED - slo.spec.objective)} of 365 days), less than {target.source(policy)}: "
        "a single outage restored on target spends more than a year's error budget"
    )
    return policy.problem("RP404", message, slo, ("spec", "objective"), *target.related(policy))


class _RestoreTarget(NamedTuple):
    """How long one outage of a service may last: its own RTO, else its outage level's restore target.

    Described and located only for a finding (locating a node may re-read its file).
    """

    service: Service
    duration: dt.timedelta
    level: OutageTarget | None
    """None when the service's own RTO sets the target."""

    def source(self, policy: PolicySet) -> str:
        """The target in words, naming where it comes from."""
        if self.level is None:
            return f"the {format_duration(self.duration)} RTO of {self.service.name}"
        return self.level.describe(policy, name_service=True)

    def related(self, policy: PolicySet) -> tuple[Related, ...]:
        """Where the target is written."""
        if self.level is None:
            where = policy.locate(self.service, "spec", "recovery", "rto")
            return (Related(where, f"{self.service.name} RTO {format_duration(self.duration)}"),)
        return self.level.related(policy)


def _restore_target(ctx: RuleContext, name: str) -> _RestoreTarget | None:
    """The service's own RTO where declared, else the restore target of the level its outage maps to."""
    service = ctx.graph.services[name]
    rto = ctx.graph.rto[name]  # read with the graph, in whole seconds
    if rto is not None:
        return _RestoreTarget(service, dt.timedelta(seconds=rto), None)
    level = outage_target(ctx.policy, service)
    return None if level is None else _RestoreTarget(service, level.restore, level)


RULES: Final = (missing_slo, sla_stricter_than_slo, budget_below_restore_target)
