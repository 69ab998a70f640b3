"""``relpolicy diff BASE [HEAD] [-- PATHS...]``: what a change does to the promises.

BASE and HEAD are git revisions or directories, read as ``git diff`` reads them: HEAD defaults
to the working tree, PATHS (after ``--``) to the configured policy roots. Exit codes: 0, or 1
with ``--fail-on weakens`` when a promise is weakened; 2 for a bad revision or usage.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Final

from relpolicy.cli import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS
from relpolicy.cli._args import iso_date
from relpolicy.cli._output import write
from relpolicy.errors import RelpolicyError

FORMATS: Final = ("text", "markdown", "json")
USAGE: Final = "relpolicy diff [options] BASE [HEAD] [-- PATH...]"


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    parser.add_argument(
        "--output", type=Path, metavar="FILE", help="write the diff to FILE; the terminal still gets the summary line"
    )
    parser.add_argument(
        "--fail-on",
        choices=("weakens", "never"),
        default="never",
        help="exit 1 when a change weakens a promise (default: never)",
    )
    parser.add_argument(
        "--as-of",
        type=iso_date,
        metavar="YYYY-MM-DD",
        help="date that budgets, maintenance and freezes are computed from (default: today in UTC)",
    )
    parser.add_argument(
        "--config", type=Path, metavar="FILE", help="settings file (default: ./relpolicy.yaml, else pyproject.toml)"
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="read and write no parse cache on disk (default: the cache `check` uses); a file the same on both "
        "sides is still parsed once",
    )


def configure(parser: argparse.ArgumentParser) -> None:
    """Declare the options of ``diff``; the sides and paths are read from what follows them."""
    parser.usage = USAGE
    _options(parser)
    # REMAINDER keeps the `--` that separates the sides from the paths (argparse drops it otherwise).
    parser.add_argument(
        "arguments",
        nargs=argparse.REMAINDER,
        metavar="BASE [HEAD] [-- PATH...]",
        help="git revisions or directories (HEAD: the working tree), then the policy paths (default: policies/)",
    )


def _split(args: argparse.Namespace) -> tuple[str, str | None, list[Path]]:
    """The sides and paths; options written after BASE are parsed here."""
    arguments: list[str] = list(args.arguments)
    paths: list[Path] = []
    if "--" in arguments:
        cut = arguments.index("--")
        arguments, paths = arguments[:cut], [Path(p) for p in arguments[cut + 1 :]]
    later = argparse.ArgumentParser(prog="relpolicy diff", usage=USAGE, add_help=False)
    _options(later)
    later.add_argument("sides", nargs="*")
    later.parse_intermixed_args(arguments, namespace=args)
    sides: list[str] = args.sides
    if not 1 <= len(sides) <= 2:
        later.error(f"expected BASE and at most one HEAD before `--`, got {len(sides)}: {' '.join(sides) or 'none'}")
    return sides[0], sides[1] if len(sides) == 2 else None, paths


def run(args: argparse.Namespace) -> int:
    """Compare the two sides and write the diff."""
    try:
        base, head, paths = _split(args)
    except SystemExit as exit_:  # a usage error of the options after BASE: argparse printed it
        return exit_.code if isinstance(exit_.code, int) else EXIT_ERROR
    from relpolicy.config import load_settings  # noqa: PLC0415 - heavy imports only when running
    from relpolicy.diff import Source, compare, opened  # noqa: PLC0415
    from relpolicy.diff.output import RENDERERS, summary  # noqa: PLC0415
    from relpolicy.diff.sides import SharedParses  # noqa: PLC0415
    from relpolicy.engine import collector_paused  # noqa: PLC0415

    cwd = Path.cwd()
    settings = load_settings(cwd, args.config)
    roots = paths or list(settings.roots)
    as_of = args.as_of or settings.as_of or dt.datetime.now(dt.UTC).date()
    if head is None and not paths and not all((cwd / root).exists() for root in roots):
        missing = ", ".join(f"{root}/" for root in roots if not (cwd / root).exists())
        msg = f"no paths given and no {missing} here; pass the policy paths after `--`"
        raise RelpolicyError(msg)

    disk = None
    if not args.no_cache and settings.cache_dir is not None:
        from relpolicy.source.cache import ParseCache  # noqa: PLC0415

        disk = ParseCache(settings.cache_dir)
    cache = SharedParses(disk)  # a file the same on both sides is parsed once, even with --no-cache

    def roots_of(side: str | None) -> list[Path]:
        """A directory side with no paths given is read whole."""
        return roots if paths or not _is_dir(side) else []

    with (
        collector_paused(),
        opened(Source(base), roots_of(base), cwd=cwd, as_of=as_of, settings=settings, cache=cache) as old,
        opened(Source(head), roots_of(head), cwd=cwd, as_of=as_of, settings=settings, cache=cache) as new,
    ):
        diff = compare(old, new)
    text = RENDERERS[args.format](diff)
    if args.output is None:
        write(text)
    else:
        from relpolicy.fileio import write_text  # noqa: PLC0415

        write_text(args.output, text)
        write(f"relpolicy diff: {summary(diff)}\n")
    for side in (old, new):
        if side.files == 0:
            print(f"relpolicy: warning: no policy files in {side.label}", file=sys.stderr)
    return EXIT_FINDINGS if args.fail_on == "weakens" and diff.weakens else EXIT_CLEAN


def _is_dir(side: str | None) -> bool:
    return side is not None and Path(side).is_dir()
