"""RP2xx: names that point nowhere."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Final

from relpolicy.findings import Problem, Severity
from relpolicy.fixes import replace, unambiguous_match, yaml_scalar
from relpolicy.model.base import Reference, Resource
from relpolicy.model.build import did_you_mean
from relpolicy.model.calendar import ALWAYS
from relpolicy.model.priority import PriorityPolicy
from relpolicy.rules._framework import RuleContext, rule
from relpolicy.suggestions import Budget, Names

_NOUNS: Final = {"person": "team member with the email", "level": "priority level"}


@rule(
    id="RP201",
    name="unknown-reference",
    severity=Severity.ERROR,
    summary="A name points to no resource: dependency, owner, calendar, escalation policy, SLO or window "
    "service, notified team or person, priority level.",
    fix="replaces a misspelt name with the one existing name it is clearly a typo of",
)
def unknown_reference(ctx: RuleContext) -> Iterator[Problem]:
    """A reference to something that does not exist breaks every check that follows it: an
    owner that is not a team has nobody to page, a dependency on an unknown service drops out of
    the graph. Each dangling name is reported where it is written, with the closest existing
    name when it looks like a typo.

    Failing example:

        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: checkout}
        spec:
          description: Takes orders.
          tier: 1
          owner: paymnts

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
        kind: Team
        metadata: {name: payments}
        spec:
          coverage: always
          members: [{name: Ana Lima, email: ana@example.com}]
    """
    policy = ctx.policy
    names = {kind: frozenset(policy.names(kind)) for kind in ("Service", "Team", "EscalationPolicy", "PriorityPolicy")}
    names["Calendar"] = frozenset([*policy.names("Calendar"), ALWAYS])
    names["person"] = frozenset(m.email for team in policy.teams for m in team.spec.members)
    budget = Budget()  # thousands of dangling names among thousands of look-alikes stay cheap
    indexes: dict[str, Names] = {}
    for resource in policy.resources.values():  # in any order: findings are sorted by location
        for reference in resource.references():
            known = names.get(reference.kind)  # sets: membership stays O(1) on large repos
            if known is None:
                known = _level_names(resource)
            if reference.name not in known:
                index = indexes.get(reference.kind) if reference.kind in names else Names(known, budget)
                if index is None:
                    index = indexes[reference.kind] = Names(known, budget)
                problem = policy.problem("RP201", _message(reference, known, index), resource, reference.path)
                # Only a name the message already suggests is worth the search for a single match.
                candidate = unambiguous_match(reference.name, index) if "did you mean" in problem.message else None
                if candidate is not None:
                    description = f"replace `{reference.name}` with `{candidate}`"
                    problem = dataclasses.replace(
                        problem, fix=replace(problem.location, yaml_scalar(candidate), description)
                    )
                yield problem


def _level_names(resource: Resource) -> frozenset[str]:
    assert isinstance(resource, PriorityPolicy)  # noqa: S101 - only priority policies name levels
    return frozenset(level.name for level in resource.spec.levels)


def _message(reference: Reference, known: frozenset[str], index: Names) -> str:
    noun = _NOUNS.get(reference.kind, reference.kind)
    hint = did_you_mean(reference.name, index)
    if not hint and len(known) <= 8:
        hint = f"; known: {', '.join(sorted(known))}" if known else f"; there is no {noun} at all"
    return f"no {noun} `{reference.name}`{hint}"


RULES: Final = (unknown_reference,)
