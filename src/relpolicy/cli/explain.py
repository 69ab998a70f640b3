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
    from relpolicy.errors import RelpolicyError  # noqa: PLC0415
    from relpolicy.model.build import did_you_mean  # noqa: PLC0415
    from relpolicy.rules import RULES, lookup  # noqa: PLC0415

    try:
        rule = lookup(args.rule)
    except RelpolicyError as error:
        hint = did_you_mean(args.rule, [r.name for r in RULES])
        if not hint:
            raise
        msg = f"unknown rule name `{args.rule}`{hint}"
        raise RelpolicyError(msg) from error
    doc = rule.doc
    write(
        f"{rule.id} {rule.name} ({rule.severity.label})\n\n{rule.summary}\n\n{doc.rationale}\n\n"
        f"Fix: {f'`relpolicy check --fix` {rule.fix}' if rule.fix else 'none automatic; edit the file'}.\n\n"
        f"Failing example:\n\n{textwrap.indent(doc.failing, '    ')}\n"
        f"Passing example:\n\n{textwrap.indent(doc.passing, '    ')}"
    )
    return EXIT_CLEAN
