"""Render a check report in the chosen format and send it where ``check`` was told to.

Reporters are pure; this is where the environment is read: whether stdout is a terminal (colour),
``--output`` (the report goes to a file and the terminal gets the summary line), and, for the
``github`` format, ``$GITHUB_STEP_SUMMARY`` (a Markdown table of every finding is appended there,
because a step shows only ten annotations of each level), and, for ``sarif``, the repository root
that URIs are made relative to.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from relpolicy.cli._output import wants_color, write
from relpolicy.engine import Report
from relpolicy.fileio import append_text, write_text
from relpolicy.findings import Severity


def repository_root(start: Path) -> Path:
    """The nearest directory from ``start`` upwards that holds ``.git`` (a git work tree's top), else ``start``.

    Read from the file system rather than from ``git rev-parse``: no process to start, and no git
    needed on the machine. ``.git`` may be a directory or, in worktrees and submodules, a file.
    """
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return start


def render(report: Report, fmt: str, *, color: bool, fail_on: Severity | None, sarif_category: str = "") -> str:
    """The report in format ``fmt``; each reporter is imported only when chosen."""
    # Imports below are deliberate: only the chosen reporter is loaded.
    if fmt == "json":
        from relpolicy.report import json  # noqa: PLC0415

        return json.render(report)
    if fmt == "sarif":
        from relpolicy.report import sarif  # noqa: PLC0415

        cwd = Path.cwd()
        root = repository_root(cwd)
        return sarif.render(report, category=sarif_category, root=root.as_posix(), cwd=cwd.as_posix())
    if fmt == "github":
        from relpolicy.report import github  # noqa: PLC0415

        return github.render(report)
    if fmt == "junit":
        from relpolicy.report import junit  # noqa: PLC0415

        return junit.render(report, fail_on=fail_on)
    from relpolicy.report import text  # noqa: PLC0415

    return text.render(report, color=color)


def _write_file(path: Path, text: str, *, append: bool = False) -> None:
    """Write (atomically) or append; never through a link, never to a FIFO (see relpolicy.fileio)."""
    if append:
        append_text(path, text)
    else:
        write_text(path, text)


def emit(  # noqa: PLR0913 - keyword-only options of one operation
    report: Report,
    fmt: str,
    *,
    output: Path | None,
    color: str,
    fail_on: Severity | None,
    sarif_category: str = "",
) -> None:
    """Write the report to stdout, or to ``output`` with the summary line on stdout."""
    if output is None:
        write(render(report, fmt, color=wants_color(color, sys.stdout), fail_on=fail_on, sarif_category=sarif_category))
    else:
        from relpolicy.report.text import summary  # noqa: PLC0415

        _write_file(output, render(report, fmt, color=False, fail_on=fail_on, sarif_category=sarif_category))
        write(summary(report) + "\n")
    step_summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if fmt == "github" and step_summary:
        from relpolicy.report import github  # noqa: PLC0415

        _write_file(Path(step_summary), github.step_summary(report), append=True)
