"""``relpolicy export ics``: the maintenance windows and change freezes as an iCalendar (RFC 5545) file.

Output goes to standard output (bytes as they are: CRLF line ends) or to ``--out FILE``;
``--check`` writes nothing and exits 1 with a diff when the file is stale. ``--service`` and
``--team`` (each repeatable) keep the events about those services; ``--holidays`` adds the days
off of the business calendars in ``--years`` (default: the years of the policy's one-off windows
and freezes). Runbook links use ``--runbook-url``, else the ``runbookBaseUrl`` setting. Events
are stamped with a fixed ``DTSTAMP`` (see :mod:`relpolicy.export.ics`) unless ``--stamp`` gives
one. ``export`` (:mod:`relpolicy.cli.export`) declares it as one of its targets.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from pathlib import Path
from typing import Final

from relpolicy.cli import EXIT_CLEAN
from relpolicy.cli._args import in_years
from relpolicy.cli._output import write
from relpolicy.cli.render import add_source_options, load
from relpolicy.errors import RelpolicyError

_YEARS: Final = re.compile(r"^(\d{4})(?:-(\d{4}))?$")
_BASE_URL: Final = re.compile(r"^https?://\S+/$")


def _years(text: str) -> tuple[int, int]:
    """``--years 2026`` or ``2026-2028``."""
    match = _YEARS.match(text)
    if match is None:
        msg = f"not a year or range of years: {text!r} (expected YYYY or YYYY-YYYY)"
        raise argparse.ArgumentTypeError(msg)
    first = int(match[1])
    return first, int(match[2] or first)


def _stamp(text: str) -> dt.datetime:
    """``--stamp 2026-12-04T17:00:00Z``: an instant with its UTC offset."""
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        msg = f"not a date and time with a UTC offset: {text!r} (expected e.g. 2026-12-04T17:00:00Z)"
        raise argparse.ArgumentTypeError(msg)
    in_years(value.date(), text)
    return value


def _base_url(text: str) -> str:
    if not _BASE_URL.match(text):
        msg = f"not a base URL: {text!r} (expected http(s)://... ending in /)"
        raise argparse.ArgumentTypeError(msg)
    return text


def add_parser(targets: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Declare ``export ics`` among the targets of ``export``."""
    ics = targets.add_parser(
        "ics",
        help="an iCalendar file of the maintenance windows and change freezes (and holidays)",
        description="Write an RFC 5545 calendar: one event per maintenance window and change freeze.",
    )
    add_source_options(ics)
    ics.add_argument("--out", type=Path, metavar="FILE", help="write to FILE (default: standard output)")
    ics.add_argument(
        "--service", action="append", default=[], metavar="NAME", help="only events about this service (repeatable)"
    )
    ics.add_argument(
        "--team",
        action="append",
        default=[],
        metavar="NAME",
        help="only events about this team's services (repeatable)",
    )
    ics.add_argument("--holidays", action="store_true", help="add the days off of each business calendar")
    ics.add_argument(
        "--years",
        type=_years,
        metavar="YYYY[-YYYY]",
        help="with --holidays, the years to list (default: the years of the one-off windows and freezes)",
    )
    ics.add_argument(
        "--runbook-url",
        type=_base_url,
        metavar="BASE",
        help="link each service's runbook page under BASE (default: the runbookBaseUrl setting)",
    )
    ics.add_argument(
        "--stamp",
        type=_stamp,
        metavar="DATETIME",
        help="the DTSTAMP of every event, e.g. the policies' commit time (default: a fixed 2000-01-03T00:00:00Z)",
    )
    ics.add_argument("--check", action="store_true", help="write nothing; exit 1 with a diff when the file is stale")


def run(args: argparse.Namespace) -> int:
    """Export the calendar."""
    from relpolicy.cli.render import _sync_file  # noqa: PLC0415 - shared writing of generated files
    from relpolicy.export import ics  # noqa: PLC0415 - dateutil and holidays only when exporting

    policy, graph, settings = load(args.paths, args.config)
    if args.years is not None and not args.holidays:
        msg = "--years applies to --holidays"
        raise RelpolicyError(msg)
    years = None
    if args.holidays:
        years = args.years or ics.policy_years(policy)
        if years is None:
            msg = "--holidays: no one-off window or freeze to take the years from; give --years YYYY[-YYYY]"
            raise RelpolicyError(msg)
    text = ics.export_ics(
        policy,
        graph,
        selection=ics.select(policy, args.service, args.team),
        holiday_years=years,
        runbook_base_url=args.runbook_url or settings.runbook_base_url,
        stamp=args.stamp or ics.DEFAULT_STAMP,
    )
    if args.out is None:
        if args.check:
            msg = "--check needs --out FILE to compare with"
            raise RelpolicyError(msg)
        buffer = getattr(sys.stdout, "buffer", None)
        if buffer is None:
            write(text)
        else:
            sys.stdout.flush()
            buffer.write(text.encode("utf-8"))
            buffer.flush()
        return EXIT_CLEAN
    return _sync_file(args.out, text, check=args.check, again=_again(args))


def _again(args: argparse.Namespace) -> str:
    """The command that rewrites what ``--check`` found stale."""
    words = ["relpolicy", "export", "ics", *(p.as_posix() for p in args.paths)]
    if args.config is not None:
        words += ["--config", args.config.as_posix()]
    for option in ("service", "team"):
        for name in getattr(args, option):
            words += [f"--{option}", name]
    if args.holidays:
        words.append("--holidays")
    if args.years is not None:
        words += ["--years", f"{args.years[0]}-{args.years[1]}"]
    if args.runbook_url is not None:
        words += ["--runbook-url", args.runbook_url]
    if args.stamp is not None:
        words += ["--stamp", args.stamp.isoformat()]
    return " ".join([*words, "--out", args.out.as_posix()])
