"""The catalogue of API versions and kinds: which model reads a given ``(apiVersion, kind)``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from relpolicy.model.base import API_VERSION, Resource
from relpolicy.model.calendar import Calendar
from relpolicy.model.escalation import EscalationPolicy
from relpolicy.model.maintenance import ChangeFreeze, MaintenanceWindow
from relpolicy.model.priority import PriorityPolicy
from relpolicy.model.service import Service
from relpolicy.model.slo import SLO
from relpolicy.model.team import Team

KINDS: Final[tuple[type[Resource], ...]] = (
    Calendar,
    Team,
    EscalationPolicy,
    PriorityPolicy,
    Service,
    SLO,
    MaintenanceWindow,
    ChangeFreeze,
)


@dataclass(frozen=True)
class Migration:
    """How a document of a deprecated apiVersion is rewritten for its successor (``check --fix``)."""

    to: str
    """The apiVersion to write instead."""
    renamed: Mapping[str, Mapping[tuple[str, ...], str]] = field(default_factory=dict)
    """Fields that moved, by kind: the key path of the old field -> its new key name."""


@dataclass(frozen=True)
class Language:
    """The API versions relpolicy reads, their kinds, and which versions are deprecated.

    When v2 arrives, v1 stays here with a deprecation note (RP106) and keeps loading.
    """

    versions: Mapping[str, Mapping[str, type[Resource]]]
    deprecated: Mapping[str, str] = field(default_factory=dict)
    """Deprecated version -> what to do instead."""
    migrations: Mapping[str, Migration] = field(default_factory=dict)
    """Deprecated version -> the mechanical rewrite to its successor, where there is one (RP106's fix)."""

    def model(self, api_version: str, kind: str) -> type[Resource] | None:
        """The model for a document, or None when the version or kind is unknown."""
        return self.versions.get(api_version, {}).get(kind)


LANGUAGE: Final = Language({API_VERSION: {model.KIND: model for model in KINDS}})
