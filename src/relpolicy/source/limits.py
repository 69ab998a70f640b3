"""Limits that both YAML readers apply: libyaml's (``parse.py``) and rapidyaml's (``fastparse.py``).

A leaf module, so that the fast reader and the reference reader share them without importing each
other: ``parse`` calls ``fastparse`` first, and ``fastparse`` must not reach back into ``parse``.
"""

from __future__ import annotations

from typing import Final

MAX_DEPTH: Final = 64
"""Deepest nesting accepted; policy documents need about ten levels."""

MAX_SHARED_LENGTH: Final = 64
"""Keys and string values up to this length are interned: a repo repeats the same keys, kinds,
names and durations hundreds of thousands of times, and one shared copy of each saves ~40% of
the parsed data's memory (and lets validators compare keys by identity)."""
