"""What a check is configured with: the resolved settings, which the engine and the rules read.

A value, read by :mod:`relpolicy.config` from ``relpolicy.yaml`` or ``[tool.relpolicy]``. It sits
below the rules (they read ``thresholds``), while the reader sits above them: turning the rule
names a user writes into ids needs the rule registry. See "Layers" in docs/design.md.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from pydantic import Field, StrictInt

from relpolicy.findings import Severity
from relpolicy.model.base import Model
from relpolicy.model.types import PositiveDuration

DEFAULT_CACHE_DIR: Final = ".relpolicy_cache"


class Thresholds(Model):
    """Numbers the rules compare against."""

    spof_min_tier1_dependents: StrictInt = Field(default=3, ge=1)
    """RP306: a service is a single point of failure when this many tier-1 services hard-depend on it."""
    max_status_update_every: PositiveDuration = dt.timedelta(minutes=60)
    """RP704: the longest status-update interval allowed for the most urgent levels."""
    status_update_levels: tuple[str, ...] = ("P1", "P2")
    """RP704: the levels that must give status updates."""
    restore_test_every: PositiveDuration = dt.timedelta(days=90)
    """RP502: how often a restore must be tested, unless a service sets `restoreTestEvery`."""
    max_patch_cadence: PositiveDuration = dt.timedelta(days=31)
    """RP803: the longest regular patch interval for tier 1-2 services."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything configurable, resolved: rule keys are ids."""

    thresholds: Thresholds = field(default_factory=Thresholds)
    roots: tuple[Path, ...] = (Path("policies"),)
    select: frozenset[str] = frozenset()
    """Rule ids to run; empty means all."""
    ignore: frozenset[str] = frozenset()
    """Rule ids not to run."""
    severity: dict[str, Severity] = field(default_factory=dict)
    """Severity overrides by rule id."""
    per_path_ignores: tuple[tuple[str, frozenset[str]], ...] = ()
    """(glob, rule ids): findings of those rules in matching files are dropped."""
    exclude: tuple[str, ...] = ()
    """Globs (relative to the working directory) of files the policy folders' walk leaves out."""
    fail_on: str = "error"
    as_of: dt.date | None = None
    """A fixed date to judge against; None means today (UTC)."""
    source: str | None = None
    """Where the settings were read from, for the report."""
    cache_dir: Path | None = Path(DEFAULT_CACHE_DIR)
    """The parse cache of ``relpolicy check`` (relative to the working directory); None for none."""
    runbook_base_url: str | None = None
    """The URL the runbook pages are published under; alerts get ``runbook_url`` = this + the page's file."""

    def runs(self, rule_id: str) -> bool:
        """Is the rule selected and not ignored?"""
        return (not self.select or rule_id in self.select) and rule_id not in self.ignore

    def ignored_in(self, path: str, rule_id: str) -> bool:
        """Is the rule ignored for findings in this file?"""
        return any(rule_id in ids and fnmatch.fnmatch(path, glob) for glob, ids in self.per_path_ignores)

    def reports(self, path: str, rule_id: str) -> bool:
        """Are the rule's findings in this file reported (it runs, and the file does not ignore it)?"""
        return self.runs(rule_id) and not self.ignored_in(path, rule_id)
