"""``relpolicy rules``: the rule catalogue, one line per rule, or as Markdown."""

from __future__ import annotations

import argparse

from relpolicy.cli import EXIT_CLEAN
from relpolicy.cli._output import write


def configure(parser: argparse.ArgumentParser) -> None:
    """``rules [--format text|markdown]``."""
    parser.add_argument(
        "--format",
        choices=("text", "markdown"),
        default="text",
        help="one line per rule, or the full catalogue in Markdown (docs/rules.md)",
    )


def run(args: argparse.Namespace) -> int:
    """Print every rule: id, name, default severity, summary (or the Markdown catalogue)."""
    from relpolicy.rules import RULES  # noqa: PLC0415

    if args.format == "markdown":
        from relpolicy.rules.catalog import render_markdown  # noqa: PLC0415

        write(render_markdown(RULES))
        return EXIT_CLEAN
    width = max(len(r.name) for r in RULES)
    write("".join(f"{r.id}  {r.name:<{width}}  {r.severity.label:<7}  {r.summary}\n" for r in RULES))
    return EXIT_CLEAN
