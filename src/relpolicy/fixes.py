"""What a fix is: text replacements in one file that a rule knows to be safe (a leaf module).

A rule that can repair what it reports attaches a :class:`Fix` to its problem. The fix is
computed from key paths (``spec.owner``, the key of ``spec.ownr``) by :mod:`relpolicy.editing.fixes`,
and stored as the regions of text to replace, so that ``check --fix`` applies it and SARIF shows
it (``fixes[].artifactChanges[].replacements``) without parsing the file again.
"""

from __future__ import annotations

from dataclasses import dataclass


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
