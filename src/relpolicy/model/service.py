"""Service: a thing that can be down, with its owner, dependencies, recovery and runbook."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal, Self

from pydantic import Field, model_validator

from relpolicy.model.base import Model, Reference, Resource, Spec, refs
from relpolicy.model.types import Count, Date, Flag, Name, PositiveDuration, Text, Tier, exactly_one

DependencyType = Literal["hard", "soft"]


class Dependency(Model):
    """Something this service needs: one service, or redundant alternatives (`anyOf`)."""

    service: Name | None = Field(default=None, examples=["orders-db"])
    """The service needed, by name (give `service` or `anyOf`)."""
    any_of: list[Name] | None = Field(default=None, min_length=2, examples=[["payments-eu", "payments-us"]])
    """Redundant alternatives, by name: the dependency is up while any one of them is up (give `anyOf` or `service`)."""
    type: DependencyType = "hard"
    """`hard`: its outage takes this service down; `soft`: it only degrades it."""
    note: Text | None = None
    """Why the service needs it, or how it degrades without it, for people."""

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        exactly_one(self.service, self.any_of, "name either a `service` or `anyOf` alternatives, not both or neither")
        return self

    model_config = {"json_schema_extra": {"oneOf": [{"required": ["service"]}, {"required": ["anyOf"]}]}}

    @property
    def is_hard(self) -> bool:
        """Does an outage of this dependency take the service down?"""
        return self.type == "hard"

    @property
    def names(self) -> tuple[str, ...]:
        """The services this entry names."""
        return (self.service,) if self.service is not None else tuple(self.any_of or ())


class Backups(Model):
    """How the service's data is backed up."""

    copies: Count
    """Copies of the data besides the live one."""
    media: list[Text] = Field(default_factory=list)
    """Kinds of storage the copies are on (disk, object-storage, tape...)."""
    offsite: Flag = False
    """At least one copy is in another site or region."""
    offline: Flag = False
    """At least one copy is offline or immutable."""
    every: PositiveDuration
    """Interval between backups."""


class Recovery(Model):
    """Recovery objectives and evidence that restoring works."""

    rto: PositiveDuration | None = None
    """Recovery time objective: longest acceptable time to restore."""
    rpo: PositiveDuration | None = None
    """Recovery point objective: most data, in time, that may be lost."""
    backups: Backups | None = None
    """How the data is backed up."""
    last_restore_test: Date | None = None
    """The day a restore from backup was last tested and worked."""
    restore_test_every: PositiveDuration | None = None
    """How often a restore must be tested; defaults to the project setting (90d)."""


class Patching(Model):
    """How quickly fixes reach the service."""

    cadence: PositiveDuration | None = None
    """Regular patch interval."""
    emergency_within: PositiveDuration | None = None
    """Deadline for a known-exploited vulnerability."""


class Link(Model):
    """A link in a runbook."""

    title: Text
    """The link's text."""
    url: Text
    """Where it points: a URL, or a path in the repository."""


class Runbook(Model):
    """What the on-call engineer does."""

    diagnose: list[Text] = Field(default_factory=list)
    """Steps to find out what is wrong, in order."""
    restore: list[Text] = Field(default_factory=list)
    """Steps to bring the service back, in order."""
    verify: list[Text] = Field(default_factory=list)
    """Steps to check that the service works again."""
    links: list[Link] = Field(default_factory=list)
    """Dashboards, logs and documents the on-call engineer needs."""


class ServiceSpec(Spec):
    """A service."""

    description: Text
    """What the service does, in a sentence."""
    owner: Name | None = Field(default=None, examples=["payments-team"])
    """The team that owns the service, by name."""
    tier: Tier
    """How critical the service is: 1 (revenue or safety critical) to 4 (low)."""
    lifecycle: Literal["experimental", "production", "deprecated"] = "production"
    """Where the service is in its life: `experimental`, `production` (the default) or `deprecated`."""
    coverage: Name | None = Field(default=None, examples=["always", "london-office-hours"])
    """The calendar of the hours the service must be supported, by name; defaults to the owner's coverage."""
    escalation_policy: Name | None = Field(default=None, examples=["payments-escalation"])
    """The escalation policy of incidents on this service, by name; defaults to the owner's."""
    priority_policy: Name | None = Field(default=None, examples=["standard-priorities"])
    """The priority policy that sets an incident's level, by name; defaults to the only one, when there is one."""
    customer_facing: Flag = False
    """Customers use the service directly."""
    depends_on: list[Dependency] = Field(default_factory=list)
    """What the service needs to work: services, or groups of redundant alternatives (`anyOf`)."""
    recovery: Recovery | None = None
    """Recovery objectives (RTO, RPO), backups and restore tests."""
    patching: Patching | None = None
    """How quickly fixes reach the service: the regular patch cadence and the emergency deadline."""
    runbook: Runbook | None = None
    """What the on-call engineer does when the service fails."""

    def references(self) -> Iterator[Reference]:
        if self.owner is not None:
            yield Reference("Team", self.owner, ("spec", "owner"))
        if self.coverage is not None:
            yield Reference("Calendar", self.coverage, ("spec", "coverage"))
        if self.escalation_policy is not None:
            yield Reference("EscalationPolicy", self.escalation_policy, ("spec", "escalationPolicy"))
        if self.priority_policy is not None:
            yield Reference("PriorityPolicy", self.priority_policy, ("spec", "priorityPolicy"))
        for i, dependency in enumerate(self.depends_on):
            if dependency.service is not None:
                yield Reference("Service", dependency.service, ("spec", "dependsOn", i, "service"))
            else:
                yield from refs("Service", dependency.any_of or [], "spec", "dependsOn", i, "anyOf")


class Service(Resource):
    """A service."""

    KIND = "Service"
    kind: Literal["Service"]
    spec: ServiceSpec
