"""Safe YAML parsing into plain data plus a :class:`PositionIndex`, with libyaml on the hot path.

Why not ``yaml.safe_load`` or ruamel.yaml? ``safe_load`` forgets where each node came from and
silently keeps the last of two duplicate keys; ruamel.yaml's round-trip loader keeps positions
but costs ~25x more (see docs/design.md). So the C parser composes the node graph (which carries
start/end marks) and :class:`_Builder` turns nodes into ``dict``/``list``/scalars in one walk,
recording positions, reporting duplicate keys, refusing tags that would construct objects, and
capping alias expansion and nesting depth so that hostile input fails fast with a location.

Plain scalars are resolved with the YAML 1.2 core schema, not PyYAML's YAML 1.1 rules: ``NO``
stays the country code, ``02:00`` stays a time of day (YAML 1.1 reads it as the integer 120) and
``2026-12-25`` stays a string for the models to parse.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from sys import intern
from typing import Any, Final

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from relpolicy.findings import Location, Problem, Related
from relpolicy.fixes import Fix, Replacement
from relpolicy.source.fastparse import fast_documents
from relpolicy.source.limits import MAX_DEPTH, MAX_SHARED_LENGTH
from relpolicy.source.positions import KeyPath, PositionIndex, Span, SpanMap, format_key_path

MAX_ALIAS_NODES: Final = 10_000
"""Nodes that alias expansion may add to one document before it counts as an alias bomb."""

MAX_NODES: Final = 200_000
"""Nodes (scalars, keys included, lists, mappings and aliases) one file may hold, counted as
written. A service is ~60 nodes, so this is over 3,000 services in one file; the cap is what
bounds memory, since every node costs several hundred bytes once parsed (a flat list of 4 million
nulls, in less than the 8 MiB size limit, took 2.3 GB and 15 s before it)."""

_NODE_MARKS: Final = "\n,[{:-?"
"""Characters that may begin a node: each one begins at most two (``{a}`` is a mapping, the key
``a`` and its null value), so twice their number, plus the file's first line, bounds the nodes."""

_TAG = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = (f"{_TAG}{t}" for t in ("str", "int", "float", "bool", "null"))
_MAP, _SEQ, _MERGE = f"{_TAG}map", f"{_TAG}seq", f"{_TAG}merge"
_TIMESTAMP = f"{_TAG}timestamp"  # kept as text: the models parse dates and datetimes


class _CoreResolver(yaml.resolver.BaseResolver):
    """Implicit typing of plain scalars by the YAML 1.2 core schema."""


_CORE_RULES: Final = (
    (_NULL, r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    (_BOOL, r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    (_INT, r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
    (
        _FLOAT,
        (
            r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
            r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
        ),
        list("-+.0123456789"),
    ),
    (_MERGE, r"^<<$", ["<"]),
)
_CORE_PATTERNS: Final = {tag: re.compile(pattern) for tag, pattern, _ in _CORE_RULES}
for _tag, _pattern, _first in _CORE_RULES:
    _CoreResolver.add_implicit_resolver(_tag, _CORE_PATTERNS[_tag], _first)

_FIRST_CHAR_RULES: Final = {
    first: tuple((tag, _CORE_PATTERNS[tag]) for tag, _, firsts in _CORE_RULES if first in firsts)
    for _, _, firsts in _CORE_RULES
    for first in firsts
}


def _resolve(kind: type[Node], value: Any, implicit: tuple[bool, bool]) -> str:
    """The tag of an untagged node: by the core schema for a plain scalar, else str/seq/map."""
    if kind is ScalarNode:
        if implicit[0]:
            for tag, pattern in _FIRST_CHAR_RULES.get(value[:1], ()):
                if pattern.match(value):
                    return tag
        return _STR
    return _SEQ if kind is SequenceNode else _MAP


class _FastCoreResolver(_CoreResolver):
    """The same typing as :class:`_CoreResolver`, minus the work relpolicy never needs.

    libyaml calls these three methods back for every node it composes. relpolicy registers no
    path resolvers, so ``descend_resolver``/``ascend_resolver`` have nothing to track. ``resolve``
    is a pure function of its arguments and policy files repeat the same keys and values
    (``apiVersion``, ``type``, ``hard``...), so a bounded cache answers most calls without running
    Python code (measured: the compose step 25% faster on a 10,000-service repo).
    """

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass

    resolve = staticmethod(functools.lru_cache(maxsize=4096)(_resolve))


if yaml.__with_libyaml__:  # pragma: no branch - the wheels ship libyaml
    from yaml.cyaml import CParser  # type: ignore[attr-defined]  # not in the stubs

    class _Composer(CParser, _FastCoreResolver):
        def __init__(self, text: str) -> None:
            CParser.__init__(self, text)
            _FastCoreResolver.__init__(self)

else:  # pragma: no cover - pure-Python fallback for interpreters without libyaml

    class _Composer(  # type: ignore[no-redef]
        yaml.reader.Reader,
        yaml.scanner.Scanner,
        yaml.parser.Parser,
        yaml.composer.Composer,
        _CoreResolver,
    ):
        def __init__(self, text: str) -> None:
            yaml.reader.Reader.__init__(self, text)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)
            _CoreResolver.__init__(self)


@dataclass(frozen=True, slots=True)
class ParsedDocument:
    """One YAML document of a file: plain data and the positions of its nodes."""

    index: int
    """0-based position of the document in its file."""
    data: Any
    positions: PositionIndex


@dataclass(slots=True)
class ParseResult:
    """The documents that could be read from one file, and what was wrong with it."""

    documents: list[ParsedDocument] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class _Rejected(Exception):  # noqa: N818 - internal control flow, never escapes this module
    """Stops building a document that cannot be used (bad tag, bomb, too deep)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _span(node: Node) -> Span:
    start, end = node.start_mark, node.end_mark
    return (start.line + 1, start.column + 1, end.line + 1, end.column + 1)


def _location(file: str, node: Node) -> Location:
    return Location(file, *_span(node))


def _subject(file: str, index: int, path: KeyPath) -> str:
    return f"{file}#{index}:{format_key_path(path)}"


class _Builder:
    """Turns one composed document into plain data, recording positions (if asked) and problems.

    This walk runs once per node of every file, so it is written for speed: one call per node,
    the common case (a plain string) first, and positions recorded only when ``record`` is set.
    The fast path of ``check`` parses with ``record=False`` and gets the spans from a second,
    recording parse of the same text only for files that have a finding (see ``parse_yaml``).
    """

    text: str | None = None
    """The file's text, when the parse has it: RP102's fix needs to see the lines around a duplicate."""

    def __init__(self, file: str, index: int, *, record: bool = True, aliases: bool = True) -> None:
        self.file = file
        self.index = index
        self.record = record
        self.aliases = aliases
        """Can the document hold an alias? Without a ``*`` in the text it cannot, and the walk
        need not remember which nodes it has seen."""
        self.values: SpanMap = {}
        self.keys: SpanMap = {}
        self.problems: list[Problem] = []
        self._seen: set[int] = set()
        self._alias_nodes = 0

    def problem(self, rule_id: str, message: str, node: Node, path: KeyPath, *related: Related) -> Problem:
        return Problem(rule_id, message, _location(self.file, node), _subject(self.file, self.index, path), related)

    def too_deep(self, node: Node, path: KeyPath) -> _Rejected:
        """Nesting (including merges of a mapping into itself) deeper than MAX_DEPTH."""
        return _Rejected(
            self.problem(
                "RP101", f"nesting is deeper than {MAX_DEPTH} levels; policy documents need far fewer", node, path
            )
        )

    def build(self, node: Node, path: KeyPath = (), depth: int = 0, *, via_alias: bool = False) -> Any:
        if depth > MAX_DEPTH:
            raise self.too_deep(node, path)
        if self.aliases and not isinstance(node, ScalarNode):
            if id(node) in self._seen:
                via_alias = True
            else:
                self._seen.add(id(node))
        if via_alias:
            self.count_expansion(node, path)
        if self.record:
            self.values[path] = _span(node)
        if isinstance(node, ScalarNode):
            if node.tag in _TEXT_TAGS:
                text = node.value
                return intern(text) if len(text) <= MAX_SHARED_LENGTH else text
            return self.scalar(node, path)
        if isinstance(node, SequenceNode):
            if node.tag != _SEQ:
                raise _Rejected(self.problem("RP101", _tag_message(node.tag), node, path))
            depth += 1
            return [self.build(item, (*path, i), depth, via_alias=via_alias) for i, item in enumerate(node.value)]
        assert isinstance(node, MappingNode)  # noqa: S101 - the composer makes no other node kinds
        if node.tag != _MAP:
            raise _Rejected(self.problem("RP101", _tag_message(node.tag), node, path))
        return self.mapping(node, path, depth, via_alias=via_alias)

    def count_expansion(self, node: Node, path: KeyPath) -> None:
        """Count a node copied by an alias or a merge; too many copies is an alias bomb."""
        self._alias_nodes += 1
        if self._alias_nodes > MAX_ALIAS_NODES:
            raise _Rejected(
                self.problem(
                    "RP101",
                    f"aliases expand this document to more than {MAX_ALIAS_NODES} nodes "
                    "(an alias bomb?); write the values out or use fewer aliases",
                    node,
                    path,
                )
            )

    def scalar(self, node: ScalarNode, path: KeyPath) -> Any:
        """A scalar that is not a string: convert it by its (resolved or explicit) tag."""
        tag, text = node.tag, node.value
        if tag not in _CONVERTERS:
            raise _Rejected(self.problem("RP101", _tag_message(tag), node, path))
        convert, noun = _CONVERTERS[tag]
        try:  # an explicit tag (`!!bool yes`) may hold text its type does not accept
            return convert(text)
        except ValueError:
            raise _Rejected(self.problem("RP101", f"`{text}` is tagged as {noun} but is not one", node, path)) from None

    def bad_key(self, node: Node, path: KeyPath) -> _Rejected:
        """The problem with a key that is not a plain scalar of a standard type."""
        if not isinstance(node, ScalarNode):
            return _Rejected(
                self.problem("RP101", "mapping keys must be plain scalars, not a mapping or a list", node, path)
            )
        return _Rejected(self.problem("RP101", _tag_message(node.tag), node, path))

    def with_removal(  # noqa: PLR0913, PLR0917 - the duplicate's nodes and where it is
        self, problem: Problem, key: Node, value: ScalarNode, first: Any, path: KeyPath, depth: int
    ) -> Problem:
        """A duplicate whose value equals the first one's, alone on its lines, can be removed (RP102's fix)."""
        if self.text is None:
            return problem
        try:
            again = _Builder(self.file, self.index, record=False).build(value, path, depth)
        except _Rejected:
            return problem
        if repr(again) != repr(first):  # repr: 1, 1.0 and true are equal in Python, not in YAML
            return problem
        lines = self.text.splitlines()
        start, end = key.start_mark, value.end_mark
        if lines[start.line][: start.column].strip() or (end.column and lines[end.line][end.column :].strip()):
            return problem
        last = end.line + 1 if end.column else end.line  # 0-based line after the value
        removal = Replacement(start.line + 1, 1, last + 1, 1, "")
        return dataclasses.replace(problem, fix=Fix(f"remove the second `{path[-1]}` (same value)", (removal,)))

    def mapping(self, node: MappingNode, path: KeyPath, depth: int, *, via_alias: bool) -> dict[str, Any]:
        # Merged keys first, so that explicit keys (and their positions) win wherever they stand.
        if depth > MAX_DEPTH:
            raise self.too_deep(node, path)
        data: dict[str, Any] = {}
        pairs = node.value
        for key_node, value_node in pairs:
            if key_node.tag == _MERGE:
                for source in _merge_sources(value_node):
                    if not isinstance(source, MappingNode):
                        raise _Rejected(
                            self.problem("RP101", "`<<` merges mappings only: use `<<: *anchor`", value_node, path)
                        )
                    self.count_expansion(source, path)
                    for name, value in self.mapping(source, path, depth + 1, via_alias=True).items():
                        data.setdefault(name, value)
        first_seen: dict[str, Node] = {}
        depth += 1
        record, keys = self.record, self.keys
        # Most values are strings: with no span to record and no alias copy to count, a string
        # is taken as it is, without a call per value.
        inline = not record and not via_alias and depth <= MAX_DEPTH
        for key_node, value_node in pairs:
            tag = key_node.tag
            if tag == _MERGE:
                continue
            if not isinstance(key_node, ScalarNode) or tag not in _KEY_TAGS:
                raise self.bad_key(key_node, path)
            name = intern(key_node.value) if tag == _STR else str(key_node.value)
            if (
                inline
                and name not in first_seen
                and isinstance(value_node, ScalarNode)
                and value_node.tag in _TEXT_TAGS
            ):
                first_seen[name] = key_node  # what build() would do for a string, without the call
                text = value_node.value
                data[name] = intern(text) if len(text) <= MAX_SHARED_LENGTH else text
                continue
            child = (*path, name)
            if name in first_seen:
                first = first_seen[name]
                problem = self.problem(
                    "RP102",
                    f"duplicate key `{name}`: first defined at line {first.start_mark.line + 1}; "
                    "YAML tools disagree on which value wins, so relpolicy keeps the first",
                    key_node,
                    child,
                    Related(_location(self.file, first), f"`{name}` first defined here"),
                )
                if not node.flow_style and isinstance(value_node, ScalarNode):
                    problem = self.with_removal(problem, key_node, value_node, data[name], child, depth)
                self.problems.append(problem)
                continue
            first_seen[name] = key_node
            if record:
                keys[child] = _span(key_node)
            data[name] = self.build(value_node, child, depth, via_alias=via_alias)
        return data


_TEXT_TAGS: Final = frozenset({_STR, _TIMESTAMP})
"""Scalars kept as the text written (the models parse dates and datetimes themselves)."""
_KEY_TAGS: Final = frozenset({_STR, _INT, _FLOAT, _BOOL, _NULL, _TIMESTAMP})
"""Tags a mapping key may have: plain scalars only, never a tag that would construct an object."""


def _merge_sources(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    return [node]


def _to_null(text: str) -> None:
    if not _CORE_PATTERNS[_NULL].match(text):
        raise ValueError(text)


def _to_bool(text: str) -> bool:
    if not _CORE_PATTERNS[_BOOL].match(text):
        raise ValueError(text)
    return text.lower() == "true"


def _tag_message(tag: str) -> str:
    shown = tag.replace(_TAG, "!!")
    return f"the tag `{shown}` is not allowed: relpolicy reads plain YAML (mappings, lists, strings, numbers, booleans)"


def _to_int(text: str) -> int:
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text)


def _to_float(text: str) -> float:
    lowered = text.lower()
    if lowered.endswith(".inf"):
        return -math.inf if text.startswith("-") else math.inf
    if lowered == ".nan":
        return math.nan
    return float(text)


_CONVERTERS: Final[dict[str, tuple[Callable[[str], Any], str]]] = {
    _NULL: (_to_null, "null"),
    _BOOL: (_to_bool, "a boolean"),
    _INT: (_to_int, "an integer"),
    _FLOAT: (_to_float, "a number"),
}


def parse_yaml(text: str, file: str, *, lazy_positions: bool = False) -> ParseResult:
    """Parse every document of ``text``; a syntax error ends the file but keeps earlier documents.

    Empty documents (a stray ``---``) are skipped. With ``lazy_positions`` the walk records no
    spans: the first lookup in any document's :class:`PositionIndex` parses ``text`` again with
    positions (once for the whole file). Both parses run the same walk over the same text, so the
    data, problems and spans are the ones an eager parse gives.
    """
    result = ParseResult()
    # Only from the API (files are decoded strictly), and never in ASCII text, which CPython knows
    # of every string without looking (the search cost 0.05 s at 10,000 files).
    if not text.isascii() and (surrogate := _LONE_SURROGATE.search(text)) is not None:
        line, col = _line_and_column(text, surrogate.start())
        message = f"YAML syntax error: a lone surrogate (U+{ord(surrogate.group()):04X}) is not a character"
        result.problems.append(Problem("RP101", message, Location(file, line, col, line, col + 1), f"{file}#0:syntax"))
        return result
    if (too_many := _too_many_nodes(text, file)) is not None:
        result.problems.append(too_many)
        return result
    if lazy_positions and (fast := fast_documents(text)) is not None:
        # A plain file, read by rapidyaml exactly as below (source/fastparse.py); spans still
        # come from this function's recording parse, made when a finding needs one.
        deferred = DeferredSpans(text, file)
        for index, data in fast:
            positions = PositionIndex(file, load=functools.partial(deferred.of, index))
            result.documents.append(ParsedDocument(index, data, positions))
        return result
    spans = DeferredSpans(text, file) if lazy_positions else None
    may_alias = "*" in text  # an alias is always written `*name`
    composer = _Composer(text)
    index = 0
    try:
        while composer.check_node():
            node = composer.get_node()
            if node is None:  # pragma: no cover - check_node() promised a node
                break
            builder = _Builder(file, index, record=spans is None, aliases=may_alias)
            builder.text = text
            try:
                data = builder.build(node)
            except _Rejected as rejected:
                result.problems.append(rejected.problem)
            else:
                if data is not None:
                    if spans is None:
                        positions = PositionIndex(file, values=builder.values, keys=builder.keys)
                    else:
                        positions = PositionIndex(file, load=functools.partial(spans.of, index))
                    result.documents.append(ParsedDocument(index, data, positions))
            result.problems.extend(builder.problems)
            index += 1
    except yaml.YAMLError as error:
        result.problems.append(_syntax_problem(error, text, file, index))
    finally:
        composer.dispose()
    return result


def _too_many_nodes(text: str, file: str) -> Problem | None:
    """The problem with a file of more than ``MAX_NODES`` nodes, at the first node past the limit.

    Checked before anything is built. A file of fewer than ``MAX_NODES / 2`` characters cannot
    hold more marks than that, so it needs no count (policy files are a few KB). Counting the
    characters that may begin a node (~1 ms per MiB) settles it for any file below ~400 KB of
    policy text; only a larger file has its nodes counted exactly, from libyaml's events, which
    are not kept (up to ~0.25 s, at the limit).
    A syntax error ends the count: the parse reports it.
    """
    if 2 * (len(text) + 1) <= MAX_NODES or 2 * (sum(map(text.count, _NODE_MARKS)) + 1) <= MAX_NODES:
        return None  # no count for the ordinary file: it has fewer characters than the marks could be
    events = _Composer(text)
    nodes = 0
    try:
        while (event := events.get_event()) is not None:
            if type(event) in _NODE_EVENTS:
                nodes += 1
                if nodes > MAX_NODES:
                    mark = event.start_mark
                    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
                    message = (
                        f"the file holds more than {MAX_NODES:,} YAML nodes (values, keys, lists and mappings); "
                        "policy files need far fewer, so split it"
                    )
                    return Problem("RP101", message, Location(file, line, col, line, col + 1), f"{file}#file:nodes")
    except yaml.YAMLError:
        return None
    finally:
        events.dispose()
    return None


_NODE_EVENTS: Final = frozenset({yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent, yaml.AliasEvent})


class DeferredSpans:
    """The spans of one file's documents, from a recording parse made on first demand."""

    __slots__ = ("_by_index", "file", "text")

    def __init__(self, text: str, file: str) -> None:
        self.text = text
        self.file = file
        self._by_index: dict[int, PositionIndex] | None = None

    def of(self, index: int) -> tuple[SpanMap, SpanMap]:
        if self._by_index is None:
            parsed = parse_yaml(self.text, self.file)
            self._by_index = {document.index: document.positions for document in parsed.documents}
        positions = self._by_index[index]
        return positions.values, positions.keys


_LONE_SURROGATE: Final = re.compile("[\ud800-\udfff]")
_LINE_BREAK: Final = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
"""What libyaml counts as a line break (YAML 1.1): CRLF, CR, LF, NEL, LS, PS."""


def _line_and_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of the character at ``offset``, counting lines as libyaml does."""
    breaks = list(_LINE_BREAK.finditer(text, 0, offset))
    line_start = breaks[-1].end() if breaks else 0
    return len(breaks) + 1, offset - line_start + 1


def _syntax_problem(error: yaml.YAMLError, text: str, file: str, index: int) -> Problem:
    mark = getattr(error, "problem_mark", None)
    if mark is not None:
        line, col = mark.line + 1, mark.column + 1
    elif isinstance(error, yaml.reader.ReaderError):  # a bad character: only its offset is known
        offset = error.position
        if yaml.__with_libyaml__:  # libyaml counts bytes of the UTF-8 encoding, not characters
            offset = len(text.encode("utf-8")[:offset].decode("utf-8", errors="ignore"))
        line, col = _line_and_column(text, offset)
    else:  # pragma: no cover - every libyaml error carries one or the other
        line, col = 1, 1
    if isinstance(error, yaml.MarkedYAMLError):
        parts = [error.context, error.problem]
        message = "; ".join(p for p in parts if p)
    else:
        message = str(error).splitlines()[0]
    return Problem(
        "RP101",
        f"YAML syntax error: {message}",
        Location(file, line, col, line, col + 1),
        f"{file}#{index}:syntax",
    )
