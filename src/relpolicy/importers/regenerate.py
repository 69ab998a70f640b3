"""Write an imported document into its file again without clobbering what a person added since.

The contract, exactly:

- The import owns the fields listed in the document's annotation ``relpolicy.dev/imported-fields``
  (key paths such as ``spec.owner`` or ``metadata.labels.system``, keys with a dot or slash in brackets:
  ``metadata.annotations[relpolicy.dev/tier]``; a label or annotation is owned
  key by key, a list such as ``spec.dependsOn`` or ``spec.runbook.links`` as a whole).
- On re-import, every field listed in the *old* annotation that the catalog no longer gives is
  removed, then every field the catalog gives *now* is set (in place, where it already is), and the
  annotation is rewritten. Comments inside a catalog-owned value go with it. A field that is in neither list (a person's
  SLO-relevant ``recovery``, ``runbook.restore`` steps, a label of their own...) is kept as it is,
  and so is every comment, because the file is edited in ruamel.yaml's round-trip mode.
- A placeholder (a default tier, description or coverage, with its ``# TODO`` comment) is written
  only when its key is absent and is never owned: once a person sets it, their value stays (until
  the catalog gives that field, which then owns it).
- ``apiVersion``, ``kind``, ``metadata.name`` and the ``backstage.io/entity-ref`` annotation are
  always written; so is the header comment (the three lines this module writes at the top).
- A file that is not one mapping document, or was not written by this import (no
  ``backstage.io/entity-ref`` annotation naming the same entity), is not touched (an error).

The text is then laid out by ``relpolicy fmt``'s formatter (:func:`relpolicy.editing.layout.format_text`).
"""

from __future__ import annotations

import io
import re
from typing import Any, Final

from relpolicy.errors import RelpolicyError
from relpolicy.importers.backstage import ENTITY_REF, IMPORTED_FIELDS, Generated, KeyPath

_HEADERS: Final = ("# Imported from Backstage", "# The imported fields", "# Every other field")
ALWAYS_WRITTEN: Final = frozenset(
    {("apiVersion",), ("kind",), ("metadata", "name"), ("metadata", "annotations", ENTITY_REF)}
)
"""Written on every import and not listed in the annotation (nor is the annotation itself)."""
_PART: Final = re.compile(r"\[([^\]]*)\]|([^.\[\]]+)")


def encode_path(path: KeyPath) -> str:
    """``("metadata", "labels", "backstage.io/x")`` -> ``metadata.labels[backstage.io/x]``."""
    out = ""
    for part in path:
        if "." in part or "[" in part or "]" in part or "/" in part:
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def decode_path(text: str) -> KeyPath:
    """The inverse of :func:`encode_path`."""
    return tuple(bracketed or plain for bracketed, plain in _PART.findall(text.strip()))


def _yaml() -> Any:
    from ruamel.yaml import YAML  # noqa: PLC0415 - round-trip editing only when importing

    yaml = YAML(typ="rt")
    yaml.width = 10_000
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _header(generated: Generated) -> str:
    return (
        f"{_HEADERS[0]} by `relpolicy import backstage`: {generated.origin}.\n"
        f"{_HEADERS[1]} (annotation {IMPORTED_FIELDS}) are rewritten by the next import.\n"
        f"{_HEADERS[2]} and comment is kept.\n"
    )


def _strip_header(text: str) -> str:
    """``text`` without the header this module writes (its lines start with known words)."""
    lines = text.splitlines(keepends=True)
    start = 0
    while start < len(lines) and lines[start].startswith(_HEADERS):
        start += 1
    return "".join(lines[start:])


def _set(root: Any, path: KeyPath, value: Any) -> None:
    from ruamel.yaml.comments import CommentedMap  # noqa: PLC0415

    node = root
    for part in path[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = CommentedMap()
            node[part] = child
        node = child
    node[path[-1]] = value


def _remove(root: Any, path: KeyPath) -> None:
    parents = [root]
    node = root
    for part in path[:-1]:
        node = node.get(part) if isinstance(node, dict) else None
        if not isinstance(node, dict):
            return
        parents.append(node)
    if path[-1] in node:
        del node[path[-1]]
    for parent, part in zip(reversed(parents[:-1]), reversed(path[:-1]), strict=True):
        child = parent.get(part)
        if isinstance(child, dict) and not child:
            del parent[part]


def _plain(value: Any) -> Any:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq  # noqa: PLC0415

    if isinstance(value, dict):
        out = CommentedMap()
        for key, item in value.items():
            out[key] = _plain(item)
        return out
    if isinstance(value, list):
        return CommentedSeq(_plain(item) for item in value)
    return value


def _has(root: Any, path: KeyPath) -> bool:
    node = root
    for part in path:
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def render(generated: Generated, existing: str | None, shown: str) -> str:
    """The text of ``generated``'s file: new, or ``existing`` updated as the module docstring says."""
    from ruamel.yaml.comments import CommentedMap  # noqa: PLC0415
    from ruamel.yaml.error import YAMLError  # noqa: PLC0415

    from relpolicy.editing.layout import format_text  # noqa: PLC0415 - the formatter only when writing

    yaml = _yaml()
    root: Any = CommentedMap()
    if existing is not None:
        try:
            documents = list(yaml.load_all(_strip_header(existing)))
        except YAMLError as error:
            msg = f"not valid YAML, left as it is: {str(error).splitlines()[0]}"
            raise RelpolicyError(msg) from None
        documents = [d for d in documents if d is not None]
        if len(documents) != 1 or not isinstance(documents[0], dict):
            msg = "not one mapping document; not written by `relpolicy import backstage`, left as it is"
            raise RelpolicyError(msg)
        root = documents[0]
        annotations = root.get("metadata", {}).get("annotations", {}) if isinstance(root.get("metadata"), dict) else {}
        was = annotations.get(ENTITY_REF) if isinstance(annotations, dict) else None
        now = generated.owned[("metadata", "annotations", ENTITY_REF)]
        if not isinstance(was, str) or was.lower() != str(now).lower():
            msg = (
                f"its {ENTITY_REF} annotation is `{was}`, not `{now}`; not written by this import of "
                "that entity, left as it is"
            )
            raise RelpolicyError(msg)
        old = annotations.get(IMPORTED_FIELDS, "")
        for text in str(old).split(","):
            path = decode_path(text)
            if path and path not in generated.owned:
                _remove(root, path)
    owned = dict(generated.owned)
    listed = ", ".join(encode_path(path) for path in owned if path not in ALWAYS_WRITTEN)
    owned[("metadata", "annotations", IMPORTED_FIELDS)] = listed
    for path, value in owned.items():
        _set(root, path, _plain(value))
    for path, (value, todo) in generated.placeholders.items():
        if not _has(root, path):
            _set(root, path, value)
            parent = root
            for part in path[:-1]:
                parent = parent[part]
            parent.yaml_add_eol_comment(f"# {todo}", key=path[-1])
    stream = io.StringIO()
    yaml.dump(root, stream)
    text = format_text(_header(generated) + stream.getvalue(), shown)
    problems = _problems(text, shown)
    if problems:
        msg = f"not written, as relpolicy's models refuse it: {problems[0]}"
        raise RelpolicyError(msg)
    return text


def _problems(text: str, shown: str) -> list[str]:
    """What ``relpolicy check`` would report as RP1xx for ``text`` (nothing for a valid file)."""
    from relpolicy.model.build import build  # noqa: PLC0415 - the models only when importing
    from relpolicy.source.parse import parse_yaml  # noqa: PLC0415

    parsed = parse_yaml(text, shown)
    problems = parsed.problems or build(parsed.documents).problems
    return [f"{problem.location.line}:{problem.location.col}: {problem.message}" for problem in problems]
