"""``relpolicy diff``: what a change does to the promises, for the reviewer and for CI.

:func:`~relpolicy.diff.sides.opened` checks a side (a directory, the working tree or a git
revision), :func:`~relpolicy.diff.compare.compare` compares two, and
:mod:`relpolicy.diff.output` renders the result as text, Markdown or JSON.
"""

from __future__ import annotations

from relpolicy.diff.compare import Change, Diff, compare
from relpolicy.diff.sides import Side, Source, check_side, opened
from relpolicy.diff.table import Effect

__all__ = ["Change", "Diff", "Effect", "Side", "Source", "check_side", "compare", "opened"]
