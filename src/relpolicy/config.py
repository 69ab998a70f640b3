"""Project settings: policy roots, thresholds the rules read, which rules run at what severity.

Every setting has a default, so no configuration is needed to start. ``relpolicy.yaml`` in the
working directory (or ``[tool.relpolicy]`` in ``pyproject.toml``) overrides them; command-line
flags override both. Keys are the same in both files::

    roots: [policies]
    select: []                     # rule ids or names to run (empty: all)
    ignore: [RP804]                # rule ids or names not to run
    severity: {RP306: error}       # severity overrides
    perPathIgnores: {"policies/legacy/**": [RP801]}
    failOn: error                  # error | warning | info | never
    asOf: today                    # or a fixed YYYY-MM-DD
    thresholds:
      spofMinTier1Dependents: 3
      maxStatusUpdateEvery: 60m
      statusUpdateLevels: [P1, P2]
      restoreTestEvery: 90d
      maxPatchCadence: 31d
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

from pydantic import Field, ValidationError

from relpolicy.errors import RelpolicyError
from relpolicy.findings import Location, Severity
from relpolicy.model.base import Model
from relpolicy.model.types import Date, PositiveDuration

CONFIG_FILE: Final = "relpolicy.yaml"
PYPROJECT: Final = "pyproject.toml"


class Thresholds(Model):
    """Numbers the rules compare against."""

    spof_min_tier1_dependents: int = Field(default=3, ge=1)
    """RP306: a service is a single point of failure when this many tier-1 services hard-depend on it."""
    max_status_update_every: PositiveDuration = dt.timedelta(minutes=60)
    """RP704: the longest status-update interval allowed for the most urgent levels."""
    status_update_levels: tuple[str, ...] = ("P1", "P2")
    """RP704: the levels that must give status updates."""
    restore_test_every: PositiveDuration = dt.timedelta(days=90)
    """RP502: how often a restore must be tested, unless a service sets `restoreTestEvery`."""
    max_patch_cadence: PositiveDuration = dt.timedelta(days=31)
    """RP803: the longest regular patch interval for tier 1-2 services."""


class ConfigFile(Model):
    """What ``relpolicy.yaml`` and ``[tool.relpolicy]`` may hold."""

    roots: list[str] = Field(default_factory=lambda: ["policies"])
    select: list[str] = Field(default_factory=list)
    ignore: list[str] = Field(default_factory=list)
    severity: dict[str, Literal["error", "warning", "info"]] = Field(default_factory=dict)
    per_path_ignores: dict[str, list[str]] = Field(default_factory=dict)
    fail_on: Literal["error", "warning", "info", "never"] = "error"
    as_of: Literal["today"] | Date = "today"
    thresholds: Thresholds = Field(default_factory=Thresholds)


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
    fail_on: str = "error"
    as_of: dt.date | None = None
    """A fixed date to judge against; None means today (UTC)."""
    source: str | None = None
    """Where the settings were read from, for the report."""

    def runs(self, rule_id: str) -> bool:
        """Is the rule selected and not ignored?"""
        return (not self.select or rule_id in self.select) and rule_id not in self.ignore

    def ignored_in(self, path: str, rule_id: str) -> bool:
        """Is the rule ignored for findings in this file?"""
        return any(rule_id in ids and fnmatch.fnmatch(path, glob) for glob, ids in self.per_path_ignores)


def load_settings(directory: Path, explicit: Path | None = None) -> Settings:
    """The settings of the project in ``directory``: ``explicit``, else relpolicy.yaml, else pyproject.toml."""
    if explicit is not None:
        return _from_file(explicit)
    if (directory / CONFIG_FILE).is_file():
        return _from_file(directory / CONFIG_FILE)
    pyproject = directory / PYPROJECT
    if pyproject.is_file() and "tool" in (table := _toml(pyproject)) and "relpolicy" in table["tool"]:
        return _settings(_validate(table["tool"]["relpolicy"], pyproject, None), pyproject)
    return Settings()


def _from_file(path: Path) -> Settings:
    if path.suffix == ".toml":
        table = _toml(path)
        return _settings(_validate(table.get("tool", {}).get("relpolicy", {}), path, None), path)
    from relpolicy.source.parse import parse_yaml  # noqa: PLC0415 - only when a YAML config exists

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        msg = f"{path}: cannot read the configuration: {error}"
        raise RelpolicyError(msg) from None
    parsed = parse_yaml(text, str(path))
    if parsed.problems:
        problem = parsed.problems[0]
        raise RelpolicyError(problem.message, problem.location)
    if not parsed.documents:
        return Settings(source=str(path))
    document = parsed.documents[0]
    return _settings(_validate(document.data, path, document.positions.locate), path)


def _toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as stream:
            return tomllib.load(stream)
    except (OSError, tomllib.TOMLDecodeError) as error:
        msg = f"{path}: cannot read the configuration: {error}"
        raise RelpolicyError(msg) from None


def _validate(data: object, path: Path, locate: Any) -> ConfigFile:
    try:
        return ConfigFile.model_validate(data)
    except ValidationError as error:
        detail = error.errors(include_url=False)[0]
        where = ".".join(str(part) for part in detail["loc"]) or "the configuration"
        message = f"unknown setting `{where}`" if detail["type"] == "extra_forbidden" else f"`{where}`: {detail['msg']}"
        location: Location | None = None
        if locate is not None:
            location = locate(tuple(detail["loc"]), key=detail["type"] == "extra_forbidden")
        else:
            message = f"{path} [tool.relpolicy]: {message}" if path.suffix == ".toml" else f"{path}: {message}"
        raise RelpolicyError(message, location) from None


def _settings(config: ConfigFile, path: Path) -> Settings:
    from relpolicy.rules import lookup  # noqa: PLC0415 - the registry imports every rule module

    def ids(keys: list[str]) -> frozenset[str]:
        return frozenset(lookup(key).id for key in keys)

    try:
        return _resolved(config, path, ids, lookup)
    except RelpolicyError as error:
        msg = f"{path}: {error.message}"
        raise RelpolicyError(msg) from None


def _resolved(config: ConfigFile, path: Path, ids: Any, lookup: Any) -> Settings:
    return Settings(
        thresholds=config.thresholds,
        roots=tuple(Path(root) for root in config.roots),
        select=ids(config.select),
        ignore=ids(config.ignore),
        severity={lookup(key).id: Severity.parse(value) for key, value in config.severity.items()},
        per_path_ignores=tuple((glob, ids(keys)) for glob, keys in config.per_path_ignores.items()),
        fail_on=config.fail_on,
        as_of=None if config.as_of == "today" else config.as_of,
        source=str(path),
    )
