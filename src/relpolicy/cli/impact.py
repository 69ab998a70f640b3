"""``relpolicy impact SERVICE``: everything that goes down, or is degraded, when a service is down."""

from __future__ import annotations

import argparse

from relpolicy.cli import EXIT_CLEAN
from relpolicy.cli._output import write
from relpolicy.cli.render import add_source_options, load


def configure(parser: argparse.ArgumentParser) -> None:
    """Declare the options of ``impact``."""
    parser.add_argument("service", metavar="SERVICE", help="the service that goes down")
    add_source_options(parser)
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")


def run(args: argparse.Namespace) -> int:
    """Print the blast radius."""
    from relpolicy.render.impact import blast_radius, to_json, to_text  # noqa: PLC0415
    from relpolicy.render.load import find_service  # noqa: PLC0415

    policy, graph, _ = load(args.paths, args.config)
    radius = blast_radius(graph, find_service(policy, args.service))
    write(to_json(radius) if args.format == "json" else to_text(radius))
    return EXIT_CLEAN
