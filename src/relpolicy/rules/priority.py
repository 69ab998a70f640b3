"""RP7xx: priority levels and the rules that pick them, status updates, escalation and response cover.

Levels are compared by their number (``P1`` is the most urgent). Targets are compared as
written, each on its own clock: the table is what people read, and a P3 that promises a
shorter response than P2 reads wrong whatever the clocks.

The rules of a priority policy are read as a first-match table over tier x impact x labels.
RP703 finds what that table leaves to chance:

- a *gap*: a tier x impact combination (tiers 1-4 x the four impacts) that no rule without
  label conditions matches, so that an unlabelled service's incident falls to ``default``;
- a *dead rule*: a rule that never matches, because for every tier x impact it names, an
  earlier rule already matches any service carrying the rule's labels, and some of those
  earlier rules pick a different level (a dead rule that agrees with them is only redundant);
- a *silent override*: a rule that keeps some of what it matches, but loses part of it to an
  earlier rule that picks another level and is not a special case of it. An earlier rule
  whose conditions are narrower in every way (fewer tiers, fewer impacts, at least the same
  labels) is the usual "exception first" idiom and is not reported; nor is an earlier rule
  that needs labels the later rule does not name (a label-specific exception).

"Any service carrying the rule's labels" is checked with a service that carries exactly those
labels: an earlier rule that matches it matches every service the later rule matches.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Iterator, Sequence
from typing import Final, Literal

from relpolicy.findings import Problem, Related, Severity
from relpolicy.model.calendar import Calendar
from relpolicy.model.escalation import EscalationPolicy, Target
from relpolicy.model.priority import IMPACTS, SCHEDULED, Condition, Level, PriorityPolicy
from relpolicy.model.priority import Rule as PriorityRule
from relpolicy.model.service import Service
from relpolicy.model.team import Team
from relpolicy.model.types import format_duration
from relpolicy.rules._framework import RuleContext, rule

TIERS: Final = (1, 2, 3, 4)

Cell = tuple[int, str]
"""A tier x impact combination."""


def _number(level: Level) -> int:
    return int(level.name[1:])


def _rule_refs(policy: PriorityPolicy, indexes: Sequence[int | None]) -> str:
    """``PriorityPolicy default, rules 1, 3 and the default level``."""
    numbers = [str(i + 1) for i in indexes if i is not None]
    parts = [f"rule{'s' if len(numbers) > 1 else ''} {', '.join(numbers)}"] if numbers else []
    if None in indexes:
        parts.append("the default level")
    return f"PriorityPolicy {policy.name}, {' and '.join(parts)}"


# --- RP701 ---------------------------------------------------------------------------------------

TargetField = Literal["response", "restore"]


def _target(level: Level, field: TargetField) -> dt.timedelta | None:
    return level.response if field == "response" else level.restore


def _looseness(value: dt.timedelta | None) -> tuple[int, dt.timedelta]:
    """Orders targets from strictest to loosest; `scheduled` (None) is looser than any duration."""
    return (1, dt.timedelta(0)) if value is None else (0, value)


def _shown(value: dt.timedelta | None) -> str:
    return f"`{SCHEDULED}`" if value is None else format_duration(value)


@rule(
    id="RP701",
    name="priority-order",
    severity=Severity.ERROR,
    summary="A less urgent priority level has a shorter response or restore target than a more urgent one.",
)
def priority_order(ctx: RuleContext) -> Iterator[Problem]:
    """Priority levels go from most to least urgent: P1's targets are the tightest, and each
    following level may only keep them or relax them. A P3 that must be answered faster than a
    P2 inverts the table: the less urgent incident jumps the queue, and the on-call engineer
    cannot tell which to take first. Levels are taken in number order (P1, P2 ... Pn); each
    response and each restore target is compared with the loosest one of the more urgent
    levels, and a `scheduled` restore is the loosest of all. The finding sits on the offending
    value, with the level it undercuts as a related location.

    Failing example:

        apiVersion: relpolicy.dev/v1
        kind: PriorityPolicy
        metadata: {name: default}
        spec:
          levels:
            - {name: P1, description: revenue or safety critical, response: 15m, restore: 4h, statusUpdateEvery: 30m}
            - {name: P2, description: major team workflow down, response: 1h, restore: 8h, clock: office,
               statusUpdateEvery: 1h}
            - {name: P3, description: single user or device, response: 30m, restore: 2d, clock: office}
            - {name: P4, description: low urgency request, response: 1d, restore: scheduled, clock: office}
          rules:
            - {when: {tier: [1], impact: [outage]}, level: P1}
            - {when: {tier: [1, 2], impact: [outage, degraded]}, level: P2}
            - {when: {impact: [request]}, level: P4}
            - {when: {impact: [outage, degraded, single-user]}, level: P3}
          default: P3
        ---
        apiVersion: relpolicy.dev/v1
        kind: Calendar
        metadata: {name: office}
        spec:
          timezone: America/New_York
          hours: {mon: [09:00-17:00], tue: [09:00-17:00], wed: [09:00-17:00], thu: [09:00-17:00], fri: [09:00-17:00]}

    Passing example:

        apiVersion: relpolicy.dev/v1
        kind: PriorityPolicy
        metadata: {name: default}
        spec:
          levels:
            - {name: P1, description: revenue or safety critical, response: 15m, restore: 4h, statusUpdateEvery: 30m}
            - {name: P2, description: major team workflow down, response: 1h, restore: 8h, clock: office,
               statusUpdateEvery: 1h}
            - {name: P3, description: single user or device, response: 4h, restore: 2d, clock: office}
            - {name: P4, description: low urgency request, response: 1d, restore: scheduled, clock: office}
          rules:
            - {when: {tier: [1], impact: [outage]}, level: P1}
            - {when: {tier: [1, 2], impact: [outage, degraded]}, level: P2}
            - {when: {impact: [request]}, level: P4}
            - {when: {impact: [outage, degraded, single-user]}, level: P3}
          default: P3
        ---
        apiVersion: relpolicy.dev/v1
        kind: Calendar
        metadata: {name: office}
        spec:
          timezone: America/New_York
          hours: {mon: [09:00-17:00], tue: [09:00-17:00], wed: [09:00-17:00], thu: [09:00-17:00], fri: [09:00-17:00]}
    """
    for policy in ctx.policy.priority_policies:
        yield from _order_problems(ctx, policy, "response")
        yield from _order_problems(ctx, policy, "restore")


def _order_problems(ctx: RuleContext, policy: PriorityPolicy, field: TargetField) -> Iterator[Problem]:
    levels = policy.spec.levels
    in_order = sorted(range(len(levels)), key=lambda i: (_number(levels[i]), i))
    loosest: int | None = None
    """The level with the loosest target among the more urgent numbers seen so far."""
    for _, group in itertools.groupby(in_order, key=lambda i: _number(levels[i])):
        same_number = list(group)  # a repeated name is compared with the levels above, not with itself
        for i in same_number:
            if loosest is None:
                continue
            value, bound = _target(levels[i], field), _target(levels[loosest], field)
            if _looseness(value) < _looseness(bound):
                later, earlier = levels[i].name, levels[loosest].name
                verb = "is stricter than" if bound is None else "is shorter than"
                message = (
                    f"{later} {field} {_shown(value)} {verb} {earlier}'s {_shown(bound)}: "
                    f"a less urgent level must not promise a faster {field}"
                )
                here = ctx.policy.locate(policy, "spec", "levels", loosest, field)
                related = Related(here, f"{earlier} {field} {_shown(bound)}")
                yield ctx.policy.problem("RP701", message, policy, ("spec", "levels", i, field), related)
        for i in same_number:
            if loosest is None or _looseness(_target(levels[i], field)) > _looseness(_target(levels[loosest], field)):
                loosest = i


# --- RP702 ---------------------------------------------------------------------------------------


@rule(
    id="RP702",
    name="restore-before-response",
    severity=Severity.ERROR,
    summary="A priority level's restore target is shorter than its response target.",
)
def restore_before_response(ctx: RuleContext) -> Iterator[Problem]:
    """Nobody restores a service before someone has responded to the incident: a level whose
    restore target is shorter than its response target can only be met by luck, and is usually
    two values swapped or a unit typed wrong (`30m` for `30h`). Both targets of a level run on
    the same clock, so they compare directly.

    Failing example:

        apiVersion: relpolicy.dev/v1
        kind: PriorityPolicy
        metadata: {name: default}
        spec:
          levels:
            - {name: P1, description: revenue or safety critical, response: 15m, restore: 4h, statusUpdateEvery: 30m}
            - {name: P2, description: major team workflow down, response: 1h, restore: 8h, clock: office,
               statusUpdateEvery: 1h}
            - {name: P3, description: single user or device, response: 2d, restore: 1d, clock: office}
            - {name: P4, description: low urgency request, response: 3d, restore: scheduled, clock: office}
          rules:
            - {when: {tier: [1], impact: [outage]}, level: P1}
            - {when: {tier: [1, 2], impact: [outage, degraded]}, level: P2}
            - {when: {impact: [request]}, level: P4}
            - {when: {impact: [outage, degraded, single-user]}, level: P3}
          default: P3
        ---
        apiVersion: relpolicy.dev/v1
        kind: Calendar
        metadata: {name: office}
        spec:
          timezone: America/New_York
          hours: {mon: [09:00-17:00], tue: [09:00-17:00], wed: [09:00-17:00], thu: [09:00-17:00], fri: [09:00-17:00]}

    Passing example:

        apiVersion: relpolicy.dev/v1
        kind: PriorityPolicy
        metadata: {name: default}
        spec:
          levels:
            - {name: P1, description: revenue or safety critical, response: 15m, restore: 4h, statusUpdateEvery: 30m}
            - {name: P2, description: major team workflow down, response: 1h, restore: 8h, clock: office,
               statusUpdateEvery: 1h}
            - {name: P3, description: single user or device, response: 4h, restore: 2d, clock: office}
            - {name: P4, description: low urgency request, response: 1d, restore: scheduled, clock: office}
          rules:
            - {when: {tier: [1], impact: [outage]}, level: P1}
            - {when: {tier: [1, 2], impact: [outage, degraded]}, level: P2}
            - {when: {impact: [request]}, level: P4}
            - {when: {impact: [outage, degraded, single-user]}, level: P3}
          default: P3
        ---
        apiVersion: relpolicy.dev/v1
        kind: Calendar
        metadata: {name: office}
        spec:
          timezone: America/New_York
          hours: {mon: [09:00-17:00], tue: [09:00-17:00], wed: [09:00-17:00], thu: [09:00-17:00], fri: [09:00-17:00]}
    """
    for policy in ctx.policy.priority_policies:
        for i, level in enumerate(policy.spec.levels):
            if level.restore is None or level.restore >= level.response:
                continue
            restore, response = format_duration(level.restore), format_duration(level.response)
            message = (
                f"{level.name} restore {restore} is shorter than its response {response}: "
                "nobody can restore a service before anyone has responded"
            )
            related = Related(ctx.policy.locate(policy, "spec", "levels", i, "response"), f"response {response}")
            yield ctx.policy.problem("RP702", message, policy, ("spec", "levels", i, "restore"), related)


# --- RP703 ---------------------------------------------------------------------------------------


def _tiers(condition: Condition) -> tuple[int, ...]:
    return TIERS if condition.tier is None else tuple(t for t in TIERS if t in condition.tier)


def _impacts(condition: Condition) -> tuple[str, ...]:
    return IMPACTS if condition.impact is None else tuple(i for i in IMPACTS if i in condition.impact)


def _labels(condition: Condition) -> dict[str, str]:
    return dict(condition.labels or {})


def _cells(condition: Condition) -> list[Cell]:
    return [(tier, impact) for tier in _tiers(condition) for impact in _impacts(condition)]


def _is_special_case(inner: Condition, outer: Condition) -> bool:
    """Does every incident ``inner`` matches also match ``outer``?"""
    return (
        set(_tiers(inner)) <= set(_tiers(outer))
        and set(_impacts(inner)) <= set(_impacts(outer))
        and _labels(outer).items() <= _labels(inner).items()
    )


def _describe(condition: Condition) -> str:
    tiers = "any tier" if condition.tier is None else "tier " + "/".join(map(str, _tiers(condition)))
    impacts = "any impact" if condition.impact is None else "/".join(_impacts(condition))
    labels = ", ".join(f"{key}={value}" for key, value in sorted(_labels(condition).items()))
    return f"{tiers} x {impacts}" + (f" with {labels}" if labels else "")


def _format_cells(cells: Iterable[Cell]) -> str:
    """``tier 1 outage/degraded, tier 4 request``."""
    by_tier: dict[int, list[str]] = {}
    for tier, impact in sorted(cells, key=lambda c: (c[0], IMPACTS.index(c[1]))):
        by_tier.setdefault(tier, []).append(impact)
    return ", ".join(f"tier {tier} {'/'.join(impacts)}" for tier, impacts in by_tier.items())


@rule(
    id="RP703",
    name="priority-rule-gap",
    severity=Severity.WARNING,
    summary="A tier x impact combination no rule maps (it falls to the default), or two priority rules that "
    "disagree: a rule that can never match, or one that an overlapping earlier rule silently overrides.",
)
def priority_rule_gap(ctx: RuleContext) -> Iterator[Problem]:
    """The priority rules should say, for every tier (1-4) and impact (outage, degraded,
    single-user, request), which level an incident gets. A combination that no rule maps falls
    to the `default` level, which is rarely what anyone decided for it; the gaps are reported
    once per policy, at `rules`. Rules that disagree are reported at the later rule: a rule that
    can never match because earlier rules take everything it matches and pick other levels, and
    a rule that overlaps an earlier one with a different level, so that their order, not a
    decision, sets the level. Writing the narrow case first (tier 1 outage, then all outages)
    is the normal way to express an exception and is not reported, nor is an earlier rule that
    only applies to services with labels the later rule does not name. A policy with a single
    level has nothing to choose and no gaps.

    Failing example:

        apiVersion: relpolicy.dev/v1
        kind: PriorityPolicy
        metadata: {name: default}
        spec:
          levels:
            - {name: P1, description: revenue or safety critical, response: 15m, restore: 4h, statusUpdateEvery: 30m}
            - {name: P2, description: major team workflow down, response: 1h, restore: 8h, clock: office,
               statusUpdateEvery: 1h}
            - {name: P3, description: single user or device, response: 4h, restore: 2d, clock: office}
            - {name: P4, description: low urgency request, response: 1d, restore: scheduled, clock: office}
          rules:
            - {when: {tier: [1], impact: [outage]}, level: P1}
            - {when: {tier: [1, 2], impact: [outage, degraded]}, level: P2}
            - {when: {impact: [request]}, level: P4}
          default: P3
        ---
        apiVersion: relpolicy.dev/v1
        kind: Calendar
        metadata: {name: office}
        spec:
          timezone: America/New_York
          hours: {mon: [09:00-17:00], tue: [09:00-17:00], wed: [09:00-17:00], thu: [09:00-17:00], fri: [09:00-17:00]}

    Passing example:

        apiVersion: relpolicy.dev/v1
        kind: PriorityPolicy
        metadata: {name: default}
        spec:
          levels:
            - {name: P1, description: revenue or safety critical, response: 15m, restore: 4h, statusUpdateEvery: 30m}
            - {name: P2, description: major team workflow down, response: 1h, restore: 8h, clock: office,
               statusUpdateEvery: 1h}
            - {name: P3, description: single user or device, response: 4h, restore: 2d, clock: office}
            - {name: P4, description: low urgency request, response: 1d, restore: scheduled, clock: office}
          rules:
            - {when: {tier: [1], impact: [outage]}, level: P1}
            - {when: {tier: [1, 2], impact: [outage, degraded]}, level: P2}
            - {when: {impact: [request]}, level: P4}
            - {when: {impact: [outage, degraded, single-user]}, level: P3}
          default: P3
        ---
        apiVersion: relpolicy.dev/v1
        kind: Calendar
        metadata: {name: office}
        spec:
          timezone: America/New_York
          hours: {mon: [09:00-17:00], tue: [09:00-17:00], wed: [09:00-17:00], thu: [09:00-17:00], fri: [09:00-17:00]}
    """
    for policy in ctx.policy.priority_policies:
        if len(policy.spec.levels) > 1:
            yield from _gap_problems(ctx, policy)
        for j, later in enumerate(policy.spec.rules):
            problem = _disagreement(ctx, policy, j, later)
            if problem is not None:
                yield problem


def _gap_problems(ctx: RuleContext, policy: PriorityPolicy) -> Iterator[Problem]:
    spec = policy.spec
    gaps = [(t, i) for t in TIERS for i in IMPACTS if spec.pick(t, i, {})[1] is None]
    if not gaps:
        return
    total = len(TIERS) * len(IMPACTS)
    applies = " that applies to every service" if any(r.when.labels for r in spec.rules) else ""
    message = (
        f"{len(gaps)} of {total} tier x impact combinations match no rule{applies} and fall to the default "
        f"{spec.default}: {_format_cells(gaps)}; map them with explicit rules"
    )
    default = Related(ctx.policy.locate(policy, "spec", "default"), f"default level {spec.default}")
    if "rules" in spec.model_fields_set:
        yield ctx.policy.problem("RP703", message, policy, ("spec", "rules"), default, key=True)
    else:
        yield ctx.policy.problem("RP703", message, policy, ("spec", "default"))


def _disagreement(ctx: RuleContext, policy: PriorityPolicy, j: int, later: PriorityRule) -> Problem | None:
    """The problem with rule ``j`` losing incidents to earlier rules that pick other levels, if any."""
    rules = policy.spec.rules
    labels = _labels(later.when)
    kept = False
    lost: dict[int, list[Cell]] = {}  # earlier rule index -> cells it takes with another level
    special: set[int] = set()  # earlier rules that are special cases of this one (exceptions written first)
    for tier, impact in _cells(later.when):
        level, k = policy.spec.pick(tier, impact, labels)
        if k == j:
            kept = True
        elif k is not None and level != later.level:
            lost.setdefault(k, []).append((tier, impact))
            if _is_special_case(rules[k].when, later.when):
                special.add(k)
    head = f"rule {j + 1} ({_describe(later.when)} -> {later.level})"
    if kept:
        lost = {k: cells for k, cells in lost.items() if k not in special}
    if not lost:
        return None
    winners = "; ".join(
        f"rule {k + 1} picks {rules[k].level} for {_format_cells(cells)}" for k, cells in sorted(lost.items())
    )
    if kept:
        message = (
            f"{head} overlaps earlier rules that pick another level first: {winners}; rule order silently "
            "decides the level, so make the conditions disjoint or put the narrower rule first"
        )
    else:
        message = f"{head} can never match: earlier rules take every incident it matches, and {winners}"
    related = [
        Related(
            ctx.policy.locate(policy, "spec", "rules", k, "when"),
            f"rule {k + 1} ({_describe(rules[k].when)} -> {rules[k].level}) comes first",
        )
        for k in sorted(lost)
    ]
    return ctx.policy.problem("RP703", message, policy, ("spec", "rules", j, "when"), *related)


# --- RP704 ---------------------------------------------------------------------------------------


@rule(
    id="RP704",
    name="status-update-cadence",
    severity=Severity.WARNING,
    summary="The most urgent priority levels (P1, P2) must give status updates at least hourly "
    "(thresholds.statusUpdateLevels, thresholds.maxStatusUpdateEvery).",
)
def status_update_cadence(ctx: RuleContext) -> Iterator[Problem]:
    """During a serious incident, customers, support and leadership need to hear how it is going
    at a known rhythm, every 30 to 60 minutes, or they start interrupting the responders to ask.
    The levels named by the `statusUpdateLevels` threshold (default P1 and P2) must set
    `statusUpdateEvery`, no longer than `maxStatusUpdateEvery` (default 60m). A missing value is
    reported at the level, a long one at its value.

    Failing example:

        apiVersion: relpolicy.dev/v1
        kind: PriorityPolicy
        metadata: {name: default}
        spec:
          levels:
            - {name: P1, description: revenue or safety critical, response: 15m, restore: 4h, statusUpdateEvery: 30m}
            - {name: P2, description: major team workflow down, response: 1h, restore: 8h, clock: office,
               statusUpdateEvery: 4h}
            - {name: P3, description: single user or device, response: 4h, restore: 2d, clock: office}
            - {name: P4, description: low urgency request, response: 1d, restore: scheduled, clock: office}
          rules:
            - {when: {tier: [1], impact: [outage]}, level: P1}
            - {when: {tier: [1, 2], impact: [outage, degraded]}, level: P2}
            - {when: {impact: [request]}, level: P4}
            - {when: {impact: [outage, degraded, single-user]}, level: P3}
          default: P3
        ---
        apiVersion: relpolicy.dev/v1
        kind: Calendar
        metadata: {name: office}
        spec:
          timezone: America/New_York
          hours: {mon: [09:00-17:00], tue: [09:00-17:00], wed: [09:00-17:00], thu: [09:00-17:00], fri: [09:00-17:00]}

    Passing example:

        apiVersion: relpolicy.dev/v1
        kind: PriorityPolicy
        metadata: {name: default}
        spec:
          levels:
            - {name: P1, description: revenue or safety critical, response: 15m, restore: 4h, statusUpdateEvery: 30m}
            - {name: P2, description: major team workflow down, response: 1h, restore: 8h, clock: office,
               statusUpdateEvery: 1h}
            - {name: P3, description: single user or device, response: 4h, restore: 2d, clock: office}
            - {name: P4, description: low urgency request, response: 1d, restore: scheduled, clock: office}
          rules:
            - {when: {tier: [1], impact: [outage]}, level: P1}
            - {when: {tier: [1, 2], impact: [outage, degraded]}, level: P2}
            - {when: {impact: [request]}, level: P4}
            - {when: {impact: [outage, degraded, single-user]}, level: P3}
          default: P3
        ---
        apiVersion: relpolicy.dev/v1
        kind: Calendar
        metadata: {name: office}
        spec:
          timezone: America/New_York
          hours: {mon: [09:00-17:00], tue: [09:00-17:00], wed: [09:00-17:00], thu: [09:00-17:00], fri: [09:00-17:00]}
    """
    thresholds = ctx.settings.thresholds
    limit = format_duration(thresholds.max_status_update_every)
    urgent = ", ".join(thresholds.status_update_levels)
    for policy in ctx.policy.priority_policies:
        for i, level in enumerate(policy.spec.levels):
            every = level.status_update_every
            if level.name not in thresholds.status_update_levels:
                continue
            if every is None:
                message = (
                    f"{level.name} sets no statusUpdateEvery: {urgent} incidents must update stakeholders "
                    f"at least every {limit}"
                )
                yield ctx.policy.problem("RP704", message, policy, ("spec", "levels", i))
            elif every > thresholds.max_status_update_every:
                message = (
                    f"{level.name} updates stakeholders every {format_duration(every)}, longer than the {limit} "
                    f"maximum for {urgent} incidents"
                )
                yield ctx.policy.problem("RP704", message, policy, ("spec", "levels", i, "statusUpdateEvery"))


# --- RP705 ---------------------------------------------------------------------------------------


def _target_name(target: Target) -> str:
    return f"team {target.team}" if target.team is not None else f"{target.person}"


@rule(
    id="RP705",
    name="escalation-single-step",
    severity=Severity.WARNING,
    summary="A tier 1-2 service has no second responder: its escalation policy only ever notifies one "
    "team or person, or it has no escalation policy at all.",
)
def escalation_single_step(ctx: RuleContext) -> Iterator[Problem]:
    """When the one person or team paged for a critical incident does not answer (asleep, on a
    plane, their phone dead), an escalation policy is what pages someone else. A tier 1-2
    service needs a second responder: an escalation policy whose steps notify at least two
    different teams or people (repeating the same target, or `repeat`, does not add one). Such a
    policy is reported once, at its `steps`, with the tier 1-2 services that rely on it. A tier
    1-2 service with no escalation policy at all (neither its own nor its owner team's) is
    reported at its `owner`, through which it would inherit one. A service without an owner is
    RP801's, and a name that points nowhere RP201's.

    Failing example:

        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: checkout}
        spec:
          description: Takes orders.
          tier: 1
          owner: payments
          customerFacing: true
        ---
        apiVersion: relpolicy.dev/v1
        kind: Team
        metadata: {name: payments}
        spec:
          coverage: always
          members: [{name: Ana Lima, email: ana@example.com, role: lead}, {name: Bo Chen, email: bo@example.com}]
          escalationPolicy: payments-oncall
        ---
        apiVersion: relpolicy.dev/v1
        kind: EscalationPolicy
        metadata: {name: payments-oncall}
        spec:
          steps:
            - {after: 0m, notify: [{team: payments}]}
          repeat: 2

    Passing example:

        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: checkout}
        spec:
          description: Takes orders.
          tier: 1
          owner: payments
          customerFacing: true
        ---
        apiVersion: relpolicy.dev/v1
        kind: Team
        metadata: {name: payments}
        spec:
          coverage: always
          members: [{name: Ana Lima, email: ana@example.com, role: lead}, {name: Bo Chen, email: bo@example.com}]
          escalationPolicy: payments-oncall
        ---
        apiVersion: relpolicy.dev/v1
        kind: EscalationPolicy
        metadata: {name: payments-oncall}
        spec:
          steps:
            - {after: 0m, notify: [{team: payments}]}
            - {after: 15m, notify: [{person: ana@example.com}]}
          repeat: 2
    """
    policy = ctx.policy
    users: dict[str, list[Service]] = {}
    for service in ctx.critical_services:
        escalation = policy.escalation_policy_of(service)
        if escalation is not None:
            users.setdefault(escalation.name, []).append(service)
        elif (problem := _no_escalation_policy(ctx, service)) is not None:
            yield problem
    for escalation in policy.escalation_policies:
        targets = {target for step in escalation.spec.steps for target in step.notify}
        if escalation.name in users and len(targets) == 1:
            yield _single_responder(ctx, escalation, _target_name(next(iter(targets))), users[escalation.name])


def _single_responder(ctx: RuleContext, escalation: EscalationPolicy, target: str, services: list[Service]) -> Problem:
    steps = len(escalation.spec.steps)
    how = "in its one step" if steps == 1 else f"in all {steps} of its steps"
    named = ", ".join(f"{s.name} (tier {s.spec.tier})" for s in services)
    message = (
        f"escalation policy {escalation.name} only ever notifies {target} ({how}), so nobody else is paged "
        f"when they do not answer, yet tier 1-2 services rely on it: {named}; add a step that notifies a "
        "second responder"
    )
    related = [_uses(ctx, service) for service in services]
    return ctx.policy.problem("RP705", message, escalation, ("spec", "steps"), *related, key=True)


def _uses(ctx: RuleContext, service: Service) -> Related:
    """Where ``service`` picks its escalation policy: its own field, or its owner."""
    if service.spec.escalation_policy is not None:
        where = ctx.policy.locate(service, "spec", "escalationPolicy")
        return Related(where, f"{service.name} (tier {service.spec.tier}) uses this policy")
    where = ctx.policy.locate(service, "spec", "owner")
    return Related(where, f"{service.name} (tier {service.spec.tier}) uses it through its owner {service.spec.owner}")


def _no_escalation_policy(ctx: RuleContext, service: Service) -> Problem | None:
    if service.spec.escalation_policy is not None:
        return None  # named but unknown or invalid: RP201 or RP103 reports it
    owner = ctx.policy.owner_of(service)
    if owner is None or owner.spec.escalation_policy is not None:
        return None  # no owner (RP801), an unknown one (RP201), or the owner's policy is unknown (RP201)
    message = (
        f"{service.name} (tier {service.spec.tier}) has no escalation policy: neither it nor its owner team "
        f"{owner.name} names one, so no second responder is ever paged; set escalationPolicy on the team "
        "or the service"
    )
    related = Related(ctx.policy.locate(owner, "metadata", "name"), f"team {owner.name} has no escalationPolicy")
    return ctx.policy.problem("RP705", message, service, ("spec", "owner"), related)


# --- RP706 ---------------------------------------------------------------------------------------


@rule(
    id="RP706",
    name="response-coverage-mismatch",
    severity=Severity.WARNING,
    summary="A service's incidents get a round-the-clock response target, but its owner team does not answer "
    "round the clock (business hours, or days off).",
)
def response_coverage_mismatch(ctx: RuleContext) -> Iterator[Problem]:
    """A 15-minute response on a 24x7 clock is a promise that someone answers at 3 a.m. on a
    Sunday. For each service, the priority policy picks a level for each impact (outage,
    degraded, single-user, request) from the service's tier and labels; when one of those levels
    runs on a round-the-clock clock (`always`, or a calendar covering every hour with no days
    off) and the owner team's `coverage` calendar is not round the clock, the promise has nobody
    behind it at night. Either the owner gets a 24x7 rota, or the service's tier (or the rules)
    should map its incidents to a business-hours level. The finding sits on the service's
    `owner`, with the level's clock and the team's coverage as related locations.

    Failing example:

        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: checkout}
        spec:
          description: Takes orders.
          tier: 1
          owner: payments
          customerFacing: true
        ---
        apiVersion: relpolicy.dev/v1
        kind: Team
        metadata: {name: payments}
        spec:
          coverage: office
          members: [{name: Ana Lima, email: ana@example.com}]
        ---
        apiVersion: relpolicy.dev/v1
        kind: PriorityPolicy
        metadata: {name: default}
        spec:
          levels:
            - {name: P1, description: revenue or safety critical, response: 15m, restore: 4h, statusUpdateEvery: 30m}
            - {name: P2, description: major team workflow down, response: 1h, restore: 8h, clock: office,
               statusUpdateEvery: 1h}
            - {name: P3, description: single user or device, response: 4h, restore: 2d, clock: office}
          rules:
            - {when: {tier: [1], impact: [outage]}, level: P1}
            - {when: {tier: [1, 2], impact: [outage, degraded]}, level: P2}
            - {when: {impact: [outage, degraded, single-user, request]}, level: P3}
          default: P3
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
          customerFacing: true
        ---
        apiVersion: relpolicy.dev/v1
        kind: Team
        metadata: {name: payments}
        spec:
          coverage: always
          members: [{name: Ana Lima, email: ana@example.com}]
        ---
        apiVersion: relpolicy.dev/v1
        kind: PriorityPolicy
        metadata: {name: default}
        spec:
          levels:
            - {name: P1, description: revenue or safety critical, response: 15m, restore: 4h, statusUpdateEvery: 30m}
            - {name: P2, description: major team workflow down, response: 1h, restore: 8h, clock: office,
               statusUpdateEvery: 1h}
            - {name: P3, description: single user or device, response: 4h, restore: 2d, clock: office}
          rules:
            - {when: {tier: [1], impact: [outage]}, level: P1}
            - {when: {tier: [1, 2], impact: [outage, degraded]}, level: P2}
            - {when: {impact: [outage, degraded, single-user, request]}, level: P3}
          default: P3
        ---
        apiVersion: relpolicy.dev/v1
        kind: Calendar
        metadata: {name: office}
        spec:
          timezone: America/New_York
          hours: {mon: [09:00-17:00], tue: [09:00-17:00], wed: [09:00-17:00], thu: [09:00-17:00], fri: [09:00-17:00]}
    """
    policy, graph = ctx.policy, ctx.graph
    # Only a team answering on a declared calendar that is not round the clock can miss a 24x7
    # level (`always` is round the clock; an unknown calendar is RP201's).
    part_time: dict[str, tuple[Team, Calendar]] = {}
    for team in policy.teams:
        calendar = policy.calendar(team.spec.coverage)
        if calendar is not None and not graph.round_the_clock(team.spec.coverage):
            part_time[team.name] = (team, calendar)
    for service in policy.services:
        owner = service.spec.owner
        if owner is None or owner not in part_time:
            continue
        if (problem := _coverage_mismatch(ctx, service, *part_time[owner])) is not None:
            yield problem


def _coverage_mismatch(ctx: RuleContext, service: Service, owner: Team, calendar: Calendar) -> Problem | None:
    graph = ctx.graph
    priorities = ctx.policy.priority_policy_of(service)
    if priorities is None:
        return None  # no policy applies, or it names one that does not exist (RP201)
    coverage = owner.spec.coverage
    spec = priorities.spec
    # The round-the-clock levels this service's incidents map to, with the impacts and rules that map them.
    found: dict[int, tuple[list[str], list[int | None]]] = {}
    for impact in IMPACTS:
        name, index = spec.pick(service.spec.tier, impact, service.metadata.labels)
        position = spec.level_index(name)
        if position is None or not graph.round_the_clock(spec.levels[position].clock):
            continue
        impacts, indexes = found.setdefault(position, ([], []))
        impacts.append(impact)
        if index not in indexes:
            indexes.append(index)
    if not found:
        return None
    parts = []
    related = []
    for position, (impacts, indexes) in found.items():
        level = spec.levels[position]
        parts.append(
            f"{'/'.join(impacts)} incidents are {level.name}, a {format_duration(level.response)} response around "
            f"the clock (clock {level.clock}; {_rule_refs(priorities, indexes)})"
        )
        where = ctx.policy.locate(priorities, "spec", "levels", position, "clock")
        related.append(Related(where, f"{level.name} runs on {level.clock}"))
    message = (
        f"{service.name} (tier {service.spec.tier}): {'; '.join(parts)}; but its owner team {owner.name} "
        f"answers only on the {coverage} calendar ({calendar.spec.describe_hours()})"
    )
    related.append(Related(ctx.policy.locate(owner, "spec", "coverage"), f"{owner.name} answers on {coverage}"))
    return ctx.policy.problem("RP706", message, service, ("spec", "owner"), *related)


RULES: Final = (
    priority_order,
    restore_before_response,
    priority_rule_gap,
    status_update_cadence,
    escalation_single_step,
    response_coverage_mismatch,
)
