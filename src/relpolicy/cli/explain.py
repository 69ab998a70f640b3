"""``relpolicy explain RULE``: a rule's documentation, with a failing and a passing example."""

from __future__ import annotations

import argparse
import textwrap

from relpolicy.cli import EXIT_CLEAN
from relpolicy.cli._output import write


def configure(parser: argparse.ArgumentParser) -> None:
    """``explain`` takes a rule id or name."""
    parser.add_argument("rule", help="a rule id (RP201) or name (unknown-reference)")


def run(args: argparse.Namespace) -> int:
    """Print the rule's documentation."""
    from relpolicy.rules import lookup  # noqa: PLC0415

    rule = lookup(args.rule)
    doc = rule.doc
    write(
        f"{rule.id} {rule.name} ({rule.severity.label})\n\n{rule.summary}\n\n{doc.rationale}\n\n"
        f"Failing example:\n\n{textwrap.indent(doc.failing, '    ')}\n"
        f"Passing example:\n\n{textwrap.indent(doc.passing, '    ')}"
    )
    return EXIT_CLEAN
