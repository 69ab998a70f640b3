"""The machine report: a stable JSON document (``schemaVersion`` 1) of every finding.

Text is kept exactly as found, escaped by JSON itself (``\\u001b``; see
:func:`~relpolicy.report.escape.json_text`), except bytes of a file name that are not UTF-8,
which are written ``\\xNN``. Findings hidden by inline suppressions are listed apart, under
``suppressed``, with the comment's reason.
"""

from __future__ import annotations

from typing import Any, Final

from relpolicy._version import __version__
from relpolicy.engine import Report
from relpolicy.findings import Finding, Location, Severity
from relpolicy.report.escape import json_text

SCHEMA_VERSION: Final = 1


def _location(location: Location) -> dict[str, Any]:
    return {
        "path": location.path,
        "line": location.line,
        "column": location.col,
        "endLine": location.end_line,
        "endColumn": location.end_col,
    }


def _finding(finding: Finding) -> dict[str, Any]:
    return {
        "ruleId": finding.rule_id,
        "ruleName": finding.rule_name,
        "severity": finding.severity.label,
        "message": finding.message,
        "location": _location(finding.location),
        "subject": finding.subject,
        "related": [{"message": r.message, "location": _location(r.location)} for r in finding.related],
    }


def as_data(report: Report) -> dict[str, Any]:
    """The report as JSON-ready data."""
    return {
        "schemaVersion": SCHEMA_VERSION,
        "tool": {"name": "relpolicy", "version": __version__},
        "asOf": report.as_of.isoformat(),
        "summary": {
            "files": report.files,
            "documents": report.documents,
            "resources": report.resources,
            **{s.label: report.count(s) for s in sorted(Severity, reverse=True)},
        },
        "findings": [_finding(f) for f in report.findings],
        "suppressed": [
            {"finding": _finding(s.finding), "reason": s.reason, "location": _location(s.location)}
            for s in report.suppressions
        ],
    }


def render(report: Report) -> str:
    """The JSON report, indented, with a final newline."""
    return json_text(as_data(report)) + "\n"
