"""What the importers share: notes with source locations, and relpolicy documents checked and laid out."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Final

import yaml

from relpolicy.findings import Location, Note
from relpolicy.model.base import API_VERSION
from relpolicy.model.types import LABEL_KEY_PATTERN
from relpolicy.source.parse import ParsedDocument, parse_yaml
from relpolicy.source.positions import KeyPath, format_key_path

_LABEL_KEY: Final = re.compile(LABEL_KEY_PATTERN.replace("$", r"\Z"))
_QUERY_WINDOW: Final = re.compile(r"\{\{ *\.window *\}\}")


@dataclass(frozen=True, slots=True)
class Document:
    """A relpolicy document to write, and where it came from (a comment above it)."""

    data: dict[str, Any]
    origin: str


@dataclass(slots=True)
class Imported:
    """Relpolicy documents by output file name (``<service>.yaml``), in input order, and the notes."""

    files: dict[str, list[Document]] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)

    def add(self, service: str, document: Document) -> None:
        """Put ``document`` in the file of ``service``."""
        self.files.setdefault(f"{service}.yaml", []).append(document)

    @property
    def errors(self) -> int:
        """How many documents were not imported."""
        return sum(note.severity == "error" for note in self.notes)

    @property
    def documents(self) -> int:
        """How many documents are written."""
        return sum(len(documents) for documents in self.files.values())


@dataclass(frozen=True, slots=True)
class Source:
    """One input document, to say where a field is."""

    document: ParsedDocument

    @property
    def data(self) -> Any:
        """The document's plain data."""
        return self.document.data

    def at(self, *path: str | int, key: bool = False) -> Location:
        """The location of the node at ``path`` (its closest existing parent when missing)."""
        return self.document.positions.locate(path, key=key)

    def origin(self) -> str:
        """``file, document N`` for the comment above what was made of it."""
        return f"{self.document.positions.file}, document {self.document.index + 1}"


def resource(kind: str, metadata: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    """A relpolicy document."""
    return {"apiVersion": API_VERSION, "kind": kind, "metadata": metadata, "spec": spec}


def get(data: object, *path: str | int) -> Any:
    """The value at ``path`` in plain data, or None."""
    for part in path:
        if isinstance(part, int):
            if not isinstance(data, list) or not -len(data) <= part < len(data):
                return None
            data = data[part]
        else:
            if not isinstance(data, dict):
                return None
            data = data.get(part)
    return data


def shown_path(path: KeyPath) -> str:
    """``spec.objectives[0].target``."""
    return format_key_path(path)


def percent(value: object) -> Decimal | None:
    """A number (not a boolean) as an exact decimal: ``0.999`` is ``Decimal("0.999")``, not its binary float."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation:  # pragma: no cover - repr of a float is always a decimal
        return None
    return number if number.is_finite() else None


def number(value: Decimal) -> int | float:
    """A decimal percentage as YAML writes it: ``99.9``, ``99`` (exact for the short decimals objectives use)."""
    normal = value.normalize()
    return int(normal) if normal == normal.to_integral_value() else float(normal)


def has_window(query: str) -> bool:
    """Does a PromQL template say where the range goes (``{{.window}}``)?"""
    return bool(_QUERY_WINDOW.search(query))


def labels(source: Source, path: KeyPath, what: str, notes: list[Note], *, kind: str = "labels") -> dict[str, str]:
    """The string-valued entries of the mapping at ``path`` whose keys relpolicy accepts; notes for the others."""
    out: dict[str, str] = {}
    value = get(source.data, *path)
    if value is None:
        return out
    if not isinstance(value, dict):
        notes.append(Note(source.at(*path), f"{what}: `{shown_path(path)}` is not a mapping; not mapped"))
        return out
    for key, item in value.items():
        here = (*path, key)
        if not isinstance(key, str) or not _LABEL_KEY.match(key):
            notes.append(
                Note(
                    source.at(*here, key=True),
                    f"{what}: {kind[:-1]} key `{key}` is not a valid relpolicy "
                    "label key (letters, digits, `-_.`, an optional `prefix/`); not mapped",
                )
            )
        elif isinstance(item, bool) or not isinstance(item, str | int | float):
            notes.append(
                Note(
                    source.at(*here),
                    f"{what}: {kind[:-1]} `{key}` is not a single value (relpolicy {kind} are text); not mapped",
                )
            )
        else:
            out[key] = item if isinstance(item, str) else str(item)
    return out


class _Dumper(yaml.SafeDumper):
    """Keys in the order given, multi-line strings as literal blocks."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value and not value.endswith((" ", "\n")) and "\t" not in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def _dump(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=10_000)


def problems_of(data: dict[str, Any]) -> list[str]:
    """What relpolicy's models say is wrong with one document (nothing for a valid one)."""
    from relpolicy.model.build import build  # noqa: PLC0415 - the models only when importing

    parsed = parse_yaml(_dump(data), "<imported>")
    if parsed.problems:  # pragma: no cover - PyYAML writes what it reads
        return [problem.message for problem in parsed.problems]
    return [problem.message for problem in build(parsed.documents).problems]


def add_checked(source: Source, service: str, document: dict[str, Any], what: str, imported: Imported) -> None:
    """Add ``document`` to the file of ``service`` when relpolicy's models accept it; else say why not."""
    problems = problems_of(document)
    if problems:
        imported.notes.append(Note(source.at(), f"{what} not imported: {problems[0]}", "error"))
        return
    imported.add(service, Document(document, source.origin()))


def policy_text(documents: list[Document], header: str) -> str:
    """The documents as one policy file in ``relpolicy fmt``'s canonical layout, each under a comment of origin."""
    from relpolicy.editing.layout import format_text  # noqa: PLC0415 - the formatter only when writing

    parts = [f"# {header}\n"]
    parts.extend(f"---\n# From {document.origin}\n{_dump(document.data)}" for document in documents)
    return format_text("".join(parts), "<imported>")
