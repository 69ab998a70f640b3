"""GitHub Actions workflow commands: one ``::error``/``::warning``/``::notice`` annotation per finding.

GitHub shows each annotation on the offending line of the pull request's diff. The message is
command *data*, where ``%``, CR and LF must be percent-encoded; property values (file, title)
also encode ``:`` and ``,``, which would otherwise end the value. A step shows only ten
annotations of each level, so :func:`step_summary` renders every finding as a Markdown table for
``$GITHUB_STEP_SUMMARY``.

Names and messages first go through :func:`~relpolicy.report.escape.visible`, so a control
character or line separator in a policy file shows as ``\x1b`` or ``\u2028`` and can neither
start a workflow command of its own nor reach the log raw. In the step summary, Markdown's
special characters are backslash-escaped too, so a value cannot add links, images or HTML.
"""

from __future__ import annotations

import re
from typing import Final

from relpolicy.engine import Report
from relpolicy.findings import Finding, Severity
from relpolicy.report.escape import visible
from relpolicy.report.text import summary

COMMANDS: Final = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
SUMMARY_ROWS: Final = 1000
"""Rows in the step summary table; GitHub caps a step summary at 1 MiB."""


def escape_data(text: str) -> str:
    """Encode a workflow command's message (after :func:`visible`, only its own line breaks are left)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Encode a workflow command's property value."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding) -> str:
    """The workflow command that annotates one finding, its related locations as extra lines."""
    loc = finding.location
    properties = {
        "file": visible(loc.path),
        "line": loc.line,
        "col": loc.col,
        "endLine": loc.end_line,
        "endColumn": loc.end_col,
        "title": f"{finding.rule_id} {finding.rule_name}",
    }
    rendered = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    parts = [finding.message, *(f"{r.location}: {r.message}" for r in finding.related)]
    message = "\n".join(visible(part) for part in parts)
    return f"::{COMMANDS[finding.severity]} {rendered}::{escape_data(message)}"


def render(report: Report) -> str:
    """Every finding as an annotation, then the summary line for the log."""
    return "".join(f"{annotation(f)}\n" for f in report.findings) + summary(report) + "\n"


_MARKDOWN: Final = re.compile(r"[\\`*_\[\]<>|~&]")
"""Characters that could start Markdown or HTML inside a table cell; each gets a backslash."""


def _cell(text: str) -> str:
    """Plain text in a table cell: visible controls, and no Markdown (links, images, HTML, code)."""
    return _MARKDOWN.sub(r"\\\g<0>", visible(text))


def step_summary(report: Report) -> str:
    """A Markdown section with the summary and a table of every finding (for ``$GITHUB_STEP_SUMMARY``)."""
    lines = ["## relpolicy", "", summary(report)]
    if report.findings:
        lines += ["", "| severity | rule | location | message |", "|---|---|---|---|"]
        lines += [
            f"| {f.severity.label} | {f.rule_id} {f.rule_name} | {_cell(str(f.location))} | {_cell(f.message)} |"
            for f in report.findings[:SUMMARY_ROWS]
        ]
        if len(report.findings) > SUMMARY_ROWS:
            lines += ["", f"… and {len(report.findings) - SUMMARY_ROWS} more; see the job log."]
    return "\n".join(lines) + "\n"
