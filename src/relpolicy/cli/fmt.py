"""``relpolicy fmt [PATHS...] [--check] [--diff]``: write policy files in the canonical layout.

Exit codes: 0 when every file is (now) formatted; 1 with ``--check``/``--diff`` when a file would
change, or when a file does not parse (reported as ``check`` reports it, and left as it is);
2 for usage errors.
"""

from __future__ import annotations

import argparse
import difflib
import gc
import sys
from pathlib import Path

from relpolicy.cli import EXIT_CLEAN, EXIT_FINDINGS
from relpolicy.cli._output import write


def configure(parser: argparse.ArgumentParser) -> None:
    """Declare the options of ``fmt``."""
    parser.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="files or directories (default: policies/)")
    parser.add_argument(
        "--check", action="store_true", help="change nothing; list the files that would change and exit 1 if any"
    )
    parser.add_argument(
        "--diff", action="store_true", help="change nothing; print a unified diff of the changes and exit 1 if any"
    )
    parser.add_argument(
        "--config", type=Path, metavar="FILE", help="settings file (default: ./relpolicy.yaml, else pyproject.toml)"
    )


def run(args: argparse.Namespace) -> int:
    """Format each file, or say which would change."""
    from relpolicy.config import load_settings  # noqa: PLC0415 - heavy imports only when formatting
    from relpolicy.source.loader import discover, display_path  # noqa: PLC0415

    settings = load_settings(Path.cwd(), args.config)
    paths: list[Path] = args.paths or list(settings.roots)
    dry_run = args.check or args.diff
    found = discover(paths, settings.exclude)
    failed = 0
    for refused, why in found.refused:  # links out of the tree, FIFOs...: what check reports as RP100
        print(f"{display_path(Path(refused))}: cannot format: {why}", file=sys.stderr)
        failed += 1
    # Each file's tree is freed by reference counting; the cyclic collector would only walk them (~10%).
    collecting = gc.isenabled()
    gc.disable()
    try:
        changed, unchanged, not_formatted = _format_all(found, diff=args.diff, check=args.check)
    finally:
        if collecting:
            gc.enable()
    failed += not_formatted
    verb = "would reformat" if dry_run else "reformatted"
    summary = f"relpolicy: {verb} {changed} file(s), {unchanged} already formatted"
    if failed:
        summary += f", {failed} could not be formatted"
    print(summary, file=sys.stderr)
    return EXIT_FINDINGS if failed or (dry_run and changed) else EXIT_CLEAN


def _format_all(files: list[Path], *, diff: bool, check: bool) -> tuple[int, int, int]:
    """Format (or, with ``diff``/``check``, show) each file; returns how many changed, were formatted, failed."""
    from relpolicy.editing.editor import SourceFile  # noqa: PLC0415
    from relpolicy.editing.layout import LayoutError, UnparsableError, format_text  # noqa: PLC0415
    from relpolicy.errors import RelpolicyError  # noqa: PLC0415
    from relpolicy.source.loader import display_path  # noqa: PLC0415

    changed = unchanged = failed = 0
    for path in files:
        shown = display_path(path)
        try:
            source = SourceFile.read(path)
            formatted = format_text(source.text, shown)
        except UnparsableError as error:
            for problem in error.problems:
                print(f"{problem.location}  {problem.rule_id}  error  {problem.message}", file=sys.stderr)
            failed += 1
            continue
        except (LayoutError, RelpolicyError) as error:
            print(f"{shown}: cannot format: {error}", file=sys.stderr)
            failed += 1
            continue
        if formatted == source.text:
            unchanged += 1
            continue
        changed += 1
        if diff:
            before, after = source.text.splitlines(keepends=True), formatted.splitlines(keepends=True)
            write("".join(difflib.unified_diff(before, after, shown, f"{shown} (formatted)")))
        elif check:
            write(f"would reformat {shown}\n")
        else:
            source.with_text(formatted).write()
    return changed, unchanged, failed
