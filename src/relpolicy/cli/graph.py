"""``relpolicy graph``: the dependency graph as Mermaid, Graphviz DOT or JSON, whole or around a service."""

from __future__ import annotations

import argparse
from pathlib import Path

from relpolicy.cli import EXIT_CLEAN
from relpolicy.cli._args import MAX_DEPTH, bounded_int
from relpolicy.cli._output import write
from relpolicy.cli.render import add_source_options, load
from relpolicy.errors import RelpolicyError


def configure(parser: argparse.ArgumentParser) -> None:
    """Declare the options of ``graph``."""
    add_source_options(parser)
    parser.add_argument(
        "--format", choices=("mermaid", "dot", "json"), default="mermaid", help="output format (default: mermaid)"
    )
    parser.add_argument("--service", metavar="NAME", help="only this service and its neighbourhood")
    parser.add_argument(
        "--depth",
        type=bounded_int(0, MAX_DEPTH, "a depth"),
        metavar="N",
        help=f"with --service: dependencies and dependents up to N steps away, 0 to {MAX_DEPTH} (default: 1)",
    )
    parser.add_argument("--out", type=Path, metavar="FILE", help="write to FILE (default: standard output)")


def run(args: argparse.Namespace) -> int:
    """Print or write the graph."""
    from relpolicy.render.graph_export import RENDERERS, around, whole  # noqa: PLC0415
    from relpolicy.render.load import find_service  # noqa: PLC0415

    if args.depth is not None and args.service is None:
        msg = "--depth needs --service NAME"
        raise RelpolicyError(msg)
    policy, graph, _ = load(args.paths, args.config)
    if args.service is None:
        view = whole(graph)
    else:
        view = around(graph, find_service(policy, args.service), 1 if args.depth is None else args.depth)
    text = RENDERERS[args.format](view)
    if args.out is None:
        write(text)
        return EXIT_CLEAN
    from relpolicy.fileio import write_text  # noqa: PLC0415

    write_text(args.out, text)
    return EXIT_CLEAN
