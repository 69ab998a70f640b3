"""Team: owners and responders."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import Field

from relpolicy.model.base import Model, Reference, Resource, Spec
from relpolicy.model.types import Email, Name, Text


class Member(Model):
    """A person in the team."""

    name: Text
    """The person's name."""
    email: Email
    """Their email address, by which escalation policies name them."""
    role: Text | None = None
    """What they do in the team (lead, engineer, on-call...)."""


class TeamSpec(Spec):
    """Who owns services and answers for them."""

    description: Text | None = None
    """What the team does, in a sentence."""
    members: list[Member] = Field(min_length=1)
    """The people in the team."""
    coverage: Name = Field(examples=["always", "london-office-hours"])
    """The calendar of the hours the team answers, by name (`always` for 24x7 on-call)."""
    escalation_policy: Name | None = Field(default=None, examples=["payments-escalation"])
    """Escalation policy used for this team's services unless a service names its own."""

    def references(self) -> Iterator[Reference]:
        yield Reference("Calendar", self.coverage, ("spec", "coverage"))
        if self.escalation_policy is not None:
            yield Reference("EscalationPolicy", self.escalation_policy, ("spec", "escalationPolicy"))


class Team(Resource):
    """A team."""

    KIND = "Team"
    kind: Literal["Team"]
    spec: TeamSpec
