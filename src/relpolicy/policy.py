"""The policy set: every valid resource by kind and name, where it was written, and lookups.

Assembling the set reports RP105 duplicate-name. Everything downstream (graph, rules, renderers)
reads resources through a :class:`PolicySet` and locates findings through :meth:`PolicySet.locate`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple, TypeVar, cast

from relpolicy.findings import Location, Problem, Related
from relpolicy.model.base import Resource
from relpolicy.model.build import BuildResult, Origin
from relpolicy.model.calendar import Calendar
from relpolicy.model.escalation import EscalationPolicy
from relpolicy.model.maintenance import ChangeFreeze, MaintenanceWindow
from relpolicy.model.priority import PriorityPolicy
from relpolicy.model.service import Service
from relpolicy.model.slo import SLO
from relpolicy.model.team import Team
from relpolicy.source.positions import KeyPath, format_key_path

R = TypeVar("R", bound=Resource)


class ResourceId(NamedTuple):
    """A resource's identity: its kind and name.

    A named tuple: rules look resources up by id tens of thousands of times on a large catalogue,
    and a tuple is built and hashed in C.
    """

    kind: str
    name: str

    def __str__(self) -> str:
        return f"{self.kind}/{self.name}"


@dataclass(slots=True)
class PolicySet:
    """All valid resources, indexed by kind and name, with their origins."""

    resources: dict[ResourceId, Resource] = field(default_factory=dict)
    origins: dict[ResourceId, Origin] = field(default_factory=dict)
    invalid: set[ResourceId] = field(default_factory=set)
    """Resources whose documents failed validation: they exist, but no rule can read them."""
    _by_kind: dict[str, list[Resource]] = field(default_factory=dict, repr=False)
    _names_by_kind: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _of_type: dict[type[Resource], list[Resource]] = field(default_factory=dict, repr=False)
    _named: dict[type[Resource], dict[str, Resource]] = field(default_factory=dict, repr=False)
    _slos_by_service: dict[str, list[SLO]] | None = field(default=None, repr=False)

    def of_kind(self, kind: type[R]) -> list[R]:
        """Every resource of one kind, sorted by name."""
        return self._indexed(kind).copy()

    def _indexed(self, kind: type[R]) -> list[R]:
        """The shared index behind :meth:`of_kind`, built once (the set is complete by then)."""
        if kind not in self._of_type:
            self._of_type[kind] = [r for r in self._kinds().get(kind.KIND, []) if isinstance(r, kind)]
        return cast("list[R]", self._of_type[kind])  # filtered by isinstance above

    def _kinds(self) -> dict[str, list[Resource]]:
        """Every valid resource by kind name, each list sorted by name: one pass for every kind."""
        if not self._by_kind:
            for rid, resource in sorted(self.resources.items(), key=lambda item: item[0].name):
                self._by_kind.setdefault(rid.kind, []).append(resource)
                self._names_by_kind.setdefault(rid.kind, []).append(rid.name)
        return self._by_kind

    def get(self, kind: type[R], name: str) -> R | None:
        """The resource of ``kind`` called ``name``, if any."""
        return self.named(kind).get(name)

    def named(self, kind: type[R]) -> Mapping[str, R]:
        """Every resource of one kind by name, in name order.

        Rules resolve owners, policies and calendars of every service, several times each on a
        large catalogue: one dict of names per kind answers each lookup with a single probe.
        """
        if kind not in self._named:
            self._named[kind] = {resource.name: resource for resource in self._indexed(kind)}
        return cast("Mapping[str, R]", self._named[kind])  # built from the kind's index above

    def names(self, kind: str) -> list[str]:
        """The names of every resource of ``kind``, including those that failed validation."""
        self._kinds()  # indexes the names of each kind too
        valid = self._names_by_kind.get(kind, [])
        return sorted({*valid, *(rid.name for rid in self.invalid if rid.kind == kind)})

    def locate(self, resource: Resource, *path: str | int, key: bool = False) -> Location:
        """The location of the node at ``path`` in ``resource``'s document."""
        origin = self.origins[ResourceId(resource.KIND, resource.name)]
        return origin.document.positions.locate(path, key=key)

    def subject(self, resource: Resource, *path: str | int) -> str:
        """A line-independent identity for a node, used by baselines and fingerprints."""
        return f"{resource.KIND}/{resource.name}:{format_key_path(path)}"

    def problem(
        self, rule_id: str, message: str, resource: Resource, path: KeyPath, *related: Related, key: bool = False
    ) -> Problem:
        """A problem located at ``path`` in ``resource``."""
        return Problem(rule_id, message, self.locate(resource, *path, key=key), self.subject(resource, *path), related)

    @property
    def services(self) -> list[Service]:
        """Every service, sorted by name."""
        return self.of_kind(Service)

    @property
    def teams(self) -> list[Team]:
        """Every team, sorted by name."""
        return self.of_kind(Team)

    @property
    def calendars(self) -> list[Calendar]:
        """Every declared calendar (the built-in `always` is not one)."""
        return self.of_kind(Calendar)

    @property
    def escalation_policies(self) -> list[EscalationPolicy]:
        """Every escalation policy."""
        return self.of_kind(EscalationPolicy)

    @property
    def priority_policies(self) -> list[PriorityPolicy]:
        """Every priority policy."""
        return self.of_kind(PriorityPolicy)

    @property
    def slos(self) -> list[SLO]:
        """Every SLO."""
        return self.of_kind(SLO)

    @property
    def maintenance_windows(self) -> list[MaintenanceWindow]:
        """Every maintenance window."""
        return self.of_kind(MaintenanceWindow)

    @property
    def change_freezes(self) -> list[ChangeFreeze]:
        """Every change freeze."""
        return self.of_kind(ChangeFreeze)

    # --- What a service resolves to, with the documented defaults --------------------------------

    def owner_of(self, service: Service) -> Team | None:
        """The owning team, when named and defined."""
        return None if service.spec.owner is None else self.get(Team, service.spec.owner)

    def coverage_of(self, service: Service) -> str | None:
        """The name of the calendar the service is supported on: its own, else its owner's."""
        if service.spec.coverage is not None:
            return service.spec.coverage
        owner = self.owner_of(service)
        return owner.spec.coverage if owner is not None else None

    def escalation_policy_of(self, service: Service) -> EscalationPolicy | None:
        """The service's escalation policy: its own, else its owner's."""
        name = service.spec.escalation_policy
        if name is None and (owner := self.owner_of(service)) is not None:
            name = owner.spec.escalation_policy
        return None if name is None else self.get(EscalationPolicy, name)

    def priority_policy_of(self, service: Service) -> PriorityPolicy | None:
        """The service's priority policy: its own, else the only one there is."""
        if service.spec.priority_policy is not None:
            return self.get(PriorityPolicy, service.spec.priority_policy)
        policies = self._indexed(PriorityPolicy)  # not copied: this runs once per service and rule
        return policies[0] if len(policies) == 1 else None

    def calendar(self, name: str) -> Calendar | None:
        """The declared calendar ``name``; None for the built-in `always` and for unknown names."""
        return self.get(Calendar, name)

    def slos_of(self, service: str) -> list[SLO]:
        """The SLOs of a service, sorted by name."""
        if self._slos_by_service is None:
            self._slos_by_service = {}
            for slo in self.slos:
                self._slos_by_service.setdefault(slo.spec.service, []).append(slo)
        return self._slos_by_service.get(service, [])

    def __iter__(self) -> Iterator[Resource]:
        return iter(sorted(self.resources.values(), key=lambda r: (r.KIND, r.name)))


def assemble(built: BuildResult) -> tuple[PolicySet, list[Problem]]:
    """Index resources by (kind, name); a second resource with a taken name is RP105."""
    policy = PolicySet(invalid={ResourceId(kind, name) for kind, name in built.invalid_names})
    problems: list[Problem] = []
    for item in built.built:
        rid = ResourceId(item.resource.KIND, item.resource.name)
        if rid in policy.resources:
            first = policy.origins[rid]
            here = item.origin.document.positions.locate(("metadata", "name"))
            there = first.document.positions.locate(("metadata", "name"))
            problems.append(
                Problem(
                    "RP105",
                    f"duplicate name: {rid.kind} `{rid.name}` is already defined at {there}; "
                    "this definition is ignored",
                    here,
                    f"{rid}:metadata.name#{here.path}",
                    (Related(there, f"{rid} first defined here"),),
                )
            )
            continue
        policy.resources[rid] = item.resource
        policy.origins[rid] = item.origin
    return policy, problems
