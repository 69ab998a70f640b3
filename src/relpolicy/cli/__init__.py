"""The ``relpolicy`` command: a thin layer that parses options, calls the library, writes output.

Exit codes: 0 clean, 1 findings at or above ``--fail-on``, 2 usage or internal error. Library
code never prints or exits; this module turns :class:`RelpolicyError` into one line on stderr.
Subcommand modules are imported only when chosen, so light commands start fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import Final

from relpolicy._version import __version__

EXIT_CLEAN: Final = 0
EXIT_FINDINGS: Final = 1
EXIT_ERROR: Final = 2

_COMMANDS: Final = {
    "check": ("relpolicy.cli.check", "check policy files and report findings"),
    "schema": ("relpolicy.cli.schema", "print or write the JSON Schemas of the policy language"),
    "rules": ("relpolicy.cli.rules", "list every rule with its id, name, severity and summary"),
    "explain": ("relpolicy.cli.explain", "show a rule's documentation with a failing and a passing example"),
    "render": ("relpolicy.cli.render", "write runbooks or SLA tables from the policies (--check: fail when stale)"),
    "graph": ("relpolicy.cli.graph", "print the dependency graph as Mermaid, Graphviz DOT or JSON"),
    "impact": ("relpolicy.cli.impact", "list everything that goes down, or is degraded, when a service is down"),
    "deadline": ("relpolicy.cli.deadline", "when an incident's response and restore are due on its level's clock"),
    "diff": ("relpolicy.cli.diff", "what a change does to the promises: BASE [HEAD] are git revisions or directories"),
    "fmt": ("relpolicy.cli.fmt", "write policy files in the canonical layout, keeping every comment (--check, --diff)"),
    "export": ("relpolicy.cli.export", "write Prometheus rules, Alertmanager mutes, OpenSLO or iCalendar files"),
    "import": (
        "relpolicy.cli.importer",
        "write policy files from OpenSLO or Sloth SLO documents, or a Backstage catalog (notes what does not map)",
    ),
}


def _parser() -> tuple[argparse.ArgumentParser, argparse._SubParsersAction[argparse.ArgumentParser]]:
    parser = argparse.ArgumentParser(
        prog="relpolicy",
        description="Reliability policy as code: validate, lint and render reliability policies kept in YAML.",
    )
    parser.add_argument("--version", action="version", version=f"relpolicy {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    return parser, commands


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser, commands = _parser()
    chosen = next((a for a in args_list if not a.startswith("-")), None)
    for name, (module_name, help_text) in _COMMANDS.items():
        sub = commands.add_parser(name, help=help_text, description=help_text)
        if name == chosen:
            module = importlib.import_module(module_name)
            module.configure(sub)
            sub.set_defaults(run=module.run)
    try:
        args = parser.parse_args(args_list)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else EXIT_ERROR
    from relpolicy.errors import RelpolicyError  # noqa: PLC0415 - light import, only when running

    try:
        code: int = args.run(args)
    except RelpolicyError as error:
        print(f"relpolicy: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except Exception as error:
        print(
            f"relpolicy: internal error: {type(error).__name__}: {error} (please report this bug)",
            file=sys.stderr,
        )
        return EXIT_ERROR
    return code
