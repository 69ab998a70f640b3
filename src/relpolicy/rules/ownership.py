"""RP8xx: ownership and hygiene: an owner, a runbook, a patch policy, and a place in the graph."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Final

from relpolicy.findings import Problem, Related, Severity
from relpolicy.model.service import Service
from relpolicy.model.types import format_duration
from relpolicy.rules._framework import RuleContext, rule


def _tier(ctx: RuleContext, service: Service) -> Related:
    """The service's tier as a related location (call it only for a finding: locating loads positions)."""
    return Related(ctx.policy.locate(service, "spec", "tier"), f"tier {service.spec.tier}")


@rule(
    id="RP801",
    name="missing-owner",
    severity=Severity.ERROR,
    summary="A service names no owner team.",
)
def missing_owner(ctx: RuleContext) -> Iterator[Problem]:
    """A service without an owner has nobody accountable for it: nobody is paged when it breaks,
    nobody patches it, and every inherited setting (support coverage, escalation policy) is
    missing too. Every service names the team that answers for it in `owner`. An owner that
    names no team is a dangling reference (RP201), not this rule.

    Failing example:

        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: gift-cards}
        spec:
          description: Sells and redeems gift cards.
          tier: 3
          customerFacing: true

    Passing example:

        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: gift-cards}
        spec:
          description: Sells and redeems gift cards.
          tier: 3
          customerFacing: true
          owner: commerce-web
        ---
        apiVersion: relpolicy.dev/v1
        kind: Team
        metadata: {name: commerce-web}
        spec:
          coverage: always
          members: [{name: Lucas Ferreira, email: lucas@example.com}]
    """
    for service in ctx.policy.services:
        if service.spec.owner is None:
            message = (
                f"{service.name} (tier {service.spec.tier}) has no owner: nobody is accountable for it or paged "
                "when it breaks; set spec.owner to the team that answers for it"
            )
            yield ctx.policy.problem("RP801", message, service, ("spec", "owner"))


@rule(
    id="RP802",
    name="missing-runbook",
    severity=Severity.WARNING,
    summary="A tier 1-2 service has no runbook restore steps.",
)
def missing_runbook(ctx: RuleContext) -> Iterator[Problem]:
    """When a critical service is down, the engineer on call (often not its author, often at
    night) needs the steps that bring it back, written down before the incident. A tier 1-2
    service must list `runbook.restore` steps (text or links). The finding sits on the
    runbook's `restore` (or on the `runbook`, or on `spec` when there is none), with the tier as
    a related location.

    Failing example:

        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: checkout}
        spec:
          description: Takes orders.
          tier: 1
          owner: payments
          customerFacing: true
          runbook:
            diagnose: [Check the checkout dashboard for payment errors.]
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
          customerFacing: true
          runbook:
            diagnose: [Check the checkout dashboard for payment errors.]
            restore:
              - Roll back to the previous release with `deploy rollback checkout`.
              - If payments fail, switch to the backup card processor (flag payments.backup).
            links: [{title: Checkout runbook, url: "https://wiki.example.com/runbooks/checkout"}]
        ---
        apiVersion: relpolicy.dev/v1
        kind: Team
        metadata: {name: payments}
        spec:
          coverage: always
          members: [{name: Ana Lima, email: ana@example.com}]
    """
    for service in ctx.critical_services:
        runbook = service.spec.runbook
        if runbook is not None and runbook.restore:
            continue
        what = "no runbook" if runbook is None else "a runbook without restore steps"
        message = (
            f"{service.name} (tier {service.spec.tier}) has {what}: the engineer on call has nothing to follow to "
            "bring it back; add runbook.restore steps"
        )
        yield ctx.policy.problem("RP802", message, service, ("spec", "runbook", "restore"), _tier(ctx, service))


@rule(
    id="RP803",
    name="patch-policy",
    severity=Severity.WARNING,
    summary="A tier 1-2 service has no patch policy, no emergency patch path, or a patch cadence over "
    "thresholds.maxPatchCadence (31d).",
)
def patch_policy(ctx: RuleContext) -> Iterator[Problem]:
    """Critical services are where an unpatched vulnerability hurts most. A tier 1-2 service
    needs a `patching` block with a regular `cadence` no longer than `maxPatchCadence` (default
    31d, monthly) and an `emergencyWithin` deadline for known-exploited vulnerabilities, which
    cannot wait for the next regular window. Each missing or loose value is its own finding, at
    the value (or at the block that lacks it).

    Failing example:

        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: checkout}
        spec:
          description: Takes orders.
          tier: 1
          owner: payments
          customerFacing: true
          patching:
            cadence: 90d
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
          customerFacing: true
          patching:
            cadence: 14d
            emergencyWithin: 48h
        ---
        apiVersion: relpolicy.dev/v1
        kind: Team
        metadata: {name: payments}
        spec:
          coverage: always
          members: [{name: Ana Lima, email: ana@example.com}]
    """
    limit = ctx.settings.thresholds.max_patch_cadence
    for service in ctx.critical_services:
        yield from _patching_problems(ctx, service, limit)


def _patching_problems(ctx: RuleContext, service: Service, limit: dt.timedelta) -> Iterator[Problem]:
    patching = service.spec.patching
    if (
        patching is not None
        and patching.cadence is not None
        and patching.cadence <= limit
        and patching.emergency_within is not None
    ):
        return  # the usual case: say nothing, and build no message
    who = f"{service.name} (tier {service.spec.tier})"
    maximum = format_duration(limit)
    if patching is None:
        message = (
            f"{who} has no patch policy: set patching.cadence (at most {maximum}) and patching.emergencyWithin "
            "for known-exploited vulnerabilities"
        )
        yield ctx.policy.problem("RP803", message, service, ("spec", "patching"), _tier(ctx, service))
        return
    if patching.cadence is None:
        message = f"{who} has no regular patch cadence: set patching.cadence to at most {maximum}"
        yield ctx.policy.problem("RP803", message, service, ("spec", "patching", "cadence"), _tier(ctx, service))
    elif patching.cadence > limit:
        message = (
            f"{who} is patched every {format_duration(patching.cadence)}, longer than the {maximum} maximum "
            "for tier 1-2 services"
        )
        yield ctx.policy.problem("RP803", message, service, ("spec", "patching", "cadence"), _tier(ctx, service))
    if patching.emergency_within is None:
        message = (
            f"{who} has no emergency patch path: set patching.emergencyWithin (such as 48h) so that "
            "known-exploited vulnerabilities do not wait for the next regular patch"
        )
        yield ctx.policy.problem(
            "RP803", message, service, ("spec", "patching", "emergencyWithin"), _tier(ctx, service)
        )


@rule(
    id="RP804",
    name="orphan-service",
    severity=Severity.INFO,
    facts=("dependents",),
    summary="A service that is not customer-facing, depends on nothing, and that no service depends on.",
)
def orphan_service(ctx: RuleContext) -> Iterator[Problem]:
    """A service is an orphan when it stands apart from the graph: no service depends on it (hard
    or soft, alone or in an `anyOf`), its own `dependsOn` is empty, and it is not
    `customerFacing` (customer-facing services are entry points: nothing inside depends on
    them by design). Real services run on something and serve someone, so an orphan is usually
    a service whose dependencies were never written down, which hides it from every graph rule,
    or one that nobody uses any more. Services with a `dependsOn` entry naming an unknown service
    are not orphans (that is RP201), and when some service document failed validation the rule
    stays silent, since it cannot know what that service depends on.

    Failing example:

        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: legacy-reports}
        spec:
          description: Nightly sales reports from the old order system.
          tier: 4
          owner: data
        ---
        apiVersion: relpolicy.dev/v1
        kind: Team
        metadata: {name: data}
        spec:
          coverage: always
          members: [{name: Noah Patel, email: noah@example.com}]

    Passing example:

        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: legacy-reports}
        spec:
          description: Nightly sales reports from the old order system.
          tier: 4
          owner: data
          dependsOn: [{service: data-warehouse}]
        ---
        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: data-warehouse}
        spec:
          description: Sales and stock history for reporting.
          tier: 3
          owner: data
        ---
        apiVersion: relpolicy.dev/v1
        kind: Team
        metadata: {name: data}
        spec:
          coverage: always
          members: [{name: Noah Patel, email: noah@example.com}]
    """
    if any(rid.kind == "Service" for rid in ctx.policy.invalid):
        return
    graph = ctx.graph
    for name, service in graph.services.items():
        if graph.dependents(name) or service.spec.depends_on or service.spec.customer_facing:
            continue
        message = (
            f"{service.name} (tier {service.spec.tier}) is isolated: no service depends on it, it depends on none, "
            "and it is not customer-facing; write down what it runs on and who uses it "
            "(or set customerFacing), or retire it"
        )
        yield ctx.policy.problem("RP804", message, service, ("metadata", "name"))


RULES: Final = (missing_owner, missing_runbook, patch_policy, orphan_service)
