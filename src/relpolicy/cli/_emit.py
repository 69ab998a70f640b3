"""Render a check report in the chosen format and send it where ``check`` was told to.

Reporters are pure; this is where the environment is read: whether stdout is a terminal (colour),
``--output`` (the report goes to a file and the terminal gets the summary line), and, for the
``github`` format, ``$GITHUB_STEP_SUMMARY`` (a Markdown table of every finding is appended there,
because a step shows only ten annotations of each level).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from relpolicy.cli._output import wants_color, write
from relpolicy.engine import Report
from relpolicy.fileio import append_text, write_text
from relpolicy.findings import Severity


def render(report: Report, fmt: str, *, color: bool, fail_on: Severity | None) -> str:
    """The report in format ``fmt``; each reporter is imported only when chosen."""
    # Imports below are deliberate: only the chosen reporter is loaded.
    if fmt == "json":
        from relpolicy.report import json  # noqa: PLC0415

        return json.render(report)
    if fmt == "sarif":
        from relpolicy.report import sarif  # noqa: PLC0415

        return sarif.render(report)
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


def emit(report: Report, fmt: str, *, output: Path | None, color: str, fail_on: Severity | None) -> None:
    """Write the report to stdout, or to ``output`` with the summary line on stdout."""
    if output is None:
        write(render(report, fmt, color=wants_color(color, sys.stdout), fail_on=fail_on))
    else:
        from relpolicy.report.text import summary  # noqa: PLC0415

        _write_file(output, render(report, fmt, color=False, fail_on=fail_on))
        write(summary(report) + "\n")
    step_summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if fmt == "github" and step_summary:
        from relpolicy.report import github  # noqa: PLC0415

        _write_file(Path(step_summary), github.step_summary(report), append=True)
