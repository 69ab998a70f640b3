"""What a fix is: text replacements in one file that a rule knows to be safe.

A rule that can repair what it reports attaches a :class:`Fix` to its problem. The fix is
computed from key paths (``spec.owner``, the key of ``spec.ownr``) by :mod:`relpolicy.editing.fixes`,
and stored as the regions of text to replace, so that ``check --fix`` applies it and SARIF shows
it (``fixes[].artifactChanges[].replacements``) without parsing the file again.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Protocol

from relpolicy.suggestions import Names


class Region(Protocol):
    """A 1-based, end-exclusive region of a file (a :class:`relpolicy.findings.Location` is one).

    A protocol, so that this module stays below :mod:`relpolicy.findings`, which imports it.
    """

    @property
    def line(self) -> int: ...
    @property
    def col(self) -> int: ...
    @property
    def end_line(self) -> int: ...
    @property
    def end_col(self) -> int: ...


@dataclass(frozen=True, order=True, slots=True)
class Replacement:
    """Replace a 1-based, end-exclusive region of a file's text; an empty region inserts."""

    line: int
    col: int
    end_line: int
    end_col: int
    text: str


@dataclass(frozen=True, slots=True)
class Fix:
    """A safe, mechanical change that resolves one problem: what it does, and the text it replaces."""

    description: str
    """What the fix does, as a sentence fragment: "rename `ownr` to `owner`"."""
    replacements: tuple[Replacement, ...]


_PLAIN_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_./@-]*")
_AMBIGUOUS: Final = re.compile(
    r"(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF"
    r"|null|Null|NULL|[0-9eE._+-]+|0[xob][0-9a-fA-F_]+|\.inf|\.Inf|\.INF|\.nan|\.NaN|\.NAN)"
)


def yaml_scalar(text: str) -> str:
    """``text`` as a YAML scalar: plain when every YAML reader takes it for that text, else double-quoted."""
    if _PLAIN_NAME.fullmatch(text) and not _AMBIGUOUS.fullmatch(text) and not text.endswith(":"):
        return text
    return json.dumps(text, ensure_ascii=False)


def unambiguous_match(word: str, choices: Iterable[str] | Names) -> str | None:
    """The one choice that ``word`` is clearly a typo of: close (ratio >= 0.8) and clearly closer than any other.

    "Clearly closer": no other choice within 0.1 of its similarity ratio, so ``paymnts`` becomes
    ``payments`` even beside ``payments-api``, but ``db1`` is left alone beside ``db2`` and ``db3``.
    Many lookups in the same names share one :class:`Names` index (and its work budget).
    """
    names = choices if isinstance(choices, Names) else Names(choices)
    scored = [(ratio, choice) for ratio, choice in names.ranked(word, 0.7, 3) if choice != word][:2]
    if not scored or scored[0][0] < 0.8:
        return None
    if len(scored) > 1 and scored[1][0] > scored[0][0] - 0.1:
        return None
    return scored[0][1]


def replace(region: Region, text: str, description: str) -> Fix:
    """A fix that replaces one located node (a value, or a key when ``region`` is the key's)."""
    return Fix(description, (Replacement(region.line, region.col, region.end_line, region.end_col, text),))
