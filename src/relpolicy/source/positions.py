"""Source positions kept beside the parsed data, keyed by the path of each node.

The parsed data is plain ``dict``/``list``/scalars so that validators see JSON-like values. The
positions of every mapping key and every value live in a :class:`PositionIndex`, keyed by the
node's key path (``("spec", "dependsOn", 1, "service")``), and are turned into
:class:`~relpolicy.findings.Location` values only when a finding needs one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeAlias

from relpolicy.findings import Location

KeyPath: TypeAlias = tuple[str | int, ...]
"""Where a node sits in a document: mapping keys and sequence indexes from the root."""

Span: TypeAlias = tuple[int, int, int, int]
"""``(line, col, end_line, end_col)``, 1-based, end exclusive."""


def format_key_path(path: KeyPath) -> str:
    """Render a key path the way users write it: ``spec.dependsOn[1].service``."""
    out: list[str] = []
    for part in path:
        if isinstance(part, int):
            out.append(f"[{part}]")
        else:
            out.append(f".{part}" if out else part)
    return "".join(out) or "(document)"


@dataclass(slots=True)
class PositionIndex:
    """Spans of the keys and values of one YAML document."""

    file: str
    values: dict[KeyPath, Span] = field(default_factory=dict)
    keys: dict[KeyPath, Span] = field(default_factory=dict)

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
