"""Project settings: thresholds the rules read, and which rules run at what severity.

Every setting has a default, so no configuration is needed to start. ``relpolicy.yaml`` (or
``[tool.relpolicy]`` in ``pyproject.toml``) overrides them; command-line flags override both.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from relpolicy.findings import Severity


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Numbers the rules compare against."""

    spof_min_tier1_dependents: int = 3
    """RP306: a service is a single point of failure when this many tier-1 services hard-depend on it."""
    max_status_update_every: dt.timedelta = dt.timedelta(minutes=60)
    """RP704: the longest status-update interval allowed for the most urgent levels."""
    status_update_levels: tuple[str, ...] = ("P1", "P2")
    """RP704: the levels that must give status updates."""
    restore_test_every: dt.timedelta = dt.timedelta(days=90)
    """RP502: how often a restore must be tested, unless a service sets `restoreTestEvery`."""
    max_patch_cadence: dt.timedelta = dt.timedelta(days=31)
    """RP803: the longest regular patch interval for tier 1-2 services."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything configurable, with its default."""

    thresholds: Thresholds = field(default_factory=Thresholds)
    select: tuple[str, ...] = ()
    """Rule ids or names to run; empty means all."""
    ignore: tuple[str, ...] = ()
    """Rule ids or names not to run."""
    severity: dict[str, Severity] = field(default_factory=dict)
    """Severity overrides by rule id."""
    per_path_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """(glob, rule ids) pairs: findings in matching files are dropped."""
