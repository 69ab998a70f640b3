"""``relpolicy rules``: the rule catalogue, one line per rule."""

from __future__ import annotations

import argparse

from relpolicy.cli import EXIT_CLEAN
from relpolicy.cli._output import write


def configure(parser: argparse.ArgumentParser) -> None:
    """``rules`` takes no options."""
    del parser


def run(args: argparse.Namespace) -> int:
    """Print every rule: id, name, default severity, summary."""
    del args
    from relpolicy.rules import RULES  # noqa: PLC0415

    width = max(len(r.name) for r in RULES)
    write("".join(f"{r.id}  {r.name:<{width}}  {r.severity.label:<7}  {r.summary}\n" for r in RULES))
    return EXIT_CLEAN
