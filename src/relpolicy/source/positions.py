"""Source positions kept beside the parsed data, keyed by the path of each node.

The parsed data is plain ``dict``/``list``/scalars so that validators see JSON-like values. The
positions of every mapping key and every value live in a :class:`PositionIndex`, keyed by the
node's key path (``("spec", "dependsOn", 1, "service")``), and are turned into
:class:`~relpolicy.findings.Location` values only when a finding needs one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

from relpolicy.findings import Location

KeyPath: TypeAlias = tuple[str | int, ...]
"""Where a node sits in a document: mapping keys and sequence indexes from the root."""

Span: TypeAlias = tuple[int, int, int, int]
"""``(line, col, end_line, end_col)``, 1-based, end exclusive."""

SpanMap: TypeAlias = dict[KeyPath, Span]


def format_key_path(path: KeyPath) -> str:
    """Render a key path the way users write it: ``spec.dependsOn[1].service``."""
    out: list[str] = []
    for part in path:
        if isinstance(part, int):
            out.append(f"[{part}]")
        else:
            out.append(f".{part}" if out else part)
    return "".join(out) or "(document)"


class PositionIndex:
    """Spans of the keys and values of one YAML document.

    The spans are either recorded while parsing, or loaded on first use by ``load`` (the fast
    path of ``check`` parses without recording them and re-parses a file only when one of its
    findings needs a location, so that a clean repo never pays for positions it does not show).
    """

    __slots__ = ("_keys", "_load", "_values", "file")

    def __init__(
        self,
        file: str,
        *,
        values: SpanMap | None = None,
        keys: SpanMap | None = None,
        load: Callable[[], tuple[SpanMap, SpanMap]] | None = None,
    ) -> None:
        self.file = file
        self._load = load
        self._values = values if values is not None or load is not None else {}
        self._keys = keys if keys is not None or load is not None else {}

    def _loaded(self) -> tuple[SpanMap, SpanMap]:
        if self._values is None or self._keys is None:
            assert self._load is not None  # noqa: S101 - set whenever the spans are not recorded
            self._values, self._keys = self._load()
            self._load = None
        return self._values, self._keys

    @property
    def values(self) -> SpanMap:
        """The span of every value (the whole node), by key path."""
        return self._loaded()[0]

    @property
    def keys(self) -> SpanMap:
        """The span of every mapping key, by the key path of its value."""
        return self._loaded()[1]

    def closest(self, path: KeyPath) -> KeyPath:
        """The longest prefix of ``path`` that exists in the document (the root always does)."""
        while path and path not in self.values:
            path = path[:-1]
        return path

    def span(self, path: KeyPath, *, key: bool = False) -> Span:
        """The span of the value at ``path`` (or of its key), or of its closest existing parent.

        When ``path`` does not exist (a missing field), the finding belongs to the key of the
        nearest parent that does, so ``key`` is forced for parents.
        """
        found = self.closest(path)
        if found != path:
            key = True
        if key and found in self.keys:
            return self.keys[found]
        return self.values[found]

    def locate(self, path: KeyPath, *, key: bool = False) -> Location:
        """A :class:`Location` for the node at ``path`` (see :meth:`span`)."""
        line, col, end_line, end_col = self.span(path, key=key)
        return Location(self.file, line, col, end_line, end_col)
