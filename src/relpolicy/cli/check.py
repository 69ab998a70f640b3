"""``relpolicy check [PATHS...]``: check policy files and report findings."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Final

from relpolicy.cli import EXIT_CLEAN, EXIT_FINDINGS
from relpolicy.cli._args import iso_date
from relpolicy.errors import RelpolicyError
from relpolicy.findings import Severity
from relpolicy.report import FORMATS

if TYPE_CHECKING:
    from collections.abc import Sequence

    from relpolicy.engine import Report

DEFAULT_ROOT: Final = Path("policies")
FAIL_ON_CHOICES: Final = ("error", "warning", "info", "never")


def configure(parser: argparse.ArgumentParser) -> None:
    """Declare the options of ``check``."""
    parser.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="files or directories (default: policies/)")
    parser.add_argument("--format", choices=FORMATS, default="text", help="report format (default: text)")
    parser.add_argument(
        "--sarif-category",
        type=sarif_category,
        default="",
        metavar="NAME",
        help="tell apart several SARIF uploads in one workflow: automationDetails.id becomes relpolicy/NAME/",
    )
    parser.add_argument(
        "--output",
        type=Path,
        metavar="FILE",
        help="write the report to FILE; the terminal still gets the summary line",
    )
    parser.add_argument(
        "--changed-since",
        metavar="REF",
        help="report only findings in files changed since the git REF, and those the change caused elsewhere",
    )
    parser.add_argument(
        "--fail-on",
        choices=FAIL_ON_CHOICES,
        help="exit 1 when a finding is at least this severe (default: error, or the config's failOn)",
    )
    parser.add_argument(
        "--as-of",
        type=iso_date,
        metavar="YYYY-MM-DD",
        help="date the time-dependent rules judge against (default: today in UTC)",
    )
    parser.add_argument(
        "--config", type=Path, metavar="FILE", help="settings file (default: ./relpolicy.yaml, else pyproject.toml)"
    )
    parser.add_argument(
        "--baseline", type=Path, metavar="FILE", help="hide the findings recorded in this baseline file"
    )
    parser.add_argument(
        "--write-baseline",
        type=Path,
        metavar="FILE",
        help="record every current finding as the baseline (--baseline is not applied) and exit 0",
    )
    parser.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the text report (default: auto, on a terminal; NO_COLOR disables it)",
    )
    parser.add_argument(
        "--allow-empty",
        action="store_true",
        help="pass when the paths hold no policy file (by default that is an error: a wrong path checks nothing)",
    )
    cache = parser.add_mutually_exclusive_group()
    cache.add_argument(
        "--cache-dir",
        type=Path,
        metavar="DIR",
        help="keep parsed files in DIR for the next run (default: .relpolicy_cache, or the config's cacheDir)",
    )
    cache.add_argument("--no-cache", action="store_true", help="parse every file; read and write no cache")
    parser.add_argument(
        "--fix",
        action="store_true",
        help="apply the safe fixes some findings carry (see `relpolicy explain`), then report what remains",
    )
    parser.add_argument(
        "--diff", action="store_true", help="with --fix: print the fixes as a unified diff and change no file"
    )


def sarif_category(text: str) -> str:
    """A ``--sarif-category``: printable text, slashes at its ends dropped (they separate the id's parts)."""
    from relpolicy.report.escape import UNSAFE  # noqa: PLC0415 - only when the option is given

    if UNSAFE.search(text):
        msg = f"--sarif-category must be printable text, not {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return text.strip("/")


def run(args: argparse.Namespace) -> int:
    """Check, print the report, and turn the findings into an exit code."""
    from relpolicy.baseline import Baseline  # noqa: PLC0415 - heavy imports only when checking
    from relpolicy.config import load_settings  # noqa: PLC0415
    from relpolicy.engine import check  # noqa: PLC0415
    from relpolicy.source.cache import ParseCache  # noqa: PLC0415

    settings = load_settings(Path.cwd(), args.config)
    paths: list[Path] = args.paths or list(settings.roots)
    if not args.paths and not all(root.is_dir() for root in paths):
        missing = ", ".join(f"{root}/" for root in paths if not root.is_dir())
        msg = f"no paths given and no {missing} directory here; pass the files or directories to check"
        raise RelpolicyError(msg)
    as_of = args.as_of or settings.as_of or dt.datetime.now(dt.UTC).date()
    # A new baseline records every current finding, those the old one hides included.
    baseline = Baseline.load(args.baseline) if args.baseline and not args.write_baseline else None
    cache_dir = None if args.no_cache else args.cache_dir or settings.cache_dir
    cache = ParseCache(cache_dir) if cache_dir is not None else None
    if args.diff and not args.fix:
        msg = "--diff shows the fixes of --fix: pass both"
        raise RelpolicyError(msg)
    report = check(paths, as_of=as_of, settings=settings, baseline=baseline, cache=cache)
    if args.fix:
        from relpolicy.cli._fix import fix_until_clean  # noqa: PLC0415 - the editor only when fixing

        def check_again() -> Report:
            return check(paths, as_of=as_of, settings=settings, baseline=baseline, cache=cache)

        fixed = fix_until_clean(report, check_again, show_diff=args.diff)
        if fixed is None:  # --diff: the diff was the output
            return EXIT_FINDINGS if any(f.fix is not None for f in report.findings) else EXIT_CLEAN
        report = fixed
    if report.files == 0 and not args.allow_empty:
        where = ", ".join(path.as_posix() for path in paths)
        msg = f"no policy files (*.yaml, *.yml) in {where}: is the path right? (--allow-empty accepts this)"
        raise RelpolicyError(msg)
    if args.write_baseline:
        Baseline.of(report.findings).dump(args.write_baseline)
        sys.stderr.write(f"relpolicy: wrote {len(report.findings)} finding(s) to {args.write_baseline}\n")
        return EXIT_CLEAN
    if args.changed_since is not None:
        from relpolicy.changes import narrow  # noqa: PLC0415

        def recheck(roots: Sequence[Path], base: Path) -> Report:
            return check(roots, as_of=as_of, base=base, settings=settings)

        narrowed = narrow(args.changed_since, report, paths, recheck)
        report = narrowed.report
        print(f"relpolicy: {narrowed.describe(args.changed_since)}", file=sys.stderr)
    from relpolicy.cli._emit import emit  # noqa: PLC0415

    fail_on_name = args.fail_on or settings.fail_on
    fail_on = None if fail_on_name == "never" else Severity.parse(fail_on_name)
    emit(report, args.format, output=args.output, color=args.color, fail_on=fail_on, sarif_category=args.sarif_category)
    worst = report.worst()
    return EXIT_FINDINGS if fail_on is not None and worst is not None and worst >= fail_on else EXIT_CLEAN
