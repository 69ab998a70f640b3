"""The machine report: a stable JSON document (``schemaVersion`` 1) of every finding."""

from __future__ import annotations

import json
from typing import Any, Final

from relpolicy import __version__
from relpolicy.engine import Report
from relpolicy.findings import Location, Severity

SCHEMA_VERSION: Final = 1


def _location(location: Location) -> dict[str, Any]:
    return {
        "path": location.path,
        "line": location.line,
        "column": location.col,
        "endLine": location.end_line,
        "endColumn": location.end_col,
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
        "findings": [
            {
                "ruleId": f.rule_id,
                "ruleName": f.rule_name,
                "severity": f.severity.label,
                "message": f.message,
                "location": _location(f.location),
                "subject": f.subject,
                "related": [{"message": r.message, "location": _location(r.location)} for r in f.related],
            }
            for f in report.findings
        ],
    }


def render(report: Report) -> str:
    """The JSON report, indented, with a final newline."""
    return json.dumps(as_data(report), indent=2, ensure_ascii=False) + "\n"
