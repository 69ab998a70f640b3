"""Reporters: pure functions from a :class:`~relpolicy.engine.Report` to text.

Each format lives in its own module with a ``render(report) -> str`` function; :data:`FORMATS`
lists them for ``relpolicy check --format`` so that the CLI imports only the chosen one.
"""

from __future__ import annotations

from typing import Final

FORMATS: Final = ("text", "json", "sarif", "github", "junit")
"""Every ``--format`` value; each names the module ``relpolicy.report.<format>``."""
