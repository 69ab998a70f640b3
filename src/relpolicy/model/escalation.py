"""EscalationPolicy: who is notified, in order."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal, Self

from pydantic import Field, model_validator

from relpolicy.model.base import Model, Reference, Resource, Spec
from relpolicy.model.types import Count, Duration, Email, Name, Text, exactly_one


class Target(Model):
    """One recipient: a team (its on-call) or a person (by email, a member of some team)."""

    team: Name | None = Field(default=None, examples=["payments-team"])
    """A team to notify, by name: its on-call is paged (give `team` or `person`)."""
    person: Email | None = None
    """A person to notify, by the email address they have as a member of a team (give `team` or `person`)."""

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        exactly_one(self.team, self.person, "name either a `team` or a `person`, not both or neither")
        return self

    model_config = {"json_schema_extra": {"oneOf": [{"required": ["team"]}, {"required": ["person"]}]}}


class Step(Model):
    """Who is notified once the incident has been open for ``after``."""

    after: Duration
    """Delay since the incident opened (0m for the first responder)."""
    notify: list[Target] = Field(min_length=1)
    """Who is notified at this step: teams, people, or both."""


class EscalationPolicySpec(Spec):
    """Escalation steps, in order."""

    description: Text | None = None
    """What the escalation policy is for, in a sentence."""
    steps: list[Step] = Field(min_length=1)
    """The steps, in the order they fire; each fires `after` the incident opened unless someone acknowledged it."""
    repeat: Count = 0
    """How many more times the steps run if nobody acknowledges."""

    def references(self) -> Iterator[Reference]:
        for i, step in enumerate(self.steps):
            for j, target in enumerate(step.notify):
                path = ("spec", "steps", i, "notify", j)
                if target.team is not None:
                    yield Reference("Team", target.team, (*path, "team"))
                if target.person is not None:
                    yield Reference("person", target.person, (*path, "person"))


class EscalationPolicy(Resource):
    """An escalation policy."""

    KIND = "EscalationPolicy"
    kind: Literal["EscalationPolicy"]
    spec: EscalationPolicySpec
