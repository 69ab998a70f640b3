"""Project settings: policy roots, thresholds the rules read, which rules run at what severity.

Every setting has a default, so no configuration is needed to start. ``relpolicy.yaml`` (or
``.relpolicy.yaml``) in the working directory, else ``[tool.relpolicy]`` in ``pyproject.toml``,
overrides them; command-line flags override both. Keys are the same in both files::

    roots: [policies]
    select: []                     # rule ids or names to run (empty: all)
    ignore: [RP804]                # rule ids or names not to run
    severity: {RP306: error}       # severity overrides
    perPathIgnores: {"policies/legacy/**": [RP801]}
    exclude: ["policies/openslo/**"]  # files under the roots that are not policies (not read)
    failOn: error                  # error | warning | info | never
    asOf: today                    # or a fixed YYYY-MM-DD
    cacheDir: .relpolicy_cache     # parse cache of `check`; null or false: none
    runbookBaseUrl: https://git.example/ops/blob/main/docs/runbooks/  # `export prometheus`: runbook_url
    thresholds:
      spofMinTier1Dependents: 3
      maxStatusUpdateEvery: 60m
      statusUpdateLevels: [P1, P2]
      restoreTestEvery: 90d
      maxPatchCadence: 31d

Paths (``roots``, the globs of ``perPathIgnores`` and ``exclude``) are relative to the working directory, where
the configuration is found. A bad setting is a one-line error with its ``file:line:col``
(``pyproject.toml`` gives no positions, so its errors name the key instead).
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Final, Literal

from pydantic import Field, PlainValidator, ValidationError
from pydantic_core import PydanticCustomError

from relpolicy.errors import RelpolicyError
from relpolicy.fileio import read_input
from relpolicy.findings import Location, Severity
from relpolicy.model.base import Model
from relpolicy.model.types import CUSTOM_ERROR_PREFIX, EMPTY_VALUE_ERROR, MAX_YEAR, MIN_YEAR, shown
from relpolicy.settings import DEFAULT_CACHE_DIR as DEFAULT_CACHE_DIR  # noqa: PLC0414 - re-exported
from relpolicy.settings import Settings as Settings  # noqa: PLC0414 - re-exported
from relpolicy.settings import Thresholds as Thresholds  # noqa: PLC0414 - re-exported
from relpolicy.source.positions import KeyPath, format_key_path

CONFIG_FILES: Final = ("relpolicy.yaml", ".relpolicy.yaml")
"""Looked for in this order; the loader skips them when they sit under a policy root."""
CONFIG_FILE: Final = CONFIG_FILES[0]
PYPROJECT: Final = "pyproject.toml"

Locate = Callable[..., Location]
"""``PositionIndex.locate`` of the configuration document (YAML only)."""

_AS_OF_ERROR: Final = CUSTOM_ERROR_PREFIX + "as_of"
_CACHE_DIR_ERROR: Final = CUSTOM_ERROR_PREFIX + "cache_dir"
_NOUNS: Final[dict[type, str]] = {list: "a list", str: "text", int: "a number", float: "a number", bool: "a boolean"}


def _as_of(value: object) -> dt.date | None:
    """``today`` (None: the day of the run), a ``YYYY-MM-DD`` string, or a TOML date."""
    if value == "today":
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return _in_years(value, value.isoformat())
    if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        try:
            date = dt.date.fromisoformat(value)
        except ValueError:
            message = f"`{value}` is not a real date"
            raise PydanticCustomError(_AS_OF_ERROR, message) from None
        return _in_years(date, value)
    message = f"`{shown(str(value))}` is neither `today` nor a date: write YYYY-MM-DD"
    raise PydanticCustomError(_AS_OF_ERROR, message)


def _in_years(value: dt.date, text: str) -> dt.date:
    """``value``, when it falls in the years policies may use (as `--as-of` must)."""
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        message = f"`{text}` is outside the years relpolicy handles, {MIN_YEAR} to {MAX_YEAR}"
        raise PydanticCustomError(_AS_OF_ERROR, message)
    return value


def _cache_dir(value: object) -> str | None:
    """A directory for the parse cache, or None (written ``null`` or ``false``) for no cache."""
    if value is None or value is False:
        return None
    if isinstance(value, str) and value.strip():
        return value
    message = f"`{value}` is neither a directory nor false: write a path, or false for no cache"
    raise PydanticCustomError(_CACHE_DIR_ERROR, message)


class ConfigFile(Model):
    """What ``relpolicy.yaml`` and ``[tool.relpolicy]`` may hold."""

    roots: list[str] = Field(default_factory=lambda: ["policies"], min_length=1)
    select: list[str] = Field(default_factory=list)
    ignore: list[str] = Field(default_factory=list)
    severity: dict[str, Literal["error", "warning", "info"]] = Field(default_factory=dict)
    per_path_ignores: dict[str, list[str]] = Field(default_factory=dict)
    exclude: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list)
    """Globs of files under the roots that are not policy files (other tools' documents): never read."""
    fail_on: Literal["error", "warning", "info", "never"] = "error"
    as_of: Annotated[dt.date | None, PlainValidator(_as_of)] = None
    """None (written `today`) means the day of the run, in UTC."""
    thresholds: Thresholds = Field(default_factory=Thresholds)
    cache_dir: Annotated[str | None, PlainValidator(_cache_dir)] = DEFAULT_CACHE_DIR
    """Where ``relpolicy check`` keeps its parse cache; None (``null`` or ``false``) for none."""
    runbook_base_url: Annotated[str, Field(pattern=r"^https?://\S+/$")] | None = None
    """Where the pages of ``relpolicy render runbooks`` are published (ends in ``/``): alerts link to them."""


# `cacheDir: null` turns the cache off: it is the one setting where an empty value means something.
ConfigFile._field_aliases = ConfigFile._field_aliases - {"cacheDir"}


def load_settings(directory: Path, explicit: Path | None = None) -> Settings:
    """The settings of the project in ``directory``: ``explicit``, else relpolicy.yaml, else pyproject.toml."""
    if explicit is not None:
        return _from_file(explicit)
    for name in CONFIG_FILES:
        # Not is_file(): a FIFO or a link that leaves the folder is an error, not a file to skip.
        if (directory / name).exists() or (directory / name).is_symlink():
            return _from_file(directory / name)
    pyproject = directory / PYPROJECT
    if (pyproject.exists() or pyproject.is_symlink()) and (table := _tool_table(pyproject)) is not None:
        return _settings(_validate(table, pyproject, None), pyproject, None)
    return Settings()


def _from_file(path: Path) -> Settings:
    if path.suffix == ".toml":
        table = _tool_table(path)
        if table is None:
            msg = f"{path}: no [tool.relpolicy] table"
            raise RelpolicyError(msg)
        return _settings(_validate(table, path, None), path, None)
    from relpolicy.source.parse import parse_yaml  # noqa: PLC0415 - only when a YAML config exists

    text = _read(path)
    parsed = parse_yaml(text, str(path))
    if parsed.problems:
        problem = parsed.problems[0]
        raise RelpolicyError(problem.message, problem.location)
    if not parsed.documents:
        return Settings(source=str(path))
    if len(parsed.documents) > 1:
        msg = "a second document: the configuration is one mapping of settings"
        raise RelpolicyError(msg, parsed.documents[1].positions.locate(()))
    document = parsed.documents[0]
    data = {} if document.data is None else document.data
    locate = document.positions.locate
    return _settings(_validate(data, path, locate), path, locate)


def _read(path: Path) -> str:
    """The text of a configuration file: a regular file (never a FIFO), not through a link out of its folder."""
    data = read_input(path, "configuration")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        msg = f"{path}: cannot read the configuration: {_reason(error)}"
        raise RelpolicyError(msg) from None


def _toml(path: Path) -> dict[str, Any]:
    text = _read(path)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        msg = f"{path}: cannot read the configuration: {_reason(error)}"
        raise RelpolicyError(msg) from None


def _reason(error: Exception) -> str:
    """Why a file could not be read, without repeating its name (as ``str(OSError)`` does)."""
    return (error.strerror if isinstance(error, OSError) else None) or str(error)


def _tool_table(path: Path) -> object | None:
    """``[tool.relpolicy]`` of a TOML file, or None when it has none (TOML has no null)."""
    tool = _toml(path).get("tool")
    return tool.get("relpolicy") if isinstance(tool, dict) else None


def _error(message: str, path: Path, locate: Locate | None, where: KeyPath, *, key: bool = False) -> RelpolicyError:
    """A configuration error at ``where``: located in YAML, named after the table in TOML."""
    if locate is not None:
        return RelpolicyError(message, locate(where, key=key))
    prefix = f"{path} [tool.relpolicy]" if path.suffix == ".toml" else str(path)
    return RelpolicyError(f"{prefix}: {message}")


def _validate(data: object, path: Path, locate: Locate | None) -> ConfigFile:
    try:
        return ConfigFile.model_validate(data)
    except ValidationError as error:
        message, where, key = _explain(error.errors(include_url=False)[0], data, path)
    raise _error(message, path, locate, where, key=key)


def _explain(detail: Any, data: object, path: Path) -> tuple[str, KeyPath, bool]:
    """The message for pydantic's first error, the key path it is about, and whether at the key."""
    where: KeyPath = tuple(detail["loc"])
    if detail["type"] == "extra_forbidden":
        from relpolicy.model.build import did_you_mean  # noqa: PLC0415 - only on this error

        hint = did_you_mean(str(where[-1]), _setting_names(where[:-1]))
        return f"unknown setting `{format_key_path(where)}`{hint}", where, True
    if detail["type"] == EMPTY_VALUE_ERROR:
        where = (*where, detail["ctx"]["field"])
        return f"`{format_key_path(where)}` has no value: give it one or remove the key", where, True
    if not where:
        whole = (
            "`[tool.relpolicy]` must be a table" if path.suffix == ".toml" else "the configuration must be a mapping"
        )
        return f"{whole} of settings, not {_NOUNS.get(type(data), type(data).__name__)}", where, False
    return f"`{format_key_path(where)}`: {detail['msg']}", where, False


def _setting_names(where: KeyPath) -> list[str]:
    """The keys allowed in the mapping at ``where`` (for "did you mean")."""
    model: type[Model] = ConfigFile
    for part in where:
        annotation = next((f.annotation for f in model.model_fields.values() if f.alias == part), None)
        if not (isinstance(annotation, type) and issubclass(annotation, Model)):
            return []
        model = annotation
    return [f.alias or name for name, f in model.model_fields.items()]


def _settings(config: ConfigFile, path: Path, locate: Locate | None) -> Settings:
    from relpolicy.rules import lookup  # noqa: PLC0415 - the registry imports every rule module

    def rule_id(key: str, where: KeyPath, *, is_key: bool = False) -> str:
        try:
            return lookup(key).id
        except RelpolicyError as error:
            message = f"`{format_key_path(where)}`: {error.message}"
            raise _error(message, path, locate, where, key=is_key) from None

    def ids(keys: list[str], *where: str) -> frozenset[str]:
        return frozenset(rule_id(key, (*where, index)) for index, key in enumerate(keys))

    return Settings(
        thresholds=config.thresholds,
        roots=tuple(Path(root) for root in config.roots),
        select=ids(config.select, "select"),
        ignore=ids(config.ignore, "ignore"),
        severity={
            rule_id(key, ("severity", key), is_key=True): Severity.parse(value)
            for key, value in config.severity.items()
        },
        per_path_ignores=tuple(
            (glob, ids(keys, "perPathIgnores", glob)) for glob, keys in config.per_path_ignores.items()
        ),
        exclude=tuple(config.exclude),
        fail_on=config.fail_on,
        as_of=config.as_of,
        source=str(path),
        cache_dir=None if config.cache_dir is None else Path(config.cache_dir),
        runbook_base_url=config.runbook_base_url,
    )
