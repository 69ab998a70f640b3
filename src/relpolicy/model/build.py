"""From parsed documents to validated resources: RP103 schema-violation and RP104 unknown kind.

Validation runs the pydantic models, clean documents through each kind's fast validator
(``model/fast.py``); ``schemas/`` is generated from the same models, and
tests check that both accept and reject the same documents. pydantic reports each error with a
``loc`` that is a key path into the document, which :class:`PositionIndex` turns into the exact
line and column; messages are rewritten to say what to write instead.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal, get_args, get_origin

from pydantic import BaseModel, ValidationError

from relpolicy.findings import Problem
from relpolicy.fixes import Fix, replace, unambiguous_match, yaml_scalar
from relpolicy.model.base import Resource
from relpolicy.model.fast import fast_validator
from relpolicy.model.foreign import foreign_format
from relpolicy.model.foreign import message as foreign_message
from relpolicy.model.kinds import LANGUAGE, Language, Migration
from relpolicy.model.shapes import item_shape, models, value_shape
from relpolicy.model.types import CUSTOM_ERROR_PREFIX, EMPTY_VALUE_ERROR, _describe
from relpolicy.source.parse import ParsedDocument
from relpolicy.source.positions import KeyPath, format_key_path
from relpolicy.suggestions import Names


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a resource was written: its document, for locating any of its nodes."""

    document: ParsedDocument

    @property
    def file(self) -> str:
        """The file's display path."""
        return self.document.positions.file


@dataclass(frozen=True, slots=True)
class Built:
    """A validated resource and where it came from."""

    resource: Resource
    origin: Origin


@dataclass(slots=True)
class BuildResult:
    """Validated resources, the problems found, and the names of documents that failed validation.

    A document with a schema violation is left out of the policy checks, but its name still
    exists: references to it are not reported again as unknown.
    """

    built: list[Built]
    problems: list[Problem]
    invalid_names: set[tuple[str, str]]


def closest_name(word: str, choices: Iterable[str]) -> str | None:
    """The choice that ``word`` is most likely a typo of, if any (as ``difflib.get_close_matches``)."""
    return Names(choices).closest(word)


def did_you_mean(word: str, choices: Iterable[str] | Names) -> str:
    """``", did you mean `owner`?"`` when ``word`` looks like a typo of one of ``choices``.

    Many lookups in the same names should share one :class:`Names` index, with a budget.
    """
    names = choices if isinstance(choices, Names) else Names(choices)
    close = names.closest(word)
    return f", did you mean `{close}`?" if close else ""


def build(
    documents: Sequence[ParsedDocument], language: Language = LANGUAGE, sources: Mapping[str, str] | None = None
) -> BuildResult:
    """Validate every document against its kind's model.

    ``sources`` (file text by display path) lets a message quote a number as it was written:
    YAML reads ``name: 1e999`` as the float ``inf`` and ``0x1F`` as ``31``, which name nothing.
    """
    result = BuildResult([], [], set())
    for document in documents:
        source = sources.get(document.positions.file) if sources is not None else None
        resource = _build_one(document, language, result.problems, source)
        if resource is not None:
            result.built.append(Built(resource, Origin(document)))
        elif foreign_format(document.data) is None and (declared := _declared_name(document.data)) is not None:
            result.invalid_names.add(declared)
    return result


def _declared_name(data: Any) -> tuple[str, str] | None:
    if isinstance(data, dict):
        kind, meta = data.get("kind"), data.get("metadata")
        name = meta.get("name") if isinstance(meta, dict) else None
        if isinstance(kind, str) and isinstance(name, str):
            return kind, name
    return None


def _subject(document: ParsedDocument, path: KeyPath) -> str:
    declared = _declared_name(document.data)
    if declared is not None:
        return f"{declared[0]}/{declared[1]}:{format_key_path(path)}"
    return f"{document.positions.file}#{document.index}:{format_key_path(path)}"


def _problem(rule_id: str, message: str, document: ParsedDocument, path: KeyPath, *, key: bool = False) -> Problem:
    return Problem(rule_id, message, document.positions.locate(path, key=key), _subject(document, path))


def _build_one(
    document: ParsedDocument, language: Language, problems: list[Problem], source: str | None = None
) -> Resource | None:
    data = document.data
    if not isinstance(data, dict):
        problems.append(
            _problem(
                "RP103",
                f"a policy document must be a mapping with apiVersion, kind, metadata and spec, not {_describe(data)}",
                document,
                (),
            )
        )
        return None
    model = _select_model(document, language, problems, source)
    if model is None:
        return None
    deprecation = language.deprecated.get(data["apiVersion"])
    if deprecation is not None:
        problem = _problem(
            "RP106", f"apiVersion `{data['apiVersion']}` is deprecated: {deprecation}", document, ("apiVersion",)
        )
        migration = language.migrations.get(data["apiVersion"])
        if migration is not None:
            problem = dataclasses.replace(problem, fix=_migration_fix(problem, migration, document))
        problems.append(problem)
    try:
        resource: Resource = fast_validator(model).validate_python(data)
    except ValidationError:
        pass  # the model says whether it accepts the document after all, and what is wrong if not
    else:
        return resource
    try:
        return model.model_validate(data)
    except ValidationError as error:
        problems.extend(_schema_problems(error, model, document, source))
        return None


def _migration_fix(problem: Problem, migration: Migration, document: ParsedDocument) -> Fix:
    """Write the successor apiVersion and rename the fields that moved (those the document has)."""
    version = replace(problem.location, yaml_scalar(migration.to), "")
    replacements = list(version.replacements)
    renamed = []
    for path, new_name in migration.renamed.get(str(document.data.get("kind")), {}).items():
        holder = _node_or_none(document.data, path[:-1])
        if isinstance(holder, dict) and path[-1] in holder and new_name not in holder:
            location = document.positions.locate(path, key=True)
            replacements.extend(replace(location, yaml_scalar(new_name), "").replacements)
            renamed.append(f"`{format_key_path(path)}` to `{new_name}`")
    description = f"write apiVersion `{migration.to}`" + (f" and rename {', '.join(renamed)}" if renamed else "")
    return Fix(description, tuple(replacements))


def _node_or_none(data: Any, path: KeyPath) -> Any:
    for part in path:
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data


def _select_model(
    document: ParsedDocument, language: Language, problems: list[Problem], source: str | None
) -> type[Resource] | None:
    data: dict[str, Any] = document.data
    api_version, kind = data.get("apiVersion"), data.get("kind")
    model = language.model(api_version, kind) if isinstance(api_version, str) and isinstance(kind, str) else None
    if model is not None:  # the common case: the lists below are only for messages
        return model
    supported = ", ".join(sorted(language.versions))
    if (foreign := foreign_format(data)) is not None and api_version not in language.versions:
        problems.append(_problem("RP107", foreign_message(foreign), document, (foreign.key,)))
        return None
    if not isinstance(api_version, str) or api_version not in language.versions:
        if api_version is None:
            message = f"missing `apiVersion`; supported: {supported}"
        else:
            shown = _as_written(_describe(api_version), api_version, document, ("apiVersion",), source)
            message = f"unknown apiVersion {shown}; supported: {supported}"
        problems.append(_problem("RP104", message, document, ("apiVersion",)))
        return None
    kinds = sorted(language.versions[api_version])
    listed = ", ".join(kinds)
    if kind is None:
        message = f"missing `kind`; {api_version} has: {listed}"
    else:
        close = closest_name(kind, kinds) if isinstance(kind, str) else None
        hint = f" (did you mean `{close}`?)" if close else ""
        shown = _as_written(_describe(kind), kind, document, ("kind",), source)
        message = f"unknown kind {shown}{hint}; {api_version} has: {listed}"
    problems.append(_problem("RP104", message, document, ("kind",)))
    return None


def _schema_problems(
    error: ValidationError, model: type[Resource], document: ParsedDocument, source: str | None
) -> Iterator[Problem]:
    details = [(detail, *_resolve(document.data, model, detail["loc"])) for detail in error.errors(include_url=False)]
    # A misspelt field is reported once, as unknown with a suggestion, not also as missing.
    suggested = {
        (path[:-1], closest_name(str(path[-1]), fields))
        for detail, path, fields in details
        if detail["type"] == "extra_forbidden"
    }
    seen: set[tuple[KeyPath, str]] = set()
    for detail, resolved, fields in details:
        path = resolved
        if detail["type"] == "missing" and (path, str(detail["loc"][-1])) in suggested:
            continue
        if detail["type"] == "union_tag_invalid":
            path = (*path, str(detail["ctx"]["discriminator"]).strip("'"))  # point at the bad tag
        elif detail["type"].startswith(CUSTOM_ERROR_PREFIX) and "field" in (detail.get("ctx") or {}):
            path = (*path, detail["ctx"]["field"])  # raised for the mapping; point at the field it is about
        message = _message(detail, resolved, fields)
        if (path, message) in seen:
            continue  # a union reports the same problem once per alternative
        seen.add((path, message))
        node = _node(document.data, path)
        message = _as_written(message, node, document, path, source)
        key = detail["type"] in ("extra_forbidden", "missing", EMPTY_VALUE_ERROR) or isinstance(node, dict | list)
        problem = _problem("RP103", message, document, path, key=key)
        if detail["type"] == "extra_forbidden":
            problem = _with_rename(problem, document, path, fields)
        yield problem


def _with_rename(problem: Problem, document: ParsedDocument, path: KeyPath, fields: list[str]) -> Problem:
    """An unknown field that is clearly a typo of an allowed one not written yet gets a fix renaming it."""
    field, holder = str(path[-1]), _node(document.data, path[:-1])
    candidate = unambiguous_match(field, [f for f in fields if f not in holder])
    if candidate is None:
        return problem
    fix = replace(problem.location, yaml_scalar(candidate), f"rename `{field}` to `{candidate}`")
    return dataclasses.replace(problem, fix=fix)


_LINE_BREAK: Final = re.compile("\r\n|[\n\r\x85\u2028\u2029]")
"""Where the YAML reader starts a new line (the positions count lines as it does)."""
_PLAIN_NUMBER: Final = re.compile(r"[-+.0-9A-Za-z_:]+")
"""What a number written as a plain scalar can look like (``1e999``, ``0x1F``, ``.inf``)."""


def _as_written(message: str, value: Any, document: ParsedDocument, path: KeyPath, source: str | None) -> str:
    """``message`` quoting the number ``value`` as the source has it (``1e999``), not as Python shows it (``inf``)."""
    if source is None or isinstance(value, bool) or not isinstance(value, int | float):
        return message
    shown = f"`{value}`"
    if shown not in message or path not in document.positions.values:
        return message
    line, col, end_line, end_col = document.positions.span(path)
    lines = _LINE_BREAK.split(source, maxsplit=line)
    written = lines[line - 1][col - 1 : end_col - 1] if end_line == line and len(lines) >= line else ""
    if written == str(value) or not _PLAIN_NUMBER.fullmatch(written):
        return message
    return message.replace(shown, f"`{written}`", 1)


def _node(data: Any, path: KeyPath) -> Any:
    for part in path:
        data = data[part]
    return data


def _resolve(data: Any, model: type[BaseModel], loc: tuple[int | str, ...]) -> tuple[KeyPath, list[str]]:
    """Follow pydantic's ``loc`` through the data, dropping the parts that are not keys.

    Returns the path of the deepest node that exists and the field names (aliases) allowed in the
    mapping at the parent of the error, for "did you mean" suggestions.
    """
    path: list[str | int] = []
    shape: Any = model
    parent: Any = None
    for part in loc:
        if isinstance(data, dict) and part in data:
            parent = shape
            shape = _field_shape(shape, str(part))
            data = data[part]
            path.append(part)
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            parent = shape
            shape = item_shape(shape)
            data = data[part]
            path.append(part)
        elif isinstance(part, str):
            shape = _union_member(shape, part)
    # For an unknown key the error is about the mapping that holds it; otherwise about the node.
    holder = parent if path and path[-1] == loc[-1] else shape
    return tuple(path), _field_names(holder)


def _field_shape(shape: Any, alias: str) -> Any:
    for model in models(shape):
        for field in model.model_fields.values():
            if field.alias == alias:
                return field.annotation
    return value_shape(shape)


def _union_member(shape: Any, tag: str) -> Any:
    """pydantic names the chosen member of a tagged union by its tag; pick that member."""
    for model in models(shape):
        for field in model.model_fields.values():
            if get_origin(field.annotation) is Literal and tag in get_args(field.annotation):
                return model
    return shape


def _field_names(shape: Any) -> list[str]:
    return [field.alias or name for model in models(shape) for name, field in model.model_fields.items()]


def _message(detail: Any, path: KeyPath, fields: list[str]) -> str:
    kind: str = detail["type"]
    value = detail.get("input")
    ctx = detail.get("ctx") or {}
    where = format_key_path(path)
    field = str(detail["loc"][-1]) if detail["loc"] else ""
    match kind:
        case "extra_forbidden":
            allowed = [f for f in fields if f != field]
            return f"unknown field `{field}` in {where[: where.rfind('.')] or 'the document'}" + (
                did_you_mean(field, allowed) or f"; allowed: {', '.join(sorted(allowed))}"
            )
        case "missing":
            return f"missing required field `{field}` in {where}"
        case "literal_error":
            return f"{_describe(value)} is not allowed here: expected {_ticks(ctx.get('expected'))}"
        case "union_tag_invalid":
            return (
                f"{_describe(ctx.get('tag'))} is not a known {_ticks(ctx.get('discriminator'))}: "
                f"expected {_ticks(ctx.get('expected_tags'))}"
            )
        case "union_tag_not_found":
            return f"missing required field {_ticks(ctx.get('discriminator'))} in {where}"
        case "list_type":
            return f"`{where}` must be a list, not {_describe(value)}"
        case "dict_type" | "model_type" | "model_attributes_type":
            return f"`{where}` must be a mapping, not {_describe(value)}"
        case "too_short":
            return f"`{where}` needs at least {ctx.get('min_length')} item(s)"
    if kind.startswith(CUSTOM_ERROR_PREFIX):
        return str(detail["msg"])
    return f"{detail['msg']} (got {_describe(value)})"


def _ticks(text: object) -> str:
    """pydantic quotes names with ' where our messages use backticks."""
    return str(text).replace("'", "`")
