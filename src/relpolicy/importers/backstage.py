"""Backstage catalog entities as relpolicy Services and Teams: what maps, and a located note for what does not.

Reading (:func:`read_catalog`): every YAML document of every file given (``---`` separated),
following ``kind: Location`` entities through ``spec.target`` / ``spec.targets`` (paths relative
to the Location's file; ``*`` globs allowed, as Backstage's file locations allow). A target that
is missing, a URL (not fetched), or a Location that leads back to a file on its own chain (a loop)
is a note at the target's ``file:line:col``. A file read twice through two Locations is read once.

Mapping (:func:`map_catalog`):

- ``Component`` (any ``spec.type``) and ``Resource`` -> ``Service``: ``metadata.description``
  (or, when missing, a placeholder with a TODO), ``metadata.title`` -> ``displayName``,
  ``metadata.links`` -> ``runbook.links``, ``metadata.labels`` and ``annotations`` as they are,
  ``metadata.tags`` -> the annotation ``backstage.io/tags``; ``spec.type``, ``spec.system`` and
  the system's ``spec.domain`` -> the labels ``type``, ``system``, ``domain``; ``spec.owner`` ->
  ``owner`` (a Group; a User owner is noted, as relpolicy owners are teams);
  ``spec.lifecycle`` -> ``lifecycle`` (``experimental``, ``production``, ``deprecated``,
  case-insensitive; any other value is noted); ``spec.dependsOn`` (and the reverse
  ``spec.dependencyOf`` of other entities) -> ``dependsOn``.
- Entity references are read as Backstage reads them, ``[kind:][namespace/]name``, kinds
  case-insensitive, the namespace defaulting to the referring entity's. A ``dependsOn`` ref
  without a kind is looked up as a Component, then a Resource; ``owner`` defaults to ``group``.
- A dependency is ``hard`` unless it is marked soft: the depended-on entity has the annotation
  ``relpolicy.dev/dependency-type: soft`` or the tag ``soft-dependency`` (every edge into it is
  soft), or the depending entity lists the ref in its annotation
  ``relpolicy.dev/soft-dependencies`` (comma-separated refs).
- Tier: the annotation named by ``Options.tier_annotation`` (default ``relpolicy.dev/tier``),
  else a label of that name or ``tier``, else a tag ``tier-N`` / ``tierN``; values ``1``-``4``
  (or ``tier-1``...). Without one, ``Options.default_tier`` (2) is written with a ``# TODO``
  comment and the service is reported.
- ``Group`` -> ``Team``: members are the ``User`` entities whose ``spec.memberOf`` names the
  group or whom the group's ``spec.members`` names, with ``spec.profile.displayName`` (else the
  name) and ``spec.profile.email``; a user without an email is noted and left out, and a group
  with no member left is not written (relpolicy teams have members) but noted. ``coverage``
  (required by relpolicy, absent from Backstage) is ``Options.coverage`` (``always``) with a TODO.
- Names: lowercased with other characters than ``a-z0-9-`` turned into ``-``. An entity outside
  the ``default`` namespace whose name another entity of the same relpolicy kind also has becomes
  ``<namespace>-<name>``; a clash that remains is an error note.
- Not mapped, each with a note: ``API``, ``Template``, ``System``, ``Domain`` and unknown kinds,
  refs to entities of other kinds, refs to entities not in the input (still written, so that
  ``relpolicy check`` reports them), and spec fields relpolicy has no place for.

Each written document records the fields that came from the catalog in the annotation
``relpolicy.dev/imported-fields`` (see :mod:`relpolicy.importers.regenerate`, which rewrites only
those on the next import). Placeholders (a default tier, description or coverage) are written only
when the key is absent, and are not recorded: once a person sets them, the import keeps their value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Final

from relpolicy.errors import RelpolicyError
from relpolicy.findings import Note
from relpolicy.importers._shared import Source, get
from relpolicy.model.base import API_VERSION
from relpolicy.model.types import EMAIL_PATTERN, LABEL_KEY_PATTERN, NAME_PATTERN
from relpolicy.source.parse import ParsedDocument, parse_yaml

KeyPath = tuple[str, ...]

IMPORTED_FIELDS: Final = "relpolicy.dev/imported-fields"
"""The annotation listing the fields the import owns (rewritten by the next import)."""
ENTITY_REF: Final = "backstage.io/entity-ref"
"""The annotation naming the entity a document was made from (``component:default/checkout``)."""
TAGS: Final = "backstage.io/tags"
DEPENDENCY_TYPE: Final = "relpolicy.dev/dependency-type"
SOFT_DEPENDENCIES: Final = "relpolicy.dev/soft-dependencies"
SOFT_TAG: Final = "soft-dependency"
DEFAULT_NAMESPACE: Final = "default"

_NAME: Final = re.compile(NAME_PATTERN.replace("$", r"\Z"))
_LABEL_KEY: Final = re.compile(LABEL_KEY_PATTERN.replace("$", r"\Z"))
_EMAIL: Final = re.compile(EMAIL_PATTERN.replace("$", r"\Z"))
_REF: Final = re.compile(r"(?:([^:/\s]+):)?(?:([^:/\s]+)/)?([^:/\s]+)")
_TIER: Final = re.compile(r"(?:tier[-_ ]?)?([1-4])", re.IGNORECASE)
_TIER_TAG: Final = re.compile(r"tier-?([1-4])")
_LIFECYCLES: Final = ("experimental", "production", "deprecated")
_SERVICE_KINDS: Final = ("component", "resource")
_NOT_MAPPED: Final = {
    "api": "relpolicy has no APIs: the component that provides it is the service (use dependsOn on it)",
    "template": "a software template creates services; it is not one",
    "system": "not a service; its name is the `system` label of its components (and its domain their `domain`)",
    "domain": "not a service; its name is the `domain` label of the components of its systems",
}
_MAPPED_SPEC: Final = {
    "component": frozenset({"type", "lifecycle", "owner", "system", "dependsOn", "dependencyOf"}),
    "resource": frozenset({"type", "owner", "system", "dependsOn", "dependencyOf", "lifecycle"}),
    "group": frozenset({"type", "members", "profile"}),
    "user": frozenset({"memberOf", "profile"}),
}
_MAPPED_META: Final = frozenset(
    {"name", "namespace", "title", "description", "labels", "annotations", "tags", "links", "uid", "etag"}
)


@dataclass(frozen=True, slots=True)
class Options:
    """What the catalog does not say and the user may choose."""

    tier_annotation: str = "relpolicy.dev/tier"
    default_tier: int = 2
    coverage: str = "always"


@dataclass(frozen=True, slots=True)
class Entity:
    """One catalog entity and the document it is in."""

    source: Source
    kind: str
    namespace: str
    name: str

    @property
    def key(self) -> tuple[str, str, str]:
        """Backstage compares refs case-insensitively."""
        return (self.kind.lower(), self.namespace.lower(), self.name.lower())

    @property
    def ref(self) -> str:
        """``component:default/checkout``."""
        return f"{self.kind.lower()}:{self.namespace}/{self.name}"

    @property
    def where(self) -> str:
        """``catalog/a.yaml:3`` (the document's ``kind``)."""
        here = self.source.at("kind")
        return f"{here.path}:{here.line}"

    def spec(self, *path: str | int) -> Any:
        """A value under ``spec``."""
        return get(self.source.data, "spec", *path)

    def meta(self, *path: str | int) -> Any:
        """A value under ``metadata``."""
        return get(self.source.data, "metadata", *path)


@dataclass(slots=True)
class Catalog:
    """The entities read, in input order, and what was wrong while reading."""

    entities: list[Entity] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    files: int = 0


@dataclass(frozen=True, slots=True)
class Generated:
    """One relpolicy document to write, with what the import owns in it."""

    folder: str
    """``services`` or ``teams``."""
    name: str
    owned: dict[KeyPath, Any]
    """The fields that came from the catalog, by key path (rewritten on every import)."""
    placeholders: dict[KeyPath, tuple[Any, str]]
    """Required fields the catalog has not: value and TODO comment (written only when absent)."""
    origin: str
    """``component:default/checkout from catalog/a.yaml:3``."""

    @property
    def file(self) -> str:
        """``services/checkout.yaml``."""
        return f"{self.folder}/{self.name}.yaml"


@dataclass(slots=True)
class Mapped:
    """What :func:`map_catalog` made of a catalog."""

    documents: list[Generated] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    not_mapped: dict[str, int] = field(default_factory=dict)
    """Entities not mapped, counted by kind."""

    def items(self, entity: Entity, *path: str) -> list[Any]:
        """The list at ``path`` of ``entity`` (empty when absent); a note when it is something else."""
        value = get(entity.source.data, *path)
        if value is None:
            return []
        if not isinstance(value, list):
            self.note(entity.source, path, f"{entity.ref}: `{'.'.join(path)}` is not a list; not mapped")
            return []
        return value

    def note(self, source: Source, path: tuple[str | int, ...], message: str, *, error: bool = False) -> None:
        """A note (or an error note) at ``path`` of ``source``."""
        self.notes.append(Note(source.at(*path), message, "error" if error else "note"))


# --- Reading ------------------------------------------------------------------------------------


def read_catalog(paths: Sequence[Path], read: Callable[[Path], str], show: Callable[[Path], str]) -> Catalog:
    """Every entity of the files ``paths`` and of the files their Locations lead to.

    ``read`` returns a file's text (raising :class:`OSError` or :class:`RelpolicyError` when it
    cannot), ``show`` the path as messages show it. An unreadable file given by the user raises;
    one reached through a Location is a note.
    """
    catalog = Catalog()
    seen: set[Path] = set()

    def visit(path: Path, chain: tuple[Path, ...], via: tuple[Source, tuple[str | int, ...]] | None) -> None:
        resolved = Path(_normal(path))
        if resolved in chain:
            assert via is not None  # noqa: S101 - a top-level file has an empty chain
            loop = " -> ".join(show(p) for p in (*chain[chain.index(resolved) :], resolved))
            catalog.notes.append(Note(via[0].at(*via[1]), f"Location loop not followed: {loop}"))
            return
        if resolved in seen:
            return
        seen.add(resolved)
        try:
            text = read(path)
        except (OSError, RelpolicyError) as error:
            if via is None:
                raise
            target = get(via[0].data, *via[1])
            why = "it is missing" if not path.exists() else str(error)
            catalog.notes.append(
                Note(via[0].at(*via[1]), f"Location target `{target}` ({show(path)}) not read: {why}", "error")
            )
            return
        catalog.files += 1
        parsed = parse_yaml(text, show(path))
        catalog.notes.extend(Note(p.location, p.message, "error") for p in parsed.problems)
        for document in parsed.documents:
            _entity(document, (*chain, resolved), catalog, visit)

    for path in paths:
        visit(path, (), None)
    return catalog


Visit = Callable[[Path, tuple[Path, ...], tuple[Source, tuple[str | int, ...]] | None], None]


def _normal(path: Path) -> str:
    """The path with ``..`` and ``.`` resolved textually (links are not followed)."""
    import os.path  # noqa: PLC0415 - only here

    return os.path.normpath(path.absolute())


def _entity(document: ParsedDocument, chain: tuple[Path, ...], catalog: Catalog, visit: Visit) -> None:
    source = Source(document)
    data = document.data
    if data is None:
        return  # an empty document (a trailing ---)
    if not isinstance(data, dict):
        catalog.notes.append(Note(source.at(), "not a mapping: not a Backstage entity; skipped", "error"))
        return
    api_version, kind, name = data.get("apiVersion"), data.get("kind"), get(data, "metadata", "name")
    if not isinstance(api_version, str) or not isinstance(kind, str) or not isinstance(name, str):
        catalog.notes.append(
            Note(
                source.at(),
                "not a Backstage entity (it needs `apiVersion`, `kind` and `metadata.name`); skipped",
                "error",
            )
        )
        return
    namespace = get(data, "metadata", "namespace")
    entity = Entity(source, kind, namespace if isinstance(namespace, str) else DEFAULT_NAMESPACE, name)
    if kind.lower() == "location":
        _follow(entity, chain, catalog, visit)
        return
    catalog.entities.append(entity)


def _follow(location: Entity, chain: tuple[Path, ...], catalog: Catalog, visit: Visit) -> None:
    source = location.source
    targets: list[tuple[object, tuple[str | int, ...]]] = []
    if location.spec("target") is not None:
        targets.append((location.spec("target"), ("spec", "target")))
    listed = location.spec("targets")
    if listed is not None and not isinstance(listed, list):
        catalog.notes.append(Note(source.at("spec", "targets"), "`spec.targets` must be a list of paths", "error"))
    for index, target in enumerate(listed if isinstance(listed, list) else []):
        targets.append((target, ("spec", "targets", index)))
    if not targets:
        catalog.notes.append(Note(source.at("spec"), f"Location `{location.name}` has no target or targets"))
    kind = location.spec("type")
    base = chain[-1].parent
    optional = location.spec("presence") == "optional"
    for target, path in targets:
        if not isinstance(target, str) or not target.strip():
            catalog.notes.append(Note(source.at(*path), "a Location target must be a path; skipped", "error"))
            continue
        if (kind not in {None, "file"}) or re.match(r"[a-z][a-z0-9+.-]*://", target):
            catalog.notes.append(
                Note(source.at(*path), f"Location target `{target}` not followed: only file paths are read, not URLs")
            )
            continue
        relative = PurePosixPath(target)
        if relative.is_absolute():
            catalog.notes.append(
                Note(source.at(*path), f"Location target `{target}` not followed: it must be relative to its file")
            )
            continue
        if any(ch in target for ch in "*?["):
            matches = sorted(p for p in base.glob(str(relative)) if p.is_file())
            if not matches and not optional:
                catalog.notes.append(Note(source.at(*path), f"Location target `{target}` matches no file", "error"))
            for match in matches:
                visit(match, chain, (source, path))
            continue
        file = base / relative
        if optional and not file.exists():
            catalog.notes.append(Note(source.at(*path), f"optional Location target `{target}` is missing; skipped"))
            continue
        visit(file, chain, (source, path))


# --- Mapping ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Index:
    """Entities by key, and the relpolicy names given to services and teams."""

    by_key: dict[tuple[str, str, str], Entity]
    names: dict[tuple[str, str, str], str]


def slug(name: str) -> str:
    """A relpolicy name for a Backstage name: ``Payments_API.v2`` -> ``payments-api-v2``."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:63].strip("-")


def _names(entities: list[Entity], kinds: tuple[str, ...], mapped: Mapped) -> dict[tuple[str, str, str], str]:
    chosen = [e for e in entities if e.kind.lower() in kinds]
    counts: dict[str, int] = {}
    for entity in chosen:
        counts[slug(entity.name)] = counts.get(slug(entity.name), 0) + 1
    names: dict[tuple[str, str, str], str] = {}
    taken: dict[str, Entity] = {}
    for entity in chosen:
        name = slug(entity.name)
        if counts[name] > 1 and entity.namespace.lower() != DEFAULT_NAMESPACE:
            name = slug(f"{entity.namespace}-{entity.name}")
        if not _NAME.match(name):
            mapped.note(entity.source, ("metadata", "name"), f"{entity.ref}: no relpolicy name can be made", error=True)
            continue
        if name in taken:
            other = taken[name]
            mapped.note(
                entity.source,
                ("metadata", "name"),
                f"{entity.ref} not imported: its relpolicy name `{name}` is already {other.ref} ({other.where})",
                error=True,
            )
            continue
        taken[name] = entity
        names[entity.key] = name
    return names


def map_catalog(catalog: Catalog, options: Options) -> Mapped:
    """Relpolicy Services and Teams for the entities of ``catalog``, and notes for what does not map."""
    mapped = Mapped()
    by_key: dict[tuple[str, str, str], Entity] = {}
    for entity in catalog.entities:
        if entity.key in by_key:
            mapped.note(
                entity.source,
                ("metadata", "name"),
                f"{entity.ref} is also at {by_key[entity.key].where}; this copy is skipped",
                error=True,
            )
            continue
        by_key[entity.key] = entity
    entities = list(by_key.values())
    names = _names(entities, _SERVICE_KINDS, mapped) | _names(entities, ("group",), mapped)
    index = _Index(by_key, names)
    reverse = _reverse_dependencies(entities, index, mapped)
    members = _members(entities, index, mapped)
    in_groups = {user.key for users in members.values() for user in users}
    for entity in entities:
        kind = entity.kind.lower()
        if kind == "user" and entity.key not in in_groups:
            mapped.note(entity.source, ("kind",), f"{entity.ref} is in no group of the catalog read; not written")
        if kind in _SERVICE_KINDS:
            if entity.key in names:
                mapped.documents.append(_service(entity, index, reverse.get(entity.key, []), options, mapped))
        elif kind == "group":
            if entity.key in names:
                team = _team(entity, index, members.get(entity.key, []), options, mapped)
                if team is not None:
                    mapped.documents.append(team)
        elif kind != "user":
            why = _NOT_MAPPED.get(kind, "not a kind relpolicy maps (Component, Resource, Group, User, Location)")
            mapped.not_mapped[entity.kind] = mapped.not_mapped.get(entity.kind, 0) + 1
            mapped.note(entity.source, ("kind",), f"{entity.ref} not mapped: {why}")
    mapped.notes.extend(catalog.notes)
    return mapped


def _parse_ref(text: object, entity: Entity) -> tuple[str | None, str, str] | None:
    if not isinstance(text, str):
        return None
    match = _REF.fullmatch(text.strip())
    if match is None:
        return None
    kind, namespace, name = match.groups()
    return (kind.lower() if kind else None, (namespace or entity.namespace).lower(), name.lower())


def _resolve(  # noqa: PLR0913, PLR0917 - the ref, where it is written, what it may name, and the lookups
    text: object, entity: Entity, path: tuple[str | int, ...], kinds: tuple[str, ...], index: _Index, mapped: Mapped
) -> tuple[Entity | None, str | None, tuple[str, str, str] | None]:
    """The entity a ref names (or None), the relpolicy name to write (or None), and the ref's key."""
    ref = _parse_ref(text, entity)
    if ref is None:
        mapped.note(entity.source, path, f"{entity.ref}: `{text}` is not an entity reference; not mapped")
        return None, None, None
    kind, namespace, name = ref
    candidates = (kind,) if kind else kinds
    if kind is not None and kind not in kinds:
        mapped.note(
            entity.source,
            path,
            f"{entity.ref}: `{text}` names an entity of kind `{kind}`, not {' or '.join(kinds)}; not mapped",
        )
        return None, None, None
    for candidate in candidates:
        found = index.by_key.get((candidate, namespace, name))
        if found is not None:
            return found, index.names.get(found.key), found.key
    written = slug(name if namespace == DEFAULT_NAMESPACE else f"{namespace}-{name}")
    mapped.note(
        entity.source,
        path,
        f"{entity.ref}: `{text}` is not in the catalog read; written as `{written}` for `relpolicy check` to report",
    )
    return None, written if _NAME.match(written) else None, ((candidates[0], namespace, name))


def _reverse_dependencies(
    entities: list[Entity], index: _Index, mapped: Mapped
) -> dict[tuple[str, str, str], list[tuple[Entity, int]]]:
    """``spec.dependencyOf`` read backwards: the entities each entity is declared a dependency of."""
    out: dict[tuple[str, str, str], list[tuple[Entity, int]]] = {}
    for entity in entities:
        if entity.kind.lower() not in _SERVICE_KINDS:
            continue
        for position, text in enumerate(mapped.items(entity, "spec", "dependencyOf")):
            path = ("spec", "dependencyOf", position)
            dependent, _, _ = _resolve(text, entity, path, _SERVICE_KINDS, index, mapped)
            if dependent is not None:
                out.setdefault(dependent.key, []).append((entity, position))
    return out


def _members(entities: list[Entity], index: _Index, mapped: Mapped) -> dict[tuple[str, str, str], list[Entity]]:
    out: dict[tuple[str, str, str], list[Entity]] = {}

    def add(group: tuple[str, str, str], user: Entity) -> None:
        if user not in out.setdefault(group, []):
            out[group].append(user)

    for entity in entities:
        kind = entity.kind.lower()
        if kind == "user":
            for position, text in enumerate(mapped.items(entity, "spec", "memberOf")):
                group, _, _ = _resolve(text, entity, ("spec", "memberOf", position), ("group",), index, mapped)
                if group is not None:
                    add(group.key, entity)
        elif kind == "group":
            for position, text in enumerate(mapped.items(entity, "spec", "members")):
                user, _, _ = _resolve(text, entity, ("spec", "members", position), ("user",), index, mapped)
                if user is not None:
                    add(entity.key, user)
    return out


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _common(entity: Entity, name: str, kind: str, mapped: Mapped) -> dict[KeyPath, Any]:
    """The fields every document gets: envelope, display name, labels and annotations."""
    owned: dict[KeyPath, Any] = {
        ("apiVersion",): API_VERSION,
        ("kind",): kind,
        ("metadata", "name"): name,
        ("metadata", "annotations", ENTITY_REF): entity.ref,
    }
    title = _text(entity.meta("title")) or _text(entity.spec("profile", "displayName"))
    if title is not None:
        owned[("metadata", "displayName")] = title
    for field_name in ("labels", "annotations"):
        values = entity.meta(field_name)
        if values is None:
            continue
        if not isinstance(values, dict):
            mapped.note(entity.source, ("metadata", field_name), f"{entity.ref}: `metadata.{field_name}` not a mapping")
            continue
        for key, value in values.items():
            path = ("metadata", field_name, key)
            if not _LABEL_KEY.match(str(key)):
                mapped.note(entity.source, path, f"{entity.ref}: {field_name[:-1]} key `{key}` not a relpolicy key")
            elif isinstance(value, bool) or not isinstance(value, str | int | float):
                mapped.note(entity.source, path, f"{entity.ref}: {field_name[:-1]} `{key}` is not a single value")
            else:
                owned[("metadata", field_name, key)] = str(value)
    tags = mapped.items(entity, "metadata", "tags")
    if tags:
        owned[("metadata", "annotations", TAGS)] = ", ".join(str(tag) for tag in tags)
    for key in entity.source.data.get("metadata", {}):
        if key not in _MAPPED_META:
            mapped.note(entity.source, ("metadata", key), f"{entity.ref}: `metadata.{key}` not mapped", error=False)
    spec = entity.source.data.get("spec")
    for key in spec if isinstance(spec, dict) else ():
        if key not in _MAPPED_SPEC.get(entity.kind.lower(), frozenset()):
            mapped.note(entity.source, ("spec", key), f"{entity.ref}: `spec.{key}` not mapped")
    return owned


def _tags(entity: Entity) -> list[str]:
    tags = entity.meta("tags")
    return [str(tag).lower() for tag in tags] if isinstance(tags, list) else []


def _tier(entity: Entity, options: Options, mapped: Mapped) -> int | None:
    sources: list[tuple[tuple[str | int, ...], object]] = [
        (("metadata", "annotations", options.tier_annotation), entity.meta("annotations", options.tier_annotation)),
        (("metadata", "labels", options.tier_annotation), entity.meta("labels", options.tier_annotation)),
        (("metadata", "labels", "tier"), entity.meta("labels", "tier")),
    ]
    for path, value in sources:
        if value is None:
            continue
        match = _TIER.fullmatch(str(value).strip())
        if match is not None:
            return int(match[1])
        mapped.note(entity.source, path, f"{entity.ref}: tier `{value}` is not 1-4 (or tier-1 to tier-4); ignored")
    for tag in _tags(entity):
        match = _TIER_TAG.fullmatch(tag)
        if match is not None:
            return int(match[1])
    return None


def _service(
    entity: Entity, index: _Index, dependency_of: list[tuple[Entity, int]], options: Options, mapped: Mapped
) -> Generated:
    name = index.names[entity.key]
    owned = _common(entity, name, "Service", mapped)
    placeholders: dict[KeyPath, tuple[Any, str]] = {}
    description = _text(entity.meta("description"))
    if description is not None:
        owned[("spec", "description")] = description
    else:
        placeholders[("spec", "description")] = (
            f"{_text(entity.meta('title')) or entity.name} ({entity.kind} imported from Backstage)",
            "TODO: describe the service (the catalog entity has no metadata.description)",
        )
        mapped.note(entity.source, ("metadata",), f"{entity.ref}: no metadata.description; a placeholder is written")
    for label, value in (("type", entity.spec("type")), ("system", _system_name(entity))):
        if _text(value) is not None:
            owned[("metadata", "labels", label)] = slug(str(value)) or str(value)
    domain = _domain(entity, index)
    if domain is not None:
        owned[("metadata", "labels", "domain")] = domain
    tier = _tier(entity, options, mapped)
    if tier is not None:
        owned[("spec", "tier")] = tier
    else:
        placeholders[("spec", "tier")] = (
            options.default_tier,
            (
                f"TODO: no tier in the catalog (annotation {options.tier_annotation}, label tier or tag tier-N); "
                f"{options.default_tier} assumed"
            ),
        )
        mapped.note(
            entity.source,
            ("kind",),
            f"{entity.ref}: no tier (annotation {options.tier_annotation}, label or tag tier-N); "
            f"written as tier {options.default_tier} with a TODO",
        )
    _owner(entity, index, owned, mapped)
    lifecycle = entity.spec("lifecycle")
    if lifecycle is not None:
        if isinstance(lifecycle, str) and lifecycle.lower() in _LIFECYCLES:
            owned[("spec", "lifecycle")] = lifecycle.lower()
        else:
            mapped.note(
                entity.source,
                ("spec", "lifecycle"),
                f"{entity.ref}: lifecycle `{lifecycle}` not mapped: relpolicy has {', '.join(_LIFECYCLES)}",
            )
    dependencies = list(_dependencies(entity, index, dependency_of, mapped))
    if dependencies:
        owned[("spec", "dependsOn")] = dependencies
    links = _links(entity, mapped)
    if links:
        owned[("spec", "runbook", "links")] = links
    return Generated("services", name, owned, placeholders, f"{entity.ref} from {entity.where}")


def _system_name(entity: Entity) -> str | None:
    parsed = _parse_ref(entity.spec("system"), entity)
    return parsed[2] if parsed is not None else None


def _domain(entity: Entity, index: _Index) -> str | None:
    parsed = _parse_ref(entity.spec("system"), entity)
    if parsed is None:
        return None
    system = index.by_key.get(("system", parsed[1], parsed[2]))
    if system is None:
        return None
    domain = _parse_ref(system.spec("domain"), system)
    return slug(domain[2]) if domain is not None else None


def _owner(entity: Entity, index: _Index, owned: dict[KeyPath, Any], mapped: Mapped) -> None:
    owner = entity.spec("owner")
    if owner is None:
        mapped.note(entity.source, ("spec",), f"{entity.ref}: no spec.owner")
        return
    ref = _parse_ref(owner, entity)
    if ref is not None and ref[0] == "user":
        mapped.note(
            entity.source,
            ("spec", "owner"),
            f"{entity.ref}: owner `{owner}` is a user; relpolicy owners are teams, so no owner is written",
        )
        return
    _, name, _ = _resolve(owner, entity, ("spec", "owner"), ("group",), index, mapped)
    if name is not None:
        owned[("spec", "owner")] = name


def _is_soft(entity: Entity, target: Entity | None, key: tuple[str, str, str] | None) -> bool:
    if target is not None and (
        str(target.meta("annotations", DEPENDENCY_TYPE) or "").lower() == "soft" or SOFT_TAG in _tags(target)
    ):
        return True
    listed = entity.meta("annotations", SOFT_DEPENDENCIES)
    if not isinstance(listed, str) or key is None:
        return False
    for text in listed.split(","):
        ref = _parse_ref(text, entity)
        if ref is not None and ref[1:] == key[1:] and ref[0] in {None, key[0]}:
            return True
    return False


def _dependencies(
    entity: Entity, index: _Index, dependency_of: list[tuple[Entity, int]], mapped: Mapped
) -> Iterator[dict[str, str]]:
    written: set[str] = set()
    for position, text in enumerate(mapped.items(entity, "spec", "dependsOn")):
        target, name, key = _resolve(text, entity, ("spec", "dependsOn", position), _SERVICE_KINDS, index, mapped)
        if name is None or name in written:
            continue
        written.add(name)
        yield {"service": name, **({"type": "soft"} if _is_soft(entity, target, key) else {})}
    for other, _ in dependency_of:
        name = index.names.get(other.key)
        if name is not None and name not in written:
            written.add(name)
            yield {"service": name, **({"type": "soft"} if _is_soft(entity, other, other.key) else {})}


def _links(entity: Entity, mapped: Mapped) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for position, link in enumerate(mapped.items(entity, "metadata", "links")):
        url = _text(get(link, "url"))
        if url is None:
            mapped.note(entity.source, ("metadata", "links", position), f"{entity.ref}: a link without a url; skipped")
            continue
        out.append({"title": _text(get(link, "title")) or url, "url": url})
    return out


def _team(entity: Entity, index: _Index, users: list[Entity], options: Options, mapped: Mapped) -> Generated | None:
    name = index.names[entity.key]
    owned = _common(entity, name, "Team", mapped)
    description = _text(entity.meta("description"))
    if description is not None:
        owned[("spec", "description")] = description
    members: list[dict[str, str]] = []
    for user in users:
        email = _text(user.spec("profile", "email"))
        if email is None or not _EMAIL.match(email):
            mapped.note(
                user.source,
                ("spec", "profile"),
                f"{user.ref}: no valid spec.profile.email; not a member of team `{name}` (relpolicy members need one)",
            )
            continue
        members.append({"name": _text(user.spec("profile", "displayName")) or user.name, "email": email})
    if not members:
        mapped.note(
            entity.source,
            ("kind",),
            f"{entity.ref} not written: no member with an email (User spec.memberOf / Group spec.members); "
            "the services it owns name an unknown team until it has one",
            error=True,
        )
        return None
    owned[("spec", "members")] = members
    if entity.spec("profile", "email") is not None:
        mapped.note(
            entity.source,
            ("spec", "profile", "email"),
            f"{entity.ref}: the group's own email not mapped: relpolicy teams are reached through their members",
        )
    placeholders: dict[KeyPath, tuple[Any, str]] = {
        ("spec", "coverage"): (
            options.coverage,
            f"TODO: Backstage does not say when the team answers; `{options.coverage}` assumed",
        )
    }
    return Generated("teams", name, owned, placeholders, f"{entity.ref} from {entity.where}")
