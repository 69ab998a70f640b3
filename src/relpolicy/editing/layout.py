"""The canonical layout of a policy file, as ``relpolicy fmt`` writes it.

The file is read as a tree of YAML nodes from libyaml's events (with their source positions),
and every comment is found in the text and attached to the node it annotates: a comment at the
end of a line to the last key or list item that starts on or before that line, a comment on a
line of its own to the next key or item (with the blank line before it, if any), comments before
a document's first node to the document, comments after its last node to its end. The tree is
then written out in one layout:

- ``apiVersion, kind, metadata, spec`` first, and inside them the order of the kind's schema
  (keys the schema does not know keep their order, after the known ones; a document with
  anchors keeps its order, since an alias must follow its anchor);
- two-space indentation, sequences indented under their key, comments at their node's indent;
- quotes only where a plain scalar would change meaning, here or for a YAML 1.1 reader
  (``no``, ``on``, ``"02:00"``, ``"0700"``, ``null``-like and number-like strings), as ``"..."``;
- flow collections kept as written when they fit in :data:`LINE_WIDTH` and hold no comment,
  otherwise written in block style; block scalars (``|``, ``>``) re-indented, content untouched;
- no trailing spaces, at most one blank line between entries, none at the start of a block,
  one line break at the end of the file.

:func:`format_text` refuses to return a layout whose data or comments differ from the input's
(:class:`LayoutError`), so a bug here can make ``fmt`` fail but never change a policy.
"""

from __future__ import annotations

import functools
import io
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, Final

import yaml
from yaml.emitter import Emitter
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

from relpolicy.model.shapes import item_shape, models, value_shape

if TYPE_CHECKING:
    from relpolicy.findings import Problem

LINE_WIDTH: Final = 120
"""Flow collections longer than this (with their key and indent) are written in block style."""

INDENT: Final = 2
ENVELOPE: Final = ("apiVersion", "kind", "metadata", "spec")

_YAML_ORG: Final = "tag:yaml.org,2002:"

# Plain scalars that a YAML 1.2 core-schema reader (relpolicy) takes for something else than text.
_CORE_NOT_TEXT: Final = re.compile(
    r"^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE"
    r"|[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+"
    r"|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|<<)$"
)
# ...and those a YAML 1.1 reader (PyYAML's safe_load, many CI tools) takes for something else.
# Dates are left out on purpose: policies write them plain and the models read them as text.
_YAML11_NOT_TEXT: Final = re.compile(
    r"^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|=|<<"
    r"|[-+]?0b[01_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+"
    r"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+"
    r"|[-+]?(?:[0-9][0-9_]*)?\.[0-9.]*(?:[eE][-+][0-9]+)?"
    r"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
_YAML11_TIMESTAMP: Final = re.compile(
    r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?"
    r"(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)?$"
)
"""A YAML 1.1 reader makes a date or a datetime of these: both ways of writing them are canonical."""
_BLOCK_HEADER: Final = re.compile(r"[|>][0-9+-]*")
_ESCAPES: Final = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\0": "\\0"}
_ANALYZER: Final = Emitter(io.StringIO(), allow_unicode=True)


class LayoutError(Exception):
    """The file cannot be laid out safely; it is left as it is."""


@dataclass(eq=False, slots=True)
class _Node:
    kind: str
    """``scalar``, ``map``, ``seq`` or ``alias``."""
    line: int
    col: int
    end_line: int
    end_col: int
    anchor: str | None = None
    tag: str | None = None
    value: str = ""
    style: str = ""
    flow: bool = False
    entries: list[_Entry] = field(default_factory=list)


@dataclass(eq=False, slots=True)
class _Entry:
    """A key and its value, or a list item (``key`` None): what comments are attached to."""

    key: _Node | None
    value: _Node
    line: int
    leading: list[str | None] = field(default_factory=list)
    """Full-line comments written before the entry; None stands for a blank line."""
    eol: list[str] = field(default_factory=list)
    blank_before: bool = False


@dataclass(eq=False, slots=True)
class _Document:
    root: _Node | None
    explicit_start: bool
    start_line: int
    marker_comment: str | None = None
    header: list[str | None] = field(default_factory=list)
    trailing: list[str | None] = field(default_factory=list)
    has_anchors: bool = False
    blank_after_header: bool = False
    entries: list[_Entry] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Comment:
    line: int
    col: int
    text: str
    full_line: bool


# -- reading ---------------------------------------------------------------------------------


class _TreeBuilder:
    def __init__(self, events: Iterator[Any]) -> None:
        self.events = events
        self.documents: list[_Document] = []
        self.protected: list[tuple[int, int, int, int]] = []
        """Regions where a ``#`` is text, not a comment: quoted scalars."""
        self.block_lines: set[int] = set()
        """Lines of block scalar content."""
        self.block_headers: dict[int, int] = {}
        """Line of a block scalar header -> column just past its indicators."""

    def build(self) -> None:
        for event in self.events:
            if isinstance(event, DocumentStartEvent):
                mark: Any = event.start_mark
                document = _Document(None, bool(event.explicit), mark.line)
                self.current = document
                self.documents.append(document)
                root = self.node(next(self.events))
                document.root = root
                end = next(self.events)
                assert isinstance(end, DocumentEndEvent)  # noqa: S101 - libyaml's grammar

    def node(self, event: Any) -> _Node:
        start, end = event.start_mark, event.end_mark
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            self.current.has_anchors = True
        if isinstance(event, AliasEvent):
            return _Node("alias", start.line, start.column, end.line, end.column, value=event.anchor or "")
        tag = event.tag if isinstance(event, ScalarEvent | MappingStartEvent | SequenceStartEvent) else None
        if isinstance(event, ScalarEvent):
            explicit_tag = tag if not (event.implicit[0] or event.implicit[1]) else None
            style = event.style or ""
            node = _Node("scalar", start.line, start.column, end.line, end.column, anchor, explicit_tag)
            node.value, node.style = event.value, style
            if style in ("'", '"'):
                self.protected.append((start.line, start.column, end.line, end.column))
            elif style in ("|", ">"):
                header = _BLOCK_HEADER.match(self.line_text(start.line), start.column)
                self.block_headers[start.line] = header.end() if header else start.column + 1
                last = end.line - 1 if end.column == 0 else end.line
                self.block_lines.update(range(start.line + 1, last + 1))
            return node
        if isinstance(event, MappingStartEvent | SequenceStartEvent):
            kind = "map" if isinstance(event, MappingStartEvent) else "seq"
            explicit_tag = None if event.implicit else tag
            node = _Node(kind, start.line, start.column, start.line, start.column, anchor, explicit_tag)
            node.flow = bool(event.flow_style)
            while True:
                child: Any = next(self.events)
                if isinstance(child, MappingEndEvent | SequenceEndEvent):
                    mark: Any = child.end_mark
                    node.end_line, node.end_col = mark.line, mark.column
                    return node
                if kind == "map":
                    key = self.node(child)
                    value = self.node(next(self.events))
                    node.entries.append(_Entry(key, value, key.line))
                else:
                    item = self.node(child)
                    node.entries.append(_Entry(None, item, item.line))
        msg = f"unexpected YAML event {type(event).__name__}"  # pragma: no cover - libyaml's grammar
        raise LayoutError(msg)  # pragma: no cover

    lines: list[str]

    def line_text(self, line: int) -> str:
        return self.lines[line] if line < len(self.lines) else ""


def _comments(lines: list[str], builder: _TreeBuilder) -> list[_Comment]:
    """Every comment: a ``#`` at a line's start or after a blank, outside quoted and block scalars."""
    found: list[_Comment] = []
    for number, text in enumerate(lines):
        if "#" not in text or number in builder.block_lines:
            continue
        start = builder.block_headers.get(number, 0)
        for match in re.finditer("#", text[start:]):
            col = start + match.start()
            if col > 0 and text[col - 1] not in " \t":
                continue
            if any(_inside(number, col, region) for region in builder.protected):
                continue
            found.append(_Comment(number, col, text[col:].rstrip(" \t"), not text[:col].strip(" \t")))
            break
    return found


def _inside(line: int, col: int, region: tuple[int, int, int, int]) -> bool:
    start_line, start_col, end_line, end_col = region
    return (start_line, start_col) <= (line, col) < (end_line, end_col)


def _walk(node: _Node | None) -> Iterator[_Entry]:
    """The entries of the block collections, in document order: what comments attach to."""
    if node is None or node.kind not in ("map", "seq") or node.flow:
        return
    for entry in node.entries:
        yield entry
        yield from _walk(entry.value)


def _flow_with_comments(node: _Node | None, comments: list[_Comment]) -> None:
    """Flow collections spanning lines that hold comments are written in block style."""
    if node is None or node.kind not in ("map", "seq"):
        return
    if node.flow and node.end_line > node.line and any(node.line <= c.line <= node.end_line for c in comments):
        _to_block(node)
    for entry in node.entries:
        _flow_with_comments(entry.value, comments)


def _to_block(node: _Node) -> None:
    if node.kind in ("map", "seq") and node.entries:
        node.flow = False
        for entry in node.entries:
            _to_block(entry.value)


def _attach(documents: list[_Document], comments: list[_Comment], lines: list[str]) -> None:
    for document in documents:
        _flow_with_comments(document.root, comments)
        document.entries = list(_walk(document.root))
    starts = [d.start_line if d.explicit_start or i else 0 for i, d in enumerate(documents)]
    for comment in comments:
        index = max((i for i, start in enumerate(starts) if start <= comment.line), default=0)
        if not documents:
            break
        document = documents[index]
        blank = comment.line > 0 and not lines[comment.line - 1].strip(" \t")
        entries = document.entries
        if not comment.full_line:
            if (
                document.explicit_start
                and comment.line == document.start_line
                and lines[comment.line].startswith("---")
                and (document.root is None or document.root.line > comment.line)
            ):
                document.marker_comment = comment.text
                continue
            owner = next((e for e in reversed(entries) if e.line <= comment.line), None)
            if owner is None:
                document.trailing.append(comment.text)
            else:
                owner.eol.append(comment.text)
            continue
        root = document.root
        if root is None or comment.line < root.line:
            document.header.extend([None, comment.text] if blank else [comment.text])
            continue
        following = next((e for e in entries if e.line > comment.line), None)
        if following is None:
            document.trailing.extend([None, comment.text] if blank else [comment.text])
        else:
            following.leading.extend([None, comment.text] if blank else [comment.text])
    for document in documents:
        root = document.root
        document.blank_after_header = (
            bool(document.header) and root is not None and not lines[root.line - 1].strip(" \t")
        )
        for entry in document.entries:
            entry.blank_before = entry.line > 0 and not lines[entry.line - 1].strip(" \t")
        for container in _containers(root):
            first = container.entries[0]  # a blank line at the start of a block is not kept
            first.blank_before = False
            while first.leading and first.leading[0] is None:
                del first.leading[0]


def _containers(node: _Node | None) -> Iterator[_Node]:
    if node is None or node.kind not in ("map", "seq") or not node.entries:
        return
    yield node
    for entry in node.entries:
        yield from _containers(entry.value)


# -- key order -------------------------------------------------------------------------------


@cache
def _field_order(shape: Any) -> dict[str, tuple[int, Any]]:
    """Alias -> (position, annotation) for the models ``shape`` may be (a union merges them)."""
    order: dict[str, tuple[int, Any]] = {}
    for model in models(shape):
        for name, info in model.model_fields.items():
            order.setdefault(info.alias or name, (len(order), info.annotation))
    return order


def _model_for(root: _Node) -> Any:
    from relpolicy.model.kinds import LANGUAGE  # noqa: PLC0415 - models only for the key order

    fields = {e.key.value: e.value for e in root.entries if e.key is not None and e.key.kind == "scalar"}
    api_version, kind = fields.get("apiVersion"), fields.get("kind")
    if api_version is None or kind is None or api_version.kind != "scalar" or kind.kind != "scalar":
        return None
    return LANGUAGE.model(api_version.value, kind.value)


def _reorder(node: _Node, shape: Any, *, root: bool = False) -> None:
    if node.kind == "seq":
        item = item_shape(shape) if shape is not None else None
        for entry in node.entries:
            _reorder(entry.value, item)
        return
    if node.kind != "map":
        return
    order = _field_order(shape) if shape is not None else {}
    values = value_shape(shape) if shape is not None and not order else None
    known = {name: position for position, name in enumerate(ENVELOPE)} if root else {}

    def rank(pair: tuple[int, _Entry]) -> tuple[int, int, int]:
        position, entry = pair
        key = entry.key.value if entry.key is not None and entry.key.kind == "scalar" else None
        if key == "<<":
            return (0, 0, position)
        if key in known:
            return (1, known[key], position)
        if key in order:
            return (2, order[key][0], position)
        return (3, 0, position)

    node.entries = [entry for _, entry in sorted(enumerate(node.entries), key=rank)]
    for entry in node.entries:
        key = entry.key.value if entry.key is not None else None
        child: Any = values
        if key in order:
            child = order[key][1]
        _reorder(entry.value, child)


# -- writing ---------------------------------------------------------------------------------


def _is_text_plain(node: _Node) -> bool:
    """Is a plain scalar read as a string (not a number, boolean or null) by relpolicy?"""
    return not _CORE_NOT_TEXT.match(node.value)


def _quote(text: str) -> str:
    """Double quotes, or single quotes for text that holds a ``"`` and nothing to escape."""
    if '"' in text and "'" not in text and text.isprintable() and "\\" not in text and "\ufeff" not in text:
        return f"'{text}'"
    out = []
    for char in text:
        escaped = _ESCAPES.get(char)
        if escaped is None and (not char.isprintable() or char == "\ufeff"):
            code = ord(char)
            escaped = f"\\x{code:02X}" if code < 0x100 else f"\\u{code:04X}" if code < 0x10000 else f"\\U{code:08X}"
        out.append(escaped or char)
    return '"' + "".join(out) + '"'


_SAFE_PLAIN: Final = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_./@+()%-]*(?: [A-Za-z0-9_./@+()%-]+)*")
"""Text that is plain in block and flow context alike (no indicator, no `: `, ` #`, `,`, brackets)."""


@functools.lru_cache(maxsize=65536)  # policy files repeat the same values thousands of times
def _needs_quotes(text: str, *, flow: bool) -> bool:
    if _SAFE_PLAIN.fullmatch(text) and not _CORE_NOT_TEXT.match(text) and not _YAML11_NOT_TEXT.match(text):
        return False
    if not text or _CORE_NOT_TEXT.match(text) or _YAML11_NOT_TEXT.match(text):
        return True
    analysis = _ANALYZER.analyze_scalar(text)
    if analysis.multiline or not analysis.allow_block_plain:
        return True
    # PyYAML's emitter takes every `:` for an indicator in flow context; YAML only `: ` and a final `:`.
    # libyaml also reads a leading `:`, `?` or `-` as an indicator there.
    return flow and (any(char in ",[]{}" for char in text) or text.endswith(":") or text.startswith((":", "?", "-")))


def _tag_text(tag: str | None) -> str:
    if tag is None:
        return ""
    return ("!!" + tag.removeprefix(_YAML_ORG) if tag.startswith(_YAML_ORG) else f"!<{tag}>") + " "


def _props(node: _Node) -> str:
    anchor = f"&{node.anchor} " if node.anchor else ""
    return anchor + _tag_text(node.tag)


def _scalar(node: _Node, *, flow: bool) -> str:
    if node.kind == "alias":
        return f"*{node.value}"
    if node.style == "" and (node.tag is not None or not _is_text_plain(node)):
        return _props(node) + node.value
    text = node.value
    if node.style in ("'", '"') and _YAML11_TIMESTAMP.match(text):
        return _props(node) + _quote(text)
    written = _quote(text) if _needs_quotes(text, flow=flow) else text
    return _props(node) + written


def _flow(node: _Node) -> str:
    if node.kind == "map":
        if not node.entries:
            return _props(node) + "{}"
        inner = ", ".join(f"{_flow_key(e.key)}: {_flow(e.value)}".rstrip(" \t") for e in node.entries)
        return _props(node) + "{" + inner + "}"
    if node.kind == "seq":
        if not node.entries:
            return _props(node) + "[]"
        return _props(node) + "[" + ", ".join(_flow(e.value) for e in node.entries) + "]"
    if node.style in ("|", ">"):
        msg = "a block scalar inside a flow collection"
        raise LayoutError(msg)
    if node.kind == "scalar" and node.style == "" and node.value == "" and node.tag is None:
        return _props(node).rstrip(" \t")
    return _scalar(node, flow=True)


def _flow_key(key: _Node | None) -> str:
    if key is None or key.kind != "scalar":
        msg = "mapping keys must be scalars"
        raise LayoutError(msg)
    return _scalar(key, flow=True)


class _Writer:
    def __init__(self, lines: list[str]) -> None:
        self.source = lines
        self.out: list[str] = []
        self.pending_blank = False

    def line(self, text: str) -> None:
        if self.pending_blank and self.out:
            self.out.append("")
        self.pending_blank = False
        self.out.append(text.rstrip(" \t"))

    def comments(self, items: list[str | None], indent: int, *, first: bool) -> None:
        for item in items:
            if item is None:
                self.pending_blank = not first or bool(self.out and self.out[-1] != "" and not first)
            else:
                self.line(" " * indent + item)
                first = False

    def entry_leading(self, entry: _Entry, indent: int, *, first: bool) -> None:
        """The comments and blank line before an entry; none at the start of a block."""
        leading = entry.leading
        if first:
            while leading and leading[0] is None:
                leading = leading[1:]
        for item in leading:
            if item is None:
                self.pending_blank = True
            else:
                self.line(" " * indent + item)
        if entry.blank_before and (leading or not first):
            self.pending_blank = True

    def eol(self, text: str, entry: _Entry) -> str:
        if entry.eol:
            return text.rstrip(" \t") + "  " + entry.eol[0]
        return text

    def mapping(self, node: _Node, indent: int, prefix: str | None = None) -> None:
        """A block mapping; ``prefix`` is what its first line starts with (``- `` in a list)."""
        for i, entry in enumerate(node.entries):
            key = entry.key
            if key is None or key.kind not in ("scalar", "alias") or key.style in ("|", ">"):
                msg = "mapping keys must be single-line scalars"
                raise LayoutError(msg)
            lead = " " * indent
            if i == 0 and prefix is not None:
                lead = prefix
            self.extra_eol_first(entry, indent)
            self.entry_leading(entry, indent, first=i == 0)
            self.value(f"{lead}{_scalar(key, flow=False)}:", entry, indent)

    def extra_eol_first(self, entry: _Entry, indent: int) -> None:
        """A second end-of-line comment for one entry becomes a comment line before it."""
        if len(entry.eol) > 1:
            entry.leading.extend(entry.eol[1:])
            del entry.eol[1:]
        del indent

    def sequence(self, node: _Node, indent: int, prefix: str | None = None) -> None:
        for i, entry in enumerate(node.entries):
            lead = " " * indent
            if i == 0 and prefix is not None:
                lead = prefix
            self.extra_eol_first(entry, indent)
            self.entry_leading(entry, indent, first=i == 0)
            self.item(f"{lead}-", entry, indent)

    def item(self, head: str, entry: _Entry, indent: int) -> None:
        value = entry.value
        if value.kind in ("map", "seq") and not value.flow and value.entries:
            if value.anchor or value.tag:
                self.line(self.eol(f"{head} {_props(value)}", entry))
                self.block(value, indent + INDENT)
                return
            first = value.entries[0]
            moved = first.leading
            if moved:  # comments of the first key go before the dash
                for item in moved:
                    if item is not None:
                        self.line(" " * indent + item)
                first.leading = []
            if entry.eol:
                first.eol[:0] = entry.eol
            prefix = f"{head} "
            if value.kind == "map":
                self.mapping(value, indent + INDENT, prefix)
            else:
                self.sequence(value, indent + INDENT, prefix)
            return
        self.inline(head, entry, indent)

    def value(self, head: str, entry: _Entry, indent: int) -> None:
        value = entry.value
        if value.kind in ("map", "seq") and not value.flow and value.entries:
            props = _props(value).rstrip(" \t")
            self.line(self.eol(f"{head} {props}" if props else head, entry))
            self.block(value, indent + INDENT)
            return
        self.inline(head, entry, indent)

    def block(self, node: _Node, indent: int) -> None:
        if node.kind == "map":
            self.mapping(node, indent)
        else:
            self.sequence(node, indent)

    def inline(self, head: str, entry: _Entry, indent: int) -> None:
        """A value written on its entry's line: a scalar, an alias, a flow collection, a block scalar's header."""
        value = entry.value
        if value.kind == "scalar" and value.style in ("|", ">"):
            self.block_scalar(head, value, entry, indent)
            return
        if value.kind in ("map", "seq"):
            text = _flow(value)
            if len(head) + 1 + len(text) > LINE_WIDTH and value.entries:
                _to_block(value)
                self.value(head, entry, indent) if entry.key is not None else self.item(head, entry, indent)
                return
        elif value.kind == "scalar" and value.style == "" and value.value == "" and value.tag is None:
            text = _props(value)
        else:
            text = _scalar(value, flow=False)
        self.line(self.eol(f"{head} {text}".rstrip(" \t"), entry))

    def block_scalar(self, head: str, node: _Node, entry: _Entry, indent: int) -> None:
        source = self.source
        header_text = source[node.line][node.col :]
        match = _BLOCK_HEADER.match(header_text)
        header = match.group() if match else header_text[:1]
        indicator = re.sub(r"[0-9]", "", header)
        explicit = header != indicator
        last = node.end_line - 1 if node.end_col == 0 else node.end_line
        content = source[node.line + 1 : last + 1]
        keep = "+" in header
        if not keep:
            while content and not content[-1].strip(" "):
                content.pop()
        widths = [len(text) - len(text.lstrip(" ")) for text in content if text.strip(" ")]
        old = min(widths) if widths else 0
        if explicit:
            digits = re.search(r"[0-9]", header)
            parent = len(source[node.line]) - len(source[node.line].lstrip(" "))
            old = parent + int(digits.group()) if digits else old
        new = " " * (indent + INDENT)
        props = _props(node)
        written = indicator[0] + ("2" if explicit else "") + indicator[1:]
        self.line(self.eol(f"{head} {props}{written}", entry))
        for text in content:
            if len(text) <= old and not text.strip(" "):
                self.out.append("")
            else:
                self.out.append(new + text[old:])


def _write(documents: list[_Document], lines: list[str], *, first_explicit: bool) -> str:
    writer = _Writer(lines)
    for index, document in enumerate(documents):
        writer.pending_blank = False
        if index > 0 or first_explicit:
            marker = "---" + (f" {document.marker_comment}" if document.marker_comment else "")
            writer.line(marker)
        writer.comments(document.header, 0, first=True)
        writer.pending_blank = document.blank_after_header
        root = document.root
        if root is not None:
            if root.kind in ("map", "seq") and not root.flow and root.entries:
                props = _props(root).rstrip(" \t")
                if props:
                    writer.line(props)
                writer.block(root, 0)
            elif root.kind == "scalar" and root.style in ("|", ">"):
                msg = "a document that is a block scalar is not a policy"
                raise LayoutError(msg)
            elif not (root.kind == "scalar" and root.style == "" and root.value == "" and root.tag is None):
                text = _flow(root) if root.kind in ("map", "seq") else _scalar(root, flow=False)
                writer.line(text)
        writer.comments(document.trailing, 0, first=root is None)
    text = "\n".join(writer.out).strip("\n")
    return text + "\n" if text else ""


# -- the whole file --------------------------------------------------------------------------


_DIRECTIVE: Final = re.compile(r"^%", re.MULTILINE)
_OTHER_BREAKS: Final = re.compile("[\r\x85\u2028\u2029]")
"""Line breaks to libyaml besides LF: its positions would not match the lines split here."""


def _read(text: str) -> tuple[list[_Document], list[_Comment], list[str]]:
    if _DIRECTIVE.search(text):
        msg = "the file has YAML directives (%YAML, %TAG); it is left as it is"
        raise LayoutError(msg)
    if _OTHER_BREAKS.search(text):
        msg = "the file has line breaks other than LF and CRLF (a lone CR, NEL, LS or PS); it is left as it is"
        raise LayoutError(msg)
    lines = text.split("\n")
    builder = _TreeBuilder(iter(yaml.parse(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))))
    builder.lines = lines
    try:
        builder.build()
    except yaml.YAMLError as error:
        raise LayoutError(str(error)) from None
    comments = _comments(lines, builder)
    return builder.documents, comments, lines


def layout(text: str) -> str:
    """``text`` (with ``\\n`` line breaks) in the canonical layout, without the safety checks."""
    documents, comments, lines = _read(text)
    if not documents:  # comments only (or nothing): one comment a line
        return "".join(f"{comment.text}\n" for comment in comments)
    _attach(documents, comments, lines)
    for document in documents:
        root = document.root
        if root is not None and root.kind == "map" and not document.has_anchors:
            _reorder(root, _model_for(root), root=True)
    first_explicit = bool(documents) and documents[0].explicit_start and _first_marker(lines)
    return _write(documents, lines, first_explicit=first_explicit)


def _first_marker(lines: list[str]) -> bool:
    for text in lines:
        stripped = text.strip(" \t")
        if stripped and not stripped.startswith(("#", "%")):
            return stripped.startswith("---")
    return False


def comment_texts(text: str) -> Counter[str]:
    """The comments of a file, by text (for checking that none is lost)."""
    _, comments, _ = _read(text)
    return Counter(c.text for c in comments)


class UnparsableError(LayoutError):
    """The file has the problems ``check`` reports for it (RP101 syntax, RP102 duplicate keys...)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems[0].message)
        self.problems = problems


def format_text(text: str, file: str = "<text>") -> str:
    """The canonical layout of ``text``, checked to hold the same data and the same comments.

    A file that is already canonical is recognised without parsing it a second time. Raises
    :class:`UnparsableError` with ``check``'s problems for a file that does not parse cleanly, and
    :class:`LayoutError` when the layout would change the data or lose a comment.
    """
    from relpolicy.source.parse import parse_yaml  # noqa: PLC0415 - the data check reuses check's parser

    try:
        formatted = layout(text)
    except LayoutError:
        before = parse_yaml(text, file)
        if before.problems:
            raise UnparsableError(before.problems) from None
        raise
    if formatted == text:
        return text
    before = parse_yaml(text, file)
    if before.problems:
        raise UnparsableError(before.problems)
    after = parse_yaml(formatted, file)
    if after.problems or [d.data for d in before.documents] != [d.data for d in after.documents]:
        msg = "the canonical layout would change the data; the file is left as it is (please report this)"
        raise LayoutError(msg)
    if comment_texts(text) != comment_texts(formatted):
        msg = "the canonical layout would lose a comment; the file is left as it is (please report this)"
        raise LayoutError(msg)
    return formatted
